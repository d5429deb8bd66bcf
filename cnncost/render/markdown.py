"""Markdown output: a GitHub table per layer and a totals list."""
from __future__ import annotations

from ..report import Report
from .numbers import exact, pair, shape
from .summary import summary_lines


def render_markdown(report: Report) -> str:
    lines = [f"## {report.network}", "",
             f"Input {shape(report.input)}, output {shape(report.output)}.", "",
             "| layer | op | output | params | MACs | RF |",
             "|---|---|---|---:|---:|---:|"]
    for r in report.layers:
        lines.append(f"| {r.name} | {r.op} | {shape(r.output)} | {exact(r.params)} | "
                     f"{exact(r.macs)} | {pair(r.rf_size)} |")
    t = report.totals
    lines.append(f"| **total** | | | **{exact(t.params)}** | **{exact(t.macs)}** | |")
    lines.append("")
    lines += [f"- {line}" for line in summary_lines(report)]
    return "\n".join(lines) + "\n"

