"""Importers (issue 13): Keras configs, ONNX graphs, the spec they write, the command."""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

import cnncost
from cnncost.interop.import_file import model_spec, ops_page
from cnncost.interop.import_keras import read_keras
from cnncost.interop.spec_writer import INPUT, flat_spec, write_spec
from conftest import REPO, check_golden

MODELS = REPO / "tests" / "data" / "models"
EXPECTED = json.loads((MODELS / "expected.json").read_text())
# every Keras layer's output shape as Keras gives it (batch axis dropped), by fixture
LAYER_SHAPES = json.loads((MODELS / "layer_shapes_keras.json").read_text())
KERAS = sorted(p.name for p in MODELS.glob("keras*.json"))
SMALL_KERAS = ("keras2_mobilenet.json", "keras_concat_in_residual.json", "keras_cropping.json",
               "keras_residual_in_concat.json", "keras_sequential.json")  # make_fixtures.small_keras_models


def totals(path_or_text, text=None):
    graph = cnncost.load(str(path_or_text), text=text)
    return cnncost.analyze(graph).totals, graph.nodes[graph.output].shape


def test_every_keras_application_is_a_fixture():
    assert [n for n in KERAS if n not in SMALL_KERAS] == sorted(f"keras_{n}.json" for n in (
        "mobilenet", "mobilenetv2", "resnet50", "vgg16", "densenet121", "efficientnetb0", "inceptionv3",
        "xception"))
    assert set(SMALL_KERAS) <= set(KERAS)
    assert set(KERAS) <= set(EXPECTED) and set(KERAS) == set(LAYER_SHAPES)


def _unflattened(config) -> list:
    """Global pooling layers (keepdims=False) whose every reader is a Reshape to (1, 1, C)."""
    layers = config["config"]["layers"]
    readers: dict = {}
    for layer in layers:
        for node in layer.get("inbound_nodes", []):
            args = node["args"][0] if isinstance(node, dict) and isinstance(node["args"][0], list) else \
                node["args"] if isinstance(node, dict) else node
            for t in args:
                source = t["config"]["keras_history"][0] if isinstance(t, dict) else t[0]
                readers.setdefault(source, []).append(layer)
    return [layer["config"]["name"] for layer in layers if layer["class_name"].startswith("Global")
            and not layer["config"].get("keepdims") and readers.get(layer["config"]["name"])
            and all(r["class_name"] == "Reshape" and r["config"]["target_shape"][:2] == [1, 1]
                    for r in readers[layer["config"]["name"]])]


@pytest.mark.parametrize("name", KERAS)
def test_keras_layer_shapes_equal_keras(name):
    """Every Keras layer's output shape, as Keras gives it (global pooling with keepdims=False
    is (C,), not 1x1xC), equals the shape of the step the importer made of it."""
    imported = read_keras(str(MODELS / name))
    text, names = flat_spec(imported)
    graph = cnncost.load("<flat>", text=text)
    shapes = {}
    for n in graph.nodes:  # a composite's (sepconv's) statement gives its last part's output
        shapes[n.name.split(".")[0]] = list(n.shape)
    expected = dict(LAYER_SHAPES[name])
    # one exception, counted: global pooling read only by a Reshape back to (1, 1, C)
    # (EfficientNet's squeeze-excite) is imported as the 1x1xC map the pair makes
    undone = _unflattened(json.loads((MODELS / name).read_text()))
    assert len(undone) == (16 if name == "keras_efficientnetb0.json" else 0)
    for layer in undone:
        assert len(expected[layer]) == 1
        expected[layer] = [1, 1, expected[layer][0]]
    got = {layer: shapes[names[imported.outputs[layer]]] for layer in expected}
    assert got == expected
    assert len(expected) == len([layer for layer in imported.outputs if imported.outputs[layer] != INPUT]) + sum(
        1 for layer in expected if imported.outputs[layer] == INPUT)


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
    # Keras's GlobalAveragePooling2D gives (None, C): `gap` then `flatten` (one line more than
    # before Keras's shapes were kept exactly)
    ("keras_resnet50.json", 41), ("keras_vgg16.json", 26), ("keras_mobilenet.json", 39),
    ("keras_densenet121.json", 49), ("keras_xception.json", 44), ("onnx_resnet50.onnx", 39),
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
    """The same model in Keras 2's layout (inbound_nodes as [[name, node, index, kwargs]]),
    converted as make_fixtures.py converts keras2_mobilenet.json (it imports no framework)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", MODELS / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.keras2_layout(config)


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
    ("Cropping2D", {"cropping": [[0, 1], [2, 3]], "data_format": "channels_last"}, "crop (0, 1, 2, 3)"),
    ("Cropping2D", {"cropping": [[1, 1], [1, 1]]}, "crop 1"),
    ("Cropping2D", {"cropping": 2}, "crop 2"),
    ("GlobalAveragePooling2D", {"keepdims": True}, "gap"),
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


@pytest.mark.parametrize("cls, kind", [("GlobalMaxPooling2D", "gmp"), ("GlobalAveragePooling2D", "gap")])
def test_keras_global_pooling_without_keepdims_is_a_vector(cls, kind, tmp_path):
    """keepdims=False (Keras's default): (None, C), so the pooling then a flatten."""
    config = {"class_name": "Sequential", "config": {"name": "one", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 16, 4], "name": "inp"}},
        {"class_name": cls, "config": {"name": "lay", "keepdims": False}}]}}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(config))
    assert model_spec(str(path)).splitlines()[-2:] == [f"lay = {kind}", "lay_flatten = flatten"]
    assert totals(path)[1] == (4,)


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


