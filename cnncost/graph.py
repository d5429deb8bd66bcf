"""AST -> an immutable graph of layer nodes.

Everything the language can say is expanded here: `def` calls, `repeat`, `if`, params
and their overrides, `default` lines, post-ops, residual / merge blocks and composite
layers (sepconv, se). Each node keeps its source line and a hierarchical name
(`stage2.1.conv2`, like torchvision's module names). Output shapes are inferred as the
nodes are made, because a line may ask for `in.c`, the channels it receives.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from . import dims
from .dsl import ast
from .errors import (CnnCostError, LimitError, ShapeError, Span, SpecNameError, SpecSyntaxError,
                     SpecValueError)
from .expr import MAX_MAGNITUDE_BITS, Block, Env, Evaluator, to_int
from .layers.base import MAX_WHOLE, whole
from .layers import FLAGS, REGISTRY, lookup, user_kinds
from .layers.base import OPTION_TYPES, RAW_NAME_OPTIONS

DEFAULT_MAX_NODES = 100_000  # 100x the largest zoo network; reached in seconds (10**6: a minute)
MAX_CALL_DEPTH = 64
FLAG_RE = re.compile(r"^([A-Za-z])(\d+)$")
EXCLUSIVE = {"pad": "padding", "padding": "pad"}  # `same` undoes p1, and p1 undoes `same`
QUANTITIES = ("shape", "params", "buffers", "macs", "flops", "activations", "rf", "training_memory")
MERGE_BLOCKS = ("concat", "add", "mul")
BLOCK_KINDS = ("residual", "shortcut", "branch", "freeze", *MERGE_BLOCKS)


class Node(NamedTuple):
    id: int
    kind: str
    name: str
    attrs: Mapping[str, Any]
    inputs: tuple[int, ...]
    shape: tuple
    line: int
    scope: tuple[str, ...] = ()  # enclosing blocks, outermost first
    frozen: bool = False


class Expectation(NamedTuple):
    """An `expect` line: what it claims about the statement before it (or the total)."""

    line: int
    quantity: str
    total: bool
    approx: bool
    expected: Any  # int, Fraction, tuple (shape) or sympy expression
    suffix: str | None
    source: str  # the expected value as written
    nodes: tuple[int, ...]  # the nodes the statement before it made
    output: int  # that statement's output node


@dataclass(frozen=True)
class Graph:
    name: str
    file: str
    nodes: tuple[Node, ...]
    output: int
    expectations: tuple[Expectation, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    symbols: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def input(self) -> Node:
        return self.nodes[0]


@dataclass(frozen=True)
class BuildOptions:
    """What the command line may change: parameter overrides and scaling."""

    overrides: Mapping[str, str] = field(default_factory=dict)  # -p name=value (expression text)
    width: Any = None  # --width A
    depth: Any = None  # --depth D
    resolution: Any = None  # --resolution R: a Fraction multiplies, an int sets
    max_nodes: int = DEFAULT_MAX_NODES  # also the limit on statements run (loops and calls)
    symbolic: tuple[str, ...] = ()  # --symbolic H,W: the input's height and width as symbols


class Definition(Block):
    """A `def`: its statement and the frame it was defined in (lexical scope)."""

    __slots__ = ("stmt", "closure")

    def __init__(self, stmt: ast.DefStmt, closure: "Frame"):
        self.stmt, self.closure = stmt, closure


class _Scope:
    """Names in one naming scope: `conv1`, `conv2`, `stage1`, repeat indices."""

    def __init__(self, path: tuple[str, ...]):
        self.path = path
        self.counts: Counter = Counter()
        self.used: set[str] = set()

    def child(self, name: str) -> "_Scope":
        return _Scope(self.path + (name,))

    def auto(self, stem: str) -> str:
        self.counts[stem] += 1
        sep = "_" if stem[-1].isdigit() else ""  # relu6_1, not relu61
        return f"{stem}{sep}{self.counts[stem]}"

    def next_index(self) -> str:
        self.counts["#index"] += 1
        return str(self.counts["#index"] - 1)

    def full(self, name: str) -> str:
        return ".".join(self.path + (name,))


@dataclass
class Frame:
    """One block being run: its variables, named outputs, defaults and naming scope."""

    env: Env
    scope: _Scope
    parent: "Frame | None" = None
    outputs: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)
    frozen: bool = False
    merge: "list | None" = None  # branch outputs being collected by concat:/add:/mul:
    merge_input: int | None = None
    depth: int = 0

    def child(self, scope: _Scope | None = None, **changes) -> "Frame":
        frame = Frame(self.env.child(), scope or self.scope, self, {}, dict(self.defaults),
                      self.frozen, self.merge, self.merge_input, self.depth)
        for key, value in changes.items():
            setattr(frame, key, value)
        return frame

    def find_output(self, name: str):
        frame = self
        while frame is not None:
            if name in frame.outputs:
                return frame.outputs[name]
            frame = frame.parent
        return None

    def output_names(self) -> set[str]:
        names, frame = set(), self
        while frame is not None:
            names |= set(frame.outputs)
            frame = frame.parent
        return names


@dataclass
class _Bound:
    """A layer line's arguments after binding to its layer kind."""

    kind: str
    attrs: dict
    refs: list = field(default_factory=list)
    source: tuple | None = None  # from=NAME: (name, position)
    postops: list = field(default_factory=list)  # [_Bound]
    slot: int = 0


