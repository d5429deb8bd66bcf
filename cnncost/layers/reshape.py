"""Layers that move or select values without learning anything: dropout, identity,
shuffle, pad, upsample, slice."""
from __future__ import annotations

from .. import dims
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

    # ---- training
    def saved(self, a, ins, out, grads):
        """Training-mode dropout on CPU multiplies by a scaled 0/1 noise tensor of the
        input's type and saves it (the mul's other factor); CUDA's fused native_dropout
        saves a 1-byte mask instead. Rate 0 returns the input: nothing."""
        from .autograd import Saved

        return () if a["rate"] == 0 else (Saved("new", dims.product(out)),)

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

    shares_storage = True
    gradient_is_view = True

    def saved(self, a, ins, out, grads):
        return ()

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

    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

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

    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

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

    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

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

    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        lo, hi = a["range"]
        return TorchCode(None, f"{{0}}[:, {lo}:{hi}]")

    def keras(self, a, ins, out):
        from ..interop.export_code import Unsupported

        raise Unsupported("Keras has no channel-slice layer (only a Lambda, which does not save portably)")

