"""The network's input node."""
from __future__ import annotations

from .base import Layer, register


@register
class Input(Layer):
    """The input tensor, HxWxC (or a vector); written with the `input` statement."""

    name = "input"
    category = "input"
    internal = True
    example = "input 224x224x3"
    keras_class = "InputLayer"
    temporary_copies = 0

    def shape(self, a, ins):
        return a["shape"]

    def run(self, a, xs, tape):
        return tape.input(a["shape"])
