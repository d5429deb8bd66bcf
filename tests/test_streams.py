"""The answer cannot be written: a full disk, a closed stdout, a reader that stops early.
One line on stderr (silence for a broken pipe, as cat) and a non-zero exit, never
"internal error" (issue 15, fault 9)."""
import os
import subprocess
import sys

import pytest

from conftest import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
COMMANDS = [
    ["summarize", "vgg16"],
    ["zoo"],
    ["layers"],
    ["summarize", "resnet18", "--format", "json"],
    ["compare", "vgg11", "resnet18"],
]


def _run(args, **kwargs):
    return subprocess.run([sys.executable, "-m", "cnncost", *args], env=ENV, capture_output=False,
                          stderr=subprocess.PIPE, text=True, timeout=120, **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", COMMANDS[:3], ids=" ".join)
def test_a_full_disk_is_one_line_and_exit_2(args):
    with open("/dev/full", "w") as full:
        done = _run(args, stdout=full)
    assert done.returncode == 2
    assert done.stderr == "error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("args", COMMANDS[:2], ids=" ".join)
def test_a_closed_stdout_is_one_line_and_exit_2(args):
    done = subprocess.run(["sh", "-c", 'exec "$0" -m cnncost "$@" >&-', sys.executable, *args],
                          env=ENV, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == "error: standard output is closed: nowhere to write the answer\n"


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_stops_early_gets_silence_and_exit_141(args):
    process = subprocess.Popen([sys.executable, "-m", "cnncost", *args], env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line is written
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert stderr == b""
