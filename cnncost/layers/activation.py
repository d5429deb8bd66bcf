"""Activations: shape-preserving, no parameters, one op per output element.

Each carries its NumPy form for the executor: a function of the kernels module
(cnncost.execute.kernels, whose `np` is NumPy), the input array and the attributes.
"""
from __future__ import annotations

from .. import dims
from .base import REGISTRY, Layer, register
from .options import Option, fraction, takes

ALPHA = Option("alpha", lambda v: fraction(v, "alpha", 0), "leakyrelu alpha=0.01: the slope below zero")


class _Activation(Layer):
    category = "activation"
    keeps_shape = True

    def other_ops(self, a, ins, out):
        return dims.product(out)

    def ledger(self, a, ins, out, counts):
        return {"elements": counts.other_ops}

    def run(self, a, xs, tape):
        from ..execute import kernels

        return self.formula(kernels, xs[0], a)

    # ---- training: what the activation's backward formula reads (derivatives.yaml)
    saves: str = "input"  # "input", "output", or "copy" (an in-place op keeping its input)

    # the framework forms, set per kind by _FORMS below: constructor text, with {alpha}
    torch_form: str = ""
    keras_form: str = ""

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        if not self.torch_form:
            return None
        return TorchCode(self.torch_form.format(alpha=float(a.get("alpha", 0))))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        if not self.keras_form:
            return None
        return KerasCode((("", self.keras_form.format(alpha=float(a.get("alpha", 0)))),))

    def saved(self, a, ins, out, grads):
        from .autograd import Saved

        if self.saves == "copy":
            return (Saved("new", dims.product(out)),)
        return (Saved(0 if self.saves == "input" else "output"),)
    def cell(self, a, xs, params, index):
        """f(x) of the one input cell at the same place."""
        import numpy as np

        from ..execute import kernels
        from ..grids import Cell

        x = xs[0][0]
        value = x[index] if x.ndim == 3 else x[index[2]]
        try:
            y = self.formula(kernels, np.array([value], dtype=object), a)[0]
        except (TypeError, AttributeError):  # not rational (sigmoid, tanh): in floats
            y = self.formula(kernels, np.array([float(value)]), a)[0]
        return Cell(index, self.name, (value,), None, y)


def _activation(name: str, doc: str, formula, aliases=(), options=takes(), defaults=None,
                keras="Activation", temporaries=1, saves="input", in_place=False):
    """One activation kind; `keras`: its Keras class (keras.applications write most as
    Activation("relu")); `temporaries`: output-sized arrays its formula holds besides the
    output (measured with tracemalloc); `saves`: what autograd keeps for its backward
    (its input, its output, or a new tensor), `in_place`: it writes over its input."""
    cls = type(name.capitalize(), (_Activation,), {
        "__doc__": doc, "name": name, "aliases": aliases, "options": options,
        "defaults": defaults or {}, "formula": staticmethod(formula), "example": name,
        "keras_class": keras, "temporary_copies": temporaries,
        "ledger_categories": {"elements": f"{name}.elements"},
        "saves": saves, "shares_storage": in_place,
    })
    return register(cls)


# Training (the exported module's nn.ReLU(), nn.ReLU6(), nn.SiLU(), not in place): relu
# saves its result, hardtanh and silu their input; sigmoid, tanh and softmax save
# their result, the others their input (derivatives.yaml).
_activation("relu", "ReLU: max(0, x).", lambda k, x, a: k.np.maximum(x, 0), saves="output")
_activation("relu6", "ReLU6: min(max(0, x), 6) (MobileNet).", lambda k, x, a: k.np.clip(x, 0, 6),
            keras="ReLU")  # MobileNet: layers.ReLU(6.0)
_activation("leakyrelu", "Leaky ReLU `leakyrelu [alpha=0.01]`: x if x > 0 else alpha*x.",
            lambda k, x, a: k.np.where(x > 0, x, x * float(a["alpha"])),
            options=takes(ALPHA), defaults={"alpha": 0.01}, keras="LeakyReLU", temporaries=2)
