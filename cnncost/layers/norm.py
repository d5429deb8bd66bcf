"""Normalisation and input preprocessing: bn, lrn, rescale, normalize."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import Layer, register
from .options import Option, fraction, positive, takes

SIZE = Option("size", lambda v: positive(v, "size"), "lrn size=N: the neighbours each value is normalised over")
LRN_ALPHA = Option("alpha", lambda v: fraction(v, "alpha", 0), "lrn alpha=0.0001: the scale of the sum of squares")
LRN_BETA = Option("beta", lambda v: fraction(v, "beta", 0), "lrn beta=0.75: the power of the divisor")
LRN_K = Option("k", lambda v: fraction(v, "k", 0), "lrn k=1: the constant added before the power")
# PyTorch's LocalResponseNorm defaults (also ONNX LRN's and Caffe's): the spec writes only the others
LRN_DEFAULTS = {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 1.0}


@register
class BatchNorm(Layer):
    """Batch normalisation `bn [noscale] [nocenter]`: 2C learnable parameters (scale gamma,
    shift beta) and 2C statistics kept as buffers (running mean, variance). `noscale` /
    `nocenter` drop gamma / beta as Keras's scale=False / center=False do.

    other ops (inference): one multiply and one add per element, fewer without scale/shift
    """

    name = "bn"
    keeps_shape = True
    aliases = ("batchnorm",)
    category = "norm"
    words = {"noscale": ("scale", False), "nocenter": ("center", False)}
    defaults = {"scale": True, "center": True}
    example = "bn"
    keras_class = "BatchNormalization"
    # torch has gamma and beta together (affine) or neither: `scale` stands for the affine step
    ledger_categories = {"elements": "batchnorm.elements", "scale": "batchnorm.scale",
                         "shift": "batchnorm.shift", "params": "batchnorm.params"}
    ledger_labels = {"elements": "elements normalised"}

    def params(self, a, ins, out):
        return out[-1] * (int(a["scale"]) + int(a["center"]))

    def weight_tensors(self, a):
        return int(a["scale"]) + int(a["center"])  # gamma, beta

    def buffers(self, a, ins, out):
        return 2 * out[-1]

    def other_ops(self, a, ins, out):
        # normalise (x - mean) / sqrt(var) folds to one multiply-add; then scale, shift
        return dims.product(out) * (1 + int(a["scale"]) + int(a["center"]))

    def ledger(self, a, ins, out, counts):
        n = dims.product(out)
        return {"elements": n, "scale": n if a["scale"] else 0, "shift": n if a["center"] else 0,
                "params": counts.params}

    def run(self, a, xs, tape):
        """Inference form: (x - mean) / sqrt(var + eps) * gamma + beta."""
        from ..execute.kernels import normalize

        c = xs[0].shape[-1]
        gamma = tape.param((c,), center=1.0) if a["scale"] else None
        beta = tape.param((c,)) if a["center"] else None
        mean, var = tape.buffer((c,)), tape.buffer((c,), center=1.0)
        return normalize(xs[0], mean, var, gamma, beta, eps=1e-5)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("BatchNormalization",)
    onnx_ops = ("BatchNormalization",)
    torch_modules = ("BatchNorm2d", "BatchNorm1d")
    torch_aten_ops = ("batch_norm",)

    def from_keras(self, cfg, ins):
        from .spelling import join

        return [("bn", join("" if cfg.get("scale", True) else "noscale",
                            "" if cfg.get("center", True) else "nocenter"))]

    def from_onnx(self, node, ins):
        return [("bn", "")]
    # ---- training
    def saved(self, a, ins, out, grads):
        """native_batch_norm in training mode (derivatives.yaml): the input, and the
        batch's mean and inverse standard deviation per channel (float32)."""
        from .autograd import Saved

        c = out[-1]
        return (Saved(0), Saved("new", c, "fp32", False), Saved("new", c, "fp32", False))

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        c = out[-1]
        if a["scale"] and a["center"]:
            return TorchCode(call("nn.BatchNorm2d" if len(out) == 3 else "nn.BatchNorm1d", c))
        return TorchCode(call("BatchNorm", c, scale=a["scale"], center=a["center"]), helpers=("BatchNorm",))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        return KerasCode((("", call("layers.BatchNormalization", scale=a["scale"] or None,
                                    center=a["center"] or None)),))


