"""Symbolic reports: totals as formulas of the input size, and which layers tie the
parameter count to it (a fully connected layer after `flatten`), for
`cnncost summarize --symbolic H,W`."""
from __future__ import annotations

from dataclasses import replace

from .. import symbolic
from ..build import Graph
from .model import Report


def input_dependent(graph: Graph, names) -> tuple[tuple[str, str, str], ...]:
    """(layer, kind, its input layer) for every layer whose parameter count depends on the
    symbols `names` (the input's height and width)."""
    from ..passes.counts import count

    out = []
    wanted = set(names)
    for node, c in zip(graph.nodes, count(graph)):
        if symbolic.is_symbolic(c.params) and {s.name for s in c.params.free_symbols} & wanted:
            source = graph.nodes[node.inputs[0]].name if node.inputs else ""
            out.append((node.name, node.kind, source))
    return tuple(out)


def with_input_note(report: Report, graph: Graph, names) -> Report:
    """The report with a note saying which layers make the parameters grow with the
    input size, or that none does."""
    shown = ", ".join(dict.fromkeys(names))
    layers = input_dependent(graph, names)
    if not layers:
        note = f"the parameter count does not depend on the input size ({shown})"
    else:
        which = ", ".join(f"{name} ({kind} after {source})" if source else f"{name} ({kind})"
                          for name, kind, source in layers)
        note = f"the parameter count depends on the input size ({shown}) through {which}"
    return replace(report, notes=report.notes + (note,))


def simplified(report: Report) -> Report:
    """The report with its totals simplified (cnncost.symbolic.simplify: only when that
    makes them shorter; a whole network's totals are usually left as summed)."""
    totals = replace(report.totals, **{k: symbolic.simplify(getattr(report.totals, k))
                                       for k in report.totals.__dataclass_fields__})
    return replace(report, totals=totals)
