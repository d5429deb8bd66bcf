"""lark tree -> AST (cnncost.dsl.ast). One method per grammar rule."""
from __future__ import annotations

from fractions import Fraction

from lark import Token, v_args
from lark.visitors import Transformer_NonRecursive

from ..errors import LimitError, Span, SpecValueError
from . import ast

MAX_DIGITS = 1240  # 2**4096, the largest number an expression may reach, has 1,234 digits


def _pos(meta_or_token) -> ast.Pos:
    line = getattr(meta_or_token, "line", 1) or 1
    col = getattr(meta_or_token, "column", 1) or 1
    end_line = getattr(meta_or_token, "end_line", line)
    end_col = getattr(meta_or_token, "end_column", col + 1) or col + 1
    width = end_col - col if end_line == line else 1
    return ast.Pos(line, col, max(1, width))


def _number(text: str):
    """Exact values: integers stay int, decimals become Fraction (0.1 * 30 == 3).
    Raises ValueError for a number too long or an exponent too large to be one."""
    clean = text.replace("_", "")
    if all(ch.isdigit() for ch in clean):
        if len(clean) > MAX_DIGITS:
            raise ValueError(f"{len(clean):,} digits")
        return int(clean)
    mantissa, _, exponent = clean.lower().partition("e")
    if len(mantissa) > MAX_DIGITS or (exponent and abs(int(exponent)) > MAX_DIGITS):
        raise ValueError("exponent" if exponent else f"{len(mantissa):,} digits")
    value = Fraction(clean)
    return value.numerator if value.denominator == 1 else value


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:10]}...{text[-10:]} ({len(text):,} characters)"


def _split_items(items):
    """Items of a call or paren: positional expressions and (key, expr) pairs."""
    args, kwargs, trailing_comma = [], [], False
    for item in items:
        if item is None:
            continue
        if isinstance(item, Token) and item.type == "COMMA":
            trailing_comma = True
        elif isinstance(item, ast.KwArg):
            kwargs.append((item.key, item.value))
        else:
            args.append(item)
    return args, kwargs, trailing_comma


def _stmts(items) -> tuple:
    return tuple(i for i in items if i is not None and not isinstance(i, Token))


