"""The command line: thin click commands over the library (cnncost.load, analyze, render).

Each command lives in its own module and registers itself on the group in `app`, which
imports it when the command is used;
`main` turns every error into a located message and an exit code, never a traceback: a
failure to write the answer (a full disk, a closed stdout) is one line and exit 2, a reader
that stops early (`| head`) is silence and exit 141.
"""
from __future__ import annotations

import gc
import os
import sys
import traceback

import click

from ..errors import CnnCostError
from .app import cli
from .options import EXIT_INPUT

# A reader that stops early (`cnncost ... | head -1`): the status a shell reports for a
# program ended by SIGPIPE (128 + 13), as cat's is; non-zero, so `set -o pipefail` sees it.
EXIT_BROKEN_PIPE = 141


def _say(message: str) -> None:
    """One line on stderr, if stderr is there to take it."""
    try:
        if sys.stderr is not None:
            print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush of what is left in
    its buffer cannot fail again (the recipe in Python's signal module documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv=None):
    """Entry point: runs the click group; turns every error into a message, never a
    traceback unless --debug is given (anywhere on the command line)."""
    # Loading, building and analysing make many small objects and few cycles: a run of the
    # CLI is short and bounded (--max-nodes), so the collector only costs time (a 100,000-
    # layer chain: 6.1 s with it, 3.6 s without). What is loaded so far is frozen too. The
    # collector is restored afterwards, for callers that run main() in their own process.
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        _main(argv)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _main(argv):
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args = [a for a in args if a != "--debug"]
    if sys.stdout is None:  # started with stdout closed (`cnncost ... >&-`)
        _say("error: standard output is closed: nowhere to write the answer")
        sys.exit(EXIT_INPUT)
    try:
        try:
            cli.main(args=args, prog_name="cnncost", standalone_mode=False)
        except SystemExit:
            # click turns EPIPE inside a command into exit 1, which cnncost keeps for a
            # checked answer that is wrong; it marks the case by wrapping stdout
            if isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
                raise BrokenPipeError from None
            raise
        sys.stdout.flush()  # a full disk is reported here, not at interpreter exit
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
        _silence_stdout()  # output piped into `head`: say nothing, as cat does
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as err:  # writing the answer failed: a full disk, a closed or bad stream
        if debug:
            traceback.print_exc()
        _silence_stdout()
        where = f" '{err.filename}'" if err.filename else " the output"
        _say(f"error: cannot write{where}: {err.strerror or err}")
        sys.exit(EXIT_INPUT)
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
