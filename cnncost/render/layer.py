"""`cnncost layer`: one layer or two alternatives with their working and the ratio of
their costs, as text or JSON."""
from __future__ import annotations

import json
from fractions import Fraction

from .. import symbolic
from ..report.layer import Alternative, LayerComparison, Ratio
from .numbers import exact_text, jsonable, shape
from .working import step_line

WHAT = {"macs": "MACs", "params": "params"}


def _value(value, pretty: bool, indent: str) -> str:
    """A number with separators; an expression plainly, or in sympy's 2-D layout on the
    lines below."""
    if pretty and symbolic.is_symbolic(value):
        return "\n" + "\n".join(indent + line for line in symbolic.pretty(value).splitlines())
    return exact_text(value)


def _ratio_text(r: Ratio, pretty: bool = False) -> str:
    if r.value is None:
        return "-"  # the first alternative has none of it
    if isinstance(r.value, Fraction):
        text = f"{r.value.numerator}/{r.value.denominator}" if r.value.denominator != 1 \
            else f"{r.value.numerator}"
        if r.value.denominator != 1:
            text += f" = {float(r.value):.3g}"
        if r.value and r.value < 1:
            text += f"  (a/b = {float(1 / r.value):.3g})"
        return text
    return _value(r.value, pretty, "      ")


def sum_lines(alt: Alternative) -> list[str]:
    """`MACs = 432 + 240 = 672` for each quantity more than one part counts; a formula
    once (its parts' sum is the formula)."""
    out = []
    for quantity, values, total in alt.sums:
        what = WHAT.get(quantity, quantity)
        if any(symbolic.is_symbolic(v) for v in values):
            out.append(f"{what} = {symbolic.plain(total)}")
        else:
            out.append(f"{what} = {' + '.join(exact_text(v) for v in values)} = {exact_text(total)}")
    return out


def _alternative(label: str, alt: Alternative, pretty: bool) -> list[str]:
    lines = [f"{label}: {alt.layer}  on {shape(alt.input)} -> {shape(alt.output)}"]
    several = len(alt.parts) > 1
    for part in alt.parts:
        if several:
            lines.append(f"  {part.name} ({part.op})  {shape(part.input)} -> {shape(part.output)}")
        symbols = pretty and any(symbolic.is_symbolic(getattr(part, q)) for q in ("params", "macs"))
        for w in _both_axes(tuple(step_line(w) for w in part.working)):
            what = w.split(" = ", 1)[0]
            if symbols and what in ("params", "MACs", "buffers"):
                value = getattr(part, {"MACs": "macs"}.get(what, what))
                lines.append(f"      {what} ={_value(value, True, '        ')}")
            else:
                lines.append(f"      {w}")
    if alt.sums:
        lines.append("  sum")
        lines.extend(f"      {s}" for s in sum_lines(alt))
    return lines


def _both_axes(working: tuple[str, ...]) -> list[str]:
    """`H_out = W_out = floor((6 − 3)/1) + 1 = 4` when both axes have the same working."""
    out = list(working)
    for i in range(len(out) - 1):
        first, second = out[i].split(" = ", 1), out[i + 1].split(" = ", 1)
        if first[0] == "H_out" and second[0] == "W_out" and first[1:] == second[1:]:
            out[i:i + 2] = [f"H_out = W_out = {first[1]}"]
            break
    return out


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:3], widths[1:3])]
        out.append("  ".join(cells + list(row[3:])).rstrip())
    return out


def text(c: LayerComparison, pretty: bool = False) -> str:
    lines = _alternative("a", c.a, pretty)
    if c.b is None:
        return "\n".join(lines + _symbols(c, pretty)) + "\n"
    lines += [""] + _alternative("b", c.b, pretty) + [""]
    ratios = {r.quantity: r for r in c.ratios}
    flat = not (pretty and any(symbolic.is_symbolic(r.value) for r in c.ratios))
    if flat:
        rows = [("", "a", "b", "b/a"), ("output", shape(c.a.output), shape(c.b.output), "")]
        rows += [(WHAT[q], exact_text(getattr(c.a, q)), exact_text(getattr(c.b, q)), _ratio_text(ratios[q]))
                 for q in ("params", "macs")]
        lines += _table(rows)
    else:
        lines.append(f"output  a {shape(c.a.output)}, b {shape(c.b.output)}")
        for q in ("params", "macs"):
            lines.append(f"{WHAT[q]} b/a ={_ratio_text(ratios[q], pretty)}")
    return "\n".join(lines + _symbols(c, pretty)) + "\n"


def _symbols(c: LayerComparison, pretty: bool) -> list[str]:
    """The comparison in symbols (--symbolic), or why there is none."""
    lines = []
    if c.symbols:
        lines += ["", _symbols_heading(c)] + _general(c, pretty)
    if c.note:
        lines += ["", f"({c.note})"]
    return lines


