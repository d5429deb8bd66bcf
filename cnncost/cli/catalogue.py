"""`cnncost zoo` and `cnncost layers`: what is built in."""
from __future__ import annotations

import click

from ..render.catalogue import ZOO_FORMATS
from .app import cli
from .options import InputError, emit, fancy


@cli.command()
@click.argument("name", required=False)
@click.option("--names", "names_only", is_flag=True,
              help="Print only the names, one a line (nothing is built or counted).")
@click.option("--format", "fmt", type=click.Choice(list(ZOO_FORMATS)),
              default="table", show_default=True, help="Output format.")
def zoo(name, names_only, fmt):
    """List the built-in models: source, input size, params and MACs (computed now).

    NAME keeps the models whose name contains it (any case). Variants (specs/variants.toml)
    are listed with the spec and settings they stand for.

    \b
    Examples:
      cnncost zoo
      cnncost zoo resnet
      cnncost zoo efficientnet --format csv
      cnncost zoo --format html > zoo.html
    """
    from .. import zoo as zoo_mod

    entries = zoo_mod.matching(name)
    if not entries:
        raise InputError(f"error: no zoo model name contains '{name}'\n"
                         "hint: `cnncost zoo` lists them all")
    if names_only:
        emit("".join(f"{entry.name}\n" for entry in entries))
        return
    from ..load import load
    from ..report.catalogue import describe

    models = [describe(entry, load(entry.name)) for entry in entries]
    emit(ZOO_FORMATS[fmt](models, fancy=True) if fmt == "table" and fancy() else ZOO_FORMATS[fmt](models))


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
    from ..render.catalogue import render_layer_kinds

    kinds = [(name, _first_paragraph(REGISTRY[name].__doc__)) for name in user_kinds()]
    width = None
    if fancy():
        from ..render.fit import terminal_width

        width = terminal_width()
    emit(render_layer_kinds(kinds, width))


def _first_paragraph(doc: str) -> str:
    """A kind's docstring up to its first blank line, as one line."""
    return " ".join(doc.strip().split("\n\n")[0].split())


def _dedent(text: str) -> str:
    import textwrap

    first, _, rest = text.strip().partition("\n")
    return first + ("\n" + textwrap.dedent(rest) if rest else "")


