"""`cnncost layer`: one layer (or two alternatives) from the command line, with working."""
from __future__ import annotations

import click

from .app import cli
from .options import emit, warn


@cli.command()
@click.argument("layer")
@click.option("--in", "shape", required=True, metavar="SHAPE",
              help="The input: 28x28x1, or a tuple such as (n, n, nc) whose names are symbols.")
@click.option("--channels-first", is_flag=True,
              help="SHAPE is C x H x W (PyTorch's order, e.g. 3x224x224), not H x W x C.")
@click.option("--vs", "other", default=None, metavar="LAYER",
              help="A second LAYER on the same input: output shapes, params, MACs and the "
                   "ratios b/a are compared.")
@click.option("--symbolic", is_flag=True,
              help="Also give the comparison in symbols (n, nc, f, nc2, ...) for numeric "
                   "layers, e.g. MACs b/a = 1/nc2 + 1/f**2 = 1/5 + 1/9. Needs sympy.")
@click.option("--pretty", is_flag=True,
              help="Print formulas in sympy's two-dimensional layout.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "text"]), default="table",
              show_default=True, help="Output format (`text` is another name for table).")
def layer(layer, shape, other, channels_first, symbolic, pretty, fmt):
    """The working of one LAYER (spec-language text, no file needed) on an input of
    SHAPE; several layers are separated by `;`. Identifiers in LAYER or SHAPE that are
    not layer words are symbols: the counts become formulas.

    \b
    Examples:
      cnncost layer "conv 5x5 16 p2" --in 28x28x1
      cnncost layer "conv 3x3 5 nobias" --in 6x6x3 --vs "sepconv 3x3 5 nobias" --symbolic
      cnncost layer "conv 5x5 32 same" --in 28x28x192 --vs "conv 1x1 16; conv 5x5 32 same"
      cnncost layer "conv (f, f) nc2" --in "(n, n, nc)" --vs "sepconv (f, f) nc2"
    """
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
