"""`cnncost train` output: the training report as a plain or rich table, JSON, Markdown
or one HTML page. Every number comes raw from report/training.py."""
from __future__ import annotations

import html
import json

from .numbers import bytes_, exact_text as exact, short

OPTIMIZER_TITLES = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam", "adamw": "AdamW"}
HEADERS = ("Layer", "Op", "Gradients", "Fwd MACs", "Bwd input MACs", "Bwd weight MACs", "Saved bytes")


def _grads(row) -> str:
    parts = [p for p, on in (("input", row.input_grad), ("weights", row.weight_grad)) if on]
    return "+".join(parts) or ("frozen" if row.frozen else "-")


def _cells(row) -> list[str]:
    return [row.name, row.op, _grads(row), exact(row.forward_macs), exact(row.backward_input_macs),
            exact(row.backward_weight_macs), exact(row.saved_bytes)]


def _footer(t) -> list[str]:
    return ["Total", "", "", exact(t.forward_macs), exact(t.backward_input_macs),
            exact(t.backward_weight_macs), exact(t.saved_bytes)]


def _rows(report):
    return [r for r in report.layers if r.op != "input"]


def training_dict(report) -> dict:
    """The JSON object: the `training` totals the issue names, then the rest."""
    t = report.totals
    return {
        "network": report.network,
        "input": list(report.input),
        "batch": report.batch,
        "precision": report.precision,
        "optimizer": report.optimizer,
        "training": {
            "backward_macs": t.backward_macs,
            "saved_bytes": t.saved_bytes,
            "grad_bytes": t.grad_bytes,
            "optimizer_bytes": t.optimizer_bytes,
            "peak_bytes": t.peak_bytes,
            "max_batch": t.max_batch,
            "forward_macs": t.forward_macs,
            "backward_input_macs": t.backward_input_macs,
            "backward_weight_macs": t.backward_weight_macs,
            "weight_bytes": t.weight_bytes,
            "peak_at": t.peak_at,
            "peak_per_sample_bytes": t.peak_per_sample,
            "peak_fixed_bytes": t.peak_fixed,
            "budget_bytes": report.budget,
            "budget_source": report.budget_source or None,
            "fits": t.fits,
        },
        "layers": [{
            "name": r.name, "op": r.op, "line": r.line, "frozen": r.frozen,
            "input_grad": r.input_grad, "weight_grad": r.weight_grad,
            "forward_macs": r.forward_macs, "backward_input_macs": r.backward_input_macs,
            "backward_weight_macs": r.backward_weight_macs, "saved_bytes": r.saved_bytes,
            "grad_bytes": r.grad_bytes} for r in _rows(report)],
    }


def render_training_json(report) -> str:
    return json.dumps(training_dict(report), indent=2) + "\n"


def summary_lines(report) -> list[str]:
    t = report.totals
    ratio = f" = {t.backward_macs / t.forward_macs:.2f} x forward" if t.forward_macs else ""
    lines = [
        f"Training step of {report.network}: batch {report.batch}, {report.precision}, "
        f"{OPTIMIZER_TITLES[report.optimizer]}",
        f"Backward MACs: {short(t.backward_macs)} (input gradients {short(t.backward_input_macs)} + "
        f"weight gradients {short(t.backward_weight_macs)}){ratio}; forward {short(t.forward_macs)}",
        f"Saved for backward: {bytes_(t.saved_bytes)}; weights and buffers {bytes_(t.weight_bytes)}; "
        f"gradients {bytes_(t.grad_bytes)}; optimizer state {bytes_(t.optimizer_bytes)}",
        f"Peak of the step: {bytes_(t.peak_bytes)} = {exact(t.peak_bytes)} B, at {t.peak_at} "
        f"({bytes_(t.peak_per_sample)} per sample + {bytes_(t.peak_fixed)})",
    ]
    if report.budget is not None:
        fits = "fits" if t.fits else "does NOT fit"
        largest = (f"largest batch that fits: {exact(t.max_batch)}" if t.max_batch
                   else "not even batch 1 fits")
        lines.append(f"Budget {bytes_(report.budget)} ({report.budget_source}): batch {report.batch} "
                     f"{fits}; {largest}")
    return lines


def render_training_table(report, fancy: bool = False, width: int | None = None) -> str:
    rows = [_cells(r) for r in _rows(report)]
    footer = _footer(report.totals)
    title = f"{report.network}  (input {'x'.join(map(str, report.input))}, batch {report.batch})"
    if fancy:
        return _rich(report, title, rows, footer, width)
    widths = [max(len(line[i]) for line in [HEADERS, footer, *rows]) for i in range(len(HEADERS))]

    def line(cells):
        return "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "-" * len(line(HEADERS))
    out = [title, rule, line(HEADERS), rule, *map(line, rows), rule, line(footer), rule]
    return "\n".join(out + summary_lines(report)) + "\n"


