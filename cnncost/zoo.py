"""The model zoo: spec files shipped with the package, and named variants of them
(specs/variants.toml: a spec plus parameter values and an input resolution).

Every spec's first line is its source: a comment naming the paper and the exact
implementation the spec matches, e.g. `# ResNet-50 (He et al. 2015), v1.5 exactly as ...`."""
from __future__ import annotations

import functools
import os
import re
from typing import Any, Mapping, NamedTuple


class ZooEntry(NamedTuple):
    name: str
    spec: str  # the spec file's stem
    params: Mapping[str, Any] = {}
    resolution: int | None = None


def _folder() -> str:
    """The zoo folder: the installed cnncost/specs package, or specs/ of a checkout
    (a wheel is always unpacked on disk, so a plain path will do)."""
    package = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(package, "specs")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(package), "specs")


def _read(name: str) -> str:
    with open(os.path.join(_folder(), name), encoding="utf-8") as handle:
        return handle.read()


def spec_text(stem: str) -> str:
    return _read(f"{stem}.spec")


@functools.lru_cache(maxsize=1)
def entries() -> dict[str, ZooEntry]:
    """Every zoo name: one per spec file, plus each variant of variants.toml."""
    folder = _folder()
    out = {}
    for filename in os.listdir(folder):
        if filename.endswith(".spec"):
            stem = filename[:-5]
            out[stem] = ZooEntry(stem, stem)
    if os.path.isfile(os.path.join(folder, "variants.toml")):
        import tomllib  # deferred: only variant names need it

        for name, entry in tomllib.loads(_read("variants.toml")).items():
            out[name] = ZooEntry(name, entry["spec"], dict(entry.get("params", {})),
                                 entry.get("resolution"))
    return dict(sorted(out.items(), key=lambda item: _natural(item[0])))


def _natural(name: str):
    """resnet18 before resnet101: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def find(name: str) -> ZooEntry | None:
    """The zoo entry called `name`; a spec file's own name resolves without reading
    variants.toml (startup time: tomllib alone costs ~9 ms)."""
    if name.isidentifier() and os.path.isfile(os.path.join(_folder(), f"{name}.spec")):
        return ZooEntry(name, name)
    return entries().get(name)


def matching(contains: str | None = None) -> list[ZooEntry]:
    """The entries whose name contains `contains` (any case); all of them for None."""
    needle = (contains or "").lower()
    return [entry for name, entry in entries().items() if needle in name.lower()]


def source(stem: str) -> str:
    """The spec's first line without its `#`: the paper and the implementation it matches."""
    first = spec_text(stem).partition("\n")[0]
    return first.removeprefix("#").strip() if first.startswith("#") else ""
