"""`def` calls exported as submodule classes, numbered chains as nn.Sequential: the graph
records the calls (build), the exporter decides which become classes (export_classes.py),
and the class-shaped module is the flat one (verify's record=True export) in submodule
paths, state_dict keys and outputs."""
from __future__ import annotations

import re

import pytest

import cnncost
from cnncost.interop.export_classes import shared_texts
from cnncost.interop.export_code import Default, call, indent, join
from exported import load_module

NESTED = """input 32x32x8
def unit(c, s=1):
    conv 3x3 c stride=s p1 bn relu
def block(c, n):
    unit(c, 2)
    repeat n - 1:
        unit(c)
stage1 = block(8, 2)
stage2 = block(16, 3)
"""

# the def reads a tensor besides its input: the call cannot be a class
LEAKS = """input 16x16x8
stem = conv 3x3 8 p1
conv 3x3 8 p1
def two(c):
    y = conv 3x3 c p1
    add y stem
b1 = two(8)
"""

# `shortcut if down:` builds other layers (nested in `residual1`, not a downsample
# argument as resnet50's top-level shortcut): a second class of the same def
FORMS = """input 16x16x8
def basic(c, down=0):
    residual:
        conv 3x3 c p1
    shortcut if down:
        conv 1x1 c
b1 = basic(8)
b2 = basic(8)
b3 = basic(16, down=1)
"""


# a repeat whose calls grow the width by a fixed step: one class with a loop
GROWS = """input 16x16x8
def grow(k):
    concat:
        branch:
            identity
        branch:
            conv 3x3 k p1
def block(n):
    repeat n:
        grow(4)
b1 = block(2)
b2 = block(3)
"""


@pytest.mark.parametrize("spec,calls", [
    ("resnet50", {"stage": 4, "bottleneck": 16}),
    ("googlenet", {"basic": 3 + 9 * 6, "inception": 9}),
    ("mobilenet_v2", {"stage": 7, "bottleneck": 17, "inverted": 17}),
    ("vgg16", {"stage": 5}),
    ("alexnet", {}),
])
def test_graph_records_def_calls(spec, calls):
    graph = cnncost.load(spec)
    counted = {}
    for call in graph.calls:
        counted[call.name] = counted.get(call.name, 0) + 1
        assert call.input < call.first <= call.output < call.end <= len(graph.nodes)
    assert counted == calls
    starts = [(c.first, -c.end) for c in graph.calls]
    assert starts == sorted(starts)  # outermost first


def test_graph_records_repeat_runs():
    graph = cnncost.load("<t>", text=NESTED)
    units = [(c.path, dict(c.args)["c"], c.repeat) for c in graph.calls if c.name == "unit"]
    assert units == [(("stage1", "unit1"), 8, None), (("stage1", "0", "unit1"), 8, 1),
                     (("stage2", "unit1"), 16, None), (("stage2", "0", "unit1"), 16, 2),
                     (("stage2", "1", "unit1"), 16, 2)]


@pytest.mark.parametrize("text,classes,inline", [
    (NESTED, ["Unit", "Block", "Block2"], []),  # unit(c, 2) and unit(c): one class, stride=s
    (LEAKS, [], ["- two (1 call): a layer in it reads a tensor from outside besides its input"]),
    (FORMS, ["Basic", "Basic2"], []),
    (GROWS, ["Grow", "Block"], []),
])
def test_which_calls_become_classes(text, classes, inline):
    source = cnncost.export(cnncost.load("<t>", text=text), "pytorch")
    made = re.findall(r"^class (\w+)\(nn\.Module\):", source, re.M)
    assert made[:-1] == classes
    assert [line for line in source.splitlines() if line.startswith("- ")] == inline


def test_repeat_in_a_class_is_a_loop():
    source = cnncost.export(cnncost.load("<t>", text=GROWS), "pytorch")
    assert "\n".join(["    def __init__(self, in_channels, n):",
                      "        super().__init__()",
                      "        self.repeat1 = n",
                      "        for i in range(self.repeat1):",
                      "            self.add_module(str(i), nn.Module())",
                      "            self.get_submodule(str(i)).grow1 = Grow(in_channels + i * 4)"]) in source
    assert "        self.b1 = Block(8, 2)\n        self.b2 = Block(16, 3)\n" in source


