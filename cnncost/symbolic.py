"""The sympy side of cnncost, in one place: symbols, the lecture's way of printing
expressions, simplification and ratios.

Every function imports sympy itself, and only when it is handed an expression: a numeric
run never imports it (`is_symbolic` tells without importing). Expressions print the way
the course notes write them: `n - f + 1` (positive terms first, the constant last),
`1/f**2` rather than `f**(-2)`, `floor((H - 1)/2)` rather than `floor(H/2 - 1/2)`, and
the strings read back with `sympy.sympify`.
"""
from __future__ import annotations

import functools
from fractions import Fraction

# an expression with more operations than this is not handed to sympy.simplify (which
# grows much faster than linearly); totals of whole networks stay as they are summed
SIMPLIFY_MAX_OPS = 60


def _sympy():
    import sympy  # deferred: numeric runs never import it

    return sympy


def is_symbolic(value) -> bool:
    """A sympy expression with at least one symbol in it (without importing sympy)."""
    return bool(getattr(value, "free_symbols", None))


def is_sympy(value) -> bool:
    """Any sympy object, symbols or not (sympy.Integer(3) included)."""
    return hasattr(value, "free_symbols")


def too_large(value, bits: int) -> bool:
    """A number inside the expression beyond 2**bits: the limit every spec number has
    (nested strides of 2**62 make such denominators, too long even to print)."""
    sp = _sympy()
    return any(max(abs(a.p).bit_length(), a.q.bit_length()) > bits
               for a in value.atoms(sp.Rational))


def names_in(value) -> list[str]:
    """The names of the symbols anywhere in `value` (expressions inside tuples, lists,
    dicts and dataclasses), sorted. JSON output lists them so that a reader can give
    sympy.sympify the locals it needs: `E`, `N`, `S`, `I` and `pi` are otherwise read back
    as sympy's constants and functions."""
    import dataclasses

    found: set[str] = set()
    todo, seen = [value], set()
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if is_symbolic(item):
            found.update(s.name for s in item.free_symbols)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (tuple, list)):
            todo.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            todo.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return sorted(found)


SYMBOL_KINDS = ("integer", "positive", "real")  # `symbol rho real`; integer is the default
REAL_KINDS = ("real", "positive")  # both a positive real


def symbol(name: str, real: bool = False, kind: str | None = None):
    """A spec's unknown: a positive integer (a size, a channel count), or a positive real
    when the spec uses it where a real is needed (a width multiplier inside int()). A
    declared `kind` decides instead: `integer` (a positive integer), `real` or `positive`
    (a positive real: multipliers and sizes are never negative, so int() is floor())."""
    sp = _sympy()
    if kind in REAL_KINDS or (kind is None and real):
        return sp.Symbol(name, positive=True)
    return sp.Symbol(name, positive=True, integer=True)


# --------------------------------------------------------------------------- printing
def _ordered(printer_class):
    """A sympy printer whose sums read as in the lecture: positive terms first (in sympy's
    order), then the negative ones, the constant last: `n - f + 1`."""

    class Lecture(printer_class):
        def _as_ordered_terms(self, expr, order=None):
            terms = super()._as_ordered_terms(expr, order=order)
            if not getattr(expr, "is_Add", False):
                return terms
            constant = [t for t in terms if t.is_number]
            rest = [t for t in terms if not t.is_number]
            positive = [t for t in rest if not t.could_extract_minus_sign()]
            negative = [t for t in rest if t.could_extract_minus_sign()]
            return positive + negative + constant

        def _print_floor(self, expr):
            return self._rounding(expr, "floor")

        def _print_ceiling(self, expr):
            return self._rounding(expr, "ceiling")

        def _rounding(self, expr, name):
            """floor((H - 1)/2): the argument over one denominator, as in W_out's formula."""
            sp = _sympy()
            arg = sp.together(expr.args[0])
            if isinstance(self, _str_printer()):
                return f"{name}({self._print(arg)})"
            return getattr(super(), f"_print_{name}")(type(expr)(arg, evaluate=False))

    return Lecture


@functools.lru_cache(maxsize=None)
def _str_printer():
    from sympy.printing.str import StrPrinter

    return StrPrinter


@functools.lru_cache(maxsize=None)
def _plain_printer():
    sp = _sympy()

    class PlainPrinter(_ordered(_str_printer())):
        _memo: dict = {}

        def _print(self, expr, **kwargs):
            """Each subexpression printed once: receptive fields after squeeze-and-excite
            blocks share subtrees many times over (a plain walk is exponential)."""
            if kwargs:
                return super()._print(expr, **kwargs)
            memo = self._memo
            if expr not in memo:
                if len(memo) > 200_000:
                    memo.clear()
                memo[expr] = super()._print(expr)
            return memo[expr]

        def _print_Pow(self, expr, rational=False):
            """`1/f**2`, never `f**(-2)`."""
            exp = expr.exp
            if exp.is_Rational and exp.is_negative and exp != -1:
                return "1/" + self._print(sp.Pow(expr.base, -exp, evaluate=False))
            return super()._print_Pow(expr, rational)

    return PlainPrinter()


