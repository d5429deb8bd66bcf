"""Random specs (tests/randomspec.py) export to PyTorch, run, and match cnncost's shape,
params, trainable, buffers and FLOPs. CI runs a fixed set; by hand:
`CNNCOST_EXPORT_EXAMPLES=2000 python -m pytest tests/test_export_random.py`."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings

import cnncost
from exported import cnncost_figures, torch_figures
from randomspec import random_specs

pytestmark = pytest.mark.torch

EXAMPLES = int(os.environ.get("CNNCOST_EXPORT_EXAMPLES", "300"))


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 300,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(text=random_specs())
def test_random_spec_exports_and_matches(torch, text):
    try:
        graph = cnncost.load("<random>", text=text)
    except cnncost.CnnCostError:
        assume(False)  # the strategy tracks shapes; a spec it got wrong is not the property
    assert torch_figures(torch, graph) == cnncost_figures(graph), text


def test_strategy_writes_every_layer_kind():
    """The property above covers the catalogue: every kind a spec may use appears, and
    convolutions with a connection table."""
    from hypothesis import Phase

    from cnncost.layers import REGISTRY, user_kinds

    kinds, texts = set(), []

    @settings(max_examples=500, derandomize=True, database=None, phases=[Phase.generate])
    @given(text=random_specs())
    def collect(text):
        texts.append(text)
        kinds.update(n.kind for n in cnncost.load("<random>", text=text).nodes)

    collect()
    composite = {k for k in user_kinds() if REGISTRY[k].composite}
    assert sorted(set(user_kinds()) - composite - kinds) == []
    assert all(any(f"{k} " in t for t in texts) for k in composite)
    assert any(" table=(" in t for t in texts)  # conv's connection table (LeNet-5's C3)
