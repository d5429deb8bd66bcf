"""The click group every command registers on."""
from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnncost")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
def cli(debug):
    """Exact shapes, parameters, MACs, memory and receptive fields of convolutional
    networks written as short text specs.

    SPEC is a .spec file or the name of a model in the zoo (see `cnncost zoo`).
    """


