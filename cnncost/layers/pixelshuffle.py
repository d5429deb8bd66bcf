"""Sub-pixel rearrangement (Shi et al. 2016): pixelshuffle and pixelunshuffle, torch's
PixelShuffle / PixelUnshuffle. They move values between channels and space; nothing is
learned or computed."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import Layer, RFStep, register, spatial
from .options import Option, positive, takes

FACTOR = Option("factor", lambda v: positive(v, "pixel shuffle factor"),
                "pixelshuffle 2 trades 4 channels for a 2x2 block of pixels", "a factor (e.g. 2)")
_NO_KERAS = ("Keras has no pixel-shuffle layer; Keras code writes tf.nn.depth_to_space / "
             "space_to_depth in a Lambda (with another channel order than torch's)")


@register
class PixelShuffle(Layer):
    """`pixelshuffle R` (torch PixelShuffle): HxWx(C*R*R) -> (H*R)x(W*R)xC; R*R must
    divide the channels. Output channel c, pixel (h*R + i, w*R + j) is input channel
    c*R*R + i*R + j at (h, w), torch's order."""

    name = "pixelshuffle"
    category = "reshape"
    positional = ("factor",)
    required = ("factor",)
    options = takes(FACTOR)
    example = "pixelshuffle 2"
    keras_class = None
    keras_none = _NO_KERAS

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        r = a["factor"]
        if dims.is_number(c) and dims.is_number(r) and c % (r * r):
            raise ShapeError(f"pixelshuffle {r} needs channels divisible by {r}*{r} = {r * r}, got {c}",
                             hint=f"give the layer before it a multiple of {r * r} channels")
        return (h * r, w * r, dims.divide(c, r * r))

    def rf(self, a, ins):
        r = a["factor"]
        return RFStep(upsample=(r, r))

    def run(self, a, xs, tape):
        x, r = xs[0], a["factor"]
        n, h, w, c = x.shape
        y = x.reshape(n, h, w, c // (r * r), r, r).transpose(0, 1, 4, 2, 5, 3)
        return y.reshape(n, h * r, w * r, c // (r * r))


@register
class PixelUnshuffle(Layer):
    """`pixelunshuffle R` (torch PixelUnshuffle): HxWxC -> (H/R)x(W/R)x(C*R*R); R must
    divide the height and the width. The inverse of pixelshuffle."""

    name = "pixelunshuffle"
    category = "reshape"
    positional = ("factor",)
    required = ("factor",)
    options = takes(FACTOR)
    example = "pixelunshuffle 2"
    keras_class = None
    keras_none = _NO_KERAS

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        r = a["factor"]
        for axis, size in (("height", h), ("width", w)):
            if dims.is_number(size) and dims.is_number(r) and size % r:
                raise ShapeError(f"pixelunshuffle {r} needs the {axis} divisible by {r}, got {size}",
                                 hint="pad or crop the input to a multiple of the factor")
        return (dims.divide(h, r), dims.divide(w, r), c * r * r)

    def rf(self, a, ins):
        r = a["factor"]
        return RFStep((r, r), (r, r))  # each output position gathers an R x R block

    def run(self, a, xs, tape):
        x, r = xs[0], a["factor"]
        n, h, w, c = x.shape
        y = x.reshape(n, h // r, r, w // r, r, c).transpose(0, 1, 3, 5, 2, 4)
        return y.reshape(n, h // r, w // r, c * r * r)
