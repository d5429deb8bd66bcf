"""The roofline model per layer (Williams, Waterman and Patterson, CACM 2009): a layer
takes at least max(FLOPs / peak, bytes / bandwidth) seconds.

bytes = (input elements + output elements) x batch x dtype bytes
        + (params + buffers) x dtype bytes            (each tensor moved once: no cache)
FLOPs = 2 x MACs + other ops                          (every operation cnncost counts)
intensity = FLOPs / bytes; a layer is memory-bound when its intensity is below the
device's ridge point peak / bandwidth. Times are exact Fractions of a second.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import dims
from ..devices import Device
from ..errors import CnnCostError


@dataclass(frozen=True)
class RooflineRow:
    """One layer's (or one collapsed block's) traffic, work and time bounds."""

    bytes_in: Any
    bytes_weights: Any
    bytes_out: Any
    flops: Any
    compute_s: Any  # flops / peak
    memory_s: Any  # bytes / bandwidth
    latency_s: Any  # max(compute_s, memory_s); summed over a collapsed block's layers

    @property
    def bytes(self):
        return self.bytes_in + self.bytes_weights + self.bytes_out

    @property
    def intensity(self):
        """FLOP per byte moved (None for a layer that moves nothing)."""
        return dims.exact(Fraction(self.flops, self.bytes)) if self.bytes else None

    @property
    def bound(self) -> str:
        return "memory" if self.memory_s > self.compute_s else "compute"

    def __add__(self, other: "RooflineRow") -> "RooflineRow":
        return RooflineRow(*(a + b for a, b in zip(self._values(), other._values())))

    def _values(self):
        return (self.bytes_in, self.bytes_weights, self.bytes_out, self.flops,
                self.compute_s, self.memory_s, self.latency_s)


@dataclass(frozen=True)
class Roofline:
    """The whole network on one device: per-layer bounds summed (layers run one after
    another, nothing fused), and how many layers are memory-bound."""

    device: Device
    bytes: Any
    flops: Any
    compute_s: Any
    memory_s: Any
    latency_s: Any  # sum of the per-layer max(compute, memory)
    layers: int
    memory_bound: int


def layer_roofline(graph, counts, width: int, batch: int, device: Device) -> list[RooflineRow | None]:
    """A RooflineRow per node (None for the input, which does no work)."""
    rows: list[RooflineRow | None] = []
    peak, bandwidth = Fraction(device.peak_flops), Fraction(device.bandwidth)
    for node, c in zip(graph.nodes, counts):
        if not node.inputs:
            rows.append(None)
            continue
        if not all(dims.is_number(v) for v in (c.params, c.macs, c.other_ops, c.activations)):
            raise CnnCostError("the roofline needs a numeric network, and this one has symbols",
                               hint="drop --symbolic, or replace each `symbol` by a `param` with a value")
        bytes_in = sum(dims.product(graph.nodes[i].shape) for i in node.inputs) * batch * width
        bytes_weights = (c.params + c.buffers) * width
        bytes_out = c.activations * batch * width
        flops = (2 * c.macs + c.other_ops) * batch
        compute = Fraction(flops) / peak
        memory = Fraction(bytes_in + bytes_weights + bytes_out) / bandwidth
        rows.append(RooflineRow(bytes_in, bytes_weights, bytes_out, flops,
                                compute, memory, max(compute, memory)))
    return rows


def total_roofline(rows: list[RooflineRow | None], device: Device) -> Roofline:
    work = [r for r in rows if r is not None]
    flops = sum(r.flops for r in work)
    moved = sum(r.bytes for r in work)
    return Roofline(device, moved, flops, Fraction(flops) / Fraction(device.peak_flops),
                    Fraction(moved) / Fraction(device.bandwidth),
                    sum((r.latency_s for r in work), Fraction(0)), len(work),
                    sum(1 for r in work if r.bound == "memory"))
