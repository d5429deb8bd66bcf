"""A Comparison as text: the totals side by side with ratios to the baseline, per-stage
tables, bar charts of MACs and params; and as JSON and CSV of raw numbers."""
from __future__ import annotations

import csv
import io
import json
import re

from ..report.comparison import METRIC_KEYS, METRICS, STAGE_SUMS, Comparison, ModelTotals
from .numbers import bytes_, exact_text, field, jsonable, shape, short
from .page import Bar, Chart, Page, Table, render_page_markdown, render_page_rich, render_page_text

BY = ("model", "stage")


def ratio_text(value) -> str:
    """3 significant digits: 0.185, 0.0227, 1.35, 264; '-' when there is none."""
    if value is None:
        return "-"
    return f"{float(value):#.3g}".rstrip(".") if value < 1000 else f"{float(value):,.0f}"


def metric_text(model: ModelTotals, key: str, unit: str = "") -> str:
    value = getattr(model, key)
    if value is None:
        return "-"
    if key == "receptive_field":
        return field(value if isinstance(value, tuple) else (value, value))
    return bytes_(value) if unit == "B" else exact_text(value)


def _percent(part, whole) -> str:
    if not isinstance(part, int) or not isinstance(whole, int) or whole == 0:
        return "-"
    percent = f"{100 * part / whole:.1f}%"
    return "<0.1%" if percent == "0.0%" and part else percent


def totals_table(comparison: Comparison) -> Table:
    """One row per metric, one column per model, and after each model other than the
    baseline the ratio to it."""
    base = comparison.baseline
    headers, right = [""], [False]
    for model in comparison.models:
        headers.append(model.label)
        right.append(True)
        if model is not base:
            headers.append("x")
            right.append(True)
    rows = [_row("Input", comparison, lambda m: shape(m.input), lambda m: "")]
    for metric in METRICS:
        label = metric.label
        if metric.unit == "B":
            label += f" ({comparison.dtype})"
        rows.append(_row(label, comparison, lambda m, k=metric.key, u=metric.unit: metric_text(m, k, u),
                         lambda m, k=metric.key: ratio_text(comparison.ratio(m, k))))
    batch = f", batch {comparison.batch}" if comparison.batch != 1 else ""
    ratios = f"; x: ratio to {base.label}" if len(comparison.models) > 1 else ""
    return Table(f"Totals ({comparison.dtype}{batch}{ratios})",
                 tuple(headers), tuple(rows), tuple(right),
                 joined=tuple(h == "x" for h in headers))  # a ratio stays with its model


def _row(label, comparison, value, ratio):
    cells = [label]
    for model in comparison.models:
        cells.append(value(model))
        if model is not comparison.baseline:
            cells.append(ratio(model))
    return tuple(cells)


def stage_table(model: ModelTotals) -> Table:
    rows = tuple((s.name, shape(s.output), exact_text(s.params), _percent(s.params, model.params),
                  exact_text(s.macs), _percent(s.macs, model.macs), str(s.weight_layers),
                  field(s.rf_size)) for s in model.stages)
    footer = (("Total", shape(model.output), exact_text(model.params), "", exact_text(model.macs), "",
               str(model.weight_layers), ""),)
    return Table(f"{model.label}  (input {shape(model.input)})",
                 ("Stage", "Output", "Params", "%", "MACs", "%", "Weight layers", "RF"),
                 rows, (False, False, True, True, True, True, True, True), footer)


CHARTED = (("MACs", "macs"), ("Params", "params"))


def model_charts(comparison: Comparison) -> tuple[Chart, ...]:
    """MACs and params of each model."""
    return tuple(Chart(title, tuple(Bar(m.label, getattr(m, key), short(getattr(m, key)))
                                    for m in comparison.models))
                 for title, key in CHARTED)


def stage_charts(model: ModelTotals) -> tuple[Chart, ...]:
    """MACs and params of each stage of one model."""
    return tuple(Chart(f"{title} by stage: {model.label}",
                       tuple(Bar(s.name, getattr(s, key), short(getattr(s, key)))
                             for s in model.stages))
                 for title, key in CHARTED)


def comparison_page(comparison: Comparison, by: str = "model", chart: bool = True) -> Page:
    """The comparison as a Page: the totals table and the models' charts; by stage, then
    each model's stage table and charts."""
    blocks = [totals_table(comparison)]
    if chart:
        blocks += model_charts(comparison)
    if by == "stage":
        for m in comparison.models:
            blocks.append(stage_table(m))
            if chart:
                blocks += stage_charts(m)
    return Page("", tuple(blocks))


