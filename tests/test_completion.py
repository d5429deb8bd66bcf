"""Shell completion of SPEC arguments (click's): zoo names, and files."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cnncost import zoo
from cnncost.cli.options import complete_spec


def test_callback_offers_the_zoo_names_that_match_and_files():
    items = complete_spec(None, None, "mobilenet")
    names = [i.value for i in items if i.type == "plain"]
    assert names == ["mobilenet_table3", "mobilenet_v1", "mobilenet_v2"]
    assert [(i.type, i.value) for i in items if i.type != "plain"] == [("file", "mobilenet")]


def test_callback_offers_every_zoo_name_for_an_empty_word():
    names = {i.value for i in complete_spec(None, None, "") if i.type == "plain"}
    assert names == set(zoo.entries()) and {"vgg16", "efficientnet_b3"} <= names


def test_nothing_after_a_colon():
    assert complete_spec(None, None, "mobilenet_v1:al") == []


def _complete(words: str, shell: str = "bash"):
    env = {**os.environ, "_CNNCOST_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    run = subprocess.run([sys.executable, "-m", "cnncost"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("words", ["cnncost summarize resnet1", "cnncost compare vgg16 resnet1",
                                   "cnncost sweep resnet1"])
def test_the_shell_gets_zoo_names(words):
    out = _complete(words).splitlines()
    assert out == ["plain,resnet18", "plain,resnet101", "plain,resnet152", "file,resnet1"]  # natural order


def test_bash_source_script():
    env = {**os.environ, "_CNNCOST_COMPLETE": "bash_source"}
    run = subprocess.run([sys.executable, "-m", "cnncost"], env=env, capture_output=True, text=True)
    assert run.returncode == 0 and "_cnncost_completion" in run.stdout
