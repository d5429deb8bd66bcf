"""The command line: thin click commands over the library (cnncost.load, analyze, render).

Each command lives in its own module and registers itself on the group in `app`;
`main` turns every error into a located message and an exit code, never a traceback.
"""
from __future__ import annotations

import sys
import traceback

import click

from ..errors import CnnCostError
from . import catalogue, check, explain, layer, summarize  # noqa: F401  (registers the commands)
from .app import cli
from .options import EXIT_INPUT


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