@functools.lru_cache(maxsize=None)
def _pretty_printer(unicode: bool):
    from sympy.printing.pretty.pretty import PrettyPrinter

    return _ordered(PrettyPrinter)({"use_unicode": unicode, "wrap_line": False})


def plain(value) -> str:
    """One line, readable by `sympy.sympify`: `f**2*nc*nc2*(n - f + 1)**2`. Numbers as
    Python prints them (ints without separators, fractions as a/b)."""
    if isinstance(value, Fraction):
        return str(value)
    if not is_sympy(value):
        return str(value)
    return _plain_printer().doprint(value)


def pretty(value, unicode: bool = True) -> str:
    """sympy's two-dimensional layout, sums in the lecture's order."""
    if not is_sympy(value):
        return plain(value)
    return _pretty_printer(unicode).doprint(value)


def dim(value) -> str:
    """One dimension of a shape: compound ones in parentheses, `(n - f + 1)x(n - f + 1)xnc2`."""
    text = plain(value)
    if is_sympy(value) and not (value.is_Atom or value.is_Function):
        return f"({text})"
    return text


# --------------------------------------------------------------------------- algebra
def floordiv(a, b):
    """floor(a/b), nested floors merged: floor((floor(x) + k)/n) = floor((x + k)/n) for
    whole k and n > 0, so a ResNet's height reads floor((H - 1)/4) + 1, not
    floor(floor((H - 1)/2)/2) + 1 (and later stages stay small)."""
    return _rounded_division(a, b, _sympy().floor)


def ceildiv(a, b):
    """ceil(a/b), nested ceilings merged the same way."""
    return _rounded_division(a, b, _sympy().ceiling)


def _rounded_division(a, b, rounding):
    a, b = sympify(a), sympify(b)
    if b.is_Integer and b > 0:
        inner = [t for t in _sympy().Add.make_args(a) if isinstance(t, rounding)]
        rest = a - inner[0] if len(inner) == 1 else None
        if rest is not None and rest.is_integer:
            return rounding((inner[0].args[0] + rest) / b)
    return rounding(a / b)


def sympify(value):
    """ints, Fractions and expressions as sympy objects (Fraction -> Rational)."""
    sp = _sympy()
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.sympify(value)


def simplify(value):
    """The shortest of the expression and `sympy.simplify` of it (the original when they
    tie: the formulas are already written the lecture's way). Numbers pass through;
    large expressions (a whole network's total) are left as summed."""
    if not is_symbolic(value):
        return value
    sp = _sympy()
    if sp.count_ops(value) > SIMPLIFY_MAX_OPS or value.has(sp.Piecewise):
        return value  # (make_divisible's Piecewise takes sympy.simplify seconds, for nothing)
    simpler = sp.simplify(value)
    return simpler if len(plain(simpler)) < len(plain(value)) else value


def ratio(a, b):
    """b / a in the lecture's form: a Fraction for numbers; for expressions the cancelled
    fraction, expanded into a sum when every term is a plain monomial quotient
    (`1/nc2 + 1/f**2`), else the cancelled fraction itself."""
    if not (is_sympy(a) or is_sympy(b)):
        return Fraction(b) / Fraction(a)
    sp = _sympy()
    r = sp.cancel(sympify(b) / sympify(a))
    if not r.free_symbols:
        return Fraction(int(sp.numer(r)), int(sp.denom(r)))
    expanded = sp.expand(r)
    terms = sp.Add.make_args(expanded)
    if len(terms) > 1 and all(not part.has(sp.Add) for t in terms for part in sp.fraction(t)):
        return expanded
    return simplify(r)


def substitute(value, values: dict):
    """The expression with numbers for its symbols (by name), as an exact number when
    nothing is left: a Python int, or a Fraction."""
    if not is_sympy(value):
        return value
    sp = _sympy()
    by_symbol = {s: sympify(Fraction(v) if isinstance(v, str) else v)
                 for s in value.free_symbols if s.name in values for v in [values[s.name]]}
    result = value.xreplace(by_symbol) if by_symbol else value
    if result.free_symbols:
        return result
    result = sp.nsimplify(result) if result.has(sp.Float) else result
    return _number(result)


def _number(value):
    """A sympy number without symbols as a Python int or Fraction."""
    sp = _sympy()
    value = sp.simplify(value) if not value.is_Number else value
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return value


def substituted_terms(value, values: dict) -> str:
    """Each term of a sum with the numbers put in, not yet added up: `1/nc2 + 1/f**2`
    with nc2 = 5, f = 3 gives `1/5 + 1/9`."""
    terms = _plain_printer()._as_ordered_terms(value) if value.is_Add else [value]
    out = ""
    for term in terms:
        number = substitute(term, values)
        negative = isinstance(number, (int, Fraction)) and number < 0
        text = plain(-number if negative else number)
        if not out:
            out = f"-{text}" if negative else text
        else:
            out += f" - {text}" if negative else f" + {text}"
    return out


