"""What a layer kind tells the training pass (cnncost/passes/training.py): the tensors
PyTorch's autograd saves for its backward, and which gradients are being computed.

The rules follow PyTorch's derivatives.yaml (tools/autograd/derivatives.yaml) and the
functional forms torchvision's layers call; docs/how-to/training-cost.md cites each one.
"""
from __future__ import annotations

from typing import NamedTuple

from ..errors import CnnCostError


class Grads(NamedTuple):
    """Which gradients a node's backward computes."""

    inputs: tuple  # one bool per input: does that input need a gradient?
    weights: bool  # are the node's parameters trained (not frozen, and it has some)?


class Saved(NamedTuple):
    """One tensor autograd keeps for a node's backward.

    tensor: an input's position (0, 1, ...), "output", "weight" (the parameter itself:
    counted with the weights, or as its half-precision copy under autocast), or "new" (a
    tensor made inside the op: `elements` of it, `dtype` "act" (the training precision),
    "fp32" or "int64"; per sample unless per_sample is False).
    """

    tensor: object
    elements: object = 0
    dtype: str = "act"
    per_sample: bool = True


class TrainingRuleError(CnnCostError):
    """A layer kind with no rule for its backward: never counted as zero."""


def no_rule(kind: str, what: str) -> TrainingRuleError:
    return TrainingRuleError(f"layer kind '{kind}' has no rule for {what}",
                             hint="add it to the kind's class in cnncost/layers/ (docs/how-to/training-cost.md)")
