"""The model zoo: spec files shipped with the package, and named variants of them
(specs/variants.toml: a spec plus parameter values and an input resolution).

Every spec's first line is its source: a comment naming the paper and the exact
implementation the spec matches, e.g. `# ResNet-50 (He et al. 2015), v1.5 exactly as ...`."""
from __future__ import annotations

import functools
import re
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
    return dict(sorted(out.items(), key=lambda item: _natural(item[0])))


def _natural(name: str):
    """resnet18 before resnet101: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def find(name: str) -> ZooEntry | None:
    return entries().get(name)


def matching(contains: str | None = None) -> list[ZooEntry]:
    """The entries whose name contains `contains` (any case); all of them for None."""
    needle = (contains or "").lower()
    return [entry for name, entry in entries().items() if needle in name.lower()]


def source(stem: str) -> str:
    """The spec's first line without its `#`: the paper and the implementation it matches."""
    first = spec_text(stem).partition("\n")[0]
    return first.removeprefix("#").strip() if first.startswith("#") else ""
