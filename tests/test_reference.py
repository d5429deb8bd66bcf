"""Our counts against numbers measured with PyTorch 2.13 / torchvision 0.28 and Keras 3.15
(tests/data is a copy of ../shared/reference). These are facts: a mismatch is our bug."""
from __future__ import annotations

import json

import pytest

import cnncost
from cnncost import zoo
from conftest import DATA

RECORDS = json.loads((DATA / "zoo-visible.json").read_text())


def zoo_target(record: str):
    """(zoo name, params, resolution) that builds the network a record measured."""
    if record.startswith("keras_mobilenet_"):
        alpha, resolution = record.removeprefix("keras_mobilenet_").split("_")
        return "mobilenet_v1", {"alpha": alpha}, int(resolution)
    if record.endswith("_at224"):
        return record.removesuffix("_at224"), {}, 224
    if record == "keras_vgg16_notop_150":
        return "vgg16", {"include_top": 0}, 150
    aliases = {"keras_vgg16": "vgg16", "alexnet_caffe_bvlc": "alexnet_caffe"}
    return aliases.get(record, record), {}, None


def _available(record) -> bool:
    return zoo.find(zoo_target(record["name"])[0]) is not None


AVAILABLE = [r for r in RECORDS if _available(r)]


def _report(name):
    target, params, resolution = zoo_target(name)
    return cnncost.analyze(cnncost.load(target, params, resolution=resolution))


@pytest.mark.parametrize("record", AVAILABLE, ids=[r["name"] for r in AVAILABLE])
def test_zoo_record(record):
    report = _report(record["name"])
    t = report.totals
    assert list(report.input) == record["input_shape"]
    assert list(report.output) == record["output_shape"]
    assert t.params == record["params"]
    assert t.buffers == record["bn_statistics"]
    assert t.macs == record["macs"]
    if "keras_total_params" in record:  # Keras "Total params" = params + buffers
        assert t.params + t.buffers == record["keras_total_params"]


def test_every_record_is_checked():
    """All 39 records have a zoo model: none is left out of test_zoo_record."""
    assert AVAILABLE == RECORDS and len(RECORDS) == 39
    names = {r["name"] for r in AVAILABLE}
    assert {"alexnet", "vgg11", "vgg13", "vgg16", "vgg19", "lenet5", "alexnet_caffe_bvlc",
            "keras_mnist_cnn", "keras_cats_dogs_cnn", "keras_vgg16",
            "keras_vgg16_notop_150"} <= names
    # EfficientNet B1-B7 at their own resolutions, and B1-B3 at 224
    assert {f"efficientnet_b{i}" for i in range(1, 8)} <= names
    assert {f"efficientnet_b{i}_at224" for i in range(1, 4)} <= names


# ---------------------------------------------------------------------------- per layer
# Our ops and the frameworks' module types, grouped into the kinds compared row by row.
# Activations, dropout and flatten are left out: torchvision reuses one ReLU module per
# block and Keras folds activations into Conv2D/Dense, so their rows do not line up.
KIND_OF_OP = {"conv": "conv", "dwconv": "conv", "deconv": "conv", "fc": "fc", "bn": "bn",
              "maxpool": "pool", "avgpool": "pool", "adaptiveavgpool": "pool", "gap": "pool",
              "gmp": "pool", "adaptivemaxpool": "pool", "lrn": "norm", "pad": "pad"}
KIND_OF_TYPE = {"Conv2d": "conv", "Conv2D": "conv", "DepthwiseConv2D": "conv", "Linear": "fc",
                "Dense": "fc", "BatchNorm2d": "bn", "BatchNormalization": "bn",
                "MaxPool2d": "pool", "AvgPool2d": "pool", "AdaptiveAvgPool2d": "pool",
                "MaxPooling2D": "pool", "GlobalAveragePooling2D": "pool",
                "LocalResponseNorm": "norm", "ZeroPadding2D": "pad"}
LAYER_FILES = {p.stem: p for p in sorted((DATA / "layers").glob("*.json"))}
LAYER_TARGETS = {"alexnet_caffe_bvlc": "alexnet_caffe", "keras_mobilenet": "mobilenet_v1"}
# Ops a model runs as functions in forward(), so they have no module row in the table:
# torchvision's MobileNetV2 pools with F.adaptive_avg_pool2d.
FUNCTIONAL = {"mobilenet_v2": {"gap", "adaptiveavgpool"}}


def _hwc(shape, framework):
    """Batch axis dropped; PyTorch's CHW turned into our HWC."""
    dims = tuple(shape[1:])
    if framework == "torch" and len(dims) == 3:
        c, h, w = dims
        return (h, w, c)
    return dims


def _theirs(data):
    rows = []
    for layer in data["layers"]:
        kind = KIND_OF_TYPE.get(layer["type"])
        if kind is None or layer.get("call", 1) != 1:
            continue
        if data["framework"] == "keras":
            params, buffers = layer["params_trainable"], layer["params_non_trainable"]
        else:  # torch buffers include BatchNorm's num_batches_tracked counter
            params = layer["params"]
            buffers = layer["buffers"] - (1 if layer["type"] == "BatchNorm2d" else 0)
        rows.append((kind, _hwc(layer["output_shape"], data["framework"]), params, buffers,
                     layer["macs"], layer["name"]))
    return rows


def _ours(report, skip=frozenset()):
    return [(KIND_OF_OP[r.op], tuple(r.output), r.params, r.buffers, r.macs, r.name)
            for r in report.layers if r.op in KIND_OF_OP and r.op not in skip]


PER_LAYER = [stem for stem in LAYER_FILES if zoo.find(LAYER_TARGETS.get(stem, stem))]


@pytest.mark.parametrize("stem", PER_LAYER)
def test_per_layer(stem):
    data = json.loads(LAYER_FILES[stem].read_text())
    report = cnncost.analyze(cnncost.load(LAYER_TARGETS.get(stem, stem)))
    ours, theirs = _ours(report, FUNCTIONAL.get(stem, frozenset())), _theirs(data)
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    for mine, ref in zip(ours, theirs):
        assert mine[:5] == ref[:5], f"our {mine[5]} vs their {ref[5]}: {mine[:5]} != {ref[:5]}"


def test_per_layer_covers_the_core_files():
    assert {"vgg16", "lenet5", "alexnet_caffe_bvlc", "keras_mnist_cnn", "keras_cats_dogs_cnn",
            "resnet50", "mobilenet_v2", "googlenet", "keras_mobilenet"} <= set(PER_LAYER)
    assert set(PER_LAYER) == set(LAYER_FILES)
