"""Several reports side by side: each model's totals, its top-level stages, and its ratio
to a baseline (the first model given). Raw numbers only; render/compare.py formats them."""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Iterable, NamedTuple, Sequence

from ..layers import REGISTRY
from .model import LayerRow, Report
from .display import Displayed


class Metric(NamedTuple):
    key: str  # attribute of Totals / ModelTotals, and the JSON and CSV key
    label: str  # what a table calls it
    unit: str = ""  # "B" for bytes (rendered as MB, GB)


# The totals a comparison shows, in order.
METRICS = (
    Metric("params", "Params"),
    Metric("buffers", "Buffers"),
    Metric("macs", "MACs"),
    Metric("flops", "FLOPs"),
    Metric("activations", "Activations"),
    Metric("peak_activation_bytes", "Peak activations", "B"),
    Metric("weight_bytes", "Weights", "B"),
    Metric("weight_layers", "Weight layers"),
    Metric("depth", "Depth"),
    Metric("receptive_field", "Receptive field"),
)
METRIC_KEYS = tuple(m.key for m in METRICS)

# What a stage sums: every per-layer count. Stage sums equal the model's totals.
STAGE_SUMS = ("params", "buffers", "macs", "flops", "activations", "weight_layers")


@dataclass(frozen=True)
class Stage:
    """A top-level block of a network (`stage2`, `inception3`), or a run of top-level
    layers between blocks (`conv1..maxpool1`), with its layers' counts summed."""

    name: str
    first: str  # name of the stage's first layer
    last: str  # name of its last layer
    output: tuple  # shape of its last layer's output
    params: Any
    buffers: Any
    macs: Any
    flops: Any
    activations: Any
    weight_layers: int
    rf_size: tuple  # receptive field of its last layer's output (height, width)


@dataclass(frozen=True)
class ModelTotals:
    """One model's totals as a comparison shows them."""

    label: str  # as the user named it: `mobilenet_v1:alpha=0.5`
    network: str
    input: tuple
    output: tuple
    params: Any
    buffers: Any
    macs: Any
    flops: Any
    activations: Any
    peak_activation_bytes: Any
    weight_bytes: Any
    weight_layers: int
    depth: int
    receptive_field: Any  # side of the last feature map's field (None for no feature map)
    stages: tuple[Stage, ...]


@dataclass(frozen=True, repr=False)
class Comparison(Displayed):
    models: tuple[ModelTotals, ...]  # in display order
    baseline: ModelTotals  # what ratios are taken against: the first model given
    dtype: str = "fp32"
    batch: int = 1

    def ratio(self, model: ModelTotals, key: str) -> Fraction | None:
        """model / baseline for one metric, exactly; None when it has no meaning (a zero
        or symbolic baseline, or no receptive field)."""
        return ratio(getattr(model, key), getattr(self.baseline, key))

    def sorted(self, key: str, reverse: bool = False) -> "Comparison":
        """The same comparison, models ordered by a metric (or "name"); the baseline stays."""
        if key == "name":
            order = sorted(self.models, key=lambda m: m.label, reverse=reverse)
        else:
            if key not in METRIC_KEYS:
                raise ValueError(f"unknown metric {key!r}: choose from name, {', '.join(METRIC_KEYS)}")
            order = sorted(self.models, key=lambda m: _sort_key(getattr(m, key)), reverse=reverse)
        return replace(self, models=tuple(order))



def ratio(value, base) -> Fraction | None:
    if not _is_int(value) or not _is_int(base) or base == 0:
        return None
    return Fraction(value, base)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sort_key(value):
    # Numbers first in order, then anything without a number (None, symbolic).
    return (0, value) if _is_int(value) else (1, 0)


def compare(reports: Iterable[Report], labels: Sequence[str] | None = None) -> Comparison:
    """Totals and stages of each report; ratios are taken against the first.
    `labels` name the models (default: each report's network name)."""
    reports = list(reports)
    if not reports:
        raise ValueError("compare needs at least one report")
    if labels is None:
        labels = [r.network for r in reports]
    if len(labels) != len(reports):
        raise ValueError(f"{len(labels)} labels for {len(reports)} reports")
    dtypes = {r.dtype for r in reports}
    batches = {r.batch for r in reports}
    if len(dtypes) > 1 or len(batches) > 1:
        raise ValueError("compare reports analysed with the same dtype and batch")
    models = tuple(model_totals(r, label) for r, label in zip(reports, labels))
    return Comparison(models, models[0], reports[0].dtype, reports[0].batch)


def model_totals(report: Report, label: str | None = None) -> ModelTotals:
    t = report.totals
    return ModelTotals(
        label or report.network, report.network, report.input, report.output,
        t.params, t.buffers, t.macs, t.flops, t.activations, t.peak_activation_bytes,
        t.weight_bytes, t.weight_layers, t.depth, receptive_field(report), stages(report))


def receptive_field(report: Report):
    """The receptive field of the network's last feature map (the last layer output larger
    than 1x1), as Araujo et al. (Distill 2019) tabulate it: VGG-16 212, ResNet-50 (v1)
    483, MobileNet v1 315. Past global pooling or flatten every unit sees the whole input.
    One number when both axes agree, else (height, width); None for a net without maps."""
    for row in reversed(report.layers):
        if len(row.output) == 3 and not _known_1x1(row.output):
            size = row.rf_size
            return size[0] if size[0] == size[1] else tuple(size)
    return None


def _known_1x1(shape) -> bool:
    h, w, _ = shape
    return _is_int(h) and _is_int(w) and h * w == 1


def stages(report: Report) -> tuple[Stage, ...]:
    """The top-level stages of a report (the input left out): each top-level block, and
    each run of top-level layers between blocks. Their counts sum to the totals."""
    groups: list[tuple[str | None, list[LayerRow]]] = []  # (block name or None, rows)
    for row in report.layers[1:]:
        block = row.name.split(".")[0] if row.depth > 0 else None
        if groups:
            key, rows = groups[-1]
            if key is not None and (block == key or (block is None and row.name == key)):
                rows.append(row)  # inside the block (or the block's own output node)
                continue
            if key is None and block is None:
                rows.append(row)  # another top-level layer of the same run
                continue
        groups.append((block, [row]))
    return tuple(_stage(key, rows) for key, rows in groups)


def _stage(key: str | None, rows: list[LayerRow]) -> Stage:
    first, last = rows[0], rows[-1]
    if key is not None:
        name = key
    else:
        name = first.name if len(rows) == 1 else f"{first.name}..{last.name}"
    macs = _sum(r.macs for r in rows)
    return Stage(name, first.name, last.name, last.output,
                 _sum(r.params for r in rows), _sum(r.buffers for r in rows), macs, 2 * macs,
                 _sum(r.activations for r in rows),
                 sum(1 for r in rows if _is_weight(r.op)),
                 last.rf_size)


def _sum(values):
    total = 0
    for v in values:
        total = total + v
    return total


def _is_weight(op: str) -> bool:
    layer = REGISTRY.get(op)
    return layer is not None and layer.category == "weight"
