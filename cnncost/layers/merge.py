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
    residual_merge = True  # `residual:` / `shortcut:` add their branches (spec language)
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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Add",)
    onnx_ops = ("Add", "Sum")
    torch_functions = ("add", "iadd")
    torch_aten_ops = ("add",)

    def from_keras(self, cfg, ins):
        return [("add", "")]

    def from_onnx(self, node, ins):
        return [("add", "")]
    def saved(self, a, ins, out, grads):
        return ()  # add's gradient is the output's, passed to every input

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode(None, " + ".join(f"{{{i}}}" for i in range(len(ins))))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Add()"),))


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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Concatenate",)
    onnx_ops = ("Concat",)
    torch_functions = ("cat", "concat")
    torch_aten_ops = ("cat", "concat")

    def from_keras(self, cfg, ins):
        from .spelling import Unmappable

        if cfg.get("axis", -1) not in (-1, len(ins[0])):
            raise Unmappable(f"Concatenate on axis {cfg.get('axis')} (concat joins channels)")
        return [("concat", "")]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        if node.attrs.get("axis") not in (1, -3):
            raise Unmappable(f"Concat on axis {node.attrs.get('axis')} (concat joins channels)")
        return [("concat", "")]
    def saved(self, a, ins, out, grads):
        return ()  # cat saves only the sizes, to split the gradient

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode(None, "torch.cat([" + ", ".join(f"{{{i}}}" for i in range(len(ins))) + "], dim=1)")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Concatenate()"),))


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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Multiply",)
    onnx_ops = ("Mul",)
    torch_functions = ("mul", "imul")
    torch_aten_ops = ("mul",)

    def from_keras(self, cfg, ins):
        return [("mul", "")]

    def from_onnx(self, node, ins):
        return [("mul", "")]
    def saved(self, a, ins, out, grads):
        """mul (derivatives.yaml): each factor is saved only when the other needs a
        gradient."""
        from .autograd import Saved

        return tuple(Saved(i) for i in (0, 1) if grads.inputs[1 - i])

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        # a gate given as a vector of C is viewed as (N, C, 1, 1) to broadcast over the map
        terms = [f"{{{i}}}[:, :, None, None]" if len(s) == 1 and len(out) == 3 else f"{{{i}}}"
                 for i, s in enumerate(ins)]
        return TorchCode(None, " * ".join(terms))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, Unsupported

        if any(len(s) != len(out) for s in ins):
            raise Unsupported("Keras's Multiply needs the gate as a 1x1xC map, not a vector")
        return KerasCode((("", "layers.Multiply()"),))
