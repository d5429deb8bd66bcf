"""Convolutions: conv, dwconv, sepconv, deconv."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import Layer, Part, RFStep, elements, register, spatial
from .conv_table import TABLE, keras_table, table_links, torch_table, torch_table_arrays
from .options import CHANNELS, GROUPS, MULT, SPATIAL, Option, pair, takes
from .window import window_out

_PAD_WORDS = {"same": ("padding", "same"), "valid": ("padding", "valid")}
OUTPAD = Option("outpad", lambda v: pair(v, "output padding", 0),
                "output padding is 0 or more, below the stride")


class _Conv(Layer):
    """What every convolution shares: weights, a bias add per output element, and the
    MACs / bias entries of the ledger."""

    category = "weight"
    words = {**_PAD_WORDS, "nobias": ("bias", False)}
    has_bias = True
    keras_activation_arg = True  # Conv2D(..., activation="relu")
    ledger_categories = {"macs": "conv.macs", "bias": "conv.bias"}

    def other_ops(self, a, ins, out):
        return dims.product(out) if a["bias"] else 0

    def ledger(self, a, ins, out, counts):
        return {"macs": counts.macs, "bias": counts.other_ops}

    # ---- training (conv, dwconv; deconv has its own)
    def backward_macs(self, a, ins, out):
        """Input gradient: a transposed convolution of the output gradient with the
        weight; weight gradient: a convolution of the input with the output gradient.
        Each multiplies the same pairs as the forward (torch.utils.flop_counter
        conv_backward_flop, without its groups-times overcount of the weight part)."""
        m = self.macs(a, ins, out)
        return (m, m)


def _window_temporaries(a, ins, out, groups):
    """A convolution's padded copy and im2col matrix (kernels.conv2d); depthwise: one
    einsum over the window view, no copy; grouped: the transposed result too."""
    from ..execute.kernels import window_axes

    h, w, c = ins[0]
    ah, aw = window_axes(a, h, w)
    padded = (h + ah.before + ah.after) * (w + aw.before + aw.after) * c \
        if ah.before or ah.after or aw.before or aw.after else 0
    if c // groups == 1:
        return padded
    cols = ah.count * aw.count * ah.k * aw.k * c  # im2col: every window, copied
    return padded + cols + (elements(out) if groups > 1 else 0)


def _rf(a, ins):
    h, w, _ = ins[0]
    _, (t, _b, l, _r) = window_out(a, h, w)
    return RFStep(a["kernel"], a.get("stride", (1, 1)), a.get("dilation", (1, 1)), (t, l))


def _saved_input(a, ins):
    """What a convolution saves of its input (derivatives.yaml, convolution: input and
    weight): the input itself, or with uneven padding ('same' with a stride or an even
    kernel) the padded copy PyTorch convolves (constant_pad_nd first)."""
    from .autograd import Saved

    h, w, c = ins[0]
    _, (t, b, l, r) = window_out(a, h, w)
    if t == b and l == r:
        return Saved(0)
    return Saved("new", (h + t + b) * (w + l + r) * c)


def _conv_saved(layer, a, ins, out):
    """convolution_backward needs the input and the weight (not the bias), saved whichever
    gradient is asked for (unlike addmm)."""
    from .autograd import Saved

    weight = layer.params(a, ins, out) - (out[2] if a["bias"] else 0)
    return (_saved_input(a, ins), Saved("weight", weight, per_sample=False))
@register
class Conv(_Conv):
    """Standard (grouped) convolution `conv K N [gG] [nobias]`; padding defaults to valid.

    out = floor((H + pt + pb - k') / s) + 1 per axis (k' = d*(k-1) + 1)
    params = kh*kw*(C/g)*N + N (bias)
    MACs = Hout*Wout*N * kh*kw*C/g
    other ops: one bias add per output element
    """

    name = "conv"
    aliases = ("conv2d",)
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = takes(*SPATIAL, GROUPS, CHANNELS, TABLE)
    defaults = {"stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True}
    example = "conv 3x3 64 same"
    keras_class = "Conv2D"
    width_scaled = True

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        g, n = a["groups"], a["channels"]
        if dims.is_number(c) and c % g:
            raise ShapeError(f"groups={g} does not divide the {c} input channels",
                             hint=f"choose groups that divides {c}")
        if dims.is_number(n) and n % g:
            raise ShapeError(f"groups={g} does not divide the {n} output channels",
                             hint=f"choose an output channel count that is a multiple of {g}")
        table = a.get("table")
        if table:  # a partial connection table (LeNet-5's C3)
            if g != 1 or len(table) != n or (dims.is_number(c) and max(max(r) for r in table) >= c):
                raise ShapeError(f"the connection table needs one row per output map ({n}), input "
                                 f"maps below {c}, and no groups", hint="e.g. conv 5x5 2 table=((0, 1), (1, 2))")
        (oh, ow), _ = window_out(a, h, w)
        return (oh, ow, n)

    def params(self, a, ins, out):
        kh, kw = a["kernel"]
        c, n, g = ins[0][2], a["channels"], a["groups"]
        links = table_links(a, c)
        if links is not None:  # LeNet-5's C3: one kh*kw kernel per table entry
            return kh * kw * links + (n if a["bias"] else 0)
        return kh * kw * dims.divide(c, g) * n + (n if a["bias"] else 0)

    def macs(self, a, ins, out):
        kh, kw = a["kernel"]
        c, g = ins[0][2], a["groups"]
        oh, ow, n = out
        links = table_links(a, c)
        if links is not None:
            return (oh * ow) * (kh * kw * links)  # positions × the table's kernels
        return (oh * ow * n) * (kh * kw * dims.divide(c, g))  # outputs × window

    def rf(self, a, ins):
        return _rf(a, ins)

    def temporaries(self, a, ins, out):
        return _window_temporaries(a, ins, out, a["groups"])

    def run(self, a, xs, tape):
        """One matmul over the window view; grouped: one stacked matmul."""
        from ..execute.kernels import conv2d, window_axes

        x = xs[0]
        (kh, kw), g, n = a["kernel"], a["groups"], a["channels"]
        if a.get("table"):  # each output map from its own input maps (LeNet-5's C3)
            import numpy as np

            axes = window_axes(a, x.shape[1], x.shape[2])
            maps = [conv2d(tape, x[..., list(row)], tape.param((kh, kw, len(row), 1), fan_in=kh * kw * len(row)),
                           tape.param((1,)) if a["bias"] else None, *axes) for row in a["table"]]
            return np.concatenate(maps, axis=-1)
        cg = x.shape[3] // g
        weight = tape.param((kh, kw, cg, n), fan_in=kh * kw * cg)
        bias = tape.param((n,)) if a["bias"] else None
        return conv2d(tape, x, weight, bias, *window_axes(a, x.shape[1], x.shape[2]), groups=g)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Conv2D",)
    onnx_ops = ("Conv",)
    torch_aten_ops = ("conv2d",)
    torch_modules = ("Conv2d",)  # read through the ONNX hook (the torch importer views a module as its ONNX node)

    def from_keras(self, cfg, ins):
        from .spelling import dims, join, keras_window

        g = cfg.get("groups", 1)
        return [("conv", join(dims(cfg["kernel_size"]), cfg["filters"], keras_window(cfg), f"g{g}" if g > 1 else "",
                              "" if cfg.get("use_bias", True) else "nobias"))]

    def from_onnx(self, node, ins):
        from .spelling import dims, join, onnx_window, weight_shape

        n, _, kh, kw = weight_shape(node, 1)
        g, c = node.attrs.get("group", 1), ins[0][2]
        window = onnx_window(node.attrs, (kh, kw))
        bias = "" if node.has_input(2) else "nobias"
        if g > 1 and g == c and n % c == 0:  # one filter group per channel: depthwise
            return [("dwconv", join(dims((kh, kw)), window, f"m{n // c}" if n > c else "", bias))]
        return [("conv", join(dims((kh, kw)), n, window, f"g{g}" if g > 1 else "", bias))]

    # ---- training
    def saved(self, a, ins, out, grads):
        return _conv_saved(self, a, ins, out)  # with a table: TableConv's slices are views

    def pytorch(self, a, ins, out):
        from ..interop.export_window import torch_conv

        if a.get("table"):
            return torch_table(a, ins)
        return torch_conv(a, ins, ins[0][2], a["channels"], a["groups"])

    def keras(self, a, ins, out):
        from ..interop.export_window import _opt, keras_conv

        if a.get("table"):
            return keras_table(a, ins)
        return keras_conv(a, ins, "Conv2D", a["channels"], groups=_opt(a["groups"], 1))

    def torch_arrays(self, a, arrays):
        if a.get("table"):
            return torch_table_arrays(a, arrays)
        weight, *bias = arrays  # (kh, kw, C/g, N) -> PyTorch's (N, C/g, kh, kw)
        return [weight.transpose(3, 2, 0, 1), *bias]
    def cell(self, a, xs, params, index):
        """Sum over the window of the filter's channels: x times w, plus the bias."""
        from ..execute.kernels import window_at
        from ..grids import Cell

        r, c, k = index
        values, _inside, _ = window_at(a, xs[0][0], r, c)  # (C, kh, kw), padding as 0
        weight = params[0]  # (kh, kw, C/g, N)
        cg = weight.shape[2]
        first = (k // (a["channels"] // a["groups"])) * cg  # the group's first input channel
        terms = tuple((values[first + ci, i, j], weight[i, j, ci, k])
                      for ci in range(cg) for i in range(weight.shape[0]) for j in range(weight.shape[1]))
        bias = params[1][k] if len(params) > 1 else None
        return Cell(index, "sum", terms, bias, sum(x * w for x, w in terms) + (bias or 0))


@register
class DepthwiseConv(_Conv):
    """Depthwise convolution `dwconv K [mM]`: one K filter per input channel (M per
    channel), output channels C*M; bias on by default (Keras DepthwiseConv2D).

    params = kh*kw*C*M + C*M; MACs = Hout*Wout*C*M * kh*kw
    """

    name = "dwconv"
    aliases = ("depthwise",)
    positional = ("kernel",)
    required = ("kernel",)
    options = takes(*SPATIAL, MULT)
    defaults = {"stride": (1, 1), "dilation": (1, 1), "mult": 1, "bias": True}
    example = "dwconv 3x3"
    keras_class = "DepthwiseConv2D"

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        (oh, ow), _ = window_out(a, h, w)
        return (oh, ow, c * a["mult"])

    def params(self, a, ins, out):
        kh, kw = a["kernel"]
        n = out[2]
        return kh * kw * n + (n if a["bias"] else 0)

    def macs(self, a, ins, out):
        kh, kw = a["kernel"]
        return dims.product(out) * (kh * kw)  # outputs × window

    def rf(self, a, ins):
        return _rf(a, ins)

    def temporaries(self, a, ins, out):
        return _window_temporaries(a, ins, out, ins[0][2])

    def run(self, a, xs, tape):
        """A convolution with one group per input channel (one einsum over the view)."""
        from ..execute.kernels import conv2d, window_axes

        x = xs[0]
        (kh, kw), c = a["kernel"], x.shape[3]
        n = c * a["mult"]
        weight = tape.param((kh, kw, 1, n), fan_in=kh * kw)
        bias = tape.param((n,)) if a["bias"] else None
        return conv2d(tape, x, weight, bias, *window_axes(a, x.shape[1], x.shape[2]), groups=c)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("DepthwiseConv2D",)

    def from_keras(self, cfg, ins):
        from .spelling import dims, join, keras_window

        m = cfg.get("depth_multiplier", 1)
        return [("dwconv", join(dims(cfg["kernel_size"]), keras_window(cfg), f"m{m}" if m > 1 else "",
                                "" if cfg.get("use_bias", True) else "nobias"))]

    # ---- training
    def saved(self, a, ins, out, grads):
        return _conv_saved(self, a, ins, out)

    def pytorch(self, a, ins, out):
        from ..interop.export_window import torch_conv

        return torch_conv(a, ins, ins[0][2], out[2], ins[0][2])  # groups = input channels

    def keras(self, a, ins, out):
        from ..interop.export_window import _opt, keras_conv

        return keras_conv(a, ins, "DepthwiseConv2D", depth_multiplier=_opt(a["mult"], 1))

    def torch_arrays(self, a, arrays):
        weight, *bias = arrays  # (kh, kw, 1, C*M) -> PyTorch's (C*M, 1, kh, kw)
        return [weight.transpose(3, 2, 0, 1), *bias]
    def cell(self, a, xs, params, index):
        """One channel's window times its own filter, plus the bias."""
        from ..execute.kernels import window_at
        from ..grids import Cell

        r, c, k = index
        values, _inside, _ = window_at(a, xs[0][0], r, c)
        weight = params[0]  # (kh, kw, 1, C*M): output k filters input channel k // M
        terms = tuple((values[k // a["mult"], i, j], weight[i, j, 0, k])
                      for i in range(weight.shape[0]) for j in range(weight.shape[1]))
        bias = params[1][k] if len(params) > 1 else None
        return Cell(index, "sum", terms, bias, sum(x * w for x, w in terms) + (bias or 0))


@register
class SeparableConv(_Conv):
    """Depthwise-separable convolution `sepconv K N [mM]`: a depthwise K (no bias) then a
    pointwise `conv 1x1 N` carrying the bias, reported as two rows under one name like
    Keras SeparableConv2D."""

    name = "sepconv"
    aliases = ("separable",)
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = takes(*SPATIAL, MULT, CHANNELS)
    defaults = {"stride": (1, 1), "dilation": (1, 1), "mult": 1, "bias": True}
    example = "sepconv 3x3 64 same"
    keras_class = "SeparableConv2D"
    width_scaled = True
    composite = True

    def expand(self, a, ins):
        spatial_attrs = {k: a[k] for k in ("kernel", "stride", "dilation", "padding", "pad") if k in a}
        return [Part("dwconv", {**spatial_attrs, "mult": a["mult"], "bias": False}, "depthwise"),
                Part("conv", {"kernel": (1, 1), "channels": a["channels"], "stride": (1, 1),
                              "dilation": (1, 1), "groups": 1, "bias": a["bias"]}, "pointwise")]

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("SeparableConv2D",)

    def from_keras(self, cfg, ins):
        from .spelling import dims, join, keras_window

        m = cfg.get("depth_multiplier", 1)
        return [("sepconv", join(dims(cfg["kernel_size"]), cfg["filters"], keras_window(cfg), f"m{m}" if m > 1 else "",
                                 "" if cfg.get("use_bias", True) else "nobias"))]

    def pytorch(self, a, ins, out):
        return None  # never reached: the graph holds its depthwise and pointwise nodes

    def keras(self, a, ins, out):
        return None  # idem (two rows, as the spec reports it)
