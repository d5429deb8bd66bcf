"""`cnncost graph`: the network's graph as Graphviz DOT or Mermaid text."""
from __future__ import annotations

import click

from ..render.graph import GRAPH_FORMATS, collapsed
from .app import cli
from .options import emit, load_from_options, spec_options


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(list(GRAPH_FORMATS)), default="dot", show_default=True,
              help="dot: Graphviz (render with `dot -Tsvg`); mermaid: a Mermaid flowchart "
                   "(GitHub and JupyterLab draw it inside a ```mermaid block).")
@click.option("--depth", type=click.IntRange(min=0), default=None, metavar="N",
              help="Draw blocks nested deeper than N as one box each (0: top level only), "
                   "as summarize --depth sums them into one row.")
def graph(spec, params, width, depth_mult, resolution, fmt, depth):
    """Draw the network: one box per layer (name, op, output shape), one arrow per
    input, blocks as nested clusters.

    \b
    Examples:
      cnncost graph resnet18 | dot -Tsvg > resnet18.svg
      cnncost graph my_net.spec --format mermaid
      cnncost graph resnet50 --depth 1
    """
    network = load_from_options(spec, params, width, depth_mult, resolution)
    emit(GRAPH_FORMATS[fmt](collapsed(network, depth)))
