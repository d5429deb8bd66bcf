"""Depth as papers count it: the most weight layers (conv, dwconv, deconv, fc: the
catalogue's `category == "weight"`) on any path from the input to the output.

VGG-16 has 16, ResNet-50 50 (its 4 projection shortcuts sit on shorter paths),
GoogLeNet 22 ("22 layers deep when counting only layers with parameters", Szegedy et
al. 2014) and MobileNet 28 ("counting depthwise and pointwise convolutions as separate
layers", Howard et al. 2017). Composites (sepconv, se) were expanded into their parts
by the builder, so each part counts.
"""
from __future__ import annotations

from ..build import Graph
from ..layers import REGISTRY


def is_weight(kind: str) -> bool:
    return REGISTRY[kind].category == "weight"


def weight_depth(graph: Graph) -> tuple[int, int]:
    """(weight layers in the whole graph, weight layers on the longest input-output path)."""
    longest = [0] * len(graph.nodes)  # weight layers on the longest path ending at each node
    layers = 0
    for node in graph.nodes:  # graph order is topological
        own = 1 if is_weight(node.kind) else 0
        layers += own
        longest[node.id] = own + max((longest[i] for i in node.inputs), default=0)
    return layers, longest[graph.output]
