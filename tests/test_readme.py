"""The user guide stays true: the Python API page's lines run as doctests, and the commands
shown with their output on the compare and sweep pages print that output. (These sections
were README.md's; they moved to docs/ with issue 18, and tests/test_docs_blocks.py now runs
every block of every page besides.)"""
from __future__ import annotations

import doctest
import re
import shlex

import pytest

from conftest import REPO

PAGES = {"Python API": "python-api.md", "Comparing architectures": "how-to/compare.md",
         "Sweeps": "how-to/sweep.md"}


def section(title: str) -> str:
    """The page that holds what was README's section `title` (its whole text)."""
    return (REPO / "docs" / PAGES[title]).read_text(encoding="utf-8")


def test_python_api_section_runs():
    text = section("Python API")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "docs/python-api.md", "docs/python-api.md", 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, "a docs/python-api.md line printed something else (see above)"


def shown_commands():
    """(command, expected output) of each ``` block opening with `$ cnncost`; a line `...`
    stands for lines left out."""
    for title in ("Comparing architectures", "Sweeps"):
        for block in re.findall(r"^```console\n(\$ cnncost .*?)^```$", section(title), re.M | re.S):
            first, _, output = block.partition("\n")
            yield first[2:], output


def test_the_compare_and_sweep_pages_show_commands():
    assert len(list(shown_commands())) >= 3


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