def render_compare_table(comparison: Comparison, by: str = "model", chart: bool = True,
                         fancy: bool = False, width: int | None = None) -> str:
    page = comparison_page(comparison, by, chart)
    return render_page_rich(page, width) if fancy else render_page_text(page)


def render_compare_markdown(comparison: Comparison, by: str = "model", chart: bool = True) -> str:
    return render_page_markdown(comparison_page(comparison, by, chart))


# --------------------------------------------------------------------------- raw numbers

def _stage_dict(stage) -> dict:
    return {"name": stage.name, "first": stage.first, "last": stage.last,
            "output": jsonable(stage.output),
            **{key: jsonable(getattr(stage, key)) for key in STAGE_SUMS},
            "rf": jsonable(stage.rf_size)}


def comparison_dict(comparison: Comparison) -> dict:
    """Plain dicts and lists of raw numbers (ratios as floats), ready for json.dumps."""
    return {
        "schema": 1,
        "dtype": comparison.dtype,
        "batch": comparison.batch,
        "baseline": comparison.baseline.label,
        "models": [
            {
                "label": m.label,
                "network": m.network,
                "input": jsonable(m.input),
                "output": jsonable(m.output),
                "totals": {key: jsonable(getattr(m, key)) for key in METRIC_KEYS},
                "ratios": {key: jsonable(comparison.ratio(m, key)) for key in METRIC_KEYS},
                "stages": [_stage_dict(s) for s in m.stages],
            }
            for m in comparison.models
        ],
    }


def render_compare_json(comparison: Comparison, by: str = "model", chart: bool = True) -> str:
    """Every model's totals, ratios and stages (whatever `by`)."""
    return dumps(comparison_dict(comparison))


_NUMBER_LIST = re.compile(r"\[\s+([-0-9.e, \n]+?)\s+\]")


def dumps(data) -> str:
    """Indented JSON with shapes and fields kept on one line: [224, 224, 3]."""
    text = json.dumps(data, indent=2)
    return _NUMBER_LIST.sub(lambda m: "[" + ", ".join(m.group(1).replace(",", " ").split()) + "]",
                            text) + "\n"


def _csv_value(value):
    value = jsonable(value)
    if isinstance(value, list):
        return "x".join(str(v) for v in value)
    return "" if value is None else value


def render_compare_csv(comparison: Comparison, by: str = "model", chart: bool = True) -> str:
    """by="model": one row per model, a column per metric. by="stage": one row per stage
    of each model, then the model's TOTAL row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if by == "model":
        writer.writerow(("label", "network", "input", "output", *METRIC_KEYS))
        for m in comparison.models:
            writer.writerow([m.label, m.network, _csv_value(m.input), _csv_value(m.output),
                             *(_csv_value(getattr(m, key)) for key in METRIC_KEYS)])
        return out.getvalue()
    writer.writerow(("label", "stage", "first", "last", "output", *STAGE_SUMS, "rf"))
    for m in comparison.models:
        for s in m.stages:
            writer.writerow([m.label, s.name, s.first, s.last, _csv_value(s.output),
                             *(_csv_value(getattr(s, key)) for key in STAGE_SUMS),
                             _csv_value(s.rf_size)])
        writer.writerow([m.label, "TOTAL", "", "", _csv_value(m.output),
                         *(_csv_value(getattr(m, key)) for key in STAGE_SUMS), ""])
    return out.getvalue()


def _html_titles(comparison: Comparison) -> tuple[str, str]:
    return ("cnncost compare: " + ", ".join(m.label for m in comparison.models),
            f"ratios to {comparison.baseline.label}; {comparison.dtype}, batch {comparison.batch}")


def _html_page(comparison: Comparison, by: str = "model", chart: bool = True) -> Page:
    title, subtitle = _html_titles(comparison)
    return comparison_page(comparison, by, chart)._replace(title=title, subtitle=subtitle)


def render_compare_html(comparison: Comparison, by: str = "model", chart: bool = True) -> str:
    from .html import document

    return document(_html_page(comparison, by, chart))


def compare_fragment(comparison: Comparison, by: str = "model") -> str:
    """The HTML page's content, for embedding (`Comparison._repr_html_`, Jupyter)."""
    from .html import fragment

    return fragment(_html_page(comparison, by))


COMPARE_FORMATS = {
    "table": render_compare_table,
    "json": render_compare_json,
    "csv": render_compare_csv,
    "markdown": render_compare_markdown,
    "html": render_compare_html,
    "keras": None,  # each model's own Keras-style summary, one after another (cli/compare.py)
}
