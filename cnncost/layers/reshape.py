"""Layers that move or select values without learning anything: dropout, identity,
shuffle, pad, upsample, slice."""
from __future__ import annotations

from ..errors import ShapeError
from .base import Layer, RFStep, register, spatial


@register
class Dropout(Layer):
    """`dropout P`: identity at inference; changes no shape and no count."""

    name = "dropout"
    category = "reshape"
    positional = ("rate",)
    required = ("rate",)
    options = frozenset({"rate"})

    def run(self, a, xs, tape):
        return xs[0]

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Dropout", "SpatialDropout2D")
    onnx_ops = ("Dropout",)
    torch_modules = ("Dropout", "Dropout2d")
    torch_functions = ("dropout",)

    def from_keras(self, cfg, ins):
        return [("dropout", f"{cfg.get('rate', 0.5):g}")]

    def from_onnx(self, node, ins):
        ratio = node.attrs.get("ratio", node.attrs.get("p", 0.5))
        return [("dropout", f"{ratio:g}")]

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("nn.Dropout", a["rate"]))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        return KerasCode((("", call("layers.Dropout", a["rate"])),))


@register
class Identity(Layer):
    """`identity`: passes its input through (a DenseNet `branch:` of identity)."""

    name = "identity"
    category = "reshape"

    def run(self, a, xs, tape):
        return xs[0]

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_activations = ("linear",)
    onnx_ops = ("Identity",)
    torch_modules = ("Identity",)
    torch_functions = ("contiguous",)

    def from_onnx(self, node, ins):
        return []  # a name for the same tensor

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode("nn.Identity()")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        return KerasCode((("", "layers.Identity()"),))


@register
class Shuffle(Layer):
    """Channel shuffle `shuffle G` (ShuffleNet): G must divide the channels."""

    name = "shuffle"
    category = "reshape"
    positional = ("shuffle_groups",)
    required = ("shuffle_groups",)
    options = frozenset({"shuffle_groups"})

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

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call

        return TorchCode(call("nn.ChannelShuffle", a["shuffle_groups"]))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        h, w, c = ins[0]
        g = a["shuffle_groups"]
        return KerasCode((("_split", call("layers.Reshape", (h, w, g, c // g))),
                          ("_swap", call("layers.Permute", (1, 2, 4, 3))),
                          ("", call("layers.Reshape", (h, w, c)))))


@register
class ZeroPad(Layer):
    """Zero padding `pad P`, `pad (h, w)` or `pad (top, bottom, left, right)`."""

    name = "pad"
    aliases = ("zeropad",)
    category = "reshape"
    positional = ("pad",)
    required = ("pad",)
    options = frozenset({"pad"})

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        t, b, l, r = a["pad"]
        return (h + t + b, w + l + r, c)

    def rf(self, a, ins):
        t, _b, l, _r = a["pad"]
        return RFStep((1, 1), (1, 1), (1, 1), (t, l))

    def run(self, a, xs, tape):
        from ..execute.kernels import zero_pad

        return zero_pad(xs[0], *a["pad"])

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("ZeroPadding2D",)
    onnx_ops = ("Pad",)
    torch_modules = ("ZeroPad2d",)
    torch_functions = ("pad",)

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

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call, torch_pad

        return TorchCode(call("nn.ZeroPad2d", torch_pad(a["pad"])))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call

        t, b, l, r = a["pad"]
        return KerasCode((("", call("layers.ZeroPadding2D", ((t, b), (l, r)))),))


@register
class Upsample(Layer):
    """Nearest-neighbour upsampling `upsample F` (or `upsample (fh, fw)`)."""

    name = "upsample"
    category = "reshape"
    positional = ("factor",)
    required = ("factor",)
    options = frozenset({"factor"})

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        fh, fw = a["factor"]
        return (h * fh, w * fw, c)

    def rf(self, a, ins):
        return RFStep((1, 1), (1, 1), (1, 1), (0, 0), a["factor"])

    def run(self, a, xs, tape):
        fh, fw = a["factor"]
        return xs[0].repeat(fh, axis=1).repeat(fw, axis=2)

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

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call, one_or_pair

        return TorchCode(call("nn.Upsample", scale_factor=one_or_pair(a["factor"]), mode="nearest"))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, call, one_or_pair

        return KerasCode((("", call("layers.UpSampling2D", one_or_pair(a["factor"]))),))


@register
class Slice(Layer):
    """Channel slice `slice A:B`: channels A to B-1 (ShuffleNet's channel split)."""

    name = "slice"
    category = "reshape"
    positional = ("range",)
    required = ("range",)

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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    onnx_ops = ("Slice", "Split")

    def from_onnx(self, node, ins):
        """Slice of a channel range; Split into channel ranges, one step per output."""
        from .spelling import Unmappable

        if node.op == "Split":
            c = ins[0][-1]
            sizes = node.attrs.get("split") or node.const(1)
            if node.attrs.get("axis", 0) % 4 != 1:
                raise Unmappable("Split other than of the channels")
            if not sizes:
                n = len(node.outputs)
                sizes = [c // n] * n
            starts = [sum(sizes[:k]) for k in range(len(sizes))]
            return [("slice", f"{lo}:{lo + int(size)}") for lo, size in zip(starts, sizes)]

        starts, ends, axes = node.const(1), node.const(2), node.const(3)
        steps = node.const(4)
        c = ins[0][-1]
        if starts is None or ends is None or len(starts) != 1 or (axes is not None and int(axes[0]) % 4 != 1) \
                or (steps is not None and int(steps[0]) != 1):
            raise Unmappable("Slice other than a channel range")
        lo, hi = int(starts[0]), min(int(ends[0]), c)
        return [("slice", f"{lo % c if lo < 0 else lo}:{hi % c if hi < 0 else hi}")]

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        lo, hi = a["range"]
        return TorchCode(None, f"{{0}}[:, {lo}:{hi}]")

    def keras(self, a, ins, out):
        from ..interop.export_code import Unsupported

        raise Unsupported("Keras has no channel-slice layer (only a Lambda, which does not save portably)")

