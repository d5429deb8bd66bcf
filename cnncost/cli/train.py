"""`cnncost train`: the cost of one training step and the largest batch that fits."""
from __future__ import annotations

import click

from .app import cli
from .options import InputError, complete_spec, emit, fancy, load_from_options, spec_options

FORMATS = ("table", "json", "markdown", "html")


class ByteSize(click.ParamType):
    """A memory size: 16GB (powers of 1000), 16G or 16GiB (powers of 1024), or bytes."""

    name = "size"

    def convert(self, value, param, ctx):
        from ..execute.budget import parse_size

        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


def _device_names():
    from ..devices import MEMORY

    return list(MEMORY)


@cli.command()
@click.argument("spec", shell_complete=complete_spec)
@spec_options
@click.option("--batch", type=click.IntRange(1, 2**63 - 1), default=1, show_default=True,
              help="Batch size of the training step.")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "adam", "adamw"]), default="sgd",
              show_default=True, help="Optimizer state per trained parameter: sgd none, momentum one "
                                      "buffer, adam and adamw two.")
@click.option("--precision", type=click.Choice(["fp32", "amp-fp16", "amp-bf16"]), default="fp32",
              show_default=True, help="fp32, or mixed precision (torch.amp): 2-byte activations, "
                                      "float32 weights, gradients and optimizer state.")
@click.option("--budget", type=ByteSize(), default=None, metavar="SIZE",
              help="Memory available, e.g. 16GB (powers of 1000) or 16GiB / 16G (powers of "
                   "1024): says whether the step fits and the largest batch that does.")
@click.option("--device", type=click.Choice(_device_names()), default=None,
              help="Take the budget from a device's memory (see docs/how-to/training-cost.md).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
def train(spec, params, width, depth_mult, resolution, batch, optimizer, precision, budget, device, fmt):
    """Training cost per layer and in total: backward MACs (input and weight gradients),
    the tensors autograd saves, gradient and optimizer bytes, the peak memory of one
    step, and with --budget or --device the largest batch that fits.

    \b
    Examples:
      cnncost train resnet50 --batch 32 --optimizer adam
      cnncost train alexnet --batch 128 --budget 3GB
      cnncost train vgg16_transfer --batch 32 --format json
      cnncost train mobilenet_v2 --precision amp-fp16 --device t4
    """
    from ..render.training import TRAINING_FORMATS
    from ..report.training import train_report

    if budget is not None and device is not None:
        raise click.UsageError("give --budget or --device, not both")
    source = "--budget" if budget is not None else ""
    if device is not None:
        from ..devices import DEVICES, memory_of

        budget, cite = memory_of(device)
        source = f"{DEVICES[device].title}; {cite}"
    graph = load_from_options(spec, params, width, depth_mult, resolution)
    if graph.symbols:
        raise InputError("error: the training cost needs numbers, but the spec has symbols "
                         f"({', '.join(graph.symbols)})\nhint: give the sizes as numbers")
    report = train_report(graph, batch, precision, optimizer, budget, source)
    if fmt == "table":
        emit(TRAINING_FORMATS["table"](report, fancy=fancy()))
    else:
        emit(TRAINING_FORMATS[fmt](report))
