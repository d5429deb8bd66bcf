"""Option declarations: what a layer kind's argument is called, how its value is
converted, what to tell a user who gets it wrong, and the words naming it in messages.

A kind lists the declarations it takes (`options = takes(KERNEL, CHANNELS, ...)`); the
ones several kinds share are written once here, a kind's own ones in its module. The
converters turn an evaluated value (int, Fraction, tuple, sympy, or a raw name) into the
form the rules use, or raise SpecValueError (the builder adds the place).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from .. import dims
from ..errors import SpecValueError

MAX_WHOLE = 2**63 - 1  # sizes and counts are int64 in every framework


@dataclass(frozen=True)
class Option:
    """One argument a layer kind takes: written `name=value` (and, when it is one of the
    kind's positional slots, as a bare value)."""

    name: str
    converter: Callable[[Any], Any]
    hint: str | None = None  # for a value out of range
    slot: str | None = None  # "a kernel size (e.g. 3x3)", for "conv needs ..." messages
    raw_name: bool = False  # the value is an identifier (act=relu), not an expression
    listed: bool = True  # named in "options: ..." hints (not the main count, written bare)

    def convert(self, value):
        return self.converter(value)

    @property
    def slot_words(self) -> str:
        return self.slot or self.name


def takes(*options: Option) -> Mapping[str, Option]:
    """A kind's options, by name (read-only)."""
    return MappingProxyType({o.name: o for o in options})


# --------------------------------------------------------------------------- converters
def whole(value, what: str, minimum: int = 1):
    if isinstance(value, tuple) or isinstance(value, str) or isinstance(value, bool) or value is None:
        raise SpecValueError(f"{what} must be a number, got {show(value)}")
    if isinstance(value, float) or not dims.is_whole(value):
        raise SpecValueError(
            f"{what} must be a whole number, got {show(value)}",
            hint="nothing is rounded silently: use int(), round() or make_divisible()")
    value = dims.exact(value)
    if dims.known_below(value, minimum):
        raise SpecValueError(f"{what} must be at least {minimum}, got {show(value)}")
    if dims.is_number(value) and value > MAX_WHOLE:
        raise SpecValueError(f"{what} must be at most 2**63 - 1 (any framework's limit), "
                             f"got a number of {len(str(value))} digits",
                             hint="check the value; the sizes of real networks have a few digits")
    return int(value) if dims.is_number(value) else value


def show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if hasattr(value, "numerator") and getattr(value, "denominator", 1) != 1:
        return f"{float(value):g}" if abs(value) < 10**300 else f"a fraction of {len(str(int(value)))} digits"
    return str(value)


def pair(value, what: str, minimum: int = 1) -> tuple:
    """An int or a 2-tuple/dims literal -> (h, w)."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise SpecValueError(f"{what} takes one value or two (height, width), got {len(value)}")
        return tuple(whole(v, what, minimum) for v in value)
    v = whole(value, what, minimum)
    return (v, v)


def padding(value, what: str = "pad") -> tuple:
    """pad=P, pad=(h, w) or pad=(top, bottom, left, right) -> (t, b, l, r)."""
    if isinstance(value, tuple):
        vals = tuple(whole(v, what, 0) for v in value)
        if len(vals) == 2:
            return (vals[0], vals[0], vals[1], vals[1])
        if len(vals) == 4:
            return vals
        raise SpecValueError(f"{what} takes 1, 2 (h, w) or 4 (top, bottom, left, right) values, got {len(vals)}")
    v = whole(value, what, 0)
    return (v, v, v, v)


def positive(value, what: str):
    return whole(value, what, 1)


def nonnegative(value, what: str):
    return whole(value, what, 0)


def fraction(value, what: str, low=0, high=None, high_open=True):
    if isinstance(value, (tuple, str)) or isinstance(value, bool):
        raise SpecValueError(f"{what} must be a number, got {show(value)}")
    if dims.is_number(value) or isinstance(value, float):
        if value < low or (high is not None and (value >= high if high_open else value > high)):
            rng = f"[{low}, {high})" if high_open else f"[{low}, {high}]"
            raise SpecValueError(f"{what} must be in {rng}, got {show(value)}")
    return value


def activation_name(value, what: str):
    from .base import REGISTRY, lookup, user_kinds

    if not isinstance(value, str):
        raise SpecValueError(f"{what} must name an activation such as relu or sigmoid")
    layer = lookup(value)
    if layer is None or layer.category != "activation":
        raise SpecValueError(f"{what}={value}: not an activation",
                             hint="activations: " + ", ".join(
                                 n for n in user_kinds() if REGISTRY[n].category == "activation"))
    return layer.name


# --------------------------------------------------------------------------- shared options
KERNEL = Option("kernel", lambda v: pair(v, "kernel size"),
                "a kernel is at least 1x1, e.g. 3x3 or kernel=(1, 7)", "a kernel size (e.g. 3x3)")
CHANNELS = Option("channels", lambda v: positive(v, "channel count"),
                  "a layer makes at least one channel, e.g. conv 3x3 64", "an output channel count",
                  listed=False)
STRIDE = Option("stride", lambda v: pair(v, "stride"),
                "s1 keeps the size and s2 halves it; a stride is at least 1")
DILATION = Option("dilation", lambda v: pair(v, "dilation"),
                  "d1 is an ordinary kernel; a dilation is at least 1")
PAD = Option("pad", padding, "p0 (or `valid`) pads nothing; padding is never negative", "a padding")
GROUPS = Option("groups", lambda v: positive(v, "groups"),
                "g1 is an ordinary conv; groups divide the input and output channels")
MULT = Option("mult", lambda v: positive(v, "depth multiplier"), "m1 makes one filter per input channel")
ACT = Option("act", lambda v: activation_name(v, "act"), raw_name=True)
GATE = Option("gate", lambda v: activation_name(v, "gate"), raw_name=True)
SPATIAL = (KERNEL, STRIDE, PAD, DILATION)  # every windowed layer's

# Options whose values are identifiers, whatever the kind (for code that reads a spec's
# names without building it, e.g. report/layer.py).
RAW_NAME_OPTIONS = frozenset({ACT.name, GATE.name, "mode"})


def mode_option(choices: tuple[str, ...], hint: str, name: str = "mode") -> Option:
    """An option naming one of `choices` (`mode=reflect`): its value is an identifier."""
    def convert(value):
        if value not in choices:
            raise SpecValueError(f"{name}={show(value)}: choose {', '.join(choices)}")
        return value
    return Option(name, convert, hint, raw_name=True)
