"""Every fenced block of README.md and docs/ is true (issue 18, item 3).

The fences say what a block is:
- ```console: `$ COMMAND` lines, each followed by what it prints (stdout, then stderr).
  Each command runs, in a folder holding the page's titled spec blocks, and prints the
  shown lines in order: `...` stands for lines left out; without a leading (trailing) `...`
  the output starts (ends) there. A command shown with no output only has to succeed.
  A command must exit 0 unless the next line is `$ echo $?`, whose output is its status.
  With CNNCOST_REGEN_GOLDEN=1 an output shown whole is rewritten with the real one.
- ```spec (optionally `title="NAME.spec"`): builds, and `cnncost check` holds for its
  `expect` lines.
- ```python: runs (as a doctest when it has `>>>` lines); with `title="FILE"` it is an
  excerpt of that file of the package, shown only.
- ```sh: commands not run here (installs, long runs, opening a browser); each `cnncost`
  command in it must be a valid command line (command and options known, values valid).
- ```text and other languages are only shown. README.md and the pages of docs/ this test
  owns label every fence.
"""
from __future__ import annotations

import doctest
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import REPO

# pages another engineer owns, whose fences need not be labelled yet (their labelled
# blocks are checked all the same)
UNLABELLED_OK = {"docs/spec-language.md", "docs/conventions.md", "docs/adding-a-layer.md"}
SHELL = {"|", "||", "&&", ";", ">", ">>", "<", "&", "2>"}
REGEN = os.environ.get("CNNCOST_REGEN_GOLDEN") == "1"


class Block(NamedTuple):
    page: str  # relative to the repository
    line: int  # of the opening fence, 1-based
    lang: str
    title: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a page that start at the left margin."""
    found, lines, i = [], path.read_text(encoding="utf-8").split("\n"), 0
    page = path.relative_to(REPO).as_posix()
    while i < len(lines):
        opening = re.match(r"(`{3,})(.*)$", lines[i])
        if not opening:
            i += 1
            continue
        fence, info = opening.group(1), opening.group(2).strip()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].rstrip() == fence)
        lang = info.split()[0] if info else ""
        title = re.search(r'title="([^"]+)"', info)
        found.append(Block(page, i + 1, lang, title.group(1) if title else "",
                           "\n".join(lines[i + 1:end]) + "\n"))
        i = end + 1
    return found


ALL = [block for path in pages() for block in blocks(path)]


def of(lang: str) -> list:
    return [pytest.param(block, id=block.id) for block in ALL if block.lang == lang]


def shown_in_order(shown: list[str], output: list[str]) -> bool:
    """The shown lines are runs of consecutive output lines, in order; `...` between runs
    stands for lines left out, and without a leading (trailing) `...` the first (last) run
    is where the output starts (ends)."""
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


def session(text: str) -> list[tuple[str, list[str]]]:
    """(command, shown lines) of a console block."""
    runs: list[tuple[str, list[str]]] = []
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            runs.append((line[2:], []))
        else:
            assert runs, f"a console block must start with `$ `: {line!r}"
            runs[-1][1].append(line.rstrip())
    return runs


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder with the repository's tests/ (example files) and a `cnncost` on
    PATH that runs this checkout."""
    (tmp_path / "tests").symlink_to(REPO / "tests")
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "cnncost"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cnncost "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return tmp_path


def write_titled_specs(page: str, where: Path):
    for block in ALL:
        if block.page == page and block.lang == "spec" and block.title:
            (where / block.title).write_text(block.text, encoding="utf-8")


def needs_shell(command: str) -> bool:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    return any(token in SHELL for token in lexer) or not command.startswith("cnncost ")


