"""`cnncost layer`: seed cases 5, 6 and 7 through one command line each, the course's other
comparisons, the symbolic ratio, JSON that reads back, and errors placed in the typed text."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy

from cnncost.report.layer import compare_layers


def layer_json(run_cli, *args):
    code, out, err = run_cli("layer", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ---- seed case 5: normal versus depthwise-separable on 6x6x3 (multiplies, no biases)
def test_case5_numbers_and_working(run_cli):
    code, out, err = run_cli("layer", "conv 3x3 5 nobias", "--in", "6x6x3",
                             "--vs", "sepconv 3x3 5 nobias", "--symbolic")
    assert code == 0, err
    assert "MACs = 4·4·5 × 3·3·3 = 2,160" in out       # 3·3·3 filter × 4·4 positions × 5
    assert "MACs = 4·4·3 × 3·3 = 432" in out            # depthwise
    assert "MACs = 4·4·5 × 1·1·3 = 240" in out          # pointwise
    assert "MACs = 432 + 240 = 672" in out
    assert "14/45 = 0.311" in out
    assert "MACs b/a = 1/nc2 + 1/f**2 = 1/5 + 1/9 = 14/45" in out


def test_case5_json(run_cli):
    data = layer_json(run_cli, "conv 3x3 5 nobias", "--in", "6x6x3", "--vs", "sepconv 3x3 5 nobias",
                      "--symbolic")
    assert (data["a"]["macs"], data["b"]["macs"]) == (2160, 672)
    assert [p["macs"] for p in data["b"]["parts"]] == [432, 240]
    assert data["a"]["output"] == data["b"]["output"] == [4, 4, 5]
    assert Fraction(data["ratio"]["macs_exact"]) == Fraction(672, 2160) == Fraction(1, 5) + Fraction(1, 9)
    assert round(data["ratio"]["macs"], 3) == 0.311
    assert data["ratio"]["macs_terms"] == "1/5 + 1/9"
    assert data["symbols"] == {"n": 6, "nc": 3, "f": 3, "nc2": 5}


def test_case5_six_in_eight_out():
    b = compare_layers("sepconv 3x3 8", "6x6x6").a
    assert [(p.op, p.output) for p in b.parts] == [("dwconv", (4, 4, 6)), ("conv", (4, 4, 8))]


def test_symbolic_ratio_is_the_lecture_formula(run_cli):
    """1/n_c' + 1/f**2, read back from JSON with sympify and compared by simplify."""
    data = layer_json(run_cli, "conv (f, f) nc2", "--in", "(n, n, nc)", "--vs", "sepconv (f, f) nc2")
    ratio = sympy.sympify(data["ratio"]["macs"])
    assert sympy.simplify(ratio - sympy.sympify("1/nc2 + 1/f**2")) == 0
    assert data["ratio"]["macs"] == "1/nc2 + 1/f**2"  # printed in the lecture's form
    assert data["a"]["output"] == ["n - f + 1", "n - f + 1", "nc2"]
    assert sympy.sympify(data["a"]["macs"]) == sympy.sympify("f**2*nc*nc2*(n - f + 1)**2")


def test_symbolic_ratio_with_512_channels_is_about_a_ninth():
    c = compare_layers("conv 3x3 512 nobias same", "14x14x512", "sepconv 3x3 512 nobias same",
                       generalize=True)
    macs = c.ratios[0]
    assert macs.value == Fraction(1, 512) + Fraction(1, 9)
    assert macs.terms == "1/512 + 1/9"


# ---- seed case 6: the Inception bottleneck
def test_case6_bottleneck(run_cli):
    data = layer_json(run_cli, "conv 5x5 32 same", "--in", "28x28x192",
                      "--vs", "conv 1x1 16; conv 5x5 32 same")
    assert data["a"]["macs"] == 120_422_400
    assert [p["macs"] for p in data["b"]["parts"]] == [2_408_448, 10_035_200]
    assert data["b"]["macs"] == 12_443_648
    assert "MACs = 2,408,448 + 10,035,200 = 12,443,648" in data["b"]["sums"]
    assert Fraction(data["ratio"]["macs_exact"]) == Fraction(12_443_648, 120_422_400)


# ---- seed case 7: MobileNet v1 Table 3 (D_K = 3, no biases)
@pytest.mark.parametrize("channels,size,sep_macs,sep_params", [
    (512, 14, 52_283_392, 266_752),   # the table's depthwise-separable row
    (384, 14, 29_578_752, 150_912),   # alpha = 0.75
    (384, 10, 15_091_200, 150_912),   # rho = 0.714 (D_F = 10)
])
def test_case7_mobilenet_table3(run_cli, channels, size, sep_macs, sep_params):
    data = layer_json(run_cli, f"conv 3x3 {channels} nobias same", "--in", f"{size}x{size}x{channels}",
                      "--vs", f"sepconv 3x3 {channels} nobias same")
    assert (data["b"]["macs"], data["b"]["params"]) == (sep_macs, sep_params)
    if channels == 512:
        assert (data["a"]["macs"], data["a"]["params"]) == (462_422_016, 2_359_296)


