"""The terminal table (rich): one row per layer, totals in the footer, a section
between top-level blocks. Pipes and files get the plain table of text.py."""
from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from ..report import Report
from . import extras
from .numbers import exact, pair, shape, short_below
from .summary import summary_lines


def build_table(report: Report) -> Table:
    table = Table(title=f"{report.network}  (input {shape(report.input)})", show_footer=True,
                  box=box.ROUNDED, title_justify="left", header_style="bold")
    t = report.totals
    table.add_column("Layer", footer="Total", no_wrap=True)
    table.add_column("Op", no_wrap=True)
    table.add_column("Output", footer=shape(report.output), no_wrap=True)
    table.add_column("Params", justify="right", footer=f"{exact(t.params)}", no_wrap=True)
    table.add_column("MACs", justify="right", footer=f"{exact(t.macs)}", no_wrap=True)
    table.add_column("RF", justify="right", no_wrap=True)
    more = extras.footers(report)
    for name, footer in zip(extras.headers(report), more[0]):
        table.add_column(name, justify="left" if name == "Bound" else "right", footer=footer,
                         no_wrap=True)
    previous_depth = 0
    for r in report.layers:
        if r.depth == 0 and previous_depth > 0:
            table.add_section()
        previous_depth = r.depth
        table.add_row(r.name, r.op, shape(r.output), exact(r.params), exact(r.macs), pair(r.rf_size),
                      *extras.cells(report, r))
    shorts = (short_below(t.params), short_below(t.macs))
    if any(shorts) or any(more[1]):  # formulas have no short form
        table.add_row("", "", "", *shorts, "", *more[1], style="dim", end_section=True)
    return table


def render_table(report: Report, width: int | None = None) -> str:
    """Render for a terminal: rounded box and colour."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 160, color_system="auto", force_terminal=True,
                      highlight=False)
    console.print(build_table(report))
    for line in summary_lines(report):
        console.print(line, highlight=False, markup=False)
    if report.ledger:
        for line in ["", *extras.ledger_lines(report)]:
            console.print(line, highlight=False, markup=False)
    return buffer.getvalue()
