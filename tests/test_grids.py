"""Values mode: layers run on the numbers given, exactly (the lecture's first slides)."""
from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

from cnncost.layer_text import load_layer
from cnncost.grids import input_array, read_matrix, run_values

LOOPY = ("[[-1,1,1,1,-1],[-1,1,-1,1,-1],[-1,1,1,1,-1],[-1,-1,-1,1,-1],"
         "[-1,-1,-1,1,-1],[-1,-1,1,-1,-1],[-1,1,-1,-1,-1]]")
FILTER_9 = "[[1,1,1],[1,-1,1],[1,1,1]]/9"
SIX = "1 2 3 4 5 6; 7 8 9 10 11 12; 1 1 1 1 1 1; 2 2 2 2 2 2; 0 0 0 0 0 0; 3 3 3 3 3 3"


def run(layer, values, weights=(), bias=None, cell=None):
    array = input_array(read_matrix(values, "--values"))
    graph = load_layer(layer, "x".join(map(str, array.shape)))
    return run_values(graph, array, [read_matrix(w, "--weights") for w in weights],
                      read_matrix(bias, "--bias") if bias else None, cell)


def rows(array):
    """An H x W x 1 output as rows of Fractions."""
    return [[F(v) for v in row] for row in array[:, :, 0]]


def test_lecture_maxpool():
    out = run("maxpool 2x2 s2", "[[5,1,3,4],[8,2,9,2],[1,3,0,1],[2,2,2,0]]").output
    assert rows(out) == [[8, 9], [3, 2]]


def test_lecture_loopy_pattern():
    out = run("conv 3x3 1 nobias", LOOPY, [FILTER_9]).output
    assert out.shape == (5, 3, 1)
    assert rows(out)[0] == [F(-1, 9), 1, F(-1, 9)]
    assert [round(float(v), 2) for v in rows(out)[0]] == [-0.11, 1.0, -0.11]
    relu = run("conv 3x3 1 nobias relu", LOOPY, [FILTER_9]).output
    assert rows(relu)[0] == [0, 1, 0]
    assert all(v >= 0 for row in rows(relu) for v in row)
    assert [v for row, r in zip(rows(out), rows(relu)) for v, w in zip(row, r) if v != w] == \
        [v for row in rows(out) for v in row if v < 0]  # exactly the negatives were zeroed


def test_lecture_one_by_one_doubles():
    given = [[F(v) for v in line.split()] for line in SIX.split(";")]
    out = run("conv 1x1 1 nobias", SIX, ["[2]"]).output
    assert rows(out) == [[2 * v for v in row] for row in given]


@pytest.mark.parametrize("layer, values, weights, bias, cell, working, value", [
    ("maxpool 2x2 s2", "[[5,1,3,4],[8,2,9,2],[1,3,0,1],[2,2,2,0]]", (), None, (0, 1),
     "max(3, 4, 9, 2) = 9", 9),
    ("avgpool 3x3 s1 p1", "[[1,2],[3,4]]", (), None, (0, 0),
     "(0 + 0 + 0 + 0 + 1 + 2 + 0 + 3 + 4) / 9 = 10/9 ≈ 1.11", F(10, 9)),
    ("conv 3x3 1 nobias", LOOPY, (FILTER_9,), None, (0, 1), None, 1),
    ("conv 1x1 1", SIX, ("[2]",), "1", (1, 1), "8·2 + 1 = 17", 17),
    ("fc 2", "[1,2,3]", ("[[1,0,1],[0,1,0]]",), "[1,-1]", (1,), "1·0 + 2·1 + 3·0 + (-1) = 1", 1),
])
def test_cell_working(layer, values, weights, bias, cell, working, value):
    from cnncost.render.grids import cell_line

    result = run(layer, values, weights, bias, cell if len(cell) > 1 else (0, cell[0]))
    (found,) = result.cells
    assert found.value == value
    if working:
        assert cell_line(found, result.steps[-1].output.ndim == 1).endswith(working)


