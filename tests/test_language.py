"""The spec language's statements mean what docs/spec-language.md says."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import cnncost
from conftest import REPO, analyze_text, rows_after_input


def names(report):
    return [r.name for r in report.layers]


def test_every_example_of_the_language_doc_parses_and_builds():
    doc = (REPO / "docs" / "spec-language.md").read_text()
    blocks = re.findall(r"```\n(.*?)```", doc, re.S)
    assert len(blocks) >= 5
    for block in blocks:
        module = cnncost.parse(block)
        if "input" in block:  # the complete networks build, not just parse
            cnncost.build(module)


def test_doc_graph_block_examples_build_after_an_input():
    doc = (REPO / "docs" / "spec-language.md").read_text()
    for block in re.findall(r"```\n(.*?)```", doc, re.S):
        if block.lstrip().startswith(("residual:", "concat:")):
            report = analyze_text("input 28x28x192\n" + block)
            assert report.output in ((28, 28, 64), (28, 28, 256))


def test_hierarchical_names_like_torchvision():
    report = analyze_text(
        "input 8x8x3\ndef stage(c, n):\n    repeat n:\n        conv 3x3 c same relu\n"
        "    maxpool 2x2\nstage(4, 2)\nstage(8, 2)\n")
    assert names(report) == [
        "input", "stage1.0.conv1", "stage1.0.relu1", "stage1.1.conv1", "stage1.1.relu1",
        "stage1.maxpool1", "stage2.0.conv1", "stage2.0.relu1", "stage2.1.conv1", "stage2.1.relu1",
        "stage2.maxpool1"]
    assert report.layers[1].line == 4  # each node keeps its source line


def test_post_ops_become_layers_in_order():
    report = analyze_text("input 8x8x3\nconv 3x3 4 same bn relu\n")
    assert [r.op for r in rows_after_input(report)] == ["conv", "bn", "relu"]


def test_default_prepends_and_the_line_wins():
    report = analyze_text("input 8x8x3\ndefault conv nobias same\nconv 3x3 4\nconv 3x3 4 valid\n")
    convs = rows_after_input(report)
    assert [c.output for c in convs] == [(8, 8, 4), (6, 6, 4)]
    assert [c.params for c in convs] == [3 * 3 * 3 * 4, 3 * 3 * 4 * 4]


def test_default_reaches_into_calls_and_nested_blocks():
    report = analyze_text("input 8x8x3\ndefault conv nobias\ndef f():\n    conv 1x1 2\nf()\n"
                          "repeat 1:\n    conv 1x1 2\n")
    assert report.totals.params == 3 * 2 + 2 * 2


def test_repeat_as_counts_from_zero_and_repeat_zero_runs_nothing():
    report = analyze_text("input 8x8x1\nrepeat 3 as i:\n    conv 1x1 (i + 1) * 2\nrepeat 0:\n    relu\n")
    assert [r.output[2] for r in rows_after_input(report)] == [2, 4, 6]


def test_if_elif_else_and_params_override():
    text = ("param mode = 1\ninput 4x4x1\nif mode == 0:\n    relu\nelif mode == 1:\n    tanh\n"
            "else:\n    sigmoid\n")
    for mode, op in ((0, "relu"), (1, "tanh"), (2, "sigmoid")):
        report = cnncost.analyze(cnncost.load("<t>", {"mode": mode}, text=text))
        assert rows_after_input(report)[0].op == op


def test_let_is_local_to_its_block():
    text = "input 4x4x1\nlet c = 2\nrepeat 1:\n    let c = 8\n    conv 1x1 c\nconv 1x1 c\n"
    assert [r.output[2] for r in rows_after_input(analyze_text(text))] == [8, 2]


def test_in_shape_names_follow_the_previous_line():
    report = analyze_text("input 6x6x3\nconv 3x3 5\nlet c = in.c\nconv 1x1 c * in.h\n")
    assert report.output == (4, 4, 20)


def test_def_defaults_and_keyword_arguments():
    text = "input 4x4x1\ndef f(c, k=1):\n    conv (k, k) c\nf(2)\nf(k=3, c=5)\n"
    assert [r.output for r in rows_after_input(analyze_text(text))] == [(4, 4, 2), (2, 2, 5)]


def test_named_outputs_from_and_merges():
    text = ("input 8x8x4\nx = conv 1x1 4\ny = conv 3x3 4 same from=x\nz = conv 1x1 4 from=x\n"
            "add y z\nconcat x y\noutput x\n")
    report = analyze_text(text)
    assert report.output == (8, 8, 4)  # `output x`
    cat = [r for r in report.layers if r.op == "concat"][0]
    assert cat.output == (8, 8, 8)  # x and y: with two names, only they are merged
    add = [r for r in report.layers if r.op == "add"][0]
    assert add.output == (8, 8, 4)


def test_a_single_name_merges_with_the_previous_output():
    report = analyze_text("input 8x8x4\nx = identity\nconv 1x1 6\nconcat x\n")
    assert report.output == (8, 8, 10)


def test_residual_identity_and_projection_shortcut():
    body = "    conv 3x3 8 s{s} same nobias bn relu\n    conv 3x3 8 same nobias bn\n"
    identity = analyze_text("input 8x8x8\nresidual:\n" + body.format(s=1) + "relu\n")
    assert identity.output == (8, 8, 8)
    assert [r.name for r in identity.layers if r.op == "add"] == ["residual1.add"]
    projected = analyze_text("input 8x8x4\nresidual:\n" + body.format(s=2) +
                             "shortcut:\n    conv 1x1 8 s2 nobias bn\n")
    assert projected.output == (4, 4, 8)
    assert "residual1.shortcut.conv1" in names(projected)


@pytest.mark.parametrize("down,params", [(0, 0), (1, 4 * 8)])
def test_shortcut_if(down, params):
    text = (f"param down = {down}\ninput 8x8x{8 if not down else 4}\nresidual:\n"
            "    conv 1x1 8 nobias\nshortcut if down:\n    conv 1x1 8 nobias\n")
    report = analyze_text(text)
    shortcut = sum(r.params for r in report.layers if ".shortcut." in r.name)
    assert shortcut == params


def test_concat_branches_and_densenet_identity():
    report = analyze_text("input 8x8x16\nconcat:\n    branch:\n        identity\n"
                          "    branch:\n        conv 3x3 4 same\n")
    assert report.output == (8, 8, 20)
    assert "concat1.branch2.conv1" in names(report)


def test_add_and_mul_blocks():
    add = analyze_text("input 8x8x4\nadd:\n    branch:\n        conv 1x1 4\n    branch:\n        identity\n")
    assert add.output == (8, 8, 4)
    mul = analyze_text("input 8x8x4\nmul:\n    branch:\n        identity\n    branch:\n        gap\n"
                       "        conv 1x1 4\n        sigmoid\n")
    assert mul.output == (8, 8, 4)


def test_freeze_splits_trainable_and_frozen():
    report = analyze_text("input 4x4x1\nfreeze:\n    conv 1x1 2\nconv 1x1 3\n")
    t = report.totals
    assert (t.params, t.trainable, t.frozen) == (4 + 9, 9, 4)


def test_sepconv_is_two_rows_under_one_name():
    report = analyze_text("input 8x8x4\nsepconv 3x3 8 same\n")
    assert names(report)[1:] == ["sepconv1.depthwise", "sepconv1.pointwise"]


def test_expect_lines_attach_to_the_statement_before():
    graph = cnncost.load("<t>", text="input 28x28x1\nconv 5x5 16 s1 p2\nexpect shape 28x28x16\n"
                                     "expect params 416\nmaxpool 2x2 s2\nexpect total params ~60k\n")
    first, second, total = graph.expectations
    assert (first.quantity, first.expected, first.nodes) == ("shape", (28, 28, 16), (1,))
    assert (second.quantity, second.expected) == ("params", 416)
    assert (total.total, total.approx, total.expected, total.suffix) == (True, True, 60_000, "k")


def test_exact_decimals_no_float_surprises():
    # 0.1 * 30 is exactly 3 (decimals are exact fractions), so this is a whole channel count
    assert analyze_text("input 4x4x1\nconv 1x1 0.1 * 30\n").output == (4, 4, 3)
    report = analyze_text("input 4x4x1\nconv 1x1 make_divisible(32 * 0.75)\n")
    assert report.output == (4, 4, 24)


@pytest.mark.parametrize("expr,value", [
    ("7 // 2", 3), ("-7 // 2", -4), ("7 % 3", 1), ("2 ** 10", 1024), ("int(7 / 2)", 3),
    ("round(2.5)", 2), ("ceil(7 / 2)", 4), ("floor(7 / 2)", 3), ("min(3, 4)", 3), ("max(3, 4)", 4),
    ("make_divisible(10)", 16), ("make_divisible(12, 4)", 12), ("make_divisible(7, 8)", 8),
    ("(2 + 3) * 4", 20), ("not 0", 1), ("1 < 2 < 3", 1), ("0 or 5", 5), ("3 and 0", 0),
    ("61_706", 61706), ("1e3", 1000),
])
def test_expressions(expr, value):
    graph = cnncost.load("<t>", text=f"param v = {expr}\ninput 4x4x1\n")
    assert graph.params["v"] == value


def test_width_paper_rule_when_the_spec_has_no_width_param():
    text = "input 8x8x3\nconv 3x3 64 same\nflatten\nfc 10\n"
    report = cnncost.analyze(cnncost.load("<t>", text=text, width="0.75"))
    assert rows_after_input(report)[0].output == (8, 8, 48)
    assert report.output == (10,)  # fc untouched
    assert any("int(width*N)" in note for note in report.notes)


def test_resolution_sets_or_scales_the_input():
    assert cnncost.load("vgg16", resolution=160).input.shape == (160, 160, 3)
    assert cnncost.load("vgg16", resolution="0.5").input.shape == (112, 112, 3)


def test_batch_scales_activations_and_macs_not_params():
    one = analyze_text("input 8x8x3\nconv 3x3 4\n")
    four = cnncost.analyze(cnncost.load("<t>", text="input 8x8x3\nconv 3x3 4\n"), batch=4)
    assert four.totals.params == one.totals.params
    assert four.totals.macs == 4 * one.totals.macs
    assert four.totals.activations == 4 * one.totals.activations
    assert four.totals.peak_activation_bytes == 4 * one.totals.peak_activation_bytes


@pytest.mark.parametrize("asked,has_shortcut", [(7, False), (16, True)])
def test_shortcut_if_sees_the_block_input(asked, has_shortcut):
    # in.c in `shortcut if` is the residual block's input (16), not the body's last
    # inner output (7), so `in.c == 7` must not build a shortcut
    text = (f"input 8x8x16\nresidual:\n    conv 1x1 7\n    conv 1x1 16\n"
            f"shortcut if in.c == {asked}:\n    conv 1x1 16\n")
    report = analyze_text(text)
    assert any(".shortcut." in r.name for r in report.layers) == has_shortcut


def test_flag_shaped_def_parameter_is_an_error_at_the_def():
    # s1 is a flag conv knows (stride 1): as a variable it could not be used on a layer line
    # (issue 18 item 7: c1, which no layer knows as a flag, is an ordinary name)
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.load("<t>", text="def f(s1):\n    conv 3x3 s1\ninput 8x8x3\nf(4)\n")
    assert err.value.span.line == 1 and "form of a flag" in err.value.message
