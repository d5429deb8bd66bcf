"""Every layer's working, as a student would write it: output size, params, MACs and
receptive field with the numbers filled in."""
from __future__ import annotations

from dataclasses import dataclass

from ..build import Graph, inference_graph
from ..passes.explain import LayerWorking, Step, explain
from .check import step_line


@dataclass(frozen=True)
class ExplainedLayer:
    name: str
    op: str
    line: int
    source: str  # the spec line that made the layer
    input: tuple  # first input's shape
    output: tuple
    working: tuple[str, ...]  # "H_out = floor((28 + 2·2 − 5)/1) + 1 = 28", ...


def explain_layers(graph: Graph, layer: str | None = None, training: bool = False) -> tuple[ExplainedLayer, ...]:
    """The working of every layer, or of those named `layer` or inside block `layer`: the
    layers inference runs unless `training` (then heads used only in training too)."""
    if not training:
        graph = inference_graph(graph)
    out = []
    for w in explain(graph):
        node = graph.nodes[w.node]
        if layer and not (node.name == layer or node.name.startswith(layer + ".")):
            continue
        source = graph.lines[node.line - 1].strip() if 0 < node.line <= len(graph.lines) else ""
        out.append(ExplainedLayer(node.name, node.kind, node.line, source,
                                  graph.nodes[node.inputs[0]].shape, node.shape, _lines(w)))
    return tuple(out)


def _lines(w: LayerWorking) -> tuple[str, ...]:
    steps: list[Step] = [s for s in w.shape if s.text or getattr(s.value, "free_symbols", None)]
    steps += [s for s in (w.params, w.buffers, w.macs) if s.text or s.value != 0]
    steps += list(w.rf)
    return tuple(step_line(s) for s in steps)
