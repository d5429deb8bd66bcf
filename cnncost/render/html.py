"""HTML: one self-contained page (inline CSS, inline SVG, no script, no network) of a
`render.page.Page` — its tables with horizontal bar charts beside them, its headline cards —
and the same as a fragment for Jupyter (`Report._repr_html_`).

Each Table is a section; the Charts that follow it over the same labels are drawn beside it
as panels of one chart. Numbers are right-aligned where the table says; all text is escaped.
"""
from __future__ import annotations

from html import escape
from typing import Any, NamedTuple, Sequence

from ..report import Report
from .columns import summary_table
from .numbers import exact_text, is_plain, shape, short
from .page import Bar, Card, Chart, Page, Table
from .summary import total_sentences


class _Section(NamedTuple):
    """How a page is laid out in HTML: a table (or none) with the chart panels beside it."""

    title: str
    table: Table | None
    labels: tuple[str, ...] = ()
    series: tuple[tuple[str, Sequence[Any]], ...] = ()  # (title, one raw value per label)
    notes: tuple[str, ...] = ()


STYLE = """\
.cnncost{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
 max-width:1400px}
.cnncost h1{font-size:22px;margin:0 0 2px}
.cnncost h2{font-size:17px;margin:22px 0 8px}
.cnncost .sub{color:#59636e;margin:0 0 14px}
.cnncost .cards{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 8px}
.cnncost .card{border:1px solid #d1d9e0;border-radius:6px;padding:8px 14px;min-width:130px}
.cnncost .card .k{color:#59636e;font-size:12px}
.cnncost .card .v{font-size:20px;font-weight:600}
.cnncost .card .x{color:#59636e;font-size:12px;font-variant-numeric:tabular-nums}
.cnncost .body{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.cnncost table{border-collapse:collapse;font-size:13px}
.cnncost th,.cnncost td{padding:2px 10px;border-bottom:1px solid #eaeef2;text-align:left;
 white-space:nowrap}
.cnncost th{background:#f6f8fa;border-bottom:1px solid #d1d9e0}
.cnncost td.n,.cnncost th.n{text-align:right;font-variant-numeric:tabular-nums}
.cnncost tbody tr:nth-child(even){background:#fafbfc}
.cnncost tfoot td{font-weight:600;border-top:2px solid #d1d9e0}
.cnncost svg text{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1f2328}
.cnncost svg text.h{font-weight:700}
.cnncost svg text.v{fill:#59636e}
.cnncost svg .s0{fill:#2f81f7}.cnncost svg .s1{fill:#f0883e}.cnncost svg .s2{fill:#3fb950}
.cnncost ul{color:#59636e;padding-left:20px}
"""

ROW = 16  # px per bar row
BAR = 220  # px of the longest bar
VALUE = 56  # px for the value written after a bar
CHAR = 6.7  # px per character of 11px monospace
LABEL_CHARS = 40  # longer labels are cut (the full one is in the bar's tooltip)


def _cell(text: str, tag: str, right: bool = False) -> str:
    """A cell's text, escaped; right-aligned (numbers) when the table says so."""
    return f'<{tag} class="n">{escape(text)}</{tag}>' if right else f"<{tag}>{escape(text)}</{tag}>"


