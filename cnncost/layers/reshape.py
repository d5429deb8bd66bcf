"""Layers that move or select values without learning anything: dropout, identity,
shuffle, pad, upsample, slice, and the sub-pixel rearrangements (Shi et al. 2016)
pixelshuffle and pixelunshuffle."""
from __future__ import annotations

import math

from .. import dims
from ..errors import ShapeError, SpecValueError
from .base import Layer, RFStep, register, spatial
from .options import PAD, Option, fraction, mode_option, pair, positive, show, takes, whole

RATE = Option("rate", lambda v: fraction(v, "dropout rate", 0, 1),
              "a dropout rate is the fraction of values dropped, e.g. dropout 0.5", "a rate")
SHUFFLE_GROUPS = Option("shuffle_groups", lambda v: positive(v, "shuffle groups"),
                        "shuffle G with G at least 1", "a group count")


@register
class Dropout(Layer):
    """`dropout P`: identity at inference; changes no shape and no count."""

    name = "dropout"
    keeps_shape = True
    category = "reshape"
    positional = ("rate",)
    required = ("rate",)
    options = takes(RATE)
    example = "dropout 0.5"
    keras_class = "Dropout"
    temporary_copies = 0

    def run(self, a, xs, tape):
        return xs[0]


@register
class Identity(Layer):
    """`identity`: passes its input through (a DenseNet `branch:` of identity)."""

    name = "identity"
    keeps_shape = True
    category = "reshape"
    example = "identity"
    keras_class = "Identity"
    temporary_copies = 0

    def run(self, a, xs, tape):
        return xs[0]


@register
class Shuffle(Layer):
    """Channel shuffle `shuffle G` (ShuffleNet): G must divide the channels."""

    name = "shuffle"
    category = "reshape"
    positional = ("shuffle_groups",)
    required = ("shuffle_groups",)
    options = takes(SHUFFLE_GROUPS)
    example = "shuffle 2"
    keras_class = None
    keras_none = "Keras has no channel-shuffle layer; Keras code writes it as a Lambda"

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        g = a["shuffle_groups"]
        if isinstance(c, int) and isinstance(g, int) and c % g:
            raise ShapeError(f"shuffle {g} does not divide the {c} channels")
        return ins[0]

    def run(self, a, xs, tape):
        """PyTorch's channel_shuffle: channels as (g, C/g), transposed to (C/g, g)."""
        x, g = xs[0], a["shuffle_groups"]
        return x.reshape(*x.shape[:3], g, -1).swapaxes(3, 4).reshape(x.shape)


CHANNEL_PAD = Option("channels", lambda v: _two(v, "channel padding"),
                     "channels=P adds P zero channels on each side, channels=(before, after) "
                     "as many before and after the input's")
PAD_MODE = mode_option(("constant", "reflect", "replicate"),
                       "pad mode=constant (zeros), mode=reflect or mode=replicate, as torch's F.pad")


def _two(value, what):
    if isinstance(value, tuple):
        if len(value) != 2:
            raise SpecValueError(f"{what} takes one value or two (before, after), got {len(value)}")
        return tuple(whole(v, what, 0) for v in value)
    v = whole(value, what, 0)
    return (v, v)


