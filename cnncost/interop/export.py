"""`cnncost.export(graph, "pytorch" | "keras")`: the network as the source text of a
runnable Python file for that framework."""
from __future__ import annotations

from ..build import Graph  # the one import of the graph module in interop
from .export_code import ExportError

FRAMEWORKS = ("pytorch", "keras")


def export(graph: Graph, to: str = "pytorch") -> str:
    """Source text of a Python file defining `graph` in PyTorch (an nn.Module class) or
    Keras 3 (a function returning a functional keras.Model)."""
    if to == "pytorch":
        from .export_torch import export_pytorch

        return export_pytorch(graph)
    if to == "keras":
        from .export_keras import export_keras

        return export_keras(graph)
    raise ExportError(f"unknown framework '{to}'", hint="export to one of: " + ", ".join(FRAMEWORKS))