def test_multichannel_conv_matches_float_executor_layout():
    """Two filters over two channels, padding 1, checked cell by cell against a loop."""
    x = [[[1, 2], [3, 4]], [[0, 1], [1, 0]]]  # channels of rows
    w = [[[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 1], [0, 0, 0], [0, 0, 0]]],
         [[[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 2, 0], [0, 0, 0]]]]
    out = run("conv 3x3 2 p1", str(x), [str(w)], "1").output
    padded = np.pad(np.array(x), ((0, 0), (1, 1), (1, 1)))
    for o in range(2):
        for r in range(2):
            for c in range(2):
                expected = sum(padded[ci, r + i, c + j] * w[o][ci][i][j]
                               for ci in range(2) for i in range(3) for j in range(3)) + 1
                assert out[r, c, o] == expected


def test_stride_dilation():
    x = "[" + ",".join("[" + ",".join(str(r * 5 + c) for c in range(5)) + "]" for r in range(5)) + "]"
    out = run("conv 2x2 1 nobias s2 d2", x, ["[[1,0],[0,1]]"]).output
    # dilation 2: taps at (r, c) and (r+2, c+2); stride 2: windows start at 0 only (5-3)//2+1 = 2
    assert rows(out) == [[0 + 12, 2 + 14], [10 + 22, 12 + 24]]


def test_file_of_rows(tmp_path):
    path = tmp_path / "grid.txt"
    path.write_text("1 2\n3 4\n\n5 6\n7 8\n")
    array = input_array(read_matrix(str(path), "--values"))
    assert array.shape == (2, 2, 2) and array[1, 0, 1] == 7


def test_not_rational_layers_give_decimals():
    result = run("fc 1; sigmoid", "[0]", ["[[1]]"])
    assert result.steps[-1].exact is False and result.output[0] == 0.5


@pytest.mark.parametrize("args, message", [
    (["conv 3x3 1", "--values", "[[1,2],[3]]"], "not all the same length"),
    (["conv 1x1 1", "--values", "[[1,2],[3,x]]", "--weights", "1"], "not a matrix literal"),
    (["conv 1x1 1", "--values", "[[1,2],[3,4]]", "--weights", "[1,2]"], "needs 1 weights"),
    (["conv 1x1 1", "--values", "[[1,2],[3,4]]"], "needs weights"),
    (["conv 1x1 1", "--values", "[[1,2]]", "--weights", "1", "--weights", "2"], "more than the layers use"),
    (["maxpool 2x2", "--values", "[[1,2],[3,4]]", "--cell", "3,3"], "outside the output"),
    (["maxpool 2x2", "--values", "[[1,2],[3,4]]", "--cell", "a"], "--cell"),
    (["bn", "--values", "[[1,2],[3,4]]", "--weights", "1"], "statistics"),
    (["conv 1x1 1", "--values", "[[1,2]]", "--in", "3x3x1", "--weights", "1"], "does not match"),
    (["conv 1x1 1", "--in", "3x3x1", "--weights", "1"], "go with --values"),
])
def test_errors_exit_2(run_cli, args, message):
    code, out, err = run_cli("layer", *args)
    assert code == 2, (out, err)
    assert message in err and "Traceback" not in err


def test_cli_text_and_json(run_cli):
    code, out, _ = run_cli("layer", "conv 3x3 1 nobias", "--values", LOOPY, "--weights", FILTER_9,
                           "--cell", "0,0")
    assert code == 0
    assert "  -0.11      1  -0.11" in out
    assert out.rstrip().endswith("= -1/9 ≈ -0.11")
    code, out, _ = run_cli("layer", "maxpool 2x2 s2", "--values",
                           "[[5,1,3,4],[8,2,9,2],[1,3,0,1],[2,2,2,0]]", "--format", "json")
    assert json.loads(out)["layers"][0]["output"] == [[["8", "9"], ["3", "2"]]]  # channels of rows