_activation("sigmoid", "Logistic sigmoid 1/(1 + e^-x).", lambda k, x, a: k.sigmoid(x), saves="output")
_activation("hsigmoid", "Hard sigmoid relu6(x + 3)/6 (MobileNetV3).",
            lambda k, x, a: k.np.clip(x + 3, 0, 6) / 6, aliases=("hardsigmoid",))
_activation("tanh", "Hyperbolic tangent.", lambda k, x, a: k.np.tanh(x), saves="output")
_activation("swish", "Swish / SiLU: x*sigmoid(x) (EfficientNet).", lambda k, x, a: x * k.sigmoid(x),
            aliases=("silu",))
_activation("hswish", "Hard swish x*relu6(x + 3)/6 (MobileNetV3).",
            lambda k, x, a: x * k.np.clip(x + 3, 0, 6) / 6, aliases=("hardswish",))
_activation("gelu", "GELU: x*Phi(x).", lambda k, x, a: 0.5 * x * (1 + k.erf(x * 0.7071067811865476)),
            temporaries=6)
_activation("softmax", "Softmax over the channels (the last axis).", lambda k, x, a: k.softmax(x),
            temporaries=2, saves="output")


# ---- import hooks (cnncost.interop): the framework layers each activation is read from.
# keras_activations: names of Keras's `activation=` / Activation(...) that mean this kind.
def _reads(name, keras=(), keras_classes=(), onnx=(), torch=(), functions=(), from_keras=None, from_onnx=None):
    cls = type(_entry(name))
    cls.keras_activations, cls.keras_classes, cls.onnx_ops = keras, keras_classes, onnx
    cls.torch_modules, cls.torch_functions = torch, functions
    cls.torch_aten_ops = functions + (("_softmax",) if name == "softmax" else ())  # aten's names are F's
    if from_keras:
        cls.from_keras = from_keras
    if from_onnx:
        cls.from_onnx = from_onnx


def _entry(name):
    from .base import REGISTRY

    return REGISTRY[name]


def _plain(self, node, ins):
    return [(self.name, "")]


def _keras_relu(self, cfg, ins):
    """Keras ReLU(max_value, negative_slope, threshold): relu, relu6 or leakyrelu."""
    from .spelling import Unmappable

    top, slope = cfg.get("max_value"), cfg.get("negative_slope") or 0
    if cfg.get("threshold"):
        raise Unmappable(f"ReLU threshold={cfg['threshold']}")
    if top is None and not slope:
        return [("relu", "")]
    if top is not None and float(top) == 6 and not slope:
        return [("relu6", "")]
    if top is None:
        return [("leakyrelu", f"alpha={slope:g}")]
    raise Unmappable(f"ReLU max_value={top} negative_slope={slope}")


def _keras_leaky(self, cfg, ins):
    return [("leakyrelu", f"alpha={cfg.get('negative_slope', cfg.get('alpha', 0.3)):g}")]


def _onnx_leaky(self, node, ins):
    return [("leakyrelu", f"alpha={node.attrs.get('alpha', 0.01):g}")]


def _onnx_clip(self, node, ins):
    """Clip(0, 6) is ReLU6 (PyTorch's exporter writes it so); Clip(0, inf) is ReLU."""
    from .spelling import Unmappable

    low = node.attrs.get("min", None if node.const(1) is None else float(node.const(1)[0]))
    high = node.attrs.get("max", None if node.const(2) is None else float(node.const(2)[0]))
    if low == 0 and high == 6:
        return [("relu6", "")]
    if low == 0 and high is None:
        return [("relu", "")]
    raise Unmappable(f"Clip({low}, {high})")


