"""Frames and naming scopes: what a block being run can see and how its nodes are named."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..dsl import ast
from ..expr import Block, Env


class Definition(Block):
    """A `def`: its statement and the frame it was defined in (lexical scope)."""

    __slots__ = ("stmt", "closure")

    def __init__(self, stmt: ast.DefStmt, closure: "Frame"):
        self.stmt, self.closure = stmt, closure


NO_LEVEL = "_"  # `_ = residual:`, `_ = f(...)`: the block's names go in the enclosing scope


class Scope:
    """Names in one naming scope: `conv1`, `conv2`, `stage1`, repeat indices; in a
    `seq:` scope (torch.nn.Sequential) every layer, call and block is numbered 0, 1, 2."""

    def __init__(self, path: tuple[str, ...], sequential: bool = False):
        self.path = path
        self.sequential = sequential
        self.counts: Counter = Counter()

    def child(self, name: str, sequential: bool = False) -> "Scope":
        return Scope(self.path + (name,), sequential)

    def named(self, assign: str | None, stem: str, sequential: bool = False) -> "Scope":
        """The scope of a block or call: `x = ...` names it x, `_ = ...` adds no level
        (the enclosing scope, made sequential for `_ = seq:`), otherwise automatic."""
        if assign == NO_LEVEL:
            if not sequential or self.sequential:
                return self
            numbered = Scope(self.path, True)
            numbered.counts = self.counts  # one count per scope: names never repeat
            return numbered
        return self.child(assign or self.auto(stem), sequential)

    def auto(self, stem: str) -> str:
        if self.sequential:
            return self.next_index()
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
    scope: Scope
    parent: "Frame | None" = None
    outputs: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)
    frozen: bool = False
    merge: "list | None" = None  # branch outputs being collected by concat:/add:/mul:
    merge_input: int | None = None
    depth: int = 0

    def child(self, scope: Scope | None = None, **changes) -> "Frame":
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



def is_variable(name: str, frame: Frame) -> bool:
    try:
        value = frame.env.lookup(name)
    except KeyError:
        return False
    return not isinstance(value, Definition)


def safe_lookup(env: Env, name: str):
    try:
        return env.lookup(name)
    except KeyError:
        return None
