"""The plain-text table, for pipes, files and NO_COLOR: aligned columns, no escape codes.
(rich draws the terminal table; it takes seconds for 10,000 rows, this takes
milliseconds.)"""
from __future__ import annotations

from ..report import Report
from . import extras
from .numbers import exact, pair, shape, short_below
from .summary import summary_lines

HEADER = ("Layer", "Op", "Output", "Params", "MACs", "RF")
RIGHT = (False, False, False, True, True, True)


def render_text(report: Report) -> str:
    t = report.totals
    header = (*HEADER, *extras.headers(report))
    right = RIGHT + tuple(h != "Bound" for h in header[len(HEADER):])
    rows = [(r.name, r.op, shape(r.output), exact(r.params), exact(r.macs), pair(r.rf_size),
             *extras.cells(report, r)) for r in report.layers]
    more = extras.footers(report)
    footer = [("Total", "", shape(report.output), exact(t.params), exact(t.macs), "", *more[0]),
              ("", "", "", short_below(t.params), short_below(t.macs), "", *more[1])]
    if not any(footer[1]):  # formulas have no short form
        footer.pop()
    widths = [max(len(row[i]) for row in [header, *rows, *footer]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.rjust(w) if r else c.ljust(w)
                         for c, w, r in zip(cells, widths, right)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [f"{report.network}  (input {shape(report.input)})", "", line(header), rule]
    out += [line(row) for row in rows]
    out += [rule, *(line(row) for row in footer), ""]
    out += summary_lines(report)
    if report.ledger:
        out += ["", *extras.ledger_lines(report)]
    return "\n".join(out) + "\n"
