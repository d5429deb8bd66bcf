"""Training cost of one step: backward MACs, the tensors autograd saves, the memory of
a forward/backward/optimizer step and its peak, from the layer entries' rules.

Which gradients exist follows PyTorch's requires_grad: a node's output needs a gradient
when the node has trained (unfrozen) parameters or an input that needs one; the network
input needs none. Memory is affine in the batch size: every amount is kept as a pair
(per sample, fixed) so the largest batch under a budget is solved, not searched.
Numbers only: a spec with symbols is refused (the peak is a maximum over steps).
See docs/how-to/training-cost.md for every rule and its source.
"""
from __future__ import annotations

from typing import NamedTuple

from .. import dims
from ..errors import CnnCostError, Span
from ..build import Graph
from ..layers import REGISTRY
from ..layers.autograd import Grads
from .counts import count

# bytes per value: activations (and their gradients), parameters (and gradients, optimizer
# state). torch.amp keeps parameters, gradients and optimizer state in float32 (the
# "master weights") and runs convolutions and matmuls on half-precision copies.
PRECISIONS = {"fp32": (4, 4), "amp-fp16": (2, 4), "amp-bf16": (2, 4)}
# optimizer state per trained parameter (torch.optim: SGD none, SGD momentum its
# momentum_buffer, Adam/AdamW exp_avg and exp_avg_sq)
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
DTYPE_BYTES = {"fp32": 4, "int64": 8}


class Affine(NamedTuple):
    """per_sample * batch + fixed (bytes)."""

    per_sample: int = 0
    fixed: int = 0

    def __add__(self, other):
        return Affine(self.per_sample + other.per_sample, self.fixed + other.fixed)

    def __sub__(self, other):
        return Affine(self.per_sample - other.per_sample, self.fixed - other.fixed)

    def at(self, batch: int) -> int:
        return self.per_sample * batch + self.fixed


class NodeTraining(NamedTuple):
    input_grad: bool  # the node computes a gradient for an input
    weight_grad: bool  # the node's parameters get a gradient
    backward_input_macs: int  # per sample
    backward_weight_macs: int  # per sample
    saved: Affine  # bytes of the storages this node is the first to save
    grad_bytes: int  # its parameters' gradients


class Training(NamedTuple):
    nodes: tuple[NodeTraining, ...]
    weight_bytes: int  # parameters and buffers
    grad_bytes: int
    optimizer_bytes: int
    saved: Affine
    peaks: tuple[tuple[str, Affine], ...]  # each moment of the step that may be the peak

    def peak(self, batch: int) -> tuple[int, str]:
        """(peak bytes, the first moment of the step it occurs) at a batch size."""
        value = max(a.at(batch) for _, a in self.peaks)
        return value, next(where for where, a in self.peaks if a.at(batch) == value)

    def max_batch(self, budget: int) -> int:
        """The largest batch whose peak fits in `budget` bytes (0: not even one)."""
        best = None
        for _, a in self.peaks:
            if a.fixed > budget:
                return 0
            if a.per_sample > 0:
                n = (budget - a.fixed) // a.per_sample
                best = n if best is None else min(best, n)
        return max(best, 0) if best is not None else 2**63 - 1


def _numeric(graph: Graph):
    if graph.symbols:
        raise CnnCostError("training memory needs a numeric spec, but this one has symbols: "
                           + ", ".join(graph.symbols), hint="drop --symbolic")


