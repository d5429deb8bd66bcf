"""The parsed-spec cache: a spec read before comes back without lark, and equal."""
import os
import subprocess
import sys

import cnncost
from cnncost.dsl import cache
from cnncost.dsl.parser import parse as parse_text


def test_a_cached_spec_parses_to_the_same_ast(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = cnncost.zoo.spec_text("resnet18")
    first = cache.parse(text, "resnet18.spec")
    assert len(list((tmp_path / "cnncost").glob("ast-*.pickle"))) == 1
    again = cache.parse(text, "resnet18.spec")
    assert again == first == parse_text(text, "resnet18.spec")
    changed = cache.parse(text.replace("fc 1000", "fc 10"), "resnet18.spec")
    assert changed != first and len(list((tmp_path / "cnncost").glob("ast-*.pickle"))) == 2


def test_a_damaged_cache_file_is_parsed_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "input 8x8x3\nconv 3x3 4\n"
    cache.parse(text, "a.spec")
    (entry,) = (tmp_path / "cnncost").glob("ast-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.parse(text, "a.spec") == parse_text(text, "a.spec")


def test_text_in_memory_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.parse("input 8x8x3\n", "<text>")
    assert not (tmp_path / "cnncost").exists()


def test_second_run_does_not_import_lark_and_gives_the_same_numbers(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("import sys, json, cnncost\n"
            "r = cnncost.analyze(cnncost.load('vgg16'))\n"
            "print(json.dumps([r.totals.params, r.totals.macs, 'lark' in sys.modules]))\n")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs == ["[138357544, 15470264320, true]\n", "[138357544, 15470264320, false]\n"]