def _onnx_hsigmoid(self, node, ins):
    from .spelling import Unmappable

    alpha, beta = node.attrs.get("alpha", 0.2), node.attrs.get("beta", 0.5)
    if abs(alpha - 1 / 6) > 1e-6 or abs(beta - 0.5) > 1e-6:
        raise Unmappable(f"HardSigmoid alpha={alpha:g} beta={beta:g} (hsigmoid is relu6(x + 3)/6)")
    return [("hsigmoid", "")]


def _onnx_softmax(self, node, ins):
    from .spelling import Unmappable

    if node.attrs.get("axis", -1) not in (1, -1 if len(ins[0]) == 1 else 1):
        raise Unmappable(f"Softmax on axis {node.attrs.get('axis')} (softmax runs over the channels)")
    return [("softmax", "")]


_reads("relu", keras=("relu",), keras_classes=("ReLU",), onnx=("Relu",), torch=("ReLU",), functions=("relu",),
       from_keras=_keras_relu, from_onnx=_plain)
_reads("relu6", keras=("relu6",), onnx=("Clip",), torch=("ReLU6",), functions=("relu6", "hardtanh"),
       from_onnx=_onnx_clip)
_reads("leakyrelu", keras=("leaky_relu",), keras_classes=("LeakyReLU",), onnx=("LeakyRelu",),
       torch=("LeakyReLU",), functions=("leaky_relu",), from_keras=_keras_leaky, from_onnx=_onnx_leaky)
_reads("sigmoid", keras=("sigmoid",), onnx=("Sigmoid",), torch=("Sigmoid",), functions=("sigmoid",),
       from_onnx=_plain)
_reads("hsigmoid", keras=("hard_sigmoid",), onnx=("HardSigmoid",), torch=("Hardsigmoid",),
       functions=("hardsigmoid",), from_onnx=_onnx_hsigmoid)
_reads("tanh", keras=("tanh",), onnx=("Tanh",), torch=("Tanh",), functions=("tanh",), from_onnx=_plain)
_reads("swish", keras=("swish", "silu"), onnx=(), torch=("SiLU",), functions=("silu",), from_onnx=_plain)
_reads("hswish", keras=("hard_swish", "hard_silu"), onnx=("HardSwish",), torch=("Hardswish",),
       functions=("hardswish",), from_onnx=_plain)
_reads("gelu", keras=("gelu",), onnx=("Gelu",), torch=("GELU",), functions=("gelu",), from_onnx=_plain)
_reads("softmax", keras=("softmax",), keras_classes=("Softmax",), onnx=("Softmax",), torch=("Softmax",),
       functions=("softmax",), from_keras=lambda self, cfg, ins: [("softmax", "")], from_onnx=_onnx_softmax)

# PyTorch module and Keras layer of each activation (softmax over the channels: dim 1 in
# PyTorch's NCHW, the last axis in Keras).
_FORMS = {
    "relu": ("nn.ReLU()", 'layers.ReLU()'),
    "relu6": ("nn.ReLU6()", "layers.ReLU(max_value=6.0)"),
    "leakyrelu": ("nn.LeakyReLU({alpha!r})", "layers.LeakyReLU(negative_slope={alpha!r})"),
    "sigmoid": ("nn.Sigmoid()", 'layers.Activation("sigmoid")'),
    "hsigmoid": ("nn.Hardsigmoid()", 'layers.Activation("hard_sigmoid")'),
    "tanh": ("nn.Tanh()", 'layers.Activation("tanh")'),
    "swish": ("nn.SiLU()", 'layers.Activation("swish")'),
    "hswish": ("nn.Hardswish()", 'layers.Activation("hard_swish")'),
    "gelu": ("nn.GELU()", 'layers.Activation("gelu")'),
    "softmax": ("nn.Softmax(dim=1)", "layers.Softmax()"),
}
for _name, (_torch, _keras) in _FORMS.items():
    type(REGISTRY[_name]).torch_form, type(REGISTRY[_name]).keras_form = _torch, _keras
