"""Markdown output: a GitHub table per layer (the summary's columns, render/columns.py)
and a totals list."""
from __future__ import annotations

import re

from ..report import Report
from . import extras
from .columns import summary_table
from .numbers import shape
from .summary import total_sentences

# what a number column holds that is not a formula: a short form, a percentage, Y/N/-
_NOT_FORMULA = re.compile(r"^(?:[\d.,]+ ?[kMGT]?B?|[\d.]+%|[YN-]|[\d,]+ of [\d,]+|[\d.,]+ [munp]?s)$")


def _code(text: str, right: bool = False) -> str:
    """Formulas as code: their `**` would otherwise turn into bold."""
    formula = "**" in text or (right and re.search(r"[A-Za-z_]", text) and not _NOT_FORMULA.match(text))
    return f"`{text}`" if formula else text


def render_markdown(report: Report, columns=None) -> str:
    table = summary_table(report, columns)
    lines = [f"## {report.network}", "",
             f"Input {_code(shape(report.input))}, output {_code(shape(report.output))}.", "",
             "| " + " | ".join(table.headers) + " |",
             "|" + "|".join("---:" if r else "---" for r in table.right) + "|"]
    for row in table.rows:
        lines.append("| " + " | ".join(_code(c, r) for c, r in zip(row, table.right)) + " |")
    total = table.footer[0]
    lines.append("|" + "|".join(f" **{_code(c, r)}** " if c else " " for c, r in zip(total, table.right))
                 + "|")
    lines.append("")
    lines += [f"- {line}".replace("*", r"\*") for line in total_sentences(report)]
    if report.ledger:
        header, rows, total = extras.ledger_table(report)
        lines += ["", "### Ledger", "",
                  "| " + " | ".join(header) + " |",
                  "|---|" + "---:|" * (len(header) - 1)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("| " + " | ".join(f"**{c}**" if c else "" for c in total) + " |")
    return "\n".join(lines) + "\n"
