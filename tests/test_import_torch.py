"""Round trips through PyTorch (torch tier): every zoo spec built in PyTorch by the
exporter, then read back through torch.fx (cnncost.from_torch) and through ONNX
(torch.onnx.export, TorchScript exporter): params, buffers, MACs and output shape
equal the zoo spec's to the unit."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from exported import PYTORCH_REFUSES

import cnncost
from cnncost import zoo
from conftest import REPO

SPECS = sorted({entry.spec for name, entry in zoo.entries().items() if name not in PYTORCH_REFUSES})
# torch.onnx writes nn.LocalResponseNorm as its arithmetic (Mul, Pad, AveragePool, Pow,
# Div, ...), not as an ONNX LRN node: those imports stop and name the ops (under the name of
# the spec's first LRN layer: Caffe's norm1 in alexnet_caffe)
LRN_DECOMPOSED = {"alexnet_caffe": "norm1", "inception_v1": "lrn1"}


@pytest.fixture(scope="module")
def trips():
    """Every zoo spec's round trips, computed in one child process (see round_trip.py)."""
    run = subprocess.run([sys.executable, str(REPO / "tests/data/models/round_trip.py"), *SPECS],
                         capture_output=True, text=True, timeout=1800,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


@pytest.mark.torch
@pytest.mark.parametrize("name", SPECS)
def test_fx_round_trip(trips, name):
    assert trips[name]["fx"] == trips[name]["zoo"]


@pytest.mark.torch
@pytest.mark.parametrize("name", SPECS)
def test_onnx_round_trip(trips, name):
    if name in LRN_DECOMPOSED:
        message = trips[name]["onnx"]
        assert "cannot map" in message and "Div x2" in message and f"/{LRN_DECOMPOSED[name]}/" in message
        return
    assert trips[name]["onnx"] == trips[name]["zoo_inference"]  # the ONNX exporter drops training-only heads


@pytest.mark.torch
def test_from_torch_keeps_module_paths(torch):
    """Module paths name the rows (dots become underscores, nn.Sequential's 0 is _0); the
    torch ResNet-50 itself is read in round_trip.py's child process."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(8, 8, k, padding=k // 2, bias=False), nn.BatchNorm2d(8)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.relu(self.bn1(self.conv1(x))) + x)

    net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.Sequential(Block(3), Block(5)), nn.Flatten(),
                        nn.Linear(8 * 7 * 7, 10))
    graph = cnncost.from_torch(net, input=(16, 16, 3))
    names = [node.name for node in graph.nodes]
    assert names[:2] == ["input", "_0"]
    assert "residual1._1_0_conv1" in names and "residual2._1_1_conv1" in names  # block scopes
    t = cnncost.analyze(graph).totals
    assert (t.params, t.buffers) == (sum(p.numel() for p in net.parameters()), 2 * 16)
    assert t.macs == 7 * 7 * 8 * 27 + 7 * 7 * 8 * 72 + 7 * 7 * 8 * 200 + 392 * 10
    assert graph.nodes[graph.output].shape == (10,)


@pytest.mark.torch
def test_from_torch_lists_unsupported_calls(torch):
    class Odd(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)
            self.elu = torch.nn.ELU()

        def forward(self, x):
            return torch.erf(self.elu(self.conv(x)))

    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(Odd(), input=(8, 8, 3))
    assert "2 PyTorch calls cnncost cannot map" in err.value.message
    assert "ELU x1: elu" in err.value.message and "erf x1: erf" in err.value.message
