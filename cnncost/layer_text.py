"""LAYER text from the command line made into graphs: the front of `cnncost layer "conv 3x3
5" --in 6x6x3 --vs "sepconv 3x3 5"` (report/layer.py then counts each alternative).

A LAYER is spec-language text: one layer line, or several separated by `;`
(`conv 1x1 16; conv 5x5 32 same`), where a line's leading `>` marks are its indentation
(`concat:; >branch:; >>conv 1x1 64`), or lines of text with their own indentation (from
standard input). It is run as a small spec made in memory:

    symbol n            <- one line per name used but not defined
    input (n, n, 3)     <- --in
    conv 3x3 5          <- the LAYER's lines

and errors point into the LAYER or SHAPE string as the user typed it (`<layer>:1:9`).
With `generalize`, the numbers of a numeric comparison are also replaced by the course's
symbols (n for the input size, nc its channels, f the kernel, nc2 ... the output
channels) to show the ratio in the lecture's form: 1/nc2 + 1/f**2 = 1/5 + 1/9.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from . import symbolic
from .dsl import ast
from .dsl.parser import parse
from .errors import CnnCostError, Span, SpecNameError, SpecSyntaxError
from .build import FLAG_RE, Graph
from .layers import REGISTRY, lookup
from .layers.base import RAW_NAME_OPTIONS
from .load import load
from .report.layer import LayerComparison, Ratio, alternative, compare_graphs, ratios

INPUT, LAYER, VS = "<input>", "<layer>", "<vs>"


def compare_layers(a: str, shape: str, b: str | None = None,
                   generalize: bool = False, channels_first: bool = False) -> LayerComparison:
    """Layer(s) `a` (and alternative `b`) on an input of `shape` (`28x28x1`, `(n, n, nc)`;
    `3x224x224` with `channels_first`)."""
    graph_a, graph_b = _load_pair(a, shape, b, channels_first)
    comparison = compare_graphs(graph_a, a, graph_b, b)
    if generalize and not graph_a.symbols and not (graph_b is not None and graph_b.symbols):
        comparison = _generalized(comparison, a, shape, b)
    return comparison


# --------------------------------------------------------------------------- the spec in memory
class _Source(NamedTuple):
    """Where a line of the spec in memory came from: the string as typed and the column
    of that string where the line's first character sits (0-based; negative for the
    `input ` the line starts with)."""

    origin: str
    text: str
    offset: int


INDENT = ">"  # `concat:; >branch:; >>conv 1x1 64`: each leading > is one level of a block


def _pieces(text: str, origin: str) -> list[tuple[str, _Source]]:
    """The lines of a LAYER string: split at `;` and newlines, each leading `>` one level
    of indentation (4 spaces) so blocks fit on one line; lines from several lines of text
    (standard input) keep their own indentation too."""
    out, start = [], 0
    for i, ch in enumerate(text + ";"):
        if ch in ";\n":
            chunk = text[start:i]
            stripped = chunk.strip()
            if stripped:
                own = chunk[:len(chunk) - len(chunk.lstrip())] if "\n" in text else ""
                depth = len(stripped) - len(stripped.lstrip(INDENT + " \t")) if stripped[0] == INDENT else 0
                markers = stripped[:depth]
                body = stripped[depth:]
                indent = own.replace("\t", "    ") + "    " * markers.count(INDENT)
                first = start + len(chunk) - len(chunk.lstrip()) + depth  # the body's column in the text
                out.append((indent + body, _Source(origin, text, first - len(indent))))
            start = i + 1
    if not out:
        raise SpecSyntaxError("no layer given", Span(origin, 1, 1, max(1, len(text)), text),
                              'write a layer line, e.g. "conv 3x3 64 same"')
    return out


def _lines(shape: str, layer: str, origin: str) -> list[tuple[str, _Source]]:
    if "\n" in shape.strip():
        raise SpecSyntaxError("the input shape is one line", Span(INPUT, 1, 1, 1, shape),
                              "write e.g. 28x28x1 or (n, n, nc)")
    lead = len(shape) - len(shape.lstrip())
    first = (f"input {shape.strip()}", _Source(INPUT, shape, lead - len("input ")))
    try:  # alone first, so that an unclosed bracket is blamed on the shape
        parse(first[0] + "\n", INPUT)
    except CnnCostError as err:
        raise _located(err, [first[1]]) from None
    return [first, *_pieces(layer, origin)]


def _located(err: CnnCostError, sources: list[_Source]) -> CnnCostError:
    """The error with its place moved from the spec in memory to the string as typed."""
    span = err.span
    if span is not None and 0 < span.line <= len(sources):
        src = sources[span.line - 1]
        col = max(1, span.col + src.offset)
        width = max(1, min(span.width, len(src.text) - col + 1))
        err.span = Span(src.origin, 1, col, width, src.text)
    return err


def _parse_names(lines: list[tuple[str, _Source]], display: str) -> dict[str, _Source]:
    """The names the lines use but do not define (they become symbols), each with the
    place of its first use (as a _Source whose offset points at the name)."""
    text = "".join(line + "\n" for line, _ in lines)
    try:
        module = parse(text, display)
    except CnnCostError as err:
        raise _located(err, [src for _, src in lines]) from None
    out = {}
    for name, pos in undefined_names(module).items():
        src = lines[pos.line - 1][1]
        if FLAG_RE.match(name):
            raise _located(SpecNameError(
                f"'{name}' has the form of a flag and cannot name a symbol",
                Span(display, pos.line, pos.col, pos.width),
                "flags like s2, p1, d2, g32, m2 are reserved; choose another name, e.g. "
                f"{name[0]}_{name[1:]}"), [s for _, s in lines])
        out[name] = _Source(src.origin, src.text, src.offset + pos.col - 1 - len("symbol "))
    return out


def undefined_names(module: ast.Module) -> dict[str, ast.Pos]:
    """Identifiers of the spec that are values (not a layer's words, flags, post-ops or
    names of options) and that no `let`, `param`, `symbol` or `def` defines, each with
    the place of its first use."""
    used: dict[str, ast.Pos] = {}
    defined: set[str] = set()
    skip: set[int] = set()  # ids of Name records that are words of a layer line
    for node in ast.walk(module.body):
        if isinstance(node, (ast.LetStmt, ast.ParamStmt, ast.DefStmt)):
            defined.add(node.name)
        elif isinstance(node, ast.SymbolStmt):
            defined.update(node.names)
        elif isinstance(node, ast.RepeatStmt) and node.var:
            defined.add(node.var)
        elif isinstance(node, ast.DefParam):
            defined.add(node.name)
        elif isinstance(node, ast.LayerStmt):
            layer = lookup(node.kind)
            for arg in node.args:
                if isinstance(arg, ast.PosArg) and isinstance(arg.value, ast.Name):
                    word = arg.value.id
                    if (layer is not None and word in layer.words) or FLAG_RE.match(word) \
                            or lookup(word) is not None:
                        skip.add(id(arg.value))
                elif isinstance(arg, ast.KwArg) and isinstance(arg.value, ast.Name) and \
                        (arg.key == "from" or arg.key in RAW_NAME_OPTIONS):
                    skip.add(id(arg.value))
        elif isinstance(node, ast.Name) and id(node) not in skip:
            used.setdefault(node.id, node.pos)
    return {name: pos for name, pos in used.items() if name not in defined}


def load_layer(layer: str, shape: str) -> Graph:
    """The graph of LAYER on an input of SHAPE (values mode), errors placed in the strings
    as typed."""
    return _load_pair(layer, shape, None)[0]


def _load_pair(a: str, shape: str, b: str | None, channels_first: bool = False) -> tuple[Graph, Graph | None]:
    lines_a = _lines(shape, a, LAYER)
    lines_b = _lines(shape, b, VS) if b is not None else None
    names = _parse_names(lines_a, LAYER)
    if lines_b is not None:
        names = {**_parse_names(lines_b, VS), **names}
    graph_a = _load(lines_a, names, LAYER, channels_first)
    graph_b = _load(lines_b, names, VS, channels_first) if lines_b is not None else None
    return graph_a, graph_b


def _load(lines, names: dict[str, _Source], display: str, channels_first: bool = False) -> Graph:
    """Build the spec in memory: a `symbol` line per name first (its errors point at
    where the name is used), then the input and the layers."""
    everything = [(f"symbol {name}", src) for name, src in sorted(names.items())] + lines
    text = "".join(line + "\n" for line, _ in everything)
    try:
        return load(display, text=text, channels_first=channels_first)
    except CnnCostError as err:
        raise _located(err, [src for _, src in everything]) from None


# --------------------------------------------------------------------------- in symbols
def _generalized(comparison: LayerComparison, a: str, shape: str, b: str | None) -> LayerComparison:
    """The same comparison with the numbers replaced by symbols, for the lecture's form."""
    namer = _Namer(set(_parse_names(_lines(shape, a, LAYER), LAYER))
                   | (set(_parse_names(_lines(shape, b, VS), VS)) if b is not None else set()))
    try:
        general_shape = namer.shape(shape)
        general_a = namer.layer(a)
        general_b = namer.layer(b) if b is not None else None
        if not namer.values:
            return comparison
        graph_a, graph_b = _load_pair(general_a, general_shape, general_b)
    except CnnCostError as err:
        return replace(comparison, note=f"no symbolic form: {err.message}")
    sym_a = alternative(graph_a, general_a)
    sym_b = alternative(graph_b, general_b) if graph_b is not None else None
    values = dict(namer.values)
    general_ratios = []
    for r, g in zip(comparison.ratios, ratios(sym_a, sym_b)):
        if g.value is None or r.value is None:
            general_ratios.append(r)
            continue
        terms = symbolic.substituted_terms(g.value, values) if symbolic.is_symbolic(g.value) else ""
        general_ratios.append(Ratio(r.quantity, r.value, g.value, terms))
    general = {"params": sym_a.params, "macs": sym_a.macs}
    return replace(comparison,
                   a=replace(comparison.a, general=general),
                   b=replace(comparison.b, general={"params": sym_b.params, "macs": sym_b.macs})
                   if sym_b is not None else None,
                   ratios=tuple(general_ratios), symbols=values, general_input=graph_a.input.shape)


