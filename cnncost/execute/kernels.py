"""The executor's array kernels, NHWC float32, with no Python loop over pixels or channels.

A convolution is one matmul over the window view that
`numpy.lib.stride_tricks.sliding_window_view` gives of the padded input (im2col); groups
are one stacked matmul; depthwise (one input channel per group) is one einsum over the
view. A transposed convolution is one matmul that scatters each input element into a
kh x kw patch, summed tap by tap (a loop over the kh*kw taps only). Pooling reduces the
same window view.

The padding rules are restated here from the frameworks (TensorFlow's 'same', PyTorch's
ceil mode) rather than taken from the analytic shape rules, so that a wrong shape rule
shows up as a shape mismatch in `cnncost verify`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .tape import FLOAT, Tape


# --------------------------------------------------------------------------- windows
class Axis(NamedTuple):
    """One spatial axis of a windowed layer as the executor applies it."""

    k: int
    s: int
    d: int
    before: int  # padding rows added before the input
    after: int  # and after it, including a ceil-mode overhang
    counted: tuple  # the padded coordinates [lo, hi) an average divides by
    count: int  # windows along the axis


def window_axes(a, size_h: int, size_w: int) -> tuple[Axis, Axis]:
    """The padding a windowed layer with attributes `a` (conv, dwconv, pooling) applies
    to an input of size_h x size_w."""
    kernel = a["kernel"]
    stride = a.get("stride") or kernel  # pooling: stride defaults to the kernel
    dilation = a.get("dilation", (1, 1))
    mode = a.get("padding") or ("explicit" if "pad" in a else "valid")
    t, b, l, r = a.get("pad", (0, 0, 0, 0)) if mode == "explicit" else (0, 0, 0, 0)
    ceil = a.get("ceil", False)
    return (_axis(size_h, kernel[0], stride[0], dilation[0], mode, t, b, ceil),
            _axis(size_w, kernel[1], stride[1], dilation[1], mode, l, r, ceil))


def _axis(size, k, s, d, mode, before, after, ceil) -> Axis:
    span = d * (k - 1) + 1
    if mode == "same":  # TensorFlow: ceil(size / s) windows, centred, extra row after
        count = -(-size // s)
        total = max((count - 1) * s + span - size, 0)
        before = total // 2
        return Axis(k, s, d, before, total - before, (before, before + size), count)
    padded = size + before + after
    count = (padded - span) // s + 1  # every window that fits
    if ceil:  # PyTorch ceil_mode: a last partial window; none may start in the right padding
        count = -(-(padded - span) // s) + 1
        if (count - 1) * s >= size + before:
            count -= 1
    overhang = max((count - 1) * s + span - padded, 0)
    return Axis(k, s, d, before, after + overhang, (0, padded), count)


def pad_hw(x: np.ndarray, h: Axis, w: Axis, value=0) -> np.ndarray:
    if not (h.before or h.after or w.before or w.after):
        return x
    return np.pad(x, ((0, 0), (h.before, h.after), (w.before, w.after), (0, 0)),
                  constant_values=value)


def windows(x: np.ndarray, h: Axis, w: Axis) -> np.ndarray:
    """The (already padded) input's windows: (N, out_h, out_w, C, kh, kw), a view."""
    view = sliding_window_view(x, (h.d * (h.k - 1) + 1, w.d * (w.k - 1) + 1), axis=(1, 2))
    return view[:, :h.count * h.s:h.s, :w.count * w.s:w.s, :, ::h.d, ::w.d]


def window_at(a, x: np.ndarray, row: int, col: int):
    """The window of output cell (row, col) of a windowed layer on x (H, W, C): its values
    (C, kh, kw) with padding as 0, and which taps lie on the input (kh, kw) and which an
    average counts (kh, kw) -- the working of one cell in values mode."""
    h, w = window_axes(a, x.shape[0], x.shape[1])
    padded = pad_hw(x[None], h, w)[0]
    rows = [row * h.s + i * h.d for i in range(h.k)]
    cols = [col * w.s + j * w.d for j in range(w.k)]
    values = padded[np.ix_(rows, cols)].transpose(2, 0, 1)
    inside = np.array([[h.before <= r < h.before + x.shape[0] and w.before <= c < w.before + x.shape[1]
                        for c in cols] for r in rows])
    counted = np.array([[h.counted[0] <= r < h.counted[1] and w.counted[0] <= c < w.counted[1]
                         for c in cols] for r in rows])
    return values, inside, counted