@pytest.mark.parametrize("op", ["Conv", "ConvTranspose"])
def test_onnx_weight_computed_in_the_graph_is_named_not_a_crash(tmp_path, run_cli, op):
    """torch's exporter writes a weight that forward reshapes (LeNet-5 1998's exported
    Subsample, TableConv) as a node's output; one of over 64 values is not folded, so its
    shape is not an initializer's."""
    from onnx import helper

    path = _onnx_file(tmp_path, [
        helper.make_node("Reshape", ["v", "shape"], ["w"], name="view"),
        helper.make_node(op, ["x", "w"], ["y"], kernel_shape=[1, 1], name="conv"),
    ], [("v", (128,), "f"), ("shape", [16, 8, 1, 1] if op == "Conv" else [8, 16, 1, 1], "i")], 16)
    code, out, err = run_cli("summarize", str(path))
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert f"{op} x1: conv ({op} with a computed weight (input 1 is not an initializer))" in err


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


def _open_input(tmp_path, name="keras_cropping.json"):
    """A fixture whose input layer leaves the height and width open: (None, None, 3)."""
    config = json.loads((MODELS / name).read_text())
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, None, None, 3]
    path = tmp_path / "open.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize("command", ["summarize", "compare", "check", "explain", "graph", "verify", "train",
                                     "sweep", "export"])
def test_open_input_size_commands_say_resolution_and_take_it(command, tmp_path, run_cli):
    """Every command reading a model file: an open input size is a clear error naming
    --in and --resolution (exit 2); with --resolution 32 the model is 32x32x3."""
    path = str(_open_input(tmp_path))
    args = [command, path] + ([path] if command == "compare" else ["--to", "pytorch"] if command == "export" else [])
    code, out, err = run_cli(*args)
    assert code == 2 and "Traceback" not in err
    assert "(None, None, 3): its size is left open" in err and "--in HxWxC" in err and "--resolution R" in err
    code, out, err = run_cli(*args, "--resolution", "32")
    if command == "check":  # built at 32x32x3; a model file has no `expect` lines
        assert code == 2 and "no `expect` lines to check" in err and "left open" not in err
    else:
        assert code == 0, err
        assert "32x32x3" in out or "(N, 3, 32, 32)" in out, out


def test_open_input_size_in_python_and_import(tmp_path, run_cli):
    path = _open_input(tmp_path)
    graph = cnncost.load(str(path), resolution=32)
    t = cnncost.analyze(graph).totals
    # conv1 3x3x3x8 + 8 on 32x32 same; crops to 29x29 then 25x25; conv2 3x3 s2 valid: 12x12x16
    assert [n.shape for n in graph.nodes] == [(32, 32, 3), (32, 32, 8), (32, 32, 8), (29, 29, 8), (25, 25, 8),
                                              (12, 12, 16), (1, 1, 16), (16,)]
    assert (t.params, t.macs) == (EXPECTED["keras_cropping.json"]["params"], 32 * 32 * 216 + 12 * 12 * 16 * 72)
    code, out, _ = run_cli("import", str(path), "--in", "40x36x3")
    assert code == 0 and "input 40x36x3" in out
    with pytest.raises(cnncost.CnnCostError, match="left open"):
        cnncost.load(str(path), resolution="0.5")  # a scale of an open size is no size


NESTED = ["keras_residual_in_concat.json", "keras_concat_in_residual.json", "keras_cropping.json",
          "keras_sequential.json"]


@pytest.mark.parametrize("name", NESTED)
def test_small_keras_models_write_golden_specs(name, run_cli):
    """The spec written for each small model (blocks nested in branches, Cropping2D, a
    Sequential model), checked by eye; summarize of it equals Keras's counts and shape."""
    text = model_spec(str(MODELS / name))
    check_golden(REPO / "tests" / "golden" / "import" / name.replace(".json", ".spec"), text)
    expected = EXPECTED[name]
    t, shape = totals("written.spec", text)
    assert (t.params + t.buffers, t.trainable, list(shape)) == (
        expected["params"], expected["trainable"], expected["output_shape"])


@pytest.mark.parametrize("name", KERAS + ["onnx_small.onnx", "onnx_resnet50.onnx"])
def test_written_spec_equals_the_flat_spec(name):
    """Independent of the blocks, repeats and defs the writer finds: the written spec and
    one named line per step give the same totals and the same output shape."""
    from cnncost.interop.import_file import read_model

    imported = read_model(str(MODELS / name))
    flat = cnncost.load("<flat>", text=flat_spec(imported)[0])
    written = cnncost.load("<written>", text=write_spec(imported))
    a, b = cnncost.analyze(flat).totals, cnncost.analyze(written).totals
    assert (a.params, a.buffers, a.macs, a.other_ops, flat.nodes[flat.output].shape) == \
        (b.params, b.buffers, b.macs, b.other_ops, written.nodes[written.output].shape)


