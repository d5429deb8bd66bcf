"""`cnncost check`: mark the `expect` lines of a homework spec."""
from __future__ import annotations

import click

from ..render import check as render
from ..report.check import check as check_graph
from .app import cli
from .options import EXIT_WRONG, emit, fancy, load_from_options, spec_options


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
def check(spec, params, width, depth_mult, resolution, fmt):
    """Check every `expect` line of SPEC: a mark, the true value and its working.

    Exits 0 when every expectation holds, 1 when any is wrong, 2 when the spec
    itself is broken.

    \b
    Examples:
      cnncost check homework.spec
      cnncost check homework.spec --format json
    """
    graph = load_from_options(spec, params, width, depth_mult, resolution)
    if not graph.expectations and not (graph.values and graph.values.expects):
        raise click.UsageError(f"{spec} has no `expect` lines to check "
                               "(write e.g. `expect params 416` after a layer)")
    report = check_graph(graph)
    emit(render.as_json(report) if fmt == "json" else render.text(report, color=fancy()))
    if report.correct < report.total:
        raise SystemExit(EXIT_WRONG)
