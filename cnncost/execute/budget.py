"""How much memory a run of the executor needs, worked out from the shapes before it
starts, and how much the machine can give it: `cnncost verify` refuses a network that
would not fit instead of dying half-way with a MemoryError.

The estimate is an upper bound on the float32 arrays alive at once, in three parts:
- activations: the report's peak activation memory (outputs alive together, input kept),
  at 4 bytes a value, for the whole batch;
- the largest of what one layer adds while it runs: its own weights (the executor frees
  them once the layer is done) plus the temporaries its kernel makes -- the padded copy
  and the im2col matrix of a convolution, the scattered patches of a transposed one, the
  gathered windows of adaptive pooling, up to six output-sized arrays for element-wise math (gelu);
- the seeded pool the weights are tiled from (twice its size while it is drawn).
The C allocator keeps some freed blocks rather than returning them (glibc keeps those
below 32 MB), so a quarter of the arrays is added as slack: VGG-16 at 224 peaks at
541 MB resident for 446 MB of arrays and 30 MB of Python before the run.
On top comes what the process already holds (Python, NumPy, the graph; about 50 MB), read
from /proc/self/statm, so the total is comparable with the process's peak resident memory
and with --max-memory.
"""
from __future__ import annotations

import os
from typing import NamedTuple

from ..build import Graph, Node

FLOAT_BYTES = 4
FALLBACK_LIMIT = 8 * 1024**3  # when the system says nothing about its memory
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4,
         "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
         "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4, "B": 1}


class Estimate(NamedTuple):
    """Bytes a run needs: activations + the biggest layer's extra (its weights and
    temporaries, named by `layer`) + the weight pool, on top of what the process holds."""

    activations: int
    layer: str
    weights: int  # of that layer
    temporaries: int  # of that layer
    pool: int  # the weights' seeded pool, and its draw
    process: int = 0  # resident before the run

    @property
    def arrays(self) -> int:
        return self.activations + self.weights + self.temporaries + self.pool

    @property
    def slack(self) -> int:
        """Freed memory the allocator may keep: a quarter of the arrays."""
        return self.arrays // 4

    @property
    def total(self) -> int:
        return self.process + self.arrays + self.slack


def estimate(graph: Graph, report, process: int | None = None) -> Estimate:
    """The memory a run of `graph` needs at the report's batch (report = analyze(graph,
    batch=...), at any dtype: its peak activation elements are taken at float32);
    `process`: what the process holds before the run (default: its resident memory now)."""
    from ..report import DTYPE_BYTES
    from .tape import POOL_SIZE

    batch = report.batch
    activations = report.totals.peak_activation_bytes // DTYPE_BYTES[report.dtype] * FLOAT_BYTES
    best = ("", 0, 0)
    for node, row in zip(graph.nodes, report.layers):
        weights = (row.params + row.buffers) * FLOAT_BYTES
        temporaries = temporary_elements(node, graph) * batch * FLOAT_BYTES
        if weights + temporaries > best[1] + best[2]:
            best = (node.name, weights, temporaries)
    if process is None:
        process = resident_bytes()
    return Estimate(activations, *best, 2 * POOL_SIZE * FLOAT_BYTES, process)


def temporary_elements(node: Node, graph: Graph) -> int:
    """Values (per image) of the arrays the layer's NumPy kernel makes besides its output,
    at the most that are alive together (each kind's entry says: Layer.temporaries)."""
    from ..layers import REGISTRY

    ins = [graph.nodes[i].shape for i in node.inputs]
    return REGISTRY[node.kind].temporaries(node.attrs, ins, node.shape)


# --------------------------------------------------------------------------- the limit
class Limit(NamedTuple):
    bytes: int
    source: str  # where the number comes from, for the message


def default_limit() -> Limit:
    """What the process holds now plus what the system says is available (Linux:
    MemAvailable; elsewhere: physical memory; 8 GiB when it says nothing), or plus what
    an address-space limit (`ulimit -v`) leaves, when that is less."""
    limit = _available()
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            left = Limit(max(soft - _statm(0), 0), "what `ulimit -v` leaves")
            limit = min(limit, left)
    except (ImportError, OSError, ValueError):
        pass
    return Limit(resident_bytes() + limit.bytes, limit.source)


def _available() -> Limit:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return Limit(int(line.split()[1]) * 1024, "memory available")
    except (OSError, ValueError, IndexError):
        pass
    try:
        return Limit(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "physical memory")
    except (AttributeError, OSError, ValueError):
        return Limit(FALLBACK_LIMIT, "default")


def resident_bytes() -> int:
    """This process's resident memory now (0 where /proc/self/statm is missing)."""
    try:
        return _statm(1)
    except (OSError, ValueError, AttributeError):
        return 0


def _statm(field: int) -> int:
    """Field 0 (virtual size) or 1 (resident) of /proc/self/statm, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")


def parse_size(text: str) -> int:
    """'4G' -> 4 GiB, '512M', '1.5G', '2GB' (decimal), '8GiB', '1000000' (bytes): sizes
    as ulimit and docker write them (K, M, G, T are powers of 1024; KB, MB, GB, TB
    powers of 1000). Raises ValueError for anything else or a size below one byte."""
    import re
    from fractions import Fraction

    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*", text)
    unit = match and match.group(2).upper()
    if not match or unit not in UNITS:
        raise ValueError(f"'{text}' is not a size such as 4G, 512M, 1.5G or 2GB")
    size = int(Fraction(match.group(1)) * UNITS[unit])
    if size < 1:
        raise ValueError(f"'{text}' must be at least one byte")
    return size
