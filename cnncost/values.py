"""Numbers given as text outside a spec (command-line options, the Python API's arguments),
read exactly and within bounds before any work: `1e999999999` is refused at once rather
than expanded into a billion-digit integer, and digits that only look like 0-9 (fullwidth
６４, Arabic-Indic ١٦٠) are refused with a hint, as the spec language refuses them.
"""
from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

MAX_CHARS = 40  # the longest number text read: far more digits than any setting needs
MAX_EXPONENT = 30  # 1e30 and 1e-30 are the most extreme scientific notations read
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]+/0*[1-9][0-9]*")
_WHOLE = re.compile(r"[+-]?[0-9]+")


class NumberError(ValueError):
    """A number given as text that cannot be read or is out of bounds; str() says why."""


def _lookalike(text: str) -> str | None:
    for char in text:
        if not char.isascii() and (char.isdigit() or unicodedata.category(char) == "Nd"):
            name = unicodedata.name(char, "a digit")
            return f"a digit that is not 0-9: {char!r} is U+{ord(char):04X} {name}; retype it"
        if not char.isascii():
            name = unicodedata.name(char, "an unnamed character")
            return f"{char!r} is U+{ord(char):04X} {name}, not ASCII; retype it"
    return None


def _bounds(low, high, low_open: bool) -> str:
    parts = [] if low is None else [f"greater than {_show(low)}" if low_open else f"at least {_show(low)}"]
    parts += [] if high is None else [f"at most {_show(high)}"]
    return " and ".join(parts) or f"between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}"


def _show(value) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        return f"{float(value):g}"
    return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value) if value == int(value) else value)


def read_number(text, *, low=0, high=None, low_open: bool = True, whole: bool = False):
    """`text` (a str, or an int/Fraction already read) as an exact int or Fraction within
    [low, high] (low excluded when low_open; None: no bound). Decimals, 1e-3 and 3/4 are
    read; whole numbers stay int. Raises NumberError
    with a one-line reason that does not repeat the text (callers put it first); reads at most MAX_CHARS characters and exponents up to
    ±MAX_EXPONENT, so any input is refused in microseconds."""
    if isinstance(text, bool):
        raise NumberError("not a number")
    if isinstance(text, int) or (isinstance(text, Fraction) and not whole):
        value = text
    elif isinstance(text, Fraction):
        if text.denominator != 1:
            raise NumberError("not a whole number")
        value = int(text)
    elif isinstance(text, float):
        if text != text or text in (float("inf"), float("-inf")):
            raise NumberError("not a finite number")
        value = Fraction(text)
        if whole and value.denominator != 1:
            raise NumberError("not a whole number")
        value = int(value) if value.denominator == 1 else value
    elif isinstance(text, str):
        clean = text.strip()
        problem = _lookalike(clean)
        if problem:
            raise NumberError(problem)
        if len(clean) > MAX_CHARS:
            raise NumberError(f"{len(clean):,} characters is too long for a number")
        if whole:
            if not _WHOLE.fullmatch(clean):
                raise NumberError("not a whole number")
            value = int(clean)
        else:
            match = _DECIMAL.fullmatch(clean)
            if not match:
                raise NumberError("not a number")
            mantissa, _, exponent = clean.lower().partition("e")
            if exponent and abs(int(exponent)) > MAX_EXPONENT:
                raise NumberError(f"exponents beyond e±{MAX_EXPONENT} are not read (the value "
                                  f"must be {_bounds(low, high, low_open)})")
            value = Fraction(clean)
            value = value.numerator if value.denominator == 1 else value
    else:
        raise NumberError(f"not a number (a {type(text).__name__})")
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        raise NumberError(f"out of range: the value must be {_bounds(low, high, low_open)}")
    return value
