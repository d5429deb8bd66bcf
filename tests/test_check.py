"""`check` and `explain`: expectations marked against the truth, and working that is
real arithmetic (every printed working evaluates back to the value it claims)."""
import json
import re
from fractions import Fraction

import pytest

import cnncost
from cnncost.dsl.parser import parse
from cnncost.expr import Env, Evaluator
from cnncost.report.check import _close, check
from cnncost.render.working import step_line
from cnncost.report.explain import explain_layers
from cnncost.zoo import entries
from conftest import DATA

HOMEWORK = DATA / "homework"


# ---------------------------------------------------------------- marking homework
@pytest.mark.parametrize("name, code, wrong_lines", [
    ("fashion_wrong.spec", 1, [6, 17, 23]),
    ("fashion_right.spec", 0, []),
    ("sums_slip.spec", 1, [8]),   # seed case 10: the deck's "24 million" weights
    ("sums_right.spec", 0, []),
])
def test_check_marks_exactly_the_wrong_answers(run_cli, name, code, wrong_lines):
    status, out, err = run_cli("check", str(HOMEWORK / name), "--format", "json")
    assert status == code, err
    data = json.loads(out)
    assert [r["line"] for r in data["results"] if not r["ok"]] == wrong_lines
    assert data["correct"] == data["total"] - len(wrong_lines)


def test_check_shows_true_values_and_working(run_cli):
    status, out, _ = run_cli("check", str(HOMEWORK / "fashion_wrong.spec"))
    assert status == 1
    assert "✗ line 6    params 400  — wrong: it is 416" in out
    assert "params = 5·5·1·16 + 16 = 416" in out
    assert "H_out = floor((28 + 2·2 − 5)/1) + 1 = 28" in out
    assert "MACs = 28·28·16 × 5·5·1 = 313,600" in out
    assert "✗ line 17   shape 6x6x32  — wrong: it is 7x7x32" in out
    assert "total params = 416 + 32 + 12832 + 64 + 15690 = 29,034" in out
    assert out.rstrip().endswith("9 of 12 correct")


def test_check_json_fields(run_cli):
    _, out, _ = run_cli("check", str(HOMEWORK / "sums_slip.spec"), "--format", "json")
    data = json.loads(out)
    slip = data["results"][1]
    assert slip == {"line": 8, "quantity": "params", "total": False, "expected": "~24M",
                    "expected_value": 24_000_000, "actual": 6_220_800 * 4_000_000, "ok": False,
                    "working": ["params = 6220800·4000000 = 24,883,200,000,000"],
                    "rounded": "24,883,200M"}
    assert data["results"][0]["actual"] == [6_220_800]


def test_check_without_expectations_is_an_input_error(run_cli, tmp_path):
    spec = tmp_path / "plain.spec"
    spec.write_text("input 8x8x3\nconv 3x3 4\n")
    status, _, err = run_cli("check", str(spec))
    assert status == 2 and "no `expect` lines" in err


def test_check_spec_error_exits_2(run_cli, tmp_path):
    spec = tmp_path / "broken.spec"
    spec.write_text("input 8x8x3\nconv 9x9 4\nexpect params 1\n")
    status, _, err = run_cli("check", str(spec))
    assert status == 2 and "broken.spec:2:1" in err and "Traceback" not in err


@pytest.mark.parametrize("stem", sorted({e.spec for e in entries().values()}))
def test_every_expect_in_the_zoo_holds(stem):
    report = check(cnncost.load(stem))
    assert [(r.line, r.expected, r.actual) for r in report.results if not r.ok] == []


