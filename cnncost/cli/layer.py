"""`cnncost layer`: one layer (or two alternatives) from the command line, with working."""
from __future__ import annotations

import click

from .app import cli
from .options import emit, warn


@cli.command()
@click.argument("layer")
@click.option("--in", "shape", default=None, metavar="SHAPE",
              help="The input: 28x28x1, or a tuple such as (n, n, nc) whose names are symbols. "
                   "Not needed with --values.")
@click.option("--channels-first", is_flag=True,
              help="SHAPE is C x H x W (PyTorch's order, e.g. 3x224x224), not H x W x C.")
@click.option("--values", "values", default=None, metavar="MATRIX",
              help="Run LAYER on these numbers, exactly: rows of one channel \"[[5,1],[8,2]]\", "
                   "a list of channels, rows separated by ';', or a file of rows.")
@click.option("--weights", "weights", multiple=True, metavar="MATRIX",
              help="With --values: the weights of a layer with weights, in PyTorch's order "
                   "(filters, channels, rows); a scale may follow: \"[[1,1],[1,-1]]/9\". "
                   "Once per layer with weights.")
@click.option("--bias", "bias", default=None, metavar="B",
              help="With --values: the bias of the first layer with one (a number, or one per "
                   "filter); 0 when not given.")
@click.option("--cell", "cell", default=None, metavar="R,C",
              help="With --values: show the sum of products that made output cell R,C "
                   "(from 0; R,C,K for channel K).")
@click.option("--vs", "other", default=None, metavar="LAYER",
              help="A second LAYER on the same input (a line, lines with `;` and `>`, or - "
                   "for standard input): output shapes, params, MACs and the ratios b/a.")
@click.option("--symbolic", is_flag=True,
              help="Also give the comparison in symbols (n, nc, f, nc2, ...) for numeric "
                   "layers, e.g. MACs b/a = 1/nc2 + 1/f**2 = 1/5 + 1/9. Needs sympy.")
@click.option("--pretty", is_flag=True,
              help="Print formulas in sympy's two-dimensional layout.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "text"]), default="table",
              show_default=True, help="Output format (`text` is another name for table).")
def layer(layer, shape, channels_first, values, weights, bias, cell, other, symbolic, pretty, fmt):
    """The working of one LAYER (spec-language text, no file needed) on an input of
    SHAPE; several layers are separated by `;`, and a line's leading `>` marks are its
    indentation, so a block fits on one line (`concat:; >branch:; >>conv 1x1 64`). LAYER
    (or --vs) `-` reads the lines from standard input. Identifiers in LAYER or SHAPE that
    are not layer words are symbols: the counts become formulas.

    \b
    Examples:
      cnncost layer "conv 5x5 16 p2" --in 28x28x1
      cnncost layer "conv 3x3 5 nobias" --in 6x6x3 --vs "sepconv 3x3 5 nobias" --symbolic
      cnncost layer "conv 5x5 32 same" --in 28x28x192 --vs "conv 1x1 16; conv 5x5 32 same"
      cnncost layer "conv (f, f) nc2" --in "(n, n, nc)" --vs "sepconv (f, f) nc2"
      cnncost layer "residual:; >conv 3x3 64 same; shortcut:; >conv 1x1 64" --in 56x56x64
      cnncost layer - --in 28x28x192 < inception.txt
      cnncost layer "maxpool 2x2 s2" --values "[[5,1,3,4],[8,2,9,2],[1,3,0,1],[2,2,2,0]]"
      cnncost layer "conv 3x3 1 nobias" --values "[[-1,1,1],[1,-1,1],[1,1,-1]]" \\
          --weights "[[1,1,1],[1,-1,1],[1,1,1]]/9" --cell 0,0
    """
    if layer == "-" and other == "-":
        raise click.UsageError("only one of LAYER and --vs can be read from standard input (-)")
    if layer == "-":
        layer = click.get_text_stream("stdin").read()
    if other == "-":
        other = click.get_text_stream("stdin").read()
    if values is not None:
        return _values(layer, shape, values, weights, bias, cell, other, fmt)
    if shape is None:
        raise click.UsageError("give the input with --in SHAPE (e.g. --in 28x28x1), or numbers "
                               "with --values")
    if weights or bias is not None or cell is not None:
        raise click.UsageError("--weights, --bias and --cell go with --values")
    from ..render import layer as render  # deferred: other commands start without them
    from ..layer_text import compare_layers

    comparison = compare_layers(layer, shape, other, generalize=symbolic, channels_first=channels_first)
    warn(comparison.warnings)
    if fmt == "json":
        emit(render.as_json(comparison))
    elif fmt == "markdown":
        emit(render.markdown(comparison))
    else:
        emit(render.text(comparison, pretty))


def _values(layer, shape, values, weights, bias, cell, other, fmt):
    """Values mode: LAYER run on the numbers given, with exact fractions."""
    from ..grids import input_array, read_matrix, run_values
    from ..layer_text import load_layer
    from ..render import grids as render

    if other is not None:
        raise click.UsageError("--vs compares costs; values mode runs one LAYER on numbers")
    if fmt == "markdown":
        raise click.UsageError("values mode prints grids as text (--format table) or JSON")
    array = input_array(read_matrix(values, "--values"))
    given = "x".join(str(s) for s in array.shape)
    graph = load_layer(layer, shape or given)
    if tuple(graph.input.shape) != tuple(array.shape):
        raise click.UsageError(f"--in {shape} does not match the {given} numbers given with --values")
    cell_at = _cell(cell) if cell is not None else None
    run = run_values(graph, array, [read_matrix(w, "--weights") for w in weights],
                     read_matrix(bias, "--bias") if bias is not None else None, cell_at)
    emit(render.as_json(run) if fmt == "json" else render.text(run))


def _cell(text: str) -> tuple:
    try:
        parts = tuple(int(p) for p in text.replace(" ", "").split(","))
    except ValueError:
        parts = ()
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        raise click.BadParameter(f"'{text}': write the row and column from 0, e.g. 0,1 (or 0,1,2 for "
                                 "channel 2)", param_hint="--cell")
    return parts if len(parts) > 1 else (0, parts[0])
