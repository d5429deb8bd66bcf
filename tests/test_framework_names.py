"""Issue 18 item 6: zoo specs taken from torchvision or Keras carry the framework's names.

tests/data/names/<spec>.json (written by tests/data/names/make_names.py from torchvision 0.28 and
keras.applications) lists [module path, numel of its own parameters] for every module with
parameters, in the framework's order. cnncost's rows with params > 0 must have the same names in
the same order, and each the same params: a name on the wrong layer shows as a params mismatch.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncost

NAMES = Path(__file__).parent / "data" / "names"
SPECS = sorted(p.stem for p in NAMES.glob("*.json"))


def test_every_spec_taken_from_a_framework_has_a_names_file():
    from_framework = {"alexnet", "densenet121", "efficientnet_b0", "googlenet", "googlenet_aux",
                      "inception_v3", "mobilenet_v1", "mobilenet_v2", "resnet18", "resnet34",
                      "resnet50", "resnet101", "resnet152", "resnet50_v1", "squeezenet1_0",
                      "vgg11", "vgg13", "vgg16", "vgg19"}
    assert from_framework <= set(SPECS)


def _rows(spec: str) -> list[tuple[str, int]]:
    graph = cnncost.load(spec)
    report = cnncost.analyze(graph, training=bool(graph.train))  # googlenet_aux: its aux heads too
    return [(r.name, r.params) for r in report.layers if r.params > 0]


@pytest.mark.parametrize("spec", SPECS)
def test_names_of_layers_with_params_are_the_framework_names(spec):
    reference = [tuple(row) for row in json.loads((NAMES / f"{spec}.json").read_text())]
    rows = _rows(spec)
    assert [name for name, _ in rows] == [name for name, _ in reference]
    assert rows == reference
