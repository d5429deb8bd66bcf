"""The 1998 LeNet-5's own layers (LeCun et al., "Gradient-based learning applied to
document recognition"): trainable subsampling (S2, S4) and Euclidean RBF output units."""
from __future__ import annotations

from .. import dims
from .base import GLOBAL, Layer, register
from .dense import UNITS, _features
from .options import takes
from .pool import _WindowPool
from .window import window_out


@register
class Subsample(_WindowPool):
    """Trainable subsampling `subsample K` (LeNet-5's S2 and S4, LeCun et al. 1998): each
    map's window sum times a coefficient plus a bias, both learned per map; stride
    defaults to K.

    params = 2C (a coefficient and a bias per map)
    MACs = one multiply by the coefficient per output element
    other ops: kh*kw - 1 window adds and one bias add per output element
    connections (LeCun's count) = (kh*kw + 1) per output element
    """

    name = "subsample"
    reduce = "sum"
    category = "weight"
    example = "subsample 2x2"
    keras_class = None
    keras_none = "Keras has no trainable subsampling layer; exported Keras code defines one (Subsample)"
    ledger_categories = {"macs": "conv.macs", "bias": "conv.bias", "ops": "pool.ops"}

    def params(self, a, ins, out):
        return 2 * out[-1]

    def macs(self, a, ins, out):
        return dims.product(out)

    def other_ops(self, a, ins, out):
        kh, kw = a["kernel"]
        return dims.product(out) * kh * kw  # kh*kw - 1 adds, and the bias

    def connections(self, a, ins, out):
        kh, kw = a["kernel"]
        return dims.product(out) * (kh * kw + 1)

    def weight_tensors(self, a):
        return 2  # the coefficients and the biases

    def ledger(self, a, ins, out, counts):
        n = dims.product(out)
        return {"macs": counts.macs, "bias": n, "ops": counts.other_ops - n}

    def run(self, a, xs, tape):
        """The window sum (zeros pad) times the coefficient, plus the bias."""
        from ..execute.kernels import pad_hw, window_axes, windows

        kh, kw = a["kernel"]
        h, w = window_axes(a, xs[0].shape[1], xs[0].shape[2])
        total = windows(pad_hw(xs[0], h, w), h, w).sum(axis=(4, 5))
        c = total.shape[-1]
        coefficient = tape.param((c,), fan_in=kh * kw)
        bias = tape.param((c,))
        return tape.einsum("nhwc,c->nhwc", total, coefficient) + bias

    def pytorch(self, a, ins, out):
        """The Subsample helper: avg_pool2d with divisor 1 (the window sum), then a 1x1
        convolution with one group per map (the coefficient and the bias): FlopCounterMode
        counts that convolution, one multiply per output element, as cnncost does."""
        from ..interop.export_code import TorchCode, Unsupported, call, one_or_pair, torch_pad

        if a["dilation"] != (1, 1):
            raise Unsupported("PyTorch's avg_pool2d (the window sum of Subsample) has no dilation")
        h, w, c = ins[0]
        _, pads = window_out(a, h, w)
        if a["ceil"] and any(pads):  # PyTorch's ceil rule counts its own padding, not F.pad's
            raise Unsupported("ceil mode with this padding has no PyTorch form")
        return TorchCode(call("Subsample", c, one_or_pair(a["kernel"]), one_or_pair(a.get("stride") or a["kernel"]),
                              pads=torch_pad(pads) if any(pads) else None, ceil_mode=a["ceil"] or None),
                         helpers=("Subsample",))

    def keras(self, a, ins, out):
        """The Subsample helper (export_code.KERAS_HELPERS): zeros padded (ceil mode: the
        bottom/right rows the last window needs), average pooling times the window, the
        coefficient and the bias."""
        from ..interop.export_code import KerasCode, Unsupported, call

        if a["dilation"] != (1, 1):
            raise Unsupported("Keras's average_pool (the window sum of Subsample) has no dilation")
        h, w, _ = ins[0]
        _, (t, b, l, r) = window_out(a, h, w)
        kernel, stride = a["kernel"], a.get("stride") or a["kernel"]
        b, r = (end + max((o - 1) * s + k - (size + p0 + end), 0)
                for o, s, k, size, p0, end in zip(out[:2], stride, kernel, (h, w), (t, l), (b, r)))
        pads = ((t, b), (l, r))
        return KerasCode((("", call("Subsample", tuple(kernel), tuple(stride),
                                    pads=pads if t or b or l or r else None)),),
                         helpers=("Subsample",))

    def saved(self, a, ins, out, grads):
        """The exported form's autograd (Subsample): avg_pool2d saves its input (the padded
        copy when it pads); the 1x1 grouped convolution its input, the window sums (a new
        tensor), and its weight, a view of the coefficients. An input needing no gradient
        makes no avg_pool2d node: nothing of it is saved."""
        from .autograd import Saved

        h, w, c = ins[0]
        _, (t, b, l, r) = window_out(a, h, w)
        pooled = Saved("new", (h + t + b) * (w + l + r) * c) if t or b or l or r else Saved(0)
        return ((pooled,) if grads.inputs[0] else ()) + (Saved("new", dims.product(out)),
                                                         Saved("weight", c, per_sample=False))

    def backward_macs(self, a, ins, out):
        """The 1x1 grouped convolution's: input gradient one multiply per output element,
        coefficient gradient the same (the window sum's backward spreads, no multiply)."""
        m = self.macs(a, ins, out)
        return (m, m)

    def cell(self, a, xs, params, index):
        return Layer.cell(self, a, xs, params, index)


