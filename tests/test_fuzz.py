"""Fuzz: every mutated zoo or seed spec, random text and broken file ends in a result
(exit 0) or a located error with a hint (exit 2) — never a traceback.

CI runs a fixed, bounded set of examples (profile `fuzz-ci`, derandomized); a longer run
by hand: `HYPOTHESIS_PROFILE=fuzz-long python -m pytest tests/test_fuzz.py`. Timing is
measured by hand with benchmarks/bench_fuzz.py, never here.
"""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mutate

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("fuzz-ci", max_examples=150, derandomize=True, **_COMMON)
settings.register_profile("fuzz-long", max_examples=5000, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz-ci")
FUZZ = settings.get_profile(PROFILE if PROFILE.startswith("fuzz-") else "fuzz-ci")

CORPUS = mutate.corpus()
FORMATS = ["table", "json", "csv", "markdown"]
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: \S", re.M)


def assert_answered(code: int, out: str, err: str, path) -> None:
    """The property: a result, or exit 2 with FILE:LINE:COL (or, for an unreadable file, the
    file's name) and a hint; never a traceback or an internal error."""
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 2), (code, err)
    if code == 0:
        assert out.strip(), "exit 0 without output"
        return
    assert out == "", "an error after some output"
    match = LOCATED.search(err)
    if match:
        assert match["file"] == str(path), err
        assert int(match["line"]) >= 1 and int(match["col"]) >= 1
    else:
        assert err.startswith("error: ") and str(path) in err.splitlines()[0], err
    assert "\nhint: " in err, err


def run_spec(run_cli, path, content, fmt="table"):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    code, out, err = run_cli("summarize", str(path), "--format", fmt)
    assert_answered(code, out, err, path)
    return code, out, err


# --------------------------------------------------------------------------- random mutations

@FUZZ
@given(name=st.sampled_from(sorted(CORPUS)),
       chain=st.lists(st.sampled_from(sorted(mutate.MUTATIONS)), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1), fmt=st.sampled_from(FORMATS))
def test_mutated_specs_are_answered(tmp_path, run_cli, name, chain, seed, fmt):
    run_spec(run_cli, tmp_path / "case.spec", mutate.mutate(CORPUS[name], chain, seed), fmt)


@FUZZ
@given(mutation=st.sampled_from(sorted(mutate.MUTATIONS)), name=st.sampled_from(sorted(CORPUS)),
       seed=st.integers(0, 2**32 - 1))
def test_each_mutation_category_is_answered(tmp_path, run_cli, mutation, name, seed):
    run_spec(run_cli, tmp_path / "case.spec", mutate.mutate(CORPUS[name], [mutation], seed))


@FUZZ
@given(words=st.lists(st.sampled_from(mutate.VOCABULARY), max_size=40))
def test_token_soup_is_answered(tmp_path, run_cli, words):
    run_spec(run_cli, tmp_path / "case.spec", "input 8x8x3\n" + " ".join(words))


@FUZZ
@given(text=st.text(max_size=120))
def test_random_text_is_answered(tmp_path, run_cli, text):
    run_spec(run_cli, tmp_path / "case.spec", text)


@FUZZ
@given(data=st.binary(max_size=120))
def test_random_bytes_are_answered(tmp_path, run_cli, data):
    run_spec(run_cli, tmp_path / "case.spec", data)


# --------------------------------------------------------------------------- every listed mistake, once

INJECTED = [(kind, line) for kind, lines in sorted(mutate.INJECTIONS.items()) for line in lines]
SMALL = "input 16x16x3\nconv 3x3 8 same relu\nx = conv 1x1 8\n{}\nflatten\nfc 10\n"


MUST_FAIL = {"stride0", "kernel_too_big", "zero_channels", "groups", "concat_mismatch", "add_mismatch",
             "undefined", "recursion", "mutual_recursion", "huge_repeat", "deep", "long_line", "escape"}


@pytest.mark.parametrize("kind,snippet", INJECTED, ids=[f"{k}-{i}" for i, (k, _) in enumerate(INJECTED)])
def test_every_injected_mistake_is_answered(tmp_path, run_cli, kind, snippet):
    code, _, err = run_spec(run_cli, tmp_path / f"{kind}.spec", SMALL.format(snippet))
    if kind in MUST_FAIL:
        assert code == 2, f"{snippet!r} was accepted"


@pytest.mark.parametrize("name", ["corners", "symbols", "vector", "resnet18", "inception_module",
                                  "mobilenet_v2", "fashion_mnist"])
@pytest.mark.parametrize("mutation", sorted(mutate.MUTATIONS))
def test_every_mutation_of_every_spec(tmp_path, run_cli, name, mutation):
    run_spec(run_cli, tmp_path / "case.spec", mutate.mutate(CORPUS[name], [mutation], seed=1))


def test_the_corpus_itself_is_clean(tmp_path, run_cli):
    for name, text in CORPUS.items():
        code, _, err = run_spec(run_cli, tmp_path / f"{name}.spec", text)
        assert code == 0, err


# --------------------------------------------------------------------------- files

@pytest.mark.parametrize("setup,fragment", [
    ("empty", "the spec has no `input` statement"),
    ("blank", "the spec has no `input` statement"),
    ("binary", "is a binary file"),
    ("directory", "is a directory"),
    ("missing", "no spec file or zoo model named"),
    ("latin1", "not UTF-8 text (byte 0xe9)"),
    ("fifo", "is not a regular file"),
    ("huge", "is larger than 1 MiB"),
    ("long_line", "characters long (the limit is 10,000)"),
    ("bom_crlf_only", "the spec has no `input` statement"),
])
def test_broken_files(tmp_path, run_cli, setup, fragment):
    target = tmp_path / "x.spec"
    if setup == "empty":
        target.write_bytes(b"")
    elif setup == "blank":
        target.write_bytes(b"\n\n   \n# only a comment\n")
    elif setup == "binary":
        target.write_bytes(bytes(range(256)))
    elif setup == "directory":
        target.mkdir()
    elif setup == "latin1":
        target.write_bytes("input 8x8x3\n# caf\u00e9\n".encode("latin-1"))
    elif setup == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        os.mkfifo(target)
    elif setup == "huge":
        target.write_bytes(b"input 8x8x3\n" + b"relu\n" * 300_000)
    elif setup == "long_line":
        target.write_bytes(b"input 8x8x3\nconv 3x3 8 " + b"same " * 3000 + b"\n")
    elif setup == "bom_crlf_only":
        target.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    code, out, err = run_cli("summarize", str(target))
    assert_answered(code, out, err, target)
    assert code == 2 and fragment in err


def test_not_utf8_points_at_the_byte(tmp_path, run_cli):
    target = tmp_path / "x.spec"
    target.write_bytes(b"input 8x8x3\nconv 3x3 8 \xff relu\n")
    code, _, err = run_cli("summarize", str(target))
    assert code == 2
    assert err.splitlines()[0] == f"{target}:2:12: error: not UTF-8 text (byte 0xff)"
    assert err.splitlines()[2] == "    " + " " * 11 + "^"
