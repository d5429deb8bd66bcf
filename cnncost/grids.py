"""Values mode: run a small network on numbers the user gives, with exact arithmetic.

The lecture's first slides run a filter over a grid of numbers and show the feature map.
`cnncost layer "conv 3x3 1 nobias" --values "[[...]]" --weights "[[...]]/9"` does the same:
the layers' own NumPy forms (the `run` of each layer entry, as `cnncost verify` uses them)
run on arrays of `fractions.Fraction` instead of float32, so 1/9 stays 1/9. What a layer
does to one output cell (the sum of products the slides write out) comes from its entry's
`cell` method.

Matrices are written as the slides write them, in PyTorch's order:
- an input: rows of one channel `[[5,1,3,4],[8,2,9,2]]`, or a list of channels;
- a conv's weights: one filter of one channel (rows), one filter over C channels, or
  N filters of C channels; an fc's weights: one row of input weights per output;
- a scale may follow (`[[1,1,1],[1,-1,1],[1,1,1]]/9`), and numbers may be fractions;
- or a file of whitespace-separated rows (a blank line between channels).
"""
from __future__ import annotations

import ast as pyast
import os
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational
from typing import Any

from .errors import CnnCostError, Span, SpecValueError

MAX_CELLS = 100_000  # values mode is for slides: a grid of a few hundred numbers


# --------------------------------------------------------------------------- reading matrices
def read_matrix(text: str, origin: str) -> list:
    """A nested list of Fractions from a literal (`[[1,2],[3,4]]/9`, `1 2; 3 4`) or a
    file of whitespace-separated rows."""
    stripped = text.strip()
    if stripped and stripped[0] not in "[(-+.0123456789" and os.path.isfile(stripped):
        with open(stripped, encoding="utf-8") as handle:
            return _rows_text(handle.read(), stripped)
    if stripped[:1] in "[(":
        return _literal(stripped, origin)
    return _rows_text(stripped.replace(";", "\n"), origin)


def _rows_text(text: str, origin: str) -> list:
    """Rows of numbers, one per line; a blank line starts the next channel."""
    channels, rows = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if rows:
                channels.append(rows)
                rows = []
            continue
        row = []
        for word in line.split():
            try:
                row.append(Fraction(word))
            except (ValueError, ZeroDivisionError):
                col = line.index(word) + 1
                raise SpecValueError(f"'{word}' is not a number", Span(origin, number, col, len(word), line),
                                     "write numbers such as 3, -1, 0.5 or 1/9") from None
        rows.append(row)
    if rows:
        channels.append(rows)
    if not channels:
        raise SpecValueError("no numbers given", Span(origin, 1, 1, 1, text), "e.g. [[5,1],[8,2]]")
    return channels[0] if len(channels) == 1 else channels


def _literal(text: str, origin: str) -> list:
    try:
        tree = pyast.parse(text, mode="eval").body
    except SyntaxError as err:
        col = max(1, err.offset or 1)
        raise SpecValueError("not a matrix literal", Span(origin, 1, col, 1, text),
                             "write rows in brackets: [[5,1,3,4],[8,2,9,2]], optionally /9") from None
    return _evaluate(tree, text, origin)