def test_arguments_are_named_after_the_def():
    source = cnncost.export(cnncost.load("resnet50"), "pytorch")
    assert "    def __init__(self, in_channels, c, s, out_channels, downsample=None):" in source
    assert "nn.Conv2d(in_channels, c, 1, bias=False)" in source
    assert "            *(Bottleneck(1024, 256, 1, 1024) for _ in range(5))," in source  # layer3, a repeat


def test_a_shortcut_only_some_calls_build_is_an_argument():
    """torchvision's Bottleneck(..., downsample=None): one class for resnet50's blocks with
    and without the projection shortcut (a top-level submodule read by the sum only)."""
    source = cnncost.export(cnncost.load("resnet50"), "pytorch")
    assert re.findall(r"^class (\w+)\(nn\.Module\):", source, re.M) == ["Bottleneck", "Resnet50"]
    lines = source.splitlines()
    for line in ["        self.downsample = downsample",
                 "        x = x0 if self.downsample is None else self.downsample(x0)",
                 "            Bottleneck(64, 64, 1, 256, downsample=nn.Sequential(",
                 "            Bottleneck(256, 64, 1, 256),"]:
        assert line in lines


@pytest.mark.parametrize("spec,lines", [
    # stride 2 and stride 1 (PyTorch's default, left out of a single call) share a class
    ("resnet50", ["    def __init__(self, in_channels, c, s, out_channels, downsample=None):",
                  "        self.conv2 = nn.Conv2d(c, c, 3, stride=s, padding=1, bias=False)",
                  "                nn.Conv2d(256, 512, 1, stride=2, bias=False),",
                  "            Bottleneck(64, 64, 1, 256, downsample=nn.Sequential(",
                  "            Bottleneck(256, 128, 2, 512, downsample=nn.Sequential(",
                  "            *(Bottleneck(1024, 256, 1, 1024) for _ in range(5)),"]),
    ("googlenet", ["    def __init__(self, in_channels, c, k, s, p):",
                   "        self.conv = nn.Conv2d(in_channels, c, k, stride=s, padding=p, bias=False)",
                   "        self.conv1 = Basic(3, 64, 7, 2, 3)",
                   "            Basic(ch3x3red, ch3x3, 3, 1, 1),"]),
    ("<t>", ["    def __init__(self, in_channels, c, s):",
             "        self.conv1 = nn.Conv2d(in_channels, c, 3, stride=s, padding=1)",
             "        self.unit1 = Unit(8, 16, 2)",
             "            self.get_submodule(str(i)).unit1 = Unit(16, 16, 1)"]),
])
def test_default_keywords_become_arguments(spec, lines):
    graph = cnncost.load(spec, text=NESTED) if spec == "<t>" else cnncost.load(spec)
    source = cnncost.export(graph, "pytorch").splitlines()
    for line in lines:
        assert line in source


@pytest.mark.parametrize("stride,dilation,short,full", [
    (Default(1), Default(1), "nn.Conv2d(8, 16, 3, bias=False)",
     "nn.Conv2d(8, 16, 3, stride=1, dilation=1, bias=False)"),
    (2, Default(1), "nn.Conv2d(8, 16, 3, stride=2, bias=False)",
     "nn.Conv2d(8, 16, 3, stride=2, dilation=1, bias=False)"),
    ((1, 2), 2, "nn.Conv2d(8, 16, 3, stride=(1, 2), dilation=2, bias=False)",
     "nn.Conv2d(8, 16, 3, stride=(1, 2), dilation=2, bias=False)"),
])
def test_call_keeps_left_out_defaults(stride, dilation, short, full):
    ctor = call("nn.Conv2d", 8, 16, 3, stride=stride, dilation=dilation, bias=False)
    assert ctor == short
    assert ctor.written(ctor.defaults()) == full


