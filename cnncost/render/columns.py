"""The summary's columns, written once (as torchinfo's ColumnSettings and HEADER_TITLES):
each has a key (what `--columns` names), a header, an alignment and how to read its value
from a row. The text, rich, Markdown and HTML tables all read this table; CSV and JSON
keep every raw field and need no choice."""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, NamedTuple

from ..report import DTYPE_BYTES, LayerRow, Report
from . import extras
from .numbers import bytes_, exact_text, field, is_plain, shape, short_below
from .page import Table


class Column(NamedTuple):
    key: str  # what --columns names
    header: str
    right: bool  # right-justified (numbers)
    cell: Callable[[Report, LayerRow], str]
    footer: Callable[[Report], str] = lambda report: ""
    short: Callable[[Report], str] = lambda report: ""  # the line under the footer
    wraps: bool = False  # a name: may wrap or shorten when the table is too wide
    raw: Callable[[Report, LayerRow], Any] | None = None  # HTML: the number itself


def _below(value) -> str:
    """The short form under an exact total; blank when it would repeat it (`940`)."""
    brief = short_below(value)
    return "" if brief == exact_text(value) else brief


def _percent(part, whole) -> str:
    if not is_plain(part) or not is_plain(whole) or not whole:
        return ""
    return f"{float(Fraction(part) * 100 / whole):.1f}%"


def _inputs(report: Report, row: LayerRow) -> str:
    shapes = {r.name: r.output for r in report.layers}
    return ", ".join(shape(shapes[name]) for name in row.inputs if name in shapes)


def _kernel(report: Report, row: LayerRow) -> str:
    return "x".join(exact_text(k) for k in row.kernel) if row.kernel else ""


def _trainable(report: Report, row: LayerRow) -> str:
    """Keras's show_trainable: Y, N, or - for a layer without parameters; a collapsed
    block with both kinds says how many of its parameters train."""
    if not is_plain(row.params) or not is_plain(row.frozen):
        return ""
    if row.params == 0:
        return "-"
    if row.frozen == 0:
        return "Y"
    return "N" if row.trainable == 0 else f"{exact_text(row.trainable)} of {exact_text(row.params)}"


def _memory(report: Report, row: LayerRow):
    """Bytes of the row's output at the report's dtype (and batch)."""
    return row.activations * DTYPE_BYTES[report.dtype]


COLUMNS: dict[str, Column] = {c.key: c for c in (
    Column("layer", "Layer", False, lambda rep, r: r.name, lambda rep: "Total", wraps=True),
    Column("op", "Op", False, lambda rep, r: r.op),
    Column("input", "Input", False, _inputs, lambda rep: shape(rep.input)),
    Column("output", "Output", False, lambda rep, r: shape(r.output), lambda rep: shape(rep.output)),
    Column("kernel", "Kernel", True, _kernel),
    Column("params", "Params", True, lambda rep, r: exact_text(r.params),
           lambda rep: exact_text(rep.totals.params), lambda rep: _below(rep.totals.params),
           raw=lambda rep, r: r.params),
    Column("params%", "Params %", True, lambda rep, r: _percent(r.params, rep.totals.params),
           lambda rep: _percent(rep.totals.params, rep.totals.params)),
    Column("macs", "MACs", True, lambda rep, r: exact_text(r.macs),
           lambda rep: exact_text(rep.totals.macs), lambda rep: _below(rep.totals.macs),
           raw=lambda rep, r: r.macs),
    Column("macs%", "MACs %", True, lambda rep, r: _percent(r.macs, rep.totals.macs),
           lambda rep: _percent(rep.totals.macs, rep.totals.macs)),
    Column("trainable", "Trainable", True, _trainable, lambda rep: exact_text(rep.totals.trainable)),
    Column("rf", "RF", True, lambda rep, r: field(r.rf_size)),
    Column("memory", "Memory", True, lambda rep, r: bytes_(_memory(rep, r)),
           lambda rep: bytes_(sum((_memory(rep, r) for r in rep.layers), 0))),
)}
ALIASES = {"name": "layer", "params_percent": "params%", "macs_percent": "macs%", "params_pct": "params%",
           "macs_pct": "macs%", "receptive_field": "rf", "shape": "output", "output_shape": "output",
           "input_shape": "input", "kernel_size": "kernel", "mem": "memory", "type": "op"}
DEFAULT = ("layer", "op", "output", "params", "macs", "rf")


def resolve(keys) -> tuple[str, ...]:
    """The columns asked for, in order, by key or alias (any case); `layer` first when not
    given. An unknown key is an error naming it and the choices."""
    out = []
    for key in keys:
        k = key.strip().lower().replace(" ", "")
        k = ALIASES.get(k, k)
        if k not in COLUMNS:
            raise ValueError(f"unknown column {key.strip()!r}: choose from {', '.join(COLUMNS)}")
        if k not in out:
            out.append(k)
    if "layer" not in out:
        out.insert(0, "layer")
    return tuple(out)


def chosen(report: Report, keys=None) -> tuple[Column, ...]:
    """The columns shown: those asked for, else the default set plus `trainable` when
    anything is frozen (Keras shows_trainable)."""
    if keys is None:
        keys = DEFAULT
        if not is_plain(report.totals.frozen) or report.totals.frozen:
            keys = (*DEFAULT[:5], "trainable", *DEFAULT[5:])
    return tuple(COLUMNS[k] for k in resolve(keys))


def _extra_columns(report: Report) -> list[tuple[str, bool]]:
    return [(h, h != "Bound") for h in extras.headers(report)]


def summary_table(report: Report, keys=None) -> Table:
    """The per-layer table, cells formatted: the chosen columns, then the columns asked for
    by --convention and --device; a footer of totals and their short forms; a section
    before each top-level row that follows a block."""
    columns = chosen(report, keys)
    more = _extra_columns(report)
    headers = (*(c.header for c in columns), *(h for h, _ in more))
    right = (*(c.right for c in columns), *(r for _, r in more))
    rows = tuple((*(c.cell(report, r) for c in columns), *extras.cells(report, r))
                 for r in report.layers)
    footers = extras.footers(report)
    footer = [tuple((*(c.footer(report) for c in columns), *footers[0])),
              tuple((*(c.short(report) for c in columns), *footers[1]))]
    if not any(footer[1]):  # formulas have no short form
        footer.pop()
    sections, previous = [], 0
    for i, r in enumerate(report.layers):
        if r.depth == 0 and previous > 0:
            sections.append(i)
        previous = r.depth
    wraps = (*(c.wraps for c in columns), *(False for _ in more))
    return Table(f"{report.network}  (input {shape(report.input)})", headers, rows, right,
                 tuple(footer), wraps=wraps, sections=tuple(sections))
