"""Blocks in `cnncost layer` (and --vs): `;` between lines and leading `>` marks for
indentation, or lines from standard input, so the inception module and its 1x1
bottleneck version compare in one command (seed case 6)."""
import json

import pytest

NAIVE = ("concat:; >branch:; >>conv 1x1 64 relu; >branch:; >>conv 3x3 128 same relu; "
         ">branch:; >>conv 5x5 32 same relu; >branch:; >>maxpool 3x3 s1 same")
BOTTLENECK = ("concat:; >branch:; >>conv 1x1 64 relu; >branch:; >>conv 1x1 96 relu; "
              ">>conv 3x3 128 same relu; >branch:; >>conv 1x1 16 relu; >>conv 5x5 32 same relu; "
              ">branch:; >>maxpool 3x3 s1 same; >>conv 1x1 32 relu")
BOTTLENECK_LINES = """concat:
    branch:
        conv 1x1 64 relu
    branch:
        conv 1x1 96 relu
        conv 3x3 128 same relu
    branch:
        conv 1x1 16 relu
        conv 5x5 32 same relu
    branch:
        maxpool 3x3 s1 same
        conv 1x1 32 relu
"""


def test_inception_module_against_its_bottleneck_version(run_cli):
    code, out, err = run_cli("layer", NAIVE, "--in", "28x28x192", "--vs", BOTTLENECK, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    a, b = data["a"], data["b"]
    assert (a["output"], a["params"], a["macs"]) == ([28, 28, 416], 387_296, 303_464_448)
    # the bottleneck module: 28x28x256 (seed case 6), 1x1 reductions before the 3x3 and 5x5
    assert (b["output"], b["params"], b["macs"]) == ([28, 28, 256], 163_696, 128_049_152)


@pytest.mark.parametrize("args", [
    ("layer", "-", "--in", "28x28x192", "--vs", NAIVE),
    ("layer", NAIVE, "--in", "28x28x192", "--vs", "-"),
])
def test_a_block_from_standard_input(run_cli, monkeypatch, args):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(BOTTLENECK_LINES))
    code, out, err = run_cli(*args, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    bottleneck = data["a"] if args[1] == "-" else data["b"]
    assert (bottleneck["params"], bottleneck["macs"]) == (163_696, 128_049_152)


def test_markers_and_own_indentation_give_the_same_graph(run_cli, monkeypatch):
    import io

    code, marked, _ = run_cli("layer", BOTTLENECK, "--in", "28x28x192", "--format", "json")
    monkeypatch.setattr("sys.stdin", io.StringIO(BOTTLENECK_LINES))
    code2, lines, _ = run_cli("layer", "-", "--in", "28x28x192", "--format", "json")
    assert code == code2 == 0
    assert json.loads(marked)["a"]["parts"] == json.loads(lines)["a"]["parts"]


def test_a_residual_block_on_one_line(run_cli):
    code, out, err = run_cli("layer", "residual:; >conv 3x3 64 same; shortcut:; >conv 1x1 64",
                             "--in", "56x56x64", "--format", "json")
    assert code == 0, err
    a = json.loads(out)["a"]
    assert (a["params"], a["macs"]) == (9 * 64 * 64 + 64 + 64 * 64 + 64, 56 * 56 * 64 * (9 * 64 + 64))


@pytest.mark.parametrize("layer, caret, message", [
    ("concat:; >branch:; >>conv 1x1 6x4", "                              ^^^", "channel count must be a number"),
    ("concat:; branch:; >>conv 1x1 64", "         ^^^^^^", "a block header must be followed by an indented block"),
])
def test_errors_point_into_the_string_as_typed(run_cli, layer, caret, message):
    code, _, err = run_cli("layer", layer, "--in", "28x28x192")
    assert code == 2
    assert message in err
    assert f"    {layer}\n    {caret}\n" in err


def test_only_one_standard_input(run_cli):
    code, _, err = run_cli("layer", "-", "--in", "8x8x1", "--vs", "-")
    assert code == 2 and "only one of LAYER and --vs" in err