@v_args(meta=True)
class ToAst(Transformer_NonRecursive):
    """Non-recursive, so that a deeply nested expression cannot overflow Python's stack
    here; the evaluator limits how deep an expression may be."""

    def __init__(self, file: str, source: str):
        super().__init__()
        self.file = file
        self.source = source

    def _value(self, token, convert):
        """A number's value, or a located LimitError when it is absurdly large."""
        try:
            return convert(str(token))
        except ValueError:
            line = self.source.splitlines()[token.line - 1] if token.line else ""
            pos = _pos(token)
            raise LimitError(f"number too large: {_short(str(token))}",
                             Span(self.file, pos.line, pos.col, pos.width, line),
                             f"numbers are limited to {MAX_DIGITS:,} digits and exponents to "
                             f"e±{MAX_DIGITS}") from None

    # ------------------------------------------------------------------ module
    def start(self, meta, items):
        return ast.Module(self.file, tuple(self.source.splitlines()), _stmts(items))

    def suite(self, meta, items):
        return _stmts(items)

    # ------------------------------------------------------------------ simple statements
    def network_stmt(self, meta, items):
        return ast.NetworkStmt(str(items[0]), _pos(meta))

    def input_stmt(self, meta, items):
        layout = items[1] if len(items) > 1 and items[1] is not None else None
        return ast.InputStmt(items[0], _pos(meta), str(layout) if layout is not None else None)

    def param_stmt(self, meta, items):
        return ast.ParamStmt(str(items[0]), items[1], _pos(meta))

    def symbol_stmt(self, meta, items):
        return ast.SymbolStmt(tuple(str(t) for t in items), _pos(meta))

    def let_stmt(self, meta, items):
        return ast.LetStmt(str(items[0]), items[1], _pos(meta))

    def default_stmt(self, meta, items):
        return ast.DefaultStmt(str(items[0]), tuple(items[1:]), _pos(meta))

    def output_stmt(self, meta, items):
        words = [str(t) for t in items[1:] if t is not None]  # after `output`
        main, rest = words[0], words[1:]
        if "train" in rest[:-1]:  # `train` before more names marks the training-only heads
            at = rest.index("train")
            return ast.OutputStmt(main, _pos(meta), tuple(rest[:at]), tuple(rest[at + 1:]))
        return ast.OutputStmt(main, _pos(meta), tuple(rest), ())

    def expect_stmt(self, meta, items):
        total, quantity, approx, value = items
        suffix = None
        if isinstance(value, Token):  # METRIC: 60k, 15.5G
            suffix = value[-1]
            value = ast.Number(self._value(value, lambda t: _number(t[:-1])), str(value), _pos(value))
        return ast.ExpectStmt(total is not None, str(quantity), approx is not None, value,
                              suffix, _pos(meta))

    def layer(self, meta, items):
        kind = items[0]
        seen = set()
        for arg in items[1:]:  # `stride=1 stride=2`: an error, as the same keyword twice in a call
            if isinstance(arg, ast.KwArg) and arg.key != "name":  # name= may follow each post-op
                if arg.key in seen:
                    line = self.source.splitlines()[arg.pos.line - 1]
                    raise SpecValueError(f"{kind} got '{arg.key}' twice",
                                         Span(self.file, arg.pos.line, arg.pos.col, arg.pos.width, line),
                                         f"give {arg.key}= once on a layer line")
                seen.add(arg.key)
        return ast.LayerStmt(str(kind), tuple(items[1:]), None, _pos(meta), _pos(kind))

    def layer_stmt(self, meta, items):
        return items[0]

    def assign_stmt(self, meta, items):
        name, layer = items
        return ast.LayerStmt(layer.kind, layer.args, str(name), _pos(meta), layer.kind_pos)

    # ------------------------------------------------------------------ layer arguments
    def pos_arg(self, meta, items):
        return ast.PosArg(items[0], _pos(meta))

    def kw_arg(self, meta, items):
        return ast.KwArg(str(items[0]), items[1], _pos(meta))

    def range_arg(self, meta, items):
        return ast.RangeArg(items[0], items[1], _pos(meta))

    # ------------------------------------------------------------------ compound statements
    def def_stmt(self, meta, items):
        name, *rest = items
        body = rest[-1]
        params = tuple(p for p in rest[:-1] if isinstance(p, ast.DefParam))
        return ast.DefStmt(str(name), params, body, _pos(meta))

    def def_param(self, meta, items):
        return ast.DefParam(str(items[0]), items[1], _pos(meta))

    def repeat_stmt(self, meta, items):
        count, var, body = items
        return ast.RepeatStmt(count, str(var) if var is not None else None, body, _pos(meta))

    def if_stmt(self, meta, items):
        cond, body, *rest = items
        branches = [(cond, body)]
        orelse = None
        for clause in rest:
            if clause is None:
                continue
            if clause[0] == "elif":
                branches.append((clause[1], clause[2]))
            else:
                orelse = clause[1]
        return ast.IfStmt(tuple(branches), orelse, _pos(meta))

    def elif_clause(self, meta, items):
        return ("elif", items[0], items[1])

    def else_clause(self, meta, items):
        return ("else", items[0])

    def block_stmt(self, meta, items):
        kind, cond, body = items
        return ast.BlockStmt(str(kind), cond, body, None, _pos(meta))

    def assign_block_stmt(self, meta, items):
        name, kind, cond, body = items
        return ast.BlockStmt(str(kind), cond, body, str(name), _pos(meta))

    # ------------------------------------------------------------------ expressions
    def number(self, meta, items):
        return ast.Number(self._value(items[0], _number), str(items[0]), _pos(meta))

    def dims(self, meta, items):
        text = str(items[0])
        return ast.Dims(self._value(items[0], lambda t: tuple(_number(p) for p in t.split("x"))),
                        text, _pos(meta))

    def name(self, meta, items):
        return ast.Name(str(items[0]), _pos(meta))

    def attr(self, meta, items):
        return ast.Attr(str(items[0]), str(items[1]), _pos(meta))

    def call(self, meta, items):
        func, *rest = items
        args, kwargs, _ = _split_items(rest)
        return ast.Call(str(func), tuple(args), tuple(kwargs), _pos(meta))

    def paren(self, meta, items):
        args, kwargs, trailing = _split_items(items)
        if len(args) == 1 and not kwargs and not trailing:
            return args[0]  # grouping: (c * 2)
        return ast.Tuple(tuple(args), tuple(kwargs), _pos(meta))

    def binop(self, meta, items):
        left = items[0]
        for i in range(1, len(items), 2):
            left = ast.BinOp(str(items[i]), left, items[i + 1], _pos(meta))
        return left

    def unary(self, meta, items):
        return ast.Unary(str(items[0]), items[1], _pos(meta))

    def compare(self, meta, items):
        rest = tuple((str(items[i]), items[i + 1]) for i in range(1, len(items), 2))
        return ast.Compare(items[0], rest, _pos(meta))

    def or_(self, meta, items):
        return ast.BoolOp("or", tuple(items), _pos(meta))

    def and_(self, meta, items):
        return ast.BoolOp("and", tuple(items), _pos(meta))

    def not_(self, meta, items):
        return ast.Not(items[0], _pos(meta))
