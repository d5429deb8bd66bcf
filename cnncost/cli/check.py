"""`cnncost check`: mark the `expect` lines of a homework spec."""
from __future__ import annotations

import click

from ..errors import CnnCostError
from ..render import check as render
from ..report.check import check as check_graph
from .app import cli
from .options import EXIT_INPUT, EXIT_WRONG, emit, fancy, load_from_options, spec_options


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
    try:
        graph = load_from_options(spec, params, width, depth_mult, resolution)
        if not graph.expectations and not (graph.values and graph.values.expects):
            from ..errors import Span  # located at the spec's last line, where one could go

            lines = list(graph.lines)  # the text built (a model file's written spec)
            last = max((i for i, line in enumerate(lines, 1) if line.strip()), default=1)
            text = lines[last - 1] if lines else ""
            raise CnnCostError("no `expect` lines to check",
                               Span(graph.file, last, 1, max(1, len(text)), text),
                               "write e.g. `expect params 416` after a layer's line")
    except CnnCostError as err:
        if fmt != "json":
            raise
        emit(render.error_json(err))  # stdout: the error as JSON; stderr: as text
        click.echo(err.render(), err=True)
        raise SystemExit(EXIT_INPUT) from None
    report = check_graph(graph)
    emit(render.as_json(report) if fmt == "json" else render.text(report, color=fancy()))
    if report.correct < report.total:
        raise SystemExit(EXIT_WRONG)
