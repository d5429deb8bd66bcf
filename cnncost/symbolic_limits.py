"""Bounds on the symbolic expressions a spec writes, read from the expression tree before
sympy expands or simplifies anything: `conv 1x1 (n+1)**(10**30)` is refused at once (an
expansion of it never ends). cnncost.expr checks every value it computes with them.
"""
from __future__ import annotations

from .symbolic import _sympy, is_symbolic, plain

# Bounds on an expression a spec writes, checked before sympy expands or simplifies it
# (an expansion of (n + 1)**(10**30) never ends): far above any network's formulas, whose
# degree is a few (h*w*c*k*k) and whose size is tens of operations.
MAX_DEGREE = 32
MAX_NODES = 5_000


def degree(value, cap: int = MAX_DEGREE) -> int:
    """An upper bound of the expression's degree in its symbols, read from its tree without
    expanding it (a product adds degrees, a power multiplies them; floor, Max, Piecewise
    and other functions take their arguments' largest). Stops counting past `cap`."""
    sp = _sympy()

    def walk(expr) -> int:
        if expr.is_Symbol:
            return 1
        if expr.is_Number or not expr.free_symbols:
            return 0
        if expr.is_Pow:
            exp = expr.exp
            if exp.free_symbols:
                return cap + 1  # n**n: no polynomial degree at all
            base = walk(expr.base)
            return min(cap + 1, int(sp.ceiling(abs(exp))) * base) if base else 0
        if expr.is_Mul:
            total = 0
            for arg in expr.args:
                total += walk(arg)
                if total > cap:
                    return total
            return total
        return max((walk(arg) for arg in expr.args), default=0)

    return walk(value)


MAX_TERMS = 20_000  # terms of the expression multiplied out (sympy.expand)


def terms(value, cap: int = MAX_TERMS) -> int:
    """An upper bound of the number of terms the expression has when multiplied out, read
    from its tree: (a + b + c)**4 has at most 3**4; stops counting past `cap`."""
    def walk(expr) -> int:
        if not expr.free_symbols:
            return 1
        if expr.is_Add:
            return min(cap + 1, sum(walk(arg) for arg in expr.args))
        if expr.is_Mul:
            total = 1
            for arg in expr.args:
                total = min(cap + 1, total * walk(arg))
            return total
        if expr.is_Pow and expr.exp.is_Integer:
            base = walk(expr.base)
            return 1 if base == 1 else min(cap + 1, base ** min(abs(int(expr.exp)), 64))
        return 1  # a symbol, or a function (floor, Max) that expand keeps whole

    return walk(value)


def too_complex(value) -> str | None:
    """Why a spec's expression is refused before sympy works on it, or None: a degree
    above MAX_DEGREE, an exponent that holds a symbol, more than MAX_NODES parts, or more
    than MAX_TERMS terms once multiplied out."""
    if not is_symbolic(value):
        return None
    sp = _sympy()
    for count, part in enumerate(sp.preorder_traversal(value)):
        if count > MAX_NODES:
            return f"the expression has more than {MAX_NODES:,} parts"
        if part.is_Pow and part.exp.free_symbols:
            return f"a symbol in an exponent ({plain(part)[:40]}): only numeric powers are counted"
    if degree(value) > MAX_DEGREE:
        return f"its degree in the symbols is over {MAX_DEGREE}"
    if terms(value) > MAX_TERMS:
        return f"multiplied out it would have more than {MAX_TERMS:,} terms"
    return None
