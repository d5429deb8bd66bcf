"""Columns and blocks shown only on request: per-layer totals under convention profiles
(--convention), roofline columns (--device / --peak-tflops), and the ledger (--ledger).
Default output never contains them."""
from __future__ import annotations

from fractions import Fraction

from ..report import Report
from .numbers import bytes_, exact_text, short, short_below

ROOFLINE_HEADERS = ("Bytes", "FLOP/B", "Time >=", "Bound")


def seconds(value) -> str:
    """A duration in the largest unit that keeps it >= 1: 0.00123 -> '1.23 ms'."""
    if value is None:
        return ""
    v = float(value)
    for size, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if v >= size:
            return f"{v / size:.3g} {unit}"
    return "0 s" if v == 0 else f"{v / 1e-9:.3g} ns"


def ratio(value) -> str:
    """FLOP per byte, one decimal: Fraction(25, 2) -> '12.5'."""
    return "" if value is None else f"{float(value):,.1f}"


def headers(report: Report) -> list[str]:
    out = [c.name for c in report.conventions]
    if report.roofline is not None:
        out += ROOFLINE_HEADERS
    return out


def cells(report: Report, row) -> list[str]:
    out = [exact_text(v) for v in row.conventions]
    if report.roofline is not None:
        r = row.roofline
        out += ["", "", "", ""] if r is None else [
            bytes_(r.bytes), ratio(r.intensity), seconds(r.latency_s), r.bound]
    return out


def footers(report: Report) -> list[list[str]]:
    """Two footer rows: exact totals, then short forms."""
    exact_row = [exact_text(c.total) for c in report.conventions]
    short_row = [short_below(c.total) for c in report.conventions]
    if report.roofline is not None:
        r = report.roofline
        intensity = Fraction(r.flops, r.bytes) if r.bytes else None
        exact_row += [bytes_(r.bytes), ratio(intensity), seconds(r.latency_s),
                      f"{r.memory_bound}/{r.layers}"]
        short_row += ["", "", "", ""]
    return [exact_row, short_row]


def extra_sentences(report: Report) -> list[str]:
    """Sentences for the training totals, the convention totals and the roofline, after
    the standard ones."""
    lines = []
    if report.training is not None:
        t = report.training
        lines.append(f"Training (with {', '.join(report.training_heads)}): params {exact_text(t.params)} "
                     f"({short(t.params)}), MACs {exact_text(t.macs)} ({short(t.macs)}); "
                     "the totals above are inference's")
    for c in report.conventions:
        brief = short_below(c.total)  # blank for a formula, which has no short form
        lines.append(f"Convention {c.name}: {exact_text(c.total)}{f' ({brief})' if brief else ''} = {c.reports}")
    lines += [f"Note: {note}" for c in report.conventions for note in c.notes]
    r = report.roofline
    if r is not None:
        d = r.device
        lines.append(
            f"Roofline on {d.title} ({float(d.peak_flops / 10**12):,g} TFLOP/s, "
            f"{float(d.bandwidth / 10**9):,g} GB/s; "
            f"ridge {ratio(d.ridge)} FLOP/B): latency >= {seconds(r.latency_s)} "
            f"(sum over layers of max(compute, memory)); compute {seconds(r.compute_s)}, "
            f"memory {seconds(r.memory_s)}; {r.memory_bound} of {r.layers} layers memory-bound")
    return lines


def ledger_table(report: Report) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, total row) of the ledger: each operation's count and, per
    convention, its factor and what it adds to that convention's total."""
    from ..passes.ledger import label

    header = ["Operation", "Count"]
    for c in report.conventions:
        header += ["x", c.name]
    terms = [{key: (factor, counted) for key, _, factor, counted in c.terms}
             for c in report.conventions]
    rows = []
    for key, count in report.ledger.items():
        row = [label(key), exact_text(count)]
        for by_key in terms:
            factor, counted = by_key.get(key, (0, 0))
            row += [str(factor), exact_text(counted) if factor else "-"]
        rows.append(row)
    total = ["Total", ""]
    for c in report.conventions:
        total += ["", exact_text(c.total)]
    return header, rows, total


def ledger_title(report: Report) -> str:
    batch = f", batch {report.batch}" if report.batch != 1 else ""
    return f"Ledger: every operation counted once{batch}; x = the factor each convention gives it"


def ledger_page_table(report: Report):
    """The ledger as a page Table (the terminal fits it like any table; HTML draws it)."""
    from .page import Table

    header, rows, total = ledger_table(report)
    return Table(ledger_title(report), tuple(header), tuple(tuple(r) for r in rows),
                 (False,) + (True,) * (len(header) - 1), footer=(tuple(total),),
                 notes=tuple(sources(report)))


def ledger_lines(report: Report) -> list[str]:
    """The ledger as aligned plain text."""
    header, rows, total = ledger_table(report)
    table = [header, *rows, total]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]

    def line(cells_):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells_, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [ledger_title(report), "", line(header), rule, *(line(r) for r in rows), rule, line(total),
            *sources(report)]


def sources(report: Report) -> list[str]:
    """Where each convention's factors come from."""
    return [f"{c.name} rules: {c.source}" for c in report.conventions]
