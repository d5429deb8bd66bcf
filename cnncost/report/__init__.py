"""Reports: plain dataclasses of raw numbers (never strings) built from a graph.
Comparisons and sweeps load on first use (PEP 562), keeping `summarize`'s start-up short."""
import importlib

from .analyze import analyze, collapse
from .model import DTYPE_BYTES, ConventionTotal, LayerRow, Report, Totals

_LAZY = {name: "comparison" for name in ("Comparison", "ModelTotals", "Stage", "compare", "stages")}
_LAZY.update({name: "sweeps" for name in ("Sweep", "SweepPoint", "sweep")})


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["DTYPE_BYTES", "Comparison", "ConventionTotal", "LayerRow", "ModelTotals", "Report", "Stage",
           "Sweep", "SweepPoint", "Totals", "analyze", "collapse", "compare", "stages", "sweep"]