# --------------------------------------------------------------------------- convolutions
def conv2d(tape: Tape, x: np.ndarray, weight: np.ndarray, bias, h: Axis, w: Axis,
           groups: int = 1) -> np.ndarray:
    """Convolution; `weight` is (kh, kw, C/groups, N) and output channel o belongs to group
    o // (N/groups) (PyTorch's layout of groups, TensorFlow's HWIO order)."""
    kh, kw, cg, n = weight.shape
    view = windows(pad_hw(x, h, w), h, w)  # (B, oh, ow, C, kh, kw)
    batch, oh, ow, c = view.shape[:4]
    rows = batch * oh * ow
    if groups == 1:
        cols = view.transpose(0, 1, 2, 4, 5, 3).reshape(rows, kh * kw * c)  # im2col (a copy)
        y = tape.matmul(cols, weight.reshape(kh * kw * c, n))
    elif cg == 1:  # depthwise: output channel c*M + m filters input channel c
        m = n // groups
        y = tape.einsum("bhwcij,ijcm->bhwcm", view, weight.reshape(kh, kw, groups, m))
    else:
        ng = n // groups
        cols = (view.reshape(batch, oh, ow, groups, cg, kh, kw)
                .transpose(3, 0, 1, 2, 5, 6, 4).reshape(groups, rows, kh * kw * cg))
        wg = weight.reshape(kh * kw * cg, groups, ng).transpose(1, 0, 2)
        y = tape.matmul(cols, wg).transpose(1, 0, 2)  # (rows, groups, ng)
    y = y.reshape(batch, oh, ow, n)  # a new array: the bias is added in place
    if bias is not None:
        y += bias
    return y


def conv_transpose2d(tape: Tape, x: np.ndarray, weight: np.ndarray, bias, stride, dilation,
                     crop: tuple[int, int], out_size: tuple[int, int], groups: int = 1) -> np.ndarray:
    """Transposed convolution as the scatter it is: every input element times a
    kh x kw x N/g patch of `weight` (C, kh, kw, N/groups), added into the output at
    stride s; then `crop` rows/columns are cut from the top/left and the output is
    `out_size` (zeros past the scattered area, PyTorch's output_padding)."""
    c, kh, kw, ng = weight.shape
    batch, hin, win, _ = x.shape
    n = ng * groups
    (sh, sw), (dh, dw) = stride, dilation
    rows = batch * hin * win
    if groups == 1:
        patches = tape.matmul(x.reshape(rows, c), weight.reshape(c, kh * kw * ng))
        patches = patches.reshape(batch, hin, win, kh, kw, n)
    else:
        cg = c // groups
        xg = x.reshape(rows, groups, cg).transpose(1, 0, 2)  # (g, rows, C/g)
        wg = weight.reshape(groups, cg, kh * kw * ng)
        patches = tape.matmul(xg, wg).reshape(groups, batch, hin, win, kh, kw, ng)
        patches = patches.transpose(1, 2, 3, 4, 5, 0, 6).reshape(batch, hin, win, kh, kw, n)
    (top, left), (oh, ow) = crop, out_size
    full_h = max((hin - 1) * sh + dh * (kh - 1) + 1, top + oh)
    full_w = max((win - 1) * sw + dw * (kw - 1) + 1, left + ow)
    full = np.zeros((batch, full_h, full_w, n), dtype=FLOAT)
    for i in range(kh):  # one strided add per kernel tap
        for j in range(kw):
            full[:, i * dh:i * dh + (hin - 1) * sh + 1:sh,
                 j * dw:j * dw + (win - 1) * sw + 1:sw, :] += patches[:, :, :, i, j, :]
    y = full[:, top:top + oh, left:left + ow, :]
    if bias is not None:
        y = y + bias
    return np.ascontiguousarray(y)


def transposed_geometry(a, hin: int, win: int):
    """(crop top/left, output size) of a transposed convolution: PyTorch's
    (H-1)*s - pt - pb + d*(k-1) + outpad + 1, or Keras's H*s with 'same' (the gradient of
    a TensorFlow 'same' convolution of an H*s input)."""
    kernel, stride, dilation = a["kernel"], a["stride"], a["dilation"]
    if a.get("padding") == "same":
        crop = tuple(_axis(size * s, k, s, d, "same", 0, 0, False).before
                     for size, k, s, d in zip((hin, win), kernel, stride, dilation))
        return crop, (hin * stride[0], win * stride[1])
    t, b, l, r = a.get("pad", (0, 0, 0, 0)) if a.get("padding") != "valid" else (0, 0, 0, 0)
    out = tuple((size - 1) * s - before - after + d * (k - 1) + op + 1 for size, k, s, d, before, after, op
                in zip((hin, win), kernel, stride, dilation, (t, l), (b, r), a["outpad"]))
    return (t, l), out


