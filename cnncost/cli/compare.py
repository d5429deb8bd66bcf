"""`cnncost compare`: several networks side by side, with ratios to the first."""
from __future__ import annotations

import click

from ..load import load
from ..render.compare import BY, COMPARE_FORMATS, render_compare_table
from ..report import analyze
from ..report.comparison import METRIC_KEYS, compare as compare_reports
from .app import cli
from .options import (wants_training, MODEL_SCALINGS, _parse_params, analysis_options, complete_spec, emit, fancy,
                      spec_options, split_model)


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...", shell_complete=complete_spec)
@spec_options
@analysis_options
@click.option("--by", type=click.Choice(BY), default="model", show_default=True,
              help="model: the totals side by side; stage: also a table and charts per "
                   "top-level block of each model.")
@click.option("--sort", type=click.Choice(["name", *METRIC_KEYS]), default=None, metavar="KEY",
              help=f"Order the models by a total, smallest first (ratios stay to the first "
                   f"model given). KEY: name, {', '.join(METRIC_KEYS)}.")
@click.option("--reverse", is_flag=True, help="With --sort: largest first.")
@click.option("--chart/--no-chart", default=True, show_default=True,
              help="Bar charts of MACs and params (table and markdown formats).")
@click.option("--format", "fmt", type=click.Choice(list(COMPARE_FORMATS)), default="table",
              show_default=True, help="Output format.")
@click.option("--training", is_flag=True,
              help="Compare the cost of a training step instead (fp32, SGD, at --batch; "
                   "`cnncost train` for one model): backward MACs, saved, gradient, optimizer "
                   "and peak bytes. Formats table, json, markdown.")
def compare(specs, params, width, depth_mult, resolution, batch, dtype, by, sort, reverse, chart,
            fmt, training):
    """Compare networks side by side: params, buffers, MACs, FLOPs, activations, peak
    activation memory, weight bytes, weight layers, depth and receptive field, each with
    its ratio to the first SPEC.

    A SPEC may carry its own settings after a colon: `mobilenet_v1:alpha=0.5,resolution=160`
    (`width` and `resolution` scale the network as the options do; other names set the
    spec's params). Options apply to every SPEC; a SPEC's own settings win.

    \b
    Examples:
      cnncost compare vgg16 resnet50 mobilenet_v2
      cnncost compare resnet50 mobilenet_v2 --by stage
      cnncost compare mobilenet_v1 mobilenet_v1:alpha=0.5 mobilenet_v1:resolution=160
      cnncost compare vgg11 vgg13 vgg16 vgg19 --sort macs --format csv
    """
    common = _parse_params(params)
    reports = []
    for arg in specs:
        source, own = split_model(arg)
        settings = {k: v for k, v in own.items() if k not in MODEL_SCALINGS}
        graph = load(source, {**common, **settings}, width=own.get("width", width),
                     depth=depth_mult, resolution=own.get("resolution", resolution))
        if training:
            from ..report.training import train_report

            reports.append(train_report(graph, batch))
        else:
            reports.append(analyze(graph, dtype=dtype, batch=batch, training=wants_training()))
    if training:
        from ..render.training import render_compare_training

        if fmt not in ("table", "json", "markdown") or sort or by != "model":
            raise click.UsageError("--training shows the models' totals with --format table, json "
                                   "or markdown (no --sort or --by stage)")
        emit(render_compare_training(reports, list(specs), fmt))
        return
    result = compare_reports(reports, labels=list(specs))
    if sort:
        result = result.sorted(sort, reverse)
    if fmt == "table":
        emit(render_compare_table(result, by, chart, fancy=fancy()))
    elif fmt == "keras":
        from ..render.keras import render_keras

        emit("\n".join(render_keras(r) for r in reports))
    else:
        emit(COMPARE_FORMATS[fmt](result, by, chart))
