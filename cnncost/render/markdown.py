"""Markdown output: a GitHub table per layer and a totals list."""
from __future__ import annotations

from ..report import Report
from .numbers import exact, pair, shape
from .summary import summary_lines


def _code(text: str, value) -> str:
    """Formulas as code: their `**` would otherwise turn into bold."""
    return f"`{text}`" if getattr(value, "free_symbols", None) or "**" in text else text


def render_markdown(report: Report) -> str:
    lines = [f"## {report.network}", "",
             f"Input {_code(shape(report.input), ())}, output {_code(shape(report.output), ())}.", "",
             "| layer | op | output | params | MACs | RF |",
             "|---|---|---|---:|---:|---:|"]
    for r in report.layers:
        lines.append(f"| {r.name} | {r.op} | {_code(shape(r.output), ())} | "
                     f"{_code(exact(r.params), r.params)} | {_code(exact(r.macs), r.macs)} | "
                     f"{_code(pair(r.rf_size), r.rf_size[0])} |")
    t = report.totals
    lines.append(f"| **total** | | | **{_code(exact(t.params), t.params)}** | "
                 f"**{_code(exact(t.macs), t.macs)}** | |")
    lines.append("")
    lines += [f"- {line}".replace("*", r"\*") for line in summary_lines(report)]
    return "\n".join(lines) + "\n"

