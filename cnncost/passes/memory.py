"""Peak activation memory: the most output elements alive at once when the graph runs
in order, each output freed after its last consumer has run (the graph's output and
the input stay alive throughout)."""
from __future__ import annotations

from .. import dims
from ..build import Graph


def peak_activations(graph: Graph) -> tuple[object, int]:
    """(peak live elements, id of the node during which the peak occurs)."""
    last_use = list(range(len(graph.nodes)))
    for node in graph.nodes:
        for i in node.inputs:
            last_use[i] = max(last_use[i], node.id)
    last_use[graph.output] = len(graph.nodes)
    last_use[0] = len(graph.nodes)
    frees: dict[int, list[int]] = {}
    for i, end in enumerate(last_use):
        frees.setdefault(end, []).append(i)
    live, peak, peak_at = 0, 0, 0
    symbolic = []  # live sums with symbols: their maximum is taken once, at the end
    for node in graph.nodes:
        live = live + dims.product(node.shape)  # inputs and this output are alive together
        if not symbolic and dims.is_number(live):
            if live > peak:
                peak, peak_at = live, node.id
        else:
            symbolic.append(live)
        for i in frees.get(node.id, ()):
            live = live - dims.product(graph.nodes[i].shape)
    if symbolic:
        from ..symbolic import peak as largest

        peak = largest([peak, *symbolic])
    return peak, peak_at
