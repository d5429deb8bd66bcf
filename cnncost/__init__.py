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
from .report.display import DISPLAY as _DISPLAY


def _display():
    """The module that shows reports (str, repr, Jupyter), imported on first use."""
    from .render import display

    return display


_DISPLAY["module"] = _display


def sweep(spec, params=None, **options):
    """Totals of `spec` at every combination of the values given (report.sweeps.sweep:
    `params` maps a spec param to its values; width=, depth_mult=, resolution= take lists
    like the --width, --depth-mult, --resolution options; dtype=, batch=). Each point is
    built by `load`."""
    from .report.sweeps import sweep as grid

    return grid(spec, params, load=load, **options)


def __getattr__(name: str):
    """compare, the results of compare and sweep, and export load on first use."""
    if name in ("Comparison", "Sweep", "compare"):
        from . import report

        return getattr(report, name)
    if name == "export":
        from .interop.export import export

        return export
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CnnCostError", "Comparison", "Graph", "Report", "Sweep", "analyze", "build", "collapse",
           "compare", "export", "load", "parse", "sweep"]
__version__ = "0.1.0"
