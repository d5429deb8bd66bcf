"""Drawing a page Table in a terminal of a given width without ever cutting a number.

A calculator's cut number is a wrong number, so numbers never wrap, shorten or drop.
When the table is too wide the layout gives way in this order (issue 18):
1. the rounded box, every cell whole;
2. the box with the name columns wrapped;
3. no box (aligned columns, a rule under the header), names wrapped;
4. the columns split into several tables, each repeating the first (label) column;
5. one block per row, a `header: value` line per cell.
Each drawing is checked: no line is wider than the terminal and every cell appears whole;
a layout that fails the check gives way to the next. A note says what to use for the rest.
"""
from __future__ import annotations

import io
import re
from typing import NamedTuple

from .page import Table

NAME_MIN = 16  # the narrowest a name column is wrapped to


class Fitted(NamedTuple):
    text: str  # what to print (ends with a newline)
    layout: int  # 1..5: which layout of the docstring's list was used


def terminal_width(default: int = 120) -> int:
    """The terminal's columns (COLUMNS when set), else `default`."""
    import shutil

    return shutil.get_terminal_size((default, 24)).columns


def _widths(table: Table) -> list[int]:
    body = [table.headers, *table.rows, *table.footer]
    return [max(len(row[i]) for row in body) for i in range(len(table.headers))]


def _wraps(table: Table) -> tuple[bool, ...]:
    return table.wraps or (True,) + (False,) * (len(table.headers) - 1)


def _console(width: int, colour: bool):
    from rich.console import Console

    return Console(file=io.StringIO(), width=width, highlight=False,
                   color_system="auto" if colour else None, force_terminal=colour)


def _rich(table: Table, width: int, colour: bool, boxed: bool, wrap: bool, title: bool = True) -> str:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    grid = RichTable(title=table.title if title else None, title_justify="left",
                     box=box.ROUNDED if boxed else box.SIMPLE_HEAD, header_style="bold",
                     show_footer=False, pad_edge=boxed, show_edge=boxed,
                     padding=(0, 1) if boxed else (0, 1, 0, 0))  # unboxed: two spaces apart
    widths = _widths(table)
    names = _wraps(table)
    fixed = sum(w for w, n in zip(widths, names) if not n)
    frame = 3 * len(widths) + 1 if boxed else 2 * len(widths)
    room = width - fixed - frame
    wrapped = [n and wrap for n in names]
    share = room // max(1, sum(wrapped)) if any(wrapped) else 0
    if any(f and w > share for w, f in zip(widths, wrapped)) and share < NAME_MIN:
        return ""  # names would be wrapped too narrow to read: try the next layout
    for header, right, w, folded in zip(table.headers, table.right, widths, wrapped):
        if folded and w > share:
            grid.add_column(header, justify="right" if right else "left", width=share,
                            overflow="fold")
        else:
            grid.add_column(header, justify="right" if right else "left", no_wrap=True, min_width=w)
    sections = set(table.sections)
    for i, row in enumerate(table.rows):
        if i in sections:
            grid.add_section()
        grid.add_row(*map(Text, row))  # cells are text, never rich markup
    if table.footer:
        grid.add_section()
        for row in table.footer:
            grid.add_row(*map(Text, row), style="bold")
    console = _console(width, colour)
    console.print(grid)
    return console.file.getvalue()


def _narrowest(table: Table, boxed: bool, wrap: bool) -> int:
    """The fewest columns a layout can take: every cell whole, names at NAME_MIN when
    they may wrap."""
    widths = _widths(table)
    frame = 3 * len(widths) + 1 if boxed else 2 * len(widths)
    return frame + sum(min(w, NAME_MIN) if wrap and name else w
                       for w, name in zip(widths, _wraps(table)))


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _plain_lines(text: str) -> list[str]:
    """The lines as seen on screen (escape codes removed)."""
    return _ANSI.sub("", text).split("\n")


