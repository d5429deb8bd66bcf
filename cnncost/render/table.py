"""The terminal table (rich): one row per layer, totals under a rule, a section between
top-level blocks, fitted to the terminal's width without cutting a number (render/fit.py).
Pipes and files get the plain table of text.py."""
from __future__ import annotations

import io

from rich.console import Console

from ..report import Report
from . import extras
from .columns import summary_table
from .fit import fit_table, terminal_width
from .summary import total_sentences

HINT = "--format csv (or --columns with fewer columns)"


def render_table(report: Report, width: int | None = None, columns=None, colour: bool = True) -> str:
    """Render for a terminal `width` columns wide (the terminal's by default): rounded box
    and colour, or a plainer layout when the table does not fit."""
    width = width or terminal_width()
    buffer = io.StringIO()
    buffer.write(fit_table(summary_table(report, columns), width, colour, HINT).text)
    console = Console(file=buffer, width=width, color_system="auto" if colour else None,
                      force_terminal=colour, highlight=False)
    for line in total_sentences(report):
        console.print(line, highlight=False, markup=False)
    if report.ledger:
        console.print()
        buffer.write(fit_table(extras.ledger_page_table(report), width, colour, "--format json").text)
        for line in extras.sources(report):
            console.print(line, highlight=False, markup=False)
    return buffer.getvalue()
