"""Several outputs, and heads used only in training (`output main aux1 aux2 train aux1 aux2`):
the graph inference runs is the one without the training heads' own layers (GoogLeNet's
auxiliary classifiers count in training, not at inference)."""
from __future__ import annotations

from dataclasses import replace

from .graph import Graph


def needed(graph: Graph, outputs) -> set[int]:
    """The nodes the given outputs are computed from (themselves included)."""
    seen: set[int] = set()
    stack = list(outputs)
    while stack:
        i = stack.pop()
        if i not in seen:
            seen.add(i)
            stack.extend(graph.nodes[i].inputs)
    return seen


def inference_graph(graph: Graph) -> Graph:
    """The graph without the layers only training heads need, nodes renumbered in order;
    `expect` lines about removed layers are dropped (check marks them on the full graph)."""
    if not graph.train:
        return graph
    inference = [graph.output, *(h for h in graph.heads if h not in graph.train)]
    keep = sorted(needed(graph, inference))
    new = {old: i for i, old in enumerate(keep)}
    nodes = tuple(graph.nodes[old]._replace(id=new[old], inputs=tuple(new[j] for j in graph.nodes[old].inputs))
                  for old in keep)
    expectations = tuple(
        e._replace(nodes=tuple(new[j] for j in e.nodes if j in new),
                   output=new[e.output] if e.output is not None else None)
        for e in graph.expectations if e.output is None or e.output in new)
    calls = tuple(c._replace(first=new[c.first], end=new[c.end - 1] + 1, input=new[c.input], output=new[c.output])
                  for c in graph.calls  # a call that lost a layer is no longer one block of code
                  if c.end > c.first and all(i in new for i in (c.input, c.output, *range(c.first, c.end))))
    return replace(graph, nodes=nodes, output=new[graph.output], expectations=expectations,
                   heads=tuple(new[h] for h in graph.heads if h in new), train=(), head_names=(),
                   calls=calls)
