"""Sliding-window arithmetic shared by convolutions and pooling (the course's
W_out = floor((W + 2P - F) / S) + 1, with dilation and TensorFlow's 'same')."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError


def effective_kernel(k, d):
    """k' = d*(k - 1) + 1: the extent a dilated kernel covers (k itself when d = 1)."""
    return k if d == 1 else d * (k - 1) + 1


def out_size(size, k, s, d, mode: str, before=0, after=0, ceil_mode=False, axis="height"):
    """Output length along one axis and the padding actually applied (before, after).

    - explicit / valid: floor((H + before + after - k') / s) + 1
    - same (TensorFlow): ceil(H / s), padding max((out - 1)*s + k' - H, 0) with the
      extra row at the bottom/right
    - ceil (Caffe, PyTorch ceil_mode=True): ceil(...) + 1, dropping a last window
      that would start in the right padding (PyTorch's rule)
    """
    keff = effective_kernel(k, d)
    if mode == "same":
        out = dims.ceildiv(size, s)
        total = dims.maximum((out - 1) * s + keff - size, 0)
        before = dims.floordiv(total, 2)
        after = total - before
        formula = "ceil({0} / {4}) = {5}"
    else:
        if mode == "valid":
            before = after = 0
        pads = 2 * before if before == after else before + after  # the lecture's 2P
        span = size + pads - keff
        if ceil_mode:
            out = dims.ceildiv(span, s) + 1
            if dims.is_number(out) and (out - 1) * s >= size + before:
                out -= 1
            formula = "ceil(({0} + {1} + {2} - {3}) / {4}) + 1 = {5}"
        else:
            out = dims.floordiv(span, s) + 1
            formula = "floor(({0} + {1} + {2} - {3}) / {4}) + 1 = {5}"
    if dims.known_below(out, 1):  # the formula is written out only for the error
        formula = formula.format(size, before, after, keff, s, out)
        raise ShapeError(
            f"output {axis} would be {out}: {formula} (input {axis} {size}, "
            f"effective kernel {keff}, stride {s})",
            hint="use a smaller kernel or stride, add padding ('same' or p1), "
                 "or give the network a larger input")
    return out, before, after


def window_out(a, h, w, default_mode="valid"):
    """Output (h, w) and padding (t, b, l, r) of a windowed layer with attrs `a`."""
    kh, kw = a["kernel"]
    sh, sw = a.get("stride") or a["kernel"]
    dh, dw = a.get("dilation", (1, 1))
    mode = a.get("padding") or ("explicit" if "pad" in a else default_mode)
    t, b, l, r = a.get("pad", (0, 0, 0, 0))
    ceil_mode = a.get("ceil", False)
    oh, t, b = out_size(h, kh, sh, dh, mode, t, b, ceil_mode, "height")
    ow, l, r = out_size(w, kw, sw, dw, mode, l, r, ceil_mode, "width")
    return (oh, ow), (t, b, l, r)
