"""The report model: what a summary says, as raw numbers (ints or sympy expressions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from .display import Displayed

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}


@dataclass(frozen=True, kw_only=True)
class LayerRow:
    """One layer (or one collapsed block): built with keywords only."""

    name: str
    op: str
    output: tuple
    params: Any
    trainable: Any
    frozen: Any
    buffers: Any
    macs: Any
    other_ops: Any
    activations: Any  # output elements (times the batch)
    rf_size: tuple
    rf_jump: tuple
    rf_start: tuple
    line: int
    depth: int  # nesting level: 0 for top-level lines
    inputs: tuple[str, ...] = ()  # names of the rows it reads (Keras's "Connected to")
    # on request (--convention, --device): one value per Report.conventions, and the
    # roofline's traffic and time bounds (report/roofline.py)
    conventions: tuple = ()
    roofline: Any = None
    kernel: tuple = ()  # the layer's window (conv, pool), empty for a layer without one
    connections: Any = 0  # LeCun's count: multiplies by a weight + bias adds
    weight_tensors: int = 0  # learnable arrays (Keras's len(trainable_weights))


@dataclass(frozen=True)
class Totals:
    params: Any
    trainable: Any
    frozen: Any
    buffers: Any
    macs: Any
    flops: Any  # 2 x MACs
    other_ops: Any
    activations: Any
    peak_activation_bytes: Any
    weight_bytes: Any  # (params + buffers) x dtype bytes
    weight_layers: int = 0  # conv, dwconv, deconv, fc nodes (passes/depth.py)
    depth: int = 0  # weight layers on the longest input-output path, as papers count depth
    # the lecture's quantities: cost = filter params x output positions x filters (= MACs),
    # LeCun's connections, and the learnable arrays (Keras's len(model.trainable_weights))
    connections: Any = 0
    weight_tensors: int = 0

    @property
    def cost(self):
        return self.macs


@dataclass(frozen=True, repr=False)
class Report(Displayed):
    network: str
    file: str
    input: tuple
    output: tuple
    layers: tuple[LayerRow, ...]
    totals: Totals
    dtype: str = "fp32"
    batch: int = 1
    notes: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    # on request: totals under convention profiles, the operation ledger (key -> count,
    # passes/ledger.py) and the roofline totals; empty or None when not asked for
    conventions: tuple["ConventionTotal", ...] = ()
    ledger: Mapping[str, Any] = field(default_factory=dict)
    roofline: Any = None
    # a network with heads used only in training (GoogLeNet's auxiliary classifiers):
    # `totals` are inference's, `training` the totals with every head, and the heads' names
    training: Totals | None = None
    training_heads: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConventionTotal:
    """The network's total as one tool counts it (cnncost/conventions.py), and why."""

    name: str
    reports: str  # what the tool calls the number
    source: str  # the tool's file(s) the rules come from
    total: Any
    terms: tuple  # (ledger key, label, factor, counted) for every ledger entry
    notes: tuple[str, ...] = ()
