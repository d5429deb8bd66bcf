"""Run a graph node by node with NumPy and record what each node actually did."""
from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np

from ..errors import CnnCostError
from ..build import Graph, Node
from ..layers import REGISTRY
from .tape import Tape, WeightPool


class NodeRun(NamedTuple):
    """What one node did: its output array's shape (the batch axis apart) and dtype, the
    sizes of the arrays it allocated, and the MACs of the products it ran."""

    shape: tuple
    batch: int
    dtype: str
    params: int
    buffers: int
    macs: int
    seconds: float
    arrays: tuple = ()  # the params and buffers it allocated, with keep=True


class Execution(NamedTuple):
    nodes: tuple[NodeRun, ...]
    output: np.ndarray


def execute(graph: Graph, batch: int = 1, seed: int = 0,
            on_node: Callable[[int, Node], None] | None = None, keep: bool = False) -> Execution:
    """Run every node in order on a seeded random input of `batch` images. Each output is
    freed after its last consumer. `on_node(i, node)` is called after node i has run;
    `keep` holds on to every parameter array (the tests compare kernels with them)."""
    if graph.symbols:
        raise CnnCostError(f"the spec declares symbols ({', '.join(graph.symbols)}): "
                           "only a network with numbers can be run",
                           hint="give the symbols values with `param` instead of `symbol`")
    rng = np.random.default_rng(seed)
    pool = WeightPool(rng)
    last_use = {}
    for node in graph.nodes:
        for i in node.inputs:
            last_use[i] = node.id
    values: dict[int, np.ndarray] = {}
    runs = []
    for node in graph.nodes:
        tape = Tape(rng, pool, batch, keep)
        start = time.perf_counter()
        y = REGISTRY[node.kind].run(node.attrs, [values[i] for i in node.inputs], tape)
        runs.append(NodeRun(tuple(y.shape[1:]), y.shape[0], str(y.dtype), tape.params,
                            tape.buffers, tape.macs, time.perf_counter() - start, tuple(tape.arrays)))
        values[node.id] = y
        for i in set(node.inputs):
            if last_use[i] == node.id and i != graph.output:
                del values[i]
        if node.id not in last_use and node.id != graph.output:
            del values[node.id]  # a dead end: nothing reads it
        if on_node is not None:
            on_node(node.id, node)
    return Execution(tuple(runs), values[graph.output])
