"""Limits: each one a clear, located error with a hint, met before the work it prevents;
values just inside each limit still work."""
from __future__ import annotations

import re

import pytest

import cnncost
from cnncost.dsl.parser import MAX_BLOCK_DEPTH, MAX_LINE_CHARS, MAX_SPEC_CHARS, parse
from cnncost.errors import LimitError, SpecNameError
from cnncost.expr import MAX_EXPR_DEPTH
from cnncost.build import DEFAULT_MAX_NODES, Builder, BuildOptions
from cnncost.build.statements import MAX_CALL_DEPTH

LOCATED = re.compile(r"^(?P<file>.+?\.spec):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$", re.M)


def fails(run_cli, tmp_path, text, *options):
    spec = tmp_path / "limit.spec"
    spec.write_text(text)
    code, out, err = run_cli("summarize", str(spec), *options)
    assert code == 2 and out == "" and "Traceback" not in err, err
    match = LOCATED.search(err)
    assert match and "\nhint: " in err, err
    return int(match["line"]), int(match["col"]), match["msg"]


def works(run_cli, tmp_path, text, *options):
    spec = tmp_path / "ok.spec"
    spec.write_text(text)
    code, out, err = run_cli("summarize", str(spec), "--format", "json", *options)
    assert code == 0, err
    return out


def test_the_node_limit_is_overridable(run_cli, tmp_path):
    text = "input 8x8x3\nrepeat 30:\n    conv 1x1 3 relu\n"
    line, col, msg = fails(run_cli, tmp_path, text, "--max-nodes", "20")
    assert (line, col) == (2, 8) and msg == "repeat 30 would exceed the limit of 20 nodes"
    works(run_cli, tmp_path, text, "--max-nodes", "61")
    assert DEFAULT_MAX_NODES == 100_000


def test_the_node_limit_names_the_line_that_passes_it(run_cli, tmp_path):
    text = "input 8x8x3\nrepeat 5:\n    conv 1x1 3 relu\n    conv 1x1 3 relu\nconv 1x1 4\n"
    assert fails(run_cli, tmp_path, text, "--max-nodes", "20") == \
        (2, 8, "repeat 5 of a block of 4 node(s) would exceed the limit of 20 nodes")
    line, col, msg = fails(run_cli, tmp_path, text, "--max-nodes", "21")
    assert (line, msg) == (5, "the network has more than 21 nodes")
    works(run_cli, tmp_path, text, "--max-nodes", "22")


def test_statements_are_counted_against_the_same_limit(run_cli, tmp_path):
    text = "input 8x8x3\nrepeat 500:\n    let a = 1\n    let b = 2\n"
    assert fails(run_cli, tmp_path, text, "--max-nodes", "1000") == \
        (2, 8, "repeat 500 of a block of 2 statement(s) would exceed the limit of 1,000 statements")
    works(run_cli, tmp_path, text, "--max-nodes", "1002")


@pytest.mark.parametrize("text,line", [
    ("input 8x8x3\nrepeat 10**6:\n    identity\n", 2),
    ("input 8x8x3\nrepeat 1000:\n    repeat 1000:\n        relu\n", 2),
    ("def f():\n    repeat 10**6:\n        identity\ninput 8x8x3\nf()\n", 2),
])
def test_a_repeat_past_the_limit_is_refused_after_one_iteration(text, line):
    builder = Builder(parse(text, "r.spec"))
    with pytest.raises(LimitError) as info:
        builder.build()
    assert info.value.span.line == line
    assert len(builder.nodes) <= 1002  # the input and one iteration, not a million nodes


def test_repeat_10_to_the_12_is_refused_before_it_runs():
    builder = Builder(parse("input 8x8x3\nrepeat 10**12:\n    relu\n", "r.spec"))
    with pytest.raises(LimitError, match="repeat 1,000,000,000,000 would exceed the limit"):
        builder.build()
    assert len(builder.nodes) == 1 and builder.steps == 2


def test_a_def_calling_itself_twice_is_stopped_by_the_statement_limit(run_cli, tmp_path):
    text = "def t(n):\n    if n > 0:\n        t(n - 1)\n        t(n - 1)\ninput 8x8x3\nt(40)\n"
    line, col, msg = fails(run_cli, tmp_path, text, "--max-nodes", "1000")
    assert msg == "the spec runs more than 1,000 statements (counting each repeat and call)"
    works(run_cli, tmp_path, text.replace("t(40)", "t(5)"), "--max-nodes", "1000")


def test_def_recursion_depth(run_cli, tmp_path):
    deep = "def f(n):\n    if n > 0:\n        relu\n        f(n - 1)\ninput 8x8x3\nf({})\n"
    works(run_cli, tmp_path, deep.format(MAX_CALL_DEPTH - 1))
    line, col, msg = fails(run_cli, tmp_path, deep.format(MAX_CALL_DEPTH))
    assert (line, col) == (4, 9) and msg.startswith(f"def calls nested deeper than {MAX_CALL_DEPTH}")


