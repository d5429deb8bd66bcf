"""The Builder's layer lines: binding a line's arguments to its layer kind (positional
slots, words, flags, key=value, post-ops), converting option values, making the nodes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import dims
from ..dsl import ast
from ..errors import CnnCostError, SpecNameError, SpecSyntaxError, SpecValueError
from ..expr import to_int
from ..layers import FLAGS, REGISTRY, lookup, user_kinds
from ..layers.base import SOURCE
from .frames import Frame, is_variable

FLAG_RE = re.compile(r"^([A-Za-z])(\d+)$")
EXCLUSIVE = {"pad": "padding", "padding": "pad"}  # `same` undoes p1, and p1 undoes `same`


@dataclass
class _Bound:
    """A layer line's arguments after binding to its layer kind."""

    kind: str
    attrs: dict
    refs: list = field(default_factory=list)
    source: tuple | None = None  # from=NAME: (name, position)
    postops: list = field(default_factory=list)  # [_Bound]
    slot: int = 0


class Binding:
    """Layer-line methods of the Builder (builder.py)."""

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
                        expanded = self._add_parts(layer, {**layer.defaults, **attrs}, inputs[0])
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

    def _add_parts(self, layer, attrs, source: int) -> int:
        """Make the primitive nodes a composite expands into; return the last one's id."""
        ids, last = {SOURCE: source}, source
        for part in layer.expand(attrs, [self.nodes[source].shape]):
            inputs = (last,) if part.inputs is None else tuple(ids[i] for i in part.inputs)
            last = ids[part.name] = self.add_node(part.kind, part.attrs, inputs, name=part.name)
        return last

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
                    f"{b.kind} needs {' and '.join(layer.slot_words(m) for m in missing)}",
                    self.span(None), f"write e.g. `{layer.example or b.kind}`")
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
            raw = arg.value.id if (layer.options[arg.key].raw_name and isinstance(arg.value, ast.Name)) \
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
                    self._find_def(word, frame) is None and not is_variable(word, frame):
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
            if isinstance(value_node, ast.Name) and not is_variable(value_node.id, frame):
                raise self._unknown_word(layer, value_node.id, arg.pos, frame)
            shown = self._text(arg.pos.line)[arg.pos.col - 1:arg.pos.col - 1 + arg.pos.width]
            raise SpecValueError(
                f"{layer.name} got an extra value '{shown}'", self.span(arg.pos),
                f"{layer.name} takes {len(slots)} value(s)"
                + (f" ({', '.join(layer.slot_words(s) for s in slots)})" if slots else "")
                + "; options are written as words, flags or key=value")
        slot = slots[target.slot]
        if slot == "range":  # only A:B fills it (a RangeArg, above)
            raise SpecValueError(f"{layer.name} takes a channel range A:B, not a single value",
                                 self.span(arg.pos), f"write e.g. `{layer.example or layer.name}`")
        target.slot += 1
        self._set(target, slot, self.evaluate(value_node, frame.env), arg.pos)
        return target

    def _set(self, target: _Bound, option: str, value, pos, converted=False):
        if not converted:
            value = self._convert(REGISTRY[target.kind], option, value, pos)
        other = EXCLUSIVE.get(option)
        if other:
            target.attrs.pop(other, None)
        target.attrs[option] = value

    def _convert(self, layer, option: str, value, pos):
        try:
            return layer.convert(option, value)
        except CnnCostError as err:
            err.hint = err.hint or layer.option_hint(option)
            raise err.located(self.span(pos))

    def _unknown_option(self, layer, key, pos):
        return SpecNameError(f"{layer.name} has no option '{key}'", self.span(pos), _options_hint(layer))

    def _unknown_word(self, layer, word, pos, frame):
        from difflib import get_close_matches

        candidates = list(layer.words) + user_kinds() + sorted(frame.env.names())
        close = get_close_matches(word, candidates, n=1)
        hint = f"did you mean '{close[0]}'?" if close else _options_hint(layer)
        return SpecNameError(f"unknown word '{word}' for {layer.name}", self.span(pos), hint)


def _options_hint(layer) -> str:
    return layer.options_hint()
