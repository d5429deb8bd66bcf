"""A walk over the layer registry: every kind's entry holds its whole line.

For each kind: a docstring; an example line that parses, builds and runs in the NumPy
executor as analysed; a shape rule (or expansion into primitive kinds); counts that are
whole numbers; ledger measures each priced by a category every convention profile knows;
a NumPy `run` and its temporaries; a Keras class or an explicit none with the reason.
"""
from __future__ import annotations

import re

import pytest

import cnncost
from cnncost.conventions import FACTORS, ORDER, PROFILES, UnsupportedError
from cnncost.errors import CnnCostError
from cnncost.layers import REGISTRY, Layer
from cnncost.layers.base import ALIASES, register

KINDS = sorted(REGISTRY)


def _spec(layer) -> str:
    if layer.internal:
        return f"network example\n{layer.example}\n"
    refs = "a = identity\nb = relu\n" if layer.merge else ""
    return f"network example\ninput {layer.example_input}\n{refs}{layer.example}\n"


@pytest.mark.parametrize("kind", KINDS)
def test_entry_has_a_docstring_and_an_example(kind):
    layer = REGISTRY[kind]
    assert (type(layer).__doc__ or "").strip(), f"{kind}: no docstring"
    assert layer.example, f"{kind}: no example line"
    first = layer.example.split()[0]
    assert first == kind or ALIASES.get(first) == kind, f"{kind}: example '{layer.example}' is another kind's"


@pytest.mark.parametrize("kind", KINDS)
def test_example_builds_and_counts(kind):
    layer = REGISTRY[kind]
    graph = cnncost.load("<example>", text=_spec(layer))
    nodes = [n for n in graph.nodes if n.name not in ("a", "b")] if layer.merge else graph.nodes
    made = {n.kind for n in nodes}
    if layer.composite:
        assert type(layer).expand is not Layer.expand, f"{kind}: a composite without expand"
        assert kind not in made and made - {"input"} <= {k for k in REGISTRY if not REGISTRY[k].composite}
    else:
        assert kind in made, f"{kind}: its example made {sorted(made)}"
        assert layer.keeps_shape or type(layer).shape is not Layer.shape, f"{kind}: no shape rule"
    report = cnncost.analyze(graph, conventions=tuple(PROFILES), ledger=True)
    for row in report.layers:
        for value in (row.params, row.buffers, row.macs, row.other_ops):
            assert isinstance(value, int) and value >= 0, (kind, row.name, value)
    # the ledger splits each node's other ops over its measures: bias, elements (+ scale,
    # shift) or ops, exactly once
    split = sum(v for k, v in report.ledger.items() if k.split(".")[1] in ("bias", "elements", "scale", "shift", "ops"))
    assert split == report.totals.other_ops


@pytest.mark.parametrize("kind", KINDS)
def test_ledger_categories_are_known_to_every_profile(kind):
    layer = REGISTRY[kind]
    assert layer.ledger_categories, f"{kind}: no ledger categories"
    for measure, category in layer.ledger_categories.items():
        assert category in FACTORS, f"{kind}.{measure}: category '{category}' is in no profile's table"
        assert len(FACTORS[category]) == len(ORDER) == len(PROFILES)


@pytest.mark.parametrize("kind", KINDS)
def test_entry_runs_in_numpy_as_analysed(kind):
    from cnncost.execute.verify import verify
    from cnncost.execute.budget import temporary_elements

    layer = REGISTRY[kind]
    if layer.composite:
        assert type(layer).run is Layer.run  # runs as the primitive nodes it expands into
    else:
        assert type(layer).run is not Layer.run, f"{kind}: no NumPy run"
    graph = cnncost.load("<example>", text=_spec(layer))
    result = verify(graph, batch=2, seed=0)
    assert result.ok, "\n".join(f"{r.name}: {r.differs}" for r in result.mismatches)
    for node in graph.nodes:
        extra = temporary_elements(node, graph)
        assert isinstance(extra, int) and extra >= 0, (node.name, extra)


@pytest.mark.parametrize("kind", KINDS)
def test_entry_has_a_keras_class_or_says_why_not(kind):
    layer = REGISTRY[kind]
    if layer.keras_class is None:
        assert len(layer.keras_none) > 20, f"{kind}: keras_class None needs the reason in keras_none"
    else:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", layer.keras_class), f"{kind}: keras_class {layer.keras_class!r}"


@pytest.mark.parametrize("kind", KINDS)
def test_options_are_declared(kind):
    """Every positional slot (but refs and range, which the grammar fills) is a declared
    option; every word sets a declared option or a flag of the kind."""
    layer = REGISTRY[kind]
    for slot in layer.positional:
        assert slot in ("refs", "range") or slot in layer.options, f"{kind}: slot {slot} undeclared"
        assert layer.slot_words(slot)
    for name, option in layer.options.items():
        assert option.name == name and callable(option.converter)


def test_a_category_no_profile_knows_is_unsupported_not_zero():
    """A new kind with weights that names a category no profile has: an error naming the
    layer, never a silent 0 (fvcore's 'unsupported operator')."""

    @register
    class Attention(Layer):
        """A test kind with weights and an unknown ledger category."""

        name = "testattention"
        category = "weight"
        keeps_shape = True
        ledger_categories = {"macs": "attention.macs"}

        def macs(self, a, ins, out):
            return 7

        def ledger(self, a, ins, out, counts):
            return {"macs": counts.macs}

    try:
        graph = cnncost.load("<t>", text="network t\ninput 4x4x2\nmix = testattention\n")
        with pytest.raises(UnsupportedError) as err:
            cnncost.analyze(graph, conventions=("macs",))
        assert "mix (testattention)" in err.value.message
        assert "'attention.macs'" in err.value.message and "unsupported" in err.value.message
        assert isinstance(err.value, CnnCostError)
        assert cnncost.analyze(graph).totals.macs == 7  # without conventions, nothing is priced
    finally:
        del REGISTRY["testattention"]
