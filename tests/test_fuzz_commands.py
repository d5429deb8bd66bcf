"""Fuzz every command and its option values (issue 15, "Must show"): random and hostile
values for every numeric and text option, symbolic specs, files near the size limits.
Each case ends in a result (exit 0; 1 from `check` for a wrong answer) or a clear error
with exit 2 — never a traceback, an internal error or a hang.

CI runs a fixed, bounded set (profile `fuzz-ci`); the by-hand run of 10,000+ cases with
a clock is benchmarks/bench_fuzz.py --commands.
"""
from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

import mutate
from test_fuzz import FUZZ

HOMEWORK = "input 28x28x1\nconv 5x5 6 p2\nexpect params 156\nexpect total macs ~118k\nmaxpool 2x2\n"


def assert_command_answered(argv, code, out, err):
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    allowed = (0, 1, 2) if argv[0] == "check" else (0, 2)
    assert code in allowed, (argv, code, err)
    if code in (0, 1):
        assert out.strip(), (argv, "no output")
    else:
        if argv[0] == "check" and "json" in argv and out:  # check --format json: the error as JSON too
            import json

            assert "message" in json.loads(out)["error"], (argv, out)
        else:
            assert out == "", (argv, out, err)
        assert err.strip(), (argv, out, err)
        first = err.strip().splitlines()
        assert any(line.startswith(("error:", "Error:")) or ": error: " in line for line in first), (argv, err)


def _files(tmp_path, rng):
    files = {"homework": tmp_path / "homework.spec", "corners": tmp_path / "corners.spec",
             "symbolic": tmp_path / "symbolic.spec"}
    files["homework"].write_text(HOMEWORK)
    files["corners"].write_text(mutate.EXTRA["corners"])
    files["symbolic"].write_text(mutate.symbolic_spec(rng))
    return {k: str(v) for k, v in files.items()}


@FUZZ
@given(seed=st.integers(0, 2**32 - 1))
def test_every_command_with_hostile_options_is_answered(tmp_path, run_cli, seed):
    rng = random.Random(seed)
    category, argv = mutate.command_case(rng, _files(tmp_path, rng))
    code, out, err = run_cli(*argv)
    assert_command_answered(argv, code, out, err)


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), command=st.sampled_from(["summarize", "explain", "graph",
                                                                 "check", "compare"]))
def test_symbolic_specs_are_answered(tmp_path, run_cli, seed, command):
    spec = tmp_path / "sym.spec"
    spec.write_text(mutate.symbolic_spec(random.Random(seed)))
    argv = [command, str(spec)] + (["lenet5"] if command == "compare" else [])
    code, out, err = run_cli(*argv)
    if command == "check" and code == 2 and "no `expect` lines" in err:
        return
    assert_command_answered(argv, code, out, err)
