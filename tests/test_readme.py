"""README.md stays true: its Python API lines run as doctests, and the commands shown with
their output in the compare and sweep sections print that output."""
from __future__ import annotations

import doctest
import re
import shlex

import pytest

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def test_python_api_section_runs():
    text = section("Python API")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "README.md: Python API", "README.md", 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, "a README line printed something else (see above)"


def shown_commands():
    """(command, expected output) of each ``` block opening with `$ cnncost`; a line `...`
    stands for lines left out."""
    for title in ("Comparing architectures", "Sweeps"):
        for block in re.findall(r"^```\n(\$ cnncost .*?)^```$", section(title), re.M | re.S):
            first, _, output = block.partition("\n")
            yield first[2:], output


@pytest.mark.parametrize("command,expected", [pytest.param(c, e, id=c) for c, e in shown_commands()])
def test_shown_output_is_what_the_command_prints(run_cli, command, expected):
    args = shlex.split(command)[1:]
    code, out, err = run_cli(*args)
    assert code == 0, err
    parts = expected.split("...\n")
    if len(parts) == 1:
        assert out == expected
        return
    position = 0
    for part in parts:  # each shown stretch appears, in order
        found = out.find(part, position)
        assert found >= 0, part[:200]
        position = found + len(part)
