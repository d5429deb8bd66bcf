"""Read an ONNX graph (the `onnx` package, extra `cnncost[onnx]`): the nodes, and the
initializers' shapes only, so a file whose weights are external and absent imports.
Each node is mapped by the layer entry that lists its op; NCHW becomes HxWxC."""
from __future__ import annotations

import os
import re

from ..layers import REGISTRY
from .import_step import add_steps, map_node
from .spec_writer import INPUT, Imported, ModelImportError, Unsupported

SHAPE_ONLY = ("Shape", "Size")  # outputs describe a tensor, they are not data


def onnx_ops() -> dict:
    """ONNX op -> layer entry, from the entries' `onnx_ops`."""
    return {op: layer for layer in REGISTRY.values() for op in getattr(layer, "onnx_ops", ())}


def onnx_patterns() -> dict:
    """ONNX op -> the entries whose `match_onnx` recognises a pattern starting there
    (their `onnx_patterns`: start op -> what the pattern is)."""
    table: dict = {}
    for layer in REGISTRY.values():
        for op in getattr(layer, "onnx_patterns", {}):
            table.setdefault(op, []).append(layer)
    return table


def hwc(dims) -> tuple | None:
    """An NCHW (or NC) shape without the batch, as cnncost writes it."""
    if dims is None or any(d is None for d in dims):
        return None
    if len(dims) == 4:
        return (dims[2], dims[3], dims[1])
    if len(dims) == 2:
        return (dims[1],)
    return tuple(dims[1:]) if len(dims) > 1 else None


class Node:
    """What a layer entry's from_onnx hook sees of one node."""

    def __init__(self, node, attrs, weights, consts, out, data_inputs):
        self.op, self.name = node.op_type, node.name
        self.inputs, self.outputs = list(node.input), [o for o in node.output if o]
        self.attrs, self.weights, self._consts, self.out = attrs, weights, consts, out
        self.data_inputs = data_inputs

    def has_input(self, i: int) -> bool:
        return len(self.inputs) > i and bool(self.inputs[i])

    def const(self, i: int):
        """The values of constant input i (a list), or None."""
        return self._consts[i] if i < len(self._consts) else None


class Op:
    """One node as a pattern hook sees it: op, name, inputs, outputs, attrs and the NCHW
    shape of its first output (None when unknown)."""

    def __init__(self, op, name, inputs, outputs, attrs, shape):
        self.op, self.name, self.inputs, self.outputs = op, name, list(inputs), list(outputs)
        self.attrs, self.shape = attrs, shape


class Around:
    """The graph around a node, for an entry's `match_onnx` hook: who reads a tensor, the
    constants' values and the initializers' shapes. A node reads the tensors named in
    its inputs and in its subgraphs (an `If`'s branches)."""

    def __init__(self, ops, consts, weights, outputs, shapes):
        self._readers: dict = {}
        self._shapes = shapes
        for op in ops:
            for name in set(op.inputs) | op.attrs.pop("_reads", set()):
                self._readers.setdefault(name, []).append(op)
        self._consts, self._weights, self._outputs = consts, weights, set(outputs)

    def next(self, op):
        """The one node reading `op`'s output (shape queries aside), or None."""
        if not op.outputs or op.outputs[0] in self._outputs:
            return None
        readers = [r for r in self._readers.get(op.outputs[0], ()) if r.op not in SHAPE_ONLY]
        return readers[0] if len(readers) == 1 else None

    def shape(self, tensor):
        """A tensor's NCHW shape (a list), or None when unknown."""
        return self._shapes.get(tensor)

    def const(self, tensor):
        """A constant tensor's values (a flat list), or None."""
        value = self._consts.get(tensor)
        return None if value is None else value.reshape(-1).tolist()

    def weight(self, tensor):
        """An initializer's shape (its values may be absent), or None."""
        return self._weights.get(tensor)


