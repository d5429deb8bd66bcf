"""`cnncost import`: an ONNX, Keras or PyTorch-exported model written as a spec."""
from __future__ import annotations


import click

from ..interop.import_file import model_spec, parse_shape
from .app import cli
from .options import InputError, emit


@cli.command("import")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the spec to this file (default: print it).")
@click.option("--in", "input_shape", default=None, metavar="HxWxC",
              help="The input size, when the file leaves it open (e.g. 224x224x3).")
def import_(model, out, input_shape):
    """Write MODEL (.onnx, .keras, or a Keras .json config) as a spec.

    The spec keeps the model's layer names, folds batch norms and activations into the
    line before them, and writes residual blocks and repeats as a person would. A layer
    cnncost cannot map stops the import with a list of them all (exit 2).

    \b
    Examples:
      cnncost import model.onnx -o model.spec
      cnncost import model.keras
      cnncost import resnet.onnx --in 224x224x3
    """
    text = model_spec(model, parse_shape(input_shape))
    if out is None:
        emit(text.rstrip("\n"))
        return
    from ..files import write_atomic

    try:
        write_atomic(out, text)
    except OSError as err:
        raise InputError(f"error: cannot write {out}: {err.strerror or err}") from None
    click.echo(f"wrote {out} ({len(text.splitlines())} lines)", err=True)
