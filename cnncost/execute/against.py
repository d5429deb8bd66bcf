"""`verify --against torch`: the NumPy executor and the exported PyTorch module run on the
same random input with the same weights (copied across), compared layer by layer.

The module is the exporter's file, written with `record=True` (forward keeps every
layer's output, merges included) to a temporary folder and loaded as a module: the one
place cnncost runs code it generated — from a built graph, whose names and numbers the
grammar and the builder have checked. Needs torch (imported here only)."""
from __future__ import annotations

import importlib.util
import os
import tempfile
from typing import NamedTuple

import numpy as np

from ..build import Graph
from ..layers import REGISTRY
from .tape import Tape, WeightPool


class LayerDifference(NamedTuple):
    name: str
    op: str
    line: int
    max_abs_diff: float  # largest |NumPy - PyTorch| over the layer's output
    max_abs_value: float  # largest |NumPy| there, for scale


class Against(NamedTuple):
    network: str
    batch: int
    seed: int
    rows: tuple[LayerDifference, ...]

    @property
    def largest(self) -> float:
        return max((r.max_abs_diff for r in self.rows), default=0.0)

    def beyond(self, tolerance: float) -> tuple[LayerDifference, ...]:
        """Layers whose |difference| is above tolerance x max(1, largest |value|)."""
        return tuple(r for r in self.rows if r.max_abs_diff > tolerance * max(1.0, r.max_abs_value))


def against_torch(graph: Graph, batch: int = 1, seed: int = 0) -> Against:
    import torch

    from ..interop.export_torch import export_pytorch, module_path

    model = _load_exported(export_pytorch(graph, record=True), graph.name).build_model().eval()
    rng = np.random.default_rng(seed)
    pool = WeightPool(rng)
    numpy_out: dict[int, np.ndarray] = {}
    order: dict[int, list | None] = {0: None}
    with torch.no_grad():
        for node in graph.nodes:  # the NumPy run, copying each layer's weights across
            layer, ins = REGISTRY[node.kind], [graph.nodes[i].shape for i in node.inputs]
            tape = Tape(rng, pool, batch, keep=True)
            numpy_out[node.id] = layer.run(node.attrs, [numpy_out[i] for i in node.inputs], tape)
            if node.id == 0:
                continue
            inner = order.get(node.inputs[0])
            if tape.arrays:
                _load(torch, model.get_submodule(module_path(node.name)),
                      layer.torch_arrays(node.attrs, tape.arrays), inner, layer.keeps_shape)
            # a vector keeps PyTorch's feature order through a layer that maps each feature
            # to itself (bn, relu, dropout), not through an fc whose width happens to be equal
            same = len(node.shape) == 1 and tuple(node.shape) == tuple(ins[0])
            order[node.id] = layer.torch_feature_order(ins) or (
                inner if same and (layer.keeps_shape or not tape.arrays) else None)
        model(_to_torch(torch, numpy_out[0]))
    rows = []
    for node in graph.nodes[1:]:
        y, got = numpy_out[node.id], _to_spec(model.outputs[node.id], order[node.id])
        rows.append(LayerDifference(node.name, node.kind, node.line,
                                    float(np.max(np.abs(y - got), initial=0.0)),
                                    float(np.max(np.abs(y), initial=0.0))))
    return Against(graph.name, batch, seed, tuple(rows))


def _load_exported(source: str, name: str):
    """The exported file as a module (written to a temporary folder, then imported)."""
    with tempfile.TemporaryDirectory(prefix="cnncost-against-") as folder:
        path = os.path.join(folder, "exported.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        spec = importlib.util.spec_from_file_location(f"cnncost_against_{abs(hash(name))}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _to_torch(torch, array: np.ndarray):
    """NHWC -> NCHW (a vector stays as it is)."""
    t = torch.from_numpy(np.ascontiguousarray(array))
    return t.permute(0, 3, 1, 2).contiguous() if t.dim() == 4 else t


def _to_spec(tensor, order) -> np.ndarray:
    """A PyTorch output in the spec's layout: NCHW -> NHWC; a vector back in spec order."""
    array = tensor.detach().numpy()
    if array.ndim == 4:
        return array.transpose(0, 2, 3, 1)
    if order is not None:
        out = np.empty_like(array)
        out[:, order] = array
        return out
    return array


def _load(torch, module, arrays: list, order, per_feature: bool) -> None:
    """Copy the executor's arrays into the module's parameters then buffers (in order);
    with an input in another feature order, the arrays along the input features follow it:
    an fc weight's columns, and the vectors of a layer that maps each feature to itself
    (`per_feature`: bn's statistics; never an fc's bias, which runs along its outputs)."""
    targets = [p for p in module.parameters(recurse=False)]
    targets += [b for n, b in module.named_buffers(recurse=False) if n != "num_batches_tracked"]
    if len(targets) != len(arrays):
        raise RuntimeError(f"{type(module).__name__}: {len(arrays)} arrays for {len(targets)} tensors")
    for target, array in zip(targets, arrays):
        if order is not None and array.ndim == 2 and array.shape[1] == len(order):
            array = array[:, order]  # fc weight (N, C_in): columns in PyTorch's feature order
        elif per_feature and order is not None and array.ndim == 1 and array.shape[0] == len(order):
            array = array[order]  # per-feature statistics of a vector
        target.copy_(torch.from_numpy(np.ascontiguousarray(array)).reshape(target.shape))
