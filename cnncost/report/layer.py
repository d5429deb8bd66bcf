"""One layer, or two alternatives on the same input: each with its working, and the
ratio of their costs (`cnncost layer`). Raw numbers and working steps only; the graphs are
built from the LAYER text by cnncost/layer_text.py, and render/layer.py formats."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .. import symbolic
from ..build import Graph
from ..passes.explain import Step
from .analyze import analyze
from .explain import explain_layers

QUANTITIES = ("params", "buffers", "macs")


@dataclass(frozen=True)
class Part:
    """One layer of an alternative (sepconv has two: depthwise and pointwise)."""

    name: str
    op: str
    input: tuple
    output: tuple
    params: Any
    buffers: Any
    macs: Any
    working: tuple[Step, ...]  # written out by render/working.py: "MACs = 4·4·5 × 3·3·3 = 2,160"


@dataclass(frozen=True)
class Alternative:
    layer: str  # as typed
    input: tuple
    output: tuple
    parts: tuple[Part, ...]
    params: Any
    buffers: Any
    macs: Any
    activations: Any  # elements of the alternative's output
    sums: tuple[tuple[str, tuple, Any], ...]  # (quantity, the parts' values, total) when several count
    general: Mapping[str, Any] = field(default_factory=dict)  # params/macs with symbols


@dataclass(frozen=True)
class Ratio:
    """b / a of one quantity: an exact Fraction or an expression (None when a is 0)."""

    quantity: str
    value: Any
    general: Any = None  # with generalize: the ratio in symbols (1/nc2 + 1/f**2)
    terms: str = ""  # ... and its terms with the numbers put in (1/5 + 1/9)


@dataclass(frozen=True)
class LayerComparison:
    input: tuple
    a: Alternative
    b: Alternative | None
    ratios: tuple[Ratio, ...]  # macs, params
    symbols: Mapping[str, Any] = field(default_factory=dict)  # generalize: name -> number
    general_input: tuple = ()
    note: str = ""  # why there is no symbolic form, when one was asked for
    warnings: tuple[str, ...] = ()  # the input looks C x H x W (issue 18 item 4)


# --------------------------------------------------------------------------- the report
def alternative(graph: Graph, text: str) -> Alternative:
    report = analyze(graph)
    explained = {x.name: x for x in explain_layers(graph)}
    parts = []
    for node, row in zip(graph.nodes[1:], report.layers[1:]):
        x = explained[node.name]
        parts.append(Part(node.name, node.kind, x.input, node.shape, row.params, row.buffers,
                          row.macs, x.working))
    t = report.totals
    output = graph.nodes[graph.output].shape
    return Alternative(text, graph.input.shape, output, tuple(parts), t.params, t.buffers,
                       t.macs, report.layers[graph.output].activations,
                       _sums(parts, {"params": t.params, "buffers": t.buffers, "macs": t.macs}))


def _sums(parts: list[Part], totals: dict) -> tuple[tuple[str, tuple, Any], ...]:
    """(quantity, the non-zero values of the parts, the total) for each quantity more than
    one part counts: `MACs = 432 + 240 = 672` once rendered."""
    out = []
    for quantity in QUANTITIES:
        values = tuple(getattr(p, quantity) for p in parts if getattr(p, quantity) != 0)
        if len(values) >= 2:
            out.append((quantity, values, totals[quantity]))
    return tuple(out)


def ratios(a: Alternative, b: Alternative | None) -> tuple[Ratio, ...]:
    if b is None:
        return ()
    return tuple(Ratio(q, None if a_value == 0 else symbolic.ratio(a_value, getattr(b, q)))
                 for q in ("macs", "params") for a_value in [getattr(a, q)])


def compare_graphs(graph_a: Graph, a: str, graph_b: Graph | None = None, b: str | None = None) -> LayerComparison:
    """Alternative `a` (and `b`), each a small graph on the same input, with the ratios b/a."""
    alt_a = alternative(graph_a, a)
    alt_b = alternative(graph_b, b) if graph_b is not None else None
    return LayerComparison(graph_a.input.shape, alt_a, alt_b, ratios(alt_a, alt_b),
                           warnings=graph_a.warnings)
