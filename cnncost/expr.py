"""The spec's expression evaluator: a small interpreter over the parsed tree.

No `eval`, no attribute access (only `in.h`, `in.w`, `in.c`), no imports, no files:
a spec can compute numbers and nothing else. Values are exact: ints, Fractions for
decimals and divisions, and sympy expressions once a `symbol` is involved.
"""
from __future__ import annotations

import math
import operator
from fractions import Fraction
from typing import Callable, Mapping

from . import dims, symbolic, symbolic_limits
from .dsl import ast
from .errors import LimitError, SpecNameError, SpecValueError

MAX_MAGNITUDE_BITS = 4096  # numbers beyond 2**4096 are surely a mistake
MAX_EXPR_DEPTH = 100  # operators and calls nested inside one another
_LIMIT_HINT = "numbers are limited to 2**4096"
_SYMBOLIC_HINT = (f"symbolic costs are bounded (degree {symbolic_limits.MAX_DEGREE}, {symbolic_limits.MAX_TERMS:,} "
                  "terms multiplied out); give the symbol a value with `param`")


class Block:
    """What a name may hold besides a value: a `def` (graph.Definition). Used as a value
    in an expression, it is an error."""


def make_divisible(v, divisor=8, min_value=None):
    """MobileNet/EfficientNet channel rounding (torchvision's _make_divisible): round v to
    the nearest multiple of divisor, never below min_value, never more than 10 % below v."""
    if min_value is None:
        min_value = divisor
    new_v = dims.maximum(min_value, dims.floordiv(v + Fraction(divisor, 2), divisor) * divisor)
    if dims.is_number(new_v) and dims.is_number(v):
        if new_v < Fraction(9, 10) * v:
            new_v += divisor
        return new_v
    import sympy

    return sympy.Piecewise((new_v + divisor, new_v < sympy.Rational(9, 10) * v), (new_v, True))


def to_int(x):
    if dims.is_number(x) or isinstance(x, float):
        return math.trunc(x)
    import sympy

    return sympy.Integer(x) if x.is_Number else sympy.floor(x) if x.is_nonnegative else sympy.ceiling(x)


def _round(x, ndigits=None):
    if ndigits is not None:
        if not dims.is_number(ndigits) or abs(ndigits) > MAX_MAGNITUDE_BITS:
            raise ValueError(f"ndigits must be a whole number up to {MAX_MAGNITUDE_BITS}")
        return round(Fraction(x), int(ndigits))
    if dims.is_number(x) or isinstance(x, float):
        return round(x)  # Python's rule: halves to even
    import sympy

    return sympy.floor(x + sympy.Rational(1, 2))


FUNCTIONS: dict[str, Callable] = {
    "int": to_int,
    "round": _round,
    "ceil": dims.ceil,
    "floor": dims.floor,
    "min": dims.minimum,
    "max": dims.maximum,
    "make_divisible": make_divisible,
    "abs": abs,
}

_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
}

_COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


class Env:
    """Names visible to an expression: a chain of dicts (block-local `let`s shadow
    outer ones) and the shape of the current line's input for `in.h/w/c`."""

    def __init__(self, values: Mapping | None = None, parent: "Env | None" = None):
        self.values = dict(values or {})
        self.parent = parent

    def lookup(self, name: str):
        env = self
        while env is not None:
            if name in env.values:
                return env.values[name]
            env = env.parent
        raise KeyError(name)

    def names(self) -> set[str]:
        out, env = set(), self
        while env is not None:
            out |= set(env.values)
            env = env.parent
        return out

    def child(self, values: Mapping | None = None) -> "Env":
        return Env(values, self)


