"""Importers (issue 13): Keras configs, ONNX graphs, the spec they write, the command."""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

import cnncost
from cnncost.interop.import_file import model_spec, ops_page
from conftest import REPO, check_golden

MODELS = REPO / "tests" / "data" / "models"
EXPECTED = json.loads((MODELS / "expected.json").read_text())
KERAS = sorted(p.name for p in MODELS.glob("keras_*.json"))


def totals(path_or_text, text=None):
    graph = cnncost.load(str(path_or_text), text=text)
    return cnncost.analyze(graph).totals, graph.nodes[graph.output].shape


def test_every_keras_application_is_a_fixture():
    assert KERAS == sorted(f"keras_{n}.json" for n in (
        "mobilenet", "mobilenetv2", "resnet50", "vgg16", "densenet121", "efficientnetb0", "inceptionv3",
        "xception"))


@pytest.mark.parametrize("name", KERAS)
def test_keras_application_counts_equal_keras(name):
    """count_params() = cnncost's params + buffers; Keras's non-trainable weights are the
    BN statistics (buffers) and frozen layers; output shape as Keras's."""
    expected = EXPECTED[name]
    t, shape = totals(MODELS / name)
    assert t.params + t.buffers == expected["params"]
    assert t.trainable == expected["trainable"]
    assert t.frozen + t.buffers == expected["non_trainable"]
    assert list(shape) == expected["output_shape"]


@pytest.mark.parametrize("name, lines", [
    ("keras_resnet50.json", 40), ("keras_vgg16.json", 26), ("keras_mobilenet.json", 39),
    ("keras_densenet121.json", 48), ("keras_xception.json", 43), ("onnx_resnet50.onnx", 39),
])
def test_written_spec_reads_like_the_zoo(name, lines, tmp_path, run_cli):
    """The written spec's length, and summarize of the written spec == summarize of the file."""
    out = tmp_path / "m.spec"
    code, _, err = run_cli("import", str(MODELS / name), "-o", str(out))
    assert code == 0, err
    text = out.read_text()
    assert len(text.splitlines()) == lines
    assert text.startswith(f"# imported from {name} by cnncost import (")
    code, direct, _ = run_cli("summarize", str(MODELS / name), "--format", "json")
    code2, written, _ = run_cli("summarize", str(out), "--format", "json")
    assert code == code2 == 0
    assert json.loads(direct)["totals"] == json.loads(written)["totals"]


def test_resnet50_spec_has_residual_blocks_repeats_and_a_def():
    """Like specs/resnet50.spec: stage 1 (stride 1) written out, stages 2-4 one def."""
    text = model_spec(str(MODELS / "onnx_resnet50.onnx"))
    assert text.count("residual:") == 4 and text.count("shortcut:") == 2
    lines = text.splitlines()
    assert [line for line in lines if "repeat" in line] == ["repeat 2:", "    repeat c:"]
    assert "def stage(a, b, c):" in lines
    assert lines[-6:-3] == ["stage(128, 512, 3)", "stage(256, 1024, 5)", "stage(512, 2048, 2)"]
    assert "        conv 3x3 a s2 p1 nobias bn relu" in lines
    assert "layer1_0_conv1 = conv 1x1 64 nobias bn relu" in text
    assert "layer1_0_downsample_0 = conv 1x1 256 nobias bn" in text
    assert "conv1 = conv 7x7 64 s2 p3 nobias bn relu" in text


def test_onnx_resnet50_equals_the_zoo_spec():
    """Written by torch.onnx.export with the weights external and then deleted."""
    assert not list(MODELS.glob("*.data"))
    t, shape = totals(MODELS / "onnx_resnet50.onnx")
    zoo = cnncost.analyze(cnncost.load("resnet50")).totals
    assert (t.params, t.buffers, t.macs, shape) == (zoo.params, zoo.buffers, zoo.macs, (1000,))
    assert t.params == EXPECTED["onnx_resnet50.onnx"]["params"] == 25_557_032
    assert t.buffers == EXPECTED["onnx_resnet50.onnx"]["buffers"] == 53_120


