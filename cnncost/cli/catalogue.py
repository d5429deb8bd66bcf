"""`cnncost zoo` and `cnncost layers`: what is built in."""
from __future__ import annotations

import click

from .app import cli
from .options import InputError


@cli.command()
@click.argument("name", required=False)
def zoo(name):
    """List the built-in models (optionally those whose name contains NAME)."""
    from .. import zoo as zoo_mod

    for entry in zoo_mod.entries().values():
        if name and name.lower() not in entry.name.lower():
            continue
        extra = ""
        if entry.name != entry.spec:
            settings = [f"{k}={v}" for k, v in entry.params.items()]
            if entry.resolution:
                settings.append(f"resolution {entry.resolution}")
            extra = f"  ({entry.spec}: {', '.join(settings)})"
        click.echo(f"{entry.name}{extra}")


@cli.command()
@click.argument("kind", required=False)
def layers(kind):
    """List the layer kinds of the spec language, or describe one KIND."""
    from ..layers import REGISTRY, lookup, user_kinds

    if kind:
        layer = lookup(kind)
        if layer is None or layer.internal:
            raise InputError(f"error: unknown layer kind '{kind}'\nhint: `cnncost layers` lists them")
        click.echo(f"{layer.name}" + (f" (aliases: {', '.join(layer.aliases)})" if layer.aliases else ""))
        click.echo(_dedent(layer.__doc__))
        return
    for name in user_kinds():
        doc = REGISTRY[name].__doc__.strip().splitlines()[0]
        click.echo(f"{name:<16} {doc}")


def _dedent(text: str) -> str:
    import textwrap

    first, _, rest = text.strip().partition("\n")
    return first + ("\n" + textwrap.dedent(rest) if rest else "")


