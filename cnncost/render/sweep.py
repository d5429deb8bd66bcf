"""A Sweep as text (one row per grid point), JSON, CSV, and a plot of MACs against
params (matplotlib, the optional `plot` extra)."""
from __future__ import annotations

import csv
import io
import os

from ..report.comparison import METRIC_KEYS
from ..report.sweeps import Sweep
from .compare import dumps, metric_text
from .numbers import jsonable, shape, short
from .page import Page, Table, render_page_markdown, render_page_rich, render_page_text

# What a sweep table shows: the paper's two columns (params, mult-adds) exactly and in
# millions, then memory.
COLUMNS = (("Input", None), ("Params", "params"), ("", "params~"), ("MACs", "macs"),
           ("", "macs~"), ("Peak activations", "peak_activation_bytes"),
           ("Weights", "weight_bytes"))


def sweep_table(result: Sweep) -> Table:
    headers = [axis.name for axis in result.axes]
    right = [True] * len(headers)
    for title, key in COLUMNS:
        headers.append(title)
        right.append(key is not None)
    phi = any(axis.name == "phi" for axis in result.axes)
    if phi:
        headers += ["FLOPs / φ=0", "2^φ"]
        right += [True, True]
    rows = []
    for point in result.points:
        m = point.totals
        cells = [value for _, value in point.settings]
        for _, key in COLUMNS:
            if key is None:
                cells.append(shape(m.input))
            elif key.endswith("~"):
                cells.append(short(getattr(m, key[:-1])))
            else:
                cells.append(metric_text(m, key, "B" if key.endswith("bytes") else ""))
        if phi:  # compound scaling: FLOPs over φ = 0, beside the paper's 2^φ
            cells += ["" if point.flops_ratio is None else f"{float(point.flops_ratio):.2f}",
                      str(point.doubling)]
        rows.append(tuple(cells))
    batch = f", batch {result.batch}" if result.batch != 1 else ""
    return Table(f"{result.network}: sweep ({result.dtype}{batch})", tuple(headers), tuple(rows),
                 tuple(right))


def sweep_page(result: Sweep) -> Page:
    return Page("", (sweep_table(result),))


def render_sweep_table(result: Sweep, fancy: bool = False, width: int | None = None) -> str:
    page = sweep_page(result)
    return render_page_rich(page, width) if fancy else render_page_text(page)


def render_sweep_markdown(result: Sweep) -> str:
    return render_page_markdown(sweep_page(result))


def sweep_dict(result: Sweep) -> dict:
    """Plain dicts of raw numbers; settings are the values as given (text)."""
    return {
        "schema": 1,
        "spec": result.spec,
        "network": result.network,
        "dtype": result.dtype,
        "batch": result.batch,
        "axes": {axis.name: list(axis.values) for axis in result.axes},
        "points": [
            {"settings": dict(point.settings), "input": jsonable(point.totals.input),
             "output": jsonable(point.totals.output),
             "totals": {key: jsonable(getattr(point.totals, key)) for key in METRIC_KEYS},
             **({"flops_ratio": jsonable(point.flops_ratio), "doubling": point.doubling}
                if point.doubling is not None else {})}
            for point in result.points
        ],
    }


def render_sweep_json(result: Sweep) -> str:
    return dumps(sweep_dict(result))


def render_sweep_csv(result: Sweep) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*(axis.name for axis in result.axes), "input", *METRIC_KEYS))
    for point in result.points:
        m = point.totals
        row = [value for _, value in point.settings] + ["x".join(str(d) for d in jsonable(m.input))]
        for key in METRIC_KEYS:
            value = jsonable(getattr(m, key))
            row.append("x".join(map(str, value)) if isinstance(value, list) else
                       "" if value is None else value)
        writer.writerow(row)
    return out.getvalue()


def render_sweep_html(result: Sweep) -> str:
    from .html import document

    return document(sweep_page(result)._replace(title=f"cnncost sweep: {result.spec}"))


def sweep_fragment(result: Sweep) -> str:
    """The HTML page's content, for embedding (`Sweep._repr_html_`, Jupyter)."""
    from .html import fragment

    return fragment(sweep_page(result)._replace(title=f"cnncost sweep: {result.spec}"))


SWEEP_FORMATS = {
    "html": render_sweep_html,
    "table": render_sweep_table,
    "json": render_sweep_json,
    "csv": render_sweep_csv,
    "markdown": render_sweep_markdown,
}

PLOT_SUFFIXES = (".png", ".svg")


class PlotUnavailable(Exception):
    """matplotlib is not installed (it is the optional `plot` extra)."""

    message = "error: --plot needs matplotlib\nhint: pip install 'cnncost[plot]'"


def plot_sweep(result: Sweep, path: str) -> None:
    """MACs against params, one marker per grid point; with two or more axes, one line per
    value of the first axis. Log-log, like the trade-off plots of the MobileNet paper.
    PNG or SVG, by the file's suffix."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in PLOT_SUFFIXES:
        raise ValueError(f"--plot {path}: give a .png or .svg file")
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable() from None
    # SVG text stays text (searchable, small); no date or random ids: the same grid
    # gives the same file
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cnncost"}):
        _draw(result, path, suffix, Figure)


def _draw(result: Sweep, path: str, suffix: str, Figure) -> None:

    figure = Figure(figsize=(7, 5), layout="constrained")
    axes = figure.subplots()
    axes.set_xscale("log")
    axes.set_yscale("log")
    first = result.axes[0] if result.axes else None
    groups: dict[str, list] = {}
    for point in result.points:
        key = f"{first.name}={point.settings[0][1]}" if first and len(result.axes) > 1 else ""
        groups.setdefault(key, []).append(point)
    for key, points in groups.items():
        xs = [point.totals.params for point in points]
        ys = [point.totals.macs for point in points]
        axes.plot(xs, ys, marker="o", linestyle="-" if key else "none", label=key or None)
        for point, x, y in zip(points, xs, ys):
            rest = point.settings[1:] if key else point.settings
            text = " ".join(f"{name}={value}" for name, value in rest)
            if text:
                axes.annotate(text, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    from matplotlib.ticker import LogFormatterSciNotation

    class Human(LogFormatterSciNotation):
        """Matplotlib's choice of which log ticks to label, written 4.2 M, not 4.2x10^6."""

        def __call__(self, x, pos=None):
            return short(round(x)) if super().__call__(x, pos) else ""

    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_formatter(Human())
        axis.set_minor_formatter(Human(labelOnlyBase=False, minor_thresholds=(2, 0.4)))
    axes.margins(x=0.15, y=0.1)
    axes.set_xlabel("parameters")
    axes.set_ylabel("MACs (multiply-accumulates)")
    batch = f", batch {result.batch}" if result.batch != 1 else ""
    axes.set_title(f"{result.network}: MACs against parameters{batch}")
    axes.grid(True, which="both", alpha=0.3)
    if any(groups):
        axes.legend()
    metadata = {"Date": None} if suffix == ".svg" else {}
    figure.savefig(path, metadata=metadata)
