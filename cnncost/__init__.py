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
from .report import Report, analyze, collapse

__all__ = ["CnnCostError", "Graph", "Report", "analyze", "build", "collapse", "load", "parse"]
__version__ = "0.1.0"
