"""`cnncost verify`: run the network with NumPy and hold the analysis to what it did."""
from __future__ import annotations

import sys
import time
from dataclasses import replace

import click

from ..build import inference_graph
from .app import cli
from .options import (BATCH, EXIT_WRONG, InputError, Whole, emit, fancy, load_from_options,
                      spec_options)

FORMATS = ("table", "json", "csv", "markdown", "html")


class ByteSize(click.ParamType):
    """A memory size: 4G, 512M, 1.5G (powers of 1024), 2GB (powers of 1000), or bytes."""

    name = "size"

    def convert(self, value, param, ctx):
        from ..execute.budget import parse_size

        if isinstance(value, int):
            return value
        if not str(value).isascii() or len(str(value)) > 40:  # look-alike digits, huge texts
            self.fail(f"'{str(value)[:40]}' is not a size such as 4G, 512M, 1.5G or 2GB "
                      "(ASCII digits, at most 40 characters)", param, ctx)
        try:
            return parse_size(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--batch", type=BATCH, default=1, show_default=True,
              help="Images in the random input batch (MACs are compared for the whole batch).")
@click.option("--seed", type=Whole(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the random input and weights.")
@click.option("--max-memory", "max_memory", type=ByteSize(), default=None, metavar="SIZE",
              help="Refuse to run when the estimated memory of the run is above SIZE, e.g. 4G "
                   "or 512M (K, M, G: powers of 1024; KB, MB, GB: of 1000) [default: the "
                   "memory the system has available].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format (html: one self-contained page).")
@click.option("--against", type=click.Choice(["torch"]), default=None,
              help="Instead: run the exported PyTorch module on the same random input with the "
                   "same weights and show the largest difference of each layer's output "
                   "(needs torch).")
def verify(spec, params, width, depth_mult, resolution, batch, seed, max_memory, fmt, against):
    """Run the network for real (NumPy, float32) and compare, layer by layer, the analysed
    output shape, params, buffers and MACs with the executed ones. Exits 1 on any
    mismatch. Needs the extra: pip install 'cnncost[numpy]'.

    \b
    Examples:
      cnncost verify lenet5
      cnncost verify resnet50 --resolution 0.25 --batch 2
      cnncost verify my_net.spec --format json
      cnncost verify vgg16 --max-memory 2G
      cnncost verify resnet50 --resolution 0.25 --against torch
    """
    from ..execute import numpy_missing

    missing = numpy_missing()
    if missing:
        raise InputError(f"error: {missing}")
    graph = inference_graph(load_from_options(spec, params, width, depth_mult, resolution))
    if against is not None:
        return _verify_against_torch(graph, batch, seed, fmt)
    from ..execute.budget import Limit, default_limit, estimate
    from ..execute.verify import verify as run_verify
    from ..render.numbers import bytes_
    from ..render.verify import VERIFY_FORMATS
    from ..report import analyze

    report = analyze(graph, batch=batch)
    need = None if graph.symbols else estimate(graph, report)  # symbols: the run refuses them
    limit = default_limit() if max_memory is None else Limit(max_memory, "--max-memory")
    if need is not None and need.total > limit.bytes:
        raise InputError(f"error: running {graph.name} needs about {_needs(need)}, more than the "
                         f"limit of {bytes_(limit.bytes)} ({limit.source})\n{_MEMORY_HINT}")
    progress = _LazyProgress(len(graph.nodes), enabled=sys.stdout.isatty() and sys.stderr.isatty())
    try:
        result = run_verify(graph, batch=batch, seed=seed, on_node=progress, report=report)
    except MemoryError as err:
        node = graph.nodes[progress.done]
        raise InputError(f"error: out of memory running {node.name} ({node.kind}, line {node.line}): "
                         f"{err or 'NumPy could not allocate an array'}; the run was estimated at "
                         f"{_needs(need)}\n{_MEMORY_HINT}") from None
    finally:
        progress.close()
    result = replace(result, estimated_bytes=need and need.total)
    if fmt == "table":
        emit(VERIFY_FORMATS["table"](result, fancy=fancy()))
    else:
        emit(VERIFY_FORMATS[fmt](result))
    if not result.ok:
        sys.exit(EXIT_WRONG)


_MEMORY_HINT = "hint: use --resolution 0.25 (or a smaller --batch) to run it smaller, or --max-memory"


def _needs(need) -> str:
    """'27.7 GB (activations 4.6 GB, conv1's weights 147.7 kB and temporaries 23.0 GB, ...)'."""
    from ..render.numbers import bytes_

    return (f"{bytes_(need.total)} (activations {bytes_(need.activations)}, {need.layer}'s weights "
            f"{bytes_(need.weights)} and temporaries {bytes_(need.temporaries)}, weight pool "
            f"{bytes_(need.pool)}, allocator slack {bytes_(need.slack)}, Python and NumPy "
            f"{bytes_(need.process)})")


class _LazyProgress:
    """A rich progress bar (on stderr, gone when done) that appears only once the run has
    taken a second, and only when stdout is a terminal."""

    DELAY = 1.0

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.start = time.perf_counter()
        self.bar = None
        self.task = None
        self.done = 0  # nodes run so far: the index of the one running

    def __call__(self, index: int, node) -> None:
        self.done = index + 1
        if not self.enabled:
            return
        if self.bar is None:
            if time.perf_counter() - self.start < self.DELAY:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("running"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"),
                                console=Console(file=sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        self.bar.update(self.task, completed=index + 1, description=node.name)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---- verify --against torch: the NumPy executor and PyTorch check each other
AGAINST_TOLERANCE = 1e-4  # float32: |difference| <= 1e-4 x max(1, largest |value| of the layer)


def _verify_against_torch(graph, batch, seed, fmt):
    try:
        import torch  # noqa: F401
    except ImportError:
        raise InputError("error: --against torch needs PyTorch: pip install torch") from None
    if fmt not in ("table", "json"):
        raise click.UsageError("--against torch writes --format table or json")
    from ..execute.against import against_torch

    from ..render.against import against_json, against_table

    result = against_torch(graph, batch=batch, seed=seed)
    bad = result.beyond(AGAINST_TOLERANCE)
    emit(against_json(result, AGAINST_TOLERANCE) if fmt == "json" else against_table(result, AGAINST_TOLERANCE))
    if bad:
        sys.exit(EXIT_WRONG)
