"""The one page model every renderer draws, and its plain-text, rich and Markdown forms
(render/html.py draws it as HTML, render/fit.py fits its tables to a terminal).

A Page is a title, then blocks in order, each a Table (headers, formatted cells, which
columns are numbers, footer rows, notes under it) or a Chart (labelled bars with raw values);
HTML also shows the page's headline Cards. The summary (render/columns.py), comparisons,
sweeps, verify and the zoo all build Pages.
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

BAR_WIDTH = 40  # characters of the longest bar


class Table(NamedTuple):
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]  # right-justify the column (numbers)
    footer: tuple[tuple[str, ...], ...] = ()  # rows after a rule (totals)
    wraps: tuple[bool, ...] = ()  # names: may wrap or shorten when the table is too wide
    sections: tuple[int, ...] = ()  # rows a rule goes before (rich: between blocks)
    notes: tuple[str, ...] = ()  # sentences under the table (HTML: a list)
    joined: tuple[bool, ...] = ()  # the column stays beside the one before it (a ratio)


class Bar(NamedTuple):
    label: str
    value: int  # raw, for the bar's length
    text: str  # the value as shown next to the bar


class Chart(NamedTuple):
    title: str
    bars: tuple[Bar, ...]


class Card(NamedTuple):
    """A headline number (HTML): its label, the short form shown large, the exact below."""

    label: str
    value: object
    unit: str = ""


class Page(NamedTuple):
    title: str
    blocks: tuple[Table | Chart, ...]  # in reading order
    notes: tuple[str, ...] = ()
    subtitle: str = ""  # HTML: the line under the title
    cards: tuple[Card, ...] = ()  # HTML: headline numbers above the blocks


def bar_cells(value, largest, width: int = BAR_WIDTH) -> Fraction:
    """The bar's length in characters: linear, the largest value filling `width`."""
    if not isinstance(value, int) or not isinstance(largest, int) or largest <= 0 or value <= 0:
        return Fraction(0)
    return Fraction(value * width, largest)


def _largest(chart: Chart):
    values = [b.value for b in chart.bars if isinstance(b.value, int)]
    return max(values, default=0)


# --------------------------------------------------------------------------- plain text

def text_table(table: Table) -> list[str]:
    body = [table.headers, *table.rows, *table.footer]
    widths = [max(len(row[i]) for row in body) for i in range(len(table.headers))]

    def line(cells):
        return "  ".join(c.rjust(w) if right else c.ljust(w)
                         for c, w, right in zip(cells, widths, table.right)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [table.title, "", line(table.headers), rule, *(line(r) for r in table.rows)]
    if table.footer:
        out += [rule, *(line(r) for r in table.footer)]
    return out


def _text_chart(chart: Chart) -> list[str]:
    """Bars of '#' (a '.' for a value too small for one character)."""
    largest = _largest(chart)
    label_width = max((len(b.label) for b in chart.bars), default=0)
    text_width = max((len(b.text) for b in chart.bars), default=0)
    out = [chart.title, ""]
    for b in chart.bars:
        cells = bar_cells(b.value, largest)
        bar = "#" * round(cells) or ("." if cells > 0 else "")
        out.append(f"{b.label.ljust(label_width)}  {bar.ljust(BAR_WIDTH)}  {b.text.rjust(text_width)}")
    return out


def render_page_text(page: Page) -> str:
    """Aligned columns and '#' bars: for pipes, files and NO_COLOR."""
    out = [page.title, ""] if page.title else []
    for block in page.blocks:
        out += (text_table(block) + ["", *block.notes] * bool(block.notes)
                if isinstance(block, Table) else _text_chart(block)) + [""]
    out += list(page.notes)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- rich

COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")


def render_page_rich(page: Page, width: int | None = None, colour: bool = True,
                     hint: str = "--format csv") -> str:
    """For a terminal: rounded tables and solid bars (rich). `colour=False` gives the same
    drawing without escape codes (the golden files). A table too wide for `width` (the
    terminal's, by default) gives way to a plainer layout (render/fit.py), never cutting a
    number; `hint` names the option that shows it whole."""
    import io

    from rich.console import Console

    from .fit import fit_table, terminal_width

    width = width or terminal_width()
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False,
                      color_system="auto" if colour else None, force_terminal=colour)
    if page.title:
        console.print(page.title, style="bold", markup=False)
        console.print()
    charts = 0
    for block in page.blocks:
        if isinstance(block, Chart):
            console.print(_rich_chart(block, COLOURS[charts % len(COLOURS)]))
            console.print()
            charts += 1
            continue
        buffer.write(fit_table(block, width, colour, hint).text)
        for note in block.notes:
            console.print(note, markup=False)
        console.print()
    for note in page.notes:
        console.print(note, markup=False)
    return buffer.getvalue().rstrip("\n") + "\n"


def _rich_chart(chart: Chart, colour: str):
    from rich.bar import Bar as RichBar
    from rich.table import Table as RichTable

    largest = _largest(chart)
    grid = RichTable(title=chart.title, title_justify="left", box=None, show_header=False,
                     padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(width=BAR_WIDTH, no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for b in chart.bars:
        cells = bar_cells(b.value, largest)
        # rich draws halves of a cell; a value too small for half a cell still shows one
        end = max(float(cells), 0.5) if cells > 0 else 0.0
        grid.add_row(b.label, RichBar(BAR_WIDTH, 0, end, width=BAR_WIDTH, color=colour), b.text)
    return grid


# --------------------------------------------------------------------------- Markdown

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_page_markdown(page: Page) -> str:
    """GitHub tables; charts as fenced blocks of '#' bars."""
    out = [f"## {page.title}", ""] if page.title else []
    for table in page.blocks:
        if isinstance(table, Chart):
            lines = _text_chart(table)
            out += [f"### {lines[0]}", "", "```", *lines[2:], "```", ""]
            continue
        out += [f"### {table.title}", "",
                "| " + " | ".join(_md_cell(h) for h in table.headers) + " |",
                "|" + "|".join("---:" if r else "---" for r in table.right) + "|"]
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
        out += ["| " + " | ".join(f"**{_md_cell(c)}**" if c else "" for c in row) + " |"
                for row in table.footer]
        out.append("")
        if table.notes:
            out += [f"- {note}" for note in table.notes] + [""]
    out += [f"- {note}" for note in page.notes]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
