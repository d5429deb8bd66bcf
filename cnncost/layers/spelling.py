"""How the import hooks of the layer entries spell options as spec words.

The importers (cnncost.interop) ask each entry to turn a framework layer's settings into
the arguments of a spec line; these helpers write the common options the way a person
would (`3x3`, `s2`, `p1`, `pad=(0, 1, 0, 1)`, `d2`, `g32`).
"""
from __future__ import annotations

from typing import NamedTuple


class Unmappable(Exception):
    """A framework layer whose settings no cnncost kind expresses (the importer lists it)."""


def weight_shape(node, i: int) -> list:
    """The shape of a node's constant weight input i (an ONNX initializer, a torch
    parameter); a weight computed in the graph (torch's exporter writes one that forward
    reshapes or slices so) cannot be read."""
    shape = node.weights[i] if i < len(node.weights) else None
    if shape is None:
        raise Unmappable(f"{node.op} with a computed weight (input {i} is not an initializer)")
    return shape


def two(value) -> tuple:
    """An int or a 1/2-sequence -> (h, w)."""
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[-1]))
    return (int(value), int(value))


def dims(value) -> str:
    h, w = two(value)
    return f"{h}x{w}"


def flag(letter: str, option: str, value, default=1) -> str:
    """`s2` for a square value, `stride=(2, 1)` otherwise, '' for the default."""
    h, w = two(value)
    if (h, w) == (default, default):
        return ""
    return f"{letter}{h}" if h == w else f"{option}=({h}, {w})"


def pads(t, b, l, r) -> str:
    """`p1` when all four sides agree, `pad=(t, b, l, r)` otherwise ('' for none)."""
    if t == b == l == r:
        return f"p{t}" if t else ""
    return f"pad=({t}, {b}, {l}, {r})"


def join(*words) -> str:
    return " ".join(str(w) for w in words if w not in ("", None))


def keras_padding(cfg) -> str:
    mode = cfg.get("padding", "valid")
    if mode not in ("same", "valid"):
        raise Unmappable(f"padding={mode!r}")
    return mode


def keras_window(cfg, kernel_key="kernel_size", stride_key="strides") -> str:
    """Stride, dilation and padding words of a Keras conv config (the kernel is written first)."""
    kernel = cfg[kernel_key]
    strides = cfg.get(stride_key) or kernel
    if cfg.get("data_format", "channels_last") not in ("channels_last", None):
        raise Unmappable("data_format=channels_first")
    mode = keras_padding(cfg)
    return join(flag("s", "stride", strides), flag("d", "dilation", cfg.get("dilation_rate", 1)),
                "same" if mode == "same" else "")  # valid is cnncost's default


def onnx_window(attrs, kernel, default_stride=1) -> str:
    """Stride, dilation and padding words of an ONNX Conv/Pool node (pads are t, l, b, r)."""
    auto = attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    stride = attrs.get("strides", [default_stride, default_stride] if default_stride else kernel)
    words = [flag("s", "stride", stride), flag("d", "dilation", attrs.get("dilations", [1, 1]))]
    if auto in ("SAME_UPPER",):
        words.append("same")
    elif auto == "SAME_LOWER":
        raise Unmappable("auto_pad=SAME_LOWER (extra padding row on top)")
    else:
        t, l, b, r = (list(attrs.get("pads", [0, 0, 0, 0])) + [0, 0, 0, 0])[:4]
        words.append(pads(t, b, l, r))
    return join(*words)


class Matched(NamedTuple):
    """What an entry's `match_onnx` hook recognised: the nodes of a pattern a framework
    writes for one layer (the last node's output is the layer's), and the spec lines."""

    nodes: tuple
    lines: list


def follow(around, op, *ops):
    """The chain of nodes after `op`, each the one reader of the one before's output and
    of the op named (an op ending in `?` may be absent); None when the graph differs."""
    chain = []
    for want in ops:
        optional = want.endswith("?")
        nxt = around.next(op)
        if nxt is not None and nxt.op == want.rstrip("?"):
            chain.append(nxt)
            op = nxt
        elif not optional:
            return None
    return chain
