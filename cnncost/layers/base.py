"""The layer catalogue's framework: the Layer base class, option types and the registry.

A layer kind is one subclass of Layer, registered with @register. It declares the
arguments it takes (positional slots, bare words, key=value options) and its rules:
output shape, parameters, buffers, MACs, other ops and its receptive-field step, and
`run`, its NumPy implementation for the reference executor (`cnncost verify`).
Everything that knows about a layer kind lives in its class.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping, NamedTuple

from .. import dims
from ..errors import SpecValueError

Shape = tuple  # (h, w, c) for a feature map, (n,) for a vector
Attrs = Mapping[str, Any]

REGISTRY: dict[str, "Layer"] = {}
ALIASES: dict[str, str] = {}

# Flags: a letter and digits with no space (`s2`); each stands for a long option.
FLAGS = {"s": "stride", "p": "pad", "d": "dilation", "g": "groups", "m": "mult"}


def register(cls):
    """Class decorator: add one layer kind (and its aliases) to the catalogue."""
    instance = cls()
    if not cls.__doc__:
        raise TypeError(f"layer {cls.__name__} needs a docstring")
    REGISTRY[cls.name] = instance
    for alias in cls.aliases:
        ALIASES[alias] = cls.name
    return cls


def lookup(name: str) -> "Layer | None":
    return REGISTRY.get(ALIASES.get(name, name))


def user_kinds() -> list[str]:
    """Layer kinds a spec line may use (not internal ones like `input`)."""
    return sorted(n for n, k in REGISTRY.items() if not k.internal)


class RFStep(NamedTuple):
    """How one layer maps the receptive field (per axis: height, width)."""

    kernel: tuple = (1, 1)
    stride: tuple = (1, 1)
    dilation: tuple = (1, 1)
    pad: tuple = (0, 0)  # top, left
    upsample: tuple = (1, 1)  # transposed conv and upsampling divide the jump


GLOBAL = "global"  # the layer sees its whole input (gap, flatten, fc on a map)


# --------------------------------------------------------------------------- option types
# Each converts an evaluated value (int, Fraction, tuple, sympy, or a raw name) into the
# form the rules use, or raises SpecValueError (the builder adds the place).

MAX_WHOLE = 2**63 - 1  # sizes and counts are int64 in every framework


def whole(value, what: str, minimum: int = 1):
    if isinstance(value, tuple) or isinstance(value, str) or isinstance(value, bool) or value is None:
        raise SpecValueError(f"{what} must be a number, got {_show(value)}")
    if isinstance(value, float) or not dims.is_whole(value):
        raise SpecValueError(
            f"{what} must be a whole number, got {_show(value)}",
            hint="nothing is rounded silently: use int(), round() or make_divisible()")
    value = dims.exact(value)
    if dims.known_below(value, minimum):
        raise SpecValueError(f"{what} must be at least {minimum}, got {_show(value)}")
    if dims.is_number(value) and value > MAX_WHOLE:
        raise SpecValueError(f"{what} must be at most 2**63 - 1 (any framework's limit), "
                             f"got a number of {len(str(value))} digits",
                             hint="check the value; the sizes of real networks have a few digits")
    return int(value) if dims.is_number(value) else value


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
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
        raise SpecValueError(f"{what} must be a number, got {_show(value)}")
    if dims.is_number(value) or isinstance(value, float):
        if value < low or (high is not None and (value >= high if high_open else value > high)):
            rng = f"[{low}, {high})" if high_open else f"[{low}, {high}]"
            raise SpecValueError(f"{what} must be in {rng}, got {_show(value)}")
    return value


def activation_name(value, what: str):
    if not isinstance(value, str):
        raise SpecValueError(f"{what} must name an activation such as relu or sigmoid")
    layer = lookup(value)
    if layer is None or layer.category != "activation":
        raise SpecValueError(f"{what}={value}: not an activation",
                             hint="activations: " + ", ".join(
                                 n for n in user_kinds() if REGISTRY[n].category == "activation"))
    return layer.name


# How each option's value is converted; the name is also the long keyword form.
OPTION_TYPES = {
    "kernel": lambda v: pair(v, "kernel size"),
    "channels": lambda v: positive(v, "channel count"),
    "stride": lambda v: pair(v, "stride"),
    "dilation": lambda v: pair(v, "dilation"),
    "pad": padding,
    "groups": lambda v: positive(v, "groups"),
    "mult": lambda v: positive(v, "depth multiplier"),
    "outpad": lambda v: pair(v, "output padding", 0),
    "rate": lambda v: fraction(v, "dropout rate", 0, 1),
    "ratio": lambda v: fraction(v, "squeeze ratio", 0, 1, high_open=False),
    "squeeze": lambda v: positive(v, "squeeze channels"),
    "act": lambda v: activation_name(v, "act"),
    "gate": lambda v: activation_name(v, "gate"),
    "size": lambda v: positive(v, "size"),
    "factor": lambda v: pair(v, "upsampling factor"),
    "output": lambda v: pair(v, "output size"),
    "alpha": lambda v: fraction(v, "alpha", 0),
    "shuffle_groups": lambda v: positive(v, "shuffle groups"),
    "units": lambda v: positive(v, "unit count"),
}

RAW_NAME_OPTIONS = {"act", "gate"}  # values are identifiers, not expressions


class Layer:
    """Base of every layer kind. Subclasses override what differs from 'no cost'."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    category: ClassVar[str] = "other"  # weight, activation, pool, norm, merge, reshape
    positional: ClassVar[tuple[str, ...]] = ()  # slots filled by bare values, in order
    required: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[frozenset[str]] = frozenset()  # key=value forms accepted
    words: ClassVar[Mapping[str, tuple[str, Any]]] = {}  # bare word -> (option, value)
    defaults: ClassVar[Mapping[str, Any]] = {}
    internal: ClassVar[bool] = False  # not writable in a spec (the input node)
    merge: ClassVar[bool] = False  # takes several inputs (add, concat, mul)
    width_scaled: ClassVar[bool] = False  # output channels follow the paper width rule
    has_bias: ClassVar[bool] = False
    composite: ClassVar[bool] = False  # expands into primitive nodes (sepconv, se)

    # ---- rules; `a` are the bound attributes, `ins` the input shapes, `out` the output
    def shape(self, a: Attrs, ins: list[Shape]) -> Shape:
        return ins[0]

    def params(self, a: Attrs, ins: list[Shape], out: Shape):
        return 0

    def buffers(self, a: Attrs, ins: list[Shape], out: Shape):
        return 0

    def macs(self, a: Attrs, ins: list[Shape], out: Shape):
        return 0

    def other_ops(self, a: Attrs, ins: list[Shape], out: Shape):
        """Operations that are not MACs: bias adds, normalisation, activations, pooling,
        merges. See docs/counting.md for each rule."""
        return 0

    def rf(self, a: Attrs, ins: list[Shape]):
        """An RFStep, GLOBAL, or None for layers that keep each position's field."""
        return None

    # ---- the lecture's quantities (issue 16): LeCun's connections, Keras's weight arrays
    def connections(self, a: Attrs, ins: list[Shape], out: Shape):
        """LeCun et al. 1998's count: every multiply of an input by a weight plus every
        bias add. A weight layer's other ops are its bias adds (docs/counting.md)."""
        if self.category != "weight":
            return 0
        return self.macs(a, ins, out) + self.other_ops(a, ins, out)

    def weight_tensors(self, a: Attrs) -> int:
        """The learnable arrays the layer holds (Keras's len(layer.trainable_weights)):
        a weight layer's kernel and, when it has one, its bias; none otherwise. A kind
        with other learnable arrays says so (bn)."""
        if self.category != "weight":
            return 0
        return 1 + int(bool(self.has_bias and a.get("bias")))

    # ---- the NumPy reference executor (cnncost.execute; numpy is imported only there)
    def run(self, a: Attrs, xs: list, tape):
        """Compute the output for real: `xs` are the input arrays (NHWC float32, batch
        first), `tape` (cnncost.execute.tape.Tape) allocates the parameter and buffer
        arrays and runs the counted products (`tape.matmul`, `tape.einsum`), which is
        where the executed params and MACs come from. Returns the output array (it may
        be an input array itself, but never modifies one in place). Composites need
        none: they run as the primitive nodes they expand into."""
        raise NotImplementedError(f"layer kind '{self.name}' has no NumPy implementation")

    # ---- composites (sepconv, se) expand into primitive nodes in the graph builder
    def expand(self, builder, a: Attrs, source: int):
        return None

    # ---- values mode (cnncost.values): what made one output cell, as the slides write it
    def cell(self, a: Attrs, xs: list, params: list, index: tuple):
        """The working of output cell `index` (row, col, channel) on input arrays `xs`
        (batch first) with the layer's weight arrays `params`: a cnncost.values.Cell."""
        from ..errors import CnnCostError

        raise CnnCostError(f"values mode shows no cell working for '{self.name}'",
                           hint="--cell works for conv, dwconv, pooling, fc and activations")


def elements(shape: Shape):
    return dims.product(shape)


def spatial(shape: Shape, kind: str) -> tuple:
    """(h, w, c) of a feature map, or a clear error for a vector."""
    if len(shape) != 3:
        from ..errors import ShapeError

        raise ShapeError(f"{kind} needs a feature map (height x width x channels), "
                         f"but its input is a vector of {shape[0]}",
                         hint="spatial layers must come before flatten")
    return shape
