"""A spec's `values:` section: the network run on given numbers, exactly, and each
`expect LAYER MATRIX` marked by `cnncost check` (the lecture's examples as homework)."""
import json
from fractions import Fraction as F

import pytest

from conftest import DATA

VALUES = DATA / "values"


@pytest.mark.parametrize("name, status, marks, actual", [
    ("maxpool.spec", 0, [True], [[[8, 9], [3, 2]]]),
    ("loopy.spec", 0, [True, True],
     [[[F(-1, 9), 1, F(-1, 9)], [F(-5, 9), F(1, 9), F(-1, 3)], [F(-1, 3), F(1, 3), F(-1, 3)],
       [F(-5, 9), F(-1, 9), F(-5, 9)], [F(-1, 3), F(-5, 9), F(-1, 3)]],
      [[0, 1, 0], [0, F(1, 9), 0], [0, F(1, 3), 0], [0, 0, 0], [0, 0, 0]]]),
    ("one_by_one.spec", 0, [True],
     [[[2, 4, 6, 8, 10, 12], [14, 16, 18, 20, 22, 24], [2] * 6, [4] * 6, [0] * 6, [6] * 6]]),
    ("channels.spec", 0, [True], [[[[10, 14], [26, 30]], [[1, 1], [1, 1]]]]),
    ("wrong.spec", 1, [True, True, False], [[[8, 9], [3, 2]], [[8, 9], [3, 2]]]),
])
def test_values_section_marked(run_cli, name, status, marks, actual):
    code, out, err = run_cli("check", str(VALUES / name), "--format", "json")
    assert code == status, err
    results = json.loads(out)["results"]
    assert [r["ok"] for r in results] == marks
    got = [r["actual"] for r in results if r["quantity"] == "values"]
    assert got == [_json(a) for a in actual]


def _json(value):
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value.numerator if F(value).denominator == 1 else float(value)


def test_values_section_text_shows_the_true_grid(run_cli):
    code, out, _ = run_cli("check", str(VALUES / "wrong.spec"))
    assert code == 1
    assert "✗ line 8    values output ((8,9),(3,3))  — wrong: it is\n        8  9\n        3  2\n" in out
    code, out, _ = run_cli("check", str(VALUES / "loopy.spec"))
    assert code == 0
    assert "-0.11      1  -0.11" in out and "-1/9     1  -1/9" in out


@pytest.mark.parametrize("section, message", [
    ("    input ((1,2),(3,4))\n    expect conv9 ((1,),)\n", "no layer named 'conv9'"),
    ("    weights conv1 ((1,),)\n", "`values:` has no `input` line"),
    ("    input ((1,2),(3,4))\n    input ((1,2),(3,4))\n", "a second `input` in `values:`"),
    ("    input ((1,2),(3,4))\n    relu\n", "not a line of a `values:` section"),
    ("    input ((1,2),(3,4))\n    weights conv1\n", "`weights` takes a layer's name and a value"),
    ("    input ((1,2),(3,4))\n    expect output ((1,2),(3,4))/0\n", "divide a matrix by a nonzero number"),
    ("    input ((1,2),(3,4))\n    expect output ((1,2),(3,x))\n", "unknown name 'x'"),
])
def test_values_section_errors(run_cli, tmp_path, section, message):
    spec = tmp_path / "bad.spec"
    spec.write_text("input 2x2x1\nconv 1x1 1\nvalues:\n" + section)
    code, _, err = run_cli("check", str(spec))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("section, message", [
    ("    input ((1,2,3),(3,4,5))\n    weights conv1 ((2,),)\n    expect output ((1,),)\n",
     "the values: input is 2x3x1, the network's input 2x2x1"),
    ("    input ((1,2),(3,4))\n    expect output ((1,),)\n", "conv1 needs weights of shape 1x1x1x1"),
    ("    input ((1,2),(3,4))\n    weights conv1 ((1,2),)\n    expect output ((1,),)\n",
     "conv1 needs 1 weights"),
    ("    input ((1,2),(3,4))\n    weights conv1 ((2,),)\n    weights relu1 ((2,),)\n    expect output ((1,),)\n",
     "relu1 has no weights"),
])
def test_values_section_run_errors(run_cli, tmp_path, section, message):
    spec = tmp_path / "bad.spec"
    spec.write_text("input 2x2x1\nconv 1x1 1\nrelu\nvalues:\n" + section)
    code, _, err = run_cli("check", str(spec))
    assert code == 2, err
    assert message in err


def test_values_section_wrong_shape_is_wrong_not_an_error(run_cli, tmp_path):
    spec = tmp_path / "shape.spec"
    spec.write_text("input 2x2x1\nmaxpool 2x2\nvalues:\n    input ((1,2),(3,4))\n"
                    "    expect output ((4,4),)\n")
    code, out, _ = run_cli("check", str(spec))
    assert code == 1
    assert "✗" in out