@register
class LocalResponseNorm(Layer):
    """Local response normalisation `lrn [size=5] [alpha=A] [beta=B] [k=K]` (AlexNet): no parameters.

    x / (k + alpha/size * sum of squares over `size` neighbouring channels)**beta, PyTorch's
    formula and defaults.

    other ops: size squares-and-adds per element plus 3 (scale, power, divide)
    """

    name = "lrn"
    category = "norm"
    options = takes(SIZE, LRN_ALPHA, LRN_BETA, LRN_K)
    defaults = LRN_DEFAULTS
    example = "lrn size=5"
    keras_class = None
    keras_none = "Keras has no LRN layer; Keras code writes it as a Lambda (tf.nn.local_response_normalization)"
    ledger_categories = {"ops": "lrn.ops"}
    temporary_copies = 4

    def shape(self, a, ins):
        if len(ins[0]) != 3:  # torch: "Expected 3D or higher dimensionality input"
            raise ShapeError(f"lrn normalises across channels at each position, but its input is "
                             f"a vector of {ins[0][0]}: PyTorch refuses LocalResponseNorm on a vector",
                             hint="put lrn before flatten (or gap), on a feature map")
        return ins[0]

    def other_ops(self, a, ins, out):
        return dims.product(out) * (a["size"] + 3)

    def run(self, a, xs, tape):
        from ..execute.kernels import local_response_norm

        return local_response_norm(xs[0], a["size"], float(a["alpha"]), float(a["beta"]), float(a["k"]))

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    onnx_ops = ("LRN",)
    onnx_patterns = {"Mul": "torch's LocalResponseNorm as arithmetic: Mul, Reshape, Pad, AveragePool, "
                            "Reshape, Mul, Add, Pow, Div"}
    torch_modules = ("LocalResponseNorm",)

    def from_onnx(self, node, ins):
        """ONNX LRN (attribute `bias` is PyTorch's k) or a torch module viewed as one."""
        at = node.attrs
        return [("lrn", _lrn_args(at.get("size", 5), at.get("alpha", 1e-4), at.get("beta", 0.75),
                                  at.get("bias", at.get("k", 1.0))))]

    def match_onnx(self, op, around):
        """torch.onnx (and torch.export's aten graph) write F.local_response_norm on NCHW
        (torch/nn/functional.py) as
        div = x*x viewed (N, 1, C, H, W), padded by size//2 and (size-1)//2 channels,
        averaged over `size` channels (AveragePool kernel (size, 1, 1)), viewed back,
        then x / (div*alpha + k)**beta: the nodes and their constants give the four."""
        from .spelling import Matched, follow

        x = op.inputs[0]
        if op.op != "Mul" or op.inputs[1] != x:
            return None
        chain = follow(around, op, "Reshape", "Pad", "AveragePool", "If?", "Squeeze?", "Reshape", "Mul", "Add", "Pow",
                       "Div")  # If (ONNX) or Squeeze (aten): the squeeze of the pooled channel axis
        if chain is None or chain[-1].inputs != [x, chain[-2].outputs[0]]:
            return None
        pool, mul, add, power = chain[2], chain[-4], chain[-3], chain[-2]
        size = pool.attrs.get("kernel_shape", [0])[0]
        alpha, k, beta = (_scalar(around, n) for n in (mul, add, power))
        pads = around.const(chain[1].inputs[1]) if len(chain[1].inputs) > 1 else None
        if None in (alpha, k, beta) or not size or (pads is not None and list(pads) != [0, 0, size // 2, 0, 0] +
                                                     [0, 0, (size - 1) // 2, 0, 0]):
            return None
        return Matched((op, *chain), [("lrn", _lrn_args(size, alpha, beta, k))])
    # ---- training
    def saved(self, a, ins, out, grads):
        """torch.nn.functional.local_response_norm is made of autograd ops: x*x saves
        the input; avg_pool3d saves the squares padded with size-1 channels; pow saves
        its input; the final division saves the input and the divisor (pow's result)."""
        from .autograd import Saved

        h, w, c = ins[0]
        return (Saved(0), Saved("new", (c + a["size"] - 1) * h * w),
                Saved("new", dims.product(out)), Saved("new", dims.product(out)))

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("nn.LocalResponseNorm", a["size"], **_lrn_given(a)))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        # Keras 3 has no LRN layer: the file defines one (PyTorch's formula and defaults)
        return KerasCode((("", call("LocalResponseNorm", a["size"], **_lrn_given(a))),), helpers=("LocalResponseNorm",))


def _lrn_given(a) -> dict:
    """alpha, beta and k where they are not PyTorch's defaults (None: left out)."""
    return {key: None if a[key] == LRN_DEFAULTS[key] else float(a[key]) for key in ("alpha", "beta", "k")}


def _lrn_args(size, alpha, beta, k) -> str:
    """`size=3 alpha=0.0002` for the settings that differ from the defaults; a float32
    constant of the file (9.9999997e-05) is written as the number it stands for."""
    from .spelling import join

    words = [f"size={int(size)}" if int(size) != 5 else ""]
    for key, value in (("alpha", alpha), ("beta", beta), ("k", k)):
        shown = f"{float(value):.6g}"
        words.append("" if float(shown) == LRN_DEFAULTS[key] else f"{key}={shown}")
    return join(*words)


def _scalar(around, op):
    """The one constant operand of a binary node (Mul, Add, Pow), or None."""
    values = [around.const(i) for i in op.inputs]
    found = [v[0] for v in values if v is not None and len(v) == 1]
    return found[0] if len(found) == 1 else None


@register
class Rescale(Layer):
    """Input rescaling `rescale` (Keras Rescaling: x*scale + offset): nothing to learn.

    other ops: 2 per element
    """

    name = "rescale"
    keeps_shape = True
    aliases = ("rescaling",)
    category = "norm"
    example = "rescale"
    keras_class = "Rescaling"
    ledger_categories = {"ops": "rescale.ops"}

    def other_ops(self, a, ins, out):
        return 2 * dims.product(out)

    def run(self, a, xs, tape):
        return xs[0] * (1 / 255)  # Keras's usual Rescaling(1/255), offset 0

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Rescaling",)

    def from_keras(self, cfg, ins):
        return [("rescale", "")]
    def saved(self, a, ins, out, grads):
        return ()  # multiplying by a number saves nothing

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode(None, "{0} * (1 / 255)")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Rescaling(1 / 255)"),))


@register
class Normalize(Layer):
    """Input normalisation `normalize` (Keras Normalization): 2C + 1 buffers (mean,
    variance, count), nothing learnable. other ops: 2 per element."""

    name = "normalize"
    keeps_shape = True
    aliases = ("normalization",)
    category = "norm"
    example = "normalize"
    keras_class = "Normalization"
    ledger_categories = {"ops": "normalize.ops"}

    def buffers(self, a, ins, out):
        return 2 * out[-1] + 1

    def other_ops(self, a, ins, out):
        return 2 * dims.product(out)

    def run(self, a, xs, tape):
        """(x - mean) / sqrt(var); the count is kept but not used at inference."""
        from ..execute.kernels import normalize

        c = xs[0].shape[-1]
        mean, var = tape.buffer((c,)), tape.buffer((c,), center=1.0)
        tape.buffer((1,), center=1000.0, scale=0.0)  # Keras's sample count
        return normalize(xs[0], mean, var, eps=0.0)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Normalization",)

    def from_keras(self, cfg, ins):
        from .spelling import Unmappable

        if cfg.get("axis", -1) not in (-1, 3, [3], [-1]):
            raise Unmappable(f"Normalization over axis {cfg.get('axis')}")
        return [("normalize", "")]
    def saved(self, a, ins, out, grads):
        return ()  # (x - mean) / std with buffers: only the buffers are kept

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("Normalization", out[-1]), helpers=("Normalization",))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Normalization()"),))
