"""Layers that change the spatial size without weights: upsampling (nearest, bilinear,
fractional factors, a target size) and torch's pixel shuffles."""
from __future__ import annotations

import math

from .. import dims
from ..errors import ShapeError, SpecValueError
from .base import Layer, RFStep, register, spatial
from .options import Option, fraction, mode_option, pair, positive, show, takes


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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("UpSampling2D",)
    onnx_ops = ("Resize", "Upsample")
    torch_modules = ("Upsample",)

    def from_keras(self, cfg, ins):
        from .spelling import Unmappable, two

        if cfg.get("interpolation", "nearest") != "nearest":
            raise Unmappable(f"interpolation={cfg['interpolation']} (upsample is nearest-neighbour)")
        fh, fw = two(cfg.get("size", 2))
        return [("upsample", f"{fh}" if fh == fw else f"({fh}, {fw})")]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        mode = node.attrs.get("mode", b"nearest")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        out = node.out
        if mode != "nearest" or out is None or out[0] % ins[0][0] or out[1] % ins[0][1]:
            raise Unmappable(f"Resize mode={mode} to {out} (upsample is nearest by a whole factor)")
        fh, fw = out[0] // ins[0][0], out[1] // ins[0][1]
        return [("upsample", f"{fh}" if fh == fw else f"({fh}, {fw})")]

    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

    def pytorch(self, a, ins, out):
        """nn.Upsample with the factor (floats for fractional ones) or the size, and the mode."""
        from ..interop.export_code import TorchCode, call, one_or_pair

        mode = a.get("mode", "nearest")
        if "size" in a:
            return TorchCode(call("nn.Upsample", size=one_or_pair(a["size"]), mode=mode))
        factor = tuple(f if isinstance(f, int) else float(f) for f in a["factor"])
        return TorchCode(call("nn.Upsample", scale_factor=one_or_pair(factor), mode=mode))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, Unsupported, call, one_or_pair

        if "size" in a or not all(isinstance(f, int) for f in a["factor"]):
            raise Unsupported("Keras's UpSampling2D takes whole factors only")
        return KerasCode((("", call("layers.UpSampling2D", one_or_pair(a["factor"]),
                                    interpolation=a.get("mode", "nearest"))),))


def _linear(n, size, scale, np):
    """torch's align_corners=False source indices and weights along one axis."""
    src = np.maximum((np.arange(n) + 0.5) * scale - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, size - 1)
    return i0, i1, (src - i0).astype("float32")


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

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("nn.PixelShuffle", a["factor"]))

    def saved(self, a, ins, out, grads):
        return ()  # its backward is the inverse shuffle of the gradient: nothing kept


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

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("nn.PixelUnshuffle", a["factor"]))

    def saved(self, a, ins, out, grads):
        return ()  # its backward is the inverse shuffle of the gradient: nothing kept