@register
class ZeroPad(Layer):
    """Padding `pad P`, `pad (h, w)` or `pad (top, bottom, left, right)` with zeros, or
    `reflect` / `replicate` (mode=, torch's F.pad modes); `channels=P` or
    `channels=(before, after)` adds zero channels (ResNet's option-A shortcut, with
    `maxpool 1 s2` before it for the stride): no parameters, no ops.

    out = (H + t + b) x (W + l + r) x (C + before + after); reflect needs t, b < H and l, r < W
    """

    name = "pad"
    aliases = ("zeropad",)
    category = "reshape"
    positional = ("pad",)
    options = takes(PAD, PAD_MODE, CHANNEL_PAD)
    words = {m: ("mode", m) for m in ("constant", "reflect", "replicate")}
    # not in `defaults`, so a node's attributes hold what its line says (as before modes)
    unset = {"pad": (0, 0, 0, 0), "mode": "constant", "channels": (0, 0)}
    example = "pad 1"
    keras_class = "ZeroPadding2D"

    def shape(self, a, ins):
        if "pad" not in a and "channels" not in a:
            raise SpecValueError("pad needs a padding or channels=", hint=f"write e.g. `{self.example}`")
        a = {**self.unset, **a}
        h, w, c = spatial(ins[0], self.name)
        t, b, l, r = a["pad"]
        before, after = a["channels"]
        if a["mode"] != "constant" and (before or after):
            raise ShapeError(f"channels=({before}, {after}) pads channels with zeros only, not mode={a['mode']}",
                             hint="pad the channels in a separate `pad channels=...` line")
        if a["mode"] == "reflect":
            for side, pad, size in (("top", t, h), ("bottom", b, h), ("left", l, w), ("right", r, w)):
                if dims.is_number(size) and dims.is_number(pad) and pad >= size:
                    raise ShapeError(f"reflect padding {pad} on the {side} is not below the input's "
                                     f"{size}: PyTorch refuses it", hint="pad less, or use mode=replicate")
        return (h + t + b, w + l + r, c + before + after)

    def rf(self, a, ins):
        t, _b, l, _r = a.get("pad", self.unset["pad"])
        return RFStep((1, 1), (1, 1), (1, 1), (t, l))

    def run(self, a, xs, tape):
        from ..execute.kernels import np, zero_pad

        a = {**self.unset, **a}
        x = xs[0]
        if a["mode"] != "constant":
            t, b, l, r = a["pad"]
            mode = "edge" if a["mode"] == "replicate" else "reflect"
            return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), mode=mode)
        if any(a["channels"]):
            x = np.pad(x, ((0, 0), (0, 0), (0, 0), a["channels"]))
        return zero_pad(x, *a["pad"])


FACTOR = Option("factor", lambda v: _scale(v, "upsampling factor"),
                "upsample 2 doubles height and width; 1.5 makes floor(1.5*H), as torch", "a factor")
SIZE = Option("size", lambda v: pair(v, "output size"), "size=(H, W): the output height and width")
UPSAMPLE_MODE = mode_option(("nearest", "bilinear"), "upsample mode=nearest or mode=bilinear")


def _scale(value, what):
    values = value if isinstance(value, tuple) else (value, value)
    if len(values) != 2:
        raise SpecValueError(f"{what} takes one value or two (height, width), got {len(values)}")
    out = []
    for v in values:
        fraction(v, what, 0)
        if isinstance(v, float) or (dims.is_number(v) and v <= 0):
            raise SpecValueError(f"{what} must be above 0, got {show(v)}")
        out.append(int(v) if dims.is_whole(v) else v)
    return tuple(out)


def _scaled(size, factor):
    """torch's F.interpolate: floor(float(size) * scale), in doubles (100 x 0.29 is 28)."""
    if dims.is_whole(factor):
        return size * int(factor)
    if dims.is_number(size):
        return math.floor(float(size) * float(factor))
    return dims.floor(size * factor)