def _evaluate(node, text: str, origin: str):
    """Lists, numbers, unary signs, and * or / between a matrix and a number."""
    if isinstance(node, (pyast.List, pyast.Tuple)):
        return [_evaluate(e, text, origin) for e in node.elts]
    if isinstance(node, pyast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return Fraction(pyast.get_source_segment(text, node))  # 0.1 stays 1/10 exactly
    if isinstance(node, pyast.UnaryOp) and isinstance(node.op, (pyast.USub, pyast.UAdd)):
        value = _evaluate(node.operand, text, origin)
        return _scale(value, -1 if isinstance(node.op, pyast.USub) else 1, text, node, origin)
    if isinstance(node, pyast.BinOp) and isinstance(node.op, (pyast.Div, pyast.Mult)):
        left, right = _evaluate(node.left, text, origin), _evaluate(node.right, text, origin)
        if isinstance(node.op, pyast.Div):
            if isinstance(right, list) or right == 0:
                raise _bad(node.right, text, origin, "divide by a nonzero number")
            return _scale(left, 1 / right, text, node, origin)
        if isinstance(left, list) and isinstance(right, list):
            raise _bad(node, text, origin, "multiply a matrix by a number, not by a matrix")
        return _scale(right, left, text, node, origin) if isinstance(right, list) else \
            _scale(left, right, text, node, origin)
    raise _bad(node, text, origin, "write numbers, [rows], and * or / by a number")


def _scale(value, factor, text, node, origin):
    if isinstance(factor, list):
        raise _bad(node, text, origin, "a scale is one number")
    return [_scale(v, factor, text, node, origin) for v in value] if isinstance(value, list) \
        else value * factor


def _bad(node, text: str, origin: str, hint: str) -> SpecValueError:
    col = getattr(node, "col_offset", 0) + 1
    end = getattr(node, "end_col_offset", col)
    return SpecValueError("not a matrix literal", Span(origin, 1, col, max(1, end - col + 1), text), hint)


def to_array(value, origin: str):
    """A nested list as a rectangular object array of Fractions."""
    import numpy as np

    if not isinstance(value, list):
        value = [value]
    try:
        array = np.array(value, dtype=object)
    except ValueError:
        array = None
    if array is None or any(isinstance(v, list) for v in array.reshape(-1)):
        raise SpecValueError(f"{origin}: the rows are not all the same length",
                             hint="every row needs as many numbers, every channel as many rows")
    flat = array.reshape(-1)
    for i, v in enumerate(flat):
        if not isinstance(v, Rational):
            raise SpecValueError(f"{origin}: {v!r} is not a number", hint="write numbers such as 3, -1 or 1/9")
        flat[i] = Fraction(v)
    if array.size > MAX_CELLS:
        raise SpecValueError(f"{origin}: {array.size:,} numbers; values mode takes at most {MAX_CELLS:,}",
                             hint="values mode is for small grids such as the lecture's")
    return array


def input_array(value, origin: str = "--values"):
    """An H x W x C array from rows of one channel or a list of channels (C, H, W); a
    vector from a flat list."""
    array = to_array(value, origin)
    if array.ndim == 1:  # a vector, for fc layers
        return array
    if array.ndim == 2:
        return array[:, :, None]
    if array.ndim == 3:
        return array.transpose(1, 2, 0)
    raise SpecValueError(f"{origin}: {array.ndim} levels of brackets; an input is rows of one "
                         "channel or a list of channels", hint="e.g. [[5,1],[8,2]]")


# --------------------------------------------------------------------------- running
@dataclass
class Parameters:
    """The weights and biases a run hands to the layers, in the order they ask."""

    given: list  # arrays in PyTorch's order, consumed front to back
    bias: Any = None  # a number or a list, for the first layer with a bias
    used: list = field(default_factory=list)  # (name, array in the executor's layout)
    named: dict = field(default_factory=dict)  # layer name -> weights (a spec's `values:`)
    named_bias: dict = field(default_factory=dict)  # layer name -> bias


class ExactTape:
    """The executor's Tape (cnncost.execute.tape) for values mode: it hands out the given
    weights instead of random ones and counts the products the same way."""

    def __init__(self, params: Parameters, node_name: str):
        self.params_in, self.node_name = params, node_name
        self.macs = self.params = self.buffers = 0
        self.asked = 0

    def param(self, shape: tuple, fan_in=None, center=0.0, scale=None):
        import numpy as np

        self.asked += 1
        if len(shape) == 1 and self.asked > 1:  # the bias after the weights
            return self._bias(shape)
        if self.node_name in self.params_in.named:
            self.params_in.given.insert(0, self.params_in.named.pop(self.node_name))
        elif not self.params_in.given:
            raise CnnCostError(f"{self.node_name} needs weights of shape {_show(shape)}",
                               hint="give them with --weights, e.g. --weights \"[[1,0],[0,1]]\"")
        given = to_array(self.params_in.given.pop(0), "--weights")
        if given.size != int(np.prod(shape)):
            raise SpecValueError(f"{self.node_name} needs {int(np.prod(shape))} weights "
                                 f"({_show(shape)} in its layout), got {given.size} ({_show(given.shape)})",
                                 hint=_layout_hint(shape))
        array = _from_torch_order(given, shape)
        self.params += array.size
        self.params_in.used.append((self.node_name, array))
        return array

    def _bias(self, shape):
        import numpy as np

        if self.node_name in self.params_in.named_bias:
            value = self.params_in.named_bias.pop(self.node_name)
        else:
            value, self.params_in.bias = self.params_in.bias, None
        if value is None:
            value = 0  # no --bias: the bias is 0, said in the output
        array = to_array(value, "--bias").reshape(-1)
        if array.size == 1:
            array = np.array([array[0]] * shape[0], dtype=object)
        if array.size != shape[0]:
            raise SpecValueError(f"{self.node_name} has {shape[0]} biases, got {array.size}",
                                 hint="give one number for all, or one per output channel")
        self.params += array.size
        self.params_in.used.append((self.node_name + " bias", array))
        return array

    def buffer(self, shape, center=0.0, scale=0.1):
        raise CnnCostError(f"{self.node_name} keeps statistics that values mode cannot know",
                           hint="values mode runs convolutions, pooling, activations and fc layers")

    def matmul(self, a, b):
        import numpy as np

        self.macs += int(np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))) \
            * a.shape[-2] * a.shape[-1] * b.shape[-1]
        return np.matmul(a, b)

    def einsum(self, subscripts, *operands):
        from .execute.tape import Tape

        return Tape.einsum(self, subscripts, *operands)  # counts as the executor's tape does


