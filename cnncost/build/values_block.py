"""The Builder's `values:` section: numbers to run the network on, exactly, and the answer
matrices `check` marks (the lecture's "apply this filter to this image" exercises).

    values:
        input ((5,1,3,4),(8,2,9,2),(1,3,0,1),(2,2,2,0))
        weights conv1 ((1,1,1),(1,-1,1),(1,1,1))/9
        bias conv1 0
        expect output ((8,9),(3,2))

A matrix is a tuple of rows (or of channels of rows, or of filters of channels of rows,
PyTorch's order), optionally times or divided by a number. The section only records the
numbers; `cnncost.report.check` runs the network on them (cnncost.grids).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..dsl import ast
from ..errors import SpecNameError, SpecSyntaxError, SpecValueError
from .frames import Frame

SECTION = "values"
STATEMENTS = ("input", "weights", "bias", "expect")


@dataclass(frozen=True)
class ValuesEntry:
    line: int
    target: str  # a layer's name, or "output"
    value: object  # nested lists of Fractions, or a Fraction
    source: str  # as written
    approx: bool = False


@dataclass(frozen=True)
class ValuesSection:
    """What a `values:` section gives: the input, named weights and biases, and the
    expected output matrices."""

    line: int
    input: object
    input_line: int
    weights: tuple[ValuesEntry, ...] = ()
    biases: tuple[ValuesEntry, ...] = ()
    expects: tuple[ValuesEntry, ...] = ()


class ValuesBlock:
    """The `values:` section method of the Builder (builder.py)."""

    def values_stmt(self, st: ast.BlockStmt, frame: Frame, top: bool):
        if not top or st.assign is not None or st.cond is not None:
            raise SpecSyntaxError("`values:` is a section of the whole spec", self.span(st.pos),
                                  "write it at the top level, without a name or condition")
        if self.values is not None:
            raise SpecSyntaxError("a second `values:` section", self.span(st.pos),
                                  "give one input per spec; put all its lines in one section")
        given, weights, biases, expects = None, [], [], []
        for s in st.body:
            self._at(s.pos)
            if isinstance(s, ast.InputStmt):
                if given is not None:
                    raise SpecSyntaxError("a second `input` in `values:`", self.span(s.pos),
                                          "the section gives one input")
                given = (self._matrix(s.shape, frame), s.pos.line)
            elif isinstance(s, ast.LayerStmt) and s.kind in ("weights", "bias") and s.assign is None:
                target, node = self._target_and_value(s)
                entry = ValuesEntry(s.pos.line, target, self._matrix(node, frame), self._source(node))
                (weights if s.kind == "weights" else biases).append(entry)
            elif isinstance(s, ast.ExpectStmt) and not s.total and s.suffix is None:
                expects.append(ValuesEntry(s.pos.line, s.quantity, self._matrix(s.value, frame),
                                           self._source(s.value), s.approx))
            else:
                raise SpecSyntaxError("not a line of a `values:` section", self.span(s.pos),
                                      "write `input MATRIX`, `weights LAYER MATRIX`, `bias LAYER B` "
                                      "or `expect LAYER MATRIX` (LAYER may be `output`)")
        if given is None:
            raise SpecSyntaxError("`values:` has no `input` line", self.span(st.pos),
                                  "give the numbers: input ((5,1,3,4),(8,2,9,2),...)")
        self.values = ValuesSection(st.pos.line, given[0], given[1], tuple(weights), tuple(biases),
                                    tuple(expects))

    def check_values_names(self, names: set[str]):
        """Every layer a `values:` line names exists (after the build)."""
        if self.values is None:
            return
        for entry in (*self.values.weights, *self.values.biases, *self.values.expects):
            if entry.target != "output" and entry.target not in names:
                from difflib import get_close_matches

                close = get_close_matches(entry.target, sorted(names), n=1)
                raise SpecNameError(f"no layer named '{entry.target}'",
                                    self.span(ast.Pos(entry.line, 1, len(self._text(entry.line)))),
                                    f"did you mean '{close[0]}'?" if close else
                                    "`cnncost summarize` lists the layers' names")

    def _target_and_value(self, s: ast.LayerStmt):
        """(layer name, the value's expression). `conv1 ((1,2),(3,4))` parses as a call of
        conv1, and `conv1 (..)/9` as that call divided: both are unwrapped here."""
        args = s.args
        if len(args) == 2 and all(isinstance(a, ast.PosArg) for a in args) \
                and isinstance(args[0].value, ast.Name):
            return args[0].value.id, args[1].value
        if len(args) == 1 and isinstance(args[0], ast.PosArg):
            node = args[0].value
            call = node.left if isinstance(node, ast.BinOp) else node
            if isinstance(call, ast.Call) and not call.kwargs and call.args:
                inner = call.args[0] if len(call.args) == 1 else \
                    ast.Tuple(tuple(call.args), (), _after_name(call))
                if isinstance(node, ast.BinOp):
                    inner = ast.BinOp(node.op, inner, node.right, _after_name(call, node.pos.width))
                return call.func, inner
        raise SpecSyntaxError(f"`{s.kind}` takes a layer's name and a value", self.span(s.pos),
                              f"e.g. `{s.kind} conv1 " + ("((1,0),(0,1))`" if s.kind == "weights" else "1`"))

    def _matrix(self, node, frame: Frame):
        """Nested lists of Fractions from tuples of numbers, scaled by `* n` or `/ n`."""
        if isinstance(node, ast.Tuple):
            if node.kwargs:
                raise SpecValueError("a matrix holds numbers, not key=value", self.span(node.pos))
            return [self._matrix(item, frame) for item in node.items]
        if isinstance(node, ast.BinOp) and node.op in ("*", "/") \
                and (_holds_tuple(node.left) or _holds_tuple(node.right)):
            left, right = self._matrix(node.left, frame), self._matrix(node.right, frame)
            if isinstance(left, list) and isinstance(right, list):
                raise SpecValueError("a matrix is scaled by a number, not by a matrix",
                                     self.span(node.pos), "e.g. ((1,1),(1,-1))/9")
            if node.op == "/":
                if isinstance(right, list) or right == 0:
                    raise SpecValueError("divide a matrix by a nonzero number", self.span(node.pos))
                return _scale(left, 1 / right)
            return _scale(right, left) if isinstance(right, list) else _scale(left, right)
        if isinstance(node, ast.Unary) and _holds_tuple(node.operand):
            inner = self._matrix(node.operand, frame)
            return _scale(inner, -1 if node.op == "-" else 1)
        value = self.evaluate(node, frame.env)
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            raise SpecValueError("a matrix holds numbers", self.span(node.pos),
                                 "write whole numbers, decimals or fractions such as 1/9")
        return Fraction(value)

    def _source(self, node) -> str:
        text = self._text(node.pos.line)
        return text[node.pos.col - 1:node.pos.col - 1 + node.pos.width].strip() or text.strip()


def _after_name(call: ast.Call, width: int | None = None) -> ast.Pos:
    """The place of a call's parenthesised part (the value after the layer's name)."""
    skip = len(call.func)
    return ast.Pos(call.pos.line, call.pos.col + skip, max(1, (width or call.pos.width) - skip))


def _holds_tuple(node) -> bool:
    return any(isinstance(n, ast.Tuple) for n in ast.walk(node))


def _scale(value, factor):
    return [_scale(v, factor) for v in value] if isinstance(value, list) else value * Fraction(factor)
