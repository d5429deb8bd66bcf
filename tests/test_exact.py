"""Every count is a Python int from the parser to the renderer: a network with about 10^17
MACs prints exactly in every format, decimals in a spec are exact fractions, and no float
ever reaches a shape or a count."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from fractions import Fraction

import pytest

import cnncost
from conftest import analyze_text

# conv 3x3 same on 999,983 x 999,979 x 67, to 263 channels: each output element takes
# 3*3*67 multiply-accumulates. Computed here with plain ints, independently of cnncost.
H, W, C, N = 999_983, 999_979, 67, 263
BIG_CONV = f"input {H}x{W}x{C}\nconv 3x3 {N} same\n"
BIG_MACS = H * W * N * (3 * 3 * C)
BIG_PARAMS = 3 * 3 * C * N + N
# fc from a vector of 987,654,321 to 98,765,433 units
FC_IN, FC_OUT = 987_654_321, 98_765_433
BIG_FC = f"input {FC_IN}\nfc {FC_OUT}\n"
FC_MACS = FC_IN * FC_OUT
FC_PARAMS = FC_IN * FC_OUT + FC_OUT


def test_the_numbers_are_beyond_float_precision():
    """The test means something: a float cannot hold these counts."""
    assert BIG_MACS > 10**17 and int(float(BIG_MACS)) != BIG_MACS
    assert FC_MACS > 10**15 and int(float(FC_PARAMS)) != FC_PARAMS


@pytest.mark.parametrize("text,macs,params", [(BIG_CONV, BIG_MACS, BIG_PARAMS), (BIG_FC, FC_MACS, FC_PARAMS)])
def test_report_holds_exact_ints(text, macs, params):
    report = analyze_text(text)
    assert report.totals.macs == macs and type(report.totals.macs) is int
    assert report.totals.params == params and type(report.totals.params) is int
    assert report.totals.flops == 2 * macs


@pytest.mark.parametrize("text,macs,params", [(BIG_CONV, BIG_MACS, BIG_PARAMS), (BIG_FC, FC_MACS, FC_PARAMS)])
def test_every_format_prints_the_exact_integer(tmp_path, run_cli, text, macs, params):
    spec = tmp_path / "big.spec"
    spec.write_text(text)
    outputs = {}
    for fmt in ("table", "json", "csv", "markdown"):
        code, out, err = run_cli("summarize", str(spec), "--format", fmt)
        assert code == 0, err
        outputs[fmt] = out
    assert f"{macs:,}" in outputs["table"] and f"{params:,}" in outputs["table"]
    data = json.loads(outputs["json"])
    assert data["totals"]["macs"] == macs and data["totals"]["params"] == params
    assert data["layers"][-1]["macs"] == macs
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert int(rows[-1]["macs"].replace(",", "")) == macs
    assert f"{macs:,}" in outputs["markdown"] or str(macs) in outputs["markdown"]


@pytest.mark.parametrize("expr,channels", [
    ("int(0.29 * 100)", 29),  # a float gives 28.999999999999996 -> 28
    ("int(0.75 * 32)", 24),
    ("round(2.675 * 100)", 268),  # a float gives 267.49999999999997 -> 267
    ("make_divisible(0.35 * 40)", 16),
    ("int(1.1 * 3 * 10)", 33),  # a float gives 33.00000000000001 -> 33, a close call
    ("4 ** 0.5", 2),  # an exact root stays exact
    ("8 ** (2/3)", 4),
    ("int(2 ** 0.5 * 10)", 14),  # irrational: approximate, then int() as the user asked
    ("int(2 ** 0.5 // 0.1)", 14),
    ("(1/3) * 3 * 5", 5),
    ("ceil(10 / 3)", 4),
])
def test_decimals_are_exact(expr, channels):
    report = analyze_text(f"input 8x8x3\nconv 1x1 {expr}\n")
    out = report.layers[-1].output
    assert out == (8, 8, channels) and type(out[2]) is int


def test_tenths_add_up_exactly():
    report = analyze_text("input 8x8x3\nif 0.1 + 0.2 == 0.3:\n    conv 1x1 8\nelse:\n    conv 1x1 4\n")
    assert report.layers[-1].output == (8, 8, 8)


def test_an_approximate_value_is_not_a_count(tmp_path, run_cli):
    spec = tmp_path / "f.spec"
    spec.write_text("input 8x8x3\nconv 1x1 2 ** 0.5 * 2 ** 0.5\n")
    code, _, err = run_cli("summarize", str(spec))
    assert code == 2 and "channel count must be a whole number, got 2.0000000000000004" in err


COUNTS = ("params", "trainable", "frozen", "buffers", "macs", "other_ops", "activations")


@pytest.mark.parametrize("name,options", [
    ("mobilenet_v1", {"params": {"alpha": "0.75"}, "resolution": "0.5"}),
    ("mobilenet_v2", {"width": "0.35"}),
    ("efficientnet_b3", {}),
    ("resnet50", {"width": "0.6", "resolution": 160}),
    ("vgg16_transfer", {}),
    ("inception_v3", {"resolution": "1.25"}),
])
def test_no_float_reaches_a_shape_or_a_count(name, options):
    graph = cnncost.load(name, options.get("params"), width=options.get("width"),
                         resolution=options.get("resolution"))
    for node in graph.nodes:
        assert all(type(d) is int for d in node.shape), (node.name, node.shape)
        for key, value in node.attrs.items():
            for v in value if isinstance(value, tuple) else (value,):
                assert not isinstance(v, float), (node.name, key, value)
    report = cnncost.analyze(graph, batch=3)
    for row in report.layers:
        for count in COUNTS:
            assert type(getattr(row, count)) is int, (row.name, count, getattr(row, count))
        assert all(type(d) is int for d in row.output)
    for field in ("params", "trainable", "frozen", "buffers", "macs", "flops", "other_ops",
                  "activations", "peak_activation_bytes", "weight_bytes"):
        assert type(getattr(report.totals, field)) is int, field


def test_approximate_values_never_import_sympy():
    """`x // y` with an approximate (float) value stays on the numeric path."""
    code = ("import sys, cnncost; g = cnncost.load('<t>', text='input 8x8x3\\nconv 1x1 int(2**0.5 // 1 + 3)\\n');"
            "print(g.nodes[-1].shape, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(8, 8, 4) False"


def test_params_keep_fractions():
    graph = cnncost.load("<t>", text="param alpha = 0.75\ninput 8x8x3\nconv 1x1 int(alpha * 10)\n")
    assert graph.params["alpha"] == Fraction(3, 4) and graph.nodes[-1].shape == (8, 8, 7)


def test_a_huge_fraction_param_renders_exactly(tmp_path, run_cli):
    spec = tmp_path / "p.spec"
    spec.write_text("param a = 2**4000 / 3\nparam b = 0.75\ninput 8x8x3\nconv 1x1 int(b * 8)\n")
    for fmt in ("table", "csv", "markdown"):
        code, _, err = run_cli("summarize", str(spec), "--format", fmt)
        assert code == 0, err
    code, out, _ = run_cli("summarize", str(spec), "--format", "json")
    data = json.loads(out)
    assert Fraction(data["params"]["a"]) == Fraction(2**4000, 3) and data["params"]["b"] == 0.75
