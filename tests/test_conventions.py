"""Convention profiles and the operation ledger against what the tools report.

tests/data/peer-totals.json (a copy of ../shared/reference) holds the totals torchinfo,
fvcore, ptflops, thop, calflops and torch's FlopCounterMode report for six torchvision
models, and the per-model terms (bias adds, BN elements, activations, pool inputs, ...)
measured with hooks. Every profile must give the tool's number to the unit, or differ by
the residual documented below (and in docs/conventions.md), exactly.
"""
from __future__ import annotations

import json

import pytest

import cnncost
from cnncost.conventions import PROFILES
from cnncost import zoo
from conftest import DATA, REPO

PEERS = json.loads((DATA / "peer-totals.json").read_text())
MODELS = list(PEERS["models"])

# profile -> where the tool's number is in peer-totals.json; None: derived from `macs`
TOOL_VALUE = {
    "macs": None, "flops": None, "paper": None,
    "torch-flop-counter": ("torch_flop_counter", "total"),
    "fvcore": ("fvcore", "total"),
    "ptflops": ("ptflops_pytorch", "macs"),
    "ptflops-aten": ("ptflops_aten", "macs"),
    "torchinfo": ("torchinfo", "total_mult_adds"),
    "thop": ("thop", "macs"),
    "calflops": ("calflops", "flops"),
    "calflops-macs": ("calflops", "macs"),
}


def tool_value(profile: str, model: str) -> int:
    record = PEERS["models"][model]
    if TOOL_VALUE[profile] is None:
        return record["reference_macs"] * (2 if profile == "flops" else 1)
    tool, key = TOOL_VALUE[profile]
    return record[tool][key]


def _functional_pool_thop(terms) -> int:
    """thop's (Hin*Win/(Hout*Wout) + 1) per output element for a 7x7 -> 1x1 pool: in + in/49."""
    return terms["adaptive_avgpool_functional_in_elems"] * 50 // 49


# The documented residuals (ours - tool's): torchvision calls these as functions, which a
# spec cannot say; the profiles count them as modules (docs/conventions.md, "Residuals").
# Each is computed from the terms measured with hooks, never typed in.
RESIDUALS = {
    # ptflops counts nn.ReLU / pooling modules twice (hook + patched F.*), a call of
    # F.relu / F.adaptive_avg_pool2d once: GoogLeNet's BasicConv2d, DenseNet's head and
    # MobileNetV2's head call the functions.
    ("ptflops", "googlenet"): lambda t: t["relu_functional_elems"],
    ("ptflops", "densenet121"): lambda t: t["relu_functional_elems"]
    + t["adaptive_avgpool_functional_in_elems"],
    ("ptflops", "mobilenet_v2"): lambda t: t["adaptive_avgpool_functional_in_elems"],
    # thop hooks modules only: the functional head pool counts 0 there.
    ("thop", "densenet121"): _functional_pool_thop,
    ("thop", "mobilenet_v2"): _functional_pool_thop,
}


def residual(profile: str, model: str) -> int:
    rule = RESIDUALS.get((profile, model))
    return rule(PEERS["models"][model]["terms"]) if rule else 0


def _report(model, **kwargs):
    return cnncost.analyze(cnncost.load(model), **kwargs)


@pytest.fixture(scope="module")
def reports():
    return {m: _report(m, conventions=tuple(PROFILES), ledger=True) for m in MODELS}


def test_every_profile_is_checked():
    assert set(TOOL_VALUE) == set(PROFILES)


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("model", MODELS)
def test_profile_total_is_the_tools_number(reports, model, profile):
    totals = {c.name: c.total for c in reports[model].conventions}
    assert totals[profile] == tool_value(profile, model) + residual(profile, model)


@pytest.mark.parametrize("key", sorted(RESIDUALS), ids="-".join)
def test_documented_residual_values(key):
    """The residuals quoted in docs/conventions.md, from the measured terms."""
    expected = {("ptflops", "googlenet"): 3_226_160, ("ptflops", "densenet121"): 100_352,
                ("ptflops", "mobilenet_v2"): 62_720, ("thop", "densenet121"): 51_200,
                ("thop", "mobilenet_v2"): 64_000}
    assert residual(*key) == expected[key]
    doc = (REPO / "docs" / "conventions.md").read_text()
    assert f"{expected[key]:,}" in doc