def _from_torch_order(given, shape):
    """A weight array given in PyTorch's order (out, in, kh, kw) or (out, in) into the
    executor's layout (kh, kw, in, out) or (in, out)."""
    full = given.reshape((1,) * (len(shape) - given.ndim) + given.shape) if given.ndim < len(shape) \
        else given
    if len(shape) == 4:
        kh, kw, c, n = shape
        return full.reshape(n, c, kh, kw).transpose(2, 3, 1, 0)
    if len(shape) == 2:
        c, n = shape
        return full.reshape(n, c).transpose(1, 0)
    return full.reshape(shape)


def _layout_hint(shape) -> str:
    if len(shape) == 4:
        kh, kw, c, n = shape
        return (f"write {n} filter(s) of {c} channel(s) of {kh}x{kw}: "
                + ("rows [[..],[..]]" if n == c == 1 else "[[[rows of channel 1], ...], ...]"))
    if len(shape) == 2:
        return f"write {shape[1]} row(s) of {shape[0]} input weights each"
    return "check the layer's sizes"


def _show(shape) -> str:
    return "x".join(str(s) for s in shape)


@dataclass(frozen=True)
class Step:
    """One layer of a values run: its name, op, line and output grid (H x W x C or N)."""

    name: str
    op: str
    line: str
    output: Any  # numpy object array of Fractions (or floats where the layer is not rational)
    exact: bool


@dataclass(frozen=True)
class ValuesRun:
    input: Any
    steps: tuple[Step, ...]
    weights: tuple  # (name, array in the executor's layout)
    bias_defaulted: bool
    cells: tuple = ()  # with --cell: a Cell for each layer of the last line

    @property
    def output(self):
        return self.steps[-1].output


