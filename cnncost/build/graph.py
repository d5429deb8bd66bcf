"""The built network: an immutable graph of layer nodes, with its `expect` claims.

A Node keeps its source line and a hierarchical name (`stage2.1.conv2`, like
torchvision's module names) and its output shape, inferred as the node was made.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from ..dsl import ast

DEFAULT_MAX_NODES = 100_000  # 100x the largest zoo network; reached in seconds (10**6: a minute)


class Node(NamedTuple):
    id: int
    kind: str
    name: str
    attrs: Mapping[str, Any]
    inputs: tuple[int, ...]
    shape: tuple
    line: int
    scope: tuple[str, ...] = ()  # enclosing blocks, outermost first
    frozen: bool = False


class Call(NamedTuple):
    """One run of a `def` (what the exporter turns into a submodule class): the nodes it
    made are ids first .. end-1, reading `input` and giving `output`; `path` is the naming
    scope of its body (the enclosing one for `_ = f(...)`); `args` its parameters' values
    in the def's order; `repeat` numbers the `repeat` run it is part of (None outside one)."""

    name: str
    path: tuple[str, ...]
    first: int
    end: int
    input: int
    output: int
    args: tuple[tuple[str, Any], ...]
    repeat: int | None = None


class Expectation(NamedTuple):
    """An `expect` line: what it claims about the statement before it (or the total)."""

    line: int
    quantity: str
    total: bool
    approx: bool
    expected: Any  # int, Fraction, tuple (shape) or sympy expression
    suffix: str | None
    source: str  # the expected value as written
    nodes: tuple[int, ...]  # the nodes the statement before it made
    output: int  # that statement's output node


@dataclass(frozen=True)
class Graph:
    name: str
    file: str
    nodes: tuple[Node, ...]
    output: int
    expectations: tuple[Expectation, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    symbols: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # likely mistakes that are not errors (a C x H x W input); also notes
    values: Any = None  # a `values:` section (values_block.ValuesSection): numbers to run on
    heads: tuple[int, ...] = ()  # outputs besides `output` (`output main aux1 aux2`)
    train: tuple[int, ...] = ()  # heads used only in training (`output ... train aux1 aux2`)
    head_names: tuple[str, ...] = ()  # the training heads as the output line names them
    calls: tuple[Call, ...] = ()  # the def calls, outermost first (no pass reads them; exporters do)

    @property
    def input(self) -> Node:
        return self.nodes[0]

    def __repr__(self) -> str:
        def dims(shape):
            return "x".join(str(d) for d in shape)

        return (f"<Graph {self.name}: {len(self.nodes) - 1} layers, input {dims(self.input.shape)}, "
                f"output {dims(self.nodes[self.output].shape)}>")


@dataclass(frozen=True)
class BuildOptions:
    """What the command line may change: parameter overrides and scaling."""

    overrides: Mapping[str, "Override"] = field(default_factory=dict)  # -p name=value, parsed by load
    width: Any = None  # --width A
    depth: Any = None  # --depth D
    resolution: Any = None  # --resolution R: a Fraction multiplies, an int sets
    max_nodes: int = DEFAULT_MAX_NODES  # also the limit on statements run (loops and calls)
    symbolic: tuple[str, ...] = ()  # --symbolic H,W: the input's height and width as symbols
    channels_first: bool = False  # --channels-first: the spec's `input` is C x H x W



class Override(NamedTuple):
    """A `-p name=value` setting: the text as given and its expression, parsed by
    cnncost.load (None when the text is not an expression: the builder says so at the
    param line, or says the param does not exist)."""

    text: str
    expr: ast.Expr | None


def show_shape(shape) -> str:
    """28x28x16; a formula too long to read is cut to its start (an error names it only
    to say where)."""
    return "x".join(_cut(str(d)) for d in shape)


def _cut(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"