def run(command: str, run_cli, where: Path) -> tuple[int, str]:
    if needs_shell(command):
        done = subprocess.run(["bash", "-c", command], cwd=where, capture_output=True,
                              text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr
    code, out, err = run_cli(*shlex.split(command)[1:])
    return code, out + err


@pytest.mark.parametrize("block", of("console"))
def test_console_block_prints_what_it_shows(block, run_cli, folder):
    write_titled_specs(block.page, folder)
    runs = session(block.text)
    for i, (command, shown) in enumerate(runs):
        if command == "echo $?":
            continue
        code, output = run(command, run_cli, folder)
        follow = runs[i + 1] if i + 1 < len(runs) else None
        wanted = int(follow[1][0]) if follow and follow[0] == "echo $?" else 0
        assert code == wanted, f"`{command}` exited {code}, not {wanted}:\n{output}"
        if shown:
            lines = [line.rstrip() for line in output.rstrip("\n").split("\n")]
            if REGEN and "..." not in shown and shown != lines:
                regenerate(block.page, command, shown, lines)
                continue
            assert shown_in_order(shown, lines), \
                f"`{command}` printed (shown lines not found in this order):\n{output}"


def regenerate(page: str, command: str, shown: list[str], lines: list[str]):
    """CNNCOST_REGEN_GOLDEN=1 rewrites an output shown whole (no `...`) with what the
    command prints now, as the golden files are; look at the diff before committing.
    Excerpts (with `...`) are never rewritten: fix those by hand."""
    path = REPO / page
    text = path.read_text(encoding="utf-8")
    old = "".join(f"{line}\n" for line in [f"$ {command}", *shown])
    assert text.count(old) == 1, f"{page}: cannot find `{command}` and its output once"
    path.write_text(text.replace(old, "".join(f"{line}\n" for line in [f"$ {command}", *lines])),
                    encoding="utf-8")


@pytest.mark.parametrize("block", of("spec"))
def test_spec_block_builds_and_its_expectations_hold(block, run_cli, folder):
    path = folder / (block.title or f"block{block.line}.spec")
    path.write_text(block.text, encoding="utf-8")
    code, out, err = run_cli("summarize", str(path), "--format", "json")
    assert code == 0, err
    if re.search(r"^\s*expect\s", block.text, re.M):
        code, out, err = run_cli("check", str(path))
        assert code == 0, out + err


@pytest.mark.parametrize("block", [p for p in of("python") if not p.values[0].title])
def test_python_block_runs(block, folder):
    if ">>>" in block.text:
        test = doctest.DocTestParser().get_doctest(block.text, {}, block.id, block.page, block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
        assert runner.failures == 0, f"{block.id}: a line printed something else (see above)"
    else:
        exec(compile(block.text, block.id, "exec"), {})


def cnncost_commands(text: str):
    """The `cnncost ...` command lines of a sh block, split at shell operators."""
    for line in text.split("\n"):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token in SHELL:
                if words and words[0] == "cnncost":
                    yield words[1:]
                words = []
            else:
                words.append(token)


@pytest.mark.parametrize("block", of("sh"))
def test_sh_block_commands_are_valid_command_lines(block):
    from cnncost.cli.app import cli

    for args in cnncost_commands(block.text):
        args = [arg for arg in args if arg != "--debug"]
        with cli.make_context("cnncost", list(args)) as ctx:
            protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
            rest = [*protected, *ctx.args]
            name, command, rest = cli.resolve_command(ctx, rest)
            command.make_context(name, rest, parent=ctx)  # raises on unknown options or bad values


@pytest.mark.parametrize("page", [p.relative_to(REPO).as_posix() for p in pages()
                                  if p.relative_to(REPO).as_posix() not in UNLABELLED_OK])
def test_every_fence_is_labelled(page):
    unlabelled = [block.line for block in ALL if block.page == page and not block.lang]
    assert not unlabelled, f"{page}: label the fences at lines {unlabelled} (console, spec, python, sh, text)"


def test_the_docs_have_blocks_of_every_kind():
    kinds = {block.lang for block in ALL}
    assert {"console", "spec", "python", "sh"} <= kinds
    assert len(of("console")) >= 30 and any(block.page == "README.md" for block in ALL if block.lang == "console")


def test_sh_parsing_finds_the_cnncost_commands():
    text = "cnncost graph resnet18 | dot -Tsvg > r.svg\npython -m pip install . && cnncost summarize vgg16  # vgg\n"
    assert list(cnncost_commands(text)) == [["graph", "resnet18"], ["summarize", "vgg16"]]


@pytest.mark.parametrize("args", [["sumarize", "vgg16"], ["summarize", "vgg16", "--fromat", "json"],
                                  ["summarize", "vgg16", "--format", "yaml"]])
def test_an_invalid_sh_command_is_caught(args):
    import click

    with pytest.raises(click.UsageError):
        test_sh_block_commands_are_valid_command_lines(Block("x", 1, "sh", "", "cnncost " + " ".join(args)))


@pytest.mark.parametrize("shown,ok", [
    (["a", "b"], False), (["a", "b", "c"], True), (["...", "c"], True), (["...", "b"], False),
    (["...", "b", "..."], True), (["a", "c"], False), (["a", "...", "c"], True),
    (["b", "..."], False), (["...", "c", "a"], False),
])
def test_shown_in_order(shown, ok):
    assert shown_in_order(shown, ["a", "b", "c"]) is ok


@pytest.mark.parametrize("text", [
    "$ cnncost show lenet5\n# LeNet-5 (LeCun et al. 1998)\n...\n",             # a line that is not printed
    "$ cnncost layer \"conv 3x3 64 s0\" --in 32x32x3\n...\n",                 # exits 2, not 0
    "$ cnncost layer \"conv 3x3 8\" --in 8x8x1\n...\n$ echo $?\n2\n",          # exits 0, not 2
    "$ cnncost layer \"conv 3x3 8\" --in 8x8x1\n...\nparams = 3·3·1·8 + 8 = 81\n",  # not the last line
])
def test_a_wrong_console_block_fails(text, run_cli, folder):
    with pytest.raises(AssertionError):
        test_console_block_prints_what_it_shows(Block("x.md", 1, "console", "", text), run_cli, folder)


def test_the_readmes_old_first_spec_fails(run_cli, folder):
    """The README's first spec said `expect params 416` under `conv 5x5 16 s1 p2 bn relu`:
    the bn's 32 params count on that line too (issue 18, item 3)."""
    readme = next(block for block in ALL if block.page == "README.md" and block.lang == "spec")
    assert "expect params 448" in readme.text
    old = readme._replace(text=readme.text.replace("expect params 448", "expect params 416"))
    with pytest.raises(AssertionError, match="params 416  — wrong: it is 448"):
        test_spec_block_builds_and_its_expectations_hold(old, run_cli, folder)
