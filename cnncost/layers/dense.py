"""Fully connected layers and flattening."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import GLOBAL, Layer, register
from .options import Option, positive, takes

UNITS = Option("units", lambda v: positive(v, "unit count"), "fc makes at least one unit, e.g. fc 10",
               "a unit count", listed=False)


@register
class Flatten(Layer):
    """`flatten`: HxWxC -> a vector of H*W*C."""

    name = "flatten"
    category = "reshape"
    example = "flatten"
    keras_class = "Flatten"
    temporary_copies = 0

    def shape(self, a, ins):
        return (dims.product(ins[0]),)

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def run(self, a, xs, tape):
        """Row-major over (h, w, c): Keras's order (torchvision flattens c, h, w)."""
        return xs[0].reshape(len(xs[0]), -1)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Flatten", "Reshape")
    onnx_ops = ("Flatten", "Reshape")
    torch_modules = ("Flatten",)
    torch_functions = ("flatten", "view", "reshape")
    torch_aten_ops = ("flatten", "view", "reshape")

    def from_keras(self, cfg, ins):
        from .spelling import Unmappable

        target = tuple(cfg.get("target_shape", (-1,)))
        if len(target) == 1:
            return [("flatten", "")]
        if len(target) == 3 and target[:2] == (1, 1) and ins[0][-1] == target[2]:
            return []  # a C-vector and a 1x1xC map are one tensor to cnncost (fc reads both)
        raise Unmappable(f"Reshape to {target}")

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        out = node.out
        if out is None:
            raise Unmappable("a reshape whose output shape is not known (give --in)")
        if tuple(out) == tuple(ins[0]) or (len(out) == 3 and out[:2] == (1, 1) and len(ins[0]) == 1):
            return []
        if len(out) == 1:
            return [("flatten", "")]
        raise Unmappable(f"reshape of {ins[0]} to {out} (HxWxC)")
    shares_storage = True  # a view
    gradient_is_view = True
    copies_strided = True  # torch.flatten of a cropped (non-contiguous) view copies it

    def saved(self, a, ins, out, grads):
        return ()

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode("nn.Flatten()")  # PyTorch flattens (c, h, w); the spec (h, w, c)

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Flatten()"),))

    def torch_feature_order(self, ins):
        if len(ins[0]) != 3:
            return None
        h, w, c = ins[0]  # PyTorch flattens (c, h, w); the spec (h, w, c)
        return [(i * w + j) * c + k for k in range(c) for i in range(h) for j in range(w)]


def _features(shape, kind):
    """A vector's length; a 1x1xC map counts as a vector of C (Keras: Dense after GAP)."""
    if len(shape) == 1:
        return shape[0]
    h, w, c = shape
    if h == 1 and w == 1:
        return c
    raise ShapeError(f"{kind} needs a vector, but its input is a {h}x{w}x{c} feature map",
                     hint="add `flatten` (or `gap`) before it")


