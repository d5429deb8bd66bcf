"""Merges of several inputs: add, concat, mul. As layer lines they take named outputs
(`add a b`); as blocks (`add:`, `concat:`, `mul:`) the outputs of their `branch:`es."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import Layer, register


def _show(shape) -> str:
    return "x".join(str(d) for d in shape)


class _Merge(Layer):
    category = "merge"
    merge = True
    positional = ("refs",)
    temporary_copies = 0

    def rf(self, a, ins):
        return None  # the pass takes the union of the inputs' fields


@register
class Add(_Merge):
    """Element-wise sum `add A B ...`: all inputs must have equal shapes.
    other ops: (inputs - 1) adds per output element."""

    name = "add"
    example = "add a b"
    keras_class = "Add"
    ledger_categories = {"ops": "add.ops"}
    ledger_labels = {"ops": "element adds"}

    def shape(self, a, ins):
        first = ins[0]
        for other in ins[1:]:
            if tuple(other) != tuple(first):
                raise ShapeError(f"add needs equal shapes, got {_show(first)} and {_show(other)}",
                                 hint="a residual whose body changes the shape needs a "
                                      "`shortcut:` block (e.g. conv 1x1 with the same stride)")
        return first

    def other_ops(self, a, ins, out):
        return (len(ins) - 1) * dims.product(out)

    def run(self, a, xs, tape):
        total = xs[0].copy()
        for x in xs[1:]:
            total += x
        return total


@register
class Concat(_Merge):
    """Channel concatenation `concat A B ...`: equal height and width; channels add up."""

    name = "concat"
    aliases = ("cat",)
    example = "concat a b"
    keras_class = "Concatenate"

    def shape(self, a, ins):
        first = ins[0]
        for other in ins[1:]:
            if len(other) != len(first) or tuple(other[:-1]) != tuple(first[:-1]):
                raise ShapeError(
                    f"concat needs equal height and width, got {_show(first)} and {_show(other)}",
                    hint="give every branch the same stride and padding ('same')")
        return (*first[:-1], sum(s[-1] for s in ins))

    def run(self, a, xs, tape):
        from ..execute.kernels import concat

        return concat(xs)


@register
class Mul(_Merge):
    """Element-wise product `mul A B`: equal shapes, or a 1x1xC gate broadcast over
    HxWxC (squeeze-and-excitation). other ops: one multiply per output element."""

    name = "mul"
    example = "mul a b"
    keras_class = "Multiply"
    ledger_categories = {"ops": "mul.ops"}
    ledger_labels = {"ops": "element multiplies"}
    temporary_copies = 1

    def shape(self, a, ins):
        if len(ins) != 2:
            raise ShapeError(f"mul takes two inputs, got {len(ins)}")
        x, y = ins
        if tuple(x) == tuple(y):
            return x
        for big, gate in ((x, y), (y, x)):
            if len(big) == 3 and tuple(gate) in ((1, 1, big[2]), (big[2],)):
                return big
        raise ShapeError(f"mul needs equal shapes or a 1x1xC gate, got {_show(x)} and {_show(y)}")

    def other_ops(self, a, ins, out):
        return dims.product(out)

    def run(self, a, xs, tape):
        """Broadcasts a 1x1xC (or C-vector) gate over the HxWxC map."""
        x, y = (v[:, None, None, :] if v.ndim == 2 and other.ndim == 4 else v
                for v, other in ((xs[0], xs[1]), (xs[1], xs[0])))
        return x * y
