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


def _parse_params(values, hint: str = "-p/--param") -> dict[str, str]:
    out = {}
    for item in values:
        for part in item.split(",") if "=" in item and item.count("=") > 1 else [item]:
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise click.BadParameter(f"'{part}' is not NAME=VALUE (e.g. -p alpha=0.75)",
                                         param_hint=hint)
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


def load_from_options(spec, params, width, depth_mult, resolution):
    return load(spec, _parse_params(params), width=width, depth=depth_mult, resolution=resolution)


def emit(text: str):
    click.echo(text, nl=False)


def fancy() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def analysis_options(func):
    """--batch and --dtype, as summarize has them."""
    from ..report import DTYPE_BYTES

    func = click.option("--dtype", type=click.Choice(sorted(DTYPE_BYTES)), default="fp32",
                        show_default=True,
                        help="Bytes per value for activation and weight memory.")(func)
    func = click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True,
                        help="Batch size: scales activations and MACs, never parameters.")(func)
    return func


def complete_spec(ctx, param, incomplete):
    """Shell completion of a SPEC: the zoo names that start with what is typed, and files."""
    from click.shell_completion import CompletionItem

    from .. import zoo

    if ":" in incomplete:  # NAME:k=v settings: nothing to offer
        return []
    names = [CompletionItem(name) for name in zoo.entries() if name.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="file")]


# Settings of `NAME:k=v,...` that are scalings rather than spec params.
MODEL_SCALINGS = ("width", "resolution")


def split_model(arg: str) -> tuple[str, dict[str, str]]:
    """`mobilenet_v1:alpha=0.5,resolution=160` -> ('mobilenet_v1', {...}); an existing
    file's path is taken whole, colons and all."""
    if os.path.exists(arg) or ":" not in arg:
        return arg, {}
    source, _, settings = arg.rpartition(":")
    if not source or "=" not in settings:
        raise click.BadParameter(f"'{arg}' is not SPEC or SPEC:NAME=VALUE,... "
                                 "(e.g. mobilenet_v1:alpha=0.5)", param_hint="SPEC")
    return source, _parse_params([settings], hint="SPEC")
