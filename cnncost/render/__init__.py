"""Renderers: the only code that formats numbers. Each takes a Report and returns text.
A renderer's module is imported when it is first used, so `summarize` in one format
does not pay for the others (rich's table, html, keras)."""
from __future__ import annotations

import importlib

# format -> (module, function); each function takes (report, columns=None)
_SUMMARY = {
    "table": ("text", "render_text"),
    "json": ("json", "render_json"),
    "csv": ("csv", "render_csv"),
    "markdown": ("markdown", "render_markdown"),
    "keras": ("keras", "render_keras"),
    "html": ("html", "report_html"),
}
# formats whose layout has the summary's columns (render/columns.py); the others keep
# every raw field (json, csv) or Keras's own columns
COLUMN_FORMATS = ("table", "markdown", "html")


def render(report, fmt: str = "table", columns=None, fancy: bool = False, width: int | None = None) -> str:
    """The report in one of FORMATS. `columns` chooses and orders the summary's columns
    (render/columns.py); `fancy` draws the table for a terminal `width` columns wide."""
    if fmt == "table" and fancy:
        from .table import render_table as draw

        return draw(report, width, columns)
    module, name = _SUMMARY[fmt]
    function = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return function(report, columns) if fmt in COLUMN_FORMATS else function(report)


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


FORMATS = {fmt: _one(fmt) for fmt in _SUMMARY}
FORMATS["table"] = render_table

__all__ = ["COLUMN_FORMATS", "FORMATS", "comparison_dict", "render", "render_table", "report_dict",
           "sweep_dict"]
