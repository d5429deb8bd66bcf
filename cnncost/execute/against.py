"""`verify --against torch`: the NumPy executor and the exported PyTorch module run on the
same random input with the same weights (copied across), compared layer by layer.

Each node runs in PyTorch as the expression the exporter writes for it (the layer
entry's TorchCode) on its submodule of the exported module, so every layer's output is
seen, merges included. Needs torch (imported here only)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..graph import Graph
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

    from ..interop.export import export
    from ..interop.export_torch import module_path, torch_code

    namespace: dict = {"__name__": "cnncost_against"}
    exec(compile(export(graph, "pytorch"), f"<exported {graph.name}>", "exec"), namespace)
    model = namespace["build_model"]().eval()
    rng = np.random.default_rng(seed)
    pool = WeightPool(rng)
    numpy_out: dict[int, np.ndarray] = {}
    torch_out: dict[int, "torch.Tensor"] = {}
    order: dict[int, list | None] = {}
    rows = []
    with torch.no_grad():
        for node in graph.nodes:
            layer, ins = REGISTRY[node.kind], [graph.nodes[i].shape for i in node.inputs]
            tape = Tape(rng, pool, batch, keep=True)
            y = layer.run(node.attrs, [numpy_out[i] for i in node.inputs], tape)
            numpy_out[node.id] = y
            if node.id == 0:
                torch_out[0] = _to_torch(torch, y)
                order[0] = None
                continue
            code = torch_code(graph, node, ins)
            inner = order.get(node.inputs[0]) if node.inputs else None
            sub = model.get_submodule(module_path(node.name)) if code.module else None
            if sub is not None:
                _load(torch, sub, layer.torch_arrays(node.attrs, tape.arrays), inner)
            env = {**namespace, "m": sub,
                   "xs": [torch_out[i] for i in node.inputs]}
            expr = code.call.format(*(f"xs[{k}]" for k in range(len(node.inputs))), m="m")
            torch_out[node.id] = eval(expr, env)  # noqa: S307 - the exporter's own expression
            order[node.id] = layer.torch_feature_order(ins) or (
                inner if len(node.shape) == 1 and tuple(node.shape) == tuple(ins[0]) else None)
            got = _to_spec(torch_out[node.id], order[node.id])
            rows.append(LayerDifference(node.name, node.kind, node.line,
                                        float(np.max(np.abs(y - got), initial=0.0)),
                                        float(np.max(np.abs(y), initial=0.0))))
    return Against(graph.name, batch, seed, tuple(rows))


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


def _load(torch, module, arrays: list, order) -> None:
    """Copy the executor's arrays into the module's parameters then buffers (in order);
    with an input in another feature order, the arrays along the input features follow it."""
    targets = [p for p in module.parameters(recurse=False)]
    targets += [b for n, b in module.named_buffers(recurse=False) if n != "num_batches_tracked"]
    if len(targets) != len(arrays):
        raise RuntimeError(f"{type(module).__name__}: {len(arrays)} arrays for {len(targets)} tensors")
    for target, array in zip(targets, arrays):
        if order is not None and array.ndim == 2 and array.shape[1] == len(order):
            array = array[:, order]  # fc weight (N, C_in): columns in PyTorch's feature order
        elif order is not None and array.ndim == 1 and array.shape[0] == len(order):
            array = array[order]  # per-feature statistics of a vector
        target.copy_(torch.from_numpy(np.ascontiguousarray(array)).reshape(target.shape))