# ---------------------------------------------------------------- the ~ rule
@pytest.mark.parametrize("actual, source, suffix, ok", [
    (15_450_000_000, "15.5G", "G", True),      # the contract's example: 15.45e9 ...
    (15_549_999_999, "15.5G", "G", True),
    (15_550_000_000, "15.5G", "G", False),     # ... up to but excluding 15.55e9
    (15_449_999_999, "15.5G", "G", False),
    (61_706, "60k", "k", False),               # LeNet-5's "60 k" is only a loose figure
    (61_706, "62k", "k", True),
    (61_706, "61.7k", "k", True),
    (24_883_200_000_000, "2.5e13", None, True),
    (24_883_200_000_000, "24M", "M", False),
    (24_883_200_000_000, "25T", "T", True),    # the same slip caught in the right unit
    (24_883_200_000_000, "24.9T", "T", True),
    (24_883_200_000_000, "24.8T", "T", False),
    (416, "416", None, True),
    (417, "416", None, False),
])
def test_approximate_means_rounding_to_the_digits_shown(actual, source, suffix, ok):
    value = Fraction(source.rstrip("kMGT")) * {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}[suffix]
    assert _close(actual, value, source, suffix) is ok


# ---------------------------------------------------------------- working evaluates back
_STEP = re.compile(r"^(?P<what>[\w ]+?) = (?P<text>.+) = (?P<value>-?[\d,]+(?:/\d+)?)$")


def evaluate(text: str):
    """The working as the spec language reads it: · and × multiply, − subtracts."""
    expr = text.replace("·", "*").replace("×", "*").replace("−", "-")
    module = parse(f"let v = {expr}\n")
    return Evaluator(lambda pos: None)(module.body[0].value, Env())


def _numbers(value: str):
    return Fraction(value.replace(",", ""))


@pytest.mark.parametrize("stem", sorted({e.spec for e in entries().values()}))
def test_every_printed_working_evaluates_to_the_reported_value(stem):
    graph = cnncost.load(stem)
    rows = {r.name: r for r in cnncost.analyze(graph).layers}
    checked = 0
    for layer in explain_layers(graph):
        row = rows[layer.name]
        claimed = {}
        for line in map(step_line, layer.working):
            match = _STEP.match(line)
            if match is None:
                continue  # a bare value, e.g. "RF = 99": nothing to evaluate
            assert evaluate(match["text"]) == _numbers(match["value"]), (layer.name, line)
            claimed[match["what"]] = _numbers(match["value"])
            checked += 1
        # what the working claims is what the report says
        assert claimed.get("params", row.params) == row.params, layer.name
        assert claimed.get("MACs", row.macs) == row.macs, layer.name
        assert claimed.get("buffers", row.buffers) == row.buffers, layer.name
        shape_claims = [claimed[k] for k in ("H_out", "W_out", "C_out", "N_out") if k in claimed]
        assert set(shape_claims) <= set(layer.output), layer.name
        rf = [claimed[k] for k in ("RF", "RF_h", "RF_w") if k in claimed]
        assert set(rf) <= set(row.rf_size), layer.name
    assert checked > 0


def test_explain_lenet_first_layer(run_cli):
    status, out, _ = run_cli("explain", "lenet5", "--layer", "conv_pool1.conv1")
    assert status == 0
    assert out.splitlines()[2:] == [
        "conv_pool1.conv1 (conv, line 7: conv 5x5 c tanh)  32x32x1 -> 28x28x6",
        "    H_out = floor((32 − 5)/1) + 1 = 28",
        "    W_out = floor((32 − 5)/1) + 1 = 28",
        "    params = 5·5·1·6 + 6 = 156",
        "    MACs = 28·28·6 × 5·5·1 = 117,600",
        "    RF = 1 + (5 − 1)·1 = 5",
    ]


