"""The model zoo: spec files shipped with the package, and named variants of them
(specs/variants.toml: a spec plus parameter values and an input resolution)."""
from __future__ import annotations

import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, NamedTuple


class ZooEntry(NamedTuple):
    name: str
    spec: str  # the spec file's stem
    params: Mapping[str, Any] = {}
    resolution: int | None = None


def _folder():
    """The zoo folder: the installed cnncost.specs package, or specs/ of a checkout."""
    try:
        return resources.files("cnncost.specs")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "specs"


def spec_text(stem: str) -> str:
    return _folder().joinpath(f"{stem}.spec").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def entries() -> dict[str, ZooEntry]:
    """Every zoo name: one per spec file, plus each variant of variants.toml."""
    folder = _folder()
    out = {}
    for item in folder.iterdir():
        if item.name.endswith(".spec"):
            stem = item.name[:-5]
            out[stem] = ZooEntry(stem, stem)
    variants = folder.joinpath("variants.toml")
    if variants.is_file():
        for name, entry in tomllib.loads(variants.read_text(encoding="utf-8")).items():
            out[name] = ZooEntry(name, entry["spec"], dict(entry.get("params", {})),
                                 entry.get("resolution"))
    return dict(sorted(out.items()))


def find(name: str) -> ZooEntry | None:
    return entries().get(name)
