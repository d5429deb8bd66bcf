"""Code writing shared by the windowed layers (convolutions, pooling): padding is where
PyTorch, Keras and the spec language differ.

- PyTorch pads evenly (`padding=(ph, pw)`); TensorFlow's 'same' puts the extra row at the
  bottom/right, so an uneven padding is an explicit `F.pad` before the layer, as the
  torch community does for TF ports (e.g. timm's `pad_same`).
- Keras has 'valid' and 'same' (TensorFlow's rule, the spec's); any other padding is a
  ZeroPadding2D layer before it.
"""
from __future__ import annotations

from ..layers.window import effective_kernel, out_size, window_out
from .export_code import Default, KerasCode, Raw, TorchCode, Unsupported, call, one_or_pair, symmetric_padding, torch_pad


def _opt(value, default):
    """None (leave the keyword out) when value is the framework's default."""
    return None if value == default else value


def _default(value, default):
    """A Default (left out of the text, kept for classes: export_code.Ctor) when value is
    the framework's default."""
    return Default(value) if value == default else value


def _pads(a, ins):
    h, w, _ = ins[0]
    _, pads = window_out(a, h, w)
    return pads


# --------------------------------------------------------------------------- PyTorch
def torch_conv(a, ins, cin, cout, groups) -> TorchCode:
    """nn.Conv2d; uneven padding (TensorFlow 'same' with stride 2) as F.pad before it."""
    pads = _pads(a, ins)
    even = symmetric_padding(pads)
    module = call("nn.Conv2d", cin, cout, one_or_pair(a["kernel"]),
                  stride=_default(one_or_pair(a["stride"]), 1),
                  padding=_default(one_or_pair(even), 0) if even else None,
                  dilation=_default(one_or_pair(a["dilation"]), 1),
                  groups=_default(groups, 1), bias=_opt(a["bias"], True))
    if even:
        return TorchCode(module)
    return TorchCode(module, f"{{m}}(F.pad({{0}}, {torch_pad(pads)}))")


