"""CSV output: one row per layer with raw numbers, then a TOTAL row."""
from __future__ import annotations

import csv
import io

from ..report import Report
from .numbers import jsonable, shape

COLUMNS = ("name", "op", "output", "params", "trainable", "frozen", "buffers", "macs",
           "other_ops", "activations", "rf_size", "rf_jump", "rf_start", "line")


def _axis_pair(values):
    if any(hasattr(v, "free_symbols") for v in values):
        return shape(values)  # formulas: compound ones in parentheses
    return "x".join(str(jsonable(v)) for v in values)


# added after COLUMNS only when asked for (--device / --peak-tflops)
ROOFLINE_COLUMNS = ("bytes_in", "bytes_weights", "bytes_out", "flops", "intensity",
                    "compute_s", "memory_s", "latency_s", "bound")


def _roofline(r) -> list:
    if r is None:
        return [""] * len(ROOFLINE_COLUMNS)
    return [jsonable(v) for v in (r.bytes_in, r.bytes_weights, r.bytes_out, r.flops,
                                  r.intensity, r.compute_s, r.memory_s, r.latency_s)] + [r.bound]


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    roofline = report.roofline is not None
    writer.writerow([*COLUMNS, *(f"convention.{c.name}" for c in report.conventions),
                     *(ROOFLINE_COLUMNS if roofline else ())])
    for r in report.layers:
        writer.writerow([r.name, r.op, shape(r.output), jsonable(r.params), jsonable(r.trainable),
                         jsonable(r.frozen), jsonable(r.buffers), jsonable(r.macs),
                         jsonable(r.other_ops), jsonable(r.activations), _axis_pair(r.rf_size),
                         _axis_pair(r.rf_jump), _axis_pair(r.rf_start), r.line,
                         *(jsonable(v) for v in r.conventions),
                         *(_roofline(r.roofline) if roofline else ())])
    t = report.totals
    total_roofline = []
    if roofline:
        f = report.roofline
        total_roofline = ["", "", "", jsonable(f.flops), "", jsonable(f.compute_s),
                          jsonable(f.memory_s), jsonable(f.latency_s), ""]
    writer.writerow(["TOTAL", "", shape(report.output), jsonable(t.params), jsonable(t.trainable),
                     jsonable(t.frozen), jsonable(t.buffers), jsonable(t.macs),
                     jsonable(t.other_ops), jsonable(t.activations), "", "", "", "",
                     *(jsonable(c.total) for c in report.conventions), *total_roofline])
    return out.getvalue()
