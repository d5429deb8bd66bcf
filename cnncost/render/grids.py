"""Values mode as the slides show it: grids of numbers, exact and as decimals, and the sum
of products that made one cell."""
from __future__ import annotations

from fractions import Fraction
from numbers import Rational

DECIMALS = 2  # the slides' -0.11


def exact(v) -> str:
    """A Fraction as 3, -1/9; a float (a layer that is not rational) as 0.7311."""
    if isinstance(v, Rational):
        v = Fraction(v)
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return f"{v:.4g}"


def decimal(v) -> str:
    """1 for whole numbers, -0.11 otherwise (two decimals, as the slides round)."""
    if isinstance(v, Rational) and v.denominator == 1:
        return str(v.numerator)
    text = f"{float(v):.{DECIMALS}f}"
    return "0" if text in ("0.00", "-0.00") else text


def _whole(array) -> bool:
    return all(isinstance(v, Rational) and v.denominator == 1 for v in array.reshape(-1))


def grid(array, show=exact) -> list[str]:
    """Rows of an H x W (or H x W x C, one block per channel, or N) array, right-aligned."""
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim == 2:
        cells = [[show(v) for v in row] for row in array]
        width = max(len(c) for row in cells for c in row)
        return ["  " + "  ".join(c.rjust(width) for c in row) for row in cells]
    lines = []
    for k in range(array.shape[2]):
        if array.shape[2] > 1:
            lines.append(f"  channel {k}:")
        lines.extend(grid(array[:, :, k], show))
    return lines


def _both(array, title: str) -> list[str]:
    lines = [title, *grid(array)]
    if not _whole(array):
        lines += ["  ≈", *grid(array, decimal)]
    return lines


def _shape(array) -> str:
    return "x".join(str(s) for s in array.shape)


def _weights(name: str, array) -> list[str]:
    """A weight array in the executor's layout, shown per filter and channel (PyTorch's order)."""
    if array.ndim == 4:  # (kh, kw, C, N)
        kh, kw, c, n = array.shape
        lines = [f"weights of {name} ({n} filter{'s' if n > 1 else ''} of {c} channel{'s' if c > 1 else ''}, "
                 f"{kh}x{kw})"]
        for o in range(n):
            for ci in range(c):
                if n > 1 or c > 1:
                    lines.append(f"  filter {o}, channel {ci}:")
                lines.extend(_both(array[:, :, ci, o], "")[1:])
        return lines
    if array.ndim == 2:  # fc (in, out): one row per output
        return _both(array.T, f"weights of {name} ({array.shape[1]} outputs x {array.shape[0]} inputs)")
    return _both(array, f"{name} ({_shape(array)})")


def cell_line(cell, vector: bool = False) -> str:
    """y[r, c] = 5·1 + 1·0 + ... + b = 8, or max(5, 1, 8, 2) = 8."""
    r, c, k = cell.index
    where = f"[{r}, {c}]" if k == 0 else f"[{r}, {c}, {k}]"
    if vector:  # an fc's output
        where = f"[{k}]"

    def num(v):
        text = exact(v)
        return f"({text})" if text.startswith("-") or "/" in text else text

    if cell.op == "sum":
        body = " + ".join(f"{num(x)}·{num(w)}" for x, w in cell.terms)
        if cell.bias is not None:
            body += f" + {num(cell.bias)}"
    elif cell.op == "avg":
        body = f"({' + '.join(num(v) for v in cell.terms)}) / {len(cell.terms)}"
    else:
        body = f"{cell.op}({', '.join(exact(v) for v in cell.terms)})"
    value = exact(cell.value)
    approx = "" if isinstance(cell.value, Rational) and cell.value.denominator == 1 else \
        f" ≈ {decimal(cell.value)}"
    return f"y{where} = {body} = {value}{approx}"


def text(run) -> str:
    lines = _both(run.input, f"input ({_shape(run.input)})")
    for name, array in run.weights:
        lines += ["", *_weights(name, array)]
    if run.bias_defaulted:
        lines += ["(no --bias given: the bias is 0)"]
    for step in run.steps:
        note = "" if step.exact else "  (not rational: decimals)"
        lines += ["", *_both(step.output, f"{step.line} -> {_shape(step.output)}{note}")]
    if run.cells:
        lines += ["", *(f"{step.name}: {cell_line(c, step.output.ndim == 1)}" for step, c in
                        zip(run.steps[-len(run.cells):], run.cells))]
    return "\n".join(lines) + "\n"


def as_json(run) -> str:
    import json

    def nested(array):  # exact fractions as "1/9"; floats in full (a JSON number is never cut)
        if getattr(array, "ndim", 0):
            return [nested(a) for a in array]
        return exact(array) if isinstance(array, Rational) else float(array)

    def channels_first(array):  # as the input was written: a list of channels of rows
        return nested(array.transpose(2, 0, 1) if array.ndim == 3 else array)

    out = {
        "input": channels_first(run.input),
        "layers": [{"name": s.name, "op": s.op, "line": s.line, "exact": s.exact,
                    "output": channels_first(s.output)} for s in run.steps],
    }
    if run.cells:
        out["cells"] = [{"layer": step.name, "index": list(c.index), "value": nested(c.value),
                         "working": cell_line(c, step.output.ndim == 1)}
                        for step, c in zip(run.steps[-len(run.cells):], run.cells)]
    return json.dumps(out, indent=2) + "\n"
