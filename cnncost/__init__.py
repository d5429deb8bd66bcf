"""cnncost: exact shapes, parameters, MACs, memory and receptive fields of CNNs
written as short text specs.

    >>> import cnncost
    >>> report = cnncost.analyze(cnncost.load("vgg16"))
    >>> report.totals.params
    138357544
"""
from .dsl.cache import parse
from .errors import CnnCostError
from .build import Graph, build
from .load import load
from .report import Report, analyze, collapse


def __getattr__(name: str):
    """compare, sweep and their results load on first use."""
    if name in ("Comparison", "Sweep", "compare", "sweep"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CnnCostError", "Comparison", "Graph", "Report", "Sweep", "analyze", "build", "collapse",
           "compare", "load", "parse", "sweep"]
__version__ = "0.1.0"