def test_onnx_small_counts_equal_torch():
    t, shape = totals(MODELS / "onnx_small.onnx")
    expected = EXPECTED["onnx_small.onnx"]
    assert (t.params, t.buffers, list(shape)) == (expected["params"], expected["buffers"], expected["output_shape"])
    assert t.macs == 16 * 16 * 16 * 27 + 8 * 8 * 16 * 144 + 8 * 8 * 16 * 9 + 160


def test_two_unsupported_ops_exit_2_naming_both(run_cli):
    code, out, err = run_cli("import", str(MODELS / "onnx_two_unsupported.onnx"))
    assert code == 2 and out == ""
    assert "2 ONNX nodes cnncost cannot map" in err
    assert "Erf x1: /Erf" in err and "Cos x1: /Cos" in err
    assert "Traceback" not in err
    code, _, err = run_cli("summarize", str(MODELS / "onnx_two_unsupported.onnx"))
    assert code == 2 and "Erf" in err and "Cos" in err


def test_missing_onnx_says_how_to_install(run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    code, _, err = run_cli("import", str(MODELS / "onnx_small.onnx"))
    assert code == 2
    assert "pip install 'cnncost[onnx]'" in err


def _keras2(config: dict) -> dict:
    """The same model in Keras 2's layout: inbound_nodes as [[name, node, index, kwargs]]."""
    layers = []
    for layer in config["config"]["layers"]:
        layer = json.loads(json.dumps(layer))
        nodes = []
        for node in layer.get("inbound_nodes", []):
            args = node["args"][0] if isinstance(node["args"][0], list) else node["args"]
            nodes.append([[t["config"]["keras_history"][0], 0, 0, {}] for t in args])
        layer["inbound_nodes"] = nodes
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_input_shape"] = layer["config"].pop("batch_shape")
        layers.append(layer)
    return {"class_name": "Model", "config": {**config["config"], "layers": layers}, "keras_version": "2.15.0"}


@pytest.mark.parametrize("name", ["keras_vgg16.json", "keras_mobilenet.json", "keras_resnet50.json"])
def test_keras2_layout_and_keras_archive(name, tmp_path):
    config = json.loads((MODELS / name).read_text())
    expected = EXPECTED[name]
    (tmp_path / "k2.json").write_text(json.dumps(_keras2(config)))
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", "{}")
    for path in (tmp_path / "k2.json", tmp_path / "m.keras"):
        t, shape = totals(path)
        assert (t.params + t.buffers, list(shape)) == (expected["params"], expected["output_shape"])


def test_keras_sequential_and_frozen_layers_become_freeze(tmp_path):
    config = json.loads((MODELS / "keras_vgg16.json").read_text())
    layers = [{k: v for k, v in layer.items() if k != "inbound_nodes"} for layer in config["config"]["layers"]]
    for layer in layers[:5]:  # block1 and block2's first conv
        layer["config"]["trainable"] = False
    seq = {"class_name": "Sequential", "config": {"name": "seq", "layers": layers}}
    path = tmp_path / "seq.json"
    path.write_text(json.dumps(seq))
    text = model_spec(str(path))
    assert "\nfreeze:\n    block1_conv1 = conv 3x3 64 same relu\n" in text
    t, shape = totals(path)
    frozen = (3 * 3 * 3 * 64 + 64) + (3 * 3 * 64 * 64 + 64) + (3 * 3 * 64 * 128 + 128)
    assert (t.params, t.frozen, shape) == (138_357_544, frozen, (1000,))


@pytest.mark.parametrize("cls, cfg, line", [
    ("Conv2D", {"filters": 8, "kernel_size": [3, 3], "strides": [2, 1], "padding": "same", "use_bias": False,
                "dilation_rate": [1, 1], "groups": 1, "activation": "relu6"},
     "conv 3x3 8 stride=(2, 1) same nobias relu6"),
    ("DepthwiseConv2D", {"kernel_size": [5, 5], "strides": [1, 1], "padding": "valid", "depth_multiplier": 2,
                         "use_bias": True, "activation": "linear"}, "dwconv 5x5 m2"),
    ("SeparableConv2D", {"filters": 16, "kernel_size": 3, "strides": 1, "padding": "same", "use_bias": True,
                         "activation": "swish"}, "sepconv 3x3 16 same swish"),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": [2, 2], "strides": [2, 2], "padding": "valid",
                         "use_bias": True, "activation": "linear", "output_padding": None}, "deconv 2x2 4 s2"),
    ("MaxPooling2D", {"pool_size": [3, 3], "strides": [1, 1], "padding": "same"}, "maxpool 3x3 s1 same"),
    ("AveragePooling2D", {"pool_size": [2, 2], "strides": None, "padding": "valid"}, "avgpool 2x2"),
    ("ZeroPadding2D", {"padding": [[0, 1], [2, 3]]}, "pad (0, 1, 2, 3)"),
    ("UpSampling2D", {"size": [2, 2], "interpolation": "nearest"}, "upsample 2"),
    ("LeakyReLU", {"negative_slope": 0.2}, "leakyrelu alpha=0.2"),
    ("ReLU", {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, "relu6"),
    ("BatchNormalization", {"center": True, "scale": False}, "bn noscale"),
    ("Activation", {"activation": "hard_sigmoid"}, "hsigmoid"),
    ("Dropout", {"rate": 0.25}, "dropout 0.25"),
])
def test_keras_layer_lines(cls, cfg, line, tmp_path):
    """One Keras layer after a 16x16x4 input: the spec line written."""
    config = {"class_name": "Sequential", "config": {"name": "one", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 16, 4], "name": "inp"}},
        {"class_name": cls, "config": {"name": "lay", **cfg}}]}}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(config))
    assert model_spec(str(path)).splitlines()[-1] == f"lay = {line}"
    cnncost.load(str(path))  # and it builds


