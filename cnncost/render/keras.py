"""The layout of Keras 3's `model.summary()`, so a student can put the two side by side.

It follows `print_summary` in keras/src/utils/summary_utils.py (keras-team/keras): a rich
table with the default heavy-head box and a rule between rows, columns "Layer (type)",
"Output Shape" (batch axis `None`) and "Param #" at 45/80/100 % of 88 characters, plus
"Connected to" at 30/56/74/100 % of 108 characters when the graph is not a chain (Keras's
`sequential_like`); then `Model: "name"` above and " Total params: N (size)", " Trainable
params", " Non-trainable params" below, sizes in 1024-based units with two decimals.
Keras counts every weight of a layer in "Param #", so batch-norm statistics (our buffers)
are there and, with frozen parameters, in "Non-trainable params".

Two Keras habits are copied so the rows line up with keras.applications: an activation
right after a conv or dense layer that feeds only it is folded into that row (Keras's
`activation=` argument, as in VGG16), and the input gets an `InputLayer` row (as in a
functional model; a Sequential one lists none). One departure: a cell too narrow for our
long hierarchical names wraps (rich's "fold") where Keras would cut it with an ellipsis.
"""
from __future__ import annotations

import io
from dataclasses import replace

from ..layers import REGISTRY
from ..report import DTYPE_BYTES, LayerRow, Report
from .numbers import exact, is_plain

BLOCK_CLASS = "Functional"  # a block collapsed into one row (--depth) is a nested model
NO_CLASS = "Lambda"  # kinds Keras has no layer for (their entry's keras_none says why)

SEQUENTIAL = (88, (0.45, 0.80, 1.0), ("Layer (type)", "Output Shape", "Param #"))
FUNCTIONAL = (108, (0.3, 0.56, 0.74, 1.0),
              ("Layer (type)", "Output Shape", "Param #", "Connected to"))
_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def keras_class(op: str) -> str:
    """The Keras class of a row: its kind's entry says (Layer.keras_class), a Lambda where
    Keras has none; a row that is no kind is a collapsed block."""
    layer = REGISTRY.get(op)
    if layer is None:
        return BLOCK_CLASS
    return layer.keras_class or NO_CLASS


def _folds(row, prev) -> bool:
    """Keras's `activation=` argument: an activation folded into the layer before it."""
    layer, host = REGISTRY.get(row.op), REGISTRY.get(prev.op)
    return layer is not None and host is not None and layer.category == "activation" \
        and host.keras_activation_arg


def keras_shape(dims) -> str:
    """(224, 224, 64) -> '(None, 224, 224, 64)': Keras shows the batch axis as None."""
    return "(" + ", ".join(["None", *(str(d) for d in dims)]) + ")"


def memory_size(count, bytes_per_value: int) -> str:
    """Keras's readable_memory_size: 553430176 bytes -> '527.79 MB' (1024-based)."""
    size = count * bytes_per_value
    for unit in _UNITS:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_UNITS[-1]}"


def keras_rows(report: Report) -> list[LayerRow]:
    """The report's rows as Keras would list them: activations folded into the conv or
    dense layer before them when nothing else reads that layer; inputs renamed to match."""
    readers: dict[str, int] = {}
    for row in report.layers:
        for name in row.inputs:
            readers[name] = readers.get(name, 0) + 1
    rows: list[LayerRow] = []
    host: dict[str, str] = {}  # a folded activation -> the row it was folded into
    for row in report.layers:
        prev = rows[-1] if rows else None
        if (prev is not None and _folds(row, prev)
                and row.inputs == (prev.name,) and readers.get(prev.name) == 1
                and row.params == 0 and row.buffers == 0):
            host[row.name] = prev.name
            continue
        rows.append(row)
    if host:
        rows = [replace(r, inputs=tuple(host.get(i, i) for i in r.inputs))
                if any(i in host for i in r.inputs) else r for r in rows]
    return rows


def is_chain(rows) -> bool:
    """Keras's `sequential_like`: every layer reads exactly the layer before it."""
    return all(r.inputs == (p.name,) for p, r in zip(rows, rows[1:]))


def render_keras(report: Report, line_length: int | None = None) -> str:
    """The summary as Keras prints it to a file or a pipe (no colour). `line_length`
    defaults to Keras's: 88 characters for a chain, 108 with "Connected to"."""
    from rich import box
    from rich.console import Console
    from rich.table import Column, Table
    from rich.text import Text

    rows = keras_rows(report)
    chain = is_chain(rows)
    default, positions, headers = SEQUENTIAL if chain else FUNCTIONAL
    line_length = line_length or default
    widths, current = [], 0
    for pos in positions:
        widths.append(int(pos * line_length) - current)
        current += widths[-1]
    justify = ("left", "left", "right", "left")
    table = Table(*(Column(h, justify=j, width=w, overflow="fold")
                    for h, j, w in zip(headers, justify, widths)),
                  width=line_length, show_lines=True, box=box.HEAVY_HEAD)
    for r in rows:
        cells = [f"{r.name} ({keras_class(r.op)})", keras_shape(r.output),
                 exact(r.params + r.buffers)]
        if not chain:
            cells.append(", ".join(f"{name}[0][0]" for name in r.inputs) or "-")
        table.add_row(*(Text(c) for c in cells))

    t = report.totals
    total = t.params + t.buffers
    non_trainable = t.frozen + t.buffers
    width = DTYPE_BYTES[report.dtype]

    def count(label, value):
        size = f" ({memory_size(value, width)})" if is_plain(value) else ""
        return f" {label}: {exact(value)}{size}"

    out = io.StringIO()
    console = Console(file=out, width=line_length, color_system=None, force_terminal=False,
                      highlight=False, markup=False, emoji=False, legacy_windows=False)
    console.print(f'Model: "{report.network}"')
    console.print(table)
    console.print(count("Total params", total))
    console.print(count("Trainable params", t.trainable))
    console.print(count("Non-trainable params", non_trainable))
    return out.getvalue()