def _subgraph_reads(attribute_values) -> set:
    names: set = set()
    for value in attribute_values:
        for sub in value if isinstance(value, list) else [value]:
            if hasattr(sub, "node"):  # a GraphProto
                for n in sub.node:
                    names.update(n.input)
    return names


def module_path(node_name: str, op: str) -> str:
    """torch's exporter names nodes `/layer1/layer1.0/conv1/Conv`: the module path
    `layer1.0.conv1`; other names are kept."""
    parts = [p for p in node_name.split("/") if p]
    if len(parts) < 2:
        return node_name or op.lower()
    path, last = "", ""
    for part in parts[:-1]:  # a scope is named in full (`layer1.0`) or from its parent's
        if last and part.startswith(last + "."):
            path = path[:len(path) - len(last)] + part
        else:
            path = f"{path}.{part}" if path else part
        last = part
    return path


def _load(path: str):
    try:
        import onnx
    except ImportError:
        raise ModelImportError("reading .onnx files needs the onnx package",
                               hint="pip install 'cnncost[onnx]'") from None
    try:
        return onnx, onnx.load(path, load_external_data=False)
    except Exception as err:  # onnx raises DecodeError and friends
        raise ModelImportError(f"{path}: not an ONNX model ({type(err).__name__})",
                               hint="give a file written by torch.onnx.export or onnx.save") from None


def _infer(model, shape_inference) -> dict:
    """ONNX shape inference (with data propagation): tensor name -> dims."""
    try:
        inferred = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as err:
        raise ModelImportError(f"ONNX shape inference failed: {err}") from None
    shapes = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        shapes[v.name] = [d.dim_value or None for d in v.type.tensor_type.shape.dim]
    return shapes


def _fold(onnx, numpy_helper, model, inits, shapes, consts) -> bool:
    """Compute the small constant tensors (Constant nodes, initializers held in the file,
    Shape of a tensor whose shape is known, and arithmetic on those: the shape
    computations torch's exporter writes for reshape and pad) into `consts`. Folded
    results become initializers so shape inference sees them; True when any did."""
    import numpy as np
    from onnx.reference import ReferenceEvaluator

    graph = model.graph
    for name, t in inits.items():
        if name not in consts and t.data_location != onnx.TensorProto.EXTERNAL and np.prod(t.dims or [1]) <= 64:
            consts[name] = numpy_helper.to_array(t)
    changed, keep = False, []
    for node in graph.node:
        value = None
        if node.op_type == "Constant":
            value = [numpy_helper.to_array(a.t) for a in node.attribute if a.name == "value"]
        elif node.op_type == "Shape" and shapes.get(node.input[0]) and None not in shapes[node.input[0]]:
            value = [np.array(shapes[node.input[0]], dtype=np.int64)]
        elif node.input and all((not i) or i in consts for i in node.input) and node.op_type not in ("RandomNormal",):
            try:
                value = ReferenceEvaluator(node).run(None, {i: consts[i] for i in node.input if i})
            except Exception:
                value = None
        if value and len(value) == len(node.output) and all(np.size(v) <= 64 for v in value):
            for o, v in zip(node.output, value):
                consts[o] = np.asarray(v)
                if node.op_type != "Constant":
                    graph.initializer.append(numpy_helper.from_array(np.asarray(v), o))
                    inits[o] = graph.initializer[-1]
            if node.op_type != "Constant":
                changed = True
                continue
        keep.append(node)
    if changed:
        del graph.node[:]
        graph.node.extend(keep)
    return changed


