"""Round trips through PyTorch (torch tier): every zoo spec built in PyTorch by the
exporter, then read back through torch.fx (cnncost.from_torch) and through ONNX
(torch.onnx.export, TorchScript exporter): params, buffers, MACs and output shape
equal the zoo spec's to the unit."""
from __future__ import annotations

import pytest

import cnncost
from cnncost import zoo

SPECS = sorted({entry.spec for entry in zoo.entries().values()})
# torch.onnx writes nn.LocalResponseNorm as its arithmetic (Mul, Pad, AveragePool, Pow,
# Div, ...), not as an ONNX LRN node: those imports stop and name the ops.
LRN_DECOMPOSED = {"alexnet_caffe", "inception_v1"}


def _zoo(name):
    graph = cnncost.load(name)
    t = cnncost.analyze(graph).totals
    return (t.params, t.buffers, t.macs, graph.nodes[graph.output].shape)


def _facts(graph):
    t = cnncost.analyze(graph).totals
    return (t.params, t.buffers, t.macs, graph.nodes[graph.output].shape)


def _module(torch, name):
    namespace: dict = {}
    exec(cnncost.export(cnncost.load(name), "pytorch"), namespace)  # noqa: S102 (our own exporter's code)
    module = namespace["build_model"]().eval()
    c, h, w = module.input_shape
    return module, (h, w, c)


@pytest.mark.torch
@pytest.mark.parametrize("name", SPECS)
def test_fx_round_trip(torch, name):
    module, size = _module(torch, name)
    assert _facts(cnncost.from_torch(module, input=size)) == _zoo(name)


@pytest.mark.torch
@pytest.mark.parametrize("name", SPECS)
def test_onnx_round_trip(torch, name, tmp_path):
    module, (h, w, c) = _module(torch, name)
    path = tmp_path / f"{name}.onnx"
    torch.onnx.export(module, (torch.zeros(1, c, h, w),), str(path), dynamo=False, do_constant_folding=False)
    if name in LRN_DECOMPOSED:
        with pytest.raises(cnncost.CnnCostError) as err:
            cnncost.load(str(path))
        assert "Div x2" in err.value.message and "/lrn1/" in err.value.message
        return
    assert _facts(cnncost.load(str(path))) == _zoo(name)


@pytest.mark.torch
def test_from_torch_keeps_module_paths(torch):
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("make_fixtures", REPO / "tests/data/models/make_fixtures.py")
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    graph = cnncost.from_torch(fixtures.torch_resnet50(), input=(224, 224, 3))
    names = [node.name for node in graph.nodes]
    assert "layer1_0_downsample_0" in " ".join(names) and names[1] == "conv1"
    assert _facts(graph) == _zoo("resnet50")


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
