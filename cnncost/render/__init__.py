"""Renderers: the only code that formats numbers. Each takes a Report and returns text.
A renderer's module is imported when it is first used, so `summarize` in one format
does not pay for the others (rich's table, html, keras)."""
from __future__ import annotations



# Each renderer's module is imported inside the function that needs it.
def render_json(report) -> str:
    from .json import render_json as render

    return render(report)


def report_dict(report) -> dict:
    from .json import report_dict as as_dict

    return as_dict(report)


def render_csv(report) -> str:
    from .csv import render_csv as render

    return render(report)


def render_markdown(report) -> str:
    from .markdown import render_markdown as render

    return render(report)


def render_keras(report, line_length: int | None = None) -> str:
    from .keras import render_keras as render

    return render(report, line_length)


def render_html(report) -> str:
    from .html import report_html

    return report_html(report)


def comparison_dict(comparison) -> dict:
    from .compare import comparison_dict as as_dict

    return as_dict(comparison)


def render_compare_table(comparison, *args, **kwargs) -> str:
    from .compare import render_compare_table as render

    return render(comparison, *args, **kwargs)


def sweep_dict(result) -> dict:
    from .sweep import sweep_dict as as_dict

    return as_dict(result)


def render_sweep_table(result, *args, **kwargs) -> str:
    from .sweep import render_sweep_table as render

    return render(result, *args, **kwargs)


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
