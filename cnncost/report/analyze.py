"""Graph -> Report: run the passes and gather their facts per layer and in total."""
from __future__ import annotations

import re
from dataclasses import replace

from .. import dims
from ..build import Graph, inference_graph
from ..passes.counts import count
from ..passes.depth import weight_depth
from ..passes.memory import peak_activations
from ..passes.receptive import receptive_fields
from .model import DTYPE_BYTES, ConventionTotal, LayerRow, Report, Totals


def _checked_batch(batch) -> int:
    """batch as the CLI's --batch takes it: a whole number from 1 to 2**63 - 1 (never a
    negative, fractional or zero batch that would give negative, float or zero totals)."""
    from ..errors import CnnCostError
    from ..values import NumberError, read_number

    try:
        return read_number(batch, low=1, high=2**63 - 1, low_open=False, whole=True)
    except NumberError as err:
        raise CnnCostError(f"batch {batch!r}: {err}", hint="give a whole number of images, e.g. batch=8") from None


def analyze(graph: Graph, dtype: str = "fp32", batch: int = 1, conventions=(),
            ledger: bool = False, device=None, training: bool = False) -> Report:
    """Every count of every layer. `batch` scales activations, MACs and other ops,
    never parameters; `dtype` sets the bytes per value. On request: totals under the
    named convention profiles (cnncost.conventions), the operation ledger, and the
    roofline on a `device` (a cnncost.devices.Device or a preset name such as "a100").
    A graph with heads used only in training (`output ... train aux1`) is reported as
    inference runs it, with the training totals beside; `training=True` reports all of it."""
    if graph.train and not training:
        full = analyze(graph, dtype, batch, training=True)
        report = analyze(inference_graph(graph), dtype, batch, conventions, ledger, device)
        return replace(report, training=full.totals,
                       training_heads=graph.head_names)
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"unknown dtype {dtype!r}: choose from {', '.join(DTYPE_BYTES)}")
    batch = _checked_batch(batch)
    width = DTYPE_BYTES[dtype]
    counts = count(graph)
    fields = receptive_fields(graph)
    extras: dict = {}
    per_node_conventions = per_node_roofline = None
    if conventions or ledger:
        per_node_conventions, extras["conventions"], extras["ledger"] = _conventions(
            graph, counts, batch, tuple(conventions))
        if not ledger:
            extras["ledger"] = {}
    if device is not None:
        per_node_roofline, extras["roofline"] = _roofline(graph, counts, width, batch, device, dtype)
    rows = []
    for i, (node, c, f) in enumerate(zip(graph.nodes, counts, fields)):
        frozen = c.params if c.frozen else 0
        rows.append(LayerRow(
            name=node.name, op=node.kind, output=node.shape, params=c.params,
            trainable=c.params - frozen, frozen=frozen, buffers=c.buffers,
            macs=c.macs * batch, other_ops=c.other_ops * batch,
            # the input is not a layer output (docs/counting.md)
            activations=c.activations * batch if i else 0,
            rf_size=f.size, rf_jump=f.jump, rf_start=f.start, line=node.line,
            depth=len(node.scope), inputs=tuple(graph.nodes[j].name for j in node.inputs),
            conventions=per_node_conventions[i] if per_node_conventions else (),
            roofline=per_node_roofline[i] if per_node_roofline else None,
            kernel=tuple(node.attrs.get("kernel", ())),
            connections=c.connections * batch, weight_tensors=c.weight_tensors))
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
        activations=_sum(r.activations for r in rows),
        peak_activation_bytes=peak * batch * width,
        weight_bytes=(params + buffers) * width,
        weight_layers=weight_layers,
        depth=depth,
        connections=_sum(r.connections for r in rows),
        weight_tensors=sum(r.weight_tensors for r in rows),
    )
    return Report(graph.name, graph.file, graph.input.shape, graph.nodes[graph.output].shape,
                  tuple(rows), totals, dtype, batch, graph.notes, dict(graph.params), **extras)


def _conventions(graph: Graph, counts, batch: int, names: tuple):
    """(per-node totals under each named profile, the ConventionTotals, the ledger)."""
    from .. import conventions as conv
    from ..passes.ledger import node_ledgers, total_ledger

    unknown = [name for name in names if name not in conv.PROFILES]
    if unknown:
        raise ValueError(f"unknown convention {unknown[0]!r}: choose from {', '.join(conv.PROFILES)}")
    per_node = node_ledgers(graph, counts)
    if batch != 1:
        per_node = [{k: v * batch for k, v in entry.items()} for entry in per_node]
    ledger = total_ledger(per_node)
    profiles = [conv.PROFILES[name] for name in names]
    totals = tuple(ConventionTotal(p.name, p.reports, p.source, conv.apply(p, ledger),
                                   tuple(conv.terms(p, ledger)), tuple(conv.notes(p, ledger)))
                   for p in profiles)
    values = [tuple(conv.apply(p, entry) for p in profiles) for entry in per_node]
    return values, totals, ledger


def _roofline(graph: Graph, counts, width: int, batch: int, device, dtype: str = "fp32"):
    """(per-node RooflineRows, the network's Roofline) on a Device or a preset name, at
    the device's peak for `dtype`."""
    from ..devices import DEVICES
    from .roofline import layer_roofline, total_roofline

    if isinstance(device, str):
        if device not in DEVICES:
            raise ValueError(f"unknown device {device!r}: choose from {', '.join(DEVICES)}")
        device = DEVICES[device]
    device = device.at(dtype)
    rows = layer_roofline(graph, counts, width, batch, device)
    return rows, total_roofline(rows, device)


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
    shown: dict[str, str] = {}  # a layer's name -> the row it is shown in
    for row in report.layers:
        key = row.name if row.depth <= depth else ".".join(row.name.split(".")[:depth + 1])
        shown[row.name] = key
        inputs = tuple(dict.fromkeys(shown[i] for i in row.inputs if shown[i] != key))
        if row.depth <= depth:
            rows.append(replace(row, inputs=inputs))
            continue
        if key in groups and groups[key] == len(rows) - 1:
            prev = rows[-1]
            rows[-1] = replace(
                prev, output=row.output, params=prev.params + row.params,
                trainable=prev.trainable + row.trainable, frozen=prev.frozen + row.frozen,
                buffers=prev.buffers + row.buffers, macs=prev.macs + row.macs,
                other_ops=prev.other_ops + row.other_ops,
                activations=prev.activations + row.activations, rf_size=row.rf_size,
                rf_jump=row.rf_jump, rf_start=row.rf_start,
                inputs=tuple(dict.fromkeys(prev.inputs + inputs)),
                conventions=tuple(a + b for a, b in zip(prev.conventions, row.conventions)),
                roofline=_add(prev.roofline, row.roofline),
                connections=prev.connections + row.connections,
                weight_tensors=prev.weight_tensors + row.weight_tensors)
        else:
            op = _BLOCK_STEM.sub("", key.split(".")[-1]) or "block"
            groups[key] = len(rows)
            rows.append(replace(row, name=key, op=op, depth=depth, inputs=inputs, kernel=()))
    return replace(report, layers=tuple(rows))


def _add(a, b):
    """Sum of two optional roofline rows (None: the layer has none)."""
    return b if a is None else a if b is None else a + b