# ---- the course's other comparisons
def test_two_3x3_against_one_5x5():
    c = compare_layers("conv 5x5 64 same nobias", "28x28x64",
                       "conv 3x3 64 same nobias; conv 3x3 64 same nobias", generalize=True)
    assert (c.a.params, c.b.params) == (25 * 64 * 64, 2 * 9 * 64 * 64)  # 25c vs 18c per filter
    params = c.ratios[1]
    assert params.value == Fraction(18, 25) and params.terms == "9/25 + 9/25"


def test_factored_kernel_n_by_1():
    c = compare_layers("conv 3x3 64 same nobias", "28x28x64",
                       "conv 1x3 64 same nobias; conv 3x1 64 same nobias")
    assert c.ratios[1].value == Fraction(2 * 3, 3 * 3)  # 2n instead of n**2


def test_one_by_one_shrinks_channels():
    a = compare_layers("conv 1x1 32", "28x28x192").a
    assert a.output == (28, 28, 32) and a.macs == 28 * 28 * 32 * 192 and a.params == 192 * 32 + 32


def test_single_layer_has_no_ratio(run_cli):
    data = layer_json(run_cli, "conv 5x5 16 p2", "--in", "28x28x1")
    assert set(data) == {"input", "a"}
    assert data["a"]["parts"][0]["working"][0] == "H_out = floor((28 + 2·2 − 5)/1) + 1 = 28"


def test_pretty_prints_two_dimensional_formulas(run_cli):
    code, out, _ = run_cli("layer", "conv (f, f) nc2", "--in", "(n, n, nc)", "--vs",
                           "sepconv (f, f) nc2", "--pretty")
    assert code == 0 and "MACs b/a =" in out and "───" in out


# ---- errors point into the text as typed
@pytest.mark.parametrize("args,first_line,caret", [
    (("conv 3x3 5 nobas", "--in", "6x6x3"), "<layer>:1:12: error: conv got an extra value 'nobas'",
     "               ^^^^^"),
    (("conv 3x3 5", "--in", "6x6x3", "--vs", "sepconv 3x3 5; maxpool 9x9"),
     "<vs>:1:16: error: maxpool1 (maxpool) on input 4x4x5: output height would be 0", None),
    (("conv 3x3 5", "--in", "6x6"), "<input>:1:1: error: input takes HxWxC", None),
    (("conv 3x3 5", "--in", "(n, n"), "<input>:1:5: error: unexpected end of file", None),
    (("conv 3x3 5", "--in", "(n1, n1, 3)"),
     "<input>:1:2: error: 'n1' has the form of a flag and cannot name a symbol", "     ^^"),
    (("conv 3x3 5 s0", "--in", "6x6x3"), "<layer>:1:12: error: stride must be at least 1", None),
    (("", "--in", "6x6x3"), "<layer>:1:1: error: no layer given", None),
])
def test_errors_point_into_the_typed_text(run_cli, args, first_line, caret):
    code, out, err = run_cli("layer", *args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(first_line), err
    if caret:
        assert lines[2] == caret
    assert "Traceback" not in err


def test_a_numeric_layer_run_imports_no_sympy():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c",
                          "import sys; from cnncost.cli import main\n"
                          "try: main(['layer', 'conv 3x3 5', '--in', '6x6x3', '--vs', 'sepconv 3x3 5'])\n"
                          "except SystemExit: pass\n"
                          "print('sympy' in sys.modules, file=sys.stderr)"],
                         capture_output=True, text=True)
    assert "2,160" in run.stdout and "14/45 = 0.311" in run.stdout  # MACs never count biases
    assert run.stderr.strip().endswith("False")


def _readme_layer_examples():
    """Every block of docs/how-to/layers.md (README.md's until issue 18) that is one
    `$ cnncost layer ...` command and its output."""
    import re
    import shlex

    from conftest import REPO

    text = (REPO / "docs" / "how-to" / "layers.md").read_text()
    for block in re.findall(r"```console\n(\$ cnncost layer .*?)\n```", text, re.S):
        command, _, output = block.partition("\n")
        yield pytest.param(shlex.split(command[2:])[1:], output + "\n", id=command[16:60])


@pytest.mark.parametrize("args,output", list(_readme_layer_examples()))
def test_readme_examples_are_real_output(run_cli, args, output):
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert out == output


def test_readme_has_the_course_comparisons():
    assert len(list(_readme_layer_examples())) >= 6