def test_unmapped_keras_layers_are_listed(tmp_path):
    config = {"class_name": "Sequential", "config": {"name": "one", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 16, 4], "name": "inp"}},
        {"class_name": "Cropping3D", "config": {"name": "crop"}},
        {"class_name": "UpSampling2D", "config": {"name": "up", "size": 2, "interpolation": "bilinear"}},
        {"class_name": "Activation", "config": {"name": "act", "activation": "elu"}}]}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.load(str(path))
    message = err.value.message
    assert "3 Keras layers cnncost cannot map" in message
    assert "Cropping3D x1: crop" in message and "UpSampling2D x1: up (interpolation=bilinear" in message
    assert "Activation x1: act (activation 'elu')" in message


def test_keras_open_input_needs_in(tmp_path, run_cli):
    config = json.loads((MODELS / "keras_vgg16.json").read_text())
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, None, None, 3]
    (tmp_path / "open.json").write_text(json.dumps(config))
    code, _, err = run_cli("import", str(tmp_path / "open.json"))
    assert code == 2 and "--in HxWxC" in err
    code, out, _ = run_cli("import", str(tmp_path / "open.json"), "--in", "224x224x3")
    assert code == 0 and "input 224x224x3" in out


def test_interop_ops_page_is_current():
    check_golden(REPO / "docs" / "interop-ops.md", ops_page())


