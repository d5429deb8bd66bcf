"""docs/papers.md ("Reproducing the papers' numbers", a README section until issue 18) runs
as written: each `$ cnncost ...` line is run, and the lines shown under it must appear in its output in that order (`...` stands
for lines left out), so the documented figures cannot drift from the program's."""
from __future__ import annotations

import re
import shlex

import pytest

from conftest import REPO

HEADING = "# Reproducing the papers' numbers"


def documented_runs(page: str) -> list[tuple[str, list[str]]]:
    """(command, expected lines) for every `$ cnncost` line in the page's console blocks."""
    section = page.split(f"{HEADING}\n", 1)[1]
    runs: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```$", section, re.M | re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                runs.append((line[2:], []))
            else:
                runs[-1][1].append(line.rstrip())
    return runs


def shown_in_order(shown: list[str], output: list[str]) -> bool:
    """The shown lines are runs of consecutive output lines, in order; without a leading
    (trailing) `...` the first (last) run is where the output starts (ends)."""
    chunks, chunk = [], []
    for line in shown + ["..."]:
        if line == "...":
            chunks.append(chunk)
            chunk = []
        else:
            chunk.append(line)
    at = 0
    for i, chunk in enumerate(chunks):
        if not chunk:
            continue
        found = next((j for j in range(at, len(output) - len(chunk) + 1)
                      if output[j:j + len(chunk)] == chunk), None)
        if found is None or (i == 0 and found != 0):
            return False
        at = found + len(chunk)
    return not chunks[-1] or at == len(output)


RUNS = documented_runs((REPO / "docs" / "papers.md").read_text(encoding="utf-8"))


def test_the_section_documents_the_papers_figures():
    commands = [command for command, _ in RUNS]
    assert len(RUNS) >= 8 and all(command.startswith("cnncost ") for command in commands)
    text = "\n".join(line for _, lines in RUNS for line in lines)
    for figure in ("3,663,761,408", "19,632,062,464", "3,857,973,248", "4,089,184,256",
                   "568,740,352", "385,814,752", "76,524,800"):
        assert figure in text


@pytest.mark.parametrize("command,shown", RUNS, ids=[command for command, _ in RUNS])
def test_readme_command_output(run_cli, command, shown):
    code, out, err = run_cli(*shlex.split(command)[1:])
    assert code == 0, err
    assert shown_in_order(shown, [line.rstrip() for line in out.splitlines()]), out


@pytest.mark.parametrize("shown,ok", [
    (["a", "b"], False), (["a", "b", "c"], True), (["...", "c"], True), (["...", "b"], False),
    (["...", "b", "..."], True), (["a", "c"], False), (["a", "...", "c"], True),
    (["b", "..."], False), (["...", "c", "a"], False),
])
def test_shown_in_order(shown, ok):
    assert shown_in_order(shown, ["a", "b", "c"]) is ok
