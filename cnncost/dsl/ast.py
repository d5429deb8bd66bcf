"""The spec's abstract syntax: immutable records named after the grammar rules.

Every node keeps its position (line, column, width) so any later error can point at it.
They are NamedTuples rather than frozen dataclasses only because they are created at
every start-up and a NamedTuple class costs a seventh as much to define.
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple, Union


class Pos(NamedTuple):
    line: int
    col: int
    width: int = 1


# --------------------------------------------------------------------------- expressions

class Number(NamedTuple):
    value: Union[int, Fraction]
    text: str
    pos: Pos


class Dims(NamedTuple):
    """A dims literal: 3x3, 224x224x3."""
    values: tuple[int, ...]
    text: str
    pos: Pos


class Name(NamedTuple):
    id: str
    pos: Pos


class Attr(NamedTuple):
    """Only `in.h`, `in.w`, `in.c`: the shape of the current line's input."""
    obj: str
    attr: str
    pos: Pos


class Call(NamedTuple):
    func: str
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


class Tuple(NamedTuple):
    """A parenthesised list `(H, W, 3)`; may hold key=value items when it is a def call."""
    items: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


class BinOp(NamedTuple):
    op: str
    left: "Expr"
    right: "Expr"
    pos: Pos


class Unary(NamedTuple):
    op: str
    operand: "Expr"
    pos: Pos


class Compare(NamedTuple):
    first: "Expr"
    rest: tuple[tuple[str, "Expr"], ...]
    pos: Pos


class BoolOp(NamedTuple):
    op: str  # "and" | "or"
    values: tuple["Expr", ...]
    pos: Pos


class Not(NamedTuple):
    operand: "Expr"
    pos: Pos


Expr = Union[Number, Dims, Name, Attr, Call, Tuple, BinOp, Unary, Compare, BoolOp, Not]


# --------------------------------------------------------------------------- layer arguments

class PosArg(NamedTuple):
    value: Expr
    pos: Pos


class KwArg(NamedTuple):
    key: str
    value: Expr
    pos: Pos


class RangeArg(NamedTuple):
    """`A:B` as in `slice 0:58`."""
    lo: Expr
    hi: Expr
    pos: Pos


Arg = Union[PosArg, KwArg, RangeArg]


# --------------------------------------------------------------------------- statements

class NetworkStmt(NamedTuple):
    name: str
    pos: Pos


class InputStmt(NamedTuple):
    shape: Expr
    pos: Pos
    layout: str | None = None  # `input 3x224x224 chw`: the order the dims are written in


class ParamStmt(NamedTuple):
    name: str
    value: Expr
    pos: Pos


class SymbolStmt(NamedTuple):
    names: tuple[str, ...]
    pos: Pos


class LetStmt(NamedTuple):
    name: str
    value: Expr
    pos: Pos


class DefaultStmt(NamedTuple):
    kind: str
    args: tuple[Arg, ...]
    pos: Pos


class OutputStmt(NamedTuple):
    """`output main aux1 aux2 train aux1 aux2`: the main output, further heads, and the
    heads used only in training."""
    name: str
    pos: Pos
    others: tuple[str, ...] = ()
    train: tuple[str, ...] = ()


class ExpectStmt(NamedTuple):
    total: bool
    quantity: str
    approx: bool
    value: Expr
    suffix: str | None
    pos: Pos


class LayerStmt(NamedTuple):
    """`conv 3x3 64 same relu`, or with `assign`, `x = conv ...`."""
    kind: str
    args: tuple[Arg, ...]
    assign: str | None
    pos: Pos
    kind_pos: Pos


class DefParam(NamedTuple):
    name: str
    default: Expr | None
    pos: Pos


class DefStmt(NamedTuple):
    name: str
    params: tuple[DefParam, ...]
    body: tuple["Stmt", ...]
    pos: Pos


class RepeatStmt(NamedTuple):
    count: Expr
    var: str | None
    body: tuple["Stmt", ...]
    pos: Pos


class IfStmt(NamedTuple):
    branches: tuple[tuple[Expr, tuple["Stmt", ...]], ...]
    orelse: tuple["Stmt", ...] | None
    pos: Pos


class BlockStmt(NamedTuple):
    """`residual:`, `shortcut:`, `shortcut if EXPR:`, `concat:`, `add:`, `mul:`,
    `branch:`, `freeze:`; with `assign`, `x = concat:`."""
    kind: str
    cond: Expr | None
    body: tuple["Stmt", ...]
    assign: str | None
    pos: Pos


Stmt = Union[NetworkStmt, InputStmt, ParamStmt, SymbolStmt, LetStmt, DefaultStmt, OutputStmt,
             ExpectStmt, LayerStmt, DefStmt, RepeatStmt, IfStmt, BlockStmt]


class Module(NamedTuple):
    file: str
    lines: tuple[str, ...]
    body: tuple[Stmt, ...]


def walk(node):
    """Every record inside `node` (itself included), depth first: statements, arguments,
    expressions. Generic over the NamedTuples above, so a new record needs no change here."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if hasattr(item, "_fields") and not isinstance(item, Pos):
                yield item
            stack.extend(reversed(item))



def dump(node, width: int = 100) -> str:
    """A stable, readable text of `node` (a Module or any record inside it), for golden
    files and debugging: a record that fits in `width` columns is one line
    `Kind(field=value, ...) @line:col+width`, a longer one is its kind and then its fields
    indented below. A Module's source lines are left out. Generic over the records, like
    walk(): a new record needs no change here."""
    out: list[str] = []
    _dump(node, 0, "", width, out)
    return "\n".join(out) + "\n"


def _fields(item):
    """A record's (name, value) pairs without its own `pos` (shown after it) and without a
    Module's source lines."""
    return [(key, value) for key, value in zip(item._fields, item)
            if key != "pos" and not (isinstance(item, Module) and key == "lines")]


def _at(item) -> str:
    pos = getattr(item, "pos", None)
    return f" @{_inline(pos)}" if isinstance(pos, Pos) else ""


def _dump(item, depth: int, prefix: str, width: int, out: list[str]) -> None:
    pad = "  " * depth
    text = _inline(item)
    if len(pad) + len(prefix) + len(text) <= width or not isinstance(item, tuple) \
            or isinstance(item, Pos):
        out.append(pad + prefix + text)
        return
    if hasattr(item, "_fields"):
        out.append(pad + prefix + type(item).__name__ + _at(item))
        for key, value in _fields(item):
            _dump(value, depth + 1, f"{key}=", width, out)
    else:
        if prefix:
            out.append(pad + prefix)
            depth += 1
        for value in item:
            _dump(value, depth, "- ", width, out)


def _inline(item) -> str:
    if isinstance(item, Pos):
        return f"{item.line}:{item.col}+{item.width}"
    if hasattr(item, "_fields"):
        return type(item).__name__ + "(" + ", ".join(
            f"{key}={_inline(value)}" for key, value in _fields(item)) + ")" + _at(item)
    if isinstance(item, tuple):
        return "(" + ", ".join(_inline(value) for value in item) + ("," if len(item) == 1 else "") + ")"
    if isinstance(item, Fraction):
        return str(item)
    return repr(item)
