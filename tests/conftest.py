"""Shared helpers: build a spec from text and get its report; golden files."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import cnncost

# The executor tests run many small matrix products, for which one BLAS thread is faster
# and steadier on a shared machine; set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The tests never write the user's cache (~/.cache/cnncost): the parse cache of this run,
# and of every cnncost the tests start, lives in a temporary folder removed at the end.
_CACHE = tempfile.mkdtemp(prefix="cnncost-test-cache-")
os.environ["CNNCOST_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"


def check_golden(path: Path, text: str):
    """Compare rendered output with its golden file; CNNCOST_REGEN_GOLDEN=1 rewrites it."""
    if os.environ.get("CNNCOST_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with CNNCOST_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), \
        f"{path} differs: if the change is intended, regenerate with CNNCOST_REGEN_GOLDEN=1"


def analyze_text(text: str, **kwargs):
    """Report of a spec given as text (no file)."""
    return cnncost.analyze(cnncost.load("<test>", text=text, **kwargs))


def rows_after_input(report):
    return [r for r in report.layers if r.op != "input"]


@pytest.fixture(scope="session")
def zoo_records():
    return json.loads((DATA / "zoo-visible.json").read_text())


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    from cnncost.cli import main

    def run(*args):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


# ---- the torch test tier -------------------------------------------------------------
# Tests marked @pytest.mark.torch need PyTorch. Without it they skip on a developer's
# machine and FAIL in CI (CI=true), so a CI image that lost torch cannot pass quietly.
TORCH_PIN = "torch==2.13.0"


def _torch_importable() -> bool:
    """Whether torch imports, tried in a child process: an import here, at collection,
    would grow this process by hundreds of MB before the memory tests run."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("torch") is None:
        return False
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def pytest_collection_modifyitems(config, items):
    tier = [item for item in items if item.get_closest_marker("torch")]
    # The tier runs last: importing torch and Keras grows the process by hundreds of MB,
    # which the memory estimates of `verify` (tests/test_verify_memory.py) would count.
    items.sort(key=lambda item: item.get_closest_marker("torch") is not None)
    if not tier or _torch_importable():
        return
    if os.environ.get("CI") == "true":
        fail = pytest.mark.torch_missing_in_ci
        for item in tier:
            item.add_marker(fail)
    else:
        skip = pytest.mark.skip(reason=f"needs PyTorch: pip install {TORCH_PIN}")
        for item in tier:
            item.add_marker(skip)


def pytest_runtest_setup(item):
    if item.get_closest_marker("torch_missing_in_ci"):
        pytest.fail(f"PyTorch is missing in CI: .ci/run must install {TORCH_PIN}", pytrace=False)


@pytest.fixture
def torch():
    """PyTorch, with one thread (the machine is shared; counts do not depend on threads)."""
    import torch as torch_
    torch_.set_num_threads(1)
    return torch_
