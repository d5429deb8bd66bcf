"""The command line: thin click commands over the library (cnncost.load, analyze, render)."""
from __future__ import annotations

import os
import sys
import traceback

import click

from . import __version__
from .errors import CnnCostError
from .load import load
from .render import FORMATS
from .report import DTYPE_BYTES, analyze, collapse

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


def load_from_options(spec, params, width, depth_mult, resolution):
    return load(spec, _parse_params(params), width=width, depth=depth_mult, resolution=resolution)


def _emit(text: str):
    click.echo(text, nl=False)


def _fancy() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnncost")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
def cli(debug):
    """Exact shapes, parameters, MACs, memory and receptive fields of convolutional
    networks written as short text specs.

    SPEC is a .spec file or the name of a model in the zoo (see `cnncost zoo`).
    """


@cli.command()
@click.argument("spec")
@spec_options
@click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True,
              help="Batch size: scales activations and MACs, never parameters.")
@click.option("--dtype", type=click.Choice(sorted(DTYPE_BYTES)), default="fp32", show_default=True,
              help="Bytes per value for activation and weight memory.")
@click.option("--depth", type=click.IntRange(min=0), default=None, metavar="N",
              help="Collapse blocks nested deeper than N into one row each (0: top level only).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
              help="Output format.")
def summarize(spec, params, width, depth_mult, resolution, batch, dtype, depth, fmt):
    """Per-layer output shape, params, MACs and receptive field, with totals.

    \b
    Examples:
      cnncost summarize vgg16
      cnncost summarize my_net.spec -p width=0.5 --format json
      cnncost summarize resnet50 --depth 1
    """
    graph = load_from_options(spec, params, width, depth_mult, resolution)
    report = analyze(graph, dtype=dtype, batch=batch)
    if depth is not None:
        report = collapse(report, depth)
    if fmt == "table":
        _emit(FORMATS["table"](report, fancy=_fancy()))
    else:
        _emit(FORMATS[fmt](report))


@cli.command()
@click.argument("name", required=False)
def zoo(name):
    """List the built-in models (optionally those whose name contains NAME)."""
    from . import zoo as zoo_mod

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
    from .layers import REGISTRY, lookup, user_kinds

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


def main(argv=None):
    """Entry point: runs the click group; turns every error into a message, never a
    traceback unless --debug is given (anywhere on the command line)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args = [a for a in args if a != "--debug"]
    try:
        cli.main(args=args, prog_name="cnncost", standalone_mode=False)
    except CnnCostError as err:
        if debug:
            traceback.print_exc()
        click.echo(err.render(), err=True)
        sys.exit(EXIT_INPUT)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # output piped into `head`: not an error
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except RecursionError:
        if debug:
            traceback.print_exc()
        click.echo("error: the spec is nested too deeply to analyse", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as err:  # a bug: say so plainly
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"internal error: {type(err).__name__}: {err}\n"
                       "This is a bug in cnncost; rerun with --debug and report the traceback.",
                       err=True)
        sys.exit(EXIT_INPUT)
    sys.exit(0)
