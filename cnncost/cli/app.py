"""The click group every command registers on. Commands load lazily (click's "lazily
loading subcommands" pattern): `cnncost summarize` imports only what summarize needs."""
from __future__ import annotations

import importlib

import click

from .. import __version__

# command name -> the module of cnncost.cli that defines it
COMMANDS = {
    "check": "check",
    "compare": "compare",
    "explain": "explain",
    "graph": "graph",
    "layers": "catalogue",
    "summarize": "summarize",
    "sweep": "sweep",
    "verify": "verify",
    "zoo": "catalogue",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"{__package__}.{COMMANDS[name]}")  # registers itself
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnncost")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
def cli(debug):
    """Exact shapes, parameters, MACs, memory and receptive fields of convolutional
    networks written as short text specs.

    SPEC is a .spec file or the name of a model in the zoo (see `cnncost zoo`).
    """


