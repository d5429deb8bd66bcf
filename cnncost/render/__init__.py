"""Renderers: the only code that formats numbers. Each takes a Report and returns text.
A renderer's module is imported when it is first used, so `summarize` in one format
does not pay for the others (rich's table, html, keras)."""
from __future__ import annotations

# formats whose layout has the summary's columns (render/columns.py); the others keep
# every raw field (json, csv) or Keras's own columns
COLUMN_FORMATS = ("table", "markdown", "html")
SUMMARY_FORMATS = ("table", "json", "csv", "markdown", "keras", "html")


def render(report, fmt: str = "table", columns=None, fancy: bool = False, width: int | None = None) -> str:
    """The report in one of FORMATS. `columns` chooses and orders the summary's columns
    (render/columns.py); `fancy` draws the table for a terminal `width` columns wide.
    Each format's module is imported here, when it is used."""
    if fmt == "table" and fancy:
        from .table import render_table as draw

        return draw(report, width, columns)
    if fmt == "table":
        from .text import render_text

        return render_text(report, columns)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(report, columns)
    if fmt == "html":
        from .html import report_html

        return report_html(report, columns)
    if fmt == "json":
        from .json import render_json

        return render_json(report)
    if fmt == "csv":
        from .csv import render_csv

        return render_csv(report)
    if fmt == "keras":
        from .keras import render_keras

        return render_keras(report)
    raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(SUMMARY_FORMATS)}")


def render_table(report, fancy: bool = False, width: int | None = None, columns=None) -> str:
    """The per-layer table: rich's, with a box and colour, for a terminal (`fancy`);
    plain aligned text otherwise."""
    return render(report, "table", columns, fancy, width)


# The machine-readable forms as Python dicts (the README's Python API uses them).
def report_dict(report) -> dict:
    from .json import report_dict as as_dict

    return as_dict(report)


def comparison_dict(comparison) -> dict:
    from .compare import comparison_dict as as_dict

    return as_dict(comparison)


def sweep_dict(result) -> dict:
    from .sweep import sweep_dict as as_dict

    return as_dict(result)


def _one(fmt):
    def as_text(report, columns=None):
        return render(report, fmt, columns)

    as_text.__name__ = f"render_{fmt}"
    return as_text


FORMATS = {fmt: _one(fmt) for fmt in SUMMARY_FORMATS}
FORMATS["table"] = render_table

__all__ = ["COLUMN_FORMATS", "FORMATS", "comparison_dict", "render", "render_table", "report_dict",
           "sweep_dict"]
