"""Reports: plain dataclasses of raw numbers (never strings) built from a graph."""
from .analyze import analyze, collapse
from .model import DTYPE_BYTES, ConventionTotal, LayerRow, Report, Totals

__all__ = ["DTYPE_BYTES", "ConventionTotal", "LayerRow", "Report", "Totals", "analyze", "collapse"]
