"""How numbers are shown: exact with thousands separators, and a short human form."""
from __future__ import annotations

from fractions import Fraction

_PREFIXES = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def is_plain(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def exact(value) -> str:
    """138357544 -> '138,357,544'; 1/2 -> '0.5'; sympy expressions as sympy prints them."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator:,}"
        return f"{float(value):,.6g}" if _fits_float(value) else str(value)
    return str(value)


def _fits_float(value: Fraction) -> bool:
    """False for a fraction beyond floats (numbers in a spec reach 2**4096)."""
    return abs(value) < 10**300


def short(value, unit: str = "") -> str:
    """138357544 -> '138.4 M' (three significant digits past the prefix)."""
    if not is_plain(value):
        return str(value)
    if isinstance(value, Fraction) and not _fits_float(value):
        return exact(value)
    for size, prefix in _PREFIXES:
        if abs(value) >= size:
            return f"{float(value) / size:.1f} {prefix}{unit}".rstrip()
    return f"{exact(value)} {unit}".rstrip()


def bytes_(value) -> str:
    """Bytes in binary-free decimal units: 26292224 -> '26.3 MB'."""
    if not is_plain(value):
        return str(value)
    return short(value, "B") if value >= 1000 else f"{value} B"


def shape(dims) -> str:
    return "x".join(exact(d).replace(",", "") if is_plain(d) else str(d) for d in dims)


def pair(values) -> str:
    """A per-axis pair shown once when both axes agree: (7, 7) -> '7', (7, 1) -> '7x1'."""
    a, b = values
    return exact(a) if a == b else f"{exact(a)}x{exact(b)}"


def jsonable(value):
    """ints stay ints; a whole Fraction becomes an int, another a float; sympy a string."""
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
    return str(value)
