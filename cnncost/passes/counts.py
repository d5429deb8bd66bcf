"""Per-node counts from the layer catalogue's rules: params, buffers, MACs, other ops."""
from __future__ import annotations

from typing import NamedTuple

from .. import dims
from ..errors import CnnCostError, Span
from ..build import Graph
from ..layers import REGISTRY


class Counts(NamedTuple):
    params: object
    buffers: object
    macs: object
    other_ops: object
    activations: object  # elements of the node's output
    frozen: bool
    connections: object = 0  # LeCun's: multiplies by a weight + bias adds
    weight_tensors: int = 0  # learnable arrays (Keras's trainable_weights), 0 when frozen


def count(graph: Graph) -> list[Counts]:
    """One Counts per node, in graph order; exact ints (or sympy expressions)."""
    out = []
    for node in graph.nodes:
        layer = REGISTRY[node.kind]
        ins = [graph.nodes[i].shape for i in node.inputs]
        try:
            values = [dims.exact(rule(node.attrs, ins, node.shape)) for rule in
                      (layer.params, layer.buffers, layer.macs, layer.other_ops)]
            connections = dims.exact(layer.connections(node.attrs, ins, node.shape))
            tensors = layer.weight_tensors(node.attrs)
            if tensors == 0 and not (dims.is_number(values[0]) and values[0] == 0):
                raise CnnCostError(f"layer kind '{node.kind}' has parameters but does not say "
                                   "how many weight arrays hold them",
                                   hint="give its entry a weight_tensors method")
        except CnnCostError as err:
            text = graph.lines[node.line - 1] if 0 < node.line <= len(graph.lines) else ""
            raise err.located(Span(graph.file, node.line, 1, 1, text))
        out.append(Counts(*values, dims.product(node.shape), node.frozen, connections,
                          0 if node.frozen else tensors))
    return out
