"""Pooling: windowed (max, avg, min, l2), global and adaptive."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import GLOBAL, Layer, RFStep, elements, register, spatial
from .options import SPATIAL, Option, pair, takes
from .window import window_out

OUTPUT = Option("output", lambda v: pair(v, "output size"),
                "adaptive pooling to an output of at least 1x1, e.g. 7x7", "an output size (e.g. 7x7)")


def _stride_word(kernel, stride) -> str:
    """The stride as written after a pooling kernel: nothing when it equals the kernel
    (cnncost's default), `s1` for ONNX's and Keras's stride 1."""
    from .spelling import flag, two

    stride = two(stride)
    if stride == tuple(kernel):
        return ""
    return flag("s", "stride", stride, default=0)


class _Pool(Layer):
    """What every pooling shares: its ledger counts input and output elements (what the
    tools multiply) and its window ops."""

    category = "pool"
    ledger_labels = {"ops": "window ops"}

    def ledger(self, a, ins, out, counts):
        return {"in": dims.product(ins[0]), "out": dims.product(out), "ops": counts.other_ops}


class _WindowPool(_Pool):
    """Shared rules of windowed pooling; stride defaults to the kernel size.

    out = floor((H + pt + pb - k') / s) + 1 (ceil with `ceil`, PyTorch ceil_mode)
    other ops: kh*kw per output element (one compare or add per window element)
    PyTorch refuses padding above half the (undilated) kernel, p <= k // 2; so does cnncost.
    """

    positional = ("kernel",)
    required = ("kernel",)
    options = takes(*SPATIAL)
    words = {"same": ("padding", "same"), "valid": ("padding", "valid"), "ceil": ("ceil", True)}
    defaults = {"dilation": (1, 1), "ceil": False}

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        if a.get("padding") is None and "pad" in a:
            t, b, l, r = a["pad"]
            for k, sides in zip(a["kernel"], ((t, b), (l, r))):
                p = max(sides, key=lambda v: v if dims.is_number(v) else -1)
                if dims.is_number(k) and dims.is_number(p) and p > k // 2:
                    raise ShapeError(f"padding {p} > {k} // 2: PyTorch refuses this pool",
                                     hint="use a larger kernel or less padding")
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

    def temporaries(self, a, ins, out):
        """The padded copy (kernels.pool2d); avg: also the window sum before the division;
        l2: also x*x and the sum."""
        from ..execute.kernels import window_axes

        h, w, c = ins[0]
        ah, aw = window_axes(a, h, w)
        padded = (h + ah.before + ah.after) * (w + aw.before + aw.after) * c \
            if ah.before or ah.after or aw.before or aw.after else 0
        return padded + self.extra_temporaries(h * w * c, elements(out))

    def extra_temporaries(self, inputs, outputs):
        return 0

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    def from_keras(self, cfg, ins):
        from .spelling import dims, join, keras_padding, two

        kernel = two(cfg["pool_size"])
        return [(self.name, join(dims(kernel), _stride_word(kernel, cfg.get("strides") or kernel),
                                 "same" if keras_padding(cfg) == "same" else ""))]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable, dims, join, onnx_window, two

        kernel = two(node.attrs["kernel_shape"])
        if len(node.outputs) > 1:
            raise Unmappable("MaxPool with indices")
        window = onnx_window({**node.attrs, "strides": [1, 1]}, kernel)  # padding and dilation
        return [(self.name, join(dims(kernel), _stride_word(kernel, node.attrs.get("strides", [1, 1])), window,
                                 "ceil" if node.attrs.get("ceil_mode", 0) else ""))]
    # ---- training
    def saved(self, a, ins, out, grads):
        """max_pool2d_with_indices saves its input and the int64 indices of the maxima;
        avg_pool2d its input (derivatives.yaml). Min and L2 pooling have no PyTorch op."""
        from .autograd import Saved, no_rule

        if self.reduce == "max":
            return (Saved(0), Saved("new", dims.product(out), "int64"))
        if self.reduce == "avg":
            return (Saved(0),)
        raise no_rule(self.name, "the tensors autograd saves")

    def pytorch(self, a, ins, out):
        from ..interop.export_window import torch_pool

        return torch_pool(a, ins, self.reduce)

    def keras(self, a, ins, out):
        from ..interop.export_code import Unsupported
        from ..interop.export_window import keras_pool

        cls = {"max": "MaxPooling2D", "avg": "AveragePooling2D"}.get(self.reduce)
        if cls is None:
            raise Unsupported(f"Keras has no {self.reduce} pooling layer")
        return keras_pool(a, ins, out, cls)


@register
class MaxPool(_WindowPool):
    """Max pooling `maxpool K [sS] [pP] [same|valid] [ceil]`; stride defaults to K."""

    name = "maxpool"
    reduce = "max"
    aliases = ("maxpool2d",)
    example = "maxpool 2x2"
    keras_class = "MaxPooling2D"
    ledger_categories = {"in": "maxpool.in", "out": "maxpool.out", "ops": "pool.ops"}

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("MaxPooling2D",)
    onnx_ops = ("MaxPool",)
    torch_modules = ("MaxPool2d",)
    torch_functions = ("max_pool2d",)
    torch_aten_ops = ("max_pool2d",)


@register
class AvgPool(_WindowPool):
    """Average pooling `avgpool K [sS] [pP] [same|valid] [ceil]`; stride defaults to K.

    The executor divides by the window cells inside the padded input (PyTorch's
    count_include_pad), or inside the input with `same` (TensorFlow)."""

    name = "avgpool"
    reduce = "avg"
    aliases = ("avgpool2d",)
    example = "avgpool 2x2"
    keras_class = "AveragePooling2D"
    ledger_categories = {"in": "avgpool.in", "out": "avgpool.out", "ops": "pool.ops"}

    def extra_temporaries(self, inputs, outputs):
        return outputs  # the window sum before the division

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("AveragePooling2D",)
    onnx_ops = ("AveragePool",)
    torch_modules = ("AvgPool2d",)
    torch_functions = ("avg_pool2d",)
    torch_aten_ops = ("avg_pool2d",)


@register
class MinPool(_WindowPool):
    """Min pooling `minpool K`; stride defaults to K."""

    name = "minpool"
    reduce = "min"
    example = "minpool 2x2"
    keras_class = None
    keras_none = "Keras has no min pooling layer; Keras code writes it as a Lambda"
    ledger_categories = {"in": "minpool.in", "out": "minpool.out", "ops": "pool.ops"}


@register
class L2Pool(_WindowPool):
    """L2 pooling `l2pool K` (square root of the sum of squares); stride defaults to K."""

    name = "l2pool"
    reduce = "l2"
    example = "l2pool 2x2"
    keras_class = None
    keras_none = "Keras has no L2 pooling layer; Keras code writes it as a Lambda"
    ledger_categories = {"in": "l2pool.in", "out": "l2pool.out", "ops": "pool.ops"}

    def extra_temporaries(self, inputs, outputs):
        return inputs + outputs  # x*x and the sum


class _GlobalPool(_Pool):
    """Global pooling to 1x1xC; other ops: one per input element."""

    keras_flat = True  # GlobalAveragePooling2D / GlobalMaxPooling2D(keepdims=False): (None, C)

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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    def from_keras(self, cfg, ins):
        """keepdims=False (Keras's default) gives a C-vector, (None, C): cnncost's 1x1xC
        then `flatten`, so the imported shapes are Keras's; except when the vector is only
        read by a Reshape back to (1, 1, C) (EfficientNet's squeeze-excite), where the
        pair is the 1x1xC map itself (`_readers`: the reading layers, from the importer)."""
        if cfg.get("data_format", "channels_last") not in ("channels_last", None):
            from .spelling import Unmappable

            raise Unmappable("data_format=channels_first")
        readers = cfg.get("_readers") or [("", {})]
        unflattened = all(cls == "Reshape" and list(c.get("target_shape", ()))[:2] == [1, 1] for cls, c in readers)
        return [(self.name, "")] + ([] if cfg.get("keepdims") or unflattened else [("flatten", "")])

    def from_onnx(self, node, ins):
        from .spelling import Unmappable

        if node.op.startswith("Reduce"):
            axes = node.attrs.get("axes") or node.const(1)
            if sorted(int(a) % 4 for a in (axes or ())) != [2, 3]:
                raise Unmappable(f"{node.op} over axes {axes} (only height and width map to {self.name})")
        return [(self.name, "")]
    # ---- training
    def saved(self, a, ins, out, grads):
        """gap: AdaptiveAvgPool2d(1) runs as mean over H, W, which saves only sizes;
        gmp: adaptive_max_pool2d saves its input and the int64 indices."""
        from .autograd import Saved

        if self.reduce == "avg":
            return ()
        return (Saved(0), Saved("new", dims.product(out), "int64"))

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode

        return TorchCode(f"nn.Adaptive{self.reduce.capitalize()}Pool2d(1)")

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode

        cls = {"avg": "Average", "max": "Max"}[self.reduce]
        return KerasCode((("", f"layers.Global{cls}Pooling2D(keepdims=True)"),))


@register
class GlobalAvgPool(_GlobalPool):
    """Global average pooling `gap`: HxWxC -> 1x1xC."""

    name = "gap"
    reduce = "avg"
    aliases = ("globalavgpool",)
    example = "gap"
    keras_class = "GlobalAveragePooling2D"
    # torch writes it as AdaptiveAvgPool2d(1): the tools count it as adaptive pooling
    ledger_categories = {"in": "adaptiveavgpool.in", "out": "adaptiveavgpool.out", "ops": "pool.ops"}

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("GlobalAveragePooling2D",)
    onnx_ops = ("GlobalAveragePool", "ReduceMean")
    torch_aten_ops = ("mean",)  # x.mean((2, 3)), read as ReduceMean


@register
class GlobalMaxPool(_GlobalPool):
    """Global max pooling `gmp`: HxWxC -> 1x1xC."""

    name = "gmp"
    reduce = "max"
    aliases = ("globalmaxpool",)
    example = "gmp"
    keras_class = "GlobalMaxPooling2D"
    ledger_categories = {"in": "adaptivemaxpool.in", "out": "adaptivemaxpool.out", "ops": "pool.ops"}

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("GlobalMaxPooling2D",)
    onnx_ops = ("GlobalMaxPool", "ReduceMax")


def adaptive_windows(size, out):
    """PyTorch adaptive pooling: window i spans floor(i*H/out) .. ceil((i+1)*H/out)."""
    return [dims.ceildiv((i + 1) * size, out) - dims.floordiv(i * size, out) for i in range(out)]


class _AdaptivePool(_Pool):
    """PyTorch adaptive pooling to a fixed output size; other ops: the sum of the
    (possibly overlapping) window sizes, per channel."""

    positional = ("output",)
    required = ("output",)
    options = takes(OUTPUT)

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

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    def from_onnx(self, node, ins):
        from .spelling import dims

        return [(self.name, dims(node.attrs["output_size"]))]
    # ---- training
    def saved(self, a, ins, out, grads):
        """_adaptive_avg_pool2d saves its input (but a 1x1 output runs as mean: nothing);
        adaptive_max_pool2d saves its input and the int64 indices."""
        from .autograd import Saved

        if self.reduce == "avg":
            return () if tuple(a["output"]) == (1, 1) else (Saved(0),)
        return (Saved(0), Saved("new", dims.product(out), "int64"))

    def pytorch(self, a, ins, out):
        from ..interop.export_code import TorchCode, call, one_or_pair

        return TorchCode(call(f"nn.Adaptive{self.reduce.capitalize()}Pool2d", one_or_pair(a["output"])))

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, Unsupported, call, one_or_pair

        (h, w, _), (oh, ow) = ins[0], a["output"]
        if h % oh or w % ow:  # PyTorch's windows overlap or differ in size: no Keras layer
            raise Unsupported(f"adaptive pooling of {h}x{w} to {oh}x{ow} has no Keras layer "
                              "(it does when the output size divides the input size)")
        cls = {"avg": "AveragePooling2D", "max": "MaxPooling2D"}[self.reduce]
        return KerasCode((("", call(f"layers.{cls}", one_or_pair((h // oh, w // ow)))),))
    def temporaries(self, a, ins, out):
        """The gathered windows (kernels.adaptive_pool); avg: times the mask as well."""
        h, w, c = ins[0]
        oh, ow = a["output"]
        gathered = oh * _longest(h, oh) * ow * _longest(w, ow) * c
        return gathered * (2 if self.reduce == "avg" else 1)


def _longest(size: int, out: int) -> int:
    """The longest window of adaptive pooling along an axis (see kernels._adaptive_index)."""
    return max(-(-(i + 1) * size // out) - i * size // out for i in range(out))


@register
class AdaptiveAvgPool(_AdaptivePool):
    """PyTorch AdaptiveAvgPool2d `adaptiveavgpool 7x7`."""

    name = "adaptiveavgpool"
    reduce = "avg"
    example = "adaptiveavgpool 7x7"
    keras_class = "AdaptiveAveragePooling2D"
    ledger_categories = {"in": "adaptiveavgpool.in", "out": "adaptiveavgpool.out", "ops": "pool.ops"}

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    torch_modules = ("AdaptiveAvgPool2d",)
    torch_functions = ("adaptive_avg_pool2d",)
    torch_aten_ops = ("adaptive_avg_pool2d",)


@register
class AdaptiveMaxPool(_AdaptivePool):
    """PyTorch AdaptiveMaxPool2d `adaptivemaxpool 7x7`."""

    name = "adaptivemaxpool"
    reduce = "max"
    example = "adaptivemaxpool 1x1"
    keras_class = "AdaptiveMaxPooling2D"
    ledger_categories = {"in": "adaptivemaxpool.in", "out": "adaptivemaxpool.out", "ops": "pool.ops"}

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    torch_modules = ("AdaptiveMaxPool2d",)
    torch_functions = ("adaptive_max_pool2d",)
    torch_aten_ops = ("adaptive_max_pool2d",)