def run_values(graph, values, weights=(), bias=None, cell: tuple | None = None,
               named: dict | None = None, named_bias: dict | None = None) -> ValuesRun:
    """Run `graph` on `values` (an H x W x C array of Fractions) with `weights` (arrays in
    PyTorch's order, one per weighted layer in order) and `bias`; `named` and `named_bias`
    give the weights and biases of layers by name instead."""
    from .layers import REGISTRY

    if graph.symbols:
        raise CnnCostError("values mode needs numbers, not symbols",
                           hint="give the input as numbers with --values")
    params = Parameters(list(weights), bias, named=dict(named or {}), named_bias=dict(named_bias or {}))
    had_bias = bias is not None or bool(named_bias)
    arrays = {graph.input.id: values[None, ...]}
    steps, inputs = [], {}
    for node in graph.nodes[1:]:
        xs = [arrays[i] for i in node.inputs]
        inputs[node.id] = xs
        layer = REGISTRY[node.kind]
        tape = ExactTape(params, node.name)
        try:
            y = layer.run(node.attrs, xs, tape)
        except (TypeError, AttributeError):  # not rational (sigmoid, tanh): decimals
            y = layer.run(node.attrs, [x.astype(float) for x in xs], tape)
        y, exact = _exactly(y)
        arrays[node.id] = y
        line = graph.lines[node.line - 1].strip() if 0 < node.line <= len(graph.lines) else node.kind
        steps.append(Step(node.name, node.kind, line, y[0], exact))
    if params.given:
        raise SpecValueError(f"{len(params.given)} weight matrix/matrices more than the layers use",
                             hint="give one --weights per layer with weights")
    unused = sorted(params.named) + sorted(params.named_bias)
    if unused:
        raise SpecValueError(f"{unused[0]} has no {'weights' if unused[0] in params.named else 'bias'}",
                             hint="weights and biases belong to layers that have them (conv, fc)")
    cells = ()
    if cell is not None:  # every layer of the last line: `conv 3x3 1 relu` shows both
        last = [n for n in graph.nodes[1:] if n.line == graph.nodes[-1].line]
        index = _cell_index(cell, steps[-1].output)
        cells = tuple(REGISTRY[n.kind].cell(n.attrs, inputs[n.id], _node_params(params, n.name), index)
                      for n in last)
    return ValuesRun(values, tuple(steps), tuple(params.used),
                     not had_bias and any(n.endswith(" bias") for n, _ in params.used), cells)


def _node_params(params: Parameters, name: str) -> list:
    return [array for n, array in params.used if n == name or n == name + " bias"]


def _cell_index(cell: tuple, output) -> tuple:
    """(row, column, channel) of the output, 0-based, checked against its size."""
    shape = output.shape if output.ndim == 3 else (1, *output.shape)
    r, c, *k = cell
    k = k[0] if k else 0
    if output.ndim == 1:  # a vector: --cell 0,J or --cell J
        r, c, k = 0, 0, (c if len(cell) > 1 else r)
    if not (0 <= r < shape[0] and 0 <= c < shape[1] and 0 <= k < shape[-1]):
        raise SpecValueError(f"--cell {','.join(map(str, cell))} is outside the output "
                             f"({'x'.join(map(str, output.shape))})",
                             hint="rows and columns count from 0")
    return (r, c, k)


def _exactly(y):
    """The array with every rational element as a Fraction; whether all were rational."""
    import numpy as np

    flat = y.reshape(-1)
    out = np.empty(flat.shape, dtype=object)
    exact = True
    for i, v in enumerate(flat):
        if isinstance(v, Rational) or isinstance(v, (int, np.integer)):
            out[i] = Fraction(int(v.numerator), int(v.denominator)) if isinstance(v, Rational) \
                else Fraction(int(v))
        else:
            exact = False
            out[i] = float(v)
    return out.reshape(y.shape), exact


# --------------------------------------------------------------------------- one output cell
@dataclass(frozen=True)
class Cell:
    """What made one output cell: `op` is "sum" (products + bias), "max", "min", "avg"
    or a function name ("relu"); `terms` are (x, w) pairs for "sum", values otherwise."""

    index: tuple
    op: str
    terms: tuple
    bias: Any
    value: Any