def _steps(*rows):
    """An Imported model on a 8x8x4 input from (name, kind, args, inputs) rows."""
    from cnncost.interop.spec_writer import Imported, Step

    steps = [Step(n, k, a, tuple(i.split()) if i else (INPUT,)) for n, k, a, i in rows]
    return Imported("nested", "hand.json", "hand", (8, 8, 4), steps, steps[-1].name)


NESTINGS = {
    # a residual inside a residual's body
    "residual_in_residual": _steps(("c1", "conv", "3x3 4 same", ""), ("c2", "conv", "1x1 4", "c1"),
                                   ("inner", "add", "", "c1 c2"), ("c3", "conv", "1x1 4", "inner"),
                                   ("outer", "add", "", f"{INPUT} c3")),
    # a concat inside a concat's branch, beside a plain branch
    "concat_in_concat": _steps(("a", "conv", "1x1 2", ""), ("b1", "conv", "1x1 2", "a"),
                               ("b2", "conv", "3x3 2 same", "a"), ("ab", "concat", "", "b1 b2"),
                               ("c", "conv", "3x3 3 same", ""), ("cat", "concat", "", "ab c")),
    # a mul (squeeze-excite) whose input is the branch's previous line, inside a residual
    "se_in_residual": _steps(("e", "conv", "1x1 8", ""), ("sq", "gap", "", "e"), ("fc1", "conv", "1x1 8", "sq"),
                             ("gate", "sigmoid", "", "fc1"), ("se", "mul", "", "e gate"),
                             ("p", "conv", "1x1 4", "se"), ("out", "add", "", f"{INPUT} p"), ("act", "relu", "", "out")),
}


@pytest.mark.parametrize("name", sorted(NESTINGS))
def test_nested_blocks_are_written_nested(name):
    imported = NESTINGS[name]
    text = write_spec(imported)
    check_golden(REPO / "tests" / "golden" / "import" / f"{name}.spec", text)
    assert "from=" not in text and "x_input" not in text
    flat = cnncost.load("<flat>", text=flat_spec(imported)[0])
    written = cnncost.load("<written>", text=text)
    a, b = cnncost.analyze(flat).totals, cnncost.analyze(written).totals
    assert (a.params, a.macs, a.other_ops, flat.nodes[flat.output].shape) == \
        (b.params, b.macs, b.other_ops, written.nodes[written.output].shape)


@pytest.mark.parametrize("starts, ends, axes, line, shape", [
    ([1, 0], [2**63 - 1, -1], [2, 3], "crop (1, 0, 0, 1)", (3, 3, 8)),  # x[:, :, 1:, :-1]
    ([-3], [3], [-2], "crop (1, 1, 0, 0)", (2, 4, 8)),  # negative axis and start
    ([0, 1], [4, 3], [3, 2], "crop (1, 1, 0, 0)", (2, 4, 8)),  # axes in any order; width whole
])
def test_onnx_slice_of_height_and_width_is_a_crop(tmp_path, starts, ends, axes, line, shape):
    from onnx import helper

    path = _onnx_file(tmp_path, [helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"], name="n")],
                      [("starts", starts, "i"), ("ends", ends, "i"), ("axes", axes, "i")], 8)
    assert model_spec(str(path)).splitlines()[-1] == f"n = {line}"
    t, out = totals(path)
    assert (t.params, t.macs, out) == (0, 0, shape)


def test_onnx_slice_of_channels_and_height_is_unmapped(tmp_path):
    from onnx import helper

    path = _onnx_file(tmp_path, [helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"], name="n")],
                      [("starts", [0, 1], "i"), ("ends", [4, 3], "i"), ("axes", [1, 2], "i")], 8)
    with pytest.raises(cnncost.CnnCostError, match="Slice x1: n"):
        cnncost.load(str(path))


def test_keras2_sequential_without_input_layer(tmp_path):
    """Keras 2 writes a Sequential model's input size as the first layer's
    batch_input_shape, with no InputLayer: the same counts and shapes."""
    config = json.loads((MODELS / "keras_sequential.json").read_text())
    layers = config["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer"
    first = {**layers[1], "config": {**layers[1]["config"], "batch_input_shape": layers[0]["config"]["batch_shape"]}}
    keras2 = {"class_name": "Sequential", "keras_version": "2.15.0",
              "config": {"name": config["config"]["name"], "layers": [first, *layers[2:]]}}
    path = tmp_path / "k2seq.json"
    path.write_text(json.dumps(keras2))
    expected = EXPECTED["keras_sequential.json"]
    t, shape = totals(path)
    assert (t.params, list(shape)) == (expected["params"], expected["output_shape"])
    assert model_spec(str(path)).split("\n\n", 1)[1] == model_spec(str(MODELS / "keras_sequential.json")).split(
        "\n\n", 1)[1]
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
