"""`verify --against torch`: the NumPy executor and the exported PyTorch module, given the
same input and weights, agree on every layer's output to float32 precision."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings

import cnncost
from cnncost.cli.verify import AGAINST_TOLERANCE
from randomspec import random_specs

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("name,resolution", [
    ("lenet5", None), ("alexnet_caffe", 0.5), ("inception_v1", None), ("mobilenet_v2", 0.25),
    ("efficientnet_b0", 0.25), ("resnet50", 0.25), ("densenet121", 0.25), ("vgg16_transfer", 0.5),
    ("lenet5_1998", None),
])
def test_zoo_executors_agree(torch, name, resolution):
    from cnncost.execute.against import against_torch

    graph = cnncost.load(name, resolution=resolution)
    result = against_torch(graph, batch=2, seed=3)
    assert [r.name for r in result.rows] == [n.name for n in graph.nodes[1:]]
    assert result.beyond(AGAINST_TOLERANCE) == ()
    assert all(r.max_abs_value > 0 for r in result.rows if r.op not in ("dropout",))


@pytest.mark.parametrize("text", [  # LeNet-5 (1998)'s kinds in forms beyond the paper's
    "input 14x14x6\nconv 5x5 4 table=((0, 1, 2), (0, 4, 5), (5, 1), (3,)) tanh\n",
    "input 9x9x3\nconv 4x4 3 s2 same nobias table=((2, 0), (1,), (0, 1, 2))\n",
    "input 9x9x3\nsubsample 3x3 s2 same\nsubsample 2x2 ceil\n",
    "input 8x8x3\nsubsample 3x3 s1 p1\nflatten\nrbf 5\n",
])
def test_lenet_kinds_executors_agree(torch, text):
    from cnncost.execute.against import against_torch

    result = against_torch(cnncost.load("<lenet kinds>", text=text), batch=2, seed=5)
    assert result.beyond(AGAINST_TOLERANCE) == ()
    assert all(r.max_abs_value > 0 for r in result.rows)


@pytest.mark.parametrize("text", [  # a flattened map whose fc is as wide as its input:
    "input 2x1x2\nflatten\nfc 4\n",  # the fc's bias runs along its outputs, and its
    "input 1x2x2\nflatten\nfc 4\nfc 4\n",  # output is in spec order (hypothesis found it)
    "input 1x2x2\nflatten\nbn\nrelu\nfc 4\n",  # bn's statistics follow torch's (c, h, w)
])
def test_flattened_features_keep_their_order_only_through_per_feature_layers(torch, text):
    from cnncost.execute.against import against_torch

    result = against_torch(cnncost.load("<flatten>", text=text), batch=2, seed=3)
    assert result.beyond(AGAINST_TOLERANCE) == ()


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=random_specs())
def test_random_specs_executors_agree(torch, text):
    from cnncost.execute.against import against_torch

    try:
        graph = cnncost.load("<random>", text=text)
    except cnncost.CnnCostError:
        assume(False)
    assert against_torch(graph, seed=1).beyond(AGAINST_TOLERANCE) == (), text


def test_verify_against_torch_cli(torch, run_cli):
    code, out, err = run_cli("verify", "lenet5", "--against", "torch")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "lenet5: NumPy executor vs exported PyTorch module, batch 1, seed 0"
    assert len(out.splitlines()) == 2 + 12 + 1  # title, header, a row per layer, verdict
    code, out, _ = run_cli("verify", "lenet5", "--against", "torch", "--format", "json", "--seed", "4")
    data = json.loads(out)
    assert (code, data["ok"], data["seed"], len(data["layers"])) == (0, True, 4, 12)


def test_verify_against_torch_finds_a_wrong_layer(torch, run_cli, monkeypatch):
    from cnncost.layers import REGISTRY

    conv = type(REGISTRY["conv"])
    monkeypatch.setattr(conv, "torch_arrays", lambda self, a, arrays: [arrays[0].transpose(3, 2, 1, 0),
                                                                        *arrays[1:]])  # kh, kw swapped
    code, out, _ = run_cli("verify", "lenet5", "--against", "torch")
    assert code == 1
    assert "conv_pool1.conv1     conv" in out and "<- differs" in out