@register
class Dense(Layer):
    """Fully connected `fc N` (alias `dense N`) `[nobias]` on a vector.

    params = C_in*N + N; MACs = C_in*N; other ops: N bias adds
    """

    name = "fc"
    aliases = ("dense", "linear")
    category = "weight"
    positional = ("units",)
    required = ("units",)
    options = takes(UNITS)
    words = {"nobias": ("bias", False)}
    defaults = {"bias": True}
    example = "fc 1000"
    example_input = "64"
    has_bias = True
    keras_class = "Dense"
    keras_activation_arg = True  # Dense(..., activation="softmax")
    ledger_categories = {"macs": "linear.macs", "bias": "linear.bias"}
    temporary_copies = 0

    def shape(self, a, ins):
        _features(ins[0], self.name)
        return (a["units"],)

    def params(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"] + (a["units"] if a["bias"] else 0)

    def macs(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def other_ops(self, a, ins, out):
        return a["units"] if a["bias"] else 0

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def ledger(self, a, ins, out, counts):
        return {"macs": counts.macs, "bias": counts.other_ops}

    def run(self, a, xs, tape):
        x = xs[0].reshape(len(xs[0]), -1)  # a 1x1xC map is a vector of C
        weight = tape.param((x.shape[1], a["units"]), fan_in=x.shape[1])
        y = tape.matmul(x, weight)
        if a["bias"]:
            y += tape.param((a["units"],))
        return y

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Dense",)
    onnx_ops = ("Gemm", "MatMul")
    onnx_patterns = {"MatMul": "MatMul by a constant (K, N) matrix, then Add of a constant N-vector: fc N with bias"}
    torch_modules = ("Linear",)
    torch_functions = ("matmul",)  # torch.matmul(x, W) / x @ W alone: fc N nobias
    torch_aten_ops = ("linear", "matmul", "mm")

    def from_keras(self, cfg, ins):
        return [("fc", f"{cfg['units']}" + ("" if cfg.get("use_bias", True) else " nobias"))]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        weight = node.weights[1]
        if weight is None or len(weight) != 2 or node.attrs.get("transA", 0):
            raise Unmappable(f"{node.op} without a constant 2-D weight")
        if node.op == "MatMul" and node.out is not None and len(node.out) != 1:
            raise Unmappable(f"MatMul giving {node.out} (fc maps a vector)")
        units = weight[0] if node.attrs.get("transB", 0) else weight[1]
        bias = node.op == "Gemm" and node.has_input(2)
        return [("fc", f"{units}" + ("" if bias else " nobias"))]

    def match_onnx(self, op, around):
        """x @ W + b, as torch.onnx writes torch.matmul(x, w) + b (and nn.Linear on more
        than two axes): one fc with its bias. MatMul alone is fc nobias (from_onnx)."""
        from .spelling import Matched

        weight, source = around.weight(op.inputs[1]), around.shape(op.inputs[0])
        add = around.next(op)
        if weight is None or len(weight) != 2 or source is None or len(source) != 2 or add is None \
                or add.op != "Add":
            return None
        other = [i for i in add.inputs if i != op.outputs[0]]
        if len(other) != 1 or around.weight(other[0]) not in ([weight[1]], [1, weight[1]]):
            return None
        return Matched((op, add), [("fc", f"{weight[1]}")])
    # ---- training
    def backward_macs(self, a, ins, out):
        """addmm backward: grad_input = grad @ W (N*C per sample), grad_W = grad^T @ x
        (the same products)."""
        m = self.macs(a, ins, out)
        return (m, m)

    def saved(self, a, ins, out, grads):
        """addmm (derivatives.yaml): mat1 (the input) is saved only when the weight needs
        a gradient, mat2 (the weight) only when the input does."""
        from .autograd import Saved

        weight = Saved("weight", self.params(a, ins, out) - (a["units"] if a["bias"] else 0), per_sample=False)
        return ((Saved(0),) if grads.weights else ()) + ((weight,) if grads.inputs[0] else ())

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        module = call("nn.Linear", _features(ins[0], self.name), a["units"], bias=None if a["bias"] else False)
        return TorchCode(module, "{m}({0})" if len(ins[0]) == 1 else "{m}(torch.flatten({0}, 1))")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        dense = ("", call("layers.Dense", a["units"], use_bias=None if a["bias"] else False))
        # Keras's Dense maps the last axis only: a 1x1xC map is flattened to a vector first
        return KerasCode(((("_flatten", "layers.Flatten()"),) if len(ins[0]) == 3 else ()) + (dense,))

    def torch_arrays(self, a, arrays):
        weight, *bias = arrays  # (C_in, N) -> PyTorch's (N, C_in)
        return [weight.T, *bias]
    def cell(self, a, xs, params, index):
        """Output unit j: the sum of every input times its weight, plus the bias."""
        from ..grids import Cell

        j = index[2]
        x = xs[0].reshape(-1)
        terms = tuple((x[i], params[0][i, j]) for i in range(x.size))
        bias = params[1][j] if len(params) > 1 else None
        return Cell(index, "sum", terms, bias, sum(v * w for v, w in terms) + (bias or 0))
