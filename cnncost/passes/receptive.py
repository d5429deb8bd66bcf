"""Receptive field of every node's output unit on the input: size, jump, start.

Per axis (height, width), the classic recurrence (Araujo et al., "Computing Receptive
Fields of Convolutional Neural Networks", Distill 2019):
    size_out  = size_in + (k' - 1) * jump_in          (k' = d*(k-1) + 1)
    jump_out  = jump_in * s
    start_out = start_in - pad_before * jump_in
`start` is the input coordinate of the first output unit's top-left field edge
(negative when the field reaches into padding). Merges take the union of their inputs'
fields; global layers (gap, flatten, fc on a map) see the whole input.
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from .. import dims
from ..errors import LimitError, Span
from ..expr import MAX_MAGNITUDE_BITS
from ..build import Graph
from ..layers import GLOBAL, REGISTRY
from ..layers.window import effective_kernel


class Field(NamedTuple):
    size: tuple
    jump: tuple
    start: tuple


def axis_step(rf: Field, i: int, step, extent):
    """(size, jump, start) along axis i after a layer taking `step` on the field `rf`."""
    size, jump, start = rf.size[i], rf.jump[i], rf.start[i]
    if step == GLOBAL:  # one unit sees the whole map; the jump stays the map's, so a merge
        return size + (extent - 1) * jump, jump, start  # with the main path (SE) keeps its jump
    k, s, d, pad, up = step.kernel[i], step.stride[i], step.dilation[i], step.pad[i], step.upsample[i]
    keff = effective_kernel(k, d)
    if up != 1:
        jump = dims.divide(jump, up)
    return size + (keff - 1) * jump, jump * s, start - pad * jump


def receptive_fields(graph: Graph) -> list[Field]:
    fields: list[Field] = []
    for node in graph.nodes:
        if not node.inputs:
            fields.append(Field((1, 1), (1, 1), (0, 0)))
            continue
        ins = [fields[i] for i in node.inputs]
        if len(ins) > 1:
            fields.append(_union(ins))
            continue
        step = REGISTRY[node.kind].rf(node.attrs, [graph.nodes[i].shape for i in node.inputs])
        if step is None:
            fields.append(ins[0])
            continue
        in_shape = graph.nodes[node.inputs[0]].shape
        extent = in_shape[:2] if len(in_shape) == 3 else (1, 1)
        axes = [axis_step(ins[0], i, step, extent[i]) for i in (0, 1)]
        fields.append(Field(*(tuple(dims.exact(a[j]) for a in axes) for j in range(3))))
        if any(_too_large(x) for a in axes for x in a):
            line = graph.lines[node.line - 1] if 0 < node.line <= len(graph.lines) else ""
            raise LimitError(f"{node.name}: the receptive field grows beyond 2**{MAX_MAGNITUDE_BITS}",
                             Span(graph.file, node.line, len(line) - len(line.lstrip()) + 1,
                                  max(1, len(line.strip())), line),
                             "strides multiply along the network; check for absurdly large ones")
    return fields


def _too_large(x) -> bool:
    """An exact number beyond the limit every spec number has (in a formula: any number in it)."""
    if type(x) is int:
        return x.bit_length() > MAX_MAGNITUDE_BITS
    if type(x) is Fraction:
        return max(abs(x.numerator).bit_length(), x.denominator.bit_length()) > MAX_MAGNITUDE_BITS
    if hasattr(x, "free_symbols"):
        from .. import symbolic  # only reached with symbols

        return symbolic.too_large(x, MAX_MAGNITUDE_BITS)
    return False


def _union(ins: list[Field]) -> Field:
    size, jump, start = [], [], []
    for i in (0, 1):
        lo = dims.minimum(*(f.start[i] for f in ins))
        hi = dims.maximum(*(f.start[i] + f.size[i] for f in ins))
        size.append(hi - lo)
        jump.append(dims.maximum(*(f.jump[i] for f in ins)))
        start.append(lo)
    return Field(tuple(size), tuple(jump), tuple(start))
