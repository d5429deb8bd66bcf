"""Symbolic mode: the lecture's way of printing, simplification, and the independent oracle
of the style guide: a symbolic report with the numbers put back equals the numeric one."""
from __future__ import annotations

import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncost
from cnncost import symbolic, zoo
from cnncost.render.numbers import shape
from conftest import analyze_text

n, nc, nc2, f, H, W = (symbolic.symbol(s) for s in ("n", "nc", "nc2", "f", "H", "W"))


# ---- printing
@pytest.mark.parametrize("expr,text", [
    (n - f + 1, "n - f + 1"),                                  # positive terms first, constant last
    (f**2 * nc * nc2 * (n - f + 1) ** 2, "f**2*nc*nc2*(n - f + 1)**2"),
    (1 / nc2 + 1 / f**2, "1/nc2 + 1/f**2"),                    # never f**(-2)
    (f**-2, "1/f**2"),
    (sympy.floor((H - 1) / 2) + 1, "floor((H - 1)/2) + 1"),    # not floor(H/2 - 1/2)
    (sympy.ceiling(H / 2), "ceiling(H/2)"),
    (2 - n, "-n + 2"),
])
def test_plain_printer(expr, text):
    assert symbolic.plain(expr) == text
    names = {s.name: s for s in expr.free_symbols}
    assert sympy.sympify(text, locals=names) == expr  # reads back to the same expression


def test_shapes_put_compound_dimensions_in_parentheses():
    assert shape((n - f + 1, n - f + 1, nc2)) == "(n - f + 1)x(n - f + 1)xnc2"
    assert shape((n, n, 3)) == "nxnx3"


def test_pretty_layout():
    assert symbolic.pretty(1 / nc2 + 1 / f**2).count("\n") >= 2
    assert "n - f + 1" in symbolic.pretty(f**2 * (n - f + 1) ** 2)


# ---- algebra
def test_ratio_in_the_lecture_form():
    conv = f**2 * nc * nc2 * (n - f + 1) ** 2
    sep = f**2 * nc * (n - f + 1) ** 2 + nc * nc2 * (n - f + 1) ** 2
    r = symbolic.ratio(conv, sep)
    assert symbolic.plain(r) == "1/nc2 + 1/f**2"
    assert symbolic.substituted_terms(r, {"nc2": 5, "f": 3}) == "1/5 + 1/9"
    assert symbolic.substitute(r, {"nc2": 5, "f": 3}) == symbolic.ratio(2160, 672)


