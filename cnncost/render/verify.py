"""`cnncost verify` output: analytic next to executed shape, params (buffers) and MACs per
layer, with a mark; as a table (rich on a terminal, plain text otherwise), JSON, CSV,
Markdown or one HTML page."""
from __future__ import annotations

import csv
import io
import json

from .numbers import bytes_, exact_text, shape

MARKS = {True: "ok", False: "DIFF"}


def _columns(v) -> list[tuple[str, str, bool]]:
    """(header, quantity, numeric) for each analytic/executed pair shown."""
    cols = [("Output", "shape", False), ("Params", "params", True)]
    if any(r.analytic.buffers or r.executed.buffers for r in v.rows):
        cols.append(("Buffers", "buffers", True))
    cols.append(("MACs", "macs", True))
    return cols


def _cell(value, numeric: bool) -> str:
    return exact_text(value) if numeric else shape(value)


def _cells(row, cols) -> list[str]:
    out = [row.name, row.op]
    for _, quantity, numeric in cols:
        out += [_cell(getattr(row.analytic, quantity), numeric), _cell(getattr(row.executed, quantity), numeric)]
    return out


def _footer(v, cols) -> list[str]:
    out = ["Total", ""]
    for _, quantity, numeric in cols:
        if numeric:
            out += [exact_text(v.total("analytic", quantity)), exact_text(v.total("executed", quantity))]
        else:
            out += ["", ""]
    return out


def summary_lines(v) -> list[str]:
    batch = f"batch {v.batch}, seed {v.seed}"
    if v.ok:
        lines = [f"Verified: all {len(v.rows)} layers match the execution in shape, params, "
                 f"buffers and MACs ({batch})."]
    else:
        lines = [f"MISMATCH: {len(v.mismatches)} of {len(v.rows)} layers differ ({batch}):"]
        lines += [f"  {r.name} ({r.op}, line {r.line}): " + ", ".join(
            f"dtype {r.dtype}" if q == "dtype" else
            f"{q} {_cell(getattr(r.analytic, q), q != 'shape')} analysed, "
            f"{_cell(getattr(r.executed, q), q != 'shape')} executed" for q in r.differs)
            for r in v.mismatches]
    memory = f"peak memory {bytes_(v.peak_bytes)} (the process's high-water mark)" if v.peak_bytes \
        else "peak memory unknown"
    if v.estimated_bytes:
        memory += f", estimated {bytes_(v.estimated_bytes)}"
    fill = getattr(v, "fill_seconds", 0.0)
    lines.append(f"Executed with NumPy in {v.seconds:.2f} s (the forward pass; filling the "
                 f"weights took {fill:.2f} s more); {memory}.")
    return lines


def render_verify_table(v, fancy: bool = False, width: int | None = None) -> str:
    cols = _columns(v)
    headers = ["Layer", "Op"]
    for header, _, _ in cols:
        headers += [header, "run"]
    rows = [_cells(r, cols) for r in v.rows]
    title = f"{v.network}  (input {shape(v.input)}): analysed | executed"
    if fancy:
        return _rich(v, title, width)
    footer = _footer(v, cols)
    right = [False, False] + [numeric for _, _, numeric in cols for _ in (0, 1)] + [False]
    headers, footer = headers + [""], footer + [""]
    rows = [cells + [MARKS[r.ok]] for cells, r in zip(rows, v.rows)]
    widths = [max(len(line[i]) for line in [headers, footer, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [title, "", line(headers), rule, *(line(r) for r in rows), rule, line(footer), ""]
    return "\n".join(out + summary_lines(v)) + "\n"


def _rich(v, title, width) -> str:
    """For a terminal: the page's table fitted to its width (render/fit.py), never cutting
    a number; the summary under it, in red when anything differs."""
    from rich.console import Console

    from .fit import fit_table, terminal_width

    width = width or terminal_width()
    table = verify_page(v).blocks[0]._replace(title=title)
    buffer = io.StringIO()
    buffer.write(fit_table(table, width, hint="--format csv").text)
    console = Console(file=buffer, width=width, color_system="auto", force_terminal=True,
                      highlight=False)
    for text in summary_lines(v):
        console.print(text, highlight=False, markup=False, style=None if v.ok else "bold red")
    return buffer.getvalue()


def verify_dict(v) -> dict:
    def counted(c):
        return {"shape": list(c.shape), "params": c.params, "buffers": c.buffers, "macs": c.macs}

    return {
        "network": v.network,
        "input": list(v.input),
        "batch": v.batch,
        "seed": v.seed,
        "ok": v.ok,
        "mismatches": len(v.mismatches),
        "seconds": round(v.seconds, 6),
        "fill_seconds": round(getattr(v, "fill_seconds", 0.0), 6),
        "peak_bytes": v.peak_bytes,
        "estimated_bytes": v.estimated_bytes,
        "totals": {side: {q: v.total(side, q) for q in ("params", "buffers", "macs")}
                   for side in ("analytic", "executed")},
        "layers": [{"name": r.name, "op": r.op, "line": r.line, "ok": r.ok, "differs": list(r.differs),
                    "dtype": r.dtype, "analytic": counted(r.analytic), "executed": counted(r.executed)}
                   for r in v.rows],
    }


def render_verify_json(v) -> str:
    data = verify_dict(v)
    layers = data.pop("layers")
    head = json.dumps(data, indent=2)[:-2]
    rows = ",\n".join("    " + json.dumps(layer) for layer in layers)
    return f'{head},\n  "layers": [\n{rows}\n  ]\n}}\n'


def render_verify_csv(v) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "op", "line", "ok", "shape", "run_shape", "params", "run_params",
                     "buffers", "run_buffers", "macs", "run_macs"])
    for r in v.rows:
        a, e = r.analytic, r.executed
        writer.writerow([r.name, r.op, r.line, int(r.ok), shape(a.shape), shape(e.shape), a.params,
                         e.params, a.buffers, e.buffers, a.macs, e.macs])
    return out.getvalue()


def _named_headers(cols) -> list[str]:
    """Headers that say which side each column is (Markdown and HTML have no two-line header)."""
    out = ["Layer", "Op"]
    for header, _, _ in cols:
        out += [header, f"{header} (run)"]
    return out + ["Check"]


def verify_page(v):
    """The comparison as a render.page.Page: one table, the summary as notes."""
    from .page import Page, Table

    cols = _columns(v)
    right = (False, False, *(numeric for _, _, numeric in cols for _ in (0, 1)), False)
    rows = tuple((*_cells(r, cols), MARKS[r.ok]) for r in v.rows)
    table = Table(f"Input {shape(v.input)}: analysed | executed", tuple(_named_headers(cols)), rows,
                  right, footer=((*_footer(v, cols), ""),))
    return Page(f"cnncost verify: {v.network}", (table,), tuple(line.strip() for line in summary_lines(v)))


def render_verify_markdown(v) -> str:
    from .page import render_page_markdown

    return render_page_markdown(verify_page(v))


def render_verify_html(v) -> str:
    """One self-contained page: the comparison table (numbers right-aligned), the summary
    under it."""
    from .html import document

    page = verify_page(v)
    return document(page._replace(subtitle=f"{v.file or v.network}; batch {v.batch}, seed {v.seed}"))


VERIFY_FORMATS = {
    "table": render_verify_table,
    "json": render_verify_json,
    "csv": render_verify_csv,
    "markdown": render_verify_markdown,
    "html": render_verify_html,
}
