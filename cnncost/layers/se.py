"""Squeeze-and-excitation (Hu et al. 2018), a composite expanded into primitive nodes."""
from __future__ import annotations

from .. import dims
from ..expr import to_int
from .base import Layer, register, spatial


@register
class SqueezeExcite(Layer):
    """Squeeze-and-excitation `se R` or `se squeeze=N [act=relu] [gate=sigmoid]` on a
    C-channel input: gap; conv 1x1 to max(1, int(C*R)) (or N) channels with bias; act;
    conv 1x1 back to C with bias; gate; mul with the input."""

    name = "se"
    category = "merge"
    positional = ("ratio",)
    options = frozenset({"ratio", "squeeze", "act", "gate"})
    defaults = {"act": "relu", "gate": "sigmoid"}
    composite = True

    def expand(self, builder, a, source):
        _, _, c = spatial(builder.shape_of(source), self.name)
        if "squeeze" in a:
            squeeze = a["squeeze"]
        elif "ratio" in a:
            squeeze = dims.maximum(1, to_int(c * a["ratio"]))
        else:
            from ..errors import SpecValueError

            raise SpecValueError("se needs a ratio (`se 0.25`) or `squeeze=N`")
        conv = {"kernel": (1, 1), "stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True}
        x = builder.add_node("gap", {}, (source,), name="squeeze")
        x = builder.add_node("conv", {**conv, "channels": squeeze}, (x,), name="reduce")
        x = builder.add_node(a["act"], builder.defaults_of(a["act"]), (x,), name="act")
        x = builder.add_node("conv", {**conv, "channels": c}, (x,), name="expand")
        x = builder.add_node(a["gate"], builder.defaults_of(a["gate"]), (x,), name="gate")
        return builder.add_node("mul", {}, (source, x), name="scale")

    def pytorch(self, a, ins, out):
        return None  # never reached: the graph holds its gap, convs, gate and mul nodes

    def keras(self, a, ins, out):
        return None  # idem
