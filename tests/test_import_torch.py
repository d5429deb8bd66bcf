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

from exported import IMPORTER_CANNOT_READ

import cnncost
from cnncost import zoo
from conftest import REPO

SPECS = sorted({entry.spec for name, entry in zoo.entries().items() if name not in IMPORTER_CANNOT_READ})


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
def test_torch_export_round_trip(trips, name):
    """The torch.export reader (from_torch's fallback) on every zoo module: as torch.fx,
    it sees the whole module (googlenet_aux's training heads too)."""
    assert trips[name]["export"] == trips[name]["zoo"]


@pytest.mark.torch
@pytest.mark.parametrize("name", SPECS)
def test_onnx_round_trip(trips, name):
    """alexnet_caffe and inception_v1 included: torch.onnx writes their
    nn.LocalResponseNorm as arithmetic, which the lrn entry's pattern hook reads."""
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


def _channel_shuffle(x, groups: int):
    """torchvision 0.28 shufflenetv2.py's channel_shuffle (fx sees view, transpose, contiguous, view)."""
    batchsize, num_channels, height, width = x.size()
    x = x.view(batchsize, groups, num_channels // groups, height, width)
    x = x.transpose(1, 2).contiguous()
    return x.view(batchsize, -1, height, width)


@pytest.mark.torch
@pytest.mark.parametrize("how", ["function", "module", "permute"])
def test_from_torch_reads_channel_shuffle(torch, how):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.shuffle = nn.Conv2d(3, 12, 3, padding=1), nn.ChannelShuffle(3)

        def forward(self, x):
            x = self.conv(x)
            if how == "module":
                return self.shuffle(x)
            if how == "permute":
                n, c, h, w = x.shape
                return x.reshape(n, 3, c // 3, h, w).permute(0, 2, 1, 3, 4).reshape(n, c, h, w)
            return _channel_shuffle(x, 3)

    net = Net()
    graph = cnncost.from_torch(net, input=(8, 8, 3))
    shuffles = [n for n in graph.nodes if n.kind == "shuffle"]
    assert [n.attrs["shuffle_groups"] for n in shuffles] == [3]
    assert [n.kind for n in graph.nodes] == ["input", "conv", "shuffle"]
    t = cnncost.analyze(graph).totals
    assert (t.params, t.macs) == (sum(p.numel() for p in net.parameters()), 8 * 8 * 12 * 27)
    # and the NumPy shuffle is torch's: channel j of the output is channel (j % 3) * 4 + j // 3
    from cnncost.layers import REGISTRY

    x = torch.arange(12.0).view(1, 12, 1, 1)
    ours = REGISTRY["shuffle"].run({"shuffle_groups": 3}, [x.numpy().transpose(0, 2, 3, 1)], None)
    assert _channel_shuffle(x, 3).flatten().tolist() == ours.flatten().tolist() == \
        [(j % 3) * 4 + j // 3 for j in range(12)]


@pytest.mark.torch
def test_from_torch_reads_lrn_settings(torch):
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.LocalResponseNorm(3, alpha=2e-4, beta=0.7, k=2.0))
    graph = cnncost.from_torch(net, input=(8, 8, 3))
    node = graph.nodes[-1]
    assert node.kind == "lrn"
    assert (node.attrs["size"], float(node.attrs["alpha"]), float(node.attrs["beta"]), float(node.attrs["k"])) == \
        (3, 2e-4, 0.7, 2.0)


def _shape_branching(torch):
    """A module torch.fx cannot trace (an `if` on the input's shape); torch.export can."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(8, 8, k, padding=k // 2, bias=False), nn.BatchNorm2d(8)

        def forward(self, x):
            return torch.relu(self.bn(self.conv(x)) + x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.blocks = nn.Conv2d(3, 8, 3, stride=2), nn.Sequential(Block(3), Block(5))
            self.big, self.pool, self.fc = nn.Conv2d(8, 8, 1), nn.MaxPool2d(2), nn.Linear(8, 10)

        def forward(self, x):
            x = self.stem(x)
            if x.shape[-1] > 100:  # not taken for this input: its conv is not in the network run
                x = self.big(x)
            x = self.pool(self.blocks(x))
            x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
            return nn.functional.dropout(self.fc(x), 0.2, training=self.training)

    return Net()


SHAPE_BRANCHING_SPEC = """network same
input 16x16x3
conv 3x3 8 s2
residual:
    conv 3x3 8 p1 nobias bn
relu
residual:
    conv 5x5 8 p2 nobias bn
relu
maxpool 2x2
adaptiveavgpool 1x1
flatten
fc 10
dropout 0.2
"""


@pytest.mark.torch
def test_from_torch_falls_back_to_torch_export(torch):
    net = _shape_branching(torch)
    with pytest.raises(torch.fx.proxy.TraceError):
        torch.fx.symbolic_trace(net)
    graph = cnncost.from_torch(net, input=(16, 16, 3))
    spec = cnncost.load("<same>", text=SHAPE_BRANCHING_SPEC)
    mine, theirs = cnncost.analyze(graph).totals, cnncost.analyze(spec).totals
    assert (mine.params, mine.buffers, mine.macs, mine.other_ops) == \
        (theirs.params, theirs.buffers, theirs.macs, theirs.other_ops)
    assert graph.nodes[graph.output].shape == spec.nodes[spec.output].shape == (10,)
    # what runs: every parameter but the untaken branch's conv
    assert mine.params == sum(p.numel() for p in net.parameters()) - 8 * 8 - 8
    names = [node.name for node in graph.nodes]  # module paths from nn_module_stack
    assert {"stem", "pool", "fc_"} <= set(names)
    assert any(n.endswith("blocks_0_conv") for n in names) and any(n.endswith("blocks_1_conv") for n in names)
    assert "blocks_1_relu" in names  # a call in Block.forward: the path and the call


@pytest.mark.torch
def test_from_torch_says_when_neither_tracer_can(torch):
    class ValueBranching(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)

        def forward(self, x):
            y = self.conv(x)
            return y.relu() if y.sum() > 0 else y.sigmoid()  # on the values: neither can trace it

    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(ValueBranching(), input=(8, 8, 3))
    assert "neither torch.fx nor torch.export can trace ValueBranching" in err.value.message


@pytest.mark.torch
@pytest.mark.parametrize("branching", [False, True])
def test_from_torch_reads_matmul_by_a_parameter(torch, branching):
    """torch.matmul(x, w) + b is fc 20 with its bias through torch.fx, and through
    torch.export (a shape `if` makes fx fail)."""
    nn = torch.nn

    class MatMul(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight, self.bias = nn.Parameter(torch.zeros(48, 20)), nn.Parameter(torch.zeros(20))
            self.fc = nn.Linear(20, 10)

        def forward(self, x):
            if branching and x.shape[-1] > 100:
                x = x * 2
            return self.fc(torch.relu(torch.matmul(torch.flatten(x, 1), self.weight) + self.bias))

    net = MatMul()
    graph = cnncost.from_torch(net, input=(4, 4, 3))
    assert [n.kind for n in graph.nodes] == ["input", "flatten", "fc", "relu", "fc"]
    t = cnncost.analyze(graph).totals
    assert (t.params, t.macs) == (sum(p.numel() for p in net.parameters()), 48 * 20 + 20 * 10)


@pytest.mark.torch
@pytest.mark.parametrize("size, alpha, beta, k", [(3, 2e-4, 0.7, 2.0), (5, 1e-4, 0.75, 1.0), (4, 1e-3, 0.5, 0.5)])
def test_lrn_settings_run_as_torch(torch, size, alpha, beta, k):
    """The settings an import reads are the ones the NumPy run uses: lrn equals
    nn.LocalResponseNorm with them (channels last against torch's channels first)."""
    import numpy as np

    from cnncost.layers import REGISTRY

    x = np.random.RandomState(0).randn(1, 5, 5, 7).astype(np.float32)
    ours = REGISTRY["lrn"].run({"size": size, "alpha": alpha, "beta": beta, "k": k}, [x], None)
    module = torch.nn.LocalResponseNorm(size, alpha=alpha, beta=beta, k=k)
    theirs = module(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    assert np.abs(ours - theirs).max() < 1e-5


# x[...] after a 3x3 conv (8x8x8 out of an 8x8x3 input): the index, the spec line it is, its shape
SLICES = [
    ("x[:, :, 1:-1, 2:]", "crop (1, 1, 2, 0)", (6, 6, 8)),
    ("x[:, :, 2:6, 1:7]", "crop (2, 2, 1, 1)", (4, 6, 8)),
    ("x[:, :, 1:7, 1:7]", "crop 1", (6, 6, 8)),
    ("x[:, :, -3:]", "crop (5, 0, 0, 0)", (3, 8, 8)),
    ("x[:, :, :, :-2]", "crop (0, 0, 0, 2)", (8, 6, 8)),
    ("x[:, 2:6]", "slice 2:6", (8, 8, 4)),
    ("x[:, -3:]", "slice 5:8", (8, 8, 3)),
    ("x[..., 1:]", "crop (0, 0, 1, 0)", (8, 7, 8)),
]


def _indexing(torch, index, branching):
    nn = torch.nn

    class Index(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)

        def forward(self, x):
            if branching and x.shape[-1] > 100:  # makes torch.fx fail: torch.export reads it
                x = x * 2
            x = self.conv(x)
            return torch.relu(eval(index, {"x": x}))  # noqa: S307 (the table's own index)

    return Index()


@pytest.mark.torch
@pytest.mark.parametrize("branching", [False, True], ids=["fx", "export"])
@pytest.mark.parametrize("index, line, shape", SLICES, ids=[c[0] for c in SLICES])
def test_from_torch_reads_slices_as_crop_or_slice(torch, index, line, shape, branching):
    net = _indexing(torch, index, branching)
    graph = cnncost.from_torch(net, input=(8, 8, 3))
    spec = cnncost.load("<same>", text=f"network same\ninput 8x8x3\nconv 3x3 8 p1\n{line}\nrelu\n")
    assert [n.kind for n in graph.nodes] == [n.kind for n in spec.nodes] == ["input", "conv", line.split()[0], "relu"]
    assert graph.nodes[graph.output].shape == spec.nodes[spec.output].shape == shape
    assert tuple(net(torch.zeros(1, 3, 8, 8)).shape[1:]) == (shape[2], shape[0], shape[1])
    mine, theirs = cnncost.analyze(graph), cnncost.analyze(spec)
    assert (mine.totals.params, mine.totals.macs, mine.totals.other_ops) == \
        (theirs.totals.params, theirs.totals.macs, theirs.totals.other_ops)
    def rows(report):
        return [(r.op, r.output, r.params, r.macs, r.other_ops, r.activations, r.rf_size, r.rf_start)
                for r in report.layers]

    assert rows(mine) == rows(theirs)


@pytest.mark.torch
@pytest.mark.parametrize("branching", [False, True], ids=["fx", "export"])
@pytest.mark.parametrize("index, why, aten", [("x[:, :, ::2]", "step", "aten.slice"), ("x[0:1]", "Slice", "aten.slice"),
                                              ("x[None]", "None", "aten.unsqueeze"),
                                              ("x[:, :, 1:-1:2, 2:]", "step", "aten.slice")])
def test_from_torch_names_the_slices_it_cannot_read(torch, index, why, aten, branching):
    """Steps, the batch axis, a new axis: an error naming the call."""
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(_indexing(torch, index, branching), input=(8, 8, 3))
    assert "cannot map" in err.value.message
    assert (aten if branching else "getitem x1: getitem") in err.value.message
    assert branching or why in err.value.message  # fx says why; aten names the call (unsqueeze)


@pytest.mark.torch
def test_channels_and_height_in_one_index(torch):
    """x[:, :5, 1:] is one getitem in torch.fx and one ONNX Slice, which no one layer is
    (an error, as for ONNX); torch.export writes two slices: `slice 0:5`, then a crop."""
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(_indexing(torch, "x[:, :5, 1:]", False), input=(8, 8, 3))
    assert "getitem x1: getitem" in err.value.message
    graph = cnncost.from_torch(_indexing(torch, "x[:, :5, 1:]", True), input=(8, 8, 3))
    assert [(n.kind, n.shape) for n in graph.nodes] == \
        [("input", (8, 8, 3)), ("conv", (8, 8, 8)), ("slice", (8, 8, 5)), ("crop", (7, 8, 5)), ("relu", (7, 8, 5))]


@pytest.mark.torch
@pytest.mark.parametrize("branching", [False, True], ids=["fx", "export"])
@pytest.mark.parametrize("how", ["matmul", "@"])
def test_from_torch_reads_matmul_without_bias(torch, how, branching):
    """torch.matmul(x, W) / x @ W with no bias added: fc N nobias."""
    nn = torch.nn

    class MatMul(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(48, 20))

        def forward(self, x):
            if branching and x.shape[-1] > 100:
                x = x * 2
            x = torch.flatten(x, 1)
            return torch.relu(torch.matmul(x, self.weight) if how == "matmul" else x @ self.weight)

    graph = cnncost.from_torch(MatMul(), input=(4, 4, 3))
    spec = cnncost.load("<same>", text="network same\ninput 4x4x3\nflatten\nfc 20 nobias\nrelu\n")
    assert [n.kind for n in graph.nodes] == ["input", "flatten", "fc", "relu"]
    assert graph.nodes[2].attrs["bias"] is False
    mine, theirs = cnncost.analyze(graph).totals, cnncost.analyze(spec).totals
    assert (mine.params, mine.macs) == (theirs.params, theirs.macs) == (48 * 20, 48 * 20)
    assert graph.nodes[graph.output].shape == (20,)


@pytest.mark.torch
@pytest.mark.parametrize("branching", [False, True], ids=["fx", "export"])
def test_from_torch_names_a_matmul_of_two_activations(torch, branching):
    class Gram(torch.nn.Module):
        def forward(self, x):
            if branching and x.shape[-1] > 100:
                x = x * 2
            x = torch.flatten(x, 1)
            return torch.matmul(x.t(), x)

    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(Gram(), input=(4, 4, 3))
    assert "matmul" in err.value.message and "cannot map" in err.value.message


@pytest.mark.torch
def test_from_torch_lists_a_call_giving_several_tensors(torch):
    """torch.split gives a tuple: it is listed (once), and the indexing of its parts is
    not read as a slice (was a KeyError: the output was never produced)."""
    class Split(torch.nn.Module):
        def forward(self, x):
            a, _b = torch.split(x, [1, 2], dim=1)
            return a[..., 1:]

    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.from_torch(Split(), input=(8, 8, 3))
    assert "1 PyTorch calls cnncost cannot map" in err.value.message
    assert "split x1: split (gives several tensors)" in err.value.message
