"""Read a PyTorch module by tracing it with torch.fx (torch is imported only here).

Each call_module node is mapped by the entry that lists the module's class in
`torch_modules`, each call_function / call_method by `torch_functions`; the entry's ONNX
hook reads a view of the module's settings in ONNX terms (strides, pads, group, weight
shape), so one hook serves both. Module paths (`layer1.0.conv1`) are the layer names.
"""
from __future__ import annotations

from ..layers import REGISTRY
from ..layers.spelling import Unmappable
from .import_onnx import Around, Op, hwc, onnx_patterns
from .import_step import add_steps, map_node
from .spec_writer import INPUT, Imported, Unsupported

META_METHODS = ("size", "dim")


def _tables():
    modules = {m: layer for layer in REGISTRY.values() for m in getattr(layer, "torch_modules", ())}
    functions = {f: layer for layer in REGISTRY.values() for f in getattr(layer, "torch_functions", ())}
    return modules, functions


class View:
    """A module or call seen as the ONNX node its entry's hook reads."""

    def __init__(self, op, attrs, weights=(), out=None, consts=(), bias=False):
        self.op, self.attrs, self.weights, self.out = op, attrs, list(weights), out
        self._consts, self._bias, self.outputs = list(consts), bias, ["y"]

    def has_input(self, i: int) -> bool:
        return i == 2 and self._bias

    def const(self, i: int):
        return self._consts[i] if i < len(self._consts) else None


def _pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def _module_view(m, out):
    """The ONNX-style settings of a torch module (the same names torch.onnx writes)."""
    name = type(m).__name__
    if name in ("Conv2d", "ConvTranspose2d"):
        if isinstance(m.padding, str):
            raise Unmappable(f"padding='{m.padding}'")
        ph, pw = _pair(m.padding)
        attrs = {"strides": _pair(m.stride), "pads": [ph, pw, ph, pw], "dilations": _pair(m.dilation),
                 "group": m.groups}
        if name == "ConvTranspose2d":
            attrs["output_padding"] = _pair(m.output_padding)
        return View("Conv", attrs, [None, list(m.weight.shape)], out, bias=m.bias is not None)
    if name == "Linear":
        return View("Gemm", {"transB": 1}, [None, list(m.weight.shape)], out, bias=m.bias is not None)
    if name in ("MaxPool2d", "AvgPool2d"):
        if name == "MaxPool2d" and m.return_indices:
            raise Unmappable("return_indices=True")
        ph, pw = _pair(m.padding)
        return View(name, {"kernel_shape": _pair(m.kernel_size), "strides": _pair(m.stride or m.kernel_size),
                           "pads": [ph, pw, ph, pw], "dilations": _pair(getattr(m, "dilation", 1)),
                           "ceil_mode": int(m.ceil_mode)}, out=out)
    if name in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        return View(name, {"output_size": _pair(m.output_size)}, out=out)
    if name in ("Dropout", "Dropout2d"):
        return View(name, {"ratio": m.p}, out=out)
    if name == "LeakyReLU":
        return View(name, {"alpha": m.negative_slope}, out=out)
    if name == "ReLU6":
        return View(name, {"min": 0.0, "max": 6.0}, out=out)
    if name == "Hardsigmoid":
        return View(name, {"alpha": 1 / 6, "beta": 0.5}, out=out)
    if name == "Softmax":
        return View(name, {"axis": 1 if m.dim in (1, -3) else m.dim}, out=out)
    if name == "LocalResponseNorm":
        return View(name, {"size": m.size, "alpha": m.alpha, "beta": m.beta, "k": m.k}, out=out)
    if name == "ZeroPad2d":
        l, r, t, b = m.padding if isinstance(m.padding, (tuple, list)) else (m.padding,) * 4
        return View(name, {"pads": [0, 0, t, l, 0, 0, b, r]}, out=out)
    if name == "ChannelShuffle":
        return View(name, {"groups": m.groups}, out=out)
    if name in ("BatchNorm2d", "BatchNorm1d") and not m.affine:
        raise Unmappable("affine=False")
    return View(name, {}, out=out)