def _onnx_file(tmp_path, nodes, inits, out_channels):
    """A small ONNX graph made with onnx.helper: input 1x8x4x4 (weights as shapes only)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    tensors = [numpy_helper.from_array(np.zeros(shape, dtype=np.float32) if dtype == "f" else
                                       np.array(shape, dtype=np.int64), name) for name, shape, dtype in inits]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], tensors)
    path = tmp_path / "g.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_onnx_split_is_channel_slices(tmp_path):
    from onnx import helper

    path = _onnx_file(tmp_path, [
        helper.make_node("Split", ["x", "sizes"], ["a", "b"], axis=1, name="split"),
        helper.make_node("Conv", ["b", "w"], ["c"], kernel_shape=[1, 1], name="conv"),
        helper.make_node("Concat", ["a", "c"], ["y"], axis=1, name="cat"),
    ], [("sizes", [3, 5], "i"), ("w", (2, 5, 1, 1), "f")], 5)
    text = model_spec(str(path))
    assert "split = slice 0:3" in text and "split_1 = slice 3:8" in text
    t, shape = totals(path)
    assert (t.params, t.macs, shape) == (2 * 5, 4 * 4 * 2 * 5, (4, 4, 5))


@pytest.mark.parametrize("node, line", [
    (("Clip", ["x", "lo", "hi"], {}), "relu6"),
    (("LeakyRelu", ["x"], {"alpha": 0.1}), "leakyrelu alpha=0.1"),
    (("HardSigmoid", ["x"], {"alpha": 1 / 6, "beta": 0.5}), "hsigmoid"),
    (("MaxPool", ["x"], {"kernel_shape": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1]}), "maxpool 3x3 s1 p1"),
    (("AveragePool", ["x"], {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1}), "avgpool 2x2 ceil"),
    (("Pad", ["x", "pads"], {}), "pad (0, 1, 0, 1)"),
    (("ReduceMean", ["x", "axes"], {"keepdims": 1}), "gap"),
    (("Resize", ["x", "", "scales"], {"mode": "nearest"}), "upsample 2"),
])
def test_onnx_node_lines(tmp_path, node, line):
    from onnx import helper

    op, inputs, attrs = node
    inits = [("lo", [0], "f"), ("hi", [6], "f"), ("pads", [0, 0, 0, 0, 0, 0, 1, 1], "i"), ("axes", [2, 3], "i"),
             ("scales", [1, 1, 2, 2], "f")]
    import numpy as np
    from onnx import numpy_helper

    tensors = {name: (np.array(v, dtype=np.float32) if d == "f" else np.array(v, dtype=np.int64))
               for name, v, d in inits}
    path = _onnx_file(tmp_path, [helper.make_node(op, inputs, ["y"], name="n", **attrs)], [], 8)
    import onnx

    model = onnx.load(str(path))
    model.graph.initializer.extend(numpy_helper.from_array(tensors[i], i) for i in inputs if i in tensors)
    onnx.save(model, str(path))
    assert model_spec(str(path)).splitlines()[-1] == f"n = {line}"
    cnncost.load(str(path))


# ---- patterns one entry reads as its layer (layers' match_onnx hooks)
@pytest.mark.parametrize("name, lines, macs", [
    # ShuffleNet v2 unit: conv1 8*8*24*27, two 1x1 convs 64*12*12, depthwise 64*12*9
    ("onnx_shuffle.onnx", ["Slice = slice 0:12", "Reshape = shuffle 2"], 8 * 8 * 24 * 27 + 2 * 64 * 144 + 64 * 12 * 9),
    # nn.LocalResponseNorm(3, alpha=2e-4, beta=0.7, k=2) and (5): Mul, Pad, AveragePool, Pow, Div
    ("onnx_lrn.onnx", ["conv1 = conv 5x5 16 s2 relu lrn size=3 alpha=0.0002 beta=0.7 k=2", "lrn2 = lrn"],
     6 * 6 * 16 * 75),
    # torch.matmul(x, w) + b: MatMul then Add of the bias vector
    ("onnx_matmul.onnx", ["MatMul = fc 20 relu", "fc_ = fc 10"], 48 * 20 + 20 * 10),
])
def test_onnx_patterns_import_exactly(name, lines, macs):
    text = model_spec(str(MODELS / name))
    for line in lines:
        assert line in [t.strip() for t in text.splitlines()]
    t, shape = totals(MODELS / name)
    expected = EXPECTED[name]
    out = expected["output_shape"]
    assert (t.params, t.buffers, t.macs) == (expected["params"], expected["buffers"], macs)
    assert list(shape) == (out[1:] + out[:1] if len(out) == 3 else out)  # torch's CHW is HxWxC


def _shuffle_graph(tmp_path, perm, back):
    """x (1x8x4x4) -> Reshape (1, 2, 4, 4, 4) -> Transpose perm -> Reshape back."""
    from onnx import helper

    return _onnx_file(tmp_path, [
        helper.make_node("Reshape", ["x", "split"], ["r"], name="r"),
        helper.make_node("Transpose", ["r"], ["t"], perm=perm, name="t"),
        helper.make_node("Reshape", ["t", "back"], ["y"], name="s"),
    ], [("split", [1, 2, 4, 4, 4], "i"), ("back", back, "i")], 8)


@pytest.mark.parametrize("perm, back, line", [
    ([0, 2, 1, 3, 4], [1, 8, 4, 4], "r = shuffle 2"),
    ([0, 2, 1, 3, 4], [1, -1, 4, 4], "r = shuffle 2"),
    ([0, 1, 2, 4, 3], [1, 8, 4, 4], None),  # swaps H and W: not a channel shuffle
    ([0, 2, 1, 3, 4], [1, 4, 8, 4], None),  # not viewed back as the input
])
def test_onnx_channel_shuffle_pattern(tmp_path, run_cli, perm, back, line):
    path = _shuffle_graph(tmp_path, perm, back)
    if line:
        assert model_spec(str(path)).splitlines()[-1] == line
        assert totals(path)[1] == (4, 4, 8)
        return
    code, _, err = run_cli("import", str(path))
    assert code == 2 and "Reshape x2: r, s" in err and "Transpose x1: t" in err


@pytest.mark.parametrize("bias, line", [([10], "m = fc 10"), ([1, 10], "m = fc 10"), (None, "m = fc 10 nobias")])
def test_onnx_matmul_and_bias_add_is_fc(tmp_path, bias, line):
    from onnx import helper

    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat"),
             helper.make_node("MatMul", ["f", "w"], ["m" if bias else "y"], name="m")]
    if bias:
        nodes.append(helper.make_node("Add", ["b", "m"], ["y"], name="a"))
    path = _onnx_file(tmp_path, nodes, [("w", (128, 10), "f")] + ([("b", tuple(bias), "f")] if bias else []), 10)
    assert model_spec(str(path)).splitlines()[-1] == line
    t, shape = totals(path)
    assert (t.params, t.macs, shape) == (128 * 10 + (10 if bias else 0), 1280, (10,))


def test_onnx_matmul_of_a_map_is_not_fc(tmp_path, run_cli):
    """x @ W on NCHW multiplies along W: no cnncost kind; it is listed, never counted as an fc."""
    from onnx import helper

    path = _onnx_file(tmp_path, [helper.make_node("MatMul", ["x", "w"], ["y"], name="m")], [("w", (4, 4), "f")], 8)
    code, _, err = run_cli("import", str(path))
    assert code == 2 and "MatMul x1: m (MatMul giving (4, 4, 8) (fc maps a vector))" in err


@pytest.mark.parametrize("attrs, line", [
    ({"size": 5}, "n = lrn"),
    ({"size": 3, "alpha": 2e-4, "beta": 0.7, "bias": 2.0}, "n = lrn size=3 alpha=0.0002 beta=0.7 k=2"),
])
def test_onnx_lrn_node(tmp_path, attrs, line):
    from onnx import helper

    path = _onnx_file(tmp_path, [helper.make_node("LRN", ["x"], ["y"], name="n", **attrs)], [], 8)
    assert model_spec(str(path)).splitlines()[-1] == line
    t, _ = totals(path)
    assert t.other_ops == 4 * 4 * 8 * (attrs["size"] + 3)
