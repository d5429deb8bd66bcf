"""Markdown output: a GitHub table per layer and a totals list."""
from __future__ import annotations

from ..report import Report
from . import extras
from .numbers import exact, pair, shape
from .summary import summary_lines


def _code(text: str, value) -> str:
    """Formulas as code: their `**` would otherwise turn into bold."""
    return f"`{text}`" if getattr(value, "free_symbols", None) or "**" in text else text


def render_markdown(report: Report) -> str:
    more = extras.headers(report)
    extra_head = "".join(f" {h} |" for h in more)
    extra_rule = "---:|" * len(more)
    lines = [f"## {report.network}", "",
             f"Input {_code(shape(report.input), ())}, output {_code(shape(report.output), ())}.", "",
             "| layer | op | output | params | MACs | RF |" + extra_head,
             "|---|---|---|---:|---:|---:|" + extra_rule]
    for r in report.layers:
        lines.append(f"| {r.name} | {r.op} | {_code(shape(r.output), ())} | "
                     f"{_code(exact(r.params), r.params)} | {_code(exact(r.macs), r.macs)} | "
                     f"{_code(pair(r.rf_size), r.rf_size[0])} |"
                     + "".join(f" {c} |" for c in extras.cells(report, r)))
    t = report.totals
    lines.append(f"| **total** | | | **{_code(exact(t.params), t.params)}** | "
                 f"**{_code(exact(t.macs), t.macs)}** | |"
                 + "".join(f" **{c}** |" if c else " |" for c in extras.footers(report)[0]))
    lines.append("")
    lines += [f"- {line}".replace("*", r"\*") for line in summary_lines(report)]
    if report.ledger:
        header, rows, total = extras.ledger_table(report)
        lines += ["", "### Ledger", "",
                  "| " + " | ".join(header) + " |",
                  "|---|" + "---:|" * (len(header) - 1)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("| " + " | ".join(f"**{c}**" if c else "" for c in total) + " |")
    return "\n".join(lines) + "\n"