# the value every symbol takes when looking for a counterexample to "a >= b" before trying
# to prove it (a sample the network would refuse costs a proof attempt, never a wrong answer)
SAMPLE = 1024


def peak(candidates: list):
    """The largest of a network's live-memory sums (its peak activation memory).

    sympy's Max compares every pair of its arguments symbolically: minutes for a ResNet's
    hundreds of candidates. A live sum is a sum of products of sizes, and every size
    (`n - 2`, `floor((H - 1)/2) + 1`) is at least 1 for an input the network accepts: with
    each size and each floor an unknown >= 0, each sum is a polynomial, and one sum
    dominates another when no coefficient of their difference is negative. A numeric
    sample rules most pairs out first. The undominated sums stay in an unevaluated Max,
    which substitution evaluates."""
    sp = _sympy()
    unique = list(dict.fromkeys(sympify(c) for c in candidates))
    if len(unique) == 1 or all(not c.free_symbols for c in unique):
        return max(unique)
    atoms = set().union(*(c.atoms(sp.floor, sp.ceiling, sp.Max, sp.Min) for c in unique))
    if not all(_never_negative(a) for a in atoms):
        return sp.Max(*unique)
    for c in unique:  # the sizes: sums that are factors of a product
        for term in sp.preorder_traversal(c):
            if term.is_Mul:
                atoms.update(f for f in term.args if f.is_Add)
            elif term.is_Pow and term.base.is_Add:
                atoms.add(term.base)
    as_symbols = {a: sp.Dummy() for a in atoms}  # xreplace swaps the outermost ones
    replaced = [c.xreplace(as_symbols) for c in unique]
    gens = sorted(set().union(*(r.free_symbols for r in replaced)), key=sp.default_sort_key)
    try:
        polys = {c: sp.Poly(r, *gens) for c, r in zip(unique, replaced)}
    except sp.PolynomialError:  # not a polynomial in the sizes (make_divisible's Piecewise)
        return sp.Max(*unique)
    symbols = set().union(*(c.free_symbols for c in unique))
    sample = {c: c.xreplace({s: SAMPLE for s in symbols}) for c in unique}

    def dominates(a, b):
        return sample[a] >= sample[b] and all(c >= 0 for c in (polys[a] - polys[b]).coeffs())

    kept: list = []
    for c in sorted(unique, key=lambda c: -sample[c]):  # the likely winners first
        if not any(dominates(k, c) for k in kept):
            kept = [k for k in kept if not dominates(c, k)] + [c]
    return kept[0] if len(kept) == 1 else sp.Max(*kept, evaluate=False)


def _never_negative(atom) -> bool:
    """Atoms `peak` may treat as unknowns >= 0: floors and ceilings (of sizes: an output
    size is floor(...) + 1 >= 1 for an input the network accepts), a Max with a
    non-negative argument, a Min of non-negative ones."""
    sp = _sympy()
    if isinstance(atom, (sp.floor, sp.ceiling)):
        return True
    if isinstance(atom, sp.Max):
        return any(a.is_nonnegative or _never_negative(a) for a in atom.args)
    if isinstance(atom, sp.Min):
        return all(a.is_nonnegative or _never_negative(a) for a in atom.args)
    return bool(atom.is_nonnegative)


# --------------------------------------------------------------------------- the spec's symbols
# int(), round() and make_divisible() turn a real into a whole number: a symbol inside
# them (directly or through `let`/`param` lines) is a multiplier such as MobileNet's alpha
ROUNDING = frozenset({"int", "round", "make_divisible"})


def real_names(body) -> frozenset[str]:
    """The names a spec uses where a real is needed: inside int(), round() or
    make_divisible(), followed back through the `let` and `param` lines that define them.
    A name also used as a size (in the `input` shape, or alone as a layer's value, as in
    `conv 1x1 c`) stays an integer, so `int(c * w)` with w = 1 is `c` again."""
    from .dsl import ast

    needed: set[str] = set()
    sizes: set[str] = set()
    defined: dict[str, set[str]] = {}
    for node in ast.walk(tuple(body)):
        if isinstance(node, ast.Call) and node.func in ROUNDING:
            needed |= _names(node.args) | _names(tuple(v for _k, v in node.kwargs))
        elif isinstance(node, (ast.LetStmt, ast.ParamStmt)):
            defined.setdefault(node.name, set()).update(_names(node.value))
        elif isinstance(node, ast.InputStmt):
            sizes |= _names(node.shape)
        elif isinstance(node, ast.PosArg):
            items = node.value.items if isinstance(node.value, ast.Tuple) else (node.value,)
            sizes |= {item.id for item in items if isinstance(item, ast.Name)}
    needed -= sizes
    todo = list(needed)
    while todo:
        for name in defined.get(todo.pop(), ()):
            if name not in needed and name not in sizes:
                needed.add(name)
                todo.append(name)
    return frozenset(needed)


def _names(expr) -> set[str]:
    from .dsl import ast

    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
