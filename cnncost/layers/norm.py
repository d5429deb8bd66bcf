"""Normalisation and input preprocessing: bn, lrn, rescale, normalize."""
from __future__ import annotations

from .. import dims
from .base import Layer, register


@register
class BatchNorm(Layer):
    """Batch normalisation `bn [noscale] [nocenter]`: 2C learnable parameters (scale gamma,
    shift beta) and 2C statistics kept as buffers (running mean, variance). `noscale` /
    `nocenter` drop gamma / beta as Keras's scale=False / center=False do.

    other ops (inference): one multiply and one add per element, fewer without scale/shift
    """

    name = "bn"
    aliases = ("batchnorm",)
    category = "norm"
    words = {"noscale": ("scale", False), "nocenter": ("center", False)}
    defaults = {"scale": True, "center": True}

    def params(self, a, ins, out):
        return out[-1] * (int(a["scale"]) + int(a["center"]))

    def buffers(self, a, ins, out):
        return 2 * out[-1]

    def other_ops(self, a, ins, out):
        # normalise (x - mean) / sqrt(var) folds to one multiply-add; then scale, shift
        return dims.product(out) * (1 + int(a["scale"]) + int(a["center"]))


@register
class LocalResponseNorm(Layer):
    """Local response normalisation `lrn [size=5]` (AlexNet, GoogLeNet v1): no parameters.

    other ops: size squares-and-adds per element plus 3 (scale, power, divide)
    """

    name = "lrn"
    category = "norm"
    options = frozenset({"size"})
    defaults = {"size": 5}

    def other_ops(self, a, ins, out):
        return dims.product(out) * (a["size"] + 3)


@register
class Rescale(Layer):
    """Input rescaling `rescale` (Keras Rescaling: x*scale + offset): nothing to learn.

    other ops: 2 per element
    """

    name = "rescale"
    aliases = ("rescaling",)
    category = "norm"

    def other_ops(self, a, ins, out):
        return 2 * dims.product(out)


@register
class Normalize(Layer):
    """Input normalisation `normalize` (Keras Normalization): 2C + 1 buffers (mean,
    variance, count), nothing learnable. other ops: 2 per element."""

    name = "normalize"
    aliases = ("normalization",)
    category = "norm"

    def buffers(self, a, ins, out):
        return 2 * out[-1] + 1

    def other_ops(self, a, ins, out):
        return 2 * dims.product(out)