def _call_view(node, out, value):
    """The ONNX-style settings of a call_function / call_method node."""
    name = getattr(node.target, "__name__", str(node.target))
    args, kwargs = list(node.args), dict(node.kwargs)
    if name in ("cat", "concat"):
        dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
        return View("Concat", {"axis": 1 if dim in (1, -3) else dim}, out=out)
    if name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        return View(name, {"output_size": _pair(kwargs.get("output_size", args[1] if len(args) > 1 else None))},
                    out=out)
    if name in ("max_pool2d", "avg_pool2d"):
        k = kwargs.get("kernel_size", args[1] if len(args) > 1 else None)
        s = kwargs.get("stride", args[2] if len(args) > 2 else None) or k
        p = _pair(kwargs.get("padding", args[3] if len(args) > 3 else 0))
        return View(name, {"kernel_shape": _pair(k), "strides": _pair(s), "pads": [p[0], p[1], p[0], p[1]],
                           "ceil_mode": int(bool(kwargs.get("ceil_mode", False)))}, out=out)
    if name == "leaky_relu":
        return View(name, {"alpha": kwargs.get("negative_slope", args[1] if len(args) > 1 else 0.01)}, out=out)
    if name in ("relu6", "hardtanh"):
        low = kwargs.get("min_val", args[1] if len(args) > 1 else (0.0 if name == "relu6" else -1.0))
        high = kwargs.get("max_val", args[2] if len(args) > 2 else 6.0 if name == "relu6" else 1.0)
        return View(name, {"min": float(low), "max": float(high)}, out=out)
    if name == "hardsigmoid":
        return View(name, {"alpha": 1 / 6, "beta": 0.5}, out=out)
    if name == "softmax":
        dim = kwargs.get("dim", args[1] if len(args) > 1 else -1)
        return View(name, {"axis": 1 if dim in (1, -3) else dim}, out=out)
    if name == "pad":  # F.pad(x, (left, right, top, bottom), mode, value)
        pads = list(kwargs.get("pad", args[1] if len(args) > 1 else ()))
        mode = kwargs.get("mode", args[2] if len(args) > 2 else "constant")
        value = kwargs.get("value", args[3] if len(args) > 3 else 0) or 0
        if len(pads) != 4:
            raise Unmappable(f"F.pad of {len(pads) // 2} axes")
        l, r, t, b = pads
        return View("Pad", {"pads": [0, 0, t, l, 0, 0, b, r], "mode": mode}, out=out,
                    consts=[None, None, [value]])
    if name == "dropout":
        return View(name, {"ratio": kwargs.get("p", args[1] if len(args) > 1 else 0.5)}, out=out)
    if name == "getitem":
        return _index_view(args[1], out, len(getattr(args[0].meta.get("tensor_meta"), "shape", ())))
    if name == "matmul":  # x @ W, W a parameter (get_attr); anything else has no weight
        w = args[1] if len(args) > 1 else None
        shape = list(w.meta["tensor_meta"].shape) if getattr(w, "op", None) == "get_attr" \
            and hasattr(w.meta.get("tensor_meta"), "shape") else None
        return View("MatMul", {}, [None, shape], out)
    return View(name, {}, out=out)


END = 2**63 - 1  # ONNX's "to the end"


