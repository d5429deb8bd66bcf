"""The "Smaller ones" of issue 15 and three items of issue 18, each with its reproducer."""
import json

import pytest

import cnncost
from cnncost.errors import CnnCostError

SPEC_ERRORS = [  # (spec text, place, message, hint)
    ("input 8x8x3\nconv 3x3 ６４\n", ":2:10:", "unexpected character '６'",
     "U+FF16 FULLWIDTH DIGIT SIX, a digit that is not 0-9: retype it as 6"),
    ("input ٨x8x3\n", ":1:7:", "unexpected character '٨'",
     "U+0668 ARABIC-INDIC DIGIT EIGHT, a digit that is not 0-9: retype it as 8"),
    ("input 8x8x3\nconv 3x3 -4\n", ":2:6:", "a kernel and a channel count were expected, got 3x3 - 4",
     "a channel count is a whole number above 0"),
    ("input 8x8x3\nconv 3x3 4 stride=1 stride=2\n", ":2:21:", "conv got 'stride' twice",
     "give stride= once"),
    ("input 28,28,192\n", ":1:9:", "unexpected ','",
     "shapes are written H x W x C: 28x28x192 (or a tuple in parentheses: (28, 28, 192))"),
]


@pytest.mark.parametrize("text, place, message, hint", SPEC_ERRORS, ids=[s[2][:30] for s in SPEC_ERRORS])
def test_spec_errors_are_located_with_a_hint(run_cli, tmp_path, text, place, message, hint):
    spec = tmp_path / "net.spec"
    spec.write_text(text)
    code, out, err = run_cli("summarize", str(spec))
    assert code == 2 and f"net.spec{place} error: {message}" in err and hint in err


def test_layer_in_with_commas_hints_the_x_form(run_cli):
    code, _, err = run_cli("layer", "conv 3x3 64", "--in", "28,28,192")
    assert code == 2 and "hint: shapes are written H x W x C: 28x28x192" in err
    assert "one statement per line" not in err


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment only\n"])
def test_an_empty_spec_has_a_caret(run_cli, tmp_path, text):
    spec = tmp_path / "empty.spec"
    spec.write_text(text)
    code, _, err = run_cli("summarize", str(spec))
    lines = err.splitlines()
    assert code == 2 and "the spec has no `input` statement" in lines[0]
    assert lines[2].strip() == "^"


def test_check_without_expect_lines_is_located(run_cli, tmp_path):
    spec = tmp_path / "plain.spec"
    spec.write_text("input 8x8x3\nconv 3x3 4\n\n")
    code, out, err = run_cli("check", str(spec))
    assert code == 2 and out == ""
    assert err.startswith(f"{spec}:2:1: error: no `expect` lines to check\n    conv 3x3 4\n    ^^^^^^^^^^")
    assert "Usage:" not in err


@pytest.mark.parametrize("expect, verdict", [
    ("~416k", "wrong: it is ~417k (416,520 rounds to 417k)"),
    ("~0.41M", "wrong: it is ~0.42M (416,520 rounds to 0.42M)"),
    ("~416.6k", "wrong: it is ~416.5k (416,520 rounds to 416.5k)"),
    ("~1k", "wrong: it is ~417k (416,520 rounds to 417k)"),
])
def test_check_says_what_the_true_value_rounds_to(run_cli, tmp_path, expect, verdict):
    spec = tmp_path / "lenet.spec"
    spec.write_text(cnncost.zoo.spec_text("lenet5").split("expect")[0].rstrip() +
                    f"\nexpect total macs {expect}\n")
    code, out, err = run_cli("check", str(spec))
    assert code == 1 and verdict in out, out + err


@pytest.mark.parametrize("call, message", [
    (lambda g: cnncost.analyze(g, batch=-1), "batch -1: out of range"),
    (lambda g: cnncost.analyze(g, batch=0.5), "batch 0.5: not a whole number"),
    (lambda g: cnncost.analyze(g, batch=0), "batch 0: out of range"),
    (lambda g: cnncost.load(None), "load() takes a path or a zoo name, got NoneType"),
    (lambda g: cnncost.load(123), "load() takes a path or a zoo name, got int"),
    (lambda g: cnncost.load("lenet5", symbolic=("a b",)), "'a b' is not a symbol name"),
    (lambda g: cnncost.load("lenet5", symbolic="H"), "symbolic= takes a tuple of names"),
    (lambda g: cnncost.load("lenet5", max_nodes=0), "--max-nodes 0: out of range"),
    (lambda g: cnncost.load("lenet5", width="1e999999999"), "exponents beyond e±30"),
    (lambda g: cnncost.load("lenet5", resolution="١٦٠"), "U+0661"),
])
def test_the_python_api_checks_its_arguments(call, message):
    graph = cnncost.load("lenet5")
    with pytest.raises(CnnCostError) as info:
        call(graph)
    assert message in str(info.value)


def test_the_python_api_still_takes_good_arguments():
    from pathlib import Path

    graph = cnncost.load("lenet5")
    assert cnncost.analyze(graph, batch=2).totals.macs == 2 * cnncost.analyze(graph).totals.macs
    assert cnncost.load("lenet5", max_nodes=500).name == graph.name
    spec = Path(cnncost.zoo.__file__).parent / "specs" / "lenet5.spec"
    if spec.exists():
        assert cnncost.analyze(cnncost.load(spec)).totals.params == 61_706


@pytest.mark.parametrize("names", [("E", "N", "S"), ("I", "pi", "S"), ("N", "E", "I")])
def test_layer_json_expressions_read_back_with_the_listed_symbols(run_cli, names):
    import sympy

    h, c, out_c = names
    code, out, err = run_cli("layer", f"conv 3x3 {out_c}", "--in", f"({h}, {h}, {c})", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["symbol_names"] == sorted(set(names))
    local = {n: sympy.Symbol(n, positive=True, integer=True) for n in data["symbol_names"]}
    H, C, K = (local[n] for n in names)
    assert sympy.sympify(data["a"]["params"], locals=local) == 9 * C * K + K
    assert sympy.expand(sympy.sympify(data["a"]["macs"], locals=local) - 9 * C * K * (H - 2) ** 2) == 0