class Builder:
    """Runs a spec's statements and records the nodes they make."""

    def __init__(self, module: ast.Module, options: BuildOptions | None = None):
        self.module = module
        self.options = options or BuildOptions()
        self.nodes: list[Node] = []
        self.expectations: list[Expectation] = []
        self.notes: list[str] = []
        self.params: dict[str, Any] = {}
        self.symbols: dict[str, Any] = {}
        self.network = None
        self.output = None
        self.line = 0
        self.pos: ast.Pos | None = None  # the statement being run, for error places
        self._line_input: int | None = None
        self._used_overrides: set[str] = set()
        self.declared_width = any(isinstance(s, ast.ParamStmt) and s.name == "width"
                                  for s in _walk(module.body))
        self.evaluate = Evaluator(self.span, self._input_shape)
        self._scope_stack: list[tuple[_Scope, bool]] = []
        self.steps = 0  # statements run, limited like nodes: endless loops and calls end in seconds
        self._real_names: frozenset[str] | None = None  # symbols that are reals, not sizes

    # ------------------------------------------------------------------ places
    def _at(self, pos: ast.Pos):
        self.line, self.pos = pos.line, pos

    def span(self, pos: ast.Pos | None) -> Span:
        if pos is None and self.pos is not None:
            pos = self.pos
        if pos is None:
            return Span(self.module.file, self.line or 1, 1, 1, self._text(self.line or 1))
        return Span(self.module.file, pos.line, pos.col, pos.width, self._text(pos.line))

    def _text(self, line: int) -> str:
        lines = self.module.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def _input_shape(self):
        return self.nodes[self._line_input].shape if self._line_input is not None else None

    # ------------------------------------------------------------------ nodes
    def shape_of(self, node_id: int) -> tuple:
        return self.nodes[node_id].shape

    def defaults_of(self, kind: str) -> dict:
        return dict(REGISTRY[kind].defaults)

    def add_node(self, kind: str, attrs: Mapping, inputs: tuple[int, ...], name: str | None = None) -> int:
        """Make one node of a registered kind; used by statements and by composites."""
        if len(self.nodes) >= self.options.max_nodes:
            raise LimitError(f"the network has more than {self.options.max_nodes:,} nodes",
                             self.span(None), "check repeat counts; --max-nodes raises the limit")
        layer = REGISTRY[kind]
        scope, frozen = self._scope_stack[-1]
        name = scope.full(name or scope.auto(kind))
        full_attrs = {**layer.defaults, **attrs}
        ins = [self.nodes[i].shape for i in inputs]
        try:
            shape = tuple(dims.exact(d) for d in layer.shape(full_attrs, ins))
            if all(dims.is_number(d) for d in shape):
                if dims.product(shape) > MAX_WHOLE:  # int64
                    raise LimitError(f"the output {_show_shape(shape)} has more than 2**63 elements",
                                     hint="no framework can hold such a tensor; check the sizes")
            elif any(_too_large_formula(d) for d in shape):
                raise LimitError(f"its output size holds a number beyond 2**{MAX_MAGNITUDE_BITS}",
                                 hint="strides multiply along the network; check for absurdly large ones")
        except CnnCostError as err:
            where = " and ".join(_show_shape(s) for s in ins) if ins else "nothing"
            err.message = f"{name} ({kind}) on input {where}: {err.message}"
            if err.hint is None:
                err.hint = f"`cnncost layers {kind}` shows how {kind} computes its output"
            raise err.located(self.span(None)) from None
        node = Node(len(self.nodes), kind, name, MappingProxyType(full_attrs), tuple(inputs),
                    shape, self.line, scope.path, frozen)
        self.nodes.append(node)
        return node.id

    def _push(self, scope: _Scope, frozen: bool):
        self._scope_stack.append((scope, frozen))

    def _pop(self):
        self._scope_stack.pop()

    # ------------------------------------------------------------------ running blocks
    def build(self) -> Graph:
        root = Frame(Env(), _Scope(()))
        self._push(root.scope, False)
        try:
            cursor = self.run(self.module.body, root, None, top=True)
        except RecursionError:  # blocks and calls nested within the limits, but too deep together
            raise LimitError("blocks and def calls nested too deeply", self.span(None),
                             "flatten the nesting: fewer blocks inside blocks or calls inside calls") from None
        unused = set(self.options.overrides) - self._used_overrides
        if unused:
            declared = sorted(self.params) or ["none"]
            raise SpecNameError(f"unknown parameter '{sorted(unused)[0]}' for -p",
                                Span(self.module.file, 1, 1, 1, self._text(1)),
                                "this spec declares: " + ", ".join(declared))
        if not self.nodes:
            raise SpecSyntaxError("the spec has no `input` statement",
                                  Span(self.module.file, 1, 1, 1, self._text(1)),
                                  "start the network with e.g. `input 224x224x3`")
        output = self.output if self.output is not None else cursor
        name = self.network or _stem(self.module.file)
        return Graph(name, self.module.file, tuple(self.nodes), output, tuple(self.expectations),
                     MappingProxyType(dict(self.params)), tuple(self.symbols), tuple(self.notes),
                     self.module.lines)

    def run(self, stmts, frame: Frame, cursor, top=False):
        """Run a block's statements from `cursor` (the block input); return its output."""
        last = None  # (first node, output) of the statement before, for `expect`
        i = 0
        while i < len(stmts):
            st = stmts[i]
            self._at(st.pos)
            self._step()
            self._line_input = cursor  # `in.h/w/c`: the previous statement's output
            start = len(self.nodes)
            made = True
            if isinstance(st, ast.LayerStmt):
                cursor = self.layer_stmt(st, frame, cursor)
            elif isinstance(st, ast.BlockStmt):
                follower = stmts[i + 1] if i + 1 < len(stmts) else None
                cursor, skip = self.block_stmt(st, frame, cursor, follower)
                i += skip
            elif isinstance(st, ast.RepeatStmt):
                cursor = self.repeat_stmt(st, frame, cursor)
            elif isinstance(st, ast.IfStmt):
                cursor = self.if_stmt(st, frame, cursor)
            elif isinstance(st, ast.ExpectStmt):
                self.expect_stmt(st, frame, last)
                made = False
            else:
                cursor = self.simple_stmt(st, frame, cursor, top)
                made = False
            if made:
                last = (start, cursor)
            i += 1
        return cursor

    def _step(self):
        self.steps += 1
        if self.steps > self.options.max_nodes:
            raise LimitError(f"the spec runs more than {self.options.max_nodes:,} statements "
                             "(counting each repeat and call)", self.span(None),
                             "is a def calling itself more than once? --max-nodes raises the limit")

    # ------------------------------------------------------------------ simple statements
    def simple_stmt(self, st, frame: Frame, cursor, top: bool):
        if isinstance(st, ast.NetworkStmt):
            self.network = st.name
        elif isinstance(st, ast.InputStmt):
            if self.nodes:
                raise SpecSyntaxError("a second `input` statement", self.span(st.pos),
                                      "a network has one input; name branches with `x = ...` instead")
            cursor = self.input_stmt(st, frame)
        elif isinstance(st, ast.ParamStmt):
            if st.name in self.params:
                raise SpecNameError(f"param '{st.name}' is declared twice", self.span(st.pos),
                                    "a param is a knob of the whole spec: declare it once, or use `let`")
            value = self._param_value(st, frame)
            self.params[st.name] = value
            frame.env.values[st.name] = value
        elif isinstance(st, ast.LetStmt):
            self._check_name(st.name, st.pos)
            frame.env.values[st.name] = self.evaluate(st.value, frame.env)
        elif isinstance(st, ast.SymbolStmt):
            self.symbol_stmt(st, frame)
        elif isinstance(st, ast.DefaultStmt):
            if lookup(st.kind) is None:
                raise self._unknown_layer(st.kind, st.pos, frame)
            kind = lookup(st.kind).name
            frame.defaults[kind] = frame.defaults.get(kind, ()) + tuple(st.args)
        elif isinstance(st, ast.DefStmt):
            if lookup(st.name) is not None:
                raise SpecNameError(f"'{st.name}' is a layer kind and cannot name a def",
                                    self.span(st.pos), "choose another name, e.g. " + st.name + "_block")
            seen = set()
            for param in st.params:
                self._check_name(param.name, param.pos)
                if param.name in seen:
                    raise SpecNameError(f"{st.name}() names its parameter '{param.name}' twice",
                                        self.span(param.pos), "give each parameter its own name")
                seen.add(param.name)
            frame.env.values[st.name] = Definition(st, frame)
        elif isinstance(st, ast.OutputStmt):
            node = frame.find_output(st.name)
            if node is None:
                raise self._unknown_output(st.name, st.pos, frame)
            self.output = node
        return cursor

    def input_stmt(self, st: ast.InputStmt, frame: Frame) -> int:
        value = self.evaluate(st.shape, frame.env)
        shape = value if isinstance(value, tuple) else (value,)
        if len(shape) not in (1, 3):
            raise SpecValueError(f"input takes HxWxC (or a vector length), got {len(shape)} values",
                                 self.span(st.shape.pos), "write e.g. `input 224x224x3`")
        try:
            shape = tuple(OPTION_TYPES["channels"](d) for d in shape)
        except SpecValueError as err:
            err.message = "input size: " + err.message.replace("channel count", "dimension")
            err.hint = err.hint or "write e.g. `input 224x224x3`: height, width and channels of at least 1"
            raise err.located(self.span(st.shape.pos))
        resolution = self.options.resolution
        if self.options.symbolic:
            shape = self._symbolic_input(shape, st)
        elif resolution is not None and len(shape) == 3:
            h, w, c = shape
            if isinstance(resolution, int):
                h = w = resolution
            else:
                h, w = (dims.floor(Fraction(h) * resolution + Fraction(1, 2)),
                        dims.floor(Fraction(w) * resolution + Fraction(1, 2)))
            if h < 1 or w < 1:
                raise SpecValueError(f"--resolution {resolution} makes the input {h}x{w}",
                                     self.span(st.pos), "use a larger resolution")
            shape = (h, w, c)
        self._push(frame.scope, frame.frozen)
        node = self.add_node("input", {"shape": shape}, (), name="input")
        self._pop()
        return node

    def _symbolic_input(self, shape: tuple, st: ast.InputStmt) -> tuple:
        """--symbolic H,W (or one name for a square input): height and width become
        symbols, the channels stay; the symbols are not names the spec can see."""
        from . import symbolic

        if len(shape) != 3:
            raise SpecValueError("--symbolic replaces an input's height and width, but this "
                                 f"input is a vector of {_show_shape(shape)}", self.span(st.pos))
        names = self.options.symbolic
        h, w = (names * 2)[:2]
        for name in {h, w}:
            self.symbols[name] = symbolic.symbol(name)
        return (self.symbols[h], self.symbols[w], shape[2])

    def _param_value(self, st: ast.ParamStmt, frame: Frame):
        self._check_name(st.name, st.pos)
        text = None
        if st.name in self.options.overrides:
            text = self.options.overrides[st.name]
        elif st.name == "width" and self.options.width is not None:
            return self.options.width
        elif st.name == "depth" and self.options.depth is not None:
            return self.options.depth
        if text is None:
            return self.evaluate(st.value, frame.env)
        self._used_overrides.add(st.name)
        from .dsl.cache import parse

        try:
            body = parse(f"let value = {text}\n", f"-p {st.name}").body
            if len(body) != 1:
                raise SpecSyntaxError("one expression, not several lines")
            value_ast = body[0].value
        except CnnCostError:
            raise SpecValueError(f"-p {st.name}={text}: not a valid value", self.span(st.pos),
                                 "give a number or an expression, e.g. -p alpha=0.75") from None
        try:
            return self.evaluate(value_ast, frame.env)
        except CnnCostError as err:  # its place is in the -p text: point at the param line instead
            raise type(err)(f"-p {st.name}={text}: {err.message}", self.span(st.pos), err.hint) from None

    def symbol_stmt(self, st: ast.SymbolStmt, frame: Frame):
        from . import symbolic  # symbolic mode only: imports sympy

        if self._real_names is None:
            self._real_names = symbolic.real_names(self.module.body)
        for name in st.names:
            self._check_name(name, st.pos)
            symbol = symbolic.symbol(name, real=name in self._real_names)
            self.symbols[name] = symbol
            frame.env.values[name] = symbol

    def _check_name(self, name: str, pos):
        if FLAG_RE.match(name):  # a letter and digits: reserved for flags (spec rule)
            raise SpecNameError(f"'{name}' has the form of a flag and cannot name a variable",
                                self.span(pos), "flags like s2, p1, d2, g32, m2 are reserved; "
                                                "choose another name")

    def expect_stmt(self, st: ast.ExpectStmt, frame: Frame, last):
        if st.quantity not in QUANTITIES:
            from difflib import get_close_matches

            close = get_close_matches(st.quantity, QUANTITIES, n=1)
            raise SpecNameError(f"unknown quantity '{st.quantity}' in expect", self.span(st.pos),
                                (f"did you mean '{close[0]}'? " if close else "")
                                + "quantities: " + ", ".join(QUANTITIES))
        if not st.total and last is None:
            raise SpecSyntaxError("`expect` needs a layer or block before it", self.span(st.pos),
                                  "put it after the line it checks, or write `expect total ...`")
        value = self.evaluate(st.value, frame.env)
        if st.suffix:
            value = dims.exact(value * {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}[st.suffix])
        source = self._text(st.pos.line)[st.value.pos.col - 1:st.value.pos.col - 1 + st.value.pos.width]
        first, output = last if last is not None else (0, None)
        self.expectations.append(Expectation(
            st.pos.line, st.quantity, st.total, st.approx, value, st.suffix, source,
            tuple(range(first, len(self.nodes))) if last is not None else (), output))

    # ------------------------------------------------------------------ layer lines
    def layer_stmt(self, st: ast.LayerStmt, frame: Frame, cursor):
        definition = self._find_def(st.kind, frame)
        if definition is not None:
            if st.assign is not None:
                self._check_name(st.assign, st.pos)
            out = self.call(definition, st, frame, cursor)
            if st.assign:
                frame.outputs[st.assign] = out
            return out
        layer = lookup(st.kind)
        if layer is None or layer.internal:
            raise self._unknown_layer(st.kind, st.kind_pos, frame)
        if frame.merge is not None:
            raise SpecSyntaxError("inside a merge block, layers belong in `branch:` blocks",
                                  self.span(st.pos), "indent this line under a `branch:`")
        if cursor is None:
            raise SpecSyntaxError("a layer before the `input` statement", self.span(st.pos),
                                  "start the network with e.g. `input 224x224x3`")
        self._line_input = cursor
        bound = self.bind(layer.name, frame.defaults.get(layer.name, ()), st.args, frame)
        inputs = self._inputs(layer, bound, frame, cursor, st)
        out = self.make(bound, inputs, frame, st.assign)
        if st.assign:
            frame.outputs[st.assign] = out
        return out

    def _inputs(self, layer, bound: _Bound, frame: Frame, cursor, st) -> tuple[int, ...]:
        if bound.source is not None:
            name, pos = bound.source
            node = frame.find_output(name)
            if node is None:
                raise self._unknown_output(name, pos, frame)
            return (node,)
        if layer.merge:
            ids = []
            for name, pos in bound.refs:
                node = frame.find_output(name)
                if node is None:
                    raise self._unknown_output(name, pos, frame)
                ids.append(node)
            if not ids:
                raise SpecValueError(f"{layer.name} needs the names of the outputs to merge",
                                     self.span(st.pos), f"write e.g. `{layer.name} a b` after "
                                                        "naming layers with `a = conv ...`")
            return tuple(ids) if len(ids) > 1 else (cursor, ids[0])
        return (cursor,)

    def make(self, bound: _Bound, inputs, frame: Frame, assign: str | None = None) -> int:
        """Make the node(s) for one bound layer and its post-ops; return the output id."""
        layer = REGISTRY[bound.kind]
        attrs = dict(bound.attrs)
        if layer.width_scaled and self.options.width is not None and not self.declared_width:
            attrs["channels"] = self._paper_width(attrs["channels"])
        if assign is not None:
            self._check_name(assign, None)
        self._push(frame.scope, frame.frozen)
        try:
            try:
                expanded = None
                if layer.composite:
                    name = assign or frame.scope.auto(layer.name)
                    self._push(frame.scope.child(name), frame.frozen)
                    try:
                        expanded = layer.expand(self, {**layer.defaults, **attrs}, inputs[0])
                    finally:
                        self._pop()
                out = expanded if expanded is not None else self.add_node(layer.name, attrs, inputs, assign)
            except CnnCostError as err:
                err.hint = err.hint or f"`cnncost layers {layer.name}` shows what {layer.name} takes"
                raise err.located(self.span(None))
            for post in bound.postops:
                out = self.make(post, (out,), frame)
        finally:
            self._pop()
        return out

    def _paper_width(self, channels):
        """The paper rule for specs without a `width` param: N -> int(A*N)."""
        note = f"--width {float(self.options.width):g}: no `param width` in the spec, so every " \
               "conv/sepconv/deconv output channel count N became int(width*N); fc layers untouched"
        if note not in self.notes:
            self.notes.append(note)
        return dims.maximum(1, to_int(self.options.width * channels))

    # ------------------------------------------------------------------ argument binding
    def bind(self, kind: str, default_args, args, frame: Frame) -> _Bound:
        bound = _Bound(kind, {})
        for group in (default_args, args):
            target = bound
            for arg in group:
                target = self._bind_arg(bound, target, arg, frame)
        for b in (bound, *bound.postops):
            layer = REGISTRY[b.kind]
            missing = [slot for slot in layer.required if slot not in b.attrs]
            if missing:
                raise SpecValueError(
                    f"{b.kind} needs {' and '.join(_SLOT_WORDS.get(m, m) for m in missing)}",
                    self.span(None), f"write e.g. `{_EXAMPLE.get(b.kind, b.kind)}`")
        return bound

    def _bind_arg(self, main: _Bound, target: _Bound, arg, frame: Frame) -> _Bound:
        layer = REGISTRY[target.kind]
        if isinstance(arg, ast.KwArg):
            if arg.key == "from" and target is main:
                if not isinstance(arg.value, ast.Name):
                    raise SpecValueError("from= takes the name of an earlier output",
                                         self.span(arg.pos), "name a layer with `x = conv ...`, then from=x")
                main.source = (arg.value.id, arg.pos)
                return target
            if arg.key not in layer.options:
                raise self._unknown_option(layer, arg.key, arg.pos)
            raw = arg.value.id if (arg.key in RAW_NAME_OPTIONS and isinstance(arg.value, ast.Name)) \
                else self.evaluate(arg.value, frame.env)
            self._set(target, arg.key, raw, arg.pos)
            return target
        if isinstance(arg, ast.RangeArg):
            if "range" not in layer.positional:
                raise SpecValueError(f"{layer.name} takes no A:B range", self.span(arg.pos),
                                     "A:B is a channel range, for `slice`")
            lo = self._whole(self.evaluate(arg.lo, frame.env), "slice start", arg.lo.pos, minimum=0)
            hi = self._whole(self.evaluate(arg.hi, frame.env), "slice end", arg.hi.pos, minimum=1)
            target.attrs["range"] = (lo, hi)
            return target
        value_node = arg.value
        if isinstance(value_node, ast.Name):
            word = value_node.id
            if word in layer.words:
                option, value = layer.words[word]
                self._set(target, option, value, arg.pos, converted=True)
                return target
            flag = FLAG_RE.match(word)
            if flag and flag.group(1) in FLAGS:
                option = FLAGS[flag.group(1)]
                if option not in layer.options:
                    raise SpecValueError(f"{layer.name} takes no {option} (flag '{word}')",
                                         self.span(arg.pos), _options_hint(layer))
                self._set(target, option, int(flag.group(2)), arg.pos)
                return target
            post = lookup(word)
            if post is not None and not post.internal and not post.merge and \
                    self._find_def(word, frame) is None and not _is_variable(word, frame):
                if "refs" in layer.positional and target is main and frame.find_output(word) is not None:
                    pass  # a named output called like a layer kind: treat as a reference
                else:
                    bound = _Bound(post.name, {})
                    main.postops.append(bound)
                    return bound
            if flag:
                raise SpecNameError(f"unknown flag '{word}'", self.span(arg.pos),
                                    "flags: " + ", ".join(f"{k}N ({v})" for k, v in FLAGS.items()))
            if "refs" in layer.positional and target is main:
                main.refs.append((word, arg.pos))
                return target
        slots = [s for s in layer.positional if s != "refs"]
        while target.slot < len(slots) and slots[target.slot] in target.attrs:
            target.slot += 1
        if target.slot >= len(slots):
            if isinstance(value_node, ast.Name) and not _is_variable(value_node.id, frame):
                raise self._unknown_word(layer, value_node.id, arg.pos, frame)
            shown = self._text(arg.pos.line)[arg.pos.col - 1:arg.pos.col - 1 + arg.pos.width]
            raise SpecValueError(
                f"{layer.name} got an extra value '{shown}'", self.span(arg.pos),
                f"{layer.name} takes {len(slots)} value(s)"
                + (f" ({', '.join(_SLOT_WORDS.get(s, s) for s in slots)})" if slots else "")
                + "; options are written as words, flags or key=value")
        slot = slots[target.slot]
        if slot == "range":  # only A:B fills it (a RangeArg, above)
            raise SpecValueError(f"{layer.name} takes a channel range A:B, not a single value",
                                 self.span(arg.pos), f"write e.g. `{_EXAMPLE.get(layer.name, layer.name)}`")
        target.slot += 1
        self._set(target, slot, self.evaluate(value_node, frame.env), arg.pos)
        return target

    def _set(self, target: _Bound, option: str, value, pos, converted=False):
        if not converted:
            value = self._convert(option, value, pos)
        other = EXCLUSIVE.get(option)
        if other:
            target.attrs.pop(other, None)
        target.attrs[option] = value

    def _convert(self, option: str, value, pos):
        try:
            return OPTION_TYPES[option](value)
        except CnnCostError as err:
            err.hint = err.hint or _OPTION_HINTS.get(option)
            raise err.located(self.span(pos))

    # ------------------------------------------------------------------ calls, blocks
    def _find_def(self, name: str, frame: Frame):
        try:
            value = frame.env.lookup(name)
        except KeyError:
            return None
        return value if isinstance(value, Definition) else None

    def call(self, definition: Definition, st: ast.LayerStmt, frame: Frame, cursor):
        d = definition.stmt
        if frame.merge is not None:
            raise SpecSyntaxError("inside a merge block, calls belong in `branch:` blocks",
                                  self.span(st.pos), "indent this line under a `branch:`")
        if frame.depth >= MAX_CALL_DEPTH:
            raise LimitError(f"def calls nested deeper than {MAX_CALL_DEPTH} (is '{d.name}' recursive?)",
                             self.span(st.pos), "a def may call itself only under an `if` that stops it")
        args, kwargs = [], {}
        keywords = []
        for arg in st.args:
            if isinstance(arg, ast.PosArg) and isinstance(arg.value, ast.Tuple):
                args += [self.evaluate(v, frame.env) for v in arg.value.items]
                keywords += [(k, self.evaluate(v, frame.env)) for k, v in arg.value.kwargs]
            elif isinstance(arg, ast.PosArg):
                args.append(self.evaluate(arg.value, frame.env))
            elif isinstance(arg, ast.KwArg):
                keywords.append((arg.key, self.evaluate(arg.value, frame.env)))
            else:
                raise SpecValueError(f"{d.name}() takes values, not a range", self.span(arg.pos),
                                     "A:B is a channel range, for `slice`")
        for key, value in keywords:
            if key in kwargs:
                raise SpecValueError(f"{d.name}() got '{key}' twice", self.span(st.pos),
                                     "give each argument once")
            kwargs[key] = value
        names = [p.name for p in d.params]
        if len(args) > len(names):
            raise SpecValueError(f"{d.name}() takes {len(names)} argument(s), got {len(args)}",
                                 self.span(st.pos), f"def {d.name}({', '.join(names)})")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise SpecNameError(f"{d.name}() has no parameter '{key}'", self.span(st.pos),
                                    f"def {d.name}({', '.join(names)})")
            if key in values:
                raise SpecValueError(f"{d.name}() got '{key}' twice", self.span(st.pos),
                                     f"'{key}' is already given by position: def {d.name}({', '.join(names)})")
            values[key] = value
        closure_env = definition.closure.env.child(values)
        for p in d.params:
            if p.name not in values:
                if p.default is None:
                    raise SpecValueError(f"{d.name}() is missing the argument '{p.name}'",
                                         self.span(st.pos), f"def {d.name}({', '.join(names)})")
                values[p.name] = self.evaluate(p.default, closure_env)
                closure_env.values[p.name] = values[p.name]
        if cursor is None:
            raise SpecSyntaxError("a block call before the `input` statement", self.span(st.pos),
                                  "start the network with e.g. `input 224x224x3`")
        name = st.assign or frame.scope.auto(d.name)
        body_frame = Frame(closure_env.child(), frame.scope.child(name), definition.closure, {},
                           dict(frame.defaults), frame.frozen, None, None, frame.depth + 1)
        out = self.run(d.body, body_frame, cursor)
        self._at(st.pos)
        return out

    def repeat_stmt(self, st: ast.RepeatStmt, frame: Frame, cursor):
        count = self.evaluate(st.count, frame.env)
        count = self._whole(count, "repeat count", st.count.pos, minimum=0)
        if not dims.is_number(count):
            raise SpecValueError("a repeat count must be a number, not a symbol",
                                 self.span(st.count.pos), "give the symbol a value with `param`")
        limit = self.options.max_nodes
        if count > limit:
            raise LimitError(f"repeat {count:,} would exceed the limit of {limit:,} nodes",
                             self.span(st.count.pos), "check the repeat count; --max-nodes raises the limit")
        nodes, steps = len(self.nodes), self.steps
        for i in range(count):
            scope = frame.scope.child(frame.scope.next_index())
            child = frame.child(scope)
            if st.var:
                self._check_name(st.var, st.pos)
                child.env.values[st.var] = i
            cursor = self.run(st.body, child, cursor)
            if i == 0 and count > 1:  # refuse at once what the remaining iterations would pass
                for made, before, what in ((len(self.nodes) - nodes, nodes, "node"),
                                           (self.steps - steps, steps, "statement")):
                    if made * count > limit - before:
                        self._at(st.pos)
                        raise LimitError(f"repeat {count:,} of a block of {made:,} {what}(s) would exceed "
                                         f"the limit of {limit:,} {what}s", self.span(st.count.pos),
                                         "check the repeat count; --max-nodes raises the limit")
        return cursor

    def if_stmt(self, st: ast.IfStmt, frame: Frame, cursor):
        for cond, body in st.branches:
            if self._truth(cond, frame):
                return self.run(body, frame.child(), cursor)
        if st.orelse is not None:
            return self.run(st.orelse, frame.child(), cursor)
        return cursor

    def _truth(self, cond, frame) -> bool:
        return self.evaluate.truth(self.evaluate(cond, frame.env), cond)

    def block_stmt(self, st: ast.BlockStmt, frame: Frame, cursor, follower):
        kind = st.kind
        if kind not in BLOCK_KINDS:
            from difflib import get_close_matches

            close = get_close_matches(kind, BLOCK_KINDS, n=1)
            raise SpecNameError(f"unknown block '{kind}:'", self.span(st.pos),
                                (f"did you mean '{close[0]}:'? " if close else "")
                                + "blocks: " + ", ".join(f"{b}:" for b in BLOCK_KINDS))
        if st.cond is not None and kind != "shortcut":
            raise SpecSyntaxError(f"`{kind} if ...:` is not a block form", self.span(st.pos),
                                  "only `shortcut if EXPR:` takes a condition; use `if EXPR:` around the block")
        if cursor is None:
            raise SpecSyntaxError(f"a `{kind}:` block before the `input` statement", self.span(st.pos),
                                  "start the network with e.g. `input 224x224x3`")
        skip = 0
        if kind == "freeze":
            out = self.run(st.body, frame.child(frozen=True), cursor)
        elif kind == "residual":
            out, skip = self._residual(st, frame, cursor, follower)
        elif kind == "shortcut":
            raise SpecSyntaxError("`shortcut:` must follow a `residual:` block", self.span(st.pos),
                                  "put it right after the residual block, at the same indentation")
        elif kind == "branch":
            if frame.merge is None:
                raise SpecSyntaxError("`branch:` belongs inside `concat:`, `add:` or `mul:`",
                                      self.span(st.pos), "wrap the branches in e.g. `concat:`")
            scope = frame.scope.child(frame.scope.auto("branch"))
            body = Frame(frame.env.child(), scope, frame, {}, dict(frame.defaults), frame.frozen,
                         None, None, frame.depth)
            branch_out = self.run(st.body, body, frame.merge_input)
            frame.merge.append(branch_out)
            out = cursor
        else:  # concat:, add:, mul:
            if frame.merge is not None:
                raise SpecSyntaxError(f"`{kind}:` directly inside a merge block", self.span(st.pos),
                                      "put it inside a `branch:`")
            name = st.assign or frame.scope.auto(kind)
            scope = frame.scope.child(name)
            collected: list[int] = []
            body = frame.child(scope, merge=collected, merge_input=cursor)
            self.run(st.body, body, cursor)
            self._at(st.pos)
            if not collected:
                raise SpecSyntaxError(f"`{kind}:` has no `branch:` blocks", self.span(st.pos),
                                      "indent one `branch:` block per input under it")
            if kind == "mul" and len(collected) != 2:
                raise ShapeError(f"`mul:` needs exactly two branches, got {len(collected)}",
                                 self.span(st.pos), "one branch for the values, one for the gate")
            self._push(scope, frame.frozen)
            try:
                out = self.add_node(kind, {}, tuple(collected), name=kind) if len(collected) > 1 \
                    else collected[0]
            finally:
                self._pop()
        if st.assign:
            frame.outputs[st.assign] = out
        return out, skip

    def _residual(self, st, frame: Frame, cursor, follower):
        name = st.assign or frame.scope.auto("residual")
        scope = frame.scope.child(name)
        body_out = self.run(st.body, frame.child(scope), cursor)
        shortcut_out, skip = cursor, 0
        if isinstance(follower, ast.BlockStmt) and follower.kind == "shortcut":
            skip = 1
            take = True
            if follower.cond is not None:
                self._at(follower.pos)
                self._line_input = cursor  # the shortcut's input is the block's input
                take = self._truth(follower.cond, frame)
            if take:
                shortcut_out = self.run(follower.body, frame.child(scope.child("shortcut")), cursor)
        self._at(st.pos)
        self._push(scope, frame.frozen)
        try:
            out = self.add_node("add", {}, (body_out, shortcut_out), name="add")
        finally:
            self._pop()
        return out, skip

    # ------------------------------------------------------------------ helpers
    def _whole(self, value, what, pos, minimum=1):
        try:
            return whole(value, what, minimum)
        except CnnCostError as err:
            err.hint = err.hint or f"a {what} is a whole number, at least {minimum}"
            raise err.located(self.span(pos))

    def _unknown_layer(self, name, pos, frame):
        from difflib import get_close_matches

        candidates = user_kinds() + [n for n in frame.env.names()
                                     if isinstance(_safe_lookup(frame.env, n), Definition)]
        close = get_close_matches(name, candidates, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see `cnncost layers` for the catalogue"
        return SpecNameError(f"unknown layer kind '{name}'", self.span(pos), hint)

    def _unknown_output(self, name, pos, frame):
        from difflib import get_close_matches

        close = get_close_matches(name, sorted(frame.output_names()), n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            "name an earlier layer's output with `name = layer ...`"
        return SpecNameError(f"unknown output '{name}'", self.span(pos), hint)

    def _unknown_option(self, layer, key, pos):
        return SpecNameError(f"{layer.name} has no option '{key}'", self.span(pos), _options_hint(layer))

    def _unknown_word(self, layer, word, pos, frame):
        from difflib import get_close_matches

        candidates = list(layer.words) + user_kinds() + sorted(frame.env.names())
        close = get_close_matches(word, candidates, n=1)
        hint = f"did you mean '{close[0]}'?" if close else _options_hint(layer)
        return SpecNameError(f"unknown word '{word}' for {layer.name}", self.span(pos), hint)


# Hints for option values out of range (the option types in layers/base.py say what is wrong).
_OPTION_HINTS = {
    "kernel": "a kernel is at least 1x1, e.g. 3x3 or kernel=(1, 7)",
    "channels": "a layer makes at least one channel, e.g. conv 3x3 64",
    "units": "fc makes at least one unit, e.g. fc 10",
    "stride": "s1 keeps the size and s2 halves it; a stride is at least 1",
    "dilation": "d1 is an ordinary kernel; a dilation is at least 1",
    "pad": "p0 (or `valid`) pads nothing; padding is never negative",
    "outpad": "output padding is 0 or more, below the stride",
    "groups": "g1 is an ordinary conv; groups divide the input and output channels",
    "mult": "m1 makes one filter per input channel",
    "squeeze": "squeeze=N makes at least one channel",
    "size": "lrn size=N: the neighbours each value is normalised over",
    "factor": "upsample 2 doubles height and width",
    "output": "adaptive pooling to an output of at least 1x1, e.g. 7x7",
    "shuffle_groups": "shuffle G with G at least 1",
    "rate": "a dropout rate is the fraction of values dropped, e.g. dropout 0.5",
    "ratio": "an se ratio is a fraction of the channels, e.g. se 0.25",
    "alpha": "leakyrelu alpha=0.01: the slope below zero",
}

_SLOT_WORDS = {"kernel": "a kernel size (e.g. 3x3)", "channels": "an output channel count",
               "units": "a unit count", "rate": "a rate", "output": "an output size (e.g. 7x7)",
               "range": "a channel range A:B", "factor": "a factor", "pad": "a padding",
               "shuffle_groups": "a group count", "ratio": "a ratio"}
_EXAMPLE = {"conv": "conv 3x3 64 same", "dwconv": "dwconv 3x3", "sepconv": "sepconv 3x3 64 same",
            "deconv": "deconv 4x4 64 s2 p1", "maxpool": "maxpool 2x2", "avgpool": "avgpool 2x2",
            "fc": "fc 1000", "dropout": "dropout 0.5", "adaptiveavgpool": "adaptiveavgpool 7x7",
            "slice": "slice 0:32", "pad": "pad 1", "upsample": "upsample 2", "shuffle": "shuffle 2",
            "se": "se 0.25"}


def _options_hint(layer) -> str:
    opts = sorted(layer.options - {"channels", "units"})
    words = sorted(layer.words)
    parts = []
    if words:
        parts.append("words: " + ", ".join(words))
    if opts:
        parts.append("options: " + ", ".join(f"{o}=" for o in opts))
    return "; ".join(parts) if parts else f"{layer.name} takes no options"


def _is_variable(name: str, frame: Frame) -> bool:
    try:
        value = frame.env.lookup(name)
    except KeyError:
        return False
    return not isinstance(value, Definition)


def _too_large_formula(value) -> bool:
    from . import symbolic  # only reached with symbols

    return symbolic.is_sympy(value) and symbolic.too_large(value, MAX_MAGNITUDE_BITS)


def _safe_lookup(env: Env, name: str):
    try:
        return env.lookup(name)
    except KeyError:
        return None


def _walk(stmts):
    for st in stmts:
        yield st
        for attr in ("body", "orelse"):
            yield from _walk(getattr(st, attr, None) or ())
        for _cond, body in getattr(st, "branches", ()) or ():
            yield from _walk(body)


def _stem(file: str) -> str:
    import os

    return os.path.splitext(os.path.basename(file))[0] or "network"


def _show_shape(shape) -> str:
    """28x28x16; a formula too long to read is cut to its start (an error names it only
    to say where)."""
    return "x".join(_cut(str(d)) for d in shape)


def _cut(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def build(module: ast.Module, options: BuildOptions | None = None) -> Graph:
    """Expand a parsed spec into its graph (see Builder)."""
    return Builder(module, options).build()
