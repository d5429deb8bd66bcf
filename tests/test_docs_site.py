"""The user guide builds as a site with no warning (mkdocs --strict: broken links, missing
anchors, pages left out of the nav), and its generated reference pages are up to date."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import REPO


def _generator():
    spec = importlib.util.spec_from_file_location("gen_reference", REPO / "docs" / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["cli.md", "layers.md"])
def test_generated_reference_is_current(page):
    expected = _generator().PAGES[page]()
    path = REPO / "docs" / "reference" / page
    assert path.exists() and path.read_text(encoding="utf-8") == expected, \
        f"docs/reference/{page} is stale: run `PYTHONPATH=$PWD python docs/gen_reference.py`"


def test_reference_covers_every_command_and_layer_kind():
    from cnncost.cli.app import cli
    from cnncost.layers import user_kinds

    commands = (REPO / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    kinds = (REPO / "docs" / "reference" / "layers.md").read_text(encoding="utf-8")
    assert all(f"\n## cnncost {name}\n" in commands for name in cli.list_commands(None))
    assert all(f"\n## {kind}\n" in kinds for kind in user_kinds())


def test_site_builds_strictly_without_warnings(tmp_path):
    # mkdocs and mkdocs-material come with the test extra (pip install -e '.[test]')
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(REPO / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
                          capture_output=True, text=True, env=env, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0 and "WARNING" not in log, log
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "tutorial" / "index.html").exists()


def test_every_page_is_in_the_nav():
    import yaml

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(items):
        for item in items:
            for value in item.values():
                yield from (walk(value) if isinstance(value, list) else [value])

    in_nav = set(walk(config["nav"]))
    pages = {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert pages == in_nav
