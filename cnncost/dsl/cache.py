"""Parsed specs kept between runs, so a spec seen before is read without importing lark.

The cache holds the AST of a spec that parsed (never an error), pickled, in the user's
cache folder (CNNCOST_CACHE_DIR, else XDG_CACHE_HOME/cnncost or ~/.cache/cnncost, never
the package folder). An entry is named by a SHA-256 of the code version (cnncost's
version and the grammar and AST sources), the file name and the exact text, and holds
that full digest and the text itself: an entry is used only when both match, so a cache
can make an answer faster, never different (a CRC32 key once let two texts share an
entry). The folder keeps at most MAX_ENTRIES entries, the least recently used go first.
The graph is always built anew from the AST, so every count is computed on every run.
CNNCOST_NO_CACHE=1 turns the cache off. Only specs read from files (and the zoo) are
cached, not text given in memory.
"""
from __future__ import annotations

import functools
import hashlib
import os

from . import ast

_SOURCES = ("grammar.lark", "ast.py", "transform.py", "parser.py", "limits.py")
MAX_ENTRIES = 256  # a few hundred specs: the zoo and a user's own, a few MB at most
_PREFIX = "ast-"
_SUFFIX = ".pickle"


def cache_folder() -> str:
    """The cache folder: CNNCOST_CACHE_DIR, else XDG_CACHE_HOME/cnncost, else ~/.cache/cnncost."""
    explicit = os.environ.get("CNNCOST_CACHE_DIR")
    if explicit:
        return explicit
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cnncost")


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """A SHA-256 of cnncost's version and the files that turn text into an AST."""
    from .. import __version__

    digest = hashlib.sha256(__version__.encode())
    here = os.path.dirname(__file__)
    for name in _SOURCES:
        with open(os.path.join(here, name), "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.digest()


def key(source: str, file: str) -> str:
    """The full hex SHA-256 naming the entry of this text read from this file."""
    digest = hashlib.sha256(_code_digest())
    name = file.encode("utf-8", "surrogatepass")
    digest.update(len(name).to_bytes(8, "big") + name)
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _entries(where: str) -> list[os.DirEntry]:
    try:
        with os.scandir(where) as found:
            return [e for e in found if e.name.startswith(_PREFIX) and e.name.endswith(_SUFFIX)]
    except OSError:
        return []


def prune(where: str | None = None) -> None:
    """Past MAX_ENTRIES entries, remove the least recently used down to three quarters of
    it (so that pruning, which reads every entry's time, happens once in many writes)."""
    where = where or cache_folder()
    entries = _entries(where)
    if len(entries) <= MAX_ENTRIES:
        return
    keep = MAX_ENTRIES * 3 // 4
    def age(entry):
        try:
            return entry.stat().st_mtime_ns
        except OSError:
            return 0
    for entry in sorted(entries, key=age)[:len(entries) - keep]:
        try:
            os.remove(entry.path)
        except OSError:
            pass  # removed by another process meanwhile


def _load(path: str, digest: str, source: str, file: str) -> ast.Module | None:
    import pickle

    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError,
            ValueError, IndexError, KeyError, RecursionError, MemoryError):
        return None  # absent or unreadable: parse afresh
    if not (isinstance(stored, tuple) and len(stored) == 4):
        return None
    stored_digest, stored_file, stored_source, module = stored
    if stored_digest != digest or stored_file != file or stored_source != source:
        return None  # another text's entry: never use it
    if not isinstance(module, ast.Module) or module.file != file:
        return None
    try:
        os.utime(path)  # recently used: kept by prune
    except OSError:
        pass
    return module


def parse(source: str, file: str = "<spec>") -> ast.Module:
    """The spec's AST: from the cache when this exact text was parsed before, else parsed
    by lark (cnncost.dsl.parser) and remembered."""
    if os.environ.get("CNNCOST_NO_CACHE") or file.startswith("<"):  # text given in memory
        from .parser import parse as parse_text

        return parse_text(source, file)
    import pickle

    digest = key(source, file)
    where = cache_folder()
    path = os.path.join(where, f"{_PREFIX}{digest}{_SUFFIX}")
    module = _load(path, digest, source, file)
    if module is not None:
        return module
    from .parser import parse as parse_text

    module = parse_text(source, file)
    try:
        data = pickle.dumps((digest, file, source, module), protocol=pickle.HIGHEST_PROTOCOL)
        from ..files import write_atomic

        os.makedirs(where, exist_ok=True)
        write_atomic(path, data, durable=False)  # a lost entry is parsed again
        prune(where)
    except (OSError, RecursionError):
        pass  # a read-only home, or an AST nested too deeply to pickle: no cache
    return module