def training_table(report, title: str = ""):
    """The per-layer table as the page model's Table (render/page.py)."""
    from .page import Table

    return Table(title, HEADERS, tuple(tuple(_cells(r)) for r in _rows(report)),
                 tuple(i >= 3 for i in range(len(HEADERS))), (tuple(_footer(report.totals)),),
                 wraps=(True, False, False, False, False, False, False))


def _rich(report, title, rows, footer, width):
    """For a terminal: the table fitted to its width (render/fit.py), never cutting a
    number; the summary under it."""
    import io

    from rich.console import Console

    from .fit import fit_table, terminal_width

    width = width or terminal_width()
    buffer = io.StringIO()
    buffer.write(fit_table(training_table(report, title), width, hint="--format csv").text)
    console = Console(file=buffer, width=width, force_terminal=True, highlight=False)
    for text in summary_lines(report):
        console.print(text, highlight=False, markup=False)
    return buffer.getvalue()


def render_training_markdown(report) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [f"## Training: {report.network}", "", line(HEADERS),
           "|" + "|".join("---" if i < 3 else "---:" for i in range(len(HEADERS))) + "|"]
    out += [line(_cells(r)) for r in _rows(report)]
    out.append(line([f"**{c}**" if c else "" for c in _footer(report.totals)]))
    out += [""] + [f"- {text}" for text in summary_lines(report)]
    return "\n".join(out) + "\n"


def training_fragment(report) -> str:
    """The table and the summary as an HTML fragment (Jupyter's _repr_html_)."""
    esc = html.escape

    def row(cells, tag="td"):
        return "<tr>" + "".join(
            f'<{tag}{"" if i < 3 else " class=num"}>{esc(c)}</{tag}>' for i, c in enumerate(cells)) + "</tr>"

    body = "\n".join(row(_cells(r)) for r in _rows(report))
    items = "".join(f"<li>{esc(text)}</li>" for text in summary_lines(report))
    return (f"<table class=cnncost-training><caption>{esc(report.network)}: training step, batch "
            f"{report.batch}</caption>\n<thead>{row(HEADERS, 'th')}</thead>\n<tbody>\n{body}\n</tbody>\n"
            f"<tfoot>{row(_footer(report.totals), 'th')}</tfoot></table>\n<ul>{items}</ul>")


def render_training_html(report) -> str:
    return ("<!DOCTYPE html>\n<html><head><meta charset=utf-8>"
            f"<title>{html.escape(report.network)}: training</title>"
            "<style>body{font-family:sans-serif} table{border-collapse:collapse} "
            "td,th{padding:2px 8px;border-bottom:1px solid #ddd} .num{text-align:right}</style>"
            f"</head><body>\n{training_fragment(report)}\n</body></html>\n")


TRAINING_FORMATS = {
    "table": render_training_table,
    "json": render_training_json,
    "markdown": render_training_markdown,
    "html": render_training_html,
}


# ---- compare --training: the training totals of several reports side by side
COMPARE_COLUMNS = (("backward_macs", "Bwd MACs", ""), ("saved_bytes", "Saved", "B"),
                   ("grad_bytes", "Gradients", "B"), ("optimizer_bytes", "Optimizer", "B"),
                   ("peak_bytes", "Peak", "B"))


def compare_training_dict(reports, labels) -> dict:
    return {"models": [{"label": label, **training_dict(r)["training"]} for r, label in zip(reports, labels)]}


def render_compare_training(reports, labels, fmt: str = "table") -> str:
    """table, markdown or json; each total with its ratio to the first model."""
    if fmt == "json":
        return json.dumps(compare_training_dict(reports, labels), indent=2) + "\n"
    first = reports[0].totals
    headers = ["Model"] + [label for _, label, _ in COMPARE_COLUMNS]
    rows = []
    for report, label in zip(reports, labels):
        cells = [label]
        for key, _, unit in COMPARE_COLUMNS:
            value, base = getattr(report.totals, key), getattr(first, key)
            shown = bytes_(value) if unit else short(value)
            ratio = f" ({value / base:.2f}x)" if base and report is not reports[0] else ""
            cells.append(shown + ratio)
        rows.append(cells)
    note = (f"Training step at batch {reports[0].batch}, {reports[0].precision}, "
            f"{OPTIMIZER_TITLES[reports[0].optimizer]}; ratios to {labels[0]}")
    if fmt == "markdown":
        out = ["| " + " | ".join(headers) + " |", "|---" + "|---:" * (len(headers) - 1) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out + ["", note]) + "\n"
    widths = [max(len(line[i]) for line in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), *map(line, rows), note]) + "\n"
