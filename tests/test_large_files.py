"""Large legal-sized files: refused before the work they prevent (issue 15, fault 6)."""
import pytest

from cnncost.dsl.parser import MAX_SPEC_TOKENS

BIG = [  # (spec text, where the caret goes, what the error says)
    # more top-level lines than --max-nodes (100,000): counted before the tokens
    ("input 8x8x3\nconv 3x3 ?\n" + "relu\n" * 209_000, ":100001:1:", "runs more than 100,000 statements"),
    ("input 8x8x3\n" + "relu\n" * 200_000, ":100001:1:", "runs more than 100,000 statements"),
    ("input 8x8x3\n" + "relu\n" * 50_000, ":10000:1:", "more than 10,000 tokens"),
    ("input 8x8x3\nlet a = " + "1+" * 300_000 + "1\n", ":2:", "more than 10,000 tokens"),
    ("input 8x8x3\nlet a = (" + "1+1+1+1+1\n+" * 20_000 + "1)\n", ":", "more than 10,000 tokens"),
]


@pytest.mark.parametrize("text, where, says", BIG, ids=["error at line 2", "200,000 relu lines",
                                                        "50,000 relu lines", "1+1+...",
                                                        "1+1 inside parentheses"])
def test_a_file_over_the_token_limit_is_refused_before_parsing(run_cli, tmp_path, monkeypatch,
                                                               text, where, says):
    import cnncost.dsl.parser as parser

    def no_parse(*args):
        raise AssertionError("parsed a file that was over the limit")

    monkeypatch.setattr(parser, "_parse", no_parse)
    spec = tmp_path / "big.spec"
    spec.write_text(text)
    code, out, err = run_cli("summarize", str(spec))
    assert code == 2 and out == "", err
    assert f"big.spec{where}" in err and says in err and "hint:" in err


def test_comments_do_not_count_as_tokens(run_cli, tmp_path):
    spec = tmp_path / "commented.spec"
    spec.write_text(("# " + "word " * 1_000 + "\n") * 30 + "input 8x8x3\nconv 3x3 4\n")
    code, out, err = run_cli("summarize", str(spec), "--format", "json")
    assert code == 0, err


def test_a_file_just_under_the_token_limit_is_summarized(run_cli, tmp_path):
    lines = (MAX_SPEC_TOKENS - 10) // 5  # `conv 3x3 8 p1 relu`: 5 tokens
    spec = tmp_path / "under.spec"
    spec.write_text("input 8x8x3\n" + "conv 3x3 8 p1 relu\n" * lines)
    code, out, err = run_cli("summarize", str(spec), "--format", "json")
    assert code == 0, err
    import json

    assert json.loads(out)["totals"]["params"] == 3 * 9 * 8 + 8 + (lines - 1) * (8 * 9 * 8 + 8)


def test_top_level_lines_over_max_nodes_are_refused_before_parsing(run_cli, tmp_path, monkeypatch):
    import cnncost.dsl.parser as parser

    monkeypatch.setattr(parser, "_parse", lambda *a: (_ for _ in ()).throw(AssertionError("parsed")))
    spec = tmp_path / "long.spec"
    spec.write_text("input 8x8x3\n" + "relu\n" * 3000)
    code, _, err = run_cli("summarize", str(spec), "--max-nodes", "100")
    assert code == 2 and f"long.spec:101:1: error: the spec runs more than 100 statements" in err


@pytest.mark.parametrize("text", [
    "input 8x8x3\nif 1 > 2:\n    relu\nelif 2 > 3:\n    relu\nelse:\n    relu\n",
    "input 8x8x3\nresidual:\n    relu\nshortcut:\n    relu\n",
    "input 8x8x3\ndef f(c):\n    conv 1x1 c\nf(4)\n",
])
def test_the_count_before_parsing_never_refuses_what_the_builder_accepts(run_cli, tmp_path, text):
    """Exactly at the limit the builder counts: the early count is a lower bound."""
    import cnncost

    spec = tmp_path / "ok.spec"
    spec.write_text(text)
    steps = 1
    while True:  # the smallest --max-nodes the builder accepts
        try:
            cnncost.load(str(spec), max_nodes=steps)
            break
        except cnncost.errors.LimitError:
            steps += 1
    code, _, err = run_cli("summarize", str(spec), "--max-nodes", str(steps))
    assert code == 0, err
