"""Every file cnncost writes is whole: written beside its target and renamed into place
(cnncost/files.py; issue 15, fault 8)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from cnncost.files import atomic_path, write_atomic
from conftest import REPO

_WRITER = """
import sys, time
from cnncost.files import atomic_path, write_atomic
path, mark, rounds, slow = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4] == "slow"
chunk = mark * 65536
for _ in range(rounds):
    if slow:  # write 64 chunks, telling the parent when half are written, then wait to be killed
        with atomic_path(path) as temporary:
            with open(temporary, "wb") as handle:
                for i in range(64):
                    handle.write(chunk)
                    handle.flush()
                    if i == 32:
                        print("half", flush=True)
                        time.sleep(60)
    else:
        write_atomic(path, chunk * 16)
"""


def _writer(path, mark, rounds, slow=False):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(path), mark, str(rounds),
                             "slow" if slow else "fast"], env=env, stdout=subprocess.PIPE, text=True)


def _whole(data: bytes) -> bool:
    """One writer's full payload: 1 MiB of one letter."""
    return len(data) == 16 * 65536 and data == data[:1] * len(data)


def test_eight_parallel_writers_leave_one_whole_file(tmp_path):
    path = tmp_path / "plot.svg"
    writers = [_writer(path, mark, 20) for mark in "ABCDEFGH"]
    seen = 0
    while any(w.poll() is None for w in writers):  # read while they write
        if path.exists():
            assert _whole(path.read_bytes())
            seen += 1
    assert all(w.wait() == 0 for w in writers)
    assert _whole(path.read_bytes()) and seen > 0
    assert os.listdir(tmp_path) == ["plot.svg"]  # no temporary file left


def test_a_writer_killed_mid_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / "plot.svg"
    write_atomic(path, b"good plot")
    writer = _writer(path, "X", 1, slow=True)
    assert writer.stdout.readline() == "half\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert path.read_bytes() == b"good plot"


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, "before")
    with pytest.raises(ZeroDivisionError):
        with atomic_path(path) as temporary:
            with open(temporary, "w") as handle:
                handle.write("half")
            1 / 0
    assert path.read_text() == "before" and os.listdir(tmp_path) == ["out.txt"]


def test_a_new_file_gets_the_usual_mode_and_an_old_one_keeps_its_own(tmp_path):
    path = tmp_path / "out.txt"
    umask = os.umask(0o022)
    try:
        write_atomic(path, "a")
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o600)
        write_atomic(path, "b")
        assert path.stat().st_mode & 0o777 == 0o600 and path.read_text() == "b"
    finally:
        os.umask(umask)


def test_the_temporary_file_keeps_the_extension_for_writers_that_choose_a_format_by_it(tmp_path):
    with atomic_path(tmp_path / "plot.svg") as temporary:
        assert temporary.endswith(".svg") and os.path.dirname(temporary) == str(tmp_path)
        open(temporary, "w").close()
