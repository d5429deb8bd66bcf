"""A hypothesis strategy for random valid specs: every layer kind with a PyTorch form
(LeNet-5's subsample, connection tables and RBF units included), random flags and padding
modes, post-ops, residual / concat / mul blocks, freeze:, and a head of flatten or gap with
fc layers. The shapes are tracked as the spec is written so that almost every drawn spec
builds."""
from __future__ import annotations

from hypothesis import strategies as st

from cnncost.layers.window import out_size

ACTIVATIONS = ["relu", "relu6", "leakyrelu alpha=0.2", "sigmoid", "hsigmoid", "tanh", "swish",
               "hswish", "gelu", "softmax"]
MAX_SIDE = 40


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _window(draw, shape, allow_dilation=True, pool=False):
    """Kernel, stride, dilation and padding words fitting an h x w input; the new h, w."""
    h, w, _ = shape
    kh = draw(st.integers(1, min(5, h)))
    kw = draw(st.sampled_from([kh, draw(st.integers(1, min(5, w)))]))
    sh = draw(st.integers(1, 3))
    sw = draw(st.sampled_from([sh, draw(st.integers(1, 3))]))
    d = draw(st.sampled_from([1, 1, 2])) if allow_dilation else 1
    mode = draw(st.sampled_from(["valid", "same", "sym", "uneven"]))
    words = [f"{kh}x{kw}" if kh != kw else f"{kh}x{kh}", f"stride=({sh}, {sw})" if sh != sw else f"s{sh}"]
    if d != 1:
        words.append(f"d{d}")
    pads = (0, 0, 0, 0)
    if mode == "same":
        words.append("same")
    elif mode == "sym":
        p = draw(st.integers(0, min(kh, kw) // 2 if pool else 2))  # PyTorch: a pool pads at most k // 2
        pads = (p, p, p, p)
        words.append(f"p{p}")
    elif mode == "uneven":
        most = (kh // 2, kh // 2, kw // 2, kw // 2) if pool else (2, 2, 2, 2)
        pads = tuple(draw(st.integers(0, m)) for m in most)
        words.append(f"pad=({', '.join(map(str, pads))})")
    ceil = pool and mode in ("valid", "sym") and draw(st.booleans())
    if ceil:
        words.append("ceil")
    m = "same" if mode == "same" else "explicit"
    try:
        oh = out_size(h, kh, sh, d, m, pads[0], pads[1], ceil)[0]
        ow = out_size(w, kw, sw, d, m, pads[2], pads[3], ceil)[0]
    except Exception:
        return None
    return " ".join(words), (oh, ow)


def _layer(draw, shape):
    """One layer line (with post-ops) valid on `shape`, and its output shape; or None."""
    h, w, c = shape
    kind = draw(st.sampled_from(["conv", "conv", "dwconv", "sepconv", "deconv", "maxpool", "avgpool",
                                 "minpool", "l2pool", "gap", "gmp", "adaptive", "bn", "lrn", "rescale",
                                 "normalize", "dropout", "identity", "shuffle", "pad", "crop", "upsample",
                                 "slice", "act", "se", "pixelshuffle", "pixelunshuffle",
                                 "subsample", "tableconv"]))
    if kind in ("conv", "dwconv", "sepconv"):
        got = _window(draw, shape)
        if got is None:
            return None
        text, (oh, ow) = got
        if kind == "conv":
            g = draw(st.sampled_from(_divisors(c)))
            n = g * draw(st.integers(1, max(1, 8 // g)))
            line = f"conv {text} {n}" + (f" g{g}" if g > 1 else "")
        elif kind == "dwconv":
            mult = draw(st.integers(1, 2))
            n = c * mult
            line = f"dwconv {text}" + (f" m{mult}" if mult > 1 else "")
        else:
            n = draw(st.integers(1, 8))
            line = f"sepconv {text} {n}"
        if draw(st.booleans()):
            line += " nobias"
        line += draw(st.sampled_from(["", " bn", " bn noscale"]))
        line += draw(st.sampled_from(["", *(f" {act}" for act in ACTIVATIONS)]))
        return line, (oh, ow, n)
    if kind == "deconv":
        if h * w > 100:
            return None
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        n, g = draw(st.integers(1, 6)), draw(st.sampled_from(_divisors(c)))
        n *= g
        if draw(st.booleans()):
            return f"deconv {k}x{k} {n} s{s} same" + (f" g{g}" if g > 1 else ""), (h * s, w * s, n)
        pads = tuple(draw(st.integers(0, 1)) for _ in range(4))
        op = draw(st.integers(0, s - 1))
        oh = (h - 1) * s - pads[0] - pads[1] + (k - 1) + op + 1
        ow = (w - 1) * s - pads[2] - pads[3] + (k - 1) + op + 1
        if oh < 1 or ow < 1:
            return None
        words = f"deconv {k}x{k} {n} s{s} pad=({', '.join(map(str, pads))})"
        words += f" outpad={op}" if op else ""
        words += f" g{g}" if g > 1 else ""
        return words + (" nobias" if draw(st.booleans()) else ""), (oh, ow, n)
    if kind in ("maxpool", "avgpool", "minpool", "l2pool"):
        got = _window(draw, shape, allow_dilation=kind in ("maxpool", "minpool"), pool=True)
        if got is None:
            return None
        text, (oh, ow) = got
        padded = "pad=" in text or any(f" p{p}" in text for p in (1, 2))
        if kind == "avgpool" and "ceil" in text and padded:
            return None  # no PyTorch form (the exporter says so; tested in test_export_errors)
        return f"{kind} {text}", (oh, ow, c)
    if kind == "subsample":  # LeNet-5's trainable subsampling: no dilation (avg_pool2d has none)
        got = _window(draw, shape, allow_dilation=False, pool=True)
        if got is None:
            return None
        text, (oh, ow) = got
        padded = "same" in text or "pad=" in text or any(f" p{p}" in text for p in (1, 2))
        if "ceil" in text and padded:
            return None  # no PyTorch form (the exporter says so; tested in test_export_cli)
        return f"subsample {text}" + draw(st.sampled_from(["", " tanh"])), (oh, ow, c)
    if kind == "tableconv":  # a convolution with a connection table (LeNet-5's C3)
        got = _window(draw, shape)
        if got is None:
            return None
        text, (oh, ow) = got
        rows = [draw(st.lists(st.integers(0, c - 1), min_size=1, max_size=c, unique=True))
                for _ in range(draw(st.integers(1, 6)))]
        table = ", ".join("(" + ", ".join(map(str, r)) + ",)" for r in rows) + ("," if len(rows) == 1 else "")
        return f"conv {text} {len(rows)} table=({table})" + draw(st.sampled_from(["", " nobias"])), \
            (oh, ow, len(rows))
    if kind in ("gap", "gmp"):
        return kind, (1, 1, c)
    if kind == "adaptive":
        oh, ow = draw(st.integers(1, h)), draw(st.integers(1, w))
        return f"{draw(st.sampled_from(['adaptiveavgpool', 'adaptivemaxpool']))} {oh}x{ow}", (oh, ow, c)
    if kind == "bn":
        return "bn" + draw(st.sampled_from(["", " noscale", " nocenter", " noscale nocenter"])), shape
    if kind == "lrn":
        return f"lrn size={draw(st.sampled_from([1, 3, 5]))}", shape
    if kind in ("rescale", "normalize", "identity"):
        return kind, shape
    if kind == "dropout":
        return f"dropout {draw(st.sampled_from(['0.1', '0.5']))}", shape
    if kind == "shuffle":
        return f"shuffle {draw(st.sampled_from(_divisors(c)))}", shape
    if kind == "pad":
        p = tuple(draw(st.integers(0, 2)) for _ in range(4))
        mode = draw(st.sampled_from(["", "", " reflect", " replicate", " channels"]))
        if mode == " reflect" and max(p[:2]) >= h or mode == " reflect" and max(p[2:]) >= w:
            return None  # PyTorch reflects only padding below the input's size
        if mode == " channels":
            before, after = draw(st.integers(0, 2)), draw(st.integers(1, 2))
            return f"pad channels=({before}, {after})", (h, w, c + before + after)
        return f"pad ({', '.join(map(str, p))}){mode}", (h + p[0] + p[1], w + p[2] + p[3], c)
    if kind == "crop":
        t, b, l, r = (draw(st.integers(0, 2)) for _ in range(4))
        if t + b >= h or l + r >= w:
            return None
        return f"crop ({t}, {b}, {l}, {r})", (h - t - b, w - l - r, c)
    if kind == "upsample":
        if h * w > 100:
            return None
        form = draw(st.sampled_from(["whole", "whole", "fraction", "size"]))
        mode = draw(st.sampled_from(["", " bilinear"]))
        if form == "size":
            oh, ow = draw(st.integers(1, 2 * h)), draw(st.integers(1, 2 * w))
            return f"upsample size=({oh}, {ow}){mode}", (oh, ow, c)
        if form == "fraction":  # torch: floor(float(size) * scale)
            f = draw(st.sampled_from(["1.5", "2.5", "0.5"]))
            oh, ow = int(h * float(f)), int(w * float(f))
            return (f"upsample {f}{mode}", (oh, ow, c)) if oh and ow else None
        f = draw(st.integers(1, 3))
        return f"upsample {f}{mode}", (h * f, w * f, c)
    if kind == "pixelshuffle":
        return (f"pixelshuffle 2", (2 * h, 2 * w, c // 4)) if c % 4 == 0 else None
    if kind == "pixelunshuffle":
        return (f"pixelunshuffle 2", (h // 2, w // 2, 4 * c)) if h % 2 == 0 and w % 2 == 0 else None
    if kind == "slice":
        if c < 2:
            return None
        lo = draw(st.integers(0, c - 2))
        hi = draw(st.integers(lo + 1, c))
        return f"slice {lo}:{hi}", (h, w, hi - lo)
    if kind == "act":
        return draw(st.sampled_from(ACTIVATIONS)), shape
    ratio = draw(st.sampled_from(["0.25", "0.5", "squeeze=2"]))
    acts = draw(st.sampled_from(["", " act=swish", " act=relu gate=hsigmoid"]))
    return f"se {ratio}{acts}", shape


def _same_conv(draw, c, n, s=1):
    k = draw(st.sampled_from([1, 3]))
    return f"conv {k}x{k} {n} s{s} same" + draw(st.sampled_from(["", " bn", " bn relu", " relu"]))


def _block(draw, shape, indent):
    """A residual, concat, mul or freeze block at `indent`; lines and the output shape."""
    h, w, c = shape
    kind = draw(st.sampled_from(["residual", "residual_down", "concat", "mul", "freeze"]))
    inner = indent + "    "
    if kind == "residual":
        lines = [f"{indent}residual:"] + [inner + _same_conv(draw, c, c) for _ in range(draw(st.integers(1, 2)))]
        return lines, shape
    if kind == "residual_down":
        n, s = draw(st.integers(1, 8)), draw(st.integers(1, 2))
        lines = [f"{indent}residual:", inner + _same_conv(draw, c, n, s), f"{indent}shortcut:",
                 inner + f"conv 1x1 {n} s{s} same" + draw(st.sampled_from(["", " bn"]))]
        return lines, (-(-h // s), -(-w // s), n)
    if kind == "concat":
        lines, total = [f"{indent}concat:"], 0
        for _ in range(draw(st.integers(2, 3))):
            lines.append(f"{inner}branch:")
            choice = draw(st.sampled_from(["conv", "pool", "identity"]))
            if choice == "conv":
                n = draw(st.integers(1, 6))
                lines.append(inner + "    " + _same_conv(draw, c, n))
            else:
                n = c
                lines.append(inner + "    " + ("maxpool 3x3 s1 same" if choice == "pool" else "identity"))
            total += n
        return lines, (h, w, total)
    if kind == "mul":
        return [f"{indent}mul:", f"{inner}branch:", f"{inner}    identity", f"{inner}branch:",
                f"{inner}    gap", f"{inner}    conv 1x1 {c} sigmoid"], shape
    lines, out = [f"{indent}freeze:"], shape
    for _ in range(draw(st.integers(1, 2))):
        got = _layer(draw, out)
        if got is not None:
            lines.append(inner + got[0])
            out = got[1]
    if len(lines) == 1:
        lines.append(inner + "identity")
    return lines, out


@st.composite
def random_specs(draw):
    """The text of a random spec that builds (nearly always)."""
    shape = (draw(st.integers(3, 16)), draw(st.integers(3, 16)), draw(st.integers(1, 6)))
    lines = [f"input {shape[0]}x{shape[1]}x{shape[2]}"]
    for _ in range(draw(st.integers(1, 7))):
        if draw(st.integers(0, 3)) == 0:
            block, shape = _block(draw, shape, "")
            lines += block
        else:
            got = _layer(draw, shape)
            if got is not None:
                lines.append(got[0])
                shape = got[1]
        if max(shape[0], shape[1]) > MAX_SIDE:
            lines.append("adaptiveavgpool 8x8")
            shape = (8, 8, shape[2])
    head = draw(st.sampled_from(["", "flatten", "gap"]))
    if head:
        lines.append(head)
        for _ in range(draw(st.integers(1, 2))):
            lines.append(f"fc {draw(st.integers(1, 10))}" + draw(st.sampled_from(["", " nobias", " relu", " bn relu"])))
        if draw(st.booleans()):
            lines.append(f"rbf {draw(st.integers(1, 10))}")  # LeNet-5's Euclidean RBF output
    return "\n".join(lines) + "\n"
