"""cnncost: exact shapes, parameters, MACs, memory and receptive fields of CNNs
written as short text specs.

    >>> import cnncost
    >>> report = cnncost.analyze(cnncost.load("vgg16"))
    >>> report.totals.params
    138357544
"""
from .dsl.parser import parse
from .errors import CnnCostError
from .graph import Graph, build
from .load import load
from .report import Comparison, Report, Sweep, analyze, collapse, compare, sweep

__all__ = ["CnnCostError", "Comparison", "Graph", "Report", "Sweep", "analyze", "build", "collapse",
           "compare", "load", "parse", "sweep"]
__version__ = "0.1.0"
