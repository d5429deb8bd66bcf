"""Numbers that remember how they were computed, so a formula prints its own working.

The layer catalogue's formulas run unchanged on `Term`s: wrap a layer's inputs as leaves,
call its shape or cost rule, and the result carries both the value and the arithmetic
with the numbers filled in, the way the lecture notes write it:

    >>> k, c, n = Term.leaf(5), Term.leaf(1), Term.leaf(16)
    >>> params = k * k * c * n + n
    >>> params.text, params.value
    ('5·5·1·16 + 16', 416)

`·` multiplies, `×` multiplies two products (`28·28·16 × 5·5·1`: positions × window),
`−` subtracts; `floor(...)`, `ceil(...)`, `max(...)`, `min(...)` are calls. Replacing
`·`, `×` and `−` by `*`, `*` and `-` gives an expression the spec language evaluates to
the same value. Literal constants of a formula (the 1 in `+ 1`) print as themselves; a
multiplication by the literal 1, an addition of the literal 0 and an exact division by 1
leave no trace.
"""
from __future__ import annotations

from fractions import Fraction

# binding strength of a Term's text: a quotient inside a product gets parentheses,
# 3·3·(16/2)·8, so that it reads as "channels per group"
SUM, QUOTIENT, PRODUCT, ATOM = 1, 1.5, 2, 3


def _exact(x):
    if isinstance(x, Fraction) and x.denominator == 1:
        return x.numerator
    return x


def _number_text(value) -> str:
    if isinstance(value, Fraction):
        return f"({value.numerator}/{value.denominator})"
    return f"({value})" if value < 0 else str(value)


class Term:
    """A value and the arithmetic that produced it."""

    __slots__ = ("value", "text", "strength", "product", "literal")

    def __init__(self, value, text: str, strength: int = ATOM, product: bool = False,
                 literal: bool = False):
        self.value = value
        self.text = text
        self.strength = strength
        self.product = product  # a product of several factors (joins with ×)
        self.literal = literal  # a constant written in the formula, not a quantity

    @classmethod
    def leaf(cls, value) -> "Term":
        """A named quantity of the layer (a kernel size, a channel count, an input size)."""
        return cls(value, _number_text(value))

    @staticmethod
    def lift(x) -> "Term":
        return x if isinstance(x, Term) else Term(x, _number_text(x), literal=True)

    @staticmethod
    def constant(a: "Term", b: "Term", value) -> "Term | None":
        """Arithmetic between two constants of the formula folds into one constant."""
        return Term.lift(value) if a.literal and b.literal else None

    def wrapped(self, strength: int) -> str:
        """The text, in parentheses when it binds less tightly than `strength` needs."""
        return self.text if self.strength >= strength else f"({self.text})"

    # -- arithmetic -------------------------------------------------------------
    def __add__(self, other):
        a, b = self, Term.lift(other)
        if b.literal and b.value == 0:
            return a
        if a.literal and a.value == 0:
            return b
        folded = Term.constant(a, b, a.value + b.value)
        if folded is not None:
            return folded
        return Term(a.value + b.value, f"{a.text} + {b.wrapped(SUM)}", SUM)

    def __radd__(self, other):
        return Term.lift(other) + self

    def __sub__(self, other):
        a, b = self, Term.lift(other)
        if b.literal and b.value == 0:
            return a
        folded = Term.constant(a, b, a.value - b.value)
        if folded is not None:
            return folded
        return Term(a.value - b.value, f"{a.text} − {b.wrapped(PRODUCT)}", SUM)

    def __rsub__(self, other):
        return Term.lift(other) - self

    def __neg__(self):
        return Term(-self.value, f"−{self.wrapped(ATOM)}", PRODUCT)

    def __mul__(self, other):
        a, b = self, Term.lift(other)
        if b.literal and b.value == 1:
            return a
        if a.literal and a.value == 1:
            return b
        folded = Term.constant(a, b, a.value * b.value)
        if folded is not None:
            return folded
        sign = " × " if a.product and b.product else "·"
        return Term(a.value * b.value, f"{a.wrapped(PRODUCT)}{sign}{b.wrapped(PRODUCT)}",
                    PRODUCT, product=True)

    def __rmul__(self, other):
        return Term.lift(other) * self

    def __truediv__(self, other):
        """Exact division (channels per group): a division by 1 leaves no trace."""
        a, b = self, Term.lift(other)
        if b.value == 1:
            return a
        return Term(_exact(Fraction(a.value) / Fraction(b.value)),
                    f"{a.wrapped(PRODUCT)}/{b.wrapped(ATOM)}", QUOTIENT)

    def __rtruediv__(self, other):
        return Term.lift(other) / self

    def __floordiv__(self, other):
        return floordiv(self, other)

    def __rfloordiv__(self, other):
        return floordiv(other, self)

    def __mod__(self, other):
        return self.value % Term.lift(other).value

    # -- comparisons and conversions act on the value ----------------------------
    def __eq__(self, other):
        return self.value == Term.lift(other).value

    def __hash__(self):
        return hash(self.value)

    def __lt__(self, other):
        return self.value < Term.lift(other).value

    def __le__(self, other):
        return self.value <= Term.lift(other).value

    def __gt__(self, other):
        return self.value > Term.lift(other).value

    def __ge__(self, other):
        return self.value >= Term.lift(other).value

    def __bool__(self):
        return bool(self.value)

    def __int__(self):
        return int(self.value)

    def __index__(self):
        return int(self.value)

    def __str__(self):
        return str(self.value)

    def __repr__(self):
        return f"Term({self.value!r}, {self.text!r})"


def _call(name: str, value, *args: Term) -> Term:
    return Term(value, f"{name}({', '.join(a.text for a in args)})")


def floordiv(a, b) -> Term:
    """floor(a/b), written with the division inside: floor((28 + 2·2 − 5)/1)."""
    a, b = Term.lift(a), Term.lift(b)
    return Term(a.value // b.value, f"floor({a.wrapped(PRODUCT)}/{b.wrapped(ATOM)})")


def ceildiv(a, b) -> Term:
    a, b = Term.lift(a), Term.lift(b)
    return Term(-(-a.value // b.value), f"ceil({a.wrapped(PRODUCT)}/{b.wrapped(ATOM)})")


def maximum(*xs) -> Term:
    terms = [Term.lift(x) for x in xs]
    return _call("max", max(t.value for t in terms), *terms)


def minimum(*xs) -> Term:
    terms = [Term.lift(x) for x in xs]
    return _call("min", min(t.value for t in terms), *terms)


def traced(*xs) -> bool:
    return any(isinstance(x, Term) for x in xs)


def wrap(value):
    """Leaves for every number in a layer's attributes or shapes (tuples element-wise);
    words, flags and booleans stay as they are."""
    if isinstance(value, tuple):
        return tuple(wrap(v) for v in value)
    if isinstance(value, dict):
        return {k: wrap(v) for k, v in value.items()}
    if type(value) is int or type(value) is Fraction:
        return Term.leaf(value)
    return value


def value_of(x):
    """The plain value of a Term (tuples element-wise); other values unchanged."""
    if isinstance(x, tuple):
        return tuple(value_of(v) for v in x)
    return x.value if isinstance(x, Term) else x


def text_of(x) -> str:
    return x.text if isinstance(x, Term) else _number_text(x)
