"""Convolutions: conv, dwconv, sepconv, deconv."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import Layer, RFStep, register, spatial
from .window import window_out

_SPATIAL = frozenset({"kernel", "stride", "pad", "dilation"})
_PAD_WORDS = {"same": ("padding", "same"), "valid": ("padding", "valid")}


def _rf(a, ins):
    h, w, _ = ins[0]
    _, (t, _b, l, _r) = window_out(a, h, w)
    return RFStep(a["kernel"], a.get("stride", (1, 1)), a.get("dilation", (1, 1)), (t, l))


@register
class Conv(Layer):
    """Standard (grouped) convolution `conv K N [gG] [nobias]`; padding defaults to valid.

    out = floor((H + pt + pb - k') / s) + 1 per axis (k' = d*(k-1) + 1)
    params = kh*kw*(C/g)*N + N (bias)
    MACs = Hout*Wout*N * kh*kw*C/g
    other ops: one bias add per output element
    """

    name = "conv"
    aliases = ("conv2d",)
    category = "weight"
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = _SPATIAL | {"groups", "channels"}
    words = {**_PAD_WORDS, "nobias": ("bias", False)}
    defaults = {"stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True}
    width_scaled = True
    has_bias = True

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        g, n = a["groups"], a["channels"]
        if dims.is_number(c) and c % g:
            raise ShapeError(f"groups={g} does not divide the {c} input channels",
                             hint=f"choose groups that divides {c}")
        if dims.is_number(n) and n % g:
            raise ShapeError(f"groups={g} does not divide the {n} output channels",
                             hint=f"choose an output channel count that is a multiple of {g}")
        (oh, ow), _ = window_out(a, h, w)
        return (oh, ow, n)

    def params(self, a, ins, out):
        kh, kw = a["kernel"]
        c, n, g = ins[0][2], a["channels"], a["groups"]
        return kh * kw * dims.divide(c, g) * n + (n if a["bias"] else 0)

    def macs(self, a, ins, out):
        kh, kw = a["kernel"]
        c, g = ins[0][2], a["groups"]
        oh, ow, n = out
        return (oh * ow * n) * (kh * kw * dims.divide(c, g))  # outputs × window

    def other_ops(self, a, ins, out):
        return dims.product(out) if a["bias"] else 0

    def rf(self, a, ins):
        return _rf(a, ins)

    def run(self, a, xs, tape):
        """One matmul over the window view; grouped: one stacked matmul."""
        from ..execute.kernels import conv2d, window_axes

        x = xs[0]
        (kh, kw), g, n = a["kernel"], a["groups"], a["channels"]
        cg = x.shape[3] // g
        weight = tape.param((kh, kw, cg, n), fan_in=kh * kw * cg)
        bias = tape.param((n,)) if a["bias"] else None
        return conv2d(tape, x, weight, bias, *window_axes(a, x.shape[1], x.shape[2]), groups=g)

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
class DepthwiseConv(Layer):
    """Depthwise convolution `dwconv K [mM]`: one K filter per input channel (M per
    channel), output channels C*M; bias on by default (Keras DepthwiseConv2D).

    params = kh*kw*C*M + C*M; MACs = Hout*Wout*C*M * kh*kw
    """

    name = "dwconv"
    aliases = ("depthwise",)
    category = "weight"
    positional = ("kernel",)
    required = ("kernel",)
    options = _SPATIAL | {"mult"}
    words = {**_PAD_WORDS, "nobias": ("bias", False)}
    defaults = {"stride": (1, 1), "dilation": (1, 1), "mult": 1, "bias": True}
    has_bias = True

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

    def other_ops(self, a, ins, out):
        return dims.product(out) if a["bias"] else 0

    def rf(self, a, ins):
        return _rf(a, ins)

    def run(self, a, xs, tape):
        """A convolution with one group per input channel (one einsum over the view)."""
        from ..execute.kernels import conv2d, window_axes

        x = xs[0]
        (kh, kw), c = a["kernel"], x.shape[3]
        n = c * a["mult"]
        weight = tape.param((kh, kw, 1, n), fan_in=kh * kw)
        bias = tape.param((n,)) if a["bias"] else None
        return conv2d(tape, x, weight, bias, *window_axes(a, x.shape[1], x.shape[2]), groups=c)

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
class SeparableConv(Layer):
    """Depthwise-separable convolution `sepconv K N [mM]`: a depthwise K (no bias) then a
    pointwise `conv 1x1 N` carrying the bias, reported as two rows under one name like
    Keras SeparableConv2D."""

    name = "sepconv"
    aliases = ("separable",)
    category = "weight"
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = _SPATIAL | {"mult", "channels"}
    words = {**_PAD_WORDS, "nobias": ("bias", False)}
    defaults = {"stride": (1, 1), "dilation": (1, 1), "mult": 1, "bias": True}
    width_scaled = True
    has_bias = True
    composite = True

    def expand(self, builder, a, source):
        spatial_attrs = {k: a[k] for k in ("kernel", "stride", "dilation", "padding", "pad") if k in a}
        dw = builder.add_node("dwconv", {**spatial_attrs, "mult": a["mult"], "bias": False},
                              (source,), name="depthwise")
        return builder.add_node("conv", {"kernel": (1, 1), "channels": a["channels"], "stride": (1, 1),
                                         "dilation": (1, 1), "groups": 1, "bias": a["bias"]},
                                (dw,), name="pointwise")


@register
class TransposedConv(Layer):
    """Transposed convolution `deconv K N [sS] [pP] [outpad=P]` (PyTorch ConvTranspose2d).

    out = (H - 1)*s - pt - pb + d*(k - 1) + outpad + 1; with `same`, out = H*s (Keras)
    params = kh*kw*(C/g)*N + N; MACs = Hin*Win*C * kh*kw*N/g (each input element is
    multiplied into a kh x kw x N/g patch, as torch's FlopCounterMode counts it)
    """

    name = "deconv"
    aliases = ("convtranspose", "conv2dtranspose")
    category = "weight"
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = _SPATIAL | {"groups", "outpad", "channels"}
    words = {**_PAD_WORDS, "nobias": ("bias", False)}
    defaults = {"stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True, "outpad": (0, 0)}
    width_scaled = True
    has_bias = True

    def _axis(self, size, k, s, d, before, after, op, mode, axis):
        if mode == "same":
            return size * s
        out = (size - 1) * s - before - after + d * (k - 1) + op + 1
        if dims.known_below(out, 1):
            raise ShapeError(f"output {axis} would be {out}: ({size} - 1)*{s} - {before} - {after} "
                             f"+ {d}*({k} - 1) + {op} + 1", hint="reduce the padding")
        return out

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        g, n = a["groups"], a["channels"]
        if dims.is_number(c) and c % g:
            raise ShapeError(f"groups={g} does not divide the {c} input channels")
        (kh, kw), (sh, sw), (dh, dw) = a["kernel"], a["stride"], a["dilation"]
        mode = a.get("padding") or "explicit"
        t, b, l, r = a.get("pad", (0, 0, 0, 0)) if mode == "explicit" else (0, 0, 0, 0)
        oph, opw = a["outpad"]
        return (self._axis(h, kh, sh, dh, t, b, oph, mode, "height"),
                self._axis(w, kw, sw, dw, l, r, opw, mode, "width"), n)

    def params(self, a, ins, out):
        kh, kw = a["kernel"]
        c, n, g = ins[0][2], a["channels"], a["groups"]
        return kh * kw * c * dims.divide(n, g) + (n if a["bias"] else 0)

    def macs(self, a, ins, out):
        kh, kw = a["kernel"]
        n, g = a["channels"], a["groups"]
        return dims.product(ins[0]) * (kh * kw * dims.divide(n, g))  # inputs × patch

    def other_ops(self, a, ins, out):
        return dims.product(out) if a["bias"] else 0

    def rf(self, a, ins):
        (kh, kw), (sh, sw), (dh, dw) = a["kernel"], a["stride"], a["dilation"]
        # each output unit gathers ceil(k'/s) input positions; the jump shrinks by s
        return RFStep((dims.ceildiv(dh * (kh - 1) + 1, sh), dims.ceildiv(dw * (kw - 1) + 1, sw)),
                      (1, 1), (1, 1), (0, 0), (sh, sw))

    def run(self, a, xs, tape):
        """One matmul scattering each input element into a kh x kw x N/g patch."""
        from ..execute.kernels import conv_transpose2d, transposed_geometry

        x = xs[0]
        (kh, kw), g, n = a["kernel"], a["groups"], a["channels"]
        c = x.shape[3]
        weight = tape.param((c, kh, kw, n // g), fan_in=c // g)
        bias = tape.param((n,)) if a["bias"] else None
        crop, size = transposed_geometry(a, x.shape[1], x.shape[2])
        return conv_transpose2d(tape, x, weight, bias, a["stride"], a["dilation"], crop, size, g)
