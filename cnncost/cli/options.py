"""What the commands share: exit codes, the error type that exits 2, spec options, output."""
from __future__ import annotations

import os
import sys

import click

from ..graph import DEFAULT_MAX_NODES
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
    func = click.option("--max-nodes", type=click.IntRange(min=1), default=None, metavar="N",
                        expose_value=False, callback=_remember_max_nodes,
                        help=f"Refuse specs that make more than N nodes or run more than N "
                             f"statements (loops and calls) [default: {DEFAULT_MAX_NODES:,}].")(func)
    return func


def _remember_max_nodes(ctx, param, value):
    """--max-nodes is read by load_from_options, so commands need no parameter for it."""
    ctx.meta["cnncost.max_nodes"] = value


def load_from_options(spec, params, width, depth_mult, resolution):
    ctx = click.get_current_context(silent=True)
    max_nodes = ctx.meta.get("cnncost.max_nodes") if ctx else None
    return load(spec, _parse_params(params), width=width, depth=depth_mult, resolution=resolution,
                max_nodes=max_nodes)


def emit(text: str):
    click.echo(text, nl=False)


def fancy() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