@register
class Upsample(Layer):
    """Upsampling `upsample F` (or `(fh, fw)`; fractional factors as torch's scale_factor,
    output floor(H*F)) or `upsample size=(H, W)`, `nearest` (default) or `bilinear` (torch
    Upsample, align_corners=False). No parameters and no ops: the mode changes no count
    (cnncost counts MACs of conv and fc only; docs/counting.md)."""

    name = "upsample"
    category = "reshape"
    positional = ("factor",)
    options = takes(FACTOR, SIZE, UPSAMPLE_MODE)
    words = {m: ("mode", m) for m in ("nearest", "bilinear")}
    example = "upsample 2"
    keras_class = "UpSampling2D"
    # the tools price interpolation by mode (fvcore 4, thop 11 per bilinear output): a
    # bilinear layer's output elements are their own measure
    ledger_categories = {"in": "upsample.in", "out": "upsample.out",
                         "bilinear_out": "upsample-bilinear.out"}

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        if ("factor" in a) == ("size" in a):
            raise SpecValueError("upsample takes a factor (`upsample 2`) or size=(H, W), one of the two",
                                 hint="write e.g. `upsample 2` or `upsample size=(14, 14)`")
        if "size" in a:
            return (*a["size"], c)
        fh, fw = a["factor"]
        oh, ow = _scaled(h, fh), _scaled(w, fw)
        if dims.known_below(oh, 1) or dims.known_below(ow, 1):
            raise ShapeError(f"output would be {oh}x{ow}: floor({h}*{show(fh)}) x floor({w}*{show(fw)})",
                             hint="use a larger factor")
        return (oh, ow, c)

    def rf(self, a, ins):
        h, w, _ = ins[0]
        up = a["factor"] if "factor" in a else (dims.divide(a["size"][0], h), dims.divide(a["size"][1], w))
        kernel = (2, 2) if a.get("mode") == "bilinear" else (1, 1)  # bilinear reads two neighbours
        return RFStep(kernel, (1, 1), (1, 1), (0, 0), up)

    def ledger(self, a, ins, out, counts):
        bilinear = a.get("mode") == "bilinear"
        return {"in": dims.product(ins[0]), "bilinear_out" if bilinear else "out": dims.product(out)}

    def run(self, a, xs, tape):
        from ..execute.kernels import np

        x = xs[0]
        h, w = x.shape[1:3]
        oh, ow, _ = self.shape(a, [x.shape[1:]])
        scales = [1 / float(f) for f in a["factor"]] if "factor" in a else [h / oh, w / ow]
        if a.get("mode", "nearest") == "nearest":  # torch: src = min(floor(dst * in/out), in - 1)
            rows = np.minimum(np.floor(np.arange(oh) * scales[0]).astype(int), h - 1)
            cols = np.minimum(np.floor(np.arange(ow) * scales[1]).astype(int), w - 1)
            return x[:, rows][:, :, cols]
        (r0, r1, rl), (c0, c1, cl) = (_linear(n, size, scale, np)
                                      for n, size, scale in ((oh, h, scales[0]), (ow, w, scales[1])))
        rl, cl = rl[None, :, None, None], cl[None, None, :, None]
        rows = x[:, r0] * (1 - rl) + x[:, r1] * rl
        return (rows[:, :, c0] * (1 - cl) + rows[:, :, c1] * cl).astype(x.dtype)

    def temporaries(self, a, ins, out):
        h, w, c = ins[0]
        rows = out[0] * w * c  # resized along the height first
        return rows if a.get("mode", "nearest") == "nearest" else 3 * rows + 2 * dims.product(out)


def _linear(n, size, scale, np):
    """torch's align_corners=False source indices and weights along one axis."""
    src = np.maximum((np.arange(n) + 0.5) * scale - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, size - 1)
    return i0, i1, (src - i0).astype("float32")


@register
class Slice(Layer):
    """Channel slice `slice A:B`: channels A to B-1 (ShuffleNet's channel split)."""

    name = "slice"
    category = "reshape"
    positional = ("range",)
    required = ("range",)
    example = "slice 0:32"
    keras_class = None
    keras_none = "Keras has no channel-slice layer; Keras code writes it as a Lambda"
    temporary_copies = 0

    def shape(self, a, ins):
        lo, hi = a["range"]
        c = ins[0][-1]
        if isinstance(c, int) and not (0 <= lo < hi <= c):
            raise ShapeError(f"slice {lo}:{hi} is outside the {c} channels",
                             hint=f"use 0 <= A < B <= {c}")
        return (*ins[0][:-1], hi - lo)

    def run(self, a, xs, tape):
        lo, hi = a["range"]
        return xs[0][..., lo:hi]


SHUFFLE_FACTOR = Option("factor", lambda v: positive(v, "pixel shuffle factor"),
                "pixelshuffle 2 trades 4 channels for a 2x2 block of pixels", "a factor (e.g. 2)")
_NO_DEPTH_TO_SPACE = ("Keras has no pixel-shuffle layer; Keras code writes tf.nn.depth_to_space / "
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
    options = takes(SHUFFLE_FACTOR)
    example = "pixelshuffle 2"
    keras_class = None
    keras_none = _NO_DEPTH_TO_SPACE

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
    options = takes(SHUFFLE_FACTOR)
    example = "pixelunshuffle 2"
    keras_class = None
    keras_none = _NO_DEPTH_TO_SPACE

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
