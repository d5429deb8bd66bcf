"""The spec's abstract syntax: frozen dataclasses named after the grammar rules.

Every node keeps its position (line, column, width) so any later error can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Union


@dataclass(frozen=True)
class Pos:
    line: int
    col: int
    width: int = 1


# --------------------------------------------------------------------------- expressions

@dataclass(frozen=True)
class Number:
    value: Union[int, Fraction]
    text: str
    pos: Pos


@dataclass(frozen=True)
class Dims:
    """A dims literal: 3x3, 224x224x3."""
    values: tuple[int, ...]
    text: str
    pos: Pos


@dataclass(frozen=True)
class Name:
    id: str
    pos: Pos


@dataclass(frozen=True)
class Attr:
    """Only `in.h`, `in.w`, `in.c`: the shape of the current line's input."""
    obj: str
    attr: str
    pos: Pos


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


@dataclass(frozen=True)
class Tuple:
    """A parenthesised list `(H, W, 3)`; may hold key=value items when it is a def call."""
    items: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Expr"
    right: "Expr"
    pos: Pos


@dataclass(frozen=True)
class Unary:
    op: str
    operand: "Expr"
    pos: Pos


@dataclass(frozen=True)
class Compare:
    first: "Expr"
    rest: tuple[tuple[str, "Expr"], ...]
    pos: Pos


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    values: tuple["Expr", ...]
    pos: Pos


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    pos: Pos


Expr = Union[Number, Dims, Name, Attr, Call, Tuple, BinOp, Unary, Compare, BoolOp, Not]


# --------------------------------------------------------------------------- layer arguments

@dataclass(frozen=True)
class PosArg:
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class KwArg:
    key: str
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class RangeArg:
    """`A:B` as in `slice 0:58`."""
    lo: Expr
    hi: Expr
    pos: Pos


Arg = Union[PosArg, KwArg, RangeArg]


# --------------------------------------------------------------------------- statements

@dataclass(frozen=True)
class NetworkStmt:
    name: str
    pos: Pos


@dataclass(frozen=True)
class InputStmt:
    shape: Expr
    pos: Pos


@dataclass(frozen=True)
class ParamStmt:
    name: str
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class SymbolStmt:
    names: tuple[str, ...]
    pos: Pos


@dataclass(frozen=True)
class LetStmt:
    name: str
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class DefaultStmt:
    kind: str
    args: tuple[Arg, ...]
    pos: Pos


@dataclass(frozen=True)
class OutputStmt:
    name: str
    pos: Pos


@dataclass(frozen=True)
class ExpectStmt:
    total: bool
    quantity: str
    approx: bool
    value: Expr
    suffix: str | None
    pos: Pos


@dataclass(frozen=True)
class LayerStmt:
    """`conv 3x3 64 same relu`, or with `assign`, `x = conv ...`."""
    kind: str
    args: tuple[Arg, ...]
    assign: str | None
    pos: Pos
    kind_pos: Pos


@dataclass(frozen=True)
class DefParam:
    name: str
    default: Expr | None
    pos: Pos


@dataclass(frozen=True)
class DefStmt:
    name: str
    params: tuple[DefParam, ...]
    body: tuple["Stmt", ...]
    pos: Pos


@dataclass(frozen=True)
class RepeatStmt:
    count: Expr
    var: str | None
    body: tuple["Stmt", ...]
    pos: Pos


@dataclass(frozen=True)
class IfStmt:
    branches: tuple[tuple[Expr, tuple["Stmt", ...]], ...]
    orelse: tuple["Stmt", ...] | None
    pos: Pos


@dataclass(frozen=True)
class BlockStmt:
    """`residual:`, `shortcut:`, `shortcut if EXPR:`, `concat:`, `add:`, `mul:`,
    `branch:`, `freeze:`; with `assign`, `x = concat:`."""
    kind: str
    cond: Expr | None
    body: tuple["Stmt", ...]
    assign: str | None
    pos: Pos


Stmt = Union[NetworkStmt, InputStmt, ParamStmt, SymbolStmt, LetStmt, DefaultStmt, OutputStmt,
             ExpectStmt, LayerStmt, DefStmt, RepeatStmt, IfStmt, BlockStmt]


@dataclass(frozen=True)
class Module:
    file: str
    lines: tuple[str, ...]
    body: tuple[Stmt, ...]
