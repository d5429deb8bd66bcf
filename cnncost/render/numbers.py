"""How numbers are shown: exact with thousands separators, and a short human form."""
from __future__ import annotations

from fractions import Fraction

_PREFIXES = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def is_plain(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def _symbolic():
    from .. import symbolic  # deferred: only formulas need it

    return symbolic


def _number(value):
    """A sympy number (what is left of an expression whose symbols cancelled) as an int
    or Fraction, so it is shown like any other number."""
    if hasattr(value, "free_symbols") and not value.free_symbols and value.is_Rational:
        return _symbolic().substitute(value, {})
    return value


def exact_text(value) -> str:
    """138357544 -> '138,357,544'; 1/2 -> '0.5'; sympy expressions as the lecture writes
    them (`n - f + 1`, see cnncost.symbolic.plain)."""
    if isinstance(value, bool):
        return str(value)
    value = _number(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator:,}"
        return f"{float(value):,.6g}" if _fits_float(value) else str(value)
    return _symbolic().plain(value)


def _fits_float(value: Fraction) -> bool:
    """False for a fraction beyond floats (numbers in a spec reach 2**4096)."""
    return abs(value) < 10**300


def short(value, unit: str = "", digits: int | None = None) -> str:
    """138357544 -> '138.4 M' (one decimal past the prefix; with `digits`, that many
    significant digits: 4089184000 -> '4.09 G'); an expression has no short form and
    prints whole."""
    value = _number(value)
    if not is_plain(value):
        return _symbolic().plain(value)
    if isinstance(value, Fraction) and not _fits_float(value):
        return exact_text(value)
    for size, prefix in _PREFIXES:
        if abs(value) >= size:
            scaled = float(value) / size
            text = f"{scaled:.1f}" if digits is None else f"{scaled:#.{digits}g}".rstrip(".")
            return f"{text} {prefix}{unit}".rstrip()
    return f"{exact_text(value)} {unit}".rstrip()


def short_below(value) -> str:
    """The short form printed under an exact total: blank for an expression, which has
    none (it would only repeat the line above)."""
    return short(value) if is_plain(_number(value)) else ""


def bytes_(value) -> str:
    """Bytes in binary-free decimal units: 26292224 -> '26.3 MB'."""
    if not is_plain(value):
        return _symbolic().plain(value)
    return short(value, "B") if value >= 1000 else f"{value} B"


def shape(dims) -> str:
    """28x28x16; compound expressions in parentheses: (n - f + 1)x(n - f + 1)xnc2."""
    return "x".join(exact_text(d).replace(",", "") if is_plain(d) else _symbolic().dim(d) for d in dims)


def pair(values) -> str:
    """A per-axis pair shown once when both axes agree: (7, 7) -> '7', (7, 1) -> '7x1'."""
    a, b = values
    if a == b:
        return exact_text(a)
    return "x".join(exact_text(v) if is_plain(v) else _symbolic().dim(v) for v in values)


FRACTIONAL_FIELD = ("* the receptive field of a layer after a transposed convolution or upsampling "
                    "is a fraction in the recurrence (the jump becomes 1/stride, Araujo et al. 2019) "
                    "and varies between output units: shown rounded up, the exact value is in "
                    "--format json")


def field(values) -> str:
    """A receptive field's size, as `pair`; a fraction (after a transposed convolution or
    upsampling) rounded up and marked `*` (see FRACTIONAL_FIELD), never printed as 1.5."""
    def one(v):
        v = _number(v)
        if isinstance(v, Fraction) and v.denominator != 1:
            return f"{-(-v.numerator // v.denominator):,}*"
        return exact_text(v) if is_plain(v) else _symbolic().dim(v)

    a, b = values
    return one(a) if a == b else f"{one(a)}x{one(b)}"


def has_fraction(values) -> bool:
    return any(isinstance(_number(v), Fraction) and _number(v).denominator != 1 for v in values)


def jsonable(value):
    """ints stay ints; a whole Fraction becomes an int, another a float; a sympy
    expression a string `sympy.sympify` reads back (a sympy number a number)."""
    kind = type(value)
    if kind is int or kind is str or value is None or kind is bool:
        return value
    if kind is tuple and all(type(v) is int for v in value):
        return list(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return float(value) if _fits_float(value) else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    number = _number(value)
    return jsonable(number) if number is not value else _symbolic().plain(value)