class Evaluator:
    """Evaluates ast expressions. `span_of` turns an ast.Pos into an errors.Span."""

    def __init__(self, span_of: Callable[[ast.Pos], object], input_shape: Callable[[], tuple] | None = None):
        self.span_of = span_of
        self.input_shape = input_shape
        self.depth = 0  # how deep _eval is inside the expression being evaluated

    def __call__(self, node: ast.Expr, env: Env):
        self.depth = 0
        try:
            value = self._eval(node, env)
        except RecursionError:
            raise LimitError("expression nested too deeply", self.span_of(node.pos),
                             "split it with `let` lines") from None
        return value

    def _fail(self, cls, message, node, hint=None):
        raise cls(message, self.span_of(node.pos), hint)

    def _check(self, value, node):
        if isinstance(value, int) and value.bit_length() > MAX_MAGNITUDE_BITS:
            self._fail(LimitError, "number too large", node, _LIMIT_HINT)
        if isinstance(value, Fraction) and (value.numerator.bit_length() > MAX_MAGNITUDE_BITS
                                            or value.denominator.bit_length() > MAX_MAGNITUDE_BITS):
            self._fail(LimitError, "number too large or too precise", node,
                       _LIMIT_HINT + ", in numerator and denominator")
        if symbolic.is_symbolic(value):
            reason = symbolic_limits.too_complex(value)
            if reason:
                self._fail(LimitError, f"symbolic expression too large: {reason}", node, _SYMBOLIC_HINT)
        if isinstance(value, float) and not math.isfinite(value):
            self._fail(LimitError, f"the result is {value}, not a number", node,
                       "a fractional power gave an approximate value out of range")
        return value

    def _eval(self, node, env: Env):
        if type(node) is ast.Number:  # the common leaf, without the depth count
            return node.value
        self.depth += 1
        try:
            if self.depth > MAX_EXPR_DEPTH:
                self._fail(LimitError, f"expression nested more than {MAX_EXPR_DEPTH} levels deep",
                           node, "split it with `let` lines")
            return self._eval_node(node, env)
        finally:
            self.depth -= 1

    def _eval_node(self, node, env: Env):
        if isinstance(node, ast.Number):
            return node.value
        if isinstance(node, ast.Dims):
            return node.values
        if isinstance(node, ast.Name):
            try:
                value = env.lookup(node.id)
            except KeyError:
                from difflib import get_close_matches

                close = get_close_matches(node.id, sorted(env.names()), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "define it with `let`, `param` or `symbol`"
                self._fail(SpecNameError, f"unknown name '{node.id}'", node, hint)
            if isinstance(value, Block):
                self._fail(SpecValueError, f"'{node.id}' is a def (a block of layers), not a value", node,
                           f"call it on a line of its own: {node.id}(...)")
            return value
        if isinstance(node, ast.Attr):
            return self._attr(node)
        if isinstance(node, ast.Tuple):
            if node.kwargs:
                self._fail(SpecValueError, "key=value items belong in a def call", node,
                           "write the value alone, or call a def: name(key=value)")
            return tuple(self._eval(item, env) for item in node.items)
        if isinstance(node, ast.BinOp):
            return self._binop(node, env)
        if isinstance(node, ast.Unary):
            value = self._eval(node.operand, env)
            self._need_number(value, node)
            return -value if node.op == "-" else value
        if isinstance(node, ast.Compare):
            left = self._eval(node.first, env)
            for op, right_node in node.rest:
                right = self._eval(right_node, env)
                try:
                    result = _COMPARE[op](left, right)
                except TypeError:
                    self._fail(SpecValueError, f"cannot compare {_kind(left)} {op} {_kind(right)}", node,
                               "compare numbers with numbers (dims like 3x3 only with == and !=)")
                if not self.truth(result, node):
                    return False
                left = right
            return True
        if isinstance(node, ast.BoolOp):
            value = None
            for item in node.values:
                value = self._eval(item, env)
                truth = self.truth(value, item)
                if (node.op == "and" and not truth) or (node.op == "or" and truth):
                    return value
            return value
        if isinstance(node, ast.Not):
            return not self.truth(self._eval(node.operand, env), node)
        if isinstance(node, ast.Call):
            return self._call(node, env)
        self._fail(SpecValueError, "not an expression", node, "see Expressions in docs/spec-language.md")

    def _attr(self, node: ast.Attr):
        if node.obj != "in" or node.attr not in ("h", "w", "c"):
            self._fail(SpecNameError, f"unknown name '{node.obj}.{node.attr}'", node,
                       "only in.h, in.w and in.c (the shape of this line's input) exist")
        shape = self.input_shape() if self.input_shape else None
        if not shape:
            self._fail(SpecNameError, "in.h/in.w/in.c need an input before this line", node,
                       "they are the shape of the previous statement's output; use them after `input`")
        if len(shape) == 1:
            if node.attr != "c":
                self._fail(SpecValueError, f"the input here is a vector of {shape[0]}; only in.c exists", node,
                           "in.h and in.w exist before flatten")
            return shape[0]
        return shape["hwc".index(node.attr)]

    def _need_number(self, value, node):
        if isinstance(value, (tuple, str)) or isinstance(value, bool):
            self._fail(SpecValueError, f"arithmetic needs numbers here, got {_kind(value)}", node,
                       "dims like 3x3 and (a, b) are not numbers; a minus sign goes on each one: (-1, 2)"
                       if isinstance(value, tuple) else "conditions are not numbers")

    def truth(self, value, node) -> bool:
        """bool(value), or a located error when a symbol makes it undecidable."""
        try:
            return bool(value)
        except TypeError:
            self._fail(SpecValueError, "this condition depends on a symbol and cannot be decided",
                       node, "give the symbol a value, or use a param instead")

    def _binop(self, node: ast.BinOp, env: Env):
        left = self._eval(node.left, env)
        right = self._eval(node.right, env)
        if node.op in ("+", "-") and isinstance(node.left, ast.Dims) and not isinstance(right, tuple):
            # `conv 3x3 -4` reads as 3x3 minus 4: the writer meant a kernel, then a count
            self._fail(SpecValueError, f"a kernel and a channel count were expected, got "
                                       f"{_kind(left)} {node.op} {_kind(right)}", node,
                       "a channel count is a whole number above 0, e.g. `conv 3x3 4`")
        self._need_number(left, node)
        self._need_number(right, node)
        op = node.op
        try:
            if op in _BINARY:
                return self._check(dims.exact(_BINARY[op](left, right)), node)
            if op == "/":
                if dims.is_number(left) and dims.is_number(right):
                    return self._check(dims.exact(Fraction(left) / Fraction(right)), node)
                return self._check(left / right, node)
            if op == "//":
                if isinstance(left, float) or isinstance(right, float):
                    return self._check(left // right, node)  # approximate stays approximate
                return dims.floordiv(left, right)
            if op == "**":
                return self._power(left, right, node)
        except ZeroDivisionError:
            self._fail(SpecValueError, "division by zero", node, "check the divisor's value")
        except OverflowError:
            self._fail(LimitError, "number too large for an approximate (fractional power) value", node,
                       _LIMIT_HINT + "; approximate values to about 1e308")
        self._fail(SpecValueError, f"unknown operator {op}", node, "operators: + - * / // % **")

    def _power(self, base, exp, node):
        if dims.is_number(base) and dims.is_number(exp):
            if base in (0, 1) and exp > 0 or base == 1:
                return base
            if base == -1 and isinstance(exp, int):
                return 1 if exp % 2 == 0 else -1
            if isinstance(exp, Fraction):
                root = _exact_root(Fraction(base), exp.denominator)
                if root is None:
                    if base < 0:
                        self._fail(SpecValueError, f"({_kind(base)})**({_kind(exp)}) is not a real number", node,
                                   "a negative number has no real fractional power")
                    return self._check(float(base) ** float(exp), node)  # irrational: approximate
                return self._power(dims.exact(root), exp.numerator, node)
            base = Fraction(base)  # the result has more than this many bits: refuse before computing
            bits = abs(exp) * (max(abs(base.numerator).bit_length(), base.denominator.bit_length()) - 1)
            if bits >= MAX_MAGNITUDE_BITS:
                self._fail(LimitError, "number too large" if abs(base) >= 1 or exp < 0 else "number too precise",
                           node, _LIMIT_HINT + ", in numerator and denominator")
            return self._check(dims.exact(Fraction(base) ** exp), node)
        if isinstance(base, float) or isinstance(exp, float):
            if isinstance(base, float) and base < 0 and not float(exp).is_integer():
                self._fail(SpecValueError, f"{base}**{exp} is not a real number", node,
                           "a negative number has no real fractional power")
            return self._check(float(base) ** float(exp), node)
        if symbolic.is_symbolic(base) and dims.is_number(exp):  # refuse before sympy builds it
            if abs(exp) * max(1, symbolic_limits.degree(base)) > symbolic_limits.MAX_DEGREE:
                self._fail(LimitError, f"symbolic expression too large: a power of degree over "
                                       f"{symbolic_limits.MAX_DEGREE}", node, _SYMBOLIC_HINT)
        return self._check(base ** exp, node)

    def _call(self, node: ast.Call, env: Env):
        func = FUNCTIONS.get(node.func)
        if func is None:
            from difflib import get_close_matches

            close = get_close_matches(node.func, sorted(FUNCTIONS), n=1)
            self._fail(SpecNameError, f"unknown function '{node.func}'", node,
                       f"did you mean '{close[0]}'?" if close else
                       "functions: " + ", ".join(sorted(FUNCTIONS)))
        args = [self._eval(a, env) for a in node.args]
        kwargs = {k: self._eval(v, env) for k, v in node.kwargs}
        for value in (*args, *kwargs.values()):
            self._need_number(value, node)
        try:
            return self._check(dims.exact(func(*args, **kwargs)), node)
        except (TypeError, ValueError) as exc:
            self._fail(SpecValueError, f"wrong arguments for {node.func}(): {exc}", node,
                       _SIGNATURES.get(node.func))
        except ZeroDivisionError:
            self._fail(SpecValueError, f"division by zero in {node.func}()", node, "check the divisor's value")
        except OverflowError:
            self._fail(LimitError, f"{node.func}() of a number too large", node, _LIMIT_HINT)


_SIGNATURES = {
    "int": "int(x) drops the fraction", "round": "round(x) or round(x, ndigits)",
    "ceil": "ceil(x)", "floor": "floor(x)", "min": "min(a, b, ...)", "max": "max(a, b, ...)",
    "make_divisible": "make_divisible(v, divisor=8, min_value=divisor)", "abs": "abs(x)",
}


def _kind(value) -> str:
    """How a value is shown in an error: 3x3, 0.5, 'a condition', 'a number of 1,300 digits'."""
    if isinstance(value, bool):
        return "a condition"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value) if all(type(v) is int for v in value) else str(value)
    if isinstance(value, Fraction):
        return f"{float(value):g}" if abs(value) < 10**300 else f"a fraction of {len(str(int(value)))} digits"
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value)


def _exact_root(x: Fraction, n: int):
    """The exact n-th root of x when it is rational (4 -> 2 for n = 2), else None."""
    if x < 0:
        if n % 2 == 0:
            return None
        root = _exact_root(-x, n)
        return -root if root is not None else None
    roots = []
    for part in (x.numerator, x.denominator):
        if part <= 1:
            roots.append(part)
            continue
        if n > part.bit_length():  # 2**n > part: no whole root
            return None
        root = math.isqrt(part) if n == 2 else _int_root(part, n)
        if root ** n != part:
            return None
        roots.append(root)
    return Fraction(roots[0], roots[1])


def _int_root(x: int, n: int) -> int:
    """floor(x ** (1/n)), exactly, by bisection."""
    lo, hi = 0, 1 << (x.bit_length() // n + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid ** n <= x:
            lo = mid
        else:
            hi = mid - 1
    return lo
