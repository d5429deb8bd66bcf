"""Issue 18, items 2 and 12: sympy comes with a plain install, the extras the docs name
exist, a misspelt command gets "did you mean", and `cnncost show` prints a zoo spec."""
from __future__ import annotations

import re
import tomllib

import pytest

from conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements):
    return {re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower() for req in requirements}


def test_sympy_is_a_dependency_and_the_extras_exist():
    assert {"click", "rich", "lark", "sympy"} <= _names(PYPROJECT["dependencies"])
    extras = PYPROJECT["optional-dependencies"]
    assert _names(extras["onnx"]) == {"onnx"}
    assert _names(extras["docs"]) == {"mkdocs", "mkdocs-material"}
    assert {"mkdocs", "mkdocs-material", "pytest"} <= _names(extras["test"])


def test_every_extra_the_docs_name_exists():
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    named = {extra for page in pages
             for extra in re.findall(r"(?:cnncost|\.)\[(\w+)\]", page.read_text(encoding="utf-8"))}
    assert {"numpy", "test", "docs"} <= named <= set(PYPROJECT["optional-dependencies"])


@pytest.mark.parametrize("typed,meant", [("sumarize", "summarize"), ("comapre", "compare"),
                                          ("chek", "check"), ("swep", "sweep")])
def test_a_misspelt_command_gets_did_you_mean(run_cli, typed, meant):
    code, out, err = run_cli(typed, "vgg16")
    assert code == 2 and out == ""
    assert f"No such command '{typed}'. Did you mean {meant}?" in err


def test_an_unknown_command_far_from_any_is_still_a_usage_error(run_cli):
    code, _, err = run_cli("xyzzy")
    assert code == 2 and "No such command 'xyzzy'" in err and "Did you mean" not in err


@pytest.mark.parametrize("name", ["lenet5", "resnet50", "efficientnet_b0", "fashion_mnist"])
def test_show_prints_the_spec_file(run_cli, name):
    code, out, err = run_cli("show", name)
    assert code == 0, err
    assert out == (REPO / "specs" / f"{name}.spec").read_text(encoding="utf-8")


def test_show_of_a_variant_prints_its_settings_then_the_spec(run_cli):
    code, out, _ = run_cli("show", "efficientnet_b3")
    head, spec = out.split("\n", 2)[:2], out.split("\n", 2)[2]
    assert code == 0
    assert head == ["# efficientnet_b3: efficientnet_b0.spec (below) with width=1.2, depth=1.4, "
                    "drop_rate=0.3, resolution 300",
                    "# the same network: cnncost summarize efficientnet_b0 -p width=1.2 -p depth=1.4 "
                    "-p drop_rate=0.3 --resolution 300"]
    assert spec == (REPO / "specs" / "efficientnet_b0.spec").read_text(encoding="utf-8")


def test_the_shown_variant_command_builds_the_variant(run_cli):
    import json

    _, variant, _ = run_cli("summarize", "efficientnet_b3", "--format", "json")
    _, out, _ = run_cli("show", "efficientnet_b3")
    command = out.split("\n")[1].removeprefix("# the same network: cnncost ").split()
    _, rebuilt, _ = run_cli(*command, "--format", "json")
    assert json.loads(rebuilt)["totals"] == json.loads(variant)["totals"]
    assert json.loads(variant)["totals"]["params"] == 12_233_232


def test_show_of_an_unknown_name_suggests_close_ones(run_cli):
    code, out, err = run_cli("show", "resnet5")
    assert code == 2 and out == ""
    assert "no zoo model is called 'resnet5'" in err and "did you mean resnet50" in err