@pytest.mark.parametrize("ops", [MAX_EXPR_DEPTH, MAX_EXPR_DEPTH + 1])
def test_expression_depth(run_cli, tmp_path, ops):
    text = f"input 8x8x3\nlet a = {'-' * ops}1\n"
    if ops <= MAX_EXPR_DEPTH:
        works(run_cli, tmp_path, text)
    else:
        line, col, msg = fails(run_cli, tmp_path, text)
        assert line == 2 and msg == f"expression nested more than {MAX_EXPR_DEPTH} levels deep"


@pytest.mark.parametrize("expr", [
    "+".join(["1"] * 3000),
    "2**" * 200 + "2",
    "not " * 2000 + "1",
    "max(" * 150 + "1" + ")" * 150,
    "(1 + " * 500 + "1" + ")" * 500,
])
def test_long_and_deep_expressions(run_cli, tmp_path, expr):
    line, _, msg = fails(run_cli, tmp_path, f"input 8x8x3\nlet a = {expr}\n")
    assert line == 2 and "nested more than" in msg


def test_redundant_parentheses_are_no_nesting(run_cli, tmp_path):
    works(run_cli, tmp_path, f"input 8x8x3\nconv 1x1 {'(' * 300}8{')' * 300}\n")


@pytest.mark.parametrize("text,fragment", [
    ("input 8x8x3\nlet a = 2**2**2**99\n", "number too large"),
    ("input 8x8x3\nlet a = 2**4096\n", "number too large"),
    ("input 8x8x3\nlet a = 0.5**5000\n", "number too precise"),
    ("input 8x8x3\nlet a = " + "9" * 1300 + "\n", "number too large: 9999999999...9999999999 (1,300 characters)"),
    ("input 8x8x3\nlet a = 1e99999999999\n", "number too large: 1e99999999999"),
    ("input 8x8x3\nconv 1x1 2**63\n", "channel count must be at most 2**63 - 1"),
    ("input 8x8x3\nupsample 2**31\n", "more than 2**63 elements"),
    ("input 3037000500x3037000500x1\n", "more than 2**63 elements"),
])
def test_magnitude(run_cli, tmp_path, text, fragment):
    _, _, msg = fails(run_cli, tmp_path, text)
    assert fragment in msg


def test_just_inside_the_magnitude_limits(run_cli, tmp_path):
    works(run_cli, tmp_path, "input 8x8x3\nlet a = 2**4095 - 2**4094\nlet b = 1 ** 10**100\n"
                             "conv 1x1 (2**62 + a - a) // 2**60\n")
    works(run_cli, tmp_path, "input 3037000499x3037000499x1\n")


def test_line_length(run_cli, tmp_path):
    ok = "input 8x8x3\n# " + "x" * (MAX_LINE_CHARS - 2) + "\n"
    works(run_cli, tmp_path, ok)
    line, col, msg = fails(run_cli, tmp_path, ok.replace("# ", "# x"))
    assert (line, col) == (2, MAX_LINE_CHARS + 1)
    assert msg == f"line 2 is {MAX_LINE_CHARS + 1:,} characters long (the limit is {MAX_LINE_CHARS:,})"


def test_spec_size_limit_holds_for_text_too():
    with pytest.raises(LimitError, match="the limit is 1,048,576"):
        cnncost.load("<text>", text="input 8x8x3\n" + "relu\n" * (MAX_SPEC_CHARS // 5))


def test_block_nesting(run_cli, tmp_path):
    def nested(depth):
        return "input 8x8x3\n" + "".join(" " * (2 * i) + "repeat 1:\n" for i in range(depth)) + \
            " " * (2 * depth) + "relu\n"
    works(run_cli, tmp_path, nested(MAX_BLOCK_DEPTH))
    line, col, msg = fails(run_cli, tmp_path, nested(MAX_BLOCK_DEPTH + 1))
    assert line == MAX_BLOCK_DEPTH + 3 and msg == f"blocks nested more than {MAX_BLOCK_DEPTH} deep"


def test_continued_lines_inside_parentheses_are_not_blocks(run_cli, tmp_path):
    works(run_cli, tmp_path, "def f(a,\n        b):\n    conv 1x1 a + b\ninput 8x8x3\nf(1,\n  2)\n")


def test_huge_batch_is_refused_by_the_option(run_cli, tmp_path):
    spec = tmp_path / "b.spec"
    spec.write_text("input 8x8x3\nconv 3x3 4\n")
    code, _, err = run_cli("summarize", str(spec), "--batch", str(2**63))
    assert code == 2 and "--batch" in err and "Traceback" not in err
    code, out, _ = run_cli("summarize", str(spec), "--batch", str(2**63 - 1), "--format", "json")
    assert code == 0 and str(36 * 4 * 27 * (2**63 - 1)) in out


def test_load_checks_max_nodes_from_python():
    text = "input 8x8x3\nrepeat 3:\n    conv 1x1 3 relu\n"
    with pytest.raises(LimitError):
        cnncost.load("<t>", text=text, max_nodes=6)
    assert len(cnncost.load("<t>", text=text, max_nodes=7).nodes) == 7
    assert BuildOptions().max_nodes == DEFAULT_MAX_NODES


def test_an_override_is_checked_like_spec_text():
    with pytest.raises(SpecNameError, match=r"<t>:1:1: error: -p a=b \+ 1: unknown name 'b'"):
        cnncost.load("<t>", {"a": "b + 1"}, text="param a = 4\ninput 8x8x3\nconv 1x1 a\n")
