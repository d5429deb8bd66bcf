"""verify's peak memory is the process's own high-water mark (VmHWM), not ru_maxrss, which
on Linux carries over the peak of the process that started it; the forward pass and the
weight fill are timed apart (issue 15, "Measured on the way")."""
import os
import subprocess
import sys

import pytest

from conftest import REPO

LINUX = os.path.exists("/proc/self/status")

_PARENT = """
import subprocess, sys
big = bytearray(400 * 1024 * 1024)  # a 400 MB parent
for i in range(0, len(big), 4096):
    big[i] = 1
code = ("import resource; from cnncost.execute.verify import peak_resident_bytes; "
        "print(peak_resident_bytes(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)")
print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
"""


@pytest.mark.skipif(not LINUX, reason="VmHWM is Linux's")
def test_the_peak_is_the_processs_own_not_its_parents():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _PARENT], capture_output=True, text=True, env=env,
                         check=True, timeout=120).stdout
    ours, _maxrss = (int(x) for x in out.split())  # ru_maxrss said 400+ MB here on this kernel
    assert ours < 100e6  # python with cnncost's verify module: tens of MB


@pytest.mark.skipif(not LINUX, reason="VmHWM is Linux's")
def test_the_peak_equals_vmhwm():
    from cnncost.execute.verify import peak_resident_bytes

    with open("/proc/self/status") as status:
        hwm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    assert 0 <= peak_resident_bytes() - hwm <= 64 * 1024 * 1024  # the same mark, read again later


def test_verify_reports_the_forward_pass_and_the_fill_apart(run_cli):
    import json

    code, out, err = run_cli("verify", "lenet5", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["fill_seconds"] > 0 and data["seconds"] > 0
    code, out, err = run_cli("verify", "lenet5")
    assert "(the forward pass; filling the weights took" in out and "high-water mark" in out