def _index_view(index, out, rank: int):
    """`x[:, a:b]` / `x[:, :, a:b, c:d]` / `x[..., a:b]` as the ONNX Slice torch.onnx
    writes: the axes whose slice is not `:`, with their starts, ends and steps (open
    ends: 0 and END)."""
    index = index if isinstance(index, tuple) else (index,)
    if index.count(Ellipsis) == 1:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (rank - len(index) + 1) + index[at + 1:]
    if not all(isinstance(i, slice) for i in index):
        raise Unmappable(f"indexing by {index!r} (only slices of a feature map are read)")
    cut = [(axis, i) for axis, i in enumerate(index) if i != slice(None)]
    if not cut:
        raise Unmappable("x[:] (a whole-tensor index)")
    for _axis, i in cut:
        if not all(v is None or isinstance(v, int) for v in (i.start, i.stop, i.step)):
            raise Unmappable(f"slice {i} with bounds that are not numbers")
    return View("Slice", {}, out=out, consts=[
        None, [i.start or 0 for _a, i in cut], [END if i.stop is None else i.stop for _a, i in cut],
        [a for a, _i in cut], [1 if i.step is None else i.step for _a, i in cut]])


# the ONNX op torch.onnx writes for the calls the entries' patterns are made of (the
# pattern hooks read a torch.fx or aten graph as they read an ONNX graph)
AS_ONNX = {"view": "Reshape", "reshape": "Reshape", "_unsafe_view": "Reshape", "transpose": "Transpose",
           "permute": "Transpose", "contiguous": "Identity", "clone": "Identity", "pad": "Pad",
           "constant_pad_nd": "Pad", "avg_pool3d": "AveragePool", "squeeze": "Squeeze", "mul": "Mul",
           "add": "Add", "pow": "Pow", "div": "Div", "matmul": "MatMul", "mm": "MatMul"}


def _call_name(node, submodules) -> str:
    """A torch.fx node's call: the module class, the function or method name."""
    if node.op == "call_module":
        return type(submodules[node.target]).__name__
    return getattr(node.target, "__name__", str(node.target))


def _perm(name, args, rank: int) -> list:
    """Transpose's perm of x.transpose(a, b) / x.permute(...)."""
    ints = [a for a in args[1:] if isinstance(a, int)]
    if name == "permute":
        dims = list(args[1]) if len(args) == 2 and isinstance(args[1], (list, tuple)) else ints
        return [d % rank for d in dims]
    perm = list(range(rank))
    if len(ints) == 2:
        a, b = (d % rank for d in ints)
        perm[a], perm[b] = perm[b], perm[a]
    return perm


def around_graph(graph, name_of, shape_of, weights):
    """A torch.fx (or aten) graph as the entries' ONNX pattern hooks see a graph: each call
    an Op named as torch.onnx would write it (AS_ONNX), a number argument a constant, a
    parameter (`weights`: node -> shape) an initializer."""
    import numpy as np

    ops, shapes, consts = {}, {}, {}
    for node in graph.nodes:
        shape = shape_of(node)
        if node.op in ("placeholder", "output", "get_attr") or shape is None:
            continue
        shapes[node.name] = shape
        name = name_of(node)
        inputs = []
        for i, arg in enumerate(node.args):
            if hasattr(arg, "name") and hasattr(arg, "op"):
                inputs.append(arg.name)
            elif isinstance(arg, (int, float)) and not isinstance(arg, bool):
                inputs.append(f"{node.name}:{i}")
                consts[inputs[-1]] = np.array([arg])
        onnx = AS_ONNX.get(name, name)
        attrs = {"perm": _perm(name, list(node.args), len(shape))} if onnx == "Transpose" else \
            {"kernel_shape": list(node.args[1])} if onnx == "AveragePool" else {}
        ops[node] = Op(onnx, node.name, inputs, [node.name], attrs, shape)
    outputs = [a.name for n in graph.nodes if n.op == "output" for a in n.all_input_nodes]
    return ops, Around(list(ops.values()), consts, {n.name: s for n, s in weights.items()}, outputs, shapes)


def _suffixed(label):
    """Step names for a call's lines: its label, then the label and the kind."""
    return lambda k, kind: label if k == 0 else f"{label}_{kind}"


