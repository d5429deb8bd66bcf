"""The plain-text table, for pipes, files and NO_COLOR: aligned columns, no escape codes.
(rich draws the terminal table; it takes seconds for 10,000 rows, this takes
milliseconds.)"""
from __future__ import annotations

from ..report import Report
from . import extras
from .columns import summary_table
from .page import text_table
from .summary import total_sentences


def render_text(report: Report, columns=None) -> str:
    out = [*text_table(summary_table(report, columns)), ""]
    out += total_sentences(report)
    if report.ledger:
        out += ["", *extras.ledger_lines(report)]
    return "\n".join(out) + "\n"
