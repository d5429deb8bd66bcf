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


class Scope:
    """Names in one naming scope: `conv1`, `conv2`, `stage1`, repeat indices."""

    def __init__(self, path: tuple[str, ...]):
        self.path = path
        self.counts: Counter = Counter()
        self.used: set[str] = set()

    def child(self, name: str) -> "Scope":
        return Scope(self.path + (name,))

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
