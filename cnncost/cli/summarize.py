"""`cnncost summarize`: the per-layer table of one network."""
from __future__ import annotations

import click

from ..render import COLUMN_FORMATS, FORMATS, render
from ..report import analyze, collapse
from .app import cli
from .options import (wants_training, analysis_options, complete_spec, convention_names, convention_options,
                      device_from_options, emit, fancy, load_from_options, roofline_options,
                      spec_options, symbol_names, Whole)


@cli.command()
@click.argument("spec", shell_complete=complete_spec)
@spec_options
@analysis_options
@click.option("--columns", "columns", default=None, metavar="C1,C2,...",
              help="Columns to show, in order: layer, op, input, output, kernel, params, "
                   "params%, macs, macs%, trainable, rf, memory (default: layer, op, output, "
                   "params, macs, rf; trainable too when a layer is frozen).")
@click.option("--depth", type=Whole(0, 10_000), default=None, metavar="N",
              help="Collapse blocks nested deeper than N into one row each (0: top level only).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
              help="Output format.")
@click.option("--symbolic", "symbolic_names", default=None, metavar="H,W",
              help="Make the input's height and width the symbols H and W (one name: a square "
                   "input): shapes and totals become formulas, and a note says which layers "
                   "tie the parameter count to the input size. Needs sympy.")
@click.option("--pretty", is_flag=True,
              help="With symbols: also print the totals in sympy's two-dimensional layout.")
@convention_options
@roofline_options
def summarize(spec, params, width, depth_mult, resolution, batch, dtype, depth, fmt,
              symbolic_names, pretty, columns, conventions, ledger, device, peak_tflops, bandwidth_gbs):
    """Per-layer output shape, params, MACs and receptive field, with totals.

    \b
    Examples:
      cnncost summarize vgg16
      cnncost summarize my_net.spec -p width=0.5 --format json
      cnncost summarize resnet50 --depth 1
      cnncost summarize resnet50 --convention fvcore --ledger
      cnncost summarize mobilenet_v2 --device a100 --dtype fp16
      cnncost summarize keras_mnist_cnn --symbolic H,W
    """
    chip = device_from_options(device, peak_tflops, bandwidth_gbs)
    column_keys = _columns(columns, fmt)
    if ledger and fmt == "csv":
        raise click.UsageError("--ledger is shown with --format table, json, markdown or html; "
                               "CSV has one row per layer")
    names = symbol_names(symbolic_names)
    if names and len(names) > 2:
        raise click.BadParameter("give one name (a square input) or two (height, width)",
                                 param_hint="--symbolic")
    if names and resolution is not None:
        raise click.UsageError("--symbolic and --resolution both set the input size; give one")
    graph = load_from_options(spec, params, width, depth_mult, resolution, names)
    report = analyze(graph, dtype=dtype, batch=batch, conventions=convention_names(conventions),
                     training=wants_training(),
                     ledger=ledger, device=chip)
    if names:
        from ..report.symbolic import simplified, with_input_note

        report = with_input_note(simplified(report), graph, names)
    if depth is not None:
        report = collapse(report, depth)
    emit(render(report, fmt, column_keys, fancy=fancy()))
    if pretty and fmt == "table" and graph.symbols:
        from ..render.summary import pretty_totals

        emit(pretty_totals(report))




def _columns(text, fmt):
    """--columns as keys (render/columns.py); a usage error names an unknown one."""
    if text is None:
        return None
    if fmt not in COLUMN_FORMATS:
        raise click.UsageError(f"--columns chooses the columns of --format {', '.join(COLUMN_FORMATS)}; "
                               f"{fmt} has its own")
    from ..render.columns import resolve

    try:
        return resolve([k for k in text.split(",") if k.strip()])
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--columns") from None