@pytest.mark.parametrize("strides,texts", [
    ([2, Default(1)], ["nn.Conv2d(8, 8, 3, stride=2)", "nn.Conv2d(8, 8, 3, stride=1)"]),  # written in
    ([Default(1), Default(1)], ["nn.Conv2d(8, 8, 3)", "nn.Conv2d(8, 8, 3)"]),  # left out by all
    ([2, 3], ["nn.Conv2d(8, 8, 3, stride=2)", "nn.Conv2d(8, 8, 3, stride=3)"]),
])
def test_shared_texts_write_a_default_only_where_calls_differ(strides, texts):
    ctors = [[join("nn.Sequential(\n", indent(join(call("nn.Conv2d", 8, 8, 3, stride=s), ",")), ")")]
             for s in strides]
    shared = shared_texts(ctors)
    assert [row[0] for row in shared] == [f"nn.Sequential(\n    {t},\n)" for t in texts]


SPECS = ["resnet18", "resnet50", "googlenet", "mobilenet_v2", "densenet121", "lenet5",
         "inception_module"]


@pytest.mark.torch
@pytest.mark.parametrize("spec", SPECS)
def test_classes_are_the_flat_module(torch, spec):
    from cnncost.interop.export_torch import export_pytorch

    graph = cnncost.load(spec, resolution=64 if spec not in ("lenet5", "inception_module") else None)
    shaped = load_module(export_pytorch(graph), graph.name)["build_model"]().eval()
    flat = load_module(export_pytorch(graph, record=True), graph.name)["build_model"]().eval()
    assert list(shaped.state_dict()) == list(flat.state_dict())
    leaves = [n for n, m in flat.named_modules() if not list(m.children())]
    assert [n for n, m in shaped.named_modules() if not list(m.children())] == leaves
    shaped.load_state_dict(flat.state_dict())
    x = torch.randn(2, *shaped.input_shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(shaped(x), flat(x))


def _as_def(text: str) -> str:
    """A random spec with everything after `input` moved into a def called once."""
    first, _, rest = text.partition("\n")
    body = "".join("    " + line + "\n" for line in rest.splitlines() if line.strip())
    return f"{first}\ndef body():\n{body}net = body()\n"


@pytest.mark.torch
def test_random_defs_are_the_flat_module(torch):
    """The random specs of test_export_random, their layers inside a def: the class the
    call becomes is the flat module (keys, outputs) and matches cnncost's figures."""
    import os

    from hypothesis import HealthCheck, assume, given, settings

    from cnncost.interop.export_torch import export_pytorch
    from exported import cnncost_figures, torch_figures
    from randomspec import random_specs

    examples = int(os.environ.get("CNNCOST_EXPORT_EXAMPLES", "100"))

    @settings(max_examples=examples, deadline=None, database=None, derandomize=examples <= 300,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(text=random_specs())
    def check(text):
        try:
            graph = cnncost.load("<random>", text=_as_def(text))
        except cnncost.CnnCostError:
            assume(False)
        source = export_pytorch(graph)
        assert "net = Body()" in source or "- body (1 call)" in source, source
        assert torch_figures(torch, graph) == cnncost_figures(graph), text
        shaped = load_module(source, "shaped")["build_model"]().eval()
        flat = load_module(export_pytorch(graph, record=True), "flat")["build_model"]().eval()
        assert list(shaped.state_dict()) == list(flat.state_dict())
        shaped.load_state_dict(flat.state_dict())
        x = torch.randn(1, *shaped.input_shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            assert torch.equal(shaped(x), flat(x)), text

    check()


def test_docs_show_the_exported_code():
    """docs/how-to/train.md's resnet50 excerpts are what `cnncost export` writes."""
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "how-to" / "train.md").read_text(encoding="utf-8")
    excerpts = re.findall(r'```python title="resnet50.py \(excerpt\)"\n(.*?)```', page, re.S)
    source = cnncost.export(cnncost.load("resnet50"), "pytorch")
    assert len(excerpts) == 2
    assert all(text in source for text in excerpts)
