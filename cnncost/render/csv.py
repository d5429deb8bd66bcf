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


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in report.layers:
        writer.writerow([r.name, r.op, shape(r.output), jsonable(r.params), jsonable(r.trainable),
                         jsonable(r.frozen), jsonable(r.buffers), jsonable(r.macs),
                         jsonable(r.other_ops), jsonable(r.activations), _axis_pair(r.rf_size),
                         _axis_pair(r.rf_jump), _axis_pair(r.rf_start), r.line])
    t = report.totals
    writer.writerow(["TOTAL", "", shape(report.output), jsonable(t.params), jsonable(t.trainable),
                     jsonable(t.frozen), jsonable(t.buffers), jsonable(t.macs),
                     jsonable(t.other_ops), jsonable(t.activations), "", "", "", ""])
    return out.getvalue()
