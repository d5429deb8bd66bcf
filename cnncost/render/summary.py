"""The totals as sentences, shared by every summary format."""
from __future__ import annotations

from ..report import Report
from . import extras
from .numbers import FRACTIONAL_FIELD, bytes_, exact_text, has_fraction, is_plain, short


def _both(value) -> str:
    """`138,357,544 (138.4 M)`; once when the short form would repeat it (`448`) or when it
    is an expression (which has no short form)."""
    whole, brief = exact_text(value), short(value)
    return f"{whole} ({brief})" if is_plain(value) and brief != whole else whole


def total_sentences(report: Report) -> list[str]:
    t = report.totals
    lines = []
    params = f"Params: {_both(t.params)}"
    if is_plain(t.frozen) and t.frozen:
        params += f": {exact_text(t.trainable)} trainable, {exact_text(t.frozen)} frozen"
    lines.append(params)
    if not is_plain(t.buffers) or t.buffers:
        lines.append(f"Buffers (non-learnable, e.g. BN statistics): {exact_text(t.buffers)}")
    batch = f", batch {report.batch}" if report.batch != 1 else ""
    lines.append(f"MACs (multiply-accumulates{batch}): {_both(t.macs)}; "
                 f"FLOPs = 2 x MACs = {short(t.flops)}")
    lines.append(f"Other ops (bias, norm, activations, pooling, merges): {exact_text(t.other_ops)}")
    lines.append(f"Activations: {exact_text(t.activations)} elements; peak activation memory "
                 f"{bytes_(t.peak_activation_bytes)} ({report.dtype})")
    lines.append(f"Weights: {bytes_(t.weight_bytes)} ({report.dtype})")
    lines += [f"Note: {note}" for note in report.notes]
    if any(has_fraction(r.rf_size) for r in report.layers):
        lines.append(f"Note: {FRACTIONAL_FIELD}")
    lines += extras.extra_sentences(report)
    return lines


def pretty_totals(report: Report) -> str:
    """The totals that are formulas, in sympy's two-dimensional layout (`--pretty`)."""
    from .. import symbolic

    t = report.totals
    out = []
    for label, value in (("Params", t.params), ("Buffers", t.buffers), ("MACs", t.macs),
                         ("Activations", t.activations)):
        if symbolic.is_symbolic(value):
            out.append(f"\n{label} =\n" + "\n".join("    " + line for line in
                                                      symbolic.pretty(value).splitlines()))
    return "\n".join(out) + "\n" if out else ""
