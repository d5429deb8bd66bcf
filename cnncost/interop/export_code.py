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


class Default(NamedTuple):
    """A keyword value equal to the framework's default: call() leaves it out of the text
    but keeps it in the Ctor, so calls differing only there can share a class (`stride=s`)."""

    value: object


class Ctor(str):
    """Constructor text that remembers the keywords it left out as defaults. `parts`: the
    pieces of the text with every keyword written: a str (always written) or a 1-tuple
    (the text of a left-out default keyword, `, stride=1`). The str itself is the short text."""

    parts: tuple

    def __new__(cls, parts):
        self = super().__new__(cls, "".join(p for p in parts if isinstance(p, str)))
        self.parts = tuple(parts)  # one part per keyword: calls of one layer kind align part by part
        return self

    def defaults(self) -> tuple[int, ...]:
        """The indices (in parts) of the left-out keywords."""
        return tuple(k for k, p in enumerate(self.parts) if not isinstance(p, str))

    def written(self, keep=()) -> str:
        """The text with the left-out keywords at indices `keep` written in."""
        return "".join(p if isinstance(p, str) else p[0] if k in keep else "" for k, p in enumerate(self.parts))


def ctor_parts(text) -> tuple:
    """The parts of a constructor text (a plain str is one written part)."""
    return text.parts if isinstance(text, Ctor) else (str(text),)


def join(*pieces) -> Ctor:
    """Constructor texts and plain text joined, keeping the left-out keywords."""
    return Ctor([p for piece in pieces for p in ctor_parts(piece)])


def indent(text, prefix: str = "    ") -> Ctor:
    """Each line of a constructor text indented (and ended with a newline)."""
    parts = [p.replace("\n", "\n" + prefix) if isinstance(p, str) else p for p in ctor_parts(text)]
    return Ctor([prefix, *parts, "\n"])


def call(func: str, *args, **kwargs) -> str:
    """`func(arg, ..., key=value, ...)` with Python literals; keyword values of None are left
    out, and Default values too (kept in the returned Ctor, after a positional argument)."""
    parts = [literal(a) for a in args]
    pieces = [f"{func}({', '.join(parts)}"]
    for k, v in kwargs.items():
        if isinstance(v, Default):
            if args:
                pieces.append((f", {k}={literal(v.value)}",))
            continue
        if v is not None:
            pieces.append(f"{', ' if args or len(pieces) > 1 else ''}{k}={literal(v)}")
    return Ctor([*pieces, ")"])


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
    "Subsample": '''
class Subsample(nn.Module):
    """Trainable subsampling (LeNet-5's S2 and S4, LeCun et al. 1998): each map's window
    sum times a coefficient plus a bias, both learned per map. The sum is avg_pool2d with
    divisor 1 (zeros pad); the coefficient and bias a 1x1 convolution with one group per
    map: one multiply per output element, as cnncost counts it."""

    def __init__(self, channels, kernel_size, stride, pads=(0, 0, 0, 0), ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.pads, self.ceil_mode = kernel_size, stride, pads, ceil_mode
        self.weight = nn.Parameter(torch.empty(channels))
        self.bias = nn.Parameter(torch.empty(channels))
        k = kernel_size if isinstance(kernel_size, int) else kernel_size[0] * kernel_size[1]
        with torch.no_grad():  # LeCun's uniform +-2.4 / fan-in
            self.weight.uniform_(-2.4 / k, 2.4 / k)
            self.bias.uniform_(-2.4 / k, 2.4 / k)

    def forward(self, x):
        if any(self.pads):
            x = F.pad(x, self.pads)
        total = F.avg_pool2d(x, self.kernel_size, self.stride, ceil_mode=self.ceil_mode, divisor_override=1)
        return F.conv2d(total, self.weight.view(-1, 1, 1, 1), self.bias, groups=self.weight.numel())
''',
    "TableConv": '''
class TableConv(nn.Module):
    """A convolution with a connection table (LeNet-5's C3, LeCun et al. 1998, Table I):
    output map j reads only the input maps table[j]. One kernel per table entry (weight
    (entries, kh, kw), in table order) and a bias per output map. Each output map is a sum
    of convolutions, one per run of consecutive input maps: views of the input and of the
    weight, no copy, and only the table's multiplies."""

    def __init__(self, table, kernel_size, stride=1, padding=0, dilation=1, bias=True):
        super().__init__()
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.weight = nn.Parameter(torch.empty(sum(len(row) for row in table), kh, kw))
        self.bias = nn.Parameter(torch.empty(len(table))) if bias else None
        self.runs, start = [], 0  # per output map: [first input map, count, first kernel] of each run
        for j, row in enumerate(table):
            runs = []
            for i, m in enumerate(row):
                if runs and m == runs[-1][0] + runs[-1][1]:
                    runs[-1][1] += 1
                else:
                    runs.append([m, 1, start + i])
            self.runs.append(runs)
            bound = 2.4 / (len(row) * kh * kw)  # LeCun's uniform +-2.4 / fan-in
            with torch.no_grad():
                self.weight[start:start + len(row)].uniform_(-bound, bound)
                if bias:
                    self.bias[j].uniform_(-bound, bound)
            start += len(row)

    def forward(self, x):
        maps = []
        for j, runs in enumerate(self.runs):
            y = None
            for first, count, kernel in runs:
                bias = self.bias[j:j + 1] if self.bias is not None and y is None else None
                term = F.conv2d(x[:, first:first + count], self.weight[kernel:kernel + count].unsqueeze(0),
                                bias, self.stride, self.padding, self.dilation)
                y = term if y is None else y + term
            maps.append(y)
        return torch.cat(maps, 1)
''',
    "RBF": '''
class RBF(nn.Module):
    """Euclidean radial basis function units (LeNet-5's output layer, LeCun et al. 1998,
    eq. 7): y_j = sum_i (x_i - w_ji)^2, written out as sum x^2 + sum w^2 - 2 x.w, whose
    matrix product (torch.addmm) is the units x inputs multiplies cnncost counts."""

    def __init__(self, in_features, units):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(units, in_features))
        with torch.no_grad():  # the paper's fixed +-1 codes, drawn at random here
            self.weight.uniform_(-1.0, 1.0)

    def forward(self, x):
        x = x.flatten(1)
        squares = (x * x).sum(1, keepdim=True) + (self.weight * self.weight).sum(1)
        return torch.addmm(squares, x, self.weight.t(), alpha=-2)
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
    "Subsample": '''
