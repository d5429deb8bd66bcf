"""The plain-text table, for pipes, files and NO_COLOR: aligned columns, no escape codes.
(rich draws the terminal table; it takes seconds for 10,000 rows, this takes
milliseconds.)"""
from __future__ import annotations

from ..report import Report
from .numbers import exact, pair, shape, short_below
from .summary import summary_lines

HEADER = ("Layer", "Op", "Output", "Params", "MACs", "RF")
RIGHT = (False, False, False, True, True, True)


def render_text(report: Report) -> str:
    t = report.totals
    rows = [(r.name, r.op, shape(r.output), exact(r.params), exact(r.macs), pair(r.rf_size))
            for r in report.layers]
    footer = [("Total", "", shape(report.output), exact(t.params), exact(t.macs), ""),
              ("", "", "", short_below(t.params), short_below(t.macs), "")]
    if not any(footer[1]):  # formulas have no short form
        footer.pop()
    widths = [max(len(row[i]) for row in [HEADER, *rows, *footer]) for i in range(len(HEADER))]

    def line(cells):
        return "  ".join(c.rjust(w) if right else c.ljust(w)
                         for c, w, right in zip(cells, widths, RIGHT)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [f"{report.network}  (input {shape(report.input)})", "", line(HEADER), rule]
    out += [line(row) for row in rows]
    out += [rule, *(line(row) for row in footer), ""]
    out += summary_lines(report)
    return "\n".join(out) + "\n"
