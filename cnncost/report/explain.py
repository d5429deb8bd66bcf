"""Every layer's working, as a student would write it: output size, params, MACs and
receptive field with the numbers filled in."""
from __future__ import annotations

from dataclasses import dataclass

from ..build import Graph, inference_graph
from ..passes.counts import count
from ..passes.explain import LayerWorking, Step, explain


@dataclass(frozen=True)
class ExplainedLayer:
    name: str
    op: str
    line: int
    source: str  # the spec line that made the layer
    input: tuple  # first input's shape
    output: tuple
    working: tuple[Step, ...]  # written out by render/working.py: "H_out = ... = 28"


def explain_layers(graph: Graph, layer: str | None = None, training: bool = False,
                   lecture: bool = False) -> tuple[ExplainedLayer, ...]:
    """The working of every layer, or of those named `layer` or inside block `layer`: the
    layers inference runs unless `training` (then heads used only in training too). With
    `lecture`, also the lecture's quantities of each layer with weights: cost,
    connections and weight tensors."""
    if not training:
        graph = inference_graph(graph)
    counts = count(graph) if lecture else None
    out = []
    for w in explain(graph):
        node = graph.nodes[w.node]
        if layer and not (node.name == layer or node.name.startswith(layer + ".")):
            continue
        source = graph.lines[node.line - 1].strip() if 0 < node.line <= len(graph.lines) else ""
        lines = _lines(w) + (_lecture(w, counts[w.node]) if counts else ())
        out.append(ExplainedLayer(node.name, node.kind, node.line, source,
                                  graph.nodes[node.inputs[0]].shape, node.shape, lines))
    return tuple(out)


def _lecture(w: LayerWorking, c) -> tuple[Step, ...]:
    """cost (= MACs, the same working), LeCun's connections, the learnable arrays."""
    if not c.connections and not c.weight_tensors:
        return ()
    steps = [Step("cost", w.macs.text, w.macs.value)]
    extra = c.connections - c.macs
    if extra:
        steps.append(Step("connections", f"{c.macs} + {extra}", c.connections))  # MACs + bias adds
    else:
        steps.append(Step("connections", "", c.connections))
    steps.append(Step("weight tensors", "", c.weight_tensors))
    return tuple(steps)


def _lines(w: LayerWorking) -> tuple[Step, ...]:
    steps: list[Step] = [s for s in w.shape if s.text or getattr(s.value, "free_symbols", None)]
    steps += [s for s in (w.params, w.buffers, w.macs) if s.text or s.value != 0]
    steps += list(w.rf)
    return tuple(steps)
