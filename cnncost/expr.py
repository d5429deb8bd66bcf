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

from . import dims
from .dsl import ast
from .errors import LimitError, SpecNameError, SpecValueError

MAX_MAGNITUDE_BITS = 4096  # numbers beyond 2**4096 are surely a mistake


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

    def __call__(self, node: ast.Expr, env: Env):
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
            self._fail(LimitError, "number too large", node, "numbers are limited to 2**4096")
        if isinstance(value, Fraction) and (value.numerator.bit_length() > MAX_MAGNITUDE_BITS
                                            or value.denominator.bit_length() > MAX_MAGNITUDE_BITS):
            self._fail(LimitError, "number too large or too precise", node, None)
        return value

    def _eval(self, node, env: Env):
        if isinstance(node, ast.Number):
            return node.value
        if isinstance(node, ast.Dims):
            return node.values
        if isinstance(node, ast.Name):
            try:
                return env.lookup(node.id)
            except KeyError:
                from difflib import get_close_matches

                close = get_close_matches(node.id, sorted(env.names()), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "define it with `let`, `param` or `symbol`"
                self._fail(SpecNameError, f"unknown name '{node.id}'", node, hint)
        if isinstance(node, ast.Attr):
            return self._attr(node)
        if isinstance(node, ast.Tuple):
            if node.kwargs:
                self._fail(SpecValueError, "key=value items belong in a def call", node, None)
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
                result = _COMPARE[op](left, right)
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
        self._fail(SpecValueError, "not an expression", node)

    def _attr(self, node: ast.Attr):
        if node.obj != "in" or node.attr not in ("h", "w", "c"):
            self._fail(SpecNameError, f"unknown name '{node.obj}.{node.attr}'", node,
                       "only in.h, in.w and in.c (the shape of this line's input) exist")
        shape = self.input_shape() if self.input_shape else None
        if not shape:
            self._fail(SpecNameError, "in.h/in.w/in.c need an input before this line", node, None)
        if len(shape) == 1:
            if node.attr != "c":
                self._fail(SpecValueError, f"the input here is a vector of {shape[0]}; only in.c exists", node, None)
            return shape[0]
        return shape["hwc".index(node.attr)]

    def _need_number(self, value, node):
        if isinstance(value, (tuple, str)) or isinstance(value, bool):
            self._fail(SpecValueError, "arithmetic needs numbers here", node, None)

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
        self._need_number(left, node)
        self._need_number(right, node)
        op = node.op
        try:
            if op in _BINARY:
                return self._check(dims.exact(_BINARY[op](left, right)), node)
            if op == "/":
                if dims.is_number(left) and dims.is_number(right):
                    return self._check(dims.exact(Fraction(left) / Fraction(right)), node)
                return left / right
            if op == "//":
                return dims.floordiv(left, right)
            if op == "**":
                return self._power(left, right, node)
        except ZeroDivisionError:
            self._fail(SpecValueError, "division by zero", node, None)
        self._fail(SpecValueError, f"unknown operator {op}", node)

    def _power(self, base, exp, node):
        if dims.is_number(base) and dims.is_number(exp):
            if isinstance(exp, int):
                size = abs(exp) * max(1, abs(Fraction(base).numerator).bit_length(),
                                      Fraction(base).denominator.bit_length())
                if size > MAX_MAGNITUDE_BITS:
                    self._fail(LimitError, "number too large", node, "numbers are limited to 2**4096")
                return self._check(dims.exact(Fraction(base) ** exp), node)
            return float(base) ** float(exp)
        return base ** exp

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
            return dims.exact(func(*args, **kwargs))
        except TypeError as exc:
            self._fail(SpecValueError, f"wrong arguments for {node.func}(): {exc}", node, None)
