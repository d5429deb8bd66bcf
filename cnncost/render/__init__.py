"""Renderers: the only code that formats numbers. Each takes a Report and returns text.
The rich table is imported only when asked for, so other formats start faster."""
from __future__ import annotations

from .compare import comparison_dict, render_compare_table
from .csv import render_csv
from .html import report_html as render_html
from .json import render_json, report_dict
from .keras import render_keras
from .markdown import render_markdown
from .sweep import render_sweep_table, sweep_dict


def render_table(report, fancy: bool = False, width: int | None = None) -> str:
    """The per-layer table: rich's, with a box and colour, for a terminal (`fancy`);
    plain aligned text otherwise."""
    if not fancy:
        from .text import render_text

        return render_text(report)
    from .table import render_table as render

    return render(report, width)


FORMATS = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "keras": render_keras,
    "html": render_html,
}

__all__ = ["FORMATS", "comparison_dict", "render_compare_table", "render_csv", "render_html", "render_json",
           "render_keras", "render_markdown", "render_sweep_table", "render_table", "report_dict", "sweep_dict"]
