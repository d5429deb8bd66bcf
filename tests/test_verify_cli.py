"""`cnncost verify`: output formats, exit codes, the missing-NumPy message, the progress bar."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from cnncost.layers import REGISTRY


def test_verify_lenet5_table(run_cli):
    code, out, err = run_cli("verify", "lenet5")
    assert code == 0, err
    lines = out.splitlines()
    conv = next(line for line in lines if line.startswith("conv_pool1.conv1 "))
    assert conv.split() == ["conv_pool1.conv1", "conv", "28x28x6", "28x28x6", "156", "156",
                            "117,600", "117,600", "ok"]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split() == ["Total", "61,706", "61,706", "416,520", "416,520"]
    assert "Verified: all 13 layers match" in out and "Executed with NumPy in" in out
    assert "\x1b[" not in out and err == ""  # no colour and no progress bar off a terminal


def test_verify_json_counts_the_whole_batch(run_cli):
    code, out, _ = run_cli("verify", "fashion_mnist", "--batch", "3", "--seed", "7", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["mismatches"] == 0
    assert (data["batch"], data["seed"], data["input"]) == (3, 7, [28, 28, 1])
    conv = data["layers"][1]
    assert conv["op"] == "conv" and conv["executed"] == conv["analytic"] == {
        "shape": [28, 28, 16], "params": 416, "buffers": 0, "macs": 3 * 313_600}
    bn = data["layers"][2]
    assert bn["op"] == "bn" and (bn["executed"]["params"], bn["executed"]["buffers"]) == (32, 32)
    assert data["totals"]["executed"] == data["totals"]["analytic"]
    assert isinstance(data["seconds"], float) and data["peak_bytes"] > 0


def test_verify_csv(run_cli):
    code, out, _ = run_cli("verify", "inception_module", "--format", "csv", "--resolution", "0.5")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and all(r["ok"] == "1" for r in rows)
    assert rows[1]["shape"] == rows[1]["run_shape"] == "14x14x64"
    assert sum(int(r["run_macs"]) for r in rows) == sum(int(r["macs"]) for r in rows)


def test_a_wrong_formula_is_caught_and_exits_1(run_cli, monkeypatch):
    """Break the analytic MAC rule of conv: the execution disagrees, row by row."""
    conv = REGISTRY["conv"]
    right = type(conv).macs
    monkeypatch.setattr(type(conv), "macs", lambda self, a, ins, out: right(self, a, ins, out) + 1)
    code, out, _ = run_cli("verify", "lenet5")
    assert code == 1
    assert "MISMATCH: 2 of 13 layers differ" in out
    assert "conv_pool1.conv1 (conv, line " in out and "macs 117,601 analysed, 117,600 executed" in out
    assert next(line for line in out.splitlines() if line.startswith("conv_pool1.conv1 ")).endswith("DIFF")


def test_a_wrong_shape_rule_is_caught(run_cli, monkeypatch):
    pool = REGISTRY["maxpool"]
    right = type(pool).shape
    monkeypatch.setattr(type(pool), "shape", lambda self, a, ins: (lambda h, w, c: (h + 1, w, c))(*right(self, a, ins)))
    code, out, _ = run_cli("verify", "fashion_mnist", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    wrong = [layer for layer in data["layers"] if not layer["ok"]]
    assert [layer["op"] for layer in wrong][0] == "maxpool" and wrong[0]["differs"] == ["shape"]
    assert wrong[0]["analytic"]["shape"] == [15, 14, 16] and wrong[0]["executed"]["shape"] == [14, 14, 16]


def test_without_numpy_the_message_names_the_extra():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from cnncost.cli import main\nmain(['verify', 'lenet5'])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert "pip install 'cnncost[numpy]'" in run.stderr and "Traceback" not in run.stderr


def test_a_symbolic_spec_exits_2(run_cli, tmp_path):
    spec = tmp_path / "sym.spec"
    spec.write_text("symbol n\ninput (n, n, 3)\nconv 3x3 8\n")
    code, _, err = run_cli("verify", str(spec))
    assert code == 2 and "symbols (n)" in err and "Traceback" not in err


def test_a_bad_spec_exits_2(run_cli):
    code, _, err = run_cli("verify", "alexnet", "--resolution", "0.1")
    assert code == 2 and "error: " in err


def test_no_progress_bar_off_a_terminal(run_cli, monkeypatch):
    from cnncost.cli import verify

    monkeypatch.setattr(verify._LazyProgress, "DELAY", 0.0)  # would show at once on a terminal
    code, out, err = run_cli("verify", "resnet18", "--resolution", "0.25")
    assert code == 0 and err == "" and "\x1b[" not in out


def test_the_progress_bar_appears_after_the_delay(monkeypatch):
    from cnncost.cli.verify import _LazyProgress

    shown = _LazyProgress(3, enabled=True)
    shown.start -= _LazyProgress.DELAY  # a second has passed
    shown(0, type("N", (), {"name": "conv1"})())
    assert shown.bar is not None and shown.bar.tasks[0].completed == 1
    shown.close()
    hidden = _LazyProgress(3, enabled=True)
    hidden(0, type("N", (), {"name": "conv1"})())
    assert hidden.bar is None  # a fast network never shows it


@pytest.mark.parametrize("option", ["--batch", "--seed", "--format", "--resolution", "--param"])
def test_verify_help_documents_every_option(run_cli, option):
    code, out, _ = run_cli("verify", "--help")
    assert code == 0 and option in out and "cnncost[numpy]" in out
