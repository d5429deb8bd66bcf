"""What the layer entries write when exporting: one record per framework, a constructor
call formatter, and the small helper classes a generated file may need (defined in the
generated file itself, which never imports cnncost)."""
from __future__ import annotations

from typing import NamedTuple

from ..errors import CnnCostError


class ExportError(CnnCostError):
    """A spec the chosen framework cannot express (a layer kind or option it lacks)."""


class Unsupported(Exception):
    """Raised by a layer entry's pytorch()/keras() method: the framework has no form for
    this layer with these options; the message says why (the exporter adds the layer)."""


class TorchCode(NamedTuple):
    """A layer's PyTorch form. `module`: the constructor of its submodule (registered under
    the layer's name), or None for a layer that is an expression only (add, flatten).
    `call`: the forward expression; `{m}` is the submodule, `{0}`, `{1}`... the inputs.
    `helpers`: names of HELPERS the expression uses (defined once in the file)."""

    module: str | None
    call: str = "{m}({0})"
    helpers: tuple[str, ...] = ()


class KerasCode(NamedTuple):
    """A layer's Keras form: (name suffix, constructor without `name=`) of each Keras layer
    it is, applied in order; suffix "" is the layer's own name (the one giving its output).
    A merge's layer takes the list of inputs."""

    layers: tuple[tuple[str, str], ...]
    helpers: tuple[str, ...] = ()  # names of KERAS_HELPERS the constructors use


def call(func: str, *args, **kwargs) -> str:
    """`func(arg, ..., key=value, ...)` with Python literals; keyword values of None are left out."""
    parts = [literal(a) for a in args]
    parts += [f"{k}={literal(v)}" for k, v in kwargs.items() if v is not None]
    return f"{func}({', '.join(parts)})"


class Raw(str):
    """Source text put into a call as it is (not quoted)."""


def literal(value) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))  # Fraction and float options (dropout rate, alpha)


def one_or_pair(value: tuple):
    """(3, 3) -> 3; (1, 7) stays a pair: what a reader of PyTorch/Keras code expects."""
    return value[0] if value[0] == value[1] else tuple(value)


def symmetric_padding(pads: tuple):
    """(t, b, l, r) -> (t, l) when top equals bottom and left equals right, else None."""
    t, b, l, r = pads
    return (t, l) if t == b and l == r else None


def torch_pad(pads: tuple) -> tuple:
    """(t, b, l, r) -> F.pad's order for the last two axes: (left, right, top, bottom)."""
    t, b, l, r = pads
    return (l, r, t, b)


# Helpers a generated PyTorch file defines when a layer needs them (by name).
TORCH_HELPERS = {
    "BatchNorm": '''
class BatchNorm(nn.BatchNorm2d):
    """Batch normalisation without the scale (Keras scale=False) and/or the shift
    (center=False): PyTorch's affine is both or neither."""

    def __init__(self, channels, scale=True, center=True):
        super().__init__(channels)
        if not scale:
            self.register_parameter("weight", None)
        if not center:
            self.register_parameter("bias", None)

    def _check_input_dim(self, x):
        pass  # a feature map (N, C, H, W) or a vector (N, C)
''',
    "Normalization": '''
class Normalization(nn.Module):
    """Keras Normalization: (x - mean) / sqrt(variance), statistics kept as buffers
    (mean, variance per channel and the sample count), nothing learnable."""

    def __init__(self, channels):
        super().__init__()
        self.register_buffer("mean", torch.zeros(channels))
        self.register_buffer("variance", torch.ones(channels))
        self.register_buffer("count", torch.zeros(1))

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return (x - self.mean.view(shape)) / torch.sqrt(self.variance.view(shape))
''',
    "avg_pool_same": '''
def avg_pool_same(x, kernel, stride, pads, ceil_mode=False):
    """TensorFlow 'same' average pooling with uneven padding: the sum over the window
    divided by the window's cells inside the input (padding not counted)."""
    ones = torch.ones_like(x[:, :1])
    total = F.avg_pool2d(F.pad(x, pads), kernel, stride, ceil_mode=ceil_mode)
    inside = F.avg_pool2d(F.pad(ones, pads), kernel, stride, ceil_mode=ceil_mode)
    return total / inside
''',
}

# Helpers a generated Keras file defines when a layer needs them (by name).
KERAS_HELPERS = {
    "LocalResponseNorm": '''
class LocalResponseNorm(layers.Layer):
    """Local response normalisation across channels, as PyTorch's LocalResponseNorm
    (Keras 3 has no LRN layer): x / (k + alpha/size * sum of squares over `size`
    neighbouring channels)**beta."""

    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=1.0, **kwargs):
        super().__init__(**kwargs)
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def call(self, x):
        c = x.shape[-1]
        squares = keras.ops.pad(x * x, [[0, 0], [0, 0], [0, 0], [self.size // 2, (self.size - 1) // 2]])
        total = sum(squares[..., i:i + c] for i in range(self.size))
        return x / (self.k + self.alpha / self.size * total) ** self.beta

    def get_config(self):
        return {**super().get_config(), "size": self.size, "alpha": self.alpha, "beta": self.beta, "k": self.k}
''',
}
