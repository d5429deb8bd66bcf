"""JSON output. The schema is documented in docs/json-schema.md; keys are only added."""
from __future__ import annotations

import json

from ..report import Report
from .numbers import jsonable

SCHEMA_VERSION = 1

UNITS = {
    "params": "learnable parameters (weights and biases)",
    "buffers": "non-learnable state (batch-norm running mean and variance)",
    "macs": "multiply-accumulates of conv, dwconv, deconv and fc layers",
    "flops": "floating-point operations = 2 x MACs",
    "other_ops": "bias adds, normalisation, activations, pooling and merges (not in MACs)",
    "activations": "elements of every layer's output",
    "peak_activation_bytes": "bytes of layer outputs alive at once, at the dtype and batch",
    "weight_bytes": "(params + buffers) x bytes per value",
    "cost": "the lecture's computational cost: filter params x output positions x filters (= macs)",
    "connections": "LeCun's connections: multiplies by a weight plus bias adds",
    "weight_tensors": "learnable arrays (Keras's len(model.trainable_weights))",
}


def report_dict(report: Report) -> dict:
    t = report.totals
    return _extras(report, {
        "schema": SCHEMA_VERSION,
        "network": report.network,
        "input": jsonable(report.input),
        "output": jsonable(report.output),
        "dtype": report.dtype,
        "batch": report.batch,
        "totals": {key: jsonable(getattr(t, key)) for key in (
            "params", "trainable", "frozen", "buffers", "macs", "flops", "other_ops",
            "activations", "peak_activation_bytes", "weight_bytes", "cost", "connections",
            "weight_tensors")},
        "units": UNITS,
        "params": {k: jsonable(v) for k, v in report.params.items()},
        "notes": list(report.notes),
        "layers": [
            {
                "name": row.name,
                "op": row.op,
                "output": jsonable(row.output),
                "params": jsonable(row.params),
                "trainable": jsonable(row.trainable),
                "frozen": jsonable(row.frozen),
                "buffers": jsonable(row.buffers),
                "macs": jsonable(row.macs),
                "other_ops": jsonable(row.other_ops),
                "activations": jsonable(row.activations),
                "rf": {"size": jsonable(row.rf_size), "jump": jsonable(row.rf_jump),
                       "start": jsonable(row.rf_start)},
                "line": row.line,
                "depth": row.depth,
            }
            for row in report.layers
        ],
    })


def _extras(report: Report, data: dict) -> dict:
    """Keys added only on request: conventions, ledger, roofline (docs/json-schema.md);
    `training` for a network with heads used only in training."""
    if report.training is not None:
        data["training"] = {"heads": list(report.training_heads), **{
            key: jsonable(getattr(report.training, key)) for key in (
                "params", "trainable", "frozen", "buffers", "macs", "flops", "other_ops",
                "activations", "peak_activation_bytes", "weight_bytes")}}
    if report.conventions:
        data["conventions"] = {
            c.name: {"total": jsonable(c.total), "reports": c.reports, "source": c.source,
                     "factors": {key: factor for key, _, factor, _ in c.terms if factor},
                     "notes": list(c.notes)}
            for c in report.conventions}
    if report.ledger:
        data["ledger"] = {key: jsonable(v) for key, v in report.ledger.items()}
    r = report.roofline
    if r is not None:
        d = r.device
        data["roofline"] = {
            "device": {"name": d.name, "title": d.title, "peak_flops": jsonable(d.peak_flops),
                       "bandwidth_bytes": jsonable(d.bandwidth), "source": d.source},
            "bytes": jsonable(r.bytes), "flops": jsonable(r.flops),
            "compute_s": jsonable(r.compute_s), "memory_s": jsonable(r.memory_s),
            "latency_s": jsonable(r.latency_s), "layers": r.layers,
            "memory_bound_layers": r.memory_bound}
    names = [c.name for c in report.conventions]
    for row, layer in zip(report.layers, data["layers"]):
        if names:
            layer["conventions"] = {n: jsonable(v) for n, v in zip(names, row.conventions)}
        if r is not None:
            x = row.roofline
            layer["roofline"] = None if x is None else {
                "bytes_in": x.bytes_in, "bytes_weights": x.bytes_weights,
                "bytes_out": x.bytes_out, "flops": x.flops, "intensity": jsonable(x.intensity),
                "compute_s": jsonable(x.compute_s), "memory_s": jsonable(x.memory_s),
                "latency_s": jsonable(x.latency_s), "bound": x.bound}
    return data


def render_json(report: Report) -> str:
    """Indented at the top, one compact line per layer: readable, and fast for 10,000
    layers (json's C encoder only runs without `indent`)."""
    data = report_dict(report)
    layers = data.pop("layers")
    head = json.dumps(data, indent=2)[:-2]  # drop the closing "\n}"
    rows = ",\n".join("    " + json.dumps(layer) for layer in layers)
    return f'{head},\n  "layers": [\n{rows}\n  ]\n}}\n'

