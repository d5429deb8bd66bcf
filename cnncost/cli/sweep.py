"""`cnncost sweep`: one spec's totals over a grid of parameter values and scalings."""
from __future__ import annotations

import math

import click

from ..files import atomic_path
from ..render.sweep import (PLOT_SUFFIXES, SWEEP_FORMATS, PlotUnavailable, plot_sweep,
                             render_sweep_table)
from ..load import load
from ..report.sweeps import sweep as sweep_grid
from .app import cli
from .options import InputError, Whole, analysis_options, complete_spec, emit, fancy, wants_training

# The largest grid swept unless --max-points says more: a few seconds to a minute.
MAX_POINTS = 1000


def split_list(text: str) -> list[str]:
    """'0.25,0.5,max(1,2)' -> ['0.25', '0.5', 'max(1,2)']: commas inside brackets stay."""
    items, depth, current = [], 0, ""
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    if any(not item for item in items):
        raise click.BadParameter(f"'{text}' has an empty value (e.g. 0.25,0.5,1.0)")
    return items


def _param_lists(values) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values:
        name, sep, rest = item.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise click.BadParameter(f"'{item}' is not NAME=V1,V2,... (e.g. -p alpha=0.5,1.0)",
                                     param_hint="-p/--param")
        if name.strip() in out:
            raise click.BadParameter(f"'{name.strip()}' is given twice", param_hint="-p/--param")
        out[name.strip()] = split_list(rest)
    return out


def _list(ctx, param, value):
    return split_list(value) if value is not None else []


@cli.command()
@click.argument("spec", shell_complete=complete_spec)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=V1,V2,...",
              help="Values of a `param` of the spec to sweep, e.g. -p alpha=0.25,0.5,1.0 "
                   "(repeatable: the grid is every combination).")
@click.option("--width", callback=_list, metavar="A1,A2,...",
              help="Width multipliers to sweep (as summarize's --width).")
@click.option("--depth-mult", "depth_mult", callback=_list, metavar="D1,D2,...",
              help="Depth multipliers to sweep (as summarize's --depth-mult).")
@click.option("--resolution", callback=_list, metavar="R1,R2,...",
              help="Input sizes to sweep, e.g. 128,160,192,224 (as summarize's --resolution).")
@click.option("--phi", callback=_list, metavar="N1,N2,...",
              help="Compound scaling exponents to sweep (EfficientNet: depth α^N, width β^N, "
                   "resolution γ^N); the table adds the FLOPs over φ = 0 beside 2^φ.")
@click.option("--compound", default=None, metavar="A,B,G",
              help="With --phi: the bases α,β,γ [default: the paper's 1.2,1.1,1.15].")
@analysis_options
@click.option("--format", "fmt", type=click.Choice(list(SWEEP_FORMATS)), default="table",
              show_default=True, help="Output format.")
@click.option("--max-points", "max_points", type=Whole(1, 10**6), default=MAX_POINTS,
              show_default=True, metavar="N",
              help="Refuse a grid of more than N points (each point is a full analysis, "
                   "about 20-100 ms).")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="FILE.png|FILE.svg",
              help="Also draw MACs against params for the grid (needs matplotlib: "
                   "pip install 'cnncost[plot]').")
def sweep(spec, params, width, depth_mult, resolution, phi, compound, batch, dtype, fmt, max_points, plot):
    """Totals of SPEC at every combination of the values given: one row per grid point
    with params, MACs, peak activation memory and weight bytes.

    \b
    Examples:
      cnncost sweep mobilenet_v1 -p alpha=1.0,0.75,0.5,0.25 --resolution 224,192,160,128
      cnncost sweep efficientnet_b0 -p width=1.0,1.1,1.2 -p depth=1.0,1.2 --format csv
      cnncost sweep mobilenet_v1 -p alpha=0.25,0.5,0.75,1.0 --plot tradeoff.svg
      cnncost sweep efficientnet_b0 --phi 0,1,2,3
    """
    if plot and not plot.lower().endswith(PLOT_SUFFIXES):
        raise click.BadParameter(f"'{plot}': give a .png or .svg file", param_hint="--plot")
    if compound is not None and not phi:
        raise click.UsageError("--compound goes with --phi")
    lists = _param_lists(params)
    points = math.prod(len(v) for v in [*lists.values(), width, depth_mult, resolution, phi] if v)
    if points > max_points:
        sizes = " x ".join(str(len(v)) for v in [*lists.values(), width, depth_mult, resolution, phi] if v)
        raise click.UsageError(f"the grid has {points:,} points ({sizes}), more than --max-points "
                               f"{max_points:,}: give fewer values, or raise --max-points")
    result = sweep_grid(spec, lists, load=load, width=width, depth_mult=depth_mult,
                        resolution=resolution, phi=phi, compound=compound, dtype=dtype, batch=batch,
                        training=wants_training())
    if plot:
        try:
            with atomic_path(plot) as temporary:  # never a partial plot where a good one was
                plot_sweep(result, temporary)
        except PlotUnavailable as err:
            raise InputError(err.message) from None
        except OSError as err:  # a folder that does not exist, no permission, a full disk
            raise click.BadParameter(f"cannot write '{plot}': {err.strerror}",
                                     param_hint="--plot") from None
    if fmt == "table":
        emit(render_sweep_table(result, fancy=fancy()))
    else:
        emit(SWEEP_FORMATS[fmt](result))
