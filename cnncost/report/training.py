"""The training report: per layer and in total, raw numbers (never strings) for one
training step at a batch size, precision and optimizer (passes/training.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..build import Graph


@dataclass(frozen=True)
class TrainingRow:
    name: str
    op: str
    line: int
    depth: int
    frozen: bool
    input_grad: bool  # computes its input's gradient
    weight_grad: bool  # its parameters get a gradient
    forward_macs: Any
    backward_input_macs: Any
    backward_weight_macs: Any
    saved_bytes: Any  # storages this layer is the first to save for backward
    grad_bytes: Any

    @property
    def backward_macs(self):
        return self.backward_input_macs + self.backward_weight_macs


@dataclass(frozen=True)
class TrainingTotals:
    forward_macs: Any
    backward_input_macs: Any
    backward_weight_macs: Any
    backward_macs: Any
    saved_bytes: Any
    weight_bytes: Any  # parameters and buffers
    grad_bytes: Any
    optimizer_bytes: Any
    peak_bytes: Any  # of one steady-state training step
    peak_at: str  # the moment of the step where the peak falls
    # memory is per_sample * batch + fixed: the two parts of the peak at its moment
    peak_per_sample: Any
    peak_fixed: Any
    max_batch: Any = None  # with a budget: the largest batch whose peak fits (0: none)
    fits: Any = None  # with a budget: does the step at this batch fit?


@dataclass(frozen=True)
class TrainingReport:
    network: str
    file: str
    input: tuple
    batch: int
    precision: str
    optimizer: str
    layers: tuple[TrainingRow, ...]
    totals: TrainingTotals
    budget: Any = None  # bytes, from --budget or the device's memory
    budget_source: str = ""  # "--budget" or the device's title and source


def train_report(graph: Graph, batch: int = 1, precision: str = "fp32", optimizer: str = "sgd",
                 budget: int | None = None, budget_source: str = "") -> TrainingReport:
    """The training cost of `graph`: backward MACs, saved tensors, gradient and optimizer
    bytes, the peak of a step and, with a `budget` in bytes, the largest batch that fits."""
    from ..passes.counts import count
    from ..passes.training import train_pass

    facts = train_pass(graph, precision, optimizer)
    counts = count(graph)
    rows = tuple(TrainingRow(
        n.name, n.kind, n.line, len(n.scope), n.frozen, f.input_grad, f.weight_grad,
        c.macs * batch, f.backward_input_macs * batch, f.backward_weight_macs * batch,
        f.saved.at(batch), f.grad_bytes) for n, f, c in zip(graph.nodes, facts.nodes, counts))
    peak, where = facts.peak(batch)
    at = dict(facts.peaks)[where]
    back_in = sum(r.backward_input_macs for r in rows)
    back_w = sum(r.backward_weight_macs for r in rows)
    totals = TrainingTotals(
        forward_macs=sum(r.forward_macs for r in rows), backward_input_macs=back_in,
        backward_weight_macs=back_w, backward_macs=back_in + back_w,
        saved_bytes=facts.saved.at(batch), weight_bytes=facts.weight_bytes,
        grad_bytes=facts.grad_bytes, optimizer_bytes=facts.optimizer_bytes,
        peak_bytes=peak, peak_at=where, peak_per_sample=at.per_sample, peak_fixed=at.fixed,
        max_batch=None if budget is None else facts.max_batch(budget),
        fits=None if budget is None else peak <= budget)
    return TrainingReport(graph.name, graph.file, graph.input.shape, batch, precision, optimizer,
                          rows, totals, budget, budget_source)


def _repr_html_(self) -> str:
    """Jupyter shows a training report as its table and summary."""
    from ..render.training import training_fragment

    return training_fragment(self)


TrainingReport._repr_html_ = _repr_html_


def training_memory(graph: Graph, nodes=None):
    """For `expect training_memory` (batch 1, fp32, SGD): the bytes the given nodes save for
    backward, or with nodes None the peak of a step; (value, working steps)."""
    from ..passes.explain import Step
    from ..passes.training import train_pass

    facts = train_pass(graph)
    if nodes is not None:
        value = sum(facts.nodes[i].saved.at(1) for i in nodes)
        return value, [Step("saved for backward (bytes)", "", value)]
    peak, where = facts.peak(1)
    at = dict(facts.peaks)[where]
    return peak, [Step("training step peak (bytes)",
                       f"{at.per_sample:,} per sample + {at.fixed:,} at {where}", peak)]
