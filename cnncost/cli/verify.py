"""`cnncost verify`: run the network with NumPy and hold the analysis to what it did."""
from __future__ import annotations

import sys
import time

import click

from .app import cli
from .options import EXIT_WRONG, InputError, emit, fancy, load_from_options, spec_options

FORMATS = ("table", "json", "csv")


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True,
              help="Images in the random input batch (MACs are compared for the whole batch).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random input and weights.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
def verify(spec, params, width, depth_mult, resolution, batch, seed, fmt):
    """Run the network for real (NumPy, float32) and compare, layer by layer, the analysed
    output shape, params, buffers and MACs with the executed ones. Exits 1 on any
    mismatch. Needs the extra: pip install 'cnncost[numpy]'.

    \b
    Examples:
      cnncost verify lenet5
      cnncost verify resnet50 --resolution 0.25 --batch 2
      cnncost verify my_net.spec --format json
    """
    from ..execute import numpy_missing

    missing = numpy_missing()
    if missing:
        raise InputError(f"error: {missing}")
    graph = load_from_options(spec, params, width, depth_mult, resolution)
    from ..execute.verify import verify as run_verify
    from ..render.verify import VERIFY_FORMATS

    progress = _LazyProgress(len(graph.nodes), enabled=sys.stdout.isatty() and sys.stderr.isatty())
    try:
        result = run_verify(graph, batch=batch, seed=seed, on_node=progress)
    finally:
        progress.close()
    if fmt == "table":
        emit(VERIFY_FORMATS["table"](result, fancy=fancy()))
    else:
        emit(VERIFY_FORMATS[fmt](result))
    if not result.ok:
        sys.exit(EXIT_WRONG)


class _LazyProgress:
    """A rich progress bar (on stderr, gone when done) that appears only once the run has
    taken a second, and only when stdout is a terminal."""

    DELAY = 1.0

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.start = time.perf_counter()
        self.bar = None
        self.task = None

    def __call__(self, index: int, node) -> None:
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
