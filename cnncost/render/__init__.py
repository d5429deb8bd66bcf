"""Renderers: the only code that formats numbers. Each takes a Report and returns text.
A renderer's module is imported when it is first used, so `summarize` in one format
does not pay for the others (rich's table, html, keras)."""
from __future__ import annotations

import importlib

# public name -> (module of cnncost.render, attribute)
_LAZY = {
    "comparison_dict": ("compare", "comparison_dict"),
    "render_compare_table": ("compare", "render_compare_table"),
    "render_csv": ("csv", "render_csv"),
    "render_html": ("html", "report_html"),
    "render_json": ("json", "render_json"),
    "report_dict": ("json", "report_dict"),
    "render_keras": ("keras", "render_keras"),
    "render_markdown": ("markdown", "render_markdown"),
    "render_sweep_table": ("sweep", "render_sweep_table"),
    "sweep_dict": ("sweep", "sweep_dict"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _LAZY[name]
    return getattr(importlib.import_module(f".{module}", __name__), attr)


def _deferred(name: str):
    """A renderer that imports its module on first call."""
    def render(report, *args, **kwargs):
        return __getattr__(name)(report, *args, **kwargs)

    render.__name__ = name
    return render


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
    "json": _deferred("render_json"),
    "csv": _deferred("render_csv"),
    "markdown": _deferred("render_markdown"),
    "keras": _deferred("render_keras"),
    "html": _deferred("render_html"),
}

__all__ = ["FORMATS", "comparison_dict", "render_compare_table", "render_csv", "render_html", "render_json",
           "render_keras", "render_markdown", "render_sweep_table", "render_table", "report_dict", "sweep_dict"]
