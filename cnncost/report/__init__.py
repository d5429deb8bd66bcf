"""Reports: plain dataclasses of raw numbers (never strings) built from a graph.
Comparisons and sweeps load on first use (PEP 562), keeping `summarize`'s start-up short."""
from .analyze import analyze, collapse
from .model import DTYPE_BYTES, ConventionTotal, LayerRow, Report, Totals

_COMPARISON = ("Comparison", "ModelTotals", "Stage", "compare", "stages")
_SWEEPS = ("Sweep", "SweepPoint")


def __getattr__(name: str):
    if name in _COMPARISON:
        from . import comparison

        return getattr(comparison, name)
    if name in _SWEEPS:
        from . import sweeps

        return getattr(sweeps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DTYPE_BYTES", "Comparison", "ConventionTotal", "LayerRow", "ModelTotals", "Report", "Stage",
           "Sweep", "SweepPoint", "Totals", "analyze", "collapse", "compare", "stages"]
