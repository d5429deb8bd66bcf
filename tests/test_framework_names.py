"""Issue 18 item 6: zoo specs taken from torchvision or Keras carry the framework's names.

tests/data/names/<spec>.json (written by tests/data/names/make_names.py from torchvision 0.28 and
keras.applications) lists [module path, numel of its own parameters] for every module with
parameters, in the framework's order. cnncost's rows with params > 0 must have the same names in
the same order, and each the same params: a name on the wrong layer shows as a params mismatch.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cnncost

NAMES = Path(__file__).parent / "data" / "names"
SPECS = sorted(p.stem for p in NAMES.glob("*.json"))


def test_every_spec_taken_from_a_framework_has_a_names_file():
    from_framework = {"alexnet", "densenet121", "efficientnet_b0", "googlenet", "googlenet_aux",
                      "inception_v3", "mobilenet_v1", "mobilenet_v2", "resnet18", "resnet34",
                      "resnet50", "resnet101", "resnet152", "resnet50_v1", "squeezenet1_0",
                      "vgg11", "vgg13", "vgg16", "vgg19", "vgg16_transfer"}
    assert from_framework <= set(SPECS)


def _rows(spec: str) -> list[tuple[str, int]]:
    graph = cnncost.load(spec)
    report = cnncost.analyze(graph, training=bool(graph.train))  # googlenet_aux: its aux heads too
    return [(r.name, r.params) for r in report.layers if r.params > 0]


# Where the framework lists some layers in another order than cnncost can: the layers (a pattern
# on their names) that may stand elsewhere; all others keep the framework's order.
REORDERED = {
    # Keras's summary() lists layers by depth in the graph: a first block's shortcut and the
    # body's last conv side by side (_0_conv, _3_conv, _0_bn, _3_bn); cnncost lists the
    # `residual:` body, then its `shortcut:` (_3_conv, _3_bn, _0_conv, _0_bn)
    "resnet50_v1": r"conv\d_block1_[03]_(conv|bn)",
}


@pytest.mark.parametrize("spec", SPECS)
def test_names_of_layers_with_params_are_the_framework_names(spec):
    reference = [tuple(row) for row in json.loads((NAMES / f"{spec}.json").read_text())]
    rows = _rows(spec)
    if spec in REORDERED:
        moved = re.compile(REORDERED[spec])
        assert sorted(rows) == sorted(reference)
        rows, reference = ([row for row in table if not moved.fullmatch(row[0])]
                           for table in (rows, reference))
    assert [name for name, _ in rows] == [name for name, _ in reference]
    assert rows == reference
