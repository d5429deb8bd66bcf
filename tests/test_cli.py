"""The command line: numbers, formats, help, exit codes, and what a numeric run imports."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import click
import pytest

from cnncost.cli import cli


def test_summarize_vgg16_table(run_cli):
    code, out, err = run_cli("summarize", "vgg16")
    assert code == 0, err
    assert "138,357,544" in out and "15,470,264,320" in out
    assert "138.4 M" in out and "15.5 G" in out
    assert "\x1b[" not in out  # plain text when stdout is not a terminal


def test_summarize_vgg16_json_schema(run_cli):
    code, out, _ = run_cli("summarize", "vgg16", "--format", "json")
    data = json.loads(out)
    assert {"network", "input", "output", "totals", "layers"} <= set(data)
    assert data["input"] == [224, 224, 3] and data["output"] == [1000]
    totals = data["totals"]
    assert {"params", "trainable", "frozen", "buffers", "macs", "flops", "activations",
            "peak_activation_bytes", "weight_bytes"} <= set(totals)
    assert totals["params"] == 138_357_544 and totals["macs"] == 15_470_264_320
    assert totals["flops"] == 2 * totals["macs"]
    for layer in data["layers"]:
        assert {"name", "op", "output", "params", "buffers", "macs", "rf", "line"} <= set(layer)
        assert set(layer["rf"]) == {"size", "jump", "start"}
    # invariant: per-layer columns sum to the totals
    for key in ("params", "buffers", "macs"):
        assert sum(layer[key] for layer in data["layers"]) == totals[key]


def test_csv_reads_back_to_the_same_numbers(run_cli):
    _, out, _ = run_cli("summarize", "vgg16", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    layers, total = rows[:-1], rows[-1]
    assert total["name"] == "TOTAL" and int(total["params"]) == 138_357_544
    assert sum(int(r["params"]) for r in layers) == int(total["params"])
    assert sum(int(r["macs"]) for r in layers) == int(total["macs"]) == 15_470_264_320


def test_markdown(run_cli):
    _, out, _ = run_cli("summarize", "lenet5", "--format", "markdown")
    assert out.startswith("## lenet5") and "| **Total** | | **10** | **61,706** | **416,520** | |" in out


def test_depth_collapses_blocks_and_keeps_totals(run_cli):
    _, full, _ = run_cli("summarize", "vgg16", "--format", "json")
    _, top, _ = run_cli("summarize", "vgg16", "--format", "json", "--depth", "0")
    full, top = json.loads(full), json.loads(top)
    # torchvision's names (issue 18 item 6): the blocks are features and classifier
    assert [layer["name"] for layer in top["layers"]] == \
        ["input", "features", "avgpool", "flatten1", "classifier"]
    assert top["layers"][1]["params"] == 14_714_688  # Keras VGG16(include_top=False)
    assert sum(layer["macs"] for layer in top["layers"]) == full["totals"]["macs"]


def test_batch_and_dtype_options(run_cli):
    _, out, _ = run_cli("summarize", "lenet5", "--format", "json", "--batch", "8", "--dtype", "fp16")
    data = json.loads(out)
    assert data["totals"]["params"] == 61_706 and data["totals"]["macs"] == 8 * 416_520
    assert data["totals"]["weight_bytes"] == 61_706 * 2


def test_param_override_and_resolution(run_cli):
    _, out, _ = run_cli("summarize", "vgg16", "-p", "include_top=0", "--resolution", "150",
                        "--format", "json")
    assert json.loads(out)["totals"]["params"] == 14_714_688


def _commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        yield prefix + (name,), group.get_command(ctx, name)


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=lambda p: " ".join(p))
def test_every_command_has_help(run_cli, path):
    code, out, _ = run_cli(*path, "--help")
    assert code == 0 and "Usage:" in out
    assert cli.get_command(None, path[-1]).help  # a description, not an empty docstring
    assert "Examples:" in out or path == ("layers",) or path == ("zoo",)


@pytest.mark.parametrize("name", cli.list_commands(None))
def test_every_command_is_in_the_readme_commands_table(name):
    from conftest import REPO

    table = (REPO / "README.md").read_text().split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert f"| `cnncost {name}" in table


def test_layers_command_lists_the_catalogue(run_cli):
    code, out, _ = run_cli("layers")
    assert code == 0 and "conv " in out and "sepconv" in out
    code, out, _ = run_cli("layers", "sepconv")
    assert code == 0 and "pointwise" in out


def test_zoo_command(run_cli):
    code, out, _ = run_cli("zoo", "vgg")
    assert code == 0 and set(out.split()) >= {"vgg11", "vgg13", "vgg16", "vgg19"}


def test_python_dash_m_and_no_sympy_or_numpy_on_the_numeric_path():
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "cnncost", "summarize", "vgg16",
                          "--format", "json"], capture_output=True, text=True)
    assert run.returncode == 0
    assert json.loads(run.stdout)["totals"]["params"] == 138_357_544
    imported = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "cnncost" in imported
    assert "sympy" not in imported and "numpy" not in imported


def test_terminal_table_has_the_same_totals():
    import cnncost
    from cnncost.render import render_table

    text = render_table(cnncost.analyze(cnncost.load("lenet5")), fancy=True)
    assert "╭" in text and "61,706" in text and "416,520" in text


@pytest.mark.parametrize("option, value, message", [
    ("--width", "abc", "--width abc: not a number"),
    ("--width", "0", "--width 0: a multiplier must be above 0"),
    ("--width", "-1", "--width -1: a multiplier must be above 0"),
    ("--depth-mult", "0", "--depth-mult 0: a multiplier must be above 0"),
    ("--depth-mult", "1/0", "--depth-mult 1/0: not a number"),
    ("--resolution", "0", "--resolution 0: must be above 0"),
    ("--resolution", "-0.5", "--resolution -0.5: must be above 0"),
    ("--resolution", "big", "--resolution big: not a number"),
])
def test_scaling_options_out_of_range_are_input_errors(run_cli, option, value, message):
    code, out, err = run_cli("summarize", "mobilenet_v2", option, value)
    assert code == 2 and out == ""
    assert f"error: {message}" in err and "hint:" in err and "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (("verify", "lenet5", "--seed", "-1"), "Invalid value for '--seed'"),
    (("sweep", "mobilenet_v1", "-p", "alpha=0.5", "--plot", "/nonexistent/folder/x.png"),
     "cannot write '/nonexistent/folder/x.png'"),
])
def test_bad_option_values_are_usage_errors(run_cli, args, message):
    code, _, err = run_cli(*args)
    assert code == 2 and message in err and "Traceback" not in err and "internal error" not in err