class Subsample(layers.Layer):
    """Trainable subsampling (LeNet-5's S2 and S4, LeCun et al. 1998): each map's window
    sum (zeros pad: pads = ((top, bottom), (left, right))) times a coefficient plus a bias,
    both learned per map."""

    def __init__(self, pool_size, strides, pads=((0, 0), (0, 0)), **kwargs):
        super().__init__(**kwargs)
        self.pool_size, self.strides, self.pads = tuple(pool_size), tuple(strides), pads

    def build(self, input_shape):
        k = self.pool_size[0] * self.pool_size[1]
        init = keras.initializers.RandomUniform(-2.4 / k, 2.4 / k)  # LeCun's +-2.4 / fan-in
        self.coefficient = self.add_weight(shape=(input_shape[-1],), initializer=init, name="coefficient")
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer=init, name="bias")

    def call(self, x):
        x = keras.ops.pad(x, [[0, 0], list(self.pads[0]), list(self.pads[1]), [0, 0]])
        mean = keras.ops.average_pool(x, self.pool_size, self.strides, "valid")
        return mean * (self.pool_size[0] * self.pool_size[1]) * self.coefficient + self.bias

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides, "pads": self.pads}
''',
    "TableConv": '''
class TableConv(layers.Layer):
    """A convolution with a connection table (LeNet-5's C3, LeCun et al. 1998, Table I):
    output map j reads only the input maps table[j]; one (kh, kw, len(row), 1) kernel and a
    bias per output map. pads = ((top, bottom), (left, right)) of zeros, then 'valid'."""

    def __init__(self, table, kernel_size, strides=(1, 1), pads=((0, 0), (0, 0)), dilation_rate=(1, 1),
                 use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.table, self.kernel_size, self.strides = [list(r) for r in table], tuple(kernel_size), tuple(strides)
        self.pads, self.dilation_rate, self.use_bias = pads, tuple(dilation_rate), use_bias

    def build(self, input_shape):
        kh, kw = self.kernel_size
        self.kernels, self.biases = [], []
        for j, row in enumerate(self.table):
            bound = 2.4 / (len(row) * kh * kw)  # LeCun's uniform +-2.4 / fan-in
            init = keras.initializers.RandomUniform(-bound, bound)
            self.kernels.append(self.add_weight(shape=(kh, kw, len(row), 1), initializer=init, name=f"kernel{j}"))
            if self.use_bias:
                self.biases.append(self.add_weight(shape=(1,), initializer=init, name=f"bias{j}"))

    def call(self, x):
        x = keras.ops.pad(x, [[0, 0], list(self.pads[0]), list(self.pads[1]), [0, 0]])
        maps = []
        for j, row in enumerate(self.table):
            y = keras.ops.conv(keras.ops.take(x, row, axis=-1), self.kernels[j], self.strides, "valid",
                               dilation_rate=self.dilation_rate)
            maps.append(y + self.biases[j] if self.use_bias else y)
        return keras.ops.concatenate(maps, axis=-1)

    def get_config(self):
        return {**super().get_config(), "table": self.table, "kernel_size": self.kernel_size,
                "strides": self.strides, "pads": self.pads, "dilation_rate": self.dilation_rate,
                "use_bias": self.use_bias}
''',
    "RBF": '''
class RBF(layers.Layer):
    """Euclidean radial basis function units (LeNet-5's output layer, LeCun et al. 1998,
    eq. 7): y_j = sum_i (x_i - w_ij)^2 = sum x^2 + sum w^2 - 2 x.w."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        init = keras.initializers.RandomUniform(-1.0, 1.0)  # the paper's fixed +-1 codes, at random
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer=init, name="kernel")

    def call(self, x):
        x = keras.ops.reshape(x, (-1, self.kernel.shape[0]))
        squares = keras.ops.sum(x * x, axis=1, keepdims=True) + keras.ops.sum(self.kernel * self.kernel, axis=0)
        return squares - 2 * keras.ops.matmul(x, self.kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
''',
}
