"""The Builder's statements: network, input, param, let, symbol, default, def, output,
expect; def calls, repeat and if."""
from __future__ import annotations

from fractions import Fraction

from .. import dims
from ..dsl import ast
from ..errors import CnnCostError, LimitError, SpecNameError, SpecSyntaxError, SpecValueError
from ..layers import FLAGS, lookup
from ..layers.options import CHANNELS
from .binding import is_flag
from .frames import Definition, Frame
from .graph import Call, Expectation, show_shape

MAX_CALL_DEPTH = 64
QUANTITIES = ("shape", "params", "buffers", "macs", "flops", "activations", "rf",
              "cost", "connections", "weight_tensors", "training_memory")


class Statements:
    """Statement methods of the Builder (builder.py), which holds the nodes and places."""

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
            self.output_stmt(st, frame)
        return cursor

    def output_stmt(self, st: ast.OutputStmt, frame: Frame):
        """`output main [aux1 aux2] [train aux1 aux2]` (heads.py)."""
        found = {}
        for name in (st.name, *st.others, *st.train):
            node = frame.find_output(name)
            if node is None:
                raise self._unknown_output(name, st.pos, frame)
            found[name] = node
        if st.name in st.train:
            raise SpecValueError(f"'{st.name}' is the main output and cannot be a training head",
                                 self.span(st.pos), "name the main output first, training heads after `train`")
        self.output = found[st.name]
        heads = dict.fromkeys(found[n] for n in (*st.others, *st.train) if found[n] != self.output)
        self.heads = tuple(heads)
        self.train_heads = tuple(dict.fromkeys(found[n] for n in st.train))
        self.head_names = tuple(dict.fromkeys(st.train))

    def input_stmt(self, st: ast.InputStmt, frame: Frame) -> int:
        value = self.evaluate(st.shape, frame.env)
        shape = value if isinstance(value, tuple) else (value,)
        if len(shape) not in (1, 3):
            raise SpecValueError(f"input takes HxWxC (or a vector length), got {len(shape)} values",
                                 self.span(st.shape.pos), "write e.g. `input 224x224x3`")
        try:
            shape = tuple(CHANNELS.convert(d) for d in shape)
        except SpecValueError as err:
            err.message = "input size: " + err.message.replace("channel count", "dimension")
            err.hint = err.hint or "write e.g. `input 224x224x3`: height, width and channels of at least 1"
            raise err.located(self.span(st.shape.pos))
        shape = self._layout(shape, st)
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

    def _layout(self, shape: tuple, st: ast.InputStmt) -> tuple:
        """cnncost shapes are H x W x C. `input 3x224x224 chw` (or --channels-first) reads
        PyTorch's C x H x W; a shape that looks channels-first without saying so is kept
        but warned about (a warning in the graph, shown on stderr and in the report)."""
        layout = st.layout or ("chw" if self.options.channels_first else None)
        if layout not in (None, "hwc", "chw"):
            raise SpecSyntaxError(f"unknown input layout '{layout}'", self.span(st.pos),
                                  "write `chw` after a C x H x W shape (PyTorch's order), `hwc` "
                                  "or nothing for H x W x C")
        if len(shape) != 3:
            if layout is not None and st.layout is not None:
                raise SpecValueError(f"`{layout}` is the layout of an image, but this input is a vector",
                                     self.span(st.pos), "drop it, or give three dimensions")
            return shape
        if layout == "chw":
            c, h, w = shape
            return (h, w, c)
        if layout is None and looks_channels_first(shape):
            c, h, w = shape
            self.warnings.append(
                f"line {st.pos.line}: input {show_shape(shape)} looks channels-first (C x H x W): "
                f"cnncost shapes are H x W x C: did you mean {show_shape((h, w, c))}? "
                f"(`input {show_shape(shape)} chw` or --channels-first reads it as C x H x W)")
        return shape

    def _symbolic_input(self, shape: tuple, st: ast.InputStmt) -> tuple:
        """--symbolic H,W (or one name for a square input): height and width become
        symbols, the channels stay; the symbols are not names the spec can see."""
        from .. import symbolic

        if len(shape) != 3:
            raise SpecValueError("--symbolic replaces an input's height and width, but this "
                                 f"input is a vector of {show_shape(shape)}", self.span(st.pos))
        names = self.options.symbolic
        h, w = (names * 2)[:2]
        for name in {h, w}:
            self.symbols[name] = symbolic.symbol(name)
        return (self.symbols[h], self.symbols[w], shape[2])

    def _param_value(self, st: ast.ParamStmt, frame: Frame):
        self._check_name(st.name, st.pos)
        override = None
        if st.name in self.options.overrides:
            override = self.options.overrides[st.name]
        elif st.name == "width" and self.options.width is not None:
            return self.options.width
        elif st.name == "depth" and self.options.depth is not None:
            return self.options.depth
        if override is None:
            return self.evaluate(st.value, frame.env)
        self._used_overrides.add(st.name)
        text = override.text
        if override.expr is None:  # cnncost.load could not parse it
            raise SpecValueError(f"-p {st.name}={text}: not a valid value", self.span(st.pos),
                                 "give a number or an expression, e.g. -p alpha=0.75")
        try:
            return self.evaluate(override.expr, frame.env)
        except CnnCostError as err:  # its place is in the -p text: point at the param line instead
            raise type(err)(f"-p {st.name}={text}: {err.message}", self.span(st.pos), err.hint) from None

    def symbol_stmt(self, st: ast.SymbolStmt, frame: Frame):
        from .. import symbolic  # symbolic mode only: imports sympy

        if self._real_names is None:
            self._real_names = symbolic.real_names(self.module.body)
        names, kind = st.names, None
        if names[-1] in symbolic.SYMBOL_KINDS:  # `symbol rho real`: the kind of every name
            names, kind = names[:-1], names[-1]
            if not names:
                raise SpecSyntaxError(f"`symbol {kind}` declares no name", self.span(st.pos),
                                      f"write the names first: symbol rho {kind}")
        for name in names:
            self._check_name(name, st.pos)
            symbol = symbolic.symbol(name, real=name in self._real_names, kind=kind)
            self.symbols[name] = symbol
            frame.env.values[name] = symbol

    def _check_name(self, name: str, pos):
        if is_flag(name):  # s2 on a layer line is a stride: such a variable could not be used there
            raise SpecNameError(f"'{name}' has the form of a flag and cannot name a variable",
                                self.span(pos), f"on a layer line {name} is the flag "
                                f"{FLAGS[name[0]]}={name[1:]}; choose another name, e.g. {name[0]}_{name[1:]}")

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
            value = dims.exact(value * dims.METRIC_SUFFIXES[st.suffix])
        source = self._text(st.pos.line)[st.value.pos.col - 1:st.value.pos.col - 1 + st.value.pos.width]
        first, output = last if last is not None else (0, None)
        self.expectations.append(Expectation(
            st.pos.line, st.quantity, st.total, st.approx, value, st.suffix, source,
            tuple(range(first, len(self.nodes))) if last is not None else (), output))

    # ------------------------------------------------------------------ def calls, repeat, if
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
            elif isinstance(arg, ast.KwArg) and arg.key != "from":
                keywords.append((arg.key, self.evaluate(arg.value, frame.env)))
            elif isinstance(arg, ast.KwArg):
                keywords.append(("from", None))
            else:
                raise SpecValueError(f"{d.name}() takes values, not a range", self.span(arg.pos),
                                     "A:B is a channel range, for `slice`")
        source = next((a for a in st.args if isinstance(a, ast.KwArg) and a.key == "from"), None)
        if source is not None:  # `block(...) from=NAME`: the call's input, as for a layer
            if not isinstance(source.value, ast.Name) or frame.find_output(source.value.id) is None:
                raise self._unknown_output(getattr(source.value, "id", "?"), source.pos, frame)
            cursor = frame.find_output(source.value.id)
            keywords = [(k, v) for k, v in keywords if k != "from"]
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
        body_frame = Frame(closure_env.child(), frame.scope.named(st.assign, d.name), definition.closure, {},
                           dict(frame.defaults), frame.frozen, None, None, frame.depth + 1)
        first = len(self.nodes)
        out = self.run(d.body, body_frame, cursor)
        self.calls.append(Call(d.name, body_frame.scope.path, first, len(self.nodes), cursor, out,
                               tuple((p.name, values[p.name]) for p in d.params), self.repeat))
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
        outer, self.repeats = self.repeat, self.repeats + 1
        self.repeat = self.repeats  # Call.repeat of the calls in it
        for i in range(count):
            # iterations are numbered 0, 1, ...; in a `seq:` what they make is numbered instead
            scope = frame.scope if frame.scope.sequential else frame.scope.child(frame.scope.next_index())
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
        self.repeat = outer
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


def looks_channels_first(shape: tuple) -> bool:
    """3x224x224 or 1x28x28: one or three "channels" first and an image after them, where
    an H x W x C input would be a strip one or three pixels high (issue 18 item 4)."""
    if not all(dims.is_number(d) for d in shape):
        return False
    first, second, third = shape
    return first in (1, 3) and second >= 8 and third >= 8