class _Namer:
    """Names for the numbers of a layer comparison, by role and value, in the course's
    notation: n (input height = width; nh, nw otherwise), nc (input channels), f, f2, ...
    (kernel sizes other than 1), nc2, nc3, ... (output channels and units)."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.values: dict[str, Any] = {}  # name -> number
        self.by_role: dict[tuple[str, Any], str] = {}

    def name(self, role: str, value, stem: str, first: str) -> str:
        """The name for this role and value: `first`, then stem2, stem3, ... (nc2, nc3),
        or f_2, f_3 where f2 would read as a flag."""
        key = (role, value)
        if key not in self.by_role:
            candidates = [first] + [f"{stem}{i}" if not FLAG_RE.match(f"{stem}{i}") else f"{stem}_{i}"
                                    for i in range(2, 100)]
            name = next(c for c in candidates if c not in self.taken and c not in self.values)
            self.by_role[key] = name
            self.values[name] = value
        return self.by_role[key]

    def shape(self, text: str) -> str:
        module = parse(f"input {text.strip()}\n", INPUT)
        value = module.body[0].shape
        if isinstance(value, ast.Dims) and len(value.values) == 3:
            items = [str(v) for v in value.values]
            numbers = list(value.values)
        elif isinstance(value, ast.Tuple) and len(value.items) == 3:
            source = f"input {text.strip()}"
            items = [source[i.pos.col - 1:i.pos.col - 1 + i.pos.width] for i in value.items]
            numbers = [i.value if isinstance(i, ast.Number) and type(i.value) is int else None
                       for i in value.items]
        elif isinstance(value, ast.Number) and type(value.value) is int:  # a vector
            return self.name("channels_in", value.value, "nc", "nc")
        else:
            return text
        h, w, c = numbers
        if h is not None and w is not None:
            if h == w:
                items[0] = items[1] = self.name("size", h, "n", "n")
            else:
                items[0], items[1] = self.name("size", h, "nh", "nh"), self.name("size", w, "nw", "nw")
        else:
            items[:2] = [self.name("size", v, "n", "n") if v is not None else s
                         for v, s in zip((h, w), items[:2])]
        if c is not None:
            items[2] = self.name("channels_in", c, "nc", "nc")
        return f"({', '.join(items)})"

    def layer(self, text: str) -> str:
        lines = []
        for piece, _src in _pieces(text, LAYER):
            lines.append(self._line(piece))
        return "; ".join(lines)

    def _line(self, line: str) -> str:
        module = parse(line + "\n", LAYER)
        st = module.body[0] if module.body else None
        if not isinstance(st, ast.LayerStmt) or lookup(st.kind) is None:
            return line
        layer = REGISTRY[lookup(st.kind).name]
        slots = [s for s in layer.positional if s != "refs"]
        edits = []  # (start, end, replacement)
        slot = 0
        for arg in st.args:
            if not isinstance(arg, ast.PosArg):
                continue
            value = arg.value
            if isinstance(value, ast.Name):
                if value.id in layer.words or FLAG_RE.match(value.id):
                    continue
                if lookup(value.id) is not None:
                    break  # a post-op: what follows is its own
            if slot >= len(slots):
                break
            role = slots[slot]
            slot += 1
            start, end = value.pos.col - 1, value.pos.col - 1 + value.pos.width
            if role == "kernel" and isinstance(value, (ast.Dims, ast.Number)):
                sizes = value.values if isinstance(value, ast.Dims) else (value.value, value.value)
                names = [str(k) if k == 1 else self.name("kernel", k, "f", "f") for k in sizes]
                edits.append((start, end, f"({', '.join(names)})"))
            elif role in ("channels", "units") and isinstance(value, ast.Number) \
                    and type(value.value) is int:
                edits.append((start, end, self.name("channels", value.value, "nc", "nc2")))
        for start, end, replacement in reversed(edits):
            line = line[:start] + replacement + line[end:]
        return line
