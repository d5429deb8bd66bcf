"""The torch test tier: present torch runs it, absent torch skips it, absent torch in CI fails it."""
import os
import subprocess
import sys

import pytest

from conftest import REPO

PROBE = "tests/data/torch_tier/probe_torch_tier.py"


@pytest.mark.parametrize("ci, code, expected", [
    ("", 0, "SKIPPED [1] tests/data/torch_tier/probe_torch_tier.py:5: needs PyTorch: pip install torch==2.13.0"),
    ("true", 1, "ERROR tests/data/torch_tier/probe_torch_tier.py::test_probe - Failed: "
                "PyTorch is missing in CI: .ci/run must install torch==2.13.0"),
])
def test_tier_without_torch(tmp_path, ci, code, expected):
    # A torch.py that raises ImportError shadows the installed torch for the child run.
    (tmp_path / "torch.py").write_text('raise ImportError("torch hidden by the test")\n')
    env = dict(os.environ, CI=ci, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsE", PROBE],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert expected in run.stdout, run.stdout + run.stderr
    assert run.returncode == code


@pytest.mark.torch
def test_tier_with_torch(torch):
    assert torch.__version__.startswith("2.")
    assert torch.get_num_threads() == 1