def read_onnx(path: str, input_shape=None) -> Imported:
    onnx, model = _load(path)
    from onnx import numpy_helper, shape_inference

    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    if len(inputs) != 1:
        raise ModelImportError(f"{path}: the graph has {len(inputs)} inputs; cnncost reads one")
    dims = inputs[0].type.tensor_type.shape.dim
    given = list(input_shape) if input_shape else None
    if given and len(dims) == 4:
        h, w, c = given
        for d, v in zip(dims, (1, c, h, w)):
            d.ClearField("dim_param")
            d.dim_value = v
    elif dims and not dims[0].dim_value:
        dims[0].ClearField("dim_param")
        dims[0].dim_value = 1
    shape = hwc([d.dim_value or None for d in dims])
    if shape is None:
        raise ModelImportError(f"{path}: the input's size is not fixed in the file",
                               hint="give it with --in HxWxC (e.g. --in 224x224x3)")
    shapes, consts = {}, {}
    for _ in range(3):  # infer, fold the constant arithmetic, infer again with it
        shapes = _infer(model, shape_inference)
        folded = _fold(onnx, numpy_helper, model, inits, shapes, consts)
        if not folded:
            break
    table, patterns = onnx_ops(), onnx_patterns()
    nodes = list(graph.node)
    attrs_of = [{a.name: onnx.helper.get_attribute_value(a) for a in node.attribute} for node in nodes]
    ops = [Op(node.op_type, node.name, node.input, [o for o in node.output if o],
              {**attrs, "_reads": _subgraph_reads(attrs.values())}, shapes.get(node.output[0]))
           for node, attrs in zip(nodes, attrs_of)]
    around = Around(ops, consts, {name: list(t.dims) for name, t in inits.items()},
                    [o.name for o in graph.output], shapes)
    unsupported = Unsupported("ONNX nodes")
    producer = {inputs[0].name: INPUT}  # data tensor -> step name
    steps, taken, matched_nodes = [], set(), set()

    def fresh(base):  # names not taken yet: the node's path, then it and a number
        def name(_k, _kind):
            made = base if base not in taken else f"{base}_{len(taken)}"
            taken.add(made)
            return made
        return name

    for node, attrs, op in zip(nodes, attrs_of, ops):
        data = [i for i in node.input if i in producer]
        if id(op) in matched_nodes or not data or node.op_type in SHAPE_ONLY:
            continue  # part of a pattern read, constants and shape arithmetic (read from inference)
        matched = next((m for entry in patterns.get(node.op_type, ()) if (m := entry.match_onnx(op, around))), None)
        if matched:  # a pattern one entry reads as its layer (torch's LocalResponseNorm, channel shuffle)
            matched_nodes.update(id(n) for n in matched.nodes)
            names = add_steps(steps, matched.lines, (producer[data[0]],), fresh(module_path(node.name, node.op_type)))
            producer[matched.nodes[-1].outputs[0]] = names[-1]
            continue
        view = Node(node, attrs, [list(inits[i].dims) if i in inits else None for i in node.input],
                    [None if consts.get(i) is None else consts[i].reshape(-1).tolist() for i in node.input],
                    hwc(shapes.get(node.output[0])), data)
        ins = [hwc(shapes.get(i)) or shape for i in data]
        made = map_node(table.get(node.op_type), lambda: view, ins, len(data), node.op_type,
                        node.name or node.output[0], unsupported)
        if made is None:
            producer.update((o, "?") for o in node.output)
            continue
        sources = tuple(producer[i] for i in data)
        if not made:
            producer[node.output[0]] = sources[0]
            continue
        parallel = len(view.outputs) > 1 and len(made) == len(view.outputs)  # Split: one step per output
        names = add_steps(steps, made, sources, fresh(module_path(node.name, node.op_type)), parallel)
        producer.update(zip(view.outputs, names) if parallel else [(node.output[0], names[-1])])
    unsupported.check(os.path.basename(path))
    outputs = [o.name for o in graph.output]
    if len(outputs) != 1:
        raise ModelImportError(f"{path}: the graph has {len(outputs)} outputs; cnncost reads one")
    name = re.sub(r"\W", "_", graph.name or "") or os.path.splitext(os.path.basename(path))[0]
    return Imported(os.path.splitext(os.path.basename(path))[0] if name in ("main_graph", "torch_jit") else name,
                    os.path.basename(path), f"ONNX reader, onnx {onnx.__version__}", shape, steps,
                    producer[outputs[0]])
