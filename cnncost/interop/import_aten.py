"""Read a PyTorch module through torch.export, for the modules torch.fx cannot trace
(control flow on shapes, `if x.shape[-1] > 100:`): the module is exported with the given
input, which fixes every such branch, and the aten graph is walked.

Each aten call is mapped by the entry that lists it in `torch_aten_ops`; its arguments are
seen as the ONNX node the entry's hook reads (strides, pads, group, weight shape), as the
torch.fx reader does for modules. Layer names are the module paths of the graph's
`nn_module_stack` metadata: a leaf module's calls carry its path (`layer1.0.conv1`), a
call made in a module's own forward its path and the op (`layer1.0.add`).
"""
from __future__ import annotations

from ..layers import REGISTRY
from ..layers.spelling import Unmappable
from .import_onnx import hwc
from .import_onnx import onnx_patterns
from .import_step import add_steps, map_node
from .import_torch import View, _pair, _suffixed, around_graph
from .spec_writer import INPUT, Imported, ModelImportError, Step, Unsupported


def aten_ops() -> dict:
    """aten op name (`conv2d`) -> layer entry, from the entries' `torch_aten_ops`."""
    return {op: layer for layer in REGISTRY.values() for op in getattr(layer, "torch_aten_ops", ())}


def _arg(args, i, default=None):
    return args[i] if len(args) > i and args[i] is not None else default


def _pads(padding) -> list:
    ph, pw = _pair(padding)
    return [ph, pw, ph, pw]


def _aten_view(name, args, out, shape_of, params=frozenset()):
    """An aten call's arguments as the ONNX node its entry reads (aten's signatures:
    torch/_C/_VariableFunctions.pyi, native_functions.yaml)."""
    if name in ("conv2d", "conv_transpose2d"):
        if isinstance(_arg(args, 4, 0), str):
            raise Unmappable(f"padding='{args[4]}'")
        if name == "conv2d":  # input, weight, bias, stride, padding, dilation, groups
            attrs = {"strides": _pair(_arg(args, 3, 1)), "pads": _pads(_arg(args, 4, 0)),
                     "dilations": _pair(_arg(args, 5, 1)), "group": _arg(args, 6, 1)}
        else:  # input, weight, bias, stride, padding, output_padding, groups, dilation
            attrs = {"strides": _pair(_arg(args, 3, 1)), "pads": _pads(_arg(args, 4, 0)),
                     "output_padding": _pair(_arg(args, 5, 0)), "group": _arg(args, 6, 1),
                     "dilations": _pair(_arg(args, 7, 1))}
        return View("Conv", attrs, [None, shape_of(args[1])], out, bias=_arg(args, 2) is not None)
    if name in ("matmul", "mm"):  # x @ W: W a parameter, or no weight (two activations)
        return View("MatMul", {}, [None, shape_of(args[1]) if args[1] in params else None], out)
    if name == "linear":
        return View("Gemm", {"transB": 1}, [None, shape_of(args[1])], out, bias=_arg(args, 2) is not None)
    if name == "batch_norm" and (_arg(args, 1) is None or _arg(args, 2) is None):
        raise Unmappable("affine=False")
    if name in ("max_pool2d", "avg_pool2d"):  # input, kernel, stride ([] = kernel), padding, ...
        kernel = _pair(args[1])
        attrs = {"kernel_shape": kernel, "strides": _pair(_arg(args, 2) or kernel), "pads": _pads(_arg(args, 3, 0))}
        if name == "max_pool2d":
            attrs.update(dilations=_pair(_arg(args, 4, 1)), ceil_mode=int(bool(_arg(args, 5, False))))
        else:
            attrs.update(ceil_mode=int(bool(_arg(args, 4, False))), count_include_pad=int(_arg(args, 5, True)))
            if _arg(args, 6) is not None:
                raise Unmappable("divisor_override")
        return View(name, attrs, out=out)
    if name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        return View(name, {"output_size": _pair(args[1])}, out=out)
    if name == "mean":  # input, dims, keepdim
        return View("ReduceMean", {"axes": list(_arg(args, 1, ())), "keepdims": int(bool(_arg(args, 2, False)))},
                    out=out)
    if name in ("cat", "concat"):
        dim = _arg(args, 1, 0)
        return View("Concat", {"axis": 1 if dim in (1, -3) else dim}, out=out)
    if name == "hardtanh":
        return View(name, {"min": float(_arg(args, 1, -1.0)), "max": float(_arg(args, 2, 1.0))}, out=out)
    if name == "relu6":
        return View(name, {"min": 0.0, "max": 6.0}, out=out)
    if name == "leaky_relu":
        return View(name, {"alpha": _arg(args, 1, 0.01)}, out=out)
    if name == "hardsigmoid":
        return View(name, {"alpha": 1 / 6, "beta": 0.5}, out=out)
    if name in ("softmax", "_softmax"):
        dim = args[1]
        return View(name, {"axis": 1 if dim in (1, -3) else dim}, out=out)
    if name == "dropout":
        return View(name, {"ratio": _arg(args, 1, 0.5)}, out=out)
    if name == "slice":  # input, dim, start, end, step
        return View("Slice", {}, out=out, consts=[None, [_arg(args, 2, 0)], [_arg(args, 3, 2**63 - 1)],
                                                  [_arg(args, 1, 0)], [_arg(args, 4, 1)]])
    if name in ("constant_pad_nd", "pad"):  # input, (left, right, top, bottom)[, mode], value
        pads = list(args[1])
        if len(pads) != 4:
            raise Unmappable(f"padding of {len(pads) // 2} axes")
        l, r, t, b = pads
        mode, value = ("constant", _arg(args, 2, 0)) if name == "constant_pad_nd" else \
            (_arg(args, 2, "constant"), _arg(args, 3, 0))
        return View("Pad", {"pads": [0, 0, t, l, 0, 0, b, r], "mode": mode}, out=out, consts=[None, None, [value]])
    return View(name, {}, out=out)


