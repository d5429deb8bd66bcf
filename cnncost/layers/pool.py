"""Pooling: windowed (max, avg, min, l2), global and adaptive."""
from __future__ import annotations

from .. import dims
from .base import GLOBAL, Layer, RFStep, register, spatial
from .window import window_out


class _WindowPool(Layer):
    """Shared rules of windowed pooling; stride defaults to the kernel size.

    out = floor((H + pt + pb - k') / s) + 1 (ceil with `ceil`, PyTorch ceil_mode)
    other ops: kh*kw per output element (one compare or add per window element)
    """

    category = "pool"
    positional = ("kernel",)
    required = ("kernel",)
    options = frozenset({"kernel", "stride", "pad", "dilation"})
    words = {"same": ("padding", "same"), "valid": ("padding", "valid"), "ceil": ("ceil", True)}
    defaults = {"dilation": (1, 1), "ceil": False}

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        (oh, ow), _ = window_out(a, h, w)
        return (oh, ow, c)

    def other_ops(self, a, ins, out):
        kh, kw = a["kernel"]
        return dims.product(out) * kh * kw

    def rf(self, a, ins):
        h, w, _ = ins[0]
        _, (t, _b, l, _r) = window_out(a, h, w)
        return RFStep(a["kernel"], a.get("stride") or a["kernel"], a["dilation"], (t, l))

    def run(self, a, xs, tape):
        from ..execute.kernels import pool2d, window_axes

        return pool2d(xs[0], self.reduce, *window_axes(a, xs[0].shape[1], xs[0].shape[2]))

    def cell(self, a, xs, params, index):
        """max/min of the window's input cells; an average sums the window and divides by
        the cells it counts (PyTorch's count_include_pad: explicit padding counts)."""
        from ..execute.kernels import window_at
        from ..grids import Cell

        r, c, k = index
        values, inside, counted = window_at(a, xs[0][0], r, c)
        rows, cols = range(values.shape[1]), range(values.shape[2])
        if self.reduce in ("max", "min"):
            terms = tuple(values[k, i, j] for i in rows for j in cols if inside[i, j])
            return Cell(index, self.reduce, terms, None, (max if self.reduce == "max" else min)(terms))
        if self.reduce == "avg":
            terms = tuple(values[k, i, j] for i in rows for j in cols if counted[i, j])
            return Cell(index, "avg", terms, None, sum(terms) / max(len(terms), 1))
        return super().cell(a, xs, params, index)


@register
class MaxPool(_WindowPool):
    """Max pooling `maxpool K [sS] [pP] [same|valid] [ceil]`; stride defaults to K."""

    name = "maxpool"
    reduce = "max"
    aliases = ("maxpool2d",)


@register
class AvgPool(_WindowPool):
    """Average pooling `avgpool K [sS] [pP] [same|valid] [ceil]`; stride defaults to K.

    The executor divides by the window cells inside the padded input (PyTorch's
    count_include_pad), or inside the input with `same` (TensorFlow)."""

    name = "avgpool"
    reduce = "avg"
    aliases = ("avgpool2d",)


@register
class MinPool(_WindowPool):
    """Min pooling `minpool K`; stride defaults to K."""

    name = "minpool"
    reduce = "min"


@register
class L2Pool(_WindowPool):
    """L2 pooling `l2pool K` (square root of the sum of squares); stride defaults to K."""

    name = "l2pool"
    reduce = "l2"


class _GlobalPool(Layer):
    """Global pooling to 1x1xC; other ops: one per input element."""

    category = "pool"

    def shape(self, a, ins):
        _, _, c = spatial(ins[0], self.name)
        return (1, 1, c)

    def other_ops(self, a, ins, out):
        return dims.product(ins[0])

    def rf(self, a, ins):
        return GLOBAL

    def run(self, a, xs, tape):
        from ..execute.kernels import global_pool

        return global_pool(xs[0], self.reduce)


@register
class GlobalAvgPool(_GlobalPool):
    """Global average pooling `gap`: HxWxC -> 1x1xC."""

    name = "gap"
    reduce = "avg"
    aliases = ("globalavgpool",)


@register
class GlobalMaxPool(_GlobalPool):
    """Global max pooling `gmp`: HxWxC -> 1x1xC."""

    name = "gmp"
    reduce = "max"
    aliases = ("globalmaxpool",)


def adaptive_windows(size, out):
    """PyTorch adaptive pooling: window i spans floor(i*H/out) .. ceil((i+1)*H/out)."""
    return [dims.ceildiv((i + 1) * size, out) - dims.floordiv(i * size, out) for i in range(out)]


class _AdaptivePool(Layer):
    """PyTorch adaptive pooling to a fixed output size; other ops: the sum of the
    (possibly overlapping) window sizes, per channel."""

    category = "pool"
    positional = ("output",)
    required = ("output",)
    options = frozenset({"output"})

    def shape(self, a, ins):
        _, _, c = spatial(ins[0], self.name)
        oh, ow = a["output"]
        return (oh, ow, c)

    def other_ops(self, a, ins, out):
        h, w, c = ins[0]
        oh, ow = a["output"]
        if all(dims.is_number(x) for x in (h, w, oh, ow)):
            return sum(adaptive_windows(h, oh)) * sum(adaptive_windows(w, ow)) * c
        return h * w * c

    def rf(self, a, ins):
        h, w, _ = ins[0]
        oh, ow = a["output"]
        kernel = (dims.ceildiv(h, oh), dims.ceildiv(w, ow))
        stride = (dims.floordiv(h, oh), dims.floordiv(w, ow))
        return RFStep(kernel, stride, (1, 1), (0, 0))

    def run(self, a, xs, tape):
        from ..execute.kernels import adaptive_pool

        return adaptive_pool(xs[0], self.reduce, *a["output"])


@register
class AdaptiveAvgPool(_AdaptivePool):
    """PyTorch AdaptiveAvgPool2d `adaptiveavgpool 7x7`."""

    name = "adaptiveavgpool"
    reduce = "avg"


@register
class AdaptiveMaxPool(_AdaptivePool):
    """PyTorch AdaptiveMaxPool2d `adaptivemaxpool 7x7`."""

    name = "adaptivemaxpool"
    reduce = "max"