def torch_deconv(a, ins, out) -> TorchCode:
    """nn.ConvTranspose2d; uneven padding and Keras 'same' as a crop of its output."""
    h, w, cin = ins[0]
    oh, ow, n = out
    mode = a.get("padding") or "explicit"
    pads = a.get("pad", (0, 0, 0, 0)) if mode == "explicit" else (0, 0, 0, 0)
    outpad = a["outpad"]
    even = symmetric_padding(pads)
    if mode == "same":
        crop = []
        for size, k, s, d in zip((h, w), a["kernel"], a["stride"], a["dilation"]):
            # Keras: the gradient of a TensorFlow 'same' convolution of a size*s input
            total = max((size - 1) * s + effective_kernel(k, d) - size * s, 0)
            crop.append(total // 2)
        full = [(size - 1) * s + effective_kernel(k, d)
                for size, k, s, d in zip((h, w), a["kernel"], a["stride"], a["dilation"])]
        outpad = tuple(max(o - f, 0) for o, f in zip((oh, ow), full))
        even, top, left = None, crop[0], crop[1]
    else:
        top, left = pads[0], pads[2]
    if any(p >= max(s, d) for p, s, d in zip(outpad, a["stride"], a["dilation"])):
        raise Unsupported(f"output padding {outpad} must be below the stride or the dilation in PyTorch")
    module = call("nn.ConvTranspose2d", cin, n, one_or_pair(a["kernel"]),
                  stride=_opt(one_or_pair(a["stride"]), 1),
                  padding=_opt(one_or_pair(even), 0) if even else None,
                  output_padding=_opt(one_or_pair(outpad), 0),
                  groups=_opt(a["groups"], 1), bias=_opt(a["bias"], True),
                  dilation=_opt(one_or_pair(a["dilation"]), 1))
    if even:
        return TorchCode(module)
    return TorchCode(module, f"{{m}}({{0}})[:, :, {top}:{top + oh}, {left}:{left + ow}]")


def torch_pool(a, ins, reduce: str) -> TorchCode:
    """Max, min, average and L2 pooling with the spec's padding and ceil mode."""
    pads = _pads(a, ins)
    kernel, stride = a["kernel"], a.get("stride") or a["kernel"]
    dilation, ceil = a.get("dilation", (1, 1)), a.get("ceil", False)
    even = symmetric_padding(pads)
    if even and any(p > k // 2 for p, k in zip(even, kernel)):
        even = None  # PyTorch pads at most half the kernel size: pad explicitly
    if reduce in ("avg", "l2") and dilation != (1, 1):
        raise Unsupported(f"PyTorch's {'AvgPool2d' if reduce == 'avg' else 'LPPool2d'} has no dilation")
    if reduce == "l2":
        even = None  # LPPool2d pads nothing itself, and in ceil mode it rescales partial windows
    if not even and ceil:
        if reduce == "avg":
            raise Unsupported("ceil mode with this padding has no PyTorch form")
        pads = _ceil_as_padding(pads, ins[0][:2], kernel, stride, dilation)
        ceil = False
    k, s = one_or_pair(kernel), one_or_pair(stride)
    padding = _default(one_or_pair(even), 0) if even else None
    before = "" if even else f", {torch_pad(pads)}"
    if reduce in ("max", "min"):
        module = call("nn.MaxPool2d", k, s, padding=padding,
                      dilation=_opt(one_or_pair(dilation), 1), ceil_mode=_opt(ceil, False))
        sign = "-" if reduce == "min" else ""
        if even:
            return TorchCode(module, f"{sign}{{m}}({sign}{{0}})")
        return TorchCode(module, f"{sign}{{m}}(F.pad({sign}{{0}}{before}, value=float('-inf')))")
    if reduce == "l2":
        module = call("nn.LPPool2d", 2, k, s, ceil_mode=_opt(ceil, False))
        # LPPool2d has no padding: zeros add nothing to a sum of squares
        return TorchCode(module, "{m}({0})" if not any(pads) else f"{{m}}(F.pad({{0}}, {torch_pad(pads)}))")
    same = a.get("padding") == "same"
    if not even and same:  # TensorFlow divides by the cells inside the input
        return TorchCode(None, call("avg_pool_same", Raw("{0}"), k, s, torch_pad(pads),
                                    ceil_mode=_opt(ceil, False)), ("avg_pool_same",))
    module = call("nn.AvgPool2d", k, s, padding=padding, ceil_mode=_opt(ceil, False),
                  count_include_pad=False if same and any(pads) else None)
    return TorchCode(module, "{m}({0})" if even else f"{{m}}(F.pad({{0}}{before}))")


def _ceil_as_padding(pads, sizes, kernel, stride, dilation):
    """Ceil mode as the bottom/right padding that makes floor mode give the same windows,
    for max, min (the padding never wins) and L2 pooling (zeros add nothing)."""
    t, b, l, r = pads
    after = []
    for size, k, s, d, before, end in zip(sizes, kernel, stride, dilation, (t, l), (b, r)):
        out = out_size(size, k, s, d, "explicit", before, end, True)[0]
        # up to the last window's end; below 0, F.pad crops input no window reaches
        after.append((out - 1) * s + effective_kernel(k, d) - size - before)
    return (t, after[0], l, after[1])


# --------------------------------------------------------------------------- Keras
def keras_padding(a, ins) -> tuple[str, tuple]:
    """Keras's padding word, and the ZeroPadding2D layers to put before (none or one)."""
    mode = a.get("padding") or ("explicit" if "pad" in a else "valid")
    if mode in ("same", "valid"):
        return mode, ()
    t, b, l, r = _pads(a, ins)
    if not any((t, b, l, r)):
        return "valid", ()
    return "valid", (("_pad", call("layers.ZeroPadding2D", ((t, b), (l, r)))),)


def keras_conv(a, ins, cls: str, *args, **kwargs) -> KerasCode:
    padding, before = keras_padding(a, ins)
    layer = call(f"layers.{cls}", *args, one_or_pair(a["kernel"]),
                 strides=_opt(one_or_pair(a["stride"]), 1), padding=_opt(padding, "valid"),
                 dilation_rate=_opt(one_or_pair(a["dilation"]), 1), **kwargs,
                 use_bias=_opt(a["bias"], True))
    return KerasCode((*before, ("", layer)))


def keras_pool(a, ins, out, cls: str) -> KerasCode:
    if a.get("dilation", (1, 1)) != (1, 1):
        raise Unsupported(f"Keras's {cls} has no dilation")
    kernel, stride = a["kernel"], a.get("stride") or a["kernel"]
    padding, before = keras_padding(a, ins)
    if a.get("ceil"):  # ceil mode: pad the bottom/right so the last window fits
        h, w, _ = ins[0]
        t, b, l, r = _pads(a, ins)
        extra = [(o - 1) * s + k - (size + p0 + p1)
                 for o, s, k, size, p0, p1 in zip(out[:2], stride, kernel, (h, w), (t, l), (b, r))]
        if padding == "same" or any(e < 0 for e in extra):
            raise Unsupported("ceil mode here has no Keras form")
        if any(extra):
            b, r = b + max(extra[0], 0), r + max(extra[1], 0)
            before = (("_pad", call("layers.ZeroPadding2D", ((t, b), (l, r)))),)
    layer = call(f"layers.{cls}", one_or_pair(kernel), strides=one_or_pair(stride),
                 padding=_opt(padding, "valid"))
    return KerasCode((*before, ("", layer)))
