"""Squeeze-and-excitation (Hu et al. 2018), a composite expanded into primitive nodes."""
from __future__ import annotations

from .. import dims
from ..expr import to_int
from .base import SOURCE, Layer, Part, register, spatial
from .options import ACT, GATE, Option, fraction, positive, takes

RATIO = Option("ratio", lambda v: fraction(v, "squeeze ratio", 0, 1, high_open=False),
               "an se ratio is a fraction of the channels, e.g. se 0.25", "a ratio")
SQUEEZE = Option("squeeze", lambda v: positive(v, "squeeze channels"), "squeeze=N makes at least one channel")


@register
class SqueezeExcite(Layer):
    """Squeeze-and-excitation `se R` or `se squeeze=N [act=relu] [gate=sigmoid]` on a
    C-channel input: gap; conv 1x1 to max(1, int(C*R)) (or N) channels with bias; act;
    conv 1x1 back to C with bias; gate; mul with the input."""

    name = "se"
    category = "merge"
    positional = ("ratio",)
    options = takes(RATIO, SQUEEZE, ACT, GATE)
    defaults = {"act": "relu", "gate": "sigmoid"}
    example = "se 0.25"
    keras_class = "Functional"  # a block shown as one row (--depth) is a nested model
    composite = True

    def expand(self, a, ins):
        _, _, c = spatial(ins[0], self.name)
        if "squeeze" in a:
            squeeze = a["squeeze"]
        elif "ratio" in a:
            squeeze = dims.maximum(1, to_int(c * a["ratio"]))
        else:
            from ..errors import SpecValueError

            raise SpecValueError("se needs a ratio (`se 0.25`) or `squeeze=N`")
        conv = {"kernel": (1, 1), "stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True}
        return [Part("gap", {}, "squeeze"),
                Part("conv", {**conv, "channels": squeeze}, "reduce"),
                Part(a["act"], {}, "act"),
                Part("conv", {**conv, "channels": c}, "expand"),
                Part(a["gate"], {}, "gate"),
                Part("mul", {}, "scale", (SOURCE, "gate"))]
