"""Parsed specs kept between runs, so a spec seen before is read without importing lark.

The cache holds the AST of a spec that parsed (never an error), pickled, in the user's
cache folder (XDG_CACHE_HOME or ~/.cache, never the package folder), keyed by the text
and by the grammar and AST code that produced it: editing the grammar or the AST
definitions starts afresh. The graph is always built anew from the AST, so every count
is computed on every run. Like lark's own grammar cache, this saves start-up time
(importing lark and parsing is a third of a zoo summary's run); CNNCOST_NO_CACHE=1 turns
it off. Only specs read from files (and the zoo) are cached, not text given in memory.
"""
from __future__ import annotations

import os
import zlib

from . import ast

_SOURCES = ("grammar.lark", "ast.py", "transform.py", "parser.py", "limits.py")


def cache_folder() -> str:
    """cnncost's cache folder: XDG_CACHE_HOME/cnncost, else ~/.cache/cnncost (never the
    package folder); the parsed specs here and lark's analysed grammar (dsl.parser)."""
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cnncost")


def _code_key() -> int:
    """A checksum of the files that turn text into an AST."""
    here = os.path.dirname(__file__)
    key = 0
    for name in _SOURCES:
        with open(os.path.join(here, name), "rb") as handle:
            key = zlib.crc32(handle.read(), key)
    return key


def _path(source: str, file: str) -> str:
    key = zlib.crc32(f"{file}\0{source}".encode(), _code_key())
    return os.path.join(cache_folder(), f"ast-{key:08x}-{len(source)}.pickle")


def parse(source: str, file: str = "<spec>") -> ast.Module:
    """The spec's AST: from the cache when this text was parsed before, else parsed by
    lark (cnncost.dsl.parser) and remembered."""
    if os.environ.get("CNNCOST_NO_CACHE") or file.startswith("<"):  # text given in memory
        from .parser import parse as parse_text

        return parse_text(source, file)
    import pickle

    path = _path(source, file)
    try:
        with open(path, "rb") as handle:
            module = pickle.load(handle)
        if isinstance(module, ast.Module) and module.file == file:
            return module
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError,
            ValueError, IndexError, RecursionError):
        pass  # absent or unreadable: parse afresh
    from .parser import parse as parse_text

    module = parse_text(source, file)
    try:
        data = pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL)
        os.makedirs(cache_folder(), exist_ok=True)
        temporary = f"{path}.{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except (OSError, RecursionError):
        pass  # a read-only home, or an AST nested too deeply to pickle: no cache
    return module
