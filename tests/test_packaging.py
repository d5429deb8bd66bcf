"""The wheel carries every subpackage: pyproject lists packages by hand (specs/ is mapped
into cnncost.specs), so a new subpackage missing from the list would vanish on install."""
import sys

from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(REPO).parts)
               for p in (REPO / "cnncost").rglob("__init__.py")}
    assert on_disk | {"cnncost.specs"} == listed, \
        f"[tool.setuptools] packages should add {sorted(on_disk - listed)}, drop {sorted(listed - on_disk - {'cnncost.specs'})}"
