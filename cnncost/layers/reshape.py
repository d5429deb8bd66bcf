"""Layers that move or select values without learning anything: dropout, identity,
shuffle, pad, upsample, slice, and the sub-pixel rearrangements (Shi et al. 2016)
pixelshuffle and pixelunshuffle."""
from __future__ import annotations


from .. import dims
from ..errors import ShapeError
from .base import Layer, register, spatial
from .options import Option, fraction, positive, takes

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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Dropout", "SpatialDropout2D")
    onnx_ops = ("Dropout",)
    torch_modules = ("Dropout", "Dropout2d")
    torch_functions = ("dropout",)
    torch_aten_ops = ("dropout",)

    def from_keras(self, cfg, ins):
        return [("dropout", f"{cfg.get('rate', 0.5):g}")]

    def from_onnx(self, node, ins):
        ratio = node.attrs.get("ratio", node.attrs.get("p", 0.5))
        return [("dropout", f"{ratio:g}")]
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
    keeps_shape = True
    category = "reshape"
    example = "identity"
    keras_class = "Identity"
    temporary_copies = 0

    def run(self, a, xs, tape):
        return xs[0]

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_activations = ("linear",)
    onnx_ops = ("Identity",)
    torch_modules = ("Identity",)
    torch_functions = ("contiguous",)
    torch_aten_ops = ("clone", "contiguous", "alias")

    def from_onnx(self, node, ins):
        return []  # a name for the same tensor
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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    onnx_patterns = {"Reshape": "channel shuffle: Reshape to (N, G, C/G, H, W), Transpose (0, 2, 1, 3, 4), "
                                "Reshape to (N, C, H, W); in torch.fx view, transpose(1, 2), view"}
    torch_modules = ("ChannelShuffle",)

    def from_onnx(self, node, ins):
        """nn.ChannelShuffle (torch.onnx cannot export it; torch.fx sees the module)."""
        return [("shuffle", str(node.attrs["groups"]))]

    def match_onnx(self, op, around):
        """ShuffleNet's channel_shuffle (torchvision shufflenetv2.py): channels viewed as
        (G, C/G), the two axes swapped, viewed back as C."""
        from .spelling import Matched, follow

        source, split = around.shape(op.inputs[0]), op.shape
        if not source or not split or len(source) != 4 or len(split) != 5 or None in source:
            return None
        n, c, h, w = source
        g = split[1]
        if not g or c % g or list(split) != [n, g, c // g, h, w]:
            return None
        chain = follow(around, op, "Transpose", "Identity?", "Reshape")
        if chain is None or list(chain[0].attrs.get("perm", ())) != [0, 2, 1, 3, 4] or \
                list(chain[-1].shape or ()) != list(source):
            return None
        return Matched((op, *chain), [("shuffle", str(g))])

    def saved(self, a, ins, out, grads):
        """Measured with saved_tensors_hooks (torch 2.13): nn.ChannelShuffle's
        ChannelShuffleBackward0 and the view/transpose/contiguous/view form save no tensor."""
        return ()

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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    onnx_ops = ("Slice", "Split")
    torch_functions = ("getitem",)  # x[:, a:b] (and x[:, :, a:b, c:d], handed to crop)
    torch_aten_ops = ("slice",)

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
        if axes is not None and len(axes) and all(int(x) % 4 in (2, 3) for x in axes):
            from .padding import Crop  # a Slice of the height and width is a crop

            return Crop().from_onnx(node, ins)
        steps = node.const(4)
        c = ins[0][-1]
        if starts is None or ends is None or len(starts) != 1 or (axes is not None and int(axes[0]) % 4 != 1) \
                or (steps is not None and int(steps[0]) != 1):
            raise Unmappable("Slice other than a channel range")
        lo, hi = int(starts[0]), min(int(ends[0]), c)
        return [("slice", f"{lo % c if lo < 0 else lo}:{hi % c if hi < 0 else hi}")]
    def saved(self, a, ins, out, grads):
        return ()  # a copy, pad, nearest upsampling or slice keeps only sizes

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        lo, hi = a["range"]
        return TorchCode(None, f"{{0}}[:, {lo}:{hi}]")

    def keras(self, a, ins, out):
        from ..interop.export_code import Unsupported

        raise Unsupported("Keras has no channel-slice layer (only a Lambda, which does not save portably)")