@register
class RBF(Layer):
    """Euclidean radial basis function units `rbf N` (LeNet-5's output layer, LeCun et al.
    1998, eq. 7): y_i = sum_j (x_j - w_ij)^2 over a vector of C_in inputs.

    params = C_in*N (the paper's 84 x 10 = 840, counted among its 60,840)
    MACs = C_in*N (one square accumulated per weight); other ops: C_in*N subtractions
    connections (LeCun's count) = C_in*N
    """

    name = "rbf"
    category = "weight"
    positional = ("units",)
    required = ("units",)
    options = takes(UNITS)
    example = "rbf 10"
    example_input = "84"
    keras_class = None
    keras_none = "Keras has no RBF layer; exported Keras code defines one (RBF)"
    ledger_categories = {"macs": "linear.macs", "ops": "pool.ops"}
    temporary_copies = 0

    def shape(self, a, ins):
        _features(ins[0], self.name)
        return (a["units"],)

    def params(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def macs(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def other_ops(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def connections(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def ledger(self, a, ins, out, counts):
        return {"macs": counts.macs, "ops": counts.other_ops}

    def run(self, a, xs, tape):
        """sum (x - w)^2 = sum x^2 - 2 x.w + sum w^2: the x.w products are the MACs."""
        x = xs[0].reshape(len(xs[0]), -1)
        weight = tape.param((x.shape[1], a["units"]), fan_in=x.shape[1])
        return (x * x).sum(axis=1, keepdims=True) - 2 * tape.matmul(x, weight) \
            + (weight * weight).sum(axis=0)[None, :]

    def pytorch(self, a, ins, out):
        """The RBF helper: sum x^2 + sum w^2 - 2 x.w, the x.w products one torch.addmm."""
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("RBF", _features(ins[0], self.name), a["units"]), helpers=("RBF",))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        return KerasCode((("", call("RBF", a["units"])),), helpers=("RBF",))

    def torch_arrays(self, a, arrays):
        (weight,) = arrays  # (C_in, N) -> the helper's (N, C_in), as nn.Linear
        return [weight.T]

    def saved(self, a, ins, out, grads):
        """The exported form's autograd (RBF): x*x and addmm save the input (a view of it
        when flattened), w*w and addmm the weight."""
        from .autograd import Saved

        return (Saved(0), Saved("weight", self.params(a, ins, out), per_sample=False))

    def backward_macs(self, a, ins, out):
        """addmm's: the input gradient grad @ W and the weight gradient grad^T @ x, each
        C_in*N multiplies (the squares' gradients are elementwise)."""
        m = self.macs(a, ins, out)
        return (m, m)