# --------------------------------------------------------------------------- pooling
def pool2d(x: np.ndarray, reduce: str, h: Axis, w: Axis) -> np.ndarray:
    """Windowed max / min / average / L2 pooling. Max and min never pick the padding;
    average divides by the window's cells inside the explicitly padded input (PyTorch's
    count_include_pad) or, with 'same', inside the input (TensorFlow) -- 0 for a dilated
    window that holds no such cell; L2 pads with 0."""
    if reduce in ("max", "min"):
        fill = -np.inf if reduce == "max" else np.inf
        view = windows(pad_hw(x, h, w, fill), h, w)
        return (view.max if reduce == "max" else view.min)(axis=(4, 5))
    if reduce == "l2":
        view = windows(pad_hw(x * x, h, w), h, w)
        return np.sqrt(view.sum(axis=(4, 5)))
    view = windows(pad_hw(x, h, w), h, w)
    cells = _cells(x.shape[1], h, x.dtype)[:, None] * _cells(x.shape[2], w, x.dtype)[None, :]
    return view.sum(axis=(4, 5)) / np.maximum(cells, 1)[None, :, :, None]


def _cells(size: int, axis: Axis, dtype=FLOAT) -> np.ndarray:
    """Per output position along one axis: the window cells an average divides by
    (whole numbers in the input's dtype: Python ints for the exact values mode)."""
    counted = np.zeros(axis.before + size + axis.after, dtype=np.int64)
    counted[axis.counted[0]:axis.counted[1]] = 1
    span = axis.d * (axis.k - 1) + 1
    return sliding_window_view(counted, span)[:axis.count * axis.s:axis.s, ::axis.d].sum(axis=1).astype(dtype)


def global_pool(x: np.ndarray, reduce: str) -> np.ndarray:
    return (x.mean if reduce == "avg" else x.max)(axis=(1, 2), keepdims=True)


def adaptive_pool(x: np.ndarray, reduce: str, out_h: int, out_w: int) -> np.ndarray:
    """PyTorch's adaptive pooling: output cell i spans floor(i*H/out) .. ceil((i+1)*H/out).
    The windows are gathered with index arrays (the last index repeated in shorter
    windows, masked out of averages), so every cell is reduced at once."""
    rows, row_mask = _adaptive_index(x.shape[1], out_h)
    cols, col_mask = _adaptive_index(x.shape[2], out_w)
    gathered = x[:, rows[:, :, None, None], cols[None, None, :, :], :]  # (B, oh, kh, ow, kw, C)
    if reduce == "max":
        return gathered.max(axis=(2, 4))
    mask = (row_mask[:, :, None, None] * col_mask[None, None, :, :])[..., None]
    return (gathered * mask).sum(axis=(2, 4)) / mask.sum(axis=(1, 3))


def _adaptive_index(size: int, out: int):
    starts = np.arange(out) * size // out
    ends = -(-(np.arange(out) + 1) * size // out)
    longest = int((ends - starts).max())
    index = starts[:, None] + np.arange(longest)[None, :]
    mask = (index < ends[:, None]).astype(FLOAT)
    return np.minimum(index, ends[:, None] - 1), mask


# --------------------------------------------------------------------------- elementwise
def erf(x: np.ndarray) -> np.ndarray:
    """The error function to 1.5e-7 (Abramowitz & Stegun 7.1.26); NumPy has none."""
    t = 1 / (1 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1 - poly * np.exp(-x * x))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), written with tanh so that no exponential overflows."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def local_response_norm(x: np.ndarray, size: int, alpha=1e-4, beta=0.75, k=1.0) -> np.ndarray:
    """PyTorch's LocalResponseNorm across channels: x / (k + alpha/size * sum of squares
    over `size` neighbouring channels)^beta."""
    squares = np.pad(x * x, ((0, 0), (0, 0), (0, 0), (size // 2, (size - 1) // 2)))
    window = sliding_window_view(squares, size, axis=3).sum(axis=-1)
    return x / (k + alpha / size * window) ** beta


def normalize(x, mean, var, gamma=None, beta=None, eps=1e-5) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) [* gamma] [+ beta], folded to one multiply-add."""
    scale = 1 / np.sqrt(var + eps)
    if gamma is not None:
        scale = scale * gamma
    shift = -mean * scale if beta is None else beta - mean * scale
    y = x * scale
    y += shift
    return y


def zero_pad(x: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def concat(xs: list) -> np.ndarray:
    return np.concatenate(xs, axis=-1)


