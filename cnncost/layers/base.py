"""The layer catalogue's framework: the Layer base class and the registry.

A layer kind is one subclass of Layer, registered with @register. It declares the
arguments it takes (positional slots, bare words, key=value options, each option a
declaration from layers/options.py), an example line, and its rules: output shape,
parameters, buffers, MACs, other ops and the ledger entries they make, its
receptive-field step, `run` (its NumPy implementation for `cnncost verify`) with the
temporaries that run makes, and its Keras class. Everything that knows about a layer
kind lives in its class; docs/adding-a-layer.md is the recipe.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping, NamedTuple

from .. import dims
from .options import MAX_WHOLE, RAW_NAME_OPTIONS, Option, takes, whole  # noqa: F401 (re-exported)

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


class Part(NamedTuple):
    """One primitive layer of a composite's expansion: a node of `kind` called `name`,
    reading the parts named in `inputs` (SOURCE is the composite's input); None reads the
    part before it (the composite's input for the first part)."""

    kind: str
    attrs: Mapping[str, Any]
    name: str
    inputs: tuple[str, ...] | None = None


SOURCE = ""  # in Part.inputs: the composite's own input


class Layer:
    """Base of every layer kind. Subclasses override what differs from 'no cost'."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    category: ClassVar[str] = "other"  # weight, activation, pool, norm, merge, reshape
    positional: ClassVar[tuple[str, ...]] = ()  # slots filled by bare values, in order
    required: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Option]] = takes()  # key=value forms accepted
    words: ClassVar[Mapping[str, tuple[str, Any]]] = {}  # bare word -> (option, value)
    defaults: ClassVar[Mapping[str, Any]] = {}
    example: ClassVar[str] = ""  # a line that parses and builds, for hints and docs
    example_input: ClassVar[str] = "8x8x64"  # what the example is checked on (tests/test_registry.py)
    keeps_shape: ClassVar[bool] = False  # the shape rule is "output = input"
    internal: ClassVar[bool] = False  # not writable in a spec (the input node)
    # Keras's layer for this kind outputs the vector itself where cnncost keeps 1x1xC and
    # flattens (global pooling, keepdims=False): `--format keras` shows one row (None, C)
    keras_flat: ClassVar[bool] = False
    merge: ClassVar[bool] = False  # takes several inputs (add, concat, mul)
    residual_merge: ClassVar[bool] = False  # the merge a `residual:` block adds its branches with
    width_scaled: ClassVar[bool] = False  # output channels follow the paper width rule
    has_bias: ClassVar[bool] = False
    composite: ClassVar[bool] = False  # expands into primitive nodes (sepconv, se)
    # The ledger (passes/ledger.py): measure -> the category convention profiles price it
    # by (conventions.FACTORS); a category no profile knows is an error, never 0.
    ledger_categories: ClassVar[Mapping[str, str]] = {"ops": "move.ops"}
    ledger_labels: ClassVar[Mapping[str, str]] = {}  # measure -> words, where not the default
    # Keras (render/keras.py): the class Keras's summary() shows for this kind, or None with
    # `keras_none` saying why Keras has none (shown as a Lambda, as Keras code writes it).
    keras_class: ClassVar[str | None] = ""
    keras_none: ClassVar[str] = ""
    keras_activation_arg: ClassVar[bool] = False  # Keras folds a following activation in
    # output-sized arrays the NumPy `run` holds besides its output (see `temporaries`)
    temporary_copies: ClassVar[int] = 1

    # ---- rules; `a` are the bound attributes, `ins` the input shapes, `out` the output
    def shape(self, a: Attrs, ins: list[Shape]) -> Shape:
        if self.keeps_shape:
            return ins[0]
        raise NotImplementedError(f"layer kind '{self.name}' has no shape rule")

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

    def ledger(self, a: Attrs, ins: list[Shape], out: Shape, counts) -> dict[str, Any]:
        """{measure: count} of this node for the operation ledger (`counts` are its
        passes.counts.Counts); every measure is a key of `ledger_categories`."""
        return {"ops": counts.other_ops}

    # ---- the NumPy reference executor (cnncost.execute; numpy is imported only there)
    def run(self, a: Attrs, xs: list, tape):
        """Compute the output for real: `xs` are the input arrays (NHWC float32, batch
        first), `tape` (cnncost.execute.tape.Tape) allocates the parameter and buffer
        arrays and runs the counted products (`tape.matmul`, `tape.einsum`), which is
        where the executed params and MACs come from. Returns the output array (it may
        be an input array itself, but never modifies one in place). Composites need
        none: they run as the primitive nodes they expand into."""
        raise NotImplementedError(f"layer kind '{self.name}' has no NumPy implementation")

    def temporaries(self, a: Attrs, ins: list[Shape], out: Shape) -> int:
        """Values (per image) of the arrays `run` makes besides its output, at the most
        alive together (read off cnncost/execute/kernels.py; execute/budget.py adds them
        up). Default: `temporary_copies` output-sized arrays."""
        return self.temporary_copies * elements(out)

    # ---- composites (sepconv, se): the primitive layers they stand for
    def expand(self, a: Attrs, ins: list[Shape]) -> list[Part] | None:
        """The Parts a composite expands into, given its attributes and input shapes; the
        builder makes them as nodes, in order (None for a primitive kind)."""
        return None

    # ---- values mode (cnncost.values): what made one output cell, as the slides write it
    def cell(self, a: Attrs, xs: list, params: list, index: tuple):
        """The working of output cell `index` (row, col, channel) on input arrays `xs`
        (batch first) with the layer's weight arrays `params`: a cnncost.values.Cell."""
        from ..errors import CnnCostError

        raise CnnCostError(f"values mode shows no cell working for '{self.name}'",
                           hint="--cell works for conv, dwconv, pooling, fc and activations")

    # ---- words for messages
    def slot_words(self, slot: str) -> str:
        """'a kernel size (e.g. 3x3)' for 'conv needs a kernel size (e.g. 3x3) ...'."""
        option = self.options.get(slot)
        return option.slot_words if option is not None else _SLOTS.get(slot, slot)

    def convert(self, option: str, value):
        """The value of `option` in the form the rules use (SpecValueError if wrong)."""
        return self.options[option].convert(value)

    def option_hint(self, option: str) -> str | None:
        declared = self.options.get(option)
        return declared.hint if declared is not None else None

    def options_hint(self) -> str:
        """The words and key=value options this kind takes, for 'unknown word' hints."""
        opts = sorted(name for name, o in self.options.items() if o.listed)
        words = sorted(self.words)
        parts = []
        if words:
            parts.append("words: " + ", ".join(words))
        if opts:
            parts.append("options: " + ", ".join(f"{o}=" for o in opts))
        return "; ".join(parts) if parts else f"{self.name} takes no options"

    # ---- training (passes/training.py; docs/how-to/training-cost.md)
    shares_storage: ClassVar[bool] = False  # output lives in the input's storage (a view, in-place)
    gradient_is_view: ClassVar[bool] = False  # its backward hands on a view of the output's gradient
    strided_view: ClassVar[bool] = False  # its view is not contiguous (slicing rows and columns)
    copies_strided: ClassVar[bool] = False  # a view of a contiguous input only: torch's reshape copies a strided one

    def backward_macs(self, a: Attrs, ins: list[Shape], out: Shape) -> tuple:
        """(MACs of the input gradient, MACs of the weight gradient) per sample. A kind
        without forward MACs has none backward (element-wise gradients are not MACs);
        a kind with MACs must give its own rule."""
        if dims.exact(self.macs(a, ins, out)) != 0:
            from .autograd import no_rule

            raise no_rule(self.name, "its backward MACs")
        return (0, 0)

    def saved(self, a: Attrs, ins: list[Shape], out: Shape, grads) -> tuple:
        """The tensors autograd saves for this node's backward (a tuple of
        layers.autograd.Saved), given which gradients are computed (`grads`)."""
        from .autograd import no_rule

        raise no_rule(self.name, "the tensors autograd saves")

    # ---- export (cnncost.interop): this kind written as PyTorch and as Keras code
    def pytorch(self, a: Attrs, ins: list[Shape], out: Shape):
        """A cnncost.interop.export_code.TorchCode, or None when PyTorch has no form of
        this kind (raise export_code.Unsupported for options it cannot express)."""
        return None

    def keras(self, a: Attrs, ins: list[Shape], out: Shape):
        """A cnncost.interop.export_code.KerasCode, or None when Keras has no form."""
        return None

    def torch_arrays(self, a: Attrs, arrays: list):
        """The NumPy executor's arrays of this layer (Tape order) in the layout and order of
        the exported PyTorch module's parameters then buffers (`verify --against torch`)."""
        return list(arrays)

    def torch_feature_order(self, ins: list[Shape]):
        """For a layer whose PyTorch output is a vector in another order than the spec's:
        the spec's index of each PyTorch feature (a list); None when they agree."""
        return None


_SLOTS = {"range": "a channel range A:B", "refs": "the names of the outputs to merge"}


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
