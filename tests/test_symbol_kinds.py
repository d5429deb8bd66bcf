"""`symbol NAME ... real|positive|integer`: the kind of a symbol said, not guessed, so the
MobileNet cost with a resolution multiplier keeps its floor: int(rho*DF) is floor(rho*DF)."""
from fractions import Fraction

import pytest
import sympy

import cnncost

MOBILENET = """{symbols}
param M = 512
param N = 512
input (int(rho * DF), int(rho * DF), M)
dwconv 3x3 nobias
conv 1x1 N nobias
"""


def analyze(text):
    return cnncost.analyze(cnncost.build(cnncost.parse(text)))


@pytest.mark.parametrize("symbols, height", [
    ("symbol rho real\nsymbol DF", "floor(DF*rho)"),
    ("symbol rho positive\nsymbol DF integer", "floor(DF*rho)"),
    ("symbol DF\nsymbol rho real", "floor(DF*rho)"),
    ("symbol rho DF", "DF*rho"),  # guessed: both are sizes of the input, so integers
    ("symbol rho DF integer", "DF*rho"),
])
def test_symbol_kinds(symbols, height):
    report = analyze(MOBILENET.format(symbols=symbols))
    assert str(report.input[0]) == height


@pytest.mark.parametrize("rho, df, side", [
    (Fraction(5, 7), 14, 10),  # seed case 7: rho = 0.714 makes D_F = 14 into 10
    (Fraction(1, 2), 15, 7),  # 7.5 floors to 7
    (Fraction(3, 4), 224, 168),
])
def test_real_symbol_substitutes_to_the_numeric_result(rho, df, side):
    report = analyze(MOBILENET.format(symbols="symbol rho real\nsymbol DF"))
    r, d = sympy.Symbol("rho", positive=True), sympy.Symbol("DF", positive=True, integer=True)
    macs = report.totals.macs.subs({r: sympy.Rational(rho.numerator, rho.denominator), d: df})
    numeric = analyze(f"input {side}x{side}x512\ndwconv 3x3 nobias\nconv 1x1 512 nobias\n")
    assert macs == numeric.totals.macs == (side - 2) ** 2 * (9 * 512 + 512 * 512)


def test_a_kind_without_names_is_an_error(run_cli, tmp_path):
    spec = tmp_path / "bad.spec"
    spec.write_text("symbol real\ninput (n, n, 3)\n")
    code, _, err = run_cli("summarize", str(spec))
    assert code == 2 and "`symbol real` declares no name" in err
