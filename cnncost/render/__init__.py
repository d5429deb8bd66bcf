"""Renderers: the only code that formats numbers. Each takes a Report and returns text."""
from .csv import render_csv
from .json import render_json, report_dict
from .markdown import render_markdown
from .table import render_table

FORMATS = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}

__all__ = ["FORMATS", "render_csv", "render_json", "render_markdown", "render_table", "report_dict"]