@settings(max_examples=200, deadline=None)
@given(h=st.integers(1, 5000), k=st.integers(-3, 3), a=st.integers(1, 9), b=st.integers(1, 9))
def test_merged_nested_floors_equal_the_nested_ones(h, k, a, b):
    """floor((floor(x) + k)/b) = floor((x + k)/b): what keeps a ResNet's sizes short."""
    inner = symbolic.floordiv(H - 1, a)
    merged = symbolic.floordiv(inner + k, b)
    assert symbolic.substitute(merged, {"H": h}) == ((h - 1) // a + k) // b
    up = symbolic.ceildiv(symbolic.ceildiv(H, a) + k, b)
    assert symbolic.substitute(up, {"H": h}) == -(-(-(-h // a) + k) // b)


def test_peak_keeps_only_undominated_sums():
    live = [n**2, n**2 + 32 * (n - 2) ** 2, n**2 + 64 * (n - 2) ** 2, sympy.Integer(0)]
    assert symbolic.peak(live) == n**2 + 64 * (n - 2) ** 2
    both = symbolic.peak([H * W + 128, H * W + 64 * (H - 2) * (W - 2)])
    assert isinstance(both, sympy.Max)  # neither dominates for every input size
    assert symbolic.substitute(both, {"H": 3, "W": 3}) == 9 + 128
    assert symbolic.substitute(both, {"H": 28, "W": 28}) == 784 + 64 * 26 * 26


def test_symbols_used_inside_int_are_reals():
    text = "symbol alpha n\nlet c = int(512 * alpha)\ninput (n, n, c)\nconv 3x3 c nobias same\n"
    graph = cnncost.load("<test>", text=text)
    c = graph.nodes[0].shape[2]
    assert symbolic.substitute(c, {"alpha": "0.75"}) == 384
    assert symbolic.substitute(c, {"alpha": "0.3"}) == 153  # int() truncates: 512*0.3 = 153.6
    n_symbol = next(s for s in c.free_symbols | graph.nodes[0].shape[0].free_symbols if s.name == "n")
    assert n_symbol.is_integer



@pytest.mark.parametrize("text", [
    "symbol n c\ninput (n, n, c)\nresidual:\n    conv 1x1 int(c * 1.0)\n",
    "symbol n c\ninput (n, n, 8)\nconv 1x1 c\nresidual:\n    conv 1x1 int(c * 1.0)\n",
])
def test_a_symbol_used_as_a_size_stays_an_integer_inside_int(text):
    graph = cnncost.load("<test>", text=text)  # the add needs int(c * 1.0) == c
    assert str(graph.nodes[-1].shape[2]) == "c"

# ---- the oracle: symbolic totals with the numbers put back equal the numeric ones
# Every spec file of the zoo, and one EfficientNet variant (the others are the same spec
# with other parameters; each takes seconds symbolically).
SPECS = sorted({entry.spec for entry in zoo.entries().values()}) + ["efficientnet_b1"]
QUANTITIES = ("params", "buffers", "macs", "activations", "other_ops", "peak_activation_bytes")


@pytest.mark.parametrize("name", SPECS)
def test_symbolic_input_size_gives_back_the_numeric_report(name):
    numeric = cnncost.analyze(cnncost.load(name))
    general = cnncost.analyze(cnncost.load(name, symbolic=("H", "W")))
    h, w, c = numeric.input
    assert general.input[2] == c and {str(general.input[0]), str(general.input[1])} == {"H", "W"}
    values = {"H": h, "W": w}
    for q in QUANTITIES:
        assert symbolic.substitute(getattr(general.totals, q), values) == getattr(numeric.totals, q), q
    for a, b in zip(numeric.layers, general.layers):
        assert tuple(symbolic.substitute(d, values) for d in b.output) == a.output, a.name
        assert symbolic.substitute(b.params, values) == a.params, a.name


# ---- summarize --symbolic
def test_summarize_symbolic_json_reads_back(run_cli):
    code, out, err = run_cli("summarize", "keras_mnist_cnn", "--symbolic", "H,W", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["input"] == ["H", "W", 1]
    params = sympy.sympify(data["totals"]["params"])
    assert params.subs({"H": 28, "W": 28}) == 93_322
    assert sympy.sympify(data["totals"]["macs"]).subs({"H": 28, "W": 28}) == 2_794_240
    assert sympy.sympify(data["totals"]["macs"]).subs({"H": 150, "W": 150}) == \
        cnncost.analyze(cnncost.load("keras_mnist_cnn", resolution=150)).totals.macs
    assert any("dense (fc after flatten1)" in note for note in data["notes"])


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_summarize_symbolic_formats(run_cli, fmt):
    code, out, err = run_cli("summarize", "keras_mnist_cnn", "--symbolic", "H,W", "--format", fmt)
    assert code == 0, err
    assert "(H - 2)x(W - 2)x32" in out
    if fmt != "csv":
        assert "depends on the input size (H, W) through dense (fc after flatten1)" in out


def test_resnet50_parameters_do_not_depend_on_the_input(run_cli):
    code, out, _ = run_cli("summarize", "resnet50", "--symbolic", "H,W", "--depth", "0")
    assert code == 0
    assert "Params: 25,557,032 (25.6 M)" in out
    assert "does not depend on the input size (H, W)" in out
    assert "9408*(floor((H - 1)/2) + 1)*(floor((W - 1)/2) + 1)" in out  # the stem conv


def test_one_symbol_is_a_square_input(run_cli):
    code, out, _ = run_cli("summarize", "lenet5", "--symbolic", "n", "--format", "json")
    data = json.loads(out)
    assert data["input"] == ["n", "n", 1]
    assert sympy.sympify(data["totals"]["macs"]).subs("n", 32) == 416_520


@pytest.mark.parametrize("args,message", [
    (("--symbolic", "H,W,C"), "give one name"),
    (("--symbolic", "s2"), "not a symbol name"),
    (("--symbolic", "H,W", "--resolution", "160"), "--symbolic and --resolution"),
])
def test_summarize_symbolic_errors(run_cli, args, message):
    code, _, err = run_cli("summarize", "lenet5", *args)
    assert code == 2 and message in err


def test_symbolic_spec_explain_and_check(run_cli, tmp_path):
    spec = tmp_path / "conv.spec"
    spec.write_text("symbol n nc nc2 f\ninput (n, n, nc)\nconv (f, f) nc2 valid\n"
                    "expect macs f**2*nc*nc2*(n - f + 1)**2\nexpect params f*f*nc*nc2\n")
    code, out, _ = run_cli("explain", str(spec))
    assert code == 0 and "H_out = n - f + 1" in out and "MACs = f**2*nc*nc2*(n - f + 1)**2" in out
    assert "nxnxnc -> (n - f + 1)x(n - f + 1)xnc2" in out
    code, out, _ = run_cli("check", str(spec))
    assert code == 1 and "1 of 2 correct" in out and "it is f**2*nc*nc2 + nc2" in out


def test_totals_footer_prints_a_formula_once():
    report = analyze_text("symbol n\ninput (n, n, 3)\nconv 3x3 8\n")
    from cnncost.render import render_table

    text = render_table(report)
    assert "Params: 224\n" in text  # a number: exact (its short form would repeat it, issue 18)
    assert "MACs (multiply-accumulates): 216*(n - 2)**2; FLOPs" in text  # a formula: once


def test_a_convention_total_in_symbols_is_printed_once(run_cli):
    code, out, err = run_cli("summarize", "keras_mnist_cnn", "--symbolic", "H,W", "--convention", "fvcore")
    assert code == 0, err
    (line,) = [ln for ln in out.splitlines() if ln.startswith("Convention fvcore: ")]
    formula = line.removeprefix("Convention fvcore: ").split(" = ")[0]
    assert line.count(formula) == 1 and "(" + formula + ")" not in line
    assert formula == "288*(H - 2)*(W - 2) + 18432*(floor(H/2) - 3)*(floor(W/2) - 3) + " \
                      "40960*(floor((H - 18)/4) + 1)*(floor((W - 18)/4) + 1) + 640"
    code, _, err = run_cli("summarize", "keras_mnist_cnn", "--symbolic", "H,W", "--device", "a100")
    assert code == 2 and "drop --symbolic" in err and "Traceback" not in err