def _table(table: Table) -> str:
    head = "".join(_cell(h, "th", n) for h, n in zip(table.headers, table.right))

    def row_html(row):
        return "<tr>" + "".join(_cell(v, "td", n) for v, n in zip(row, table.right)) + "</tr>"

    out = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    out += [row_html(row) for row in table.rows]
    out.append("</tbody>")
    if table.footer:
        out.append("<tfoot>" + "".join(row_html(row) for row in table.footer) + "</tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def chart_svg(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Any]]]) -> str:
    """Panels of bars as inline SVG, one per series, one row per label: widths proportional
    to each series' largest value; every bar carries a tooltip with the exact number."""
    labels = list(labels)
    label_w = round(CHAR * max([len(_label(s)) for s in labels] + [4])) + 12
    panel = BAR + VALUE
    width = label_w + panel * len(series)
    height = ROW * (len(labels) + 1) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="'
           + escape(", ".join(title for title, _ in series)) + ' per row">']
    for k, (title, values) in enumerate(series):
        x0 = label_w + k * panel
        out.append(f'<text class="h" x="{x0}" y="{ROW - 4}">{escape(title)}</text>')
    for i, name in enumerate(labels):
        y = ROW * (i + 1)
        out.append(f'<text x="{label_w - 6}" y="{y + ROW - 5}" text-anchor="end">'
                   f"{escape(_label(name))}</text>")
    for k, (title, values) in enumerate(series):
        x0 = label_w + k * panel
        top = max([v for v in values if is_plain(v)] + [0])
        for i, (name, value) in enumerate(zip(labels, values)):
            y = ROW * (i + 1)
            w = BAR * float(value) / float(top) if top and is_plain(value) else 0.0
            tip = escape(f"{name}: {exact_text(value)} {title}")
            out.append(f'<rect class="bar s{k % 3}" x="{x0}" y="{y + 2}" width="{w:.1f}" '
                       f'height="{ROW - 4}"><title>{tip}</title></rect>')
            if value:
                out.append(f'<text class="v" x="{x0 + w + 4:.1f}" y="{y + ROW - 5}">'
                           f"{escape(short(value))}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _cards(cards: Sequence[Card]) -> str:
    out = ['<div class="cards">']
    for c in cards:
        big = short(c.value, c.unit)
        out.append(f'<div class="card"><div class="k">{escape(c.label)}</div>'
                   f'<div class="v">{escape(big)}</div>'
                   f'<div class="x">{escape(f"{exact_text(c.value)} {c.unit}".rstrip())}</div></div>')
    out.append("</div>")
    return "\n".join(out)


def _sections(page: Page) -> list[_Section]:
    """The page's tables in order, each following chart drawn beside the table before it
    (charts over the same labels side by side as panels of one chart)."""
    sections: list[_Section] = []
    for block in page.blocks:
        if isinstance(block, Table):
            sections.append(_Section(block.title, block, notes=block.notes))
            continue
        labels = tuple(b.label for b in block.bars)
        series = (block.title, [b.value for b in block.bars])
        last = sections[-1] if sections else None
        if last is not None and not last.series:
            sections[-1] = last._replace(labels=labels, series=(series,))
        elif last is not None and last.labels == labels:
            sections[-1] = last._replace(series=(*last.series, series))
        else:
            sections.append(_Section(block.title, None, labels, (series,)))
    if sections and page.notes:
        sections[-1] = sections[-1]._replace(notes=(*sections[-1].notes, *page.notes))
    return sections


def fragment(page: Page) -> str:
    """The page's content with its style, for embedding (Jupyter): one <div class="cnncost">."""
    out = [f'<div class="cnncost"><style>{STYLE}</style>', f"<h1>{escape(page.title)}</h1>"]
    if page.subtitle:
        out.append(f'<p class="sub">{escape(page.subtitle)}</p>')
    if page.cards:
        out.append(_cards(page.cards))
    for s in _sections(page):
        out.append(f"<h2>{escape(s.title)}</h2>")
        out.append('<div class="body">')
        if s.series:
            out.append(chart_svg(s.labels, s.series))
        if s.table is not None and s.table.headers:
            out.append(_table(s.table))
        out.append("</div>")
        if s.notes:
            out.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in s.notes) + "</ul>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def document(page: Page) -> str:
    """A whole HTML document, readable offline: open the file in any browser."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(page.title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "</head>\n<body>\n" + fragment(page) + "</body>\n</html>\n")


def report_page(report: Report, columns=None) -> Page:
    """The report as a Page: headline numbers, the per-layer table (the summary's columns,
    render/columns.py, with the --convention and roofline ones) with its bar charts of MACs
    and params, and the ledger when asked for."""
    from . import extras

    t = report.totals
    subtitle = (f"input {shape(report.input)}, output {shape(report.output)}; "
                f"{report.dtype}, batch {report.batch}")
    cards = [Card("Params", t.params), Card("MACs", t.macs), Card("FLOPs (2 x MACs)", t.flops),
             Card("Weights", t.weight_bytes, "B"),
             Card("Peak activations", t.peak_activation_bytes, "B")]
    if not is_plain(t.buffers) or t.buffers:
        cards.insert(1, Card("Buffers", t.buffers))
    table = summary_table(report, columns)
    blocks: list = [table._replace(title="Layers", footer=table.footer[:1],
                                   notes=tuple(total_sentences(report)))]
    if all(is_plain(r.params) and is_plain(r.macs) for r in report.layers):
        for title, key in (("MACs", "macs"), ("Params", "params")):
            values = [getattr(r, key) for r in report.layers]
            blocks.append(Chart(title, tuple(Bar(r.name, v, short(v)) for r, v in zip(report.layers, values))))
    if report.ledger:
        blocks.append(extras.ledger_page_table(report))
    return Page(report.network, tuple(blocks), subtitle=subtitle, cards=tuple(cards))


def report_html(report: Report, columns=None) -> str:
    """The report as a page: headline numbers, the per-layer table and its bar chart."""
    return document(report_page(report, columns))


def report_fragment(report: Report) -> str:
    """The report as an embeddable fragment (what Jupyter shows)."""
    return fragment(report_page(report))
