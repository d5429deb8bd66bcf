"""Arithmetic that works on Python numbers, sympy expressions and working Terms alike.

Every formula in the layer catalogue is written once with these helpers, so the same
code gives exact ints for a numeric spec, sympy expressions for a symbolic one, and the
working with the numbers filled in (`cnncost.working.Term`) for `check` and `explain`.
sympy is imported only when a non-number actually reaches one of these functions.
"""
from __future__ import annotations

import math
from fractions import Fraction

from . import working
from .working import Term

_PLAIN = (int, Fraction, float)

# The metric suffixes an `expect` value may carry (spec language: 60k, 15.5G).
METRIC_SUFFIXES = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def is_number(x) -> bool:
    """An exact known number (int, Fraction, or a Term carrying one), not a bool and not
    a sympy expression."""
    return type(x) is int or type(x) is Fraction or type(x) is Term


def _sympy():
    import sympy  # deferred: numeric runs never import it

    return sympy


def exact(x):
    """An int when the value is whole (Fraction(6, 1) -> 6), else the value unchanged."""
    if isinstance(x, Fraction) and x.denominator == 1:
        return x.numerator
    return x


def floordiv(a, b):
    """floor(a / b)."""
    if type(a) is int and type(b) is int:
        return a // b
    if working.traced(a, b):
        return working.floordiv(a, b)
    if is_number(a) and is_number(b):
        return exact(Fraction(a) // Fraction(b))
    from . import symbolic

    return symbolic.floordiv(a, b)


def ceildiv(a, b):
    """ceil(a / b)."""
    if type(a) is int and type(b) is int:
        return -(-a // b)
    if working.traced(a, b):
        return working.ceildiv(a, b)
    if is_number(a) and is_number(b):
        return exact(-(Fraction(-a) // Fraction(b)))
    from . import symbolic

    return symbolic.ceildiv(a, b)


def divide(a, b):
    """a / b exactly: an int when b divides a (channels per group), else a Fraction; a
    quotient for sympy and Terms."""
    if type(a) is int and type(b) is int and a % b == 0:
        return a // b
    if working.traced(a, b) or not (is_number(a) and is_number(b)):
        return a / b
    return exact(Fraction(a) / b)


def floor(x):
    if is_number(x):
        return math.floor(x)
    if isinstance(x, float):
        return math.floor(x)
    return _sympy().floor(x)


def ceil(x):
    if is_number(x) or isinstance(x, float):
        return math.ceil(x)
    return _sympy().ceiling(x)


def maximum(*xs):
    if working.traced(*xs):
        return working.maximum(*xs)
    if all(type(x) in _PLAIN for x in xs):
        return max(xs)
    return _sympy().Max(*xs)


def minimum(*xs):
    if working.traced(*xs):
        return working.minimum(*xs)
    if all(type(x) in _PLAIN for x in xs):
        return min(xs)
    return _sympy().Min(*xs)


def product(xs):
    out = 1
    for x in xs:
        out = out * x
    return out


def is_whole(x) -> bool:
    """True for ints, whole Fractions and sympy expressions not known to be fractional."""
    if isinstance(x, bool):
        return False
    if isinstance(x, Term):
        return is_whole(x.value)
    if isinstance(x, int):
        return True
    if isinstance(x, Fraction):
        return x.denominator == 1
    if isinstance(x, float):
        return x.is_integer()
    return getattr(x, "is_integer", None) is not False and getattr(x, "free_symbols", None) is not None


def known_below(x, bound) -> bool:
    """x < bound, when that can be decided (always for numbers; sympy: when provable)."""
    try:
        return bool(x < bound)
    except TypeError:  # sympy: an undecidable relational
        return False
