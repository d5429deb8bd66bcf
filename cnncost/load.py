"""From a file path or zoo name to a Graph: read, parse, build."""
from __future__ import annotations

import functools
import os
import re
from fractions import Fraction
from typing import Any, Mapping

from . import zoo
from .dsl import ast
from .dsl.cache import parse
from .build import BuildOptions, Graph, Override, build
from .dsl.limits import MAX_SPEC_CHARS
from .errors import CnnCostError, Span, SpecFileError
from .values import NumberError, read_number
MODEL_EXTENSIONS = (".onnx", ".keras", ".json")  # read by cnncost.interop into spec text


def read_spec(source: str, size=None) -> tuple[str, str, zoo.ZooEntry | None]:
    """(text, display name, zoo entry) for a path or a zoo name. `size`: the input's height
    and width for a model file that leaves them open (--resolution R)."""
    if os.path.isdir(source):
        raise SpecFileError(f"{source} is a directory, not a spec file",
                            hint="give a .spec file or a zoo name (see `cnncost zoo`)")
    if os.path.exists(source):
        if not os.path.isfile(source):  # a FIFO or a device would block or never end
            raise SpecFileError(f"{source} is not a regular file",
                                hint="give a .spec file or a zoo name (see `cnncost zoo`)")
        if os.path.splitext(source)[1].lower() in MODEL_EXTENSIONS:
            from .interop.import_file import model_spec

            return model_spec(source, size=size), source, None
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


# Bounds of the scalings: far beyond any network, small enough that counts stay quick.
MAX_MULTIPLIER = 100  # --width and --depth-mult
MAX_RESOLUTION = 100_000  # --resolution as a size in pixels
MAX_SCALE = 100  # --resolution as a factor of the spec's size


def parse_resolution(value) -> Any:
    """--resolution: a whole number sets the input size; a decimal (0.5, 1.25) scales it."""
    if value is None:
        return None
    hint = "160 sets a 160x160 input; 0.5 halves the spec's size"
    text = value if isinstance(value, (int, Fraction)) else str(value).strip()
    is_size = isinstance(text, int) or (isinstance(text, str) and text.isascii() and text.isdigit())
    try:
        number = read_number(text, whole=is_size, low=None)
    except NumberError as err:
        raise SpecFileError(f"--resolution {text}: {err}", hint=hint) from None
    if number <= 0:
        raise SpecFileError(f"--resolution {text}: must be above 0", hint=hint)
    if number > (MAX_RESOLUTION if is_size else MAX_SCALE):
        raise SpecFileError(f"--resolution {text}: must be at most " +
                            (f"{MAX_RESOLUTION:,} pixels" if is_size else f"{MAX_SCALE} times the spec's size"),
                            hint=hint)
    return number


def load(source: str, params: Mapping[str, Any] | None = None, *, width=None, depth=None,
         resolution=None, max_nodes: int | None = None, text: str | None = None,
         symbolic: tuple[str, ...] = (), channels_first: bool = False) -> Graph:
    """Parse and build a spec given by path, zoo name, or `text`.

    `params` override `param` lines (values are numbers or expression text); `symbolic`
    names symbols for the input's height and width (one name: a square input);
    `channels_first` reads the spec's `input` as C x H x W (PyTorch's order)."""
    max_nodes = _check_arguments(source, params, text, symbolic, max_nodes)
    source = os.fspath(source)
    entry = None
    if text is None:
        size = parse_resolution(resolution) if os.path.splitext(source)[1].lower() in MODEL_EXTENSIONS else None
        text, display, entry = read_spec(source, size if isinstance(size, int) else None)
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
                           max_nodes or BuildOptions.max_nodes, tuple(symbolic), bool(channels_first))
    if entry is None and len(text) <= MAX_SPEC_CHARS:  # a larger text: the parser's size error
        _count_statements(text, display, options.max_nodes)
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
# Top-level lines that are not statements of their own: a def (runs when called), the
# rest of an if, and a residual's shortcut (run as part of the residual).
_CONTINUES = re.compile(r"(def|else|elif|shortcut)\b")


def _count_statements(text: str, display: str, limit: int) -> None:
    """Refuse, before parsing, a spec whose top-level lines alone run more statements than
    the limit: every line at column 0 outside parentheses (a def's body is indented, and
    runs only when called) is a statement that runs at least once."""
    from .errors import LimitError, Span

    count = depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if depth <= 0 and code[:1] not in ("", " ", "\t") and not _CONTINUES.match(code):
            count += 1
            if count > limit:
                raise LimitError(f"the spec runs more than {limit:,} statements (its top-level "
                                 "lines alone)", Span(display, number, 1, max(1, len(line)), line),
                                 "--max-nodes raises the limit")
        depth = max(0, depth + code.count("(") - code.count(")"))


def _check_arguments(source, params, text, symbolic, max_nodes) -> int | None:
    """load()'s arguments checked as the CLI checks its options, with cnncost's errors and
    the CLI's messages (a wrong type is a TypeError from Python, never an AttributeError
    from deep inside). Returns max_nodes checked."""
    import re

    from .errors import CnnCostError

    if not isinstance(source, (str, os.PathLike)):
        raise SpecFileError(f"load() takes a path or a zoo name, got {type(source).__name__} {source!r}"[:200],
                            hint="e.g. cnncost.load('resnet50') or cnncost.load('net.spec')")
    if text is not None and not isinstance(text, str):
        raise SpecFileError(f"text= takes the spec as a str, got {type(text).__name__}",
                            hint="read the file first, or give its path instead")
    if params is not None and (not hasattr(params, "items")
                               or not all(isinstance(k, str) for k in params)):
        raise CnnCostError("params= takes a mapping of parameter names to values, e.g. {'alpha': 0.5}")
    if isinstance(symbolic, str) or not all(isinstance(n, str) for n in symbolic):
        raise CnnCostError(f"symbolic= takes a tuple of names, e.g. ('H', 'W'), got {symbolic!r}"[:200])
    for name in symbolic:
        if len(name) > 64:
            raise CnnCostError(f"--symbolic: '{name[:20]}...' is {len(name):,} characters long: "
                               "symbol names have at most 64")
        if not name.isidentifier() or re.fullmatch(r"[A-Za-z]\d+", name):
            raise CnnCostError(f"--symbolic: '{name}' is not a symbol name (letters, digits and _, "
                               "not a flag like s2)")
    if max_nodes is None:
        return None
    try:
        return read_number(max_nodes, low=1, high=10**8, low_open=False, whole=True)
    except NumberError as err:
        raise CnnCostError(f"--max-nodes {max_nodes!r}: {err}",
                           hint="max_nodes=None means the default") from None


@functools.lru_cache(maxsize=64)
def _parse_zoo(stem: str) -> ast.Module:
    """A zoo spec parsed once per process (the AST is immutable): the variants share it."""
    return parse(zoo.spec_text(stem), f"{stem}.spec")


def _multiplier(option: str, value):
    """--width or --depth-mult as an exact positive number ("0.75" is 3/4)."""
    if value is None:
        return None
    text = value if isinstance(value, (int, Fraction)) else str(value).strip()
    hint = f"give a positive multiplier, e.g. {option} 0.75"
    try:
        number = read_number(text, low=None)
    except NumberError as err:
        raise SpecFileError(f"{option} {text}: {err}", hint=hint) from None
    if number <= 0:
        raise SpecFileError(f"{option} {text}: a multiplier must be above 0", hint=hint)
    if number > MAX_MULTIPLIER:
        raise SpecFileError(f"{option} {text}: a multiplier must be at most {MAX_MULTIPLIER}", hint=hint)
    return number
