"""Activations: shape-preserving, no parameters, one op per output element."""
from __future__ import annotations

from .. import dims
from .base import Layer, register


class _Activation(Layer):
    category = "activation"

    def other_ops(self, a, ins, out):
        return dims.product(out)


def _activation(name: str, doc: str, aliases=(), options=frozenset(), defaults=None):
    cls = type(name.capitalize(), (_Activation,), {
        "__doc__": doc, "name": name, "aliases": aliases, "options": options,
        "defaults": defaults or {},
    })
    return register(cls)


_activation("relu", "ReLU: max(0, x).")
_activation("relu6", "ReLU6: min(max(0, x), 6) (MobileNet).")
_activation("leakyrelu", "Leaky ReLU `leakyrelu [alpha=0.01]`: x if x > 0 else alpha*x.",
            options=frozenset({"alpha"}), defaults={"alpha": 0.01})
_activation("sigmoid", "Logistic sigmoid 1/(1 + e^-x).")
_activation("hsigmoid", "Hard sigmoid relu6(x + 3)/6 (MobileNetV3).", aliases=("hardsigmoid",))
_activation("tanh", "Hyperbolic tangent.")
_activation("swish", "Swish / SiLU: x*sigmoid(x) (EfficientNet).", aliases=("silu",))
_activation("hswish", "Hard swish x*relu6(x + 3)/6 (MobileNetV3).", aliases=("hardswish",))
_activation("gelu", "GELU: x*Phi(x).")
_activation("softmax", "Softmax over the channels (the last axis).")