@pytest.mark.parametrize("model", MODELS)
def test_ledger_equals_the_terms_measured_with_hooks(reports, model):
    """Each ledger entry against the same quantity measured on the torchvision model."""
    t = PEERS["models"][model]["terms"]
    ledger = reports[model].ledger

    def get(*keys):
        return sum(ledger.get(k, 0) for k in keys)

    assert get("conv.macs", "dwconv.macs") == t["conv_macs"]
    assert get("fc.macs") == t["linear_macs"]
    assert get("conv.bias", "dwconv.bias") == t["conv_bias_out_elems"]
    assert get("fc.bias") == t["linear_bias_out_elems"]
    assert get("bn.elements") == get("bn.scale") == get("bn.shift") == t["bn_in_elems"]
    assert get("bn.params") == 2 * t["bn_channels"]
    assert get("relu.elements") == t["relu_module_elems"] + t["relu_functional_elems"]
    assert get("relu6.elements") == t["relu6_module_elems"]
    assert get("swish.elements") == t["silu_module_elems"]
    assert get("sigmoid.elements") == t["sigmoid_module_elems"]
    assert get("maxpool.in") == t["maxpool_in_elems"]
    assert get("maxpool.out") == t["maxpool_out_elems"]
    assert get("avgpool.in") == t["avgpool_in_elems"]
    assert get("avgpool.out") == t["avgpool_out_elems"]
    assert get("adaptiveavgpool.in", "gap.in") == \
        t["adaptive_avgpool_module_in_elems"] + t["adaptive_avgpool_functional_in_elems"]
    assert get("add.ops") == t["residual_add_elems"]
    assert get("mul.ops") == t["se_mul_elems"]


ZOO = list(zoo.entries())


@pytest.mark.parametrize("name", ZOO)
def test_ledger_adds_up_to_the_report_totals(name):
    """macs and flops are the report's own; the ledger splits other ops without loss;
    per-layer convention values sum to the convention totals."""
    report = _report(name, conventions=("macs", "flops", "torchinfo"), ledger=True)
    t, ledger = report.totals, report.ledger
    totals = {c.name: c.total for c in report.conventions}
    assert totals["macs"] == t.macs and totals["flops"] == t.flops
    other = sum(v for k, v in ledger.items()
                if k.split(".")[1] in ("bias", "elements", "scale", "shift", "ops"))
    assert other == t.other_ops
    for i, c in enumerate(report.conventions):
        assert sum(row.conventions[i] for row in report.layers) == c.total


@pytest.mark.parametrize("profile", list(PROFILES))
def test_batch_scales_every_profile(profile):
    one = _report("efficientnet_b0", conventions=(profile,)).conventions[0].total
    four = _report("efficientnet_b0", conventions=(profile,), batch=4).conventions[0].total
    assert four == 4 * one


def test_torchinfo_counts_deconv_weights_at_output_positions():
    """torchinfo and ptflops multiply a ConvTranspose2d's weights by the output positions;
    cnncost's deconv MACs (like FlopCounterMode's) use the input positions."""
    spec = "network up\ninput 4x4x8\ndeconv 2x2 3 s2 nobias\n"
    report = cnncost.analyze(cnncost.load("<t>", text=spec),
                             conventions=("torchinfo", "ptflops", "torch-flop-counter", "thop"))
    weights = 2 * 2 * 8 * 3
    totals = {c.name: c.total for c in report.conventions}
    assert totals["torchinfo"] == totals["ptflops"] == weights * 8 * 8
    assert totals["torch-flop-counter"] == 2 * weights * 4 * 4
    thop = report.conventions[3]
    assert any("deconv" in note for note in thop.notes)


def test_noscale_batch_norm_is_not_affine():
    """torch's BatchNorm2d(affine=False) counts 1 per element in fvcore, 2 when affine."""
    def fvcore(words):
        spec = f"network n\ninput 2x2x3\nbn {words}\n"
        report = cnncost.analyze(cnncost.load("<t>", text=spec), conventions=("fvcore",))
        return report.conventions[0].total

    assert fvcore("") == 2 * 12 and fvcore("noscale nocenter") == 12


