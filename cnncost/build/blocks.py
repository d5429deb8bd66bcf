"""The Builder's blocks: residual (with its shortcut), freeze, and merges (concat, add,
mul) of branches."""
from __future__ import annotations

from ..dsl import ast
from ..errors import ShapeError, SpecNameError, SpecSyntaxError
from .frames import Frame

MERGE_BLOCKS = ("concat", "add", "mul")
BLOCK_KINDS = ("residual", "shortcut", "branch", "freeze", *MERGE_BLOCKS)


class Blocks:
    """Block methods of the Builder (builder.py)."""

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
