"""The lecture's quantities: `cost` (filter params × output positions × filters, equal to
MACs without bias), LeCun's `connections` (every multiply by a weight plus every bias add)
and `weight_tensors` (the learnable arrays, Keras's len(model.trainable_weights))."""
import json

import pytest

import cnncost
from cnncost.layers import REGISTRY


def analyze(text):
    return cnncost.analyze(cnncost.build(cnncost.parse(text)))


@pytest.mark.parametrize("text, cost, connections, tensors", [
    # seed case 5: 3·3·3 × 4·4 × 5 = 2,160; the separable version 432 + 240 = 672
    ("input 6x6x3\nconv 3x3 5 nobias\n", 2160, 2160, 1),
    ("input 6x6x3\nsepconv 3x3 5 nobias\n", 672, 672, 2),
    ("input 6x6x3\nconv 3x3 5\n", 2160, 2160 + 80, 2),
    # LeNet-5 (LeCun et al. 1998): C1 122,304 connections, F6 10,164
    ("input 32x32x1\nconv 5x5 6\n", 117_600, 122_304, 2),
    ("input 120\nfc 84\n", 10_080, 10_164, 2),
    ("input 8x8x4\nconv 3x3 8 nobias bn relu maxpool 2x2\n", 36 * 8 * 36, 36 * 8 * 36, 3),
    ("input 8x8x4\nconv 3x3 8 nobias bn noscale\n", 36 * 8 * 36, 36 * 8 * 36, 2),
    # a frozen conv keeps its connections but holds no trainable array (Keras)
    ("input 8x8x4\nfreeze:\n    conv 3x3 8\ngap\nfc 2\n", 36 * 8 * 36 + 16, 36 * 8 * 36 + 288 + 16 + 2, 2),
])
def test_quantities(text, cost, connections, tensors):
    t = analyze(text).totals
    assert (t.cost, t.connections, t.weight_tensors) == (cost, connections, tensors)
    assert t.cost == t.macs


@pytest.mark.parametrize("name, tensors", [
    ("keras_mnist_cnn", 10),  # Keras: len(model.trainable_weights) of 5 layers with biases
    ("vgg16_transfer", 4),  # the frozen base holds none trainable: the two Dense layers
    ("resnet50", 161),  # torchvision: len(list(resnet50().parameters()))
    ("googlenet", 173),  # 57 convs without bias, 57 BN (2 each), fc (2)
])
def test_weight_tensors_of_zoo_models(run_cli, name, tensors):
    code, out, err = run_cli("summarize", name, "--format", "json")
    assert code == 0, err
    totals = json.loads(out)["totals"]
    assert totals["weight_tensors"] == tensors
    assert totals["cost"] == totals["macs"]


def test_check_marks_the_quantities(run_cli, tmp_path):
    spec = tmp_path / "q.spec"
    spec.write_text("input 6x6x3\nconv 3x3 5 nobias\nexpect cost 2160\nexpect connections 2160\n"
                    "expect weight_tensors 1\nconv 1x1 4\nexpect connections 320 + 64\n"
                    "expect weight_tensors 3\nexpect total cost 2480\nexpect total connections 2544\n"
                    "expect total weight_tensors 3\n")
    code, out, _ = run_cli("check", str(spec), "--format", "json")
    assert code == 1
    results = json.loads(out)["results"]
    assert [r["ok"] for r in results] == [True, True, True, True, False, True, True, True]
    assert results[0]["working"] == ["cost (output positions·filters × filter params) = 4·4·5 × 3·3·3 = 2,160"]
    assert results[3]["working"] == ["connections = 320 + 64 = 384"]
    assert results[4]["actual"] == 2


def test_a_kind_with_parameters_must_say_its_arrays(monkeypatch):
    monkeypatch.setattr(type(REGISTRY["bn"]), "weight_tensors", lambda self, a: 0)
    with pytest.raises(cnncost.CnnCostError, match="layer kind 'bn' has parameters but does not say"):
        analyze("input 4x4x2\nbn\n")


def test_explain_lecture_adds_the_quantities(run_cli):
    code, out, err = run_cli("explain", "lenet5_1998", "--lecture", "--layer", "conv1")
    assert code == 0, err
    assert out.splitlines()[-3:] == ["    cost = 28·28·6 × 5·5·1 = 117,600",
                                     "    connections = 117600 + 4704 = 122,304",
                                     "    weight tensors = 2"]
    code, plain, _ = run_cli("explain", "lenet5_1998", "--layer", "conv1")
    assert "connections" not in plain  # only on request
    code, out, _ = run_cli("explain", "lenet5_1998", "--lecture", "--format", "json")
    text = json.dumps(json.loads(out))
    assert text.count("connections = ") == 7  # C1, S2, C3, S4, C5, F6 and the RBF layer
