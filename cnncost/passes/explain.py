"""The working of every layer: the catalogue's own formulas run on `working.Term`s, so
each output size, parameter count, MAC count and receptive field comes with the
arithmetic that produced it, numbers filled in (`params = 5·5·1·16 + 16 = 416`).

Nothing here restates a formula: a layer's shape, params, buffers and MACs rules and the
receptive-field recurrence are called exactly as the numeric passes call them.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..build import Graph, Node
from ..layers import REGISTRY
from ..working import Term, text_of, value_of, wrap
from .receptive import Field, axis_step

AXES = {3: ("H_out", "W_out", "C_out"), 1: ("N_out",)}


class Step(NamedTuple):
    """One line of working: `what = text = value` (text is empty when there is no
    arithmetic to show, e.g. a channel count given in the spec)."""

    what: str
    text: str
    value: Any


def step(what: str, result) -> Step:
    if isinstance(result, Term) and not _bare(result):
        return Step(what, result.text, result.value)
    return Step(what, "", value_of(result))


def _bare(term: Term) -> bool:
    """A Term that is just its number: nothing to show."""
    return term.text == text_of(term.value)


class LayerWorking(NamedTuple):
    node: int
    shape: tuple[Step, ...]
    params: Step
    buffers: Step
    macs: Step
    rf: tuple[Step, ...]


def node_terms(graph: Graph, node: Node):
    """The node's attributes and input shapes as leaves."""
    attrs = {k: wrap(v) for k, v in node.attrs.items()}
    return attrs, [wrap(graph.nodes[i].shape) for i in node.inputs]


def explain_node(graph: Graph, index: int, fields: list[Field]) -> LayerWorking:
    node = graph.nodes[index]
    layer = REGISTRY[node.kind]
    if _symbolic(graph, node):
        return _as_expressions(graph, node, layer, fields)
    attrs, ins = node_terms(graph, node)
    shape = layer.shape(attrs, ins) if node.inputs else wrap(node.shape)
    names = AXES.get(len(node.shape), tuple(f"dim{i}" for i in range(len(node.shape))))
    out = wrap(node.shape)
    quantities = [step(what, rule(attrs, ins, out)) for what, rule in
                  (("params", layer.params), ("buffers", layer.buffers), ("MACs", layer.macs))]
    return LayerWorking(index, tuple(step(n, v) for n, v in zip(names, shape)), *quantities,
                        _rf_steps(graph, node, layer, attrs, ins, fields))


def _symbolic(graph: Graph, node: Node) -> bool:
    """A layer with a sympy expression among its sizes or options."""
    values = [*node.attrs.values(), *(graph.nodes[i].shape for i in node.inputs)]
    flat = [v for x in values for v in (x if isinstance(x, tuple) else (x,))]
    return any(hasattr(v, "free_symbols") for v in flat)


def _as_expressions(graph, node, layer, fields) -> LayerWorking:
    """With symbols the expression is its own working: each quantity is the formula the
    rule returned (`params = f**2*nc*nc2 + nc2`), with no arithmetic to show."""
    ins = [graph.nodes[i].shape for i in node.inputs]
    names = AXES.get(len(node.shape), tuple(f"dim{i}" for i in range(len(node.shape))))
    quantities = [Step(what, "", rule(node.attrs, ins, node.shape)) for what, rule in
                  (("params", layer.params), ("buffers", layer.buffers), ("MACs", layer.macs))]
    size = fields[node.id].size
    rf = _one_if_square((Step("RF_h", "", size[0]), Step("RF_w", "", size[1])))
    return LayerWorking(node.id, tuple(Step(n, "", v) for n, v in zip(names, node.shape)),
                        *quantities, rf)


def _rf_steps(graph, node, layer, attrs, ins, fields) -> tuple[Step, ...]:
    """size_out = size_in + (k' − 1)·jump_in, per axis, from the input's field."""
    rf = layer.rf(attrs, ins) if len(node.inputs) == 1 else None
    if rf is None:  # the input itself, a merge (union of fields) or an element-wise layer
        return _one_if_square(tuple(Step(f"RF_{a}", "", fields[node.id].size[i])
                                    for i, a in enumerate("hw")))
    source = fields[node.inputs[0]]
    field = Field(*(wrap(x) for x in source))
    in_shape = graph.nodes[node.inputs[0]].shape
    extent = wrap(in_shape[:2] if len(in_shape) == 3 else (1, 1))
    return _one_if_square(tuple(step(f"RF_{a}", axis_step(field, i, rf, extent[i])[0])
                                for i, a in enumerate("hw")))


def _one_if_square(steps: tuple[Step, Step]) -> tuple[Step, ...]:
    if steps[0].text == steps[1].text and steps[0].value == steps[1].value:
        return (Step("RF", steps[0].text, steps[0].value),)
    return steps


def explain(graph: Graph, fields: list[Field] | None = None) -> list[LayerWorking]:
    """The working of every node after the input, in graph order."""
    from .receptive import receptive_fields

    fields = fields if fields is not None else receptive_fields(graph)
    return [explain_node(graph, i, fields) for i in range(len(graph.nodes)) if graph.nodes[i].inputs]

