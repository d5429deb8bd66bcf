"""A step of working written out: `params = 5·5·1·16 + 16 = 416` (check, explain, layer)."""
from __future__ import annotations

from ..passes.explain import Step


def step_line(s: Step) -> str:
    """`what = working = value` with the value grouped by thousands."""
    value = s.value
    if type(value) is int:
        shown = f"{value:,}"
    elif hasattr(value, "free_symbols"):
        from ..symbolic import plain

        shown = plain(value)
    else:
        shown = str(value)
    return f"{s.what} = {s.text} = {shown}" if s.text else f"{s.what} = {shown}"
