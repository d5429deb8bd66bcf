"""HTML: one self-contained page (inline CSS, inline SVG, no script, no network) of tables
with horizontal bar charts, and the same as a fragment for Jupyter (`Report._repr_html_`).

`page(title, sections)` is generic: a Section is a table (headers, rows, footer) with an
optional Chart (labels and one or more series of values, drawn side by side). Numbers in
cells stay raw until here and are shown exact, right-aligned; all text is escaped.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from typing import Any, Sequence

from ..report import Report
from . import extras
from .numbers import exact, is_plain, pair, shape, short
from .columns import chosen, summary_table
from .summary import total_sentences


@dataclass(frozen=True)
class Chart:
    """Horizontal bars, one row per label; each series is a panel of bars to the right."""

    labels: Sequence[str]
    series: Sequence[tuple[str, Sequence[Any]]]  # (title, one value per label)


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    footer: Sequence[Sequence[Any]] = ()
    chart: Chart | None = None
    notes: Sequence[str] = ()
    right: Sequence[bool] = ()  # right-align these columns (default: columns of numbers)


@dataclass(frozen=True)
class Card:
    """A headline number: its label, the short form shown large, the exact form below."""

    label: str
    value: Any
    unit: str = ""


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


def _cell(value, tag: str, right: bool = False) -> str:
    """Text as given (right-aligned when asked); a number exact and right-aligned."""
    if value is None:
        return f"<{tag}></{tag}>"
    text = value if isinstance(value, str) else exact(value)
    right = right or not isinstance(value, str)
    return f'<{tag} class="n">{escape(text)}</{tag}>' if right else f"<{tag}>{escape(text)}</{tag}>"


def _table(section: Section) -> str:
    numeric = list(section.right) or [bool(section.rows) and not isinstance(section.rows[0][i], str)
                                      for i in range(len(section.headers))]
    head = "".join(_cell(h, "th", n) for h, n in zip(section.headers, numeric))

    def row_html(row):
        return "<tr>" + "".join(_cell(v, "td", n) for v, n in zip(row, numeric)) + "</tr>"

    out = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    out += [row_html(row) for row in section.rows]
    out.append("</tbody>")
    if section.footer:
        out.append("<tfoot>" + "".join(row_html(row) for row in section.footer) + "</tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def chart_svg(chart: Chart) -> str:
    """The bars as inline SVG: widths proportional to each series' largest value; every
    bar carries a tooltip with the exact number."""
    labels = list(chart.labels)
    label_w = round(CHAR * max([len(_label(s)) for s in labels] + [4])) + 12
    panel = BAR + VALUE
    width = label_w + panel * len(chart.series)
    height = ROW * (len(labels) + 1) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="'
           + escape(", ".join(title for title, _ in chart.series)) + ' per row">']
    for k, (title, values) in enumerate(chart.series):
        x0 = label_w + k * panel
        out.append(f'<text class="h" x="{x0}" y="{ROW - 4}">{escape(title)}</text>')
    for i, name in enumerate(labels):
        y = ROW * (i + 1)
        out.append(f'<text x="{label_w - 6}" y="{y + ROW - 5}" text-anchor="end">'
                   f"{escape(_label(name))}</text>")
    for k, (title, values) in enumerate(chart.series):
        x0 = label_w + k * panel
        top = max([v for v in values if is_plain(v)] + [0])
        for i, (name, value) in enumerate(zip(labels, values)):
            y = ROW * (i + 1)
            w = BAR * float(value) / float(top) if top and is_plain(value) else 0.0
            tip = escape(f"{name}: {exact(value)} {title}")
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
                   f'<div class="x">{escape(f"{exact(c.value)} {c.unit}".rstrip())}</div></div>')
    out.append("</div>")
    return "\n".join(out)


def fragment(title: str, sections: Sequence[Section], subtitle: str = "",
             cards: Sequence[Card] = ()) -> str:
    """The content with its style, for embedding (Jupyter): one <div class="cnncost">."""
    out = [f'<div class="cnncost"><style>{STYLE}</style>', f"<h1>{escape(title)}</h1>"]
    if subtitle:
        out.append(f'<p class="sub">{escape(subtitle)}</p>')
    if cards:
        out.append(_cards(cards))
    for s in sections:
        out.append(f"<h2>{escape(s.title)}</h2>")
        out.append('<div class="body">')
        if s.chart is not None:
            out.append(chart_svg(s.chart))
        if s.headers:
            out.append(_table(s))
        out.append("</div>")
        if s.notes:
            out.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in s.notes) + "</ul>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def page(title: str, sections: Sequence[Section], subtitle: str = "",
         cards: Sequence[Card] = ()) -> str:
    """A whole HTML document, readable offline: open the file in any browser."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "</head>\n<body>\n" + fragment(title, sections, subtitle, cards)
            + "</body>\n</html>\n")


