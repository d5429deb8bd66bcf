"""From a file path or zoo name to a Graph: read, parse, build."""
from __future__ import annotations

import functools
import os
from fractions import Fraction
from typing import Any, Mapping

from . import zoo
from .dsl import ast
from .dsl.cache import parse
from .build import BuildOptions, Graph, Override, build
from .dsl.limits import MAX_SPEC_CHARS
from .errors import CnnCostError, Span, SpecFileError


def read_spec(source: str) -> tuple[str, str, zoo.ZooEntry | None]:
    """(text, display name, zoo entry) for a path or a zoo name."""
    if os.path.isdir(source):
        raise SpecFileError(f"{source} is a directory, not a spec file",
                            hint="give a .spec file or a zoo name (see `cnncost zoo`)")
    if os.path.exists(source):
        if not os.path.isfile(source):  # a FIFO or a device would block or never end
            raise SpecFileError(f"{source} is not a regular file",
                                hint="give a .spec file or a zoo name (see `cnncost zoo`)")
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_SPEC_CHARS + 1)
        except OSError as err:
            raise SpecFileError(f"cannot read {source}: {err.strerror}",
                                hint="check the file's permissions") from None
        if len(data) > MAX_SPEC_CHARS:
            raise SpecFileError(f"{source} is larger than {MAX_SPEC_CHARS // 1024 // 1024} MiB",
                                hint="a spec describes a network in a few hundred lines")
        if b"\0" in data:
            raise SpecFileError(f"{source} is a binary file, not a spec", hint="spec files are text")
        try:
            return data.decode("utf-8"), source, None
        except UnicodeDecodeError as err:
            raise _not_utf8(source, data, err) from None
    entry = zoo.find(source)
    if entry is None:
        from difflib import get_close_matches

        close = get_close_matches(source, list(zoo.entries()), n=3)
        hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else \
            "give a path to a .spec file, or a zoo name (see `cnncost zoo`)"
        raise SpecFileError(f"no spec file or zoo model named '{source}'", hint=hint)
    return zoo.spec_text(entry.spec), f"{entry.spec}.spec", entry


def _not_utf8(source: str, data: bytes, err: UnicodeDecodeError) -> SpecFileError:
    """The place of the first byte that is not UTF-8, with its line shown."""
    start = data.rfind(b"\n", 0, err.start) + 1
    line = data[:err.start].count(b"\n") + 1
    end = data.find(b"\n", err.start)
    prefix = data[start:err.start].decode("utf-8", "replace")
    text = data[start:end if end >= 0 else len(data)].decode("utf-8", "replace")
    return SpecFileError(f"not UTF-8 text (byte {data[err.start]:#04x})",
                         Span(source, line, len(prefix) + 1, 1, text),
                         "save the file as UTF-8 (most editors offer it under 'Save as')")


def parse_resolution(value) -> Any:
    """--resolution: a whole number sets the input size; a decimal (0.5, 1.25) scales it."""
    if value is None:
        return None
    if isinstance(value, (int, Fraction)):
        return value
    text = str(value).strip()
    hint = "160 sets a 160x160 input; 0.5 halves the spec's size"
    try:
        number = int(text) if text.isdigit() else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecFileError(f"--resolution {text}: not a number", hint=hint) from None
    if number <= 0:
        raise SpecFileError(f"--resolution {text}: must be above 0", hint=hint)
    return number


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
    # A variant's settings are defaults: --width, --depth-mult and --resolution override them.
    given = {"width": width, "depth": depth}
    settings = {k: v for k, v in (entry.params if entry else {}).items() if given.get(k) is None}
    settings.update(params or {})
    overrides = {k: parse_override(k, v) for k, v in settings.items()}
    if resolution is None and entry is not None:
        resolution = entry.resolution
    options = BuildOptions(overrides, _multiplier("--width", width), _multiplier("--depth-mult", depth),
                           parse_resolution(resolution),
                           max_nodes or BuildOptions.max_nodes, tuple(symbolic))
    module: ast.Module = _parse_zoo(entry.spec) if entry is not None else parse(text, display)
    graph = build(module, options)
    if entry is not None and entry.name != entry.spec:
        from dataclasses import replace

        graph = replace(graph, name=entry.name)
    return graph


def parse_override(name: str, value) -> Override:
    """`-p name=value`: the value's text parsed as one expression (so 0.75 is exactly 3/4,
    and `2 * c` may use the spec's names). Text that is not one expression keeps expr None:
    the builder refuses it at the param's line, or refuses the name if no param has it."""
    text = str(value)
    try:
        body = parse(f"let value = {text}\n", f"-p {name}").body
    except CnnCostError:
        return Override(text, None)
    if len(body) != 1 or not isinstance(body[0], ast.LetStmt):
        return Override(text, None)
    return Override(text, body[0].value)


@functools.lru_cache(maxsize=64)
def _parse_zoo(stem: str) -> ast.Module:
    """A zoo spec parsed once per process (the AST is immutable): the variants share it."""
    return parse(zoo.spec_text(stem), f"{stem}.spec")


def _multiplier(option: str, value):
    """--width or --depth-mult as an exact positive number ("0.75" is 3/4)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        number = value if isinstance(value, (int, Fraction)) else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecFileError(f"{option} {text}: not a number",
                            hint=f"give a positive multiplier, e.g. {option} 0.75") from None
    if number <= 0:
        raise SpecFileError(f"{option} {text}: a multiplier must be above 0",
                            hint=f"give a positive multiplier, e.g. {option} 0.75")
    return number
