"""Marked homework: each expectation with ✓ or ✗, the true value and its working."""
from __future__ import annotations

import json

from ..report.check import CheckReport, CheckResult
from .working import step_line
from .numbers import exact_text, jsonable, shape


def _shown(value) -> str:
    if isinstance(value, tuple):
        return shape(value)
    if type(value) is int:
        return f"{value:,}"
    return exact_text(value) if hasattr(value, "free_symbols") else str(value)


def _grid(rows) -> list[str]:
    """A values-mode output (nested tuples, channels first) as values mode draws it."""
    import numpy as np

    from .grids import decimal, grid

    array = np.array(rows, dtype=object)
    if array.ndim == 3:
        array = array.transpose(1, 2, 0)
    lines = grid(array)
    if any(not isinstance(v, int) and getattr(v, "denominator", 1) != 1 for v in array.reshape(-1)):
        lines += ["  ≈", *grid(array, decimal)]
    return lines


def _mark(ok: bool, color: bool) -> str:
    mark = "✓" if ok else "✗"
    if not color:
        return mark
    import click

    return click.style(mark, fg="green" if ok else "red", bold=True)


def text(report: CheckReport, color: bool = False) -> str:
    lines = [f"{report.file}"]
    for r in report.results:
        what = ("total " if r.total else "") + r.quantity
        if r.quantity == "values":  # an answer matrix: the true one as a grid
            lines.append(f"  {_mark(r.ok, color)} line {r.line:<4} {what} {r.expected}"
                         + ("" if r.ok else "  — wrong: it is"))
            lines.extend(f"      {row}" for row in _grid(r.actual))
            continue
        verdict = "" if r.ok else f"  — wrong: it is {_shown(r.actual)}"
        if not r.ok and getattr(r, "rounded", None):  # ~416k: say what the true value rounds to
            verdict = f"  — wrong: it is ~{r.rounded} ({_shown(r.actual)} rounds to {r.rounded})"
        lines.append(f"  {_mark(r.ok, color)} line {r.line:<4} {what} {r.expected}{verdict}")
        lines.extend(f"        {step_line(w)}" for w in r.working)
    lines.append(f"{report.correct} of {report.total} correct")
    return "\n".join(lines) + "\n"


def _result(r: CheckResult) -> dict:
    return {"line": r.line, "quantity": r.quantity, "total": r.total, "expected": r.expected,
            "expected_value": jsonable(r.expected_value), "actual": jsonable(r.actual),
            "ok": r.ok, "working": [step_line(w) for w in r.working], "rounded": r.rounded}


def as_json(report: CheckReport) -> str:
    data = {"network": report.network, "file": report.file,
            "results": [_result(r) for r in report.results],
            "correct": report.correct, "total": report.total}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def error_json(err) -> str:
    """A broken spec under `check --format json`: the error as an object a program can read
    (where, what, and the hint), instead of the located text."""
    span = err.span
    where = {} if span is None else {"file": span.file, "line": span.line, "column": span.col,
                                     "width": span.width, "source": span.text}
    data = {"error": {"type": type(err).__name__, "message": err.message, **where,
                      "hint": err.hint}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