def _whole(table: Table, text: str, width: int, wrapped: bool) -> bool:
    """No line wider than `width`, and every number cell (every cell, unless names were
    allowed to wrap) present whole on some line."""
    lines = _plain_lines(text)
    if any(len(line.rstrip()) > width for line in lines):
        return False
    screen = "\n".join(lines)
    if "…" in screen:
        return False
    seen = set(screen.replace("│", " ").split())
    names = _wraps(table)
    for row in (*table.rows, *table.footer):
        for cell, name in zip(row, names):
            if cell and not (name and wrapped) and not all(t in seen for t in cell.split()):
                return False
    return True


def _groups(table: Table, width: int) -> list[list[int]]:
    """Columns after the first split into runs that fit beside it (plain layout); a column
    joined to the one before it (a model's ratio) is never split from it."""
    widths = _widths(table)
    joined = table.joined or (False,) * len(widths)
    units: list[list[int]] = []  # columns that go together
    for i in range(1, len(widths)):
        if joined[i] and units:
            units[-1].append(i)
        else:
            units.append([i])
    first = min(widths[0], max(NAME_MIN, width // 3))
    groups: list[list[int]] = [[]]
    used = first
    for unit in units:
        need = sum(2 + widths[i] for i in unit)
        if groups[-1] and used + need > width:
            groups.append([])
            used = first
        groups[-1].extend(unit)
        used += need
    return groups


def _part(table: Table, columns: list[int], n: int, parts: int) -> Table:
    keep = [0, *columns]

    def pick(row):
        return tuple(row[i] for i in keep)

    return table._replace(
        title=f"{table.title} (part {n} of {parts})", headers=pick(table.headers),
        rows=tuple(pick(r) for r in table.rows), right=tuple(table.right[i] for i in keep),
        footer=tuple(pick(r) for r in table.footer),
        wraps=tuple(_wraps(table)[i] for i in keep),
        joined=tuple((table.joined or (False,) * len(table.headers))[i] for i in keep))


def _records(table: Table) -> str:
    """One block per row: the first cell, then `header: value` per other cell."""
    out = [table.title, ""] if table.title else []
    label = max((len(h) for h in table.headers[1:]), default=0)
    for row in (*table.rows, *table.footer):
        out.append(row[0] or "(total)")
        for header, cell in zip(table.headers[1:], row[1:]):
            if cell:
                out.append(f"  {header.ljust(label)}  {cell}")
    return "\n".join(out) + "\n"


def fit_table(table: Table, width: int, colour: bool = True, hint: str = "") -> Fitted:
    """The table drawn for a terminal `width` columns wide, in the first layout of the
    module's list that shows every number whole. `hint` names what shows the whole table
    (e.g. "--format csv"); it is printed under any layout past the first two."""
    for layout, boxed, wrap in ((1, True, False), (2, True, True), (3, False, True)):
        if _narrowest(table, boxed, wrap) > width:
            continue  # cannot fit: do not draw it (rich takes seconds for 10,000 rows)
        text = _rich(table, width, colour, boxed, wrap)
        if text and _whole(table, text, width, wrap):
            return Fitted(text if layout < 3 else text + _note(width, "without borders", hint), layout)
    groups = _groups(table, width)
    if len(groups) > 1:
        parts = []
        for n, columns in enumerate(groups, 1):
            part = _part(table, columns, n, len(groups))
            for boxed in (True, False):
                text = _rich(part, width, colour, boxed, True)
                if text and _whole(part, text, width, True):
                    parts.append(text)
                    break
            else:
                break
        else:
            return Fitted("\n".join(parts) + _note(width, f"in {len(groups)} parts", hint), 4)
    return Fitted(_records(table) + _note(width, "one block per row", hint), 5)


def _note(width: int, how: str, hint: str) -> str:
    import textwrap

    rest = f"; {hint} shows it as one table" if hint else ""
    note = f"(wider than this terminal's {width} columns: shown {how}{rest})"
    return "\n".join(textwrap.wrap(note, width, break_long_words=False, break_on_hyphens=False)) + "\n"
