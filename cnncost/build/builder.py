"""AST -> an immutable graph of layer nodes: the Builder and `build()`.

Everything the language can say is expanded here: `def` calls, `repeat`, `if`, params
and their overrides, `default` lines, post-ops, residual / merge blocks and composite
layers (sepconv, se). Output shapes are inferred as the nodes are made, because a line
may ask for `in.c`, the channels it receives. The Builder's rooms: statements.py
(simple statements, def calls, repeat, if, expect), blocks.py (residual, shortcut,
branch, merge), binding.py (layer lines: argument binding, option conversion, making
nodes); frames.py holds frames and scopes, graph.py the frozen result.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from .. import dims
from ..dsl import ast
from ..errors import CnnCostError, LimitError, Span, SpecNameError, SpecSyntaxError
from ..expr import MAX_MAGNITUDE_BITS, Env, Evaluator
from ..layers import REGISTRY, user_kinds
from ..layers.base import MAX_WHOLE, whole
from .binding import Binding
from .blocks import Blocks
from .frames import Definition, Frame, Scope, safe_lookup
from .graph import BuildOptions, Call, Expectation, Graph, Node, show_shape
from .statements import Statements
from .values_block import SECTION, ValuesBlock


class Builder(Statements, Blocks, Binding, ValuesBlock):
    """Runs a spec's statements and records the nodes they make."""

    def __init__(self, module: ast.Module, options: BuildOptions | None = None, keep_width: int | None = None):
        self.module = module
        self.options = options or BuildOptions()
        self.width_layers: list[int] = []  # first node of each width-scaled layer line, in order
        self.keep_width = keep_width  # the number (from 1) of the one --width leaves alone
        self.nodes: list[Node] = []
        self.expectations: list[Expectation] = []
        self.notes: list[str] = []
        self.warnings: list[str] = []
        self.params: dict[str, Any] = {}
        self.symbols: dict[str, Any] = {}
        self.network = None
        self.output = None
        self.values = None  # a `values:` section (values_block.py)
        self.heads: tuple[int, ...] = ()  # further outputs, and those only for training (heads.py)
        self.train_heads: tuple[int, ...] = ()
        self.head_names: tuple[str, ...] = ()
        self.calls: list[Call] = []  # def calls as they end (statements.call)
        self.repeats = 0  # `repeat` statements run so far; the innermost running one is
        self.repeat: int | None = None  # what Call.repeat records
        self.line = 0
        self.pos: ast.Pos | None = None  # the statement being run, for error places
        self._line_input: int | None = None
        self._used_overrides: set[str] = set()
        self.declared_width = any(isinstance(s, ast.ParamStmt) and s.name == "width"
                                  for s in ast.walk(module.body))
        self.evaluate = Evaluator(self.span, self._input_shape)
        self._scope_stack: list[tuple[Scope, bool]] = []
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
                    raise LimitError(f"the output {show_shape(shape)} has more than 2**63 elements",
                                     hint="no framework can hold such a tensor; check the sizes")
            elif any(_too_large_formula(d) for d in shape):
                raise LimitError(f"its output size holds a number beyond 2**{MAX_MAGNITUDE_BITS}",
                                 hint="strides multiply along the network; check for absurdly large ones")
        except CnnCostError as err:
            where = " and ".join(show_shape(s) for s in ins) if ins else "nothing"
            err.message = f"{name} ({kind}) on input {where}: {err.message}"
            if err.hint is None:
                err.hint = f"`cnncost layers {kind}` shows how {kind} computes its output"
            raise err.located(self.span(None)) from None
        node = Node(len(self.nodes), kind, name, MappingProxyType(full_attrs), tuple(inputs),
                    shape, self.line, scope.path, frozen)
        self.nodes.append(node)
        return node.id

    def _push(self, scope: Scope, frozen: bool):
        self._scope_stack.append((scope, frozen))

    def _pop(self):
        self._scope_stack.pop()

    # ------------------------------------------------------------------ running blocks
    def build(self) -> Graph:
        root = Frame(Env(), Scope(()))
        self._push(root.scope, False)
        try:
            cursor = self.run(self.module.body, root, None, top=True)
        except RecursionError:  # blocks and calls nested within the limits, but too deep together
            raise LimitError("blocks and def calls nested too deeply", self.span(None),
                             "flatten the nesting: fewer blocks inside blocks or calls inside calls") from None
        unused = set(self.options.overrides) - self._used_overrides
        if unused:
            raise self._unknown_override(sorted(unused)[0])
        if not self.nodes:
            raise SpecSyntaxError("the spec has no `input` statement",
                                  Span(self.module.file, 1, 1, 1, self._text(1)),
                                  "start the network with e.g. `input 224x224x3`")
        output = self.output if self.output is not None else cursor
        name = self.network or _stem(self.module.file)
        self.check_values_names({n.name for n in self.nodes})
        notes = tuple(f"warning: {w}" for w in self.warnings) + tuple(self.notes)
        return Graph(name, self.module.file, tuple(self.nodes), output, tuple(self.expectations),
                     MappingProxyType(dict(self.params)), tuple(self.symbols), notes,
                     self.module.lines, tuple(self.warnings), values=self.values, heads=self.heads,
                     train=self.train_heads, head_names=self.head_names,
                     calls=_outermost_first(self.calls))

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
            elif isinstance(st, ast.BlockStmt) and st.kind == SECTION:
                self.values_stmt(st, frame, top)
                made = False
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
                                     if isinstance(safe_lookup(frame.env, n), Definition)]
        close = get_close_matches(name, candidates, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see `cnncost layers` for the catalogue"
        return SpecNameError(f"unknown layer kind '{name}'", self.span(pos), hint)

    def _unknown_override(self, name: str) -> SpecNameError:
        """-p NAME=VALUE naming no `param` of the spec: the place is the command-line
        argument, not the spec; the hint lists the spec's params (and --width for a width
        multiplier the spec does not declare)."""
        from difflib import get_close_matches

        text = f"-p {name}={self.options.overrides[name].text}"
        declared = sorted(self.params)
        spec = _stem(self.module.file)
        hints = [f"{spec} declares: " + (", ".join(declared) if declared else "no parameters")]
        close = get_close_matches(name, declared, n=1)
        if close:
            hints.insert(0, f"did you mean '{close[0]}'?")
        elif name in ("width", "alpha"):
            hints.append(f"--width {self.options.overrides[name].text} scales its channels "
                         "(the MobileNet width multiplier)")
        return SpecNameError(f"unknown parameter '{name}' for -p", Span("<command line>", 1, 4, len(name), text),
                             (hints[0] + " " + "; ".join(hints[1:])) if close else "; ".join(hints))

    def _unknown_output(self, name, pos, frame):
        from difflib import get_close_matches

        close = get_close_matches(name, sorted(frame.output_names()), n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            "name an earlier layer's output with `name = layer ...`"
        return SpecNameError(f"unknown output '{name}'", self.span(pos), hint)


def _outermost_first(calls: list[Call]) -> tuple[Call, ...]:
    """Calls as they ended (inner before outer) -> in the order they started, a call
    before the calls inside it (which may make exactly the same nodes)."""
    order = sorted(range(len(calls)), key=lambda k: (calls[k].first, -calls[k].end, -k))
    return tuple(calls[k] for k in order)


def _too_large_formula(value) -> bool:
    from .. import symbolic  # only reached with symbols

    return symbolic.is_sympy(value) and symbolic.too_large(value, MAX_MAGNITUDE_BITS)


def _stem(file: str) -> str:
    import os

    return os.path.splitext(os.path.basename(file))[0] or "network"


def build(module: ast.Module, options: BuildOptions | None = None) -> Graph:
    """Expand a parsed spec into its graph (see Builder).

    --width on a spec without `param width` thins every conv but the one that sets the
    network's output channels (its classes: squeezenet1_0's conv 1x1 1000, a U-Net's
    2-class head), found in a build at width 1."""
    options = options or BuildOptions()
    builder = Builder(module, options)
    if options.width is None or builder.declared_width:
        return builder.build()
    from dataclasses import replace

    plain = Builder(module, replace(options, width=None))
    keep = _output_width_layer(plain.build(), plain.width_layers)
    return Builder(module, options, keep_width=keep).build()


def _output_width_layer(graph: Graph, width_layers: list[int]) -> int | None:
    """The number (from 1) of the width-scaled layer line whose channel count is the
    network's output width: walk back from the output through layers that keep the
    channels (activations, pooling, dropout, flatten of a 1x1 map); None when a layer
    that is never width-scaled (fc, concat, ...) sets it."""
    from bisect import bisect_right

    node = graph.nodes[graph.output]
    while not REGISTRY[node.kind].width_scaled:
        if len(node.inputs) != 1:
            return None
        source = graph.nodes[node.inputs[0]]
        if not node.shape or not source.shape or node.shape[-1] != source.shape[-1]:
            return None
        node = source
    # the line that made it: the last one starting at or before it (sepconv makes two nodes)
    return bisect_right(width_layers, node.id) or None
