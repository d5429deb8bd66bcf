"""`--format keras`: the layout of Keras 3's model.summary(), checked against what Keras
itself reports for the same networks (tests/data: Keras 3.15 per-layer breakdowns and
"Total params")."""
from __future__ import annotations

import json
import re

import pytest

import cnncost
from cnncost.layers import REGISTRY
from cnncost.render.keras import keras_class, keras_rows, keras_shape, memory_size, render_keras
from conftest import DATA, analyze_text


def rows_of(text: str) -> list[list[str]]:
    """The table's rows, cells joined over wrapped lines (names are folded without spaces)."""
    rows, current = [], None
    for line in text.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.split("│")[1:-1]]
            if current is None:
                current = cells
            else:
                # rich breaks at a space (before "(Conv2D)", after a comma) or, in a
                # long name, anywhere
                current = [a + (" " if b and (b.startswith("(") or a.endswith(",")) else "") + b
                           for a, b in zip(current, cells)]
        elif current is not None:
            rows.append(current)
            current = None
    return rows


@pytest.mark.parametrize("kind", sorted({layer.name for layer in REGISTRY.values()}))
def test_every_layer_kind_has_a_keras_class(kind):
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", keras_class(kind))


@pytest.mark.parametrize("model, reference, sequential", [
    ("keras_mnist_cnn", "keras_mnist_cnn", True),
    ("keras_cats_dogs_cnn", "keras_cats_dogs_cnn", True),
    ("mobilenet_v1", "keras_mobilenet", False),
])
def test_rows_line_up_with_keras(model, reference, sequential):
    """Same classes, output shapes and Param # as Keras, row by row. A Sequential model
    lists no InputLayer; Keras's MobileNet ends with Reshape where the spec flattens."""
    ref = json.loads((DATA / "layers" / f"{reference}.json").read_text())["layers"]
    rows = rows_of(render_keras(cnncost.analyze(cnncost.load(model))))
    assert rows[0][0] == "input (InputLayer)"
    if sequential:
        rows = rows[1:]
    assert len(rows) == len(ref)
    for row, layer in zip(rows, ref):
        cls = re.search(r"\((\w+)\)$", row[0]).group(1)
        assert cls == layer["type"] or (cls, layer["type"]) == ("Flatten", "Reshape"), row
        assert row[1] == "(" + ", ".join(["None", *map(str, layer["output_shape"][1:])]) + ")"
        assert int(row[2].replace(",", "")) == layer["params"], row


@pytest.mark.parametrize("model, record", [
    ("vgg16", "keras_vgg16"),
    ("mobilenet_v1", "keras_mobilenet_1.0_224"),
    ("keras_mnist_cnn", "keras_mnist_cnn"),
    ("keras_cats_dogs_cnn", "keras_cats_dogs_cnn"),
])
def test_total_params_is_what_keras_prints(model, record, zoo_records):
    expected = next(r for r in zoo_records if r["name"] == record)
    text = render_keras(cnncost.analyze(cnncost.load(model)))
    total = int(re.search(r"^ Total params: ([\d,]+)", text, re.M).group(1).replace(",", ""))
    assert total == expected["keras_total_params"]
    trainable = re.search(r"^ Trainable params: ([\d,]+)", text, re.M).group(1)
    assert int(trainable.replace(",", "")) == expected["params"]


def test_vgg16_footer_and_frozen_base():
    vgg = render_keras(cnncost.analyze(cnncost.load("vgg16")))
    assert vgg.startswith('Model: "vgg16"\n┏')
    assert vgg.endswith(" Total params: 138,357,544 (527.79 MB)\n"
                        " Trainable params: 138,357,544 (527.79 MB)\n"
                        " Non-trainable params: 0 (0.00 B)\n")
    # seed case 3: frozen params are non-trainable, as in Keras
    frozen = render_keras(cnncost.analyze(cnncost.load("vgg16_transfer")))
    assert frozen.endswith(" Total params: 16,812,353 (64.13 MB)\n"
                           " Trainable params: 2,097,665 (8.00 MB)\n"
                           " Non-trainable params: 14,714,688 (56.13 MB)\n")


