"""The NumPy reference executor (optional extra `cnncost[numpy]`): runs a graph for real
and counts what it did, so `cnncost verify` can hold the analytic passes to it.

- tape.py: the arrays a node allocates and the products it runs, counted;
- kernels.py: the fast array kernels (window views, im2col matmuls, pooling);
- loops.py: the slow direct loops the tests check the kernels against;
- run.py: `execute(graph, batch, seed)`, node by node;
- verify.py: `verify(graph, ...)`, analysis and execution side by side.

This package's own module imports nothing heavy; its submodules import NumPy, and nothing
on the analytic path imports them.
"""
from __future__ import annotations

NUMPY_HINT = "install it with: pip install 'cnncost[numpy]'"


def numpy_missing() -> str | None:
    """None when NumPy can be imported, else the message that names the extra."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return "the NumPy executor needs NumPy, which is not installed; " + NUMPY_HINT
    return None
