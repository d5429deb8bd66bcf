"""The exported PyTorch module is the oracle: run on zeros, it has cnncost's output shape,
params, trainable params, buffers and FLOPs (FlopCounterMode = 2 x MACs), to the unit,
for every zoo spec and variant and the seed cases."""
from __future__ import annotations

import pytest

import cnncost
from cnncost import zoo
from exported import cnncost_figures, torch_figures
from test_seed_cases import TABLE3_BUILDS, TABLES_6_7, VGG_C

pytestmark = pytest.mark.torch

# Above this many MACs a network runs at a lower input size (its counts compared with
# cnncost's at that size) to keep the CI tier short; all run at full size by hand with
# CNNCOST_EXPORT_FULL=1.
BIG_MACS = 6_000_000_000


def _zoo_graph(name):
    import os

    graph = cnncost.load(name)
    if os.environ.get("CNNCOST_EXPORT_FULL") != "1" and cnncost.analyze(graph).totals.macs > BIG_MACS:
        graph = cnncost.load(name, resolution="0.5")
    return graph


@pytest.mark.parametrize("name", sorted(zoo.entries()))
def test_zoo_exports_and_counts_match(torch, name):
    graph = _zoo_graph(name)
    # weights left uninitialised: their values change no figure, and VGG's 138M random
    # numbers would be most of the time
    assert torch_figures(torch, graph, materialize=False) == cnncost_figures(graph)


def _text(spec: str, old: str, new: str) -> str:
    return zoo.spec_text(spec).replace(old, new, 1)


SEEDS = {
    "case1 keras mnist": dict(source="keras_mnist_cnn"),
    "case2 cats vs dogs + dropout": dict(text=_text("keras_cats_dogs_cnn", "flatten", "flatten\ndropout 0.5")),
    "case3 vgg16 base at 150": dict(source="vgg16", params={"include_top": 0}, resolution=150),
    "case3 vgg16 transfer": dict(source="vgg16_transfer"),
    "case4 vgg C": dict(text=VGG_C),
    "case4 vgg A-LRN": dict(text=_text("vgg11", "relu", "relu lrn")),
    **{f"case7 table3 {row}": dict(source="mobilenet_table3", **build) for row, build in TABLE3_BUILDS.items()},
    **{f"case7 {row[0]}": dict(source="mobilenet_v1", width=row[0].split()[0],
                               resolution=int(row[0].split("-")[1])) for row in TABLES_6_7},
    "case9 lenet5": dict(source="lenet5"),
    "case10 factored": dict(text="input 16x16x1\nconv 1x5 1 nobias\nconv 5x1 1 nobias\n"),
    "case10 fc unit": dict(text="input 28x28x3\nflatten\nfc 1 nobias\n"),
}


@pytest.mark.parametrize("case", list(SEEDS))
def test_seed_cases_export_and_counts_match(torch, case):
    build = dict(SEEDS[case])
    text = build.pop("text", None)
    graph = cnncost.load("<seed>", text=text, **build) if text else cnncost.load(build.pop("source"), **build)
    assert torch_figures(torch, graph, materialize=False) == cnncost_figures(graph)


@pytest.mark.parametrize("name", ["lenet5", "vgg16_transfer", "mobilenet_v2", "densenet121"])
def test_exported_runs_with_initialised_weights(torch, name):
    graph = cnncost.load(name, resolution=64 if name != "lenet5" else None)
    assert torch_figures(torch, graph) == cnncost_figures(graph)


def test_docs_train_example_runs(torch, tmp_path, monkeypatch):
    """docs/how-to/train.md's "Train what you designed" runs as written: it exports, imports the
    file, takes one SGD step and prints the param count, which is cnncost's."""
    import contextlib
    import io
    import re

    from conftest import REPO

    page = (REPO / "docs" / "how-to" / "train.md").read_text(encoding="utf-8")
    code = re.search(r"## Train what you designed.*?```python[^\n]*\n(.*?)```", page, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/how-to/train.md", "exec"), {"__name__": "docs_example"})
    spec = re.search(r'spec = """(.*?)"""', code, re.S).group(1)
    params = cnncost.analyze(cnncost.load("tiny.spec", text=spec)).totals.params
    assert re.fullmatch(rf"one step: loss \d+\.\d{{3}}, {params} params\n", out.getvalue())
    assert (tmp_path / "tiny.py").exists()


def test_layer_names_that_are_module_attributes(torch):
    """A layer named like an nn.Module attribute (`train`, `forward`) or private (`_x`)
    must not shadow it: its path component gets a `_`."""
    from exported import load_module

    text = "input 8x8x3\ntrain = conv 3x3 4 same\n_x = relu\nforward = conv 1x1 4\nadd train forward\n"
    graph = cnncost.load("<names>", text=text)
    assert torch_figures(torch, graph) == cnncost_figures(graph)
    model = load_module(cnncost.export(graph, "pytorch"), "names")["build_model"]()
    assert [n for n, _ in model.named_children()] == ["train_", "_x_", "forward_"]


def test_training_heads_returned_in_training_mode(torch):
    """googlenet_aux (`output main train aux1 aux2`): in training mode forward returns
    (main, aux1, aux2), as torchvision's GoogLeNet returns its auxiliary logits, so a loss
    reaches every head cnncost trains; in eval mode the main output only."""
    from exported import load_module

    graph = cnncost.load("googlenet_aux", resolution=64)
    model = load_module(cnncost.export(graph, "pytorch"), graph.name)["build_model"]()
    made = {}
    for name in ("fc", "aux1.fc2", "aux2.fc2"):  # the layers giving each head
        model.get_submodule(name).register_forward_hook(lambda m, i, y, name=name: made.__setitem__(name, y))
    x = torch.zeros(2, *model.input_shape)
    with torch.no_grad():
        out = model.train()(x)
        assert isinstance(out, tuple) and [y is made[n] for y, n in zip(out, ("fc", "aux1.fc2", "aux2.fc2"))] \
            == [True] * 3 and len(out) == 3
        assert [tuple(y.shape) for y in out] == [(2, 1000)] * 3
        out = model.eval()(x)
        assert out is made["fc"]
