"""`cnncost show NAME`: the source text of a zoo spec, to read or copy from."""
from __future__ import annotations

import click

from .app import cli
from .options import InputError, emit


@cli.command()
@click.argument("name")
def show(name):
    """Print the spec text of the zoo model NAME (`cnncost zoo --names` lists them).

    A variant (specs/variants.toml) prints its spec file after a comment giving the
    parameters and resolution it sets; the same command line builds it.

    \b
    Examples:
      cnncost show lenet5
      cnncost show resnet50 > my_resnet.spec
      cnncost show efficientnet_b3
    """
    from .. import zoo

    entry = zoo.find(name)
    if entry is None:
        import difflib

        close = difflib.get_close_matches(name, list(zoo.entries()), n=3, cutoff=0.75)
        hint = f"did you mean {' or '.join(close)}?" if close else "`cnncost zoo --names` lists them"
        raise InputError(f"error: no zoo model is called '{name}'\nhint: {hint}")
    text = zoo.spec_text(entry.spec)
    if entry.spec != entry.name:
        settings = [f"{key}={value}" for key, value in entry.params.items()]
        if entry.resolution is not None:
            settings.append(f"resolution {entry.resolution}")
        options = "".join(f" -p {key}={value}" for key, value in entry.params.items())
        if entry.resolution is not None:
            options += f" --resolution {entry.resolution}"
        text = (f"# {entry.name}: {entry.spec}.spec (below) with {', '.join(settings)}\n"
                f"# the same network: cnncost summarize {entry.spec}{options}\n" + text)
    emit(text)