def test_docs_cite_every_profile():
    doc = (REPO / "docs" / "conventions.md").read_text()
    for name, profile in PROFILES.items():
        assert f"### `{name}`" in doc, name
    guide = (REPO / "docs" / "why-tools-disagree.md").read_text()  # README's section until issue 18
    assert "# Why tools disagree: convention profiles" in guide


def test_cli_convention_and_ledger(run_cli):
    code, out, err = run_cli("summarize", "resnet50", "--convention", "fvcore", "--ledger")
    assert code == 0, err
    assert "Convention fvcore: 4,111,512,576" in out
    assert "bn: elements normalised" in out and "11,113,984" in out
    assert "fvcore rules: fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS)" in out


def test_cli_all_conventions_json(run_cli):
    code, out, _ = run_cli("summarize", "googlenet", "--convention", "all", "--ledger",
                           "--format", "json")
    data = json.loads(out)
    assert code == 0 and list(data["conventions"]) == list(PROFILES)
    assert data["conventions"]["fvcore"]["total"] == 1_504_878_688
    assert data["ledger"]["conv.macs"] == 1_497_352_192
    assert sum(layer["conventions"]["torchinfo"] for layer in data["layers"]) == 1_498_391_752


def test_cli_convention_columns_in_csv(run_cli):
    import csv
    import io

    _, out, _ = run_cli("summarize", "vgg16", "--convention", "ptflops-aten", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert int(rows[-1]["convention.ptflops-aten"]) == 15_483_821_032
    assert sum(int(r["convention.ptflops-aten"]) for r in rows[:-1]) == 15_483_821_032


def test_cli_ledger_refuses_csv(run_cli):
    code, _, err = run_cli("summarize", "vgg16", "--ledger", "--format", "csv")
    assert code == 2 and "--ledger" in err


def test_default_output_has_no_extra_columns(run_cli):
    _, out, _ = run_cli("summarize", "lenet5")
    assert "Convention" not in out and "Ledger" not in out and "Bound" not in out
    _, out, _ = run_cli("summarize", "lenet5", "--format", "json")
    assert not {"conventions", "ledger", "roofline"} & set(json.loads(out))


def _readme_block(command: str) -> list[str]:
    """The lines printed under `$ COMMAND` in a code block of the user guide (README.md's
    until issue 18 moved these examples to docs/)."""
    text = "".join((REPO / "docs" / page).read_text() for page in ("why-tools-disagree.md", "roofline.md"))
    start = text.index(f"$ {command}\n") + len(command) + 3
    return text[start:text.index("```", start)].rstrip("\n").split("\n")


def test_readme_examples_are_real_output(run_cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    command = "cnncost summarize resnet50 --depth 0 --convention fvcore --convention ptflops --ledger"
    _, out, _ = run_cli(*command.split()[1:])
    assert _readme_block(command) == out.rstrip("\n").split("\n")
    command = "cnncost summarize mobilenet_v2 --depth 0 --device a100"
    _, out, _ = run_cli(*command.split()[1:])
    shown = [line for line in _readme_block(command) if line != "..."]
    lines = out.split("\n")
    assert shown and all(line in lines for line in shown)


@pytest.mark.parametrize("mode, fvcore, thop, calflops", [
    ("nearest", 1 * 6 * 6 * 2, 1 * 6 * 6 * 2, 3 * 3 * 2),
    # fvcore: aten::upsample_bilinear2d counts 4 per output; thop's calculate_upsample 11
    ("bilinear", 4 * 6 * 6 * 2, 11 * 6 * 6 * 2, 3 * 3 * 2),
])
def test_upsample_mode_changes_only_the_tools_counts(mode, fvcore, thop, calflops):
    spec = f"network n\ninput 3x3x2\nupsample 2 {mode}\n"
    report = cnncost.analyze(cnncost.load("<t>", text=spec), conventions=("fvcore", "thop", "calflops", "macs"))
    totals = {c.name: c.total for c in report.conventions}
    assert (totals["fvcore"], totals["thop"], totals["calflops"], totals["macs"]) == (fvcore, thop, calflops, 0)
    assert report.totals.other_ops == 0 and report.totals.macs == 0
