"""Issue 18 item 1: in a real terminal no number is ever cut or dropped and no line is wider
than the terminal. Each of the README's commands runs under a pseudo-terminal (`script`)
at 80, 120 and 250 columns; every number the JSON output of the same command holds for the
table's columns must appear whole in what the terminal shows."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script`")

WIDTHS = (80, 120, 250)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _summary_numbers(data):
    out = [data["totals"]["params"], data["totals"]["macs"]]
    for layer in data["layers"]:
        out += [layer["params"], layer["macs"], *layer.get("conventions", {}).values()]
    return out


def _ledger_numbers(data):
    return _summary_numbers(data) + list(data["ledger"].values()) + [
        c["total"] for c in data["conventions"].values()]


def _compare_numbers(data):
    keys = ("params", "buffers", "macs", "flops", "activations", "weight_layers", "depth",
            "receptive_field")
    return [m["totals"][k] for m in data["models"] for k in keys]


def _sweep_numbers(data):
    return [p["totals"][k] for p in data["points"] for k in ("params", "macs")]


def _zoo_numbers(data):
    return [m[k] for m in data["models"] for k in ("params", "macs")]


# (the command's arguments, how to read the numbers its table shows from its JSON)
COMMANDS = [
    ("summarize vgg16", _summary_numbers),
    ("summarize resnet50", _summary_numbers),
    ("summarize resnet50 --convention all --depth 0", _summary_numbers),
    ("summarize lenet5 --convention all --ledger", _ledger_numbers),
    ("compare vgg16 resnet50 mobilenet_v2", _compare_numbers),
    ("compare vgg16 resnet50 mobilenet_v2 googlenet densenet121", _compare_numbers),
    ("sweep mobilenet_v1 -p alpha=1.0,0.5 --resolution 224,160", _sweep_numbers),
    ("zoo", _zoo_numbers),
]


def _in_terminal(args: str, width: int) -> str:
    """What a terminal `width` columns wide shows for `cnncost ARGS` (escape codes removed)."""
    command = f"stty cols {width} rows 50; {shlex.quote(sys.executable)} -m cnncost {args}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    env.pop("NO_COLOR", None)
    done = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return ANSI.sub("", done.stdout).replace("\r", "")


def _json(args: str):
    out = subprocess.run([sys.executable, "-m", "cnncost", *shlex.split(args), "--format", "json"],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def expected():
    return {}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args, numbers", COMMANDS, ids=[c for c, _ in COMMANDS])
def test_no_number_is_cut_and_no_line_is_too_wide(args, numbers, width, expected):
    if args not in expected:
        expected[args] = [n for n in numbers(_json(args)) if isinstance(n, int)]
    screen = _in_terminal(args, width)
    lines = screen.split("\n")
    too_wide = [line for line in lines if len(line.rstrip()) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[0]!r}"
    assert "…" not in screen
    shown = set(screen.replace("│", " ").split())
    missing = sorted({f"{n:,}" for n in expected[args]} - shown)
    assert not missing, f"numbers cut or dropped at {width} columns: {missing[:10]}"


@pytest.mark.parametrize("width", (80, 250))
def test_layers_are_listed_whole(width):
    """`cnncost layers` never cuts a description mid-phrase: each kind's first paragraph is
    there whole (its words in order), wrapped under its column."""
    from cnncost.layers import REGISTRY, user_kinds

    screen = _in_terminal("layers", width)
    assert max(len(line.rstrip()) for line in screen.split("\n")) <= width
    entries = {}  # a kind -> the words of its entry (its first line and those indented under it)
    for line in screen.split("\n"):
        if line.strip() and not line.startswith(" "):
            name, *words = line.split()
            entries[name] = words
        elif line.strip():
            entries[name] += line.split()
    assert list(entries) == list(user_kinds())
    for name in user_kinds():
        assert entries[name] == REGISTRY[name].__doc__.strip().split("\n\n")[0].split(), name
