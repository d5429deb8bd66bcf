"""Reports: plain dataclasses of raw numbers (never strings) built from a graph."""
from .analyze import analyze, collapse
from .compare import Comparison, ModelTotals, Stage, compare, stages
from .model import DTYPE_BYTES, ConventionTotal, LayerRow, Report, Totals
from .sweep import Sweep, SweepPoint, sweep

__all__ = ["DTYPE_BYTES", "Comparison", "ConventionTotal", "LayerRow", "ModelTotals", "Report", "Stage",
           "Sweep", "SweepPoint", "Totals", "analyze", "collapse", "compare", "stages", "sweep"]
