"""The click group every command registers on. Commands load lazily (click's "lazily
loading subcommands" pattern): `cnncost summarize` imports only what summarize needs."""
from __future__ import annotations

import click

from .. import __version__

COMMANDS = ("check", "compare", "explain", "graph", "layer", "layers", "show", "summarize", "sweep",
            "verify", "zoo")


def _define(name: str) -> None:
    """Import the module that defines command `name`; it registers itself on `cli`."""
    # static imports, one per module (no dynamic import anywhere in cnncost)
    if name == "check":
        from . import check  # noqa: F401
    elif name == "compare":
        from . import compare  # noqa: F401
    elif name == "explain":
        from . import explain  # noqa: F401
    elif name == "graph":
        from . import graph  # noqa: F401
    elif name == "layer":
        from . import layer  # noqa: F401
    elif name in ("layers", "zoo"):
        from . import catalogue  # noqa: F401
    elif name == "show":
        from . import show  # noqa: F401
    elif name == "summarize":
        from . import summarize  # noqa: F401
    elif name == "sweep":
        from . import sweep  # noqa: F401
    elif name == "verify":
        from . import verify  # noqa: F401


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            _define(name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        """A misspelt command name gets the closest names ("did you mean summarize?"),
        still a usage error (exit 2)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            if close:
                ctx.fail(f"No such command '{name}'. Did you mean {' or '.join(close)}?")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnncost")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
def cli(debug):
    """Exact shapes, parameters, MACs, memory and receptive fields of convolutional
    networks written as short text specs.

    SPEC is a .spec file or the name of a model in the zoo (see `cnncost zoo`).
    """


