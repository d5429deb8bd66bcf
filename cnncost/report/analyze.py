"""Graph -> Report: run the passes and gather their facts per layer and in total."""
from __future__ import annotations

import re

from .. import dims
from ..graph import Graph
from ..passes.counts import count
from ..passes.depth import weight_depth
from ..passes.memory import peak_activations
from ..passes.receptive import receptive_fields
from .model import DTYPE_BYTES, LayerRow, Report, Totals


def analyze(graph: Graph, dtype: str = "fp32", batch: int = 1) -> Report:
    """Every count of every layer. `batch` scales activations, MACs and other ops,
    never parameters; `dtype` sets the bytes per value."""
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"unknown dtype {dtype!r}: choose from {', '.join(DTYPE_BYTES)}")
    width = DTYPE_BYTES[dtype]
    counts = count(graph)
    fields = receptive_fields(graph)
    rows = []
    for node, c, f in zip(graph.nodes, counts, fields):
        frozen = c.params if c.frozen else 0
        rows.append(LayerRow(
            node.name, node.kind, node.shape, c.params, c.params - frozen, frozen, c.buffers,
            c.macs * batch, c.other_ops * batch, c.activations * batch,
            f.size, f.jump, f.start, node.line, len(node.scope)))
    peak, _ = peak_activations(graph)
    weight_layers, depth = weight_depth(graph)
    params = _sum(r.params for r in rows)
    buffers = _sum(r.buffers for r in rows)
    macs = _sum(r.macs for r in rows)
    totals = Totals(
        params=params,
        trainable=_sum(r.trainable for r in rows),
        frozen=_sum(r.frozen for r in rows),
        buffers=buffers,
        macs=macs,
        flops=2 * macs,
        other_ops=_sum(r.other_ops for r in rows),
        activations=_sum(r.activations for r in rows[1:]),  # the input is not a layer output
        peak_activation_bytes=peak * batch * width,
        weight_bytes=(params + buffers) * width,
        weight_layers=weight_layers,
        depth=depth,
    )
    return Report(graph.name, graph.file, graph.input.shape, graph.nodes[graph.output].shape,
                  tuple(rows), totals, dtype, batch, graph.notes, dict(graph.params))


def _sum(values):
    total = 0
    for v in values:
        total = total + v
    return dims.exact(total)


_BLOCK_STEM = re.compile(r"\d+$")


def collapse(report: Report, depth: int) -> Report:
    """Rows nested deeper than `depth` are summed into one row per enclosing block
    (torchinfo's depth): the block row shows its last layer's output and field."""
    if depth < 0:
        return report
    rows: list[LayerRow] = []
    groups: dict[str, int] = {}
    for row in report.layers:
        if row.depth <= depth:
            rows.append(row)
            continue
        key = ".".join(row.name.split(".")[:depth + 1])
        if key in groups and groups[key] == len(rows) - 1:
            prev = rows[-1]
            rows[-1] = LayerRow(
                key, prev.op, row.output, prev.params + row.params, prev.trainable + row.trainable,
                prev.frozen + row.frozen, prev.buffers + row.buffers, prev.macs + row.macs,
                prev.other_ops + row.other_ops, prev.activations + row.activations,
                row.rf_size, row.rf_jump, row.rf_start, prev.line, depth)
        else:
            op = _BLOCK_STEM.sub("", key.split(".")[-1]) or "block"
            groups[key] = len(rows)
            rows.append(LayerRow(key, op, row.output, row.params, row.trainable, row.frozen,
                                 row.buffers, row.macs, row.other_ops, row.activations,
                                 row.rf_size, row.rf_jump, row.rf_start, row.line, depth))
    return Report(report.network, report.file, report.input, report.output, tuple(rows),
                  report.totals, report.dtype, report.batch, report.notes, report.params)