@pytest.mark.parametrize("count, size", [(0, "0.00 B"), (61, "244.00 B"), (19_015, "74.28 KB"),
                                         (626_762, "2.39 MB"), (138_357_544, "527.79 MB")])
def test_memory_size_as_keras_writes_it(count, size):
    """Examples from Keras summaries (fp32): 61 params (244.00 B), 19,015 (74.28 KB), ..."""
    assert memory_size(count, 4) == size


def test_dtype_sets_the_memory_size():
    report = cnncost.analyze(cnncost.load("vgg16"), dtype="fp16")
    assert " Total params: 138,357,544 (263.90 MB)" in render_keras(report)


def test_chain_layout_88_columns_graph_layout_108_with_connections():
    vgg = render_keras(cnncost.analyze(cnncost.load("vgg16"))).splitlines()
    assert vgg[2] == "┃ Layer (type)                         ┃ Output Shape                ┃" \
                     "         Param # ┃"
    assert {len(line) for line in vgg[1:-3]} == {88}
    res = render_keras(cnncost.analyze(cnncost.load("resnet18"))).splitlines()
    assert "Connected to" in res[2]
    assert {len(line) for line in res[1:-3]} == {108}
    assert render_keras(cnncost.analyze(cnncost.load("vgg16")), line_length=76).splitlines()[1] \
        == "┏" + "━" * 33 + "┳" + "━" * 24 + "┳" + "━" * 15 + "┓"  # Keras in an 80-column pipe


def test_connected_to_names_the_inputs_of_merges():
    report = cnncost.analyze(cnncost.load("resnet18"))
    rows = {r[0].split(" (")[0]: r for r in rows_of(render_keras(report))}
    assert rows["input"][3] == "-"
    assert rows["conv1"][3] == "input[0][0]"
    add = rows["layer2.0.add1"][3]
    assert add == "layer2.0.bn2[0][0], layer2.0.downsample.1[0][0]"


def test_activation_folds_into_the_conv_it_follows_only():
    report = analyze_text("""network t
input 8x8x3
conv 3x3 4 same relu
bn
relu
conv 1x1 4 sigmoid
""")
    rows = keras_rows(report)
    assert [(r.name, r.op) for r in rows] == [("input", "input"), ("conv1", "conv"), ("bn1", "bn"),
                                             ("relu2", "relu"), ("conv2", "conv")]
    assert rows[-1].inputs == ("relu2",)
    # the folded relu1 was read by bn1, which now reads conv1
    assert rows[2].inputs == ("conv1",)


def test_collapsed_blocks_are_nested_models():
    report = cnncost.collapse(cnncost.analyze(cnncost.load("resnet18")), 1)
    text = render_keras(report)
    assert "Connected to" not in text  # blocks in a row make a chain, shown as Keras would
    rows = rows_of(text)
    # a basic block of 64: two 3x3x64x64 convs, two BNs of 2x64 params + 2x64 statistics
    assert ["layer1.0 (Functional)", "(None, 56, 56, 64)", "74,240"] == rows[5]
    assert 2 * 3 * 3 * 64 * 64 + 2 * 4 * 64 == 74_240
    total = sum(int(r[2].replace(",", "")) for r in rows)
    assert total == 11_689_512 + 9_600


def test_symbolic_counts_print_without_a_size():
    report = analyze_text("network t\nsymbol n\ninput 8x8x3\nconv 3x3 n\n")
    text = render_keras(report)
    assert "\n Total params: 28*n\n Trainable params: 28*n\n Non-trainable params: 0 (0.00 B)\n" in text


def test_keras_shape():
    assert keras_shape((224, 224, 64)) == "(None, 224, 224, 64)"
    assert keras_shape((1000,)) == "(None, 1000)"