@pytest.mark.parametrize("layer, lines", [
    ("conv 3x3 8 same s2", ["H_out = ceil(15/2) = 8", "params = 3·3·4·8 + 8 = 296",
                             "MACs = 8·8·8 × 3·3·4 = 18,432", "RF = 1 + (3 − 1)·1 = 3"]),
    ("conv 3x3 8 g2 d2 p2 nobias", ["H_out = floor((15 + 2·2 − (2·(3 − 1) + 1))/1) + 1 = 15",
                                    "params = 3·3·(4/2)·8 = 144", "MACs = 15·15·8 × 3·3·(4/2) = 32,400",
                                    "RF = 1 + (2·(3 − 1) + 1 − 1)·1 = 5"]),
    ("maxpool 3x3 s2 ceil", ["H_out = ceil((15 − 3)/2) + 1 = 7", "RF = 1 + (3 − 1)·1 = 3"]),
    ("dwconv 3x3 m2 p1", ["H_out = floor((15 + 2·1 − 3)/1) + 1 = 15", "C_out = 4·2 = 8",
                          "params = 3·3·8 + 8 = 80", "MACs = 15·15·8 × 3·3 = 16,200"]),
    ("deconv 2x2 6 s2", ["params = 2·2·4·6 + 6 = 102", "MACs = 15·15·4 × 2·2·6 = 21,600"]),
])
def test_explain_single_layers(layer, lines):
    graph = cnncost.load("<t>", text=f"input 15x15x4\n{layer}\n")
    assert set(lines) <= set(map(step_line, explain_layers(graph)[0].working))


_QUANTITIES = """input 8x8x3
conv 3x3 4 p1 bn relu
expect {q} {v}
"""


@pytest.mark.parametrize("quantity, truth", [
    ("shape", "8x8x4"),
    ("params", "3*3*3*4 + 4 + 2*4"),        # conv with bias, then bn's gamma and beta
    ("buffers", "2*4"),                      # bn's running mean and variance
    ("macs", "8*8*4 * 3*3*3"),
    ("flops", "2 * 8*8*4 * 3*3*3"),
    ("activations", "8*8*4"),                # the statement's output
    ("rf", "3"),
    ("total activations", "3 * 8*8*4"),      # conv, bn and relu outputs
    ("total params", "3*3*3*4 + 4 + 2*4"),
])
def test_each_quantity_of_a_statement(quantity, truth):
    graph = cnncost.load("<t>", text=_QUANTITIES.format(q=quantity, v=truth))
    assert [r.ok for r in check(graph).results] == [True]
    wrong = cnncost.load("<t>", text=_QUANTITIES.format(q=quantity, v=truth + ("x2" if quantity == "shape" else " + 1")))
    assert [r.ok for r in check(wrong).results] == [False]


_PASS_THROUGH = """\
input 28x28x1
conv 5x5 16 p2 relu
expect shape 28x28x16
expect rf 5
residual:
    conv 3x3 16 same
    conv 3x3 16 same
expect shape 28x28x16
expect rf 9
maxpool 2x2 s2
expect total shape 14x14x16
expect total rf 10
"""


@pytest.mark.parametrize("line, working", [
    # the relu passes the conv's output through: the conv's working, named
    (3, ["conv1: H_out = floor((28 + 2·2 − 5)/1) + 1 = 28",
         "conv1: W_out = floor((28 + 2·2 − 5)/1) + 1 = 28"]),
    (4, ["conv1: RF = 1 + (5 − 1)·1 = 5"]),
    # the residual's add keeps the body's shape and field
    (8, ["residual1.conv2: H_out = ceil(28/1) = 28", "residual1.conv2: W_out = ceil(28/1) = 28"]),
    (9, ["residual1.conv2: RF = 7 + (3 − 1)·1 = 9"]),
    # totals: the working of the network's output
    (11, ["H_out = floor((28 − 2)/2) + 1 = 14", "W_out = floor((28 − 2)/2) + 1 = 14"]),
    (12, ["RF = 9 + (2 − 1)·1 = 10"]),
])
def test_shape_and_rf_show_the_working_of_the_layer_that_made_them(line, working):
    result = {r.line: r for r in check(cnncost.load("<t>", text=_PASS_THROUGH)).results}[line]
    assert result.ok and list(map(step_line, result.working)) == working