def train_pass(graph: Graph, precision: str = "fp32", optimizer: str = "sgd") -> Training:
    """The training facts of every node and the step's memory, per sample and fixed."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: choose from {', '.join(PRECISIONS)}")
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"unknown optimizer {optimizer!r}: choose from {', '.join(OPTIMIZER_STATES)}")
    _numeric(graph)
    act, pbytes = PRECISIONS[precision]
    counts = count(graph)
    nodes = graph.nodes
    needs = [False] * len(nodes)  # does the node's output need a gradient?
    storage = list(range(len(nodes)))  # the node owning each output's storage
    strided = [False] * len(nodes)  # is the output a non-contiguous view (a crop)?
    facts, saved_by = [], {}  # storage key -> [size (Affine), savers (node ids)]
    for node, c in zip(nodes, counts):
        layer = REGISTRY[node.kind]
        ins = [nodes[i].shape for i in node.inputs]
        trained = bool(c.params) and not node.frozen
        grads = Grads(tuple(needs[i] for i in node.inputs), trained)
        needs[node.id] = trained or any(grads.inputs)
        if layer.shares_storage and node.inputs and not (layer.copies_strided and strided[node.inputs[0]]):
            storage[node.id] = storage[node.inputs[0]]
            strided[node.id] = strided[node.inputs[0]] or layer.strided_view
        try:
            back_in, back_w = layer.backward_macs(node.attrs, ins, node.shape)
            items = layer.saved(node.attrs, ins, node.shape, grads) if needs[node.id] else ()
        except CnnCostError as err:
            text = graph.lines[node.line - 1] if 0 < node.line <= len(graph.lines) else ""
            err.message = f"{node.name} ({node.kind}): {err.message}"
            raise err.located(Span(graph.file, node.line, 1, 1, text))
        first = Affine()
        for k, item in enumerate(items):
            key, size = _storage(item, node, k, storage, nodes, act)
            if size is None:
                continue
            if key not in saved_by:
                saved_by[key] = [size, []]
                first = first + size
            saved_by[key][1].append(node.id)
        facts.append(NodeTraining(any(grads.inputs), trained,
                                  dims.exact(back_in) if any(grads.inputs) else 0,
                                  dims.exact(back_w) if trained else 0,
                                  first, c.params * pbytes if trained else 0))
    weights = sum(c.params + c.buffers for c in counts) * pbytes
    grad_bytes = sum(f.grad_bytes for f in facts)
    optimizer_bytes = OPTIMIZER_STATES[optimizer] * grad_bytes
    saved = Affine()
    for size, _ in saved_by.values():
        saved = saved + size
    peaks = _peaks(graph, facts, needs, storage, saved_by, act,
                   Affine(0, weights + optimizer_bytes), grad_bytes)
    return Training(tuple(facts), weights, grad_bytes, optimizer_bytes, saved, tuple(peaks))


def _storage(item, node, k, storage, nodes, act):
    """(key, size) of one saved tensor; size None when it costs nothing extra."""
    if item.tensor == "weight":
        if act == 4:
            return None, None  # the parameter itself, counted with the weights
        return (node.id, "weight"), Affine(0, item.elements * act)  # autocast's half copy
    if item.tensor == "new":
        width = act if item.dtype == "act" else DTYPE_BYTES[item.dtype]
        size = item.elements * width
        return (node.id, k), Affine(size, 0) if item.per_sample else Affine(0, size)
    owner = node.id if item.tensor == "output" else node.inputs[item.tensor]
    key = storage[owner]
    return key, Affine(dims.product(nodes[key].shape) * act, 0)


def _peaks(graph, facts, needs, storage, saved_by, act, base, grad_bytes):
    """The moments of a step that may hold the most memory: after each node's forward,
    during each node's backward, and the optimizer step. Parameters, buffers and optimizer
    state live throughout; gradients of parameters are made in the backward (zero_grad
    sets them to None) and live until the next step's zero_grad."""
    nodes = graph.nodes
    elems = [dims.product(n.shape) * act for n in nodes]
    held = {storage[0], storage[graph.output]}  # the caller holds the input and the output
    last_use = {}
    for n in nodes:
        for i in n.inputs:
            last_use[storage[i]] = max(last_use.get(storage[i], 0), n.id)
    saved_keys_of = {}  # node -> keys it saves
    for key, (size, savers) in saved_by.items():
        saved_keys_of.setdefault(savers[0], []).append(key)
    sizes = {key: size for key, (size, _) in saved_by.items()}
    peaks = []
    # forward: live storages (needed later, saved, or held) and saved extras
    live: dict = {storage[0]: Affine(elems[0], 0)}
    for n in nodes[1:]:
        s = storage[n.id]
        live.setdefault(s, Affine(elems[n.id], 0))
        for key in saved_keys_of.get(n.id, ()):
            live.setdefault(key, sizes[key])
        peaks.append((f"forward {n.name}", base + _total(live.values())))
        for key in list(live):
            if key in held or key in saved_by or not isinstance(key, int):
                continue
            if last_use.get(key, -1) <= n.id:
                del live[key]
    # backward, in reverse order of the nodes that have a backward
    last_saver = {key: min(savers) for key, (_, savers) in saved_by.items()}
    grads_made = 0
    pending: dict[int, Affine] = {}  # gradient buffers of node outputs, by node
    if needs[graph.output]:
        pending[graph.output] = Affine(elems[graph.output], 0)
    for n in reversed(nodes):
        if not needs[n.id] or n.id == 0:
            continue
        f = facts[n.id]
        layer = REGISTRY[n.kind]
        grads_made += f.grad_bytes
        fresh = Affine()
        for i in n.inputs:
            if needs[i]:
                fresh = fresh + (Affine() if layer.gradient_is_view else Affine(elems[i], 0))
        peaks.append((f"backward {n.name}",
                      base + Affine(0, grads_made) + _total(live.values())
                      + _total(pending.values()) + fresh))
        pending.pop(n.id, None)
        for i in n.inputs:
            if needs[i]:
                pending.setdefault(i, Affine(elems[i], 0))
        for key in [k for k, v in last_saver.items() if v == n.id]:
            if key not in held:
                live.pop(key, None)
    peaks.append(("optimizer step", base + Affine(0, grad_bytes) + _total(
        v for k, v in live.items() if k in held)))
    return peaks


def _total(values):
    total = Affine()
    for v in values:
        total = total + v
    return total