def _symbols_heading(c: LayerComparison) -> str:
    names = ", ".join(f"{k} = {v}" for k, v in c.symbols.items())
    return f"In symbols ({names}), input ({', '.join(symbolic.plain(d) for d in c.general_input)}):"


def _general(c: LayerComparison, pretty: bool) -> list[str]:
    lines = []
    for label, alt in (("a", c.a), ("b", c.b)) if c.b is not None else (("a", c.a),):
        for q in ("params", "macs"):
            value = alt.general.get(q)
            if value is not None:
                lines.append(f"  {label}: {WHAT[q]} = {_value(value, pretty, '        ')}")
    for r in c.ratios:
        if r.general is None:
            continue
        number = str(r.value)  # a Fraction: 14/45
        steps = [_value(r.general, pretty, "      "), r.terms, number]
        shown = [x for i, x in enumerate(steps) if x and x not in steps[:i]]
        lines.append(f"  {WHAT[r.quantity]} b/a = {' = '.join(shown)}")
    return lines


# --------------------------------------------------------------------------- Markdown
def _md(value) -> str:
    """A number as is; a formula as code (its `**` would turn bold)."""
    return f"`{exact_text(value)}`" if symbolic.is_symbolic(value) else exact_text(value)


def markdown(c: LayerComparison) -> str:
    """Each alternative's working as a list under a heading, and for two alternatives a
    GitHub table of their output, params, MACs and the ratios b/a."""
    out = []
    alternatives = (("a", c.a), ("b", c.b)) if c.b is not None else (("a", c.a),)
    for label, alt in alternatives:
        out += [f"### {label}: `{alt.layer}` on {shape(alt.input)} -> {shape(alt.output)}", ""]
        for part in alt.parts:
            if len(alt.parts) > 1:
                out.append(f"- **{part.name}** ({part.op}) {shape(part.input)} -> {shape(part.output)}")
            indent = "  " if len(alt.parts) > 1 else ""
            out += [f"{indent}- `{w}`" for w in _both_axes(tuple(step_line(w) for w in part.working))]
        if alt.sums:
            out.append("- sum")
            out += [f"  - `{s}`" for s in sum_lines(alt)]
        out.append("")
    if c.b is not None:
        ratios = {r.quantity: r for r in c.ratios}
        out += ["| | a | b | b/a |", "|---|---:|---:|---|",
                f"| output | {shape(c.a.output)} | {shape(c.b.output)} | |"]
        out += [f"| {WHAT[q]} | {_md(getattr(c.a, q))} | {_md(getattr(c.b, q))} | "
                f"{_ratio_text(ratios[q])} |" for q in ("params", "macs")]
        out.append("")
    symbols = _symbols(c, False)
    out += [f"- `{line.strip()}`" if line.startswith("  ") else line for line in symbols[1:]]
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON
def _alt_dict(alt: Alternative) -> dict:
    data = {
        "layer": alt.layer,
        "input": jsonable(alt.input),
        "output": jsonable(alt.output),
        "params": jsonable(alt.params),
        "buffers": jsonable(alt.buffers),
        "macs": jsonable(alt.macs),
        "activations": jsonable(alt.activations),
        "parts": [{"name": p.name, "op": p.op, "input": jsonable(p.input),
                   "output": jsonable(p.output), "params": jsonable(p.params),
                   "buffers": jsonable(p.buffers), "macs": jsonable(p.macs),
                   "working": [step_line(w) for w in p.working]} for p in alt.parts],
        "sums": sum_lines(alt),
    }
    if alt.general:
        data["symbolic"] = {q: jsonable(v) for q, v in alt.general.items()}
    return data


def _ratio_dict(ratios) -> dict:
    out = {}
    for r in ratios:
        out[r.quantity] = jsonable(r.value)
        if isinstance(r.value, Fraction):
            out[f"{r.quantity}_exact"] = str(r.value)
        if r.general is not None:
            out[f"{r.quantity}_symbolic"] = jsonable(r.general)
            if r.terms:
                out[f"{r.quantity}_terms"] = r.terms
    return out


def as_json(c: LayerComparison) -> str:
    """`a` (and `b`, `ratio`: b/a); numbers as numbers, expressions as strings that
    sympy.sympify reads back given `symbol_names` as its locals."""
    data = {"input": jsonable(c.input), "a": _alt_dict(c.a)}
    if c.b is not None:
        data["b"] = _alt_dict(c.b)
        data["ratio"] = _ratio_dict(c.ratios)
    if c.symbols:
        data["symbols"] = {k: jsonable(v) for k, v in c.symbols.items()}
        data["symbolic_input"] = jsonable(c.general_input)
    if c.note:
        data["note"] = c.note
    from ..symbolic import names_in

    names = names_in(c)
    if names:  # sympify(text, locals={n: Symbol(n) for n in these}): E, N, S, I, pi read back
        data["symbol_names"] = names
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
