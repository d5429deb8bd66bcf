"""`cnncost export`: the network as a runnable PyTorch or Keras file."""
from __future__ import annotations

import click

from .app import cli
from .options import InputError, emit, load_from_options, spec_options

FRAMEWORKS = ("pytorch", "keras")


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--to", "to", type=click.Choice(FRAMEWORKS), required=True,
              help="The framework: pytorch (an nn.Module class) or keras (a function "
                   "returning a functional keras.Model).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              metavar="FILE.py", help="Write the code to FILE.py instead of printing it.")
def export(spec, params, width, depth_mult, resolution, to, output):
    """Write SPEC as one Python file for PyTorch or Keras 3 that imports the framework
    only (never cnncost): PyTorch submodule paths and Keras layer names are the spec's
    layer names. A layer the framework cannot express is an error naming it (exit 2).

    \b
    Examples:
      cnncost export resnet50 --to pytorch -o resnet50.py
      cnncost export mobilenet_v1 --width 0.75 --to keras
      cnncost export my_net.spec --to pytorch -p width=0.5
    """
    from ..interop.export import export as export_graph

    graph = load_from_options(spec, params, width, depth_mult, resolution)
    text = export_graph(graph, to)
    if output is None:
        emit(text)
        return
    from ..files import write_atomic

    try:
        write_atomic(output, text)
    except OSError as err:
        raise InputError(f"error: cannot write {output}: {err.strerror or err}") from None
