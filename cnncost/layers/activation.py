"""Activations: shape-preserving, no parameters, one op per output element.

Each carries its NumPy form for the executor: a function of the kernels module
(cnncost.execute.kernels, whose `np` is NumPy), the input array and the attributes.
"""
from __future__ import annotations

from .. import dims
from .base import Layer, register
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
                keras="Activation", temporaries=1):
    """One activation kind; `keras`: its Keras class (keras.applications write most as
    Activation("relu")); `temporaries`: output-sized arrays its formula holds besides the
    output (measured with tracemalloc)."""
    cls = type(name.capitalize(), (_Activation,), {
        "__doc__": doc, "name": name, "aliases": aliases, "options": options,
        "defaults": defaults or {}, "formula": staticmethod(formula), "example": name,
        "keras_class": keras, "temporary_copies": temporaries,
        "ledger_categories": {"elements": f"{name}.elements"},
    })
    return register(cls)


_activation("relu", "ReLU: max(0, x).", lambda k, x, a: k.np.maximum(x, 0))
_activation("relu6", "ReLU6: min(max(0, x), 6) (MobileNet).", lambda k, x, a: k.np.clip(x, 0, 6),
            keras="ReLU")  # MobileNet: layers.ReLU(6.0)
_activation("leakyrelu", "Leaky ReLU `leakyrelu [alpha=0.01]`: x if x > 0 else alpha*x.",
            lambda k, x, a: k.np.where(x > 0, x, x * float(a["alpha"])),
            options=takes(ALPHA), defaults={"alpha": 0.01}, keras="LeakyReLU", temporaries=2)
_activation("sigmoid", "Logistic sigmoid 1/(1 + e^-x).", lambda k, x, a: k.sigmoid(x))
_activation("hsigmoid", "Hard sigmoid relu6(x + 3)/6 (MobileNetV3).",
            lambda k, x, a: k.np.clip(x + 3, 0, 6) / 6, aliases=("hardsigmoid",))
_activation("tanh", "Hyperbolic tangent.", lambda k, x, a: k.np.tanh(x))
_activation("swish", "Swish / SiLU: x*sigmoid(x) (EfficientNet).", lambda k, x, a: x * k.sigmoid(x),
            aliases=("silu",))
_activation("hswish", "Hard swish x*relu6(x + 3)/6 (MobileNetV3).",
            lambda k, x, a: x * k.np.clip(x + 3, 0, 6) / 6, aliases=("hardswish",))
_activation("gelu", "GELU: x*Phi(x).", lambda k, x, a: 0.5 * x * (1 + k.erf(x * 0.7071067811865476)),
            temporaries=6)
_activation("softmax", "Softmax over the channels (the last axis).", lambda k, x, a: k.softmax(x),
            temporaries=2)
