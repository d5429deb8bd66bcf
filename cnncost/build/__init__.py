"""AST -> an immutable Graph (see builder.py for the rooms of the Builder)."""
from .binding import FLAG_RE
from .builder import Builder, build
from .heads import inference_graph
from .graph import DEFAULT_MAX_NODES, BuildOptions, Expectation, Graph, Node, Override

__all__ = ["DEFAULT_MAX_NODES", "FLAG_RE", "BuildOptions", "Builder", "Expectation", "Graph", "Node",
           "Override", "build", "inference_graph"]
