"""The analysis held to the execution: per node, the analytic shape, params, buffers and
MACs next to what the NumPy executor actually produced, allocated and multiplied."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, NamedTuple

from ..build import Graph, Node, inference_graph
from ..report import analyze
from .run import execute

QUANTITIES = ("shape", "params", "buffers", "macs")


class Counted(NamedTuple):
    shape: tuple  # per image; the executed one carries the batch first if that differs
    params: int
    buffers: int
    macs: int  # for the whole batch


@dataclass(frozen=True)
class CheckRow:
    name: str
    op: str
    line: int
    analytic: Counted
    executed: Counted
    dtype: str  # of the executed output; float32 expected
    seconds: float

    @property
    def differs(self) -> tuple[str, ...]:
        """The quantities where analysis and execution disagree ('dtype' if not float32)."""
        out = tuple(q for q in QUANTITIES if getattr(self.analytic, q) != getattr(self.executed, q))
        return out + (("dtype",) if self.dtype != "float32" else ())

    @property
    def ok(self) -> bool:
        return not self.differs


@dataclass(frozen=True)
class Verification:
    network: str
    file: str
    input: tuple
    batch: int
    seed: int
    rows: tuple[CheckRow, ...]
    seconds: float  # the executor's wall time for the forward pass, weight filling apart
    peak_bytes: int | None  # the process's own peak resident memory (VmHWM), where the OS tells it
    estimated_bytes: int | None = None  # what cnncost.execute.budget expected it to be
    fill_seconds: float = 0.0  # time spent filling the weights with random values

    @property
    def mismatches(self) -> tuple[CheckRow, ...]:
        return tuple(r for r in self.rows if not r.ok)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def total(self, side: str, quantity: str) -> int:
        return sum(getattr(getattr(r, side), quantity) for r in self.rows)


def verify(graph: Graph, batch: int = 1, seed: int = 0,
           on_node: Callable[[int, Node], None] | None = None, report=None) -> Verification:
    """Analyse the graph (unless given its `report` at this batch), run it on a seeded
    random batch, and pair the two per node."""
    graph = inference_graph(graph)  # what inference runs (no training-only heads)
    if report is None:
        report = analyze(graph, batch=batch)
    start = time.perf_counter()
    run = execute(graph, batch=batch, seed=seed, on_node=on_node)
    seconds = time.perf_counter() - start - run.fill_seconds  # as torch's figure: no weight init
    rows = []
    for row, done in zip(report.layers, run.nodes):
        shape = done.shape if done.batch == batch else (done.batch, *done.shape)
        rows.append(CheckRow(
            row.name, row.op, row.line,
            Counted(tuple(row.output), row.params, row.buffers, row.macs),
            Counted(shape, done.params, done.buffers, done.macs), done.dtype, done.seconds))
    return Verification(graph.name, graph.file, tuple(graph.input.shape), batch, seed, tuple(rows),
                        seconds, peak_resident_bytes(), fill_seconds=run.fill_seconds)


def peak_resident_bytes() -> int | None:
    """The peak resident set size of this process so far (None where unknown): on Linux the
    kernel's high-water mark VmHWM from /proc/self/status, the process's own (ru_maxrss
    carries over the peak of the process that started it: launched from a 518 MB process,
    it said 543 MB for a run that used 57 MB); elsewhere ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB
