"""The slow reference: convolution, transposed convolution and pooling written as direct
loops over every output value, in float64, for tiny inputs only.

The tests hold the fast kernels (kernels.py) to these. They read the layer attributes
themselves (padding modes, ceil mode, dilation, groups) and share no code with the
kernels, so a wrong window view or im2col layout cannot hide in both. Kept in the package,
next to the kernels they define, so that whoever adds a kernel adds its loop here.
"""
from __future__ import annotations

import math

import numpy as np


def _padding(a, size: int, axis: int) -> tuple[int, int, int]:
    """(pad before, pad after, number of windows) along one axis, by counting windows."""
    k = a["kernel"][axis]
    s = (a.get("stride") or a["kernel"])[axis]
    d = a.get("dilation", (1, 1))[axis]
    span = d * (k - 1) + 1
    mode = a.get("padding") or ("explicit" if "pad" in a else "valid")
    if mode == "same":  # TensorFlow: ceil(size/s) outputs, padding centred, extra after
        count = math.ceil(size / s)
        total = max((count - 1) * s + span - size, 0)
        return total // 2, total - total // 2, count
    before, after = (0, 0) if mode == "valid" else \
        (a["pad"][0], a["pad"][1]) if axis == 0 else (a["pad"][2], a["pad"][3])
    padded = size + before + after
    count = 0
    if a.get("ceil"):  # PyTorch: windows up to a partial last one, none starting in the right pad
        while count * s < padded - span + s and count * s < size + before:
            count += 1
    else:
        while count * s + span <= padded:  # every window that fits
            count += 1
    return before, after, count


def conv2d(x, weight, bias, a, groups: int) -> np.ndarray:
    """out[n, i, j, o] = bias[o] + sum over the window and the group's input channels."""
    batch, height, width, channels = x.shape
    kh, kw, cg, n_out = weight.shape
    (sh, sw), (dh, dw) = a["stride"], a["dilation"]
    top, _, oh = _padding(a, height, 0)
    left, _, ow = _padding(a, width, 1)
    ng = n_out // groups
    out = np.zeros((batch, oh, ow, n_out))
    for b in range(batch):
        for i in range(oh):
            for j in range(ow):
                for o in range(n_out):
                    g = o // ng
                    total = float(bias[o]) if bias is not None else 0.0
                    for p in range(kh):
                        for q in range(kw):
                            y, z = i * sh + p * dh - top, j * sw + q * dw - left
                            if 0 <= y < height and 0 <= z < width:
                                for c in range(cg):
                                    total += float(x[b, y, z, g * cg + c]) * float(weight[p, q, c, o])
                    out[b, i, j, o] = total
    return out


def conv_transpose2d(x, weight, bias, a, groups: int) -> np.ndarray:
    """Each input value times its group's kh x kw x N/g filter, added at stride s into the
    output, then cropped: PyTorch's size, or Keras's H*s with `same`."""
    batch, height, width, channels = x.shape
    _, kh, kw, ng = weight.shape
    (sh, sw), (dh, dw) = a["stride"], a["dilation"]
    cg = channels // groups
    full_h, full_w = (height - 1) * sh + dh * (kh - 1) + 1, (width - 1) * sw + dw * (kw - 1) + 1
    if a.get("padding") == "same":
        out_h, out_w = height * sh, width * sw
        top = max(dh * (kh - 1) + 1 - sh, 0) // 2
        left = max(dw * (kw - 1) + 1 - sw, 0) // 2
    else:
        t, b_, l, r = a.get("pad", (0, 0, 0, 0)) if a.get("padding") != "valid" else (0, 0, 0, 0)
        out_h, out_w = full_h - t - b_ + a["outpad"][0], full_w - l - r + a["outpad"][1]
        top, left = t, l
    full = np.zeros((batch, max(full_h, top + out_h), max(full_w, left + out_w), ng * groups))
    for b in range(batch):
        for i in range(height):
            for j in range(width):
                for c in range(channels):
                    g = c // cg
                    for p in range(kh):
                        for q in range(kw):
                            for o in range(ng):
                                full[b, i * sh + p * dh, j * sw + q * dw, g * ng + o] += \
                                    float(x[b, i, j, c]) * float(weight[c, p, q, o])
    out = full[:, top:top + out_h, left:left + out_w, :].copy()
    if bias is not None:
        out += bias
    return out


def pool2d(x, reduce: str, a) -> np.ndarray:
    """Max / min over the window's cells inside the input; average over its cells inside
    the explicitly padded input (or, with `same`, the input; 0 if a dilated window holds
    none); L2 over the input."""
    batch, height, width, channels = x.shape
    (kh, kw), (sh, sw) = a["kernel"], a.get("stride") or a["kernel"]
    dh, dw = a.get("dilation", (1, 1))
    top, bottom, oh = _padding(a, height, 0)
    left, right, ow = _padding(a, width, 1)
    same = a.get("padding") == "same"
    out = np.zeros((batch, oh, ow, channels))
    for b in range(batch):
        for i in range(oh):
            for j in range(ow):
                for c in range(channels):
                    values, counted = [], 0
                    for p in range(kh):
                        for q in range(kw):
                            y, z = i * sh + p * dh - top, j * sw + q * dw - left
                            inside = 0 <= y < height and 0 <= z < width
                            if inside:
                                values.append(float(x[b, y, z, c]))
                            if inside if same else (y < height + bottom and z < width + right):
                                counted += 1
                    if reduce == "max":  # a window all in padding (pad > k/2): -inf
                        out[b, i, j, c] = max(values, default=-math.inf)
                    elif reduce == "min":
                        out[b, i, j, c] = min(values, default=math.inf)
                    elif reduce == "avg":
                        out[b, i, j, c] = sum(values) / counted if counted else 0.0
                    else:
                        out[b, i, j, c] = math.sqrt(sum(v * v for v in values))
    return out


def adaptive_pool(x, reduce: str, out_h: int, out_w: int) -> np.ndarray:
    """PyTorch's adaptive pooling: cell i covers rows floor(i*H/out) to ceil((i+1)*H/out)."""
    batch, height, width, channels = x.shape
    out = np.zeros((batch, out_h, out_w, channels))
    for b in range(batch):
        for i in range(out_h):
            for j in range(out_w):
                rows = range(i * height // out_h, math.ceil((i + 1) * height / out_h))
                cols = range(j * width // out_w, math.ceil((j + 1) * width / out_w))
                for c in range(channels):
                    values = [float(x[b, y, z, c]) for y in rows for z in cols]
                    out[b, i, j, c] = max(values) if reduce == "max" else sum(values) / len(values)
    return out