def _report_parts(report: Report, columns=None):
    t = report.totals
    subtitle = (f"input {shape(report.input)}, output {shape(report.output)}; "
                f"{report.dtype}, batch {report.batch}")
    cards = [Card("Params", t.params), Card("MACs", t.macs), Card("FLOPs (2 x MACs)", t.flops),
             Card("Weights", t.weight_bytes, "B"),
             Card("Peak activations", t.peak_activation_bytes, "B")]
    if not is_plain(t.buffers) or t.buffers:
        cards.insert(1, Card("Buffers", t.buffers))
    # the summary's columns (render/columns.py) with --convention and roofline columns;
    # numbers stay raw so that the page shows them exact and right-aligned
    table = summary_table(report, columns)
    picked = chosen(report, columns)
    rows = [tuple(c.raw(report, r) if c.raw else cell for c, cell in zip(picked, text))
            + tuple(text[len(picked):]) for r, text in zip(report.layers, table.rows)]
    plain = all(is_plain(r.params) and is_plain(r.macs) for r in report.layers)
    chart = Chart([r.name for r in report.layers],
                  [("MACs", [r.macs for r in report.layers]),
                   ("Params", [r.params for r in report.layers])]) if plain else None
    sections = [Section("Layers", table.headers, rows, footer=[table.footer[0]], chart=chart,
                        notes=total_sentences(report), right=table.right)]
    if report.ledger:
        header, ledger_rows, total = extras.ledger_table(report)
        batch = f", batch {report.batch}" if report.batch != 1 else ""
        sections.append(Section(
            f"Ledger: every operation counted once{batch}; x = the factor each convention "
            "gives it", header, ledger_rows, footer=[total],
            notes=extras.sources(report), right=[False] + [True] * (len(header) - 1)))
    return report.network, sections, subtitle, cards


def report_html(report: Report, columns=None) -> str:
    """The report as a page: headline numbers, the per-layer table and its bar chart."""
    return page(*_report_parts(report, columns))


def report_fragment(report: Report) -> str:
    """The report as an embeddable fragment (what Jupyter shows)."""
    return fragment(*_report_parts(report))


def _page_sections(source) -> list[Section]:
    """A `render.page.Page`'s tables in order, each following chart drawn beside the table
    before it (charts over the same labels side by side)."""
    from .page import Chart as PageChart

    sections: list[Section] = []
    for block in source.blocks:
        if not isinstance(block, PageChart):
            sections.append(Section(block.title, block.headers, block.rows, block.footer,
                                    right=block.right))
            continue
        labels = [b.label for b in block.bars]
        series = (block.title, [b.value for b in block.bars])
        last = sections[-1] if sections else None
        if last is not None and last.chart is None:
            sections[-1] = replace(last, chart=Chart(labels, [series]))
        elif last is not None and list(last.chart.labels) == labels:
            sections[-1] = replace(last, chart=Chart(labels, [*last.chart.series, series]))
        else:
            sections.append(Section(block.title, (), (), chart=Chart(labels, [series])))
    if sections and source.notes:
        sections[-1] = replace(sections[-1], notes=[*sections[-1].notes, *source.notes])
    return sections


def page_html(source, title: str, subtitle: str = "") -> str:
    """A `render.page.Page` (what compare and sweep print) as an HTML page."""
    return page(title, _page_sections(source), subtitle)


def page_fragment(source, title: str, subtitle: str = "") -> str:
    """The same as an embeddable fragment (what Jupyter shows for a comparison or sweep)."""
    return fragment(title, _page_sections(source), subtitle)
