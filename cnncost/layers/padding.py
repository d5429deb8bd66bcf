"""Padding and its inverse: `pad` with zeros, reflection or replication, and zero
channels (ResNet's option-A shortcut); `crop`, which removes rows and columns at the edges."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError, SpecValueError
from .base import Layer, RFStep, register, spatial
from .options import PAD, Option, mode_option, padding, takes, whole


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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("ZeroPadding2D",)
    onnx_ops = ("Pad",)
    torch_modules = ("ZeroPad2d",)
    torch_functions = ("pad",)
    torch_aten_ops = ("constant_pad_nd", "pad")

    def from_keras(self, cfg, ins):
        from .spelling import two

        p = cfg["padding"]
        if isinstance(p, int):
            p = ((p, p), (p, p))
        (t, b), (l, r) = (two(x) if not isinstance(x, (list, tuple)) or len(x) == 2 else x for x in p)
        return [("pad", f"{t}" if t == b == l == r else f"({t}, {b}, {l}, {r})")]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        mode = node.attrs.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        pads = node.attrs.get("pads") or node.const(1)
        value = node.const(2)
        if mode != "constant" or pads is None or (value is not None and any(float(v) for v in value)):
            raise Unmappable(f"Pad mode={mode} (only zero padding maps to pad)")
        pads = [int(v) for v in pads]
        half = len(pads) // 2
        if half != 4 or any(pads[i] or pads[i + half] for i in (0, 1)):
            raise Unmappable("Pad of the batch or channel axis")
        t, l, b, r = pads[2], pads[3], pads[6], pads[7]
        return [("pad", f"{t}" if t == b == l == r else f"({t}, {b}, {l}, {r})")]

    def saved(self, a, ins, out, grads):
        """Zero padding keeps only sizes; reflection and replication padding save their
        input (derivatives.yaml: reflection_pad2d_backward(grad, self, padding))."""
        from .autograd import Saved

        return (Saved(0),) if {**self.unset, **a}["mode"] != "constant" else ()

    def pytorch(self, a, ins, out):
        """nn.ZeroPad2d; reflect / replicate: nn.ReflectionPad2d / ReplicationPad2d; zero
        channels: nn.ConstantPad3d over (C, H, W) of the NCHW tensor."""
        from ..interop.export_code import TorchCode, call, torch_pad

        a = {**self.unset, **a}
        pads = torch_pad(a["pad"])
        if any(a["channels"]):
            return TorchCode(call("nn.ConstantPad3d", (*pads, *a["channels"]), 0.0))
        cls = {"constant": "nn.ZeroPad2d", "reflect": "nn.ReflectionPad2d",
               "replicate": "nn.ReplicationPad2d"}[a["mode"]]
        return TorchCode(call(cls, pads))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, Unsupported, call

        a = {**self.unset, **a}
        if a["mode"] != "constant" or any(a["channels"]):
            raise Unsupported("Keras has only zero padding of height and width (ZeroPadding2D)")
        t, b, l, r = a["pad"]
        return KerasCode((("", call("layers.ZeroPadding2D", ((t, b), (l, r)))),))


CROP = Option("crop", lambda v: padding(v, "crop"),
              "crop C removes C rows and columns on each side; crop (h, w) h rows at the top and "
              "bottom and w columns at the left and right; crop (top, bottom, left, right) as written",
              "the rows and columns to remove (e.g. 1, or (top, bottom, left, right))")


def _crop_words(t, b, l, r) -> str:
    """The spec argument of `crop`, spelled as `pad` spells its widths."""
    return f"{t}" if t == b == l == r else f"({t}, {b}, {l}, {r})"


@register
class Crop(Layer):
    """Cropping `crop C`, `crop (h, w)` or `crop (top, bottom, left, right)`: removes rows
    and columns at the edges (Keras's Cropping2D, PyTorch's `x[:, :, t:H-b, l:W-r]`, an
    ONNX Slice of the height and width): no parameters, no ops.

    out = (H - t - b) x (W - l - r) x C; at least one row and one column must remain
    """

    name = "crop"
    category = "reshape"
    positional = ("crop",)
    required = ("crop",)
    options = takes(CROP)
    example = "crop 1"
    keras_class = "Cropping2D"
    temporary_copies = 0  # a view of its input (NumPy and PyTorch slicing)
    # torch's slice is a view of its input; its backward (slice_backward) makes a fresh
    # input-sized zero gradient, so the gradient is not a view
    shares_storage = True
    strided_view = True  # x[:, :, t:H-b, l:W-r] is not contiguous: a flatten after it copies

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        t, b, l, r = a["crop"]
        oh, ow = h - t - b, w - l - r
        for axis, size, cut, left in (("height", h, (t, b), oh), ("width", w, (l, r), ow)):
            if dims.known_below(left, 1):
                raise ShapeError(f"crop removes {cut[0]} + {cut[1]} of the input's {size} {axis}: nothing is left",
                                 hint=f"crop less than {size} in all along the {axis}")
        return (oh, ow, c)

    def rf(self, a, ins):
        t, _b, l, _r = a["crop"]
        return RFStep((1, 1), (1, 1), (1, 1), (-t, -l))  # output row 0 is input row t

    def run(self, a, xs, tape):
        t, b, l, r = a["crop"]
        x = xs[0]
        return x[:, t:x.shape[1] - b, l:x.shape[2] - r, :]

    def saved(self, a, ins, out, grads):
        """derivatives.yaml: slice.Tensor's backward is slice_backward(grad, sizes, ...):
        only sizes are kept."""
        return ()

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Cropping2D",)

    def from_keras(self, cfg, ins):
        from .spelling import Unmappable, two

        if cfg.get("data_format", "channels_last") not in ("channels_last", None):
            raise Unmappable("data_format=channels_first")
        c = cfg["cropping"]
        if isinstance(c, int):
            c = ((c, c), (c, c))
        (t, b), (l, r) = (two(x) if not isinstance(x, (list, tuple)) or len(x) == 2 else x for x in c)
        return [("crop", _crop_words(t, b, l, r))]

    def from_onnx(self, node, ins):
        """An ONNX Slice of the height and/or width with step 1 (the Slice entry hands
        those here; starts and ends may be negative or past the end, as ONNX allows)."""
        from .spelling import Unmappable

        starts, ends, axes, steps = node.const(1), node.const(2), node.const(3), node.const(4)
        if starts is None or ends is None:
            raise Unmappable("Slice with starts or ends that are not constant")
        axes = [int(x) % 4 for x in axes] if axes is not None else list(range(len(starts)))
        if steps is not None and any(int(s) != 1 for s in steps):
            raise Unmappable("Slice with a step other than 1")
        h, w, _c = ins[0]
        cut = {2: [0, 0], 3: [0, 0]}
        for axis, lo, hi in zip(axes, starts, ends):
            if axis not in cut:
                raise Unmappable("Slice of the height or width together with another axis")
            size = h if axis == 2 else w
            lo, hi = int(lo), int(hi)
            lo = max(0, lo + size) if lo < 0 else min(lo, size)
            hi = max(0, hi + size) if hi < 0 else min(hi, size)
            cut[axis] = [lo, size - hi]
        (t, b), (l, r) = cut[2], cut[3]
        return [("crop", _crop_words(t, b, l, r))]

    def pytorch(self, a, ins, out):
        """Slicing `x[:, :, t:H-b, l:W-r]` (a view; PyTorch has no crop module)."""
        from ..interop.export_code import TorchCode

        t, b, l, r = a["crop"]
        h, w, _c = ins[0]
        return TorchCode(None, f"{{0}}[:, :, {t}:{h - b}, {l}:{w - r}]")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        t, b, l, r = a["crop"]
        return KerasCode((("", call("layers.Cropping2D", ((t, b), (l, r)))),))