def _fold_slices(node, crops, steps, producer, shape_of, table):
    """A slice of the other spatial axis of a crop used only here (torch.export writes
    `x[:, :, a:b, c:d]` as two slices): the crop step rewritten as one crop of both axes;
    None when it is not that."""
    first = node.args[0]
    if getattr(node.target, "_opname", "") != "slice" or first not in crops or len(first.users) != 1 \
            or not steps or steps[-1].name != producer[first]:
        return None
    source, slices = crops[first]
    slices = slices + [list(node.args)]
    view = View("Slice", {}, consts=[None] + [[_arg(a, i, d) for a in slices]
                                              for i, d in ((2, 0), (3, 2**63 - 1), (1, 0), (4, 1))])
    if len({d % 4 for d in view.const(3)}) != len(slices):
        return None
    try:
        made = table["slice"].from_onnx(view, [hwc(shape_of(source))])  # the Slice entry hands it to crop
    except Unmappable:
        return None
    last = steps.pop()
    steps.append(Step(last.name, *made[0], last.inputs))
    return source, slices


def _flat(args) -> list:
    """The arguments, lists opened (cat's tensors), repeats kept (cat([x, x]))."""
    return [x for a in args for x in (a if isinstance(a, (list, tuple)) else [a])]


def _label(node, op, leaves, calls) -> str:
    """The module path of a call (nn_module_stack); a call in a module's own forward (or
    at the top) adds the call's name; a module called again gets `_2`."""
    stack = node.meta.get("nn_module_stack") or {}
    path = list(stack.values())[-1][0] if stack else ""
    label = path if path in leaves else f"{path}.{op}" if path else op
    calls[label] = calls.get(label, 0) + 1
    return label if calls[label] == 1 else f"{label}_{calls[label]}"


def read_aten(module, input, name=None, why="") -> Imported:  # noqa: A002
    import torch

    h, w, c = input
    was_training = module.training
    module.eval()
    try:
        program = torch.export.export(module, (torch.zeros(1, c, h, w),))
    except Exception as err:  # noqa: BLE001 (torch.export raises many kinds)
        raise ModelImportError(f"neither torch.fx nor torch.export can trace {type(module).__name__}: "
                               f"{why}; torch.export: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
                               hint="cnncost.from_torch needs a module one of them can trace") from None
    finally:
        module.train(was_training)
    graph = program.graph
    user_inputs = set(program.graph_signature.user_inputs)
    leaves = {path for path, m in module.named_modules() if path and not any(True for _ in m.children())}
    table = aten_ops()
    unsupported = Unsupported("PyTorch aten calls")
    producer, steps, calls, output = {}, [], {}, None
    crops = {}  # a slice read as a crop -> (the tensor it crops, the slices' arguments)

    def shape_of(node):
        return list(node.meta["val"].shape) if hasattr(node.meta.get("val"), "shape") else None

    def op_name(node):
        return getattr(node.target, "_opname", str(node.target)).rstrip("_")  # relu_ is relu

    patterns, matched_nodes = onnx_patterns(), set()
    params = {n: shape_of(n) for n in graph.nodes if n.op == "placeholder" and n.name not in user_inputs
              and shape_of(n)}
    ops, around = around_graph(graph, op_name, shape_of, params)

    for node in graph.nodes:
        if node.op == "placeholder":
            if node.name in user_inputs:
                producer[node] = INPUT
            continue
        if node.op == "output":
            arg = node.args[0]
            output = producer.get(arg[0] if isinstance(arg, (tuple, list)) else arg)
            continue
        data = [a for a in _flat(node.args) if isinstance(a, torch.fx.Node) and a in producer]
        value = node.meta.get("val")
        if node.op != "call_function" or not data or not hasattr(value, "shape"):
            continue  # parameters, buffers and size arithmetic
        if node in ops and id(ops[node]) in matched_nodes:
            continue  # read with the pattern it belongs to
        op = op_name(node)
        label = _label(node, op, leaves, calls)
        matched = next((m for entry in patterns.get(ops[node].op, ()) if (m := entry.match_onnx(ops[node], around))),
                       None)
        if matched:  # a pattern one entry reads as its layer (F.local_response_norm's arithmetic)
            matched_nodes.update(id(n) for n in matched.nodes)
            last = next(n for n in ops if ops[n] is matched.nodes[-1])
            producer[last] = add_steps(steps, matched.lines, (producer[data[0]],), _suffixed(label))[-1]
            continue
        ins = [hwc(shape_of(d)) for d in data]
        folded = _fold_slices(node, crops, steps, producer, shape_of, table)
        if folded:  # x[:, :, a:b, c:d]: aten slices one axis at a time; one crop, as written
            crops[node], producer[node] = folded, steps[-1].name
            continue
        made = map_node(table.get(op), lambda: _aten_view(op, list(node.args), hwc(list(value.shape)),  # noqa: B023
                                                          shape_of, params), ins, len(data), f"aten.{op}", label,
                        unsupported)
        if made is None:
            producer[node] = "?"
            continue
        sources = tuple(producer[d] for d in data)
        if not made:
            producer[node] = sources[0]
            continue
        producer[node] = add_steps(steps, made, sources, _suffixed(label))[-1]
        if op == "slice" and [kind for kind, _a in made] == ["crop"]:
            crops[node] = (data[0], [list(node.args)])
    unsupported.check(type(module).__name__)
    return Imported(name or type(module).__name__.lower(), f"a torch {type(module).__name__}",
                    f"torch.export reader, torch {torch.__version__}", (h, w, c), steps, output)
