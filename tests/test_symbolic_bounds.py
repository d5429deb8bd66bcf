"""Symbolic work is bounded before sympy expands anything, and make_divisible of a symbol
is counted (issue 15, faults 2 and 3)."""
import pytest

BLOWUPS = [  # (spec text, where the caret goes, what the error says)
    ("symbol n\ninput (n, n, 3)\nconv 1x1 (n+1)**(10**30)\n", ":3:10:", "a power of degree over 32"),
    ("symbol n\ninput (n, n, 3)\nconv 1x1 n**(10**7)\n", ":3:10:", "a power of degree over 32"),
    ("symbol n\ninput (n, n, 3)\nconv 1x1 (n+1)**1000\n", ":3:10:", "a power of degree over 32"),
    ("symbol n\ninput (n, n, 3)\nlet a = n*n*n*n*n*n*n*n\nconv 1x1 a*a*a*a*a\n", ":4:10:",
     "its degree in the symbols is over 32"),
    ("symbol n\ninput (n, n, 3)\nconv 1x1 2**n\n", ":3:10:", "a symbol in an exponent"),
    ("".join(f"symbol {s}\n" for s in "abcdefgh") + "input 8x8x3\nconv 1x1 (a+b+c+d+e+f+g+h)**16\n",
     ":10:10:", "multiplied out it would have more than 20,000 terms"),
]


@pytest.mark.parametrize("text, where, says", BLOWUPS, ids=[b[2][:30] for b in BLOWUPS])
@pytest.mark.parametrize("command", ["summarize", "explain", "graph", "compare"])
def test_a_symbolic_blowup_is_refused_with_its_place(run_cli, tmp_path, text, where, says, command):
    spec = tmp_path / "big.spec"
    spec.write_text(text)
    args = [command, str(spec)] + (["lenet5"] if command == "compare" else [])
    code, out, err = run_cli(*args)
    assert code == 2, err
    assert f"big.spec{where} error: symbolic expression too large: {says}" in err
    assert "hint: symbolic costs are bounded" in err


def test_layer_vs_with_huge_powers_is_refused(run_cli):
    code, out, err = run_cli("layer", "conv 1x1 (n+1)**1000", "--in", "(n,n,3)",
                             "--vs", "conv 1x1 (n+2)**1000")
    assert code == 2 and "symbolic expression too large: a power of degree over 32" in err


def test_a_power_within_the_bound_is_still_counted(run_cli, tmp_path):
    spec = tmp_path / "ok.spec"
    spec.write_text("symbol n\ninput 4x4x1\nconv 1x1 (n+1)**2\n")
    code, out, err = run_cli("summarize", str(spec), "--format", "json")
    assert code == 0, err
    import json

    totals = json.loads(out)["totals"]
    assert totals["params"] == "2*(n + 1)**2" or totals["params"].replace(" ", "") in (
        "2*(n+1)**2", "2*n**2+4*n+2")


MAKE_DIVISIBLE = "symbol a\ninput 32x32x3\nconv 3x3 make_divisible(64*a)\n"


@pytest.mark.parametrize("command", ["summarize", "explain", "graph", "compare"])
def test_make_divisible_of_a_symbol_is_counted(run_cli, tmp_path, command):
    spec = tmp_path / "md.spec"
    spec.write_text(MAKE_DIVISIBLE)
    args = [command, str(spec)] + (["lenet5"] if command == "compare" else [])
    code, out, err = run_cli(*args)
    assert code == 0 and "internal error" not in err, err
    assert "Piecewise" in out or "make_divisible" in out or "floor" in out


@pytest.mark.parametrize("a, channels", [(1, 64), ("1/2", 32), ("3/4", 48), ("0.3", 24), (2, 128)])
def test_make_divisible_of_a_symbol_substituted_equals_the_numeric_count(a, channels):
    """The symbolic count with a number put in equals the count of the spec with that
    number (an independent oracle: symbolic vs numeric)."""
    from fractions import Fraction

    import cnncost
    from cnncost.symbolic import substitute

    symbolic = cnncost.analyze(cnncost.load("<t>", text=MAKE_DIVISIBLE))
    numeric = cnncost.analyze(cnncost.load("<t>", text=MAKE_DIVISIBLE.replace("symbol a", f"param a = {a}")))
    assert numeric.totals.params == 27 * channels + channels
    assert substitute(symbolic.totals.params, {"a": Fraction(str(a))}) == numeric.totals.params
    assert substitute(symbolic.totals.macs, {"a": Fraction(str(a))}) == numeric.totals.macs
