"""What the commands share: exit codes, the error type that exits 2, spec options, output."""
from __future__ import annotations

import os
import sys

import click

from ..load import load

EXIT_WRONG = 1  # a checked answer is wrong
EXIT_INPUT = 2  # the input is bad: syntax, names, shapes, files


class InputError(click.ClickException):
    """A CnnCostError on its way to the terminal: located message, exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None):
        click.echo(self.message, err=True)


def _parse_params(values) -> dict[str, str]:
    out = {}
    for item in values:
        for part in item.split(",") if "=" in item and item.count("=") > 1 else [item]:
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise click.BadParameter(f"'{part}' is not NAME=VALUE (e.g. -p alpha=0.75)",
                                         param_hint="-p/--param")
            out[name.strip()] = value.strip()
    return out


def spec_options(func):
    """Options shared by every command that loads a spec."""
    func = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                        help="Override a `param` of the spec, e.g. -p alpha=0.75 (repeatable).")(func)
    func = click.option("--width", type=str, default=None, metavar="A",
                        help="Width multiplier: sets `param width`, or scales every conv's "
                             "output channels to int(A*N) when the spec has none.")(func)
    func = click.option("--depth-mult", "depth_mult", type=str, default=None, metavar="D",
                        help="Depth multiplier: sets the spec's `param depth` "
                             "(same as -p depth=D).")(func)
    func = click.option("--resolution", type=str, default=None, metavar="R",
                        help="Input size: 160 sets a 160x160 input; 0.5 scales the spec's size.")(func)
    return func


def load_from_options(spec, params, width, depth_mult, resolution, symbolic=()):
    return load(spec, _parse_params(params), width=width, depth=depth_mult, resolution=resolution,
                symbolic=symbolic)


def symbol_names(value: str | None, option: str = "--symbolic") -> tuple[str, ...]:
    """`H,W` -> ('H', 'W'): names for symbols given on the command line."""
    if value is None:
        return ()
    import re

    names = tuple(n.strip() for n in value.split(","))
    for name in names:
        if not name.isidentifier() or re.fullmatch(r"[A-Za-z]\d+", name):
            raise click.BadParameter(
                f"'{name}' is not a symbol name (letters, digits and _, not a flag like s2)",
                param_hint=option)
    return names


def emit(text: str):
    click.echo(text, nl=False)


def fancy() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


