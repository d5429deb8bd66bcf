"""The wheel holds every subpackage: `pip install .` (not only `-e`) must give a working CLI."""
from __future__ import annotations

import re

from conftest import REPO


def test_every_subpackage_is_listed_in_pyproject():
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^packages = \[(.*?)\]", text, re.M | re.S).group(1)
    listed = set(re.findall(r'"([\w.]+)"', block))
    found = {".".join(path.parent.relative_to(REPO).parts)
             for path in (REPO / "cnncost").rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