def read_torch(module, input=(224, 224, 3), name: str | None = None) -> Imported:  # noqa: A002
    import torch
    from torch.fx import symbolic_trace
    from torch.fx.passes.shape_prop import ShapeProp

    h, w, c = input
    try:
        traced, why = symbolic_trace(module), ""
    except Exception as err:  # fx refuses data-dependent control flow: torch.export fixes it for this input
        traced, why = None, f"torch.fx: {str(err).splitlines()[0] if str(err) else repr(err)}"
    if traced is None:
        from .import_aten import read_aten

        return read_aten(module, input, name, why=why)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            ShapeProp(traced).propagate(torch.zeros(1, c, h, w))
    finally:
        module.train(was_training)
    modules, functions = _tables()
    unsupported = Unsupported("PyTorch calls")
    producer, steps, calls = {}, [], {}
    submodules = dict(traced.named_modules())
    output = None
    patterns = onnx_patterns()
    def shape_of(n):
        return list(n.meta["tensor_meta"].shape) if hasattr(n.meta.get("tensor_meta"), "shape") else None

    ops, around = around_graph(traced.graph, lambda n: _call_name(n, submodules), shape_of,
                               {n: shape_of(n) for n in traced.graph.nodes if n.op == "get_attr" and shape_of(n)})
    matched_nodes = set()
    for node in traced.graph.nodes:
        meta = node.meta.get("tensor_meta")
        if node.op == "placeholder":
            producer[node] = INPUT
            continue
        if node.op == "output":
            arg = node.args[0]
            output = producer.get(arg if not isinstance(arg, (tuple, list)) else arg[0])
            continue
        data = [a for a in list(node.args) + list(node.kwargs.values()) if isinstance(a, torch.fx.Node)
                and a in producer]
        for a in node.args:
            if isinstance(a, (list, tuple)):
                data += [x for x in a if isinstance(x, torch.fx.Node) and x in producer]
        if data and isinstance(meta, (tuple, list)) and not hasattr(meta, "shape"):  # torch.split: several tensors
            unsupported.add(_call_name(node, submodules), node.name, "gives several tensors")
            producer[node] = "?"
            continue
        if not data or meta is None or not hasattr(meta, "shape"):
            continue  # constants, attributes and size arithmetic
        if any(not hasattr(d.meta.get("tensor_meta"), "shape") for d in data):
            producer[node] = "?"  # an output of the several-tensor call listed above
            continue
        if id(ops[node]) in matched_nodes:
            continue  # read with the pattern it belongs to
        op = ops[node]
        matched = next((m for entry in patterns.get(op.op, ()) if (m := entry.match_onnx(op, around))), None)
        if matched:  # a pattern one entry reads as its layer (channel shuffle's view, transpose, view)
            matched_nodes.update(id(n) for n in matched.nodes)
            last = next(n for n in ops if ops[n] is matched.nodes[-1])
            producer[last] = add_steps(steps, matched.lines, (producer[data[0]],), _suffixed(node.name))[-1]
            continue
        out = hwc(list(meta.shape))
        ins = [hwc(list(d.meta["tensor_meta"].shape)) for d in data]
        if node.op == "call_module":
            m = submodules[node.target]
            kind_name, label = type(m).__name__, node.target
            entry, view = modules.get(kind_name), lambda: _module_view(m, out)  # noqa: B023 (called at once)
        else:
            kind_name, label = getattr(node.target, "__name__", str(node.target)), node.name
            entry, view = functions.get(kind_name), lambda: _call_view(node, out, None)  # noqa: B023
        made = map_node(entry, view, ins, len(data), kind_name, label, unsupported)
        if made is None:
            producer[node] = "?"
            continue
        sources = tuple(producer[d] for d in data)
        if not made:
            producer[node] = sources[0]
            continue
        calls[label] = calls.get(label, 0) + 1  # a module called again (a shared ReLU): label_2
        label = label if calls[label] == 1 else f"{label}_{calls[label]}"
        producer[node] = add_steps(steps, made, sources, _suffixed(label))[-1]
    unsupported.check(type(module).__name__)
    return Imported(name or type(module).__name__.lower(), f"a torch {type(module).__name__}",
                    f"torch.fx reader, torch {torch.__version__}", (h, w, c), steps, output)
