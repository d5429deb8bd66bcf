"""From a file path or zoo name to a Graph: read, parse, build."""
from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Mapping

from . import zoo
from .dsl import ast
from .dsl.parser import parse
from .errors import SpecFileError
from .graph import BuildOptions, Graph, build

MAX_SPEC_BYTES = 4 * 1024 * 1024


def read_spec(source: str) -> tuple[str, str, zoo.ZooEntry | None]:
    """(text, display name, zoo entry) for a path or a zoo name."""
    if os.path.isdir(source):
        raise SpecFileError(f"{source} is a directory, not a spec file",
                            hint="give a .spec file or a zoo name (see `cnncost zoo`)")
    if os.path.exists(source):
        try:
            if os.path.getsize(source) > MAX_SPEC_BYTES:
                raise SpecFileError(f"{source} is larger than {MAX_SPEC_BYTES // 1024 // 1024} MiB",
                                    hint="a spec describes a network in a few hundred lines")
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as err:
            raise SpecFileError(f"cannot read {source}: {err.strerror}") from None
        if b"\0" in data:
            raise SpecFileError(f"{source} is a binary file, not a spec", hint="spec files are text")
        try:
            return data.decode("utf-8"), source, None
        except UnicodeDecodeError as err:
            line = data[:err.start].count(b"\n") + 1
            raise SpecFileError(f"{source}:{line}: not UTF-8 text (byte {data[err.start]:#04x})",
                                hint="save the file as UTF-8") from None
    entry = zoo.find(source)
    if entry is None:
        from difflib import get_close_matches

        close = get_close_matches(source, list(zoo.entries()), n=3)
        hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else \
            "give a path to a .spec file, or a zoo name (see `cnncost zoo`)"
        raise SpecFileError(f"no spec file or zoo model named '{source}'", hint=hint)
    return zoo.spec_text(entry.spec), f"{entry.spec}.spec", entry


def parse_resolution(value) -> Any:
    """--resolution: a whole number sets the input size; a decimal (0.5, 1.25) scales it."""
    if value is None:
        return None
    if isinstance(value, (int, Fraction)):
        return value
    text = str(value).strip()
    try:
        if text.isdigit():
            return int(text)
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecFileError(f"--resolution {text}: not a number",
                            hint="160 sets a 160x160 input; 0.5 halves the spec's size") from None


def load(source: str, params: Mapping[str, Any] | None = None, *, width=None, depth=None,
         resolution=None, max_nodes: int | None = None, text: str | None = None,
         symbolic: tuple[str, ...] = ()) -> Graph:
    """Parse and build a spec given by path, zoo name, or `text`.

    `params` override `param` lines (values are numbers or expression text); `symbolic`
    names symbols for the input's height and width (one name: a square input)."""
    entry = None
    if text is None:
        text, display, entry = read_spec(source)
    else:
        display = source
    overrides = {k: str(v) for k, v in (entry.params if entry else {}).items()}
    overrides.update({k: str(v) for k, v in (params or {}).items()})
    if resolution is None and entry is not None:
        resolution = entry.resolution
    options = BuildOptions(overrides, _number(width), _number(depth), parse_resolution(resolution),
                           max_nodes or BuildOptions.max_nodes, tuple(symbolic))
    module: ast.Module = parse(text, display)
    graph = build(module, options)
    if entry is not None and entry.name != entry.spec:
        from dataclasses import replace

        graph = replace(graph, name=entry.name)
    return graph


def _number(value):
    if value is None or isinstance(value, (int, Fraction)):
        return value
    return Fraction(str(value))
