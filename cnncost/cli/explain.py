"""`cnncost explain`: the working of every layer."""
from __future__ import annotations

import click

from ..render import explain as render
from ..report.explain import explain_layers
from .app import cli
from .options import InputError, emit, load_from_options, spec_options


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--layer", default=None, metavar="NAME",
              help="Only this layer, or the layers inside this block (e.g. stage2.1).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--lecture", is_flag=True,
              help="Also each weight layer's cost (filter params × output positions × filters, "
                   "= MACs), connections (LeCun: MACs + bias adds) and weight tensors.")
def explain(spec, params, width, depth_mult, resolution, layer, fmt, lecture):
    """Show how every layer's output size, params, MACs and receptive field are
    computed, with the numbers filled in.

    \b
    Examples:
      cnncost explain lenet5
      cnncost explain resnet18 --layer layer2.0
      cnncost explain lenet5_1998 --lecture
    """
    graph = load_from_options(spec, params, width, depth_mult, resolution)
    layers = explain_layers(graph, layer, lecture=lecture)
    if layer and not layers:
        from difflib import get_close_matches

        names = {".".join(n.name.split(".")[:k]) for n in graph.nodes
                 for k in range(1, len(n.name.split(".")) + 1)}
        close = get_close_matches(layer, sorted(names), n=3)
        raise InputError(f"error: {spec} has no layer or block named '{layer}'\nhint: "
                         + (f"did you mean {', '.join(close)}?" if close else
                            "`cnncost summarize` lists the layer names"))
    emit(render.as_json(graph.name, layers) if fmt == "json" else render.text(graph.name, layers))
