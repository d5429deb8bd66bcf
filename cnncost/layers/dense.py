"""Fully connected layers and flattening."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import GLOBAL, Layer, register
from .options import Option, positive, takes

UNITS = Option("units", lambda v: positive(v, "unit count"), "fc makes at least one unit, e.g. fc 10",
               "a unit count", listed=False)


@register
class Flatten(Layer):
    """`flatten`: HxWxC -> a vector of H*W*C."""

    name = "flatten"
    category = "reshape"
    example = "flatten"
    keras_class = "Flatten"
    temporary_copies = 0

    def shape(self, a, ins):
        return (dims.product(ins[0]),)

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def run(self, a, xs, tape):
        """Row-major over (h, w, c): Keras's order (torchvision flattens c, h, w)."""
        return xs[0].reshape(len(xs[0]), -1)


def _features(shape, kind):
    """A vector's length; a 1x1xC map counts as a vector of C (Keras: Dense after GAP)."""
    if len(shape) == 1:
        return shape[0]
    h, w, c = shape
    if h == 1 and w == 1:
        return c
    raise ShapeError(f"{kind} needs a vector, but its input is a {h}x{w}x{c} feature map",
                     hint="add `flatten` (or `gap`) before it")


@register
class Dense(Layer):
    """Fully connected `fc N` (alias `dense N`) `[nobias]` on a vector.

    params = C_in*N + N; MACs = C_in*N; other ops: N bias adds
    """

    name = "fc"
    aliases = ("dense", "linear")
    category = "weight"
    positional = ("units",)
    required = ("units",)
    options = takes(UNITS)
    words = {"nobias": ("bias", False)}
    defaults = {"bias": True}
    example = "fc 1000"
    example_input = "64"
    has_bias = True
    keras_class = "Dense"
    keras_activation_arg = True  # Dense(..., activation="softmax")
    ledger_categories = {"macs": "linear.macs", "bias": "linear.bias"}
    temporary_copies = 0

    def shape(self, a, ins):
        _features(ins[0], self.name)
        return (a["units"],)

    def params(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"] + (a["units"] if a["bias"] else 0)

    def macs(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def other_ops(self, a, ins, out):
        return a["units"] if a["bias"] else 0

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def ledger(self, a, ins, out, counts):
        return {"macs": counts.macs, "bias": counts.other_ops}

    def run(self, a, xs, tape):
        x = xs[0].reshape(len(xs[0]), -1)  # a 1x1xC map is a vector of C
        weight = tape.param((x.shape[1], a["units"]), fan_in=x.shape[1])
        y = tape.matmul(x, weight)
        if a["bias"]:
            y += tape.param((a["units"],))
        return y

    def cell(self, a, xs, params, index):
        """Output unit j: the sum of every input times its weight, plus the bias."""
        from ..grids import Cell

        j = index[2]
        x = xs[0].reshape(-1)
        terms = tuple((x[i], params[0][i, j]) for i in range(x.size))
        bias = params[1][j] if len(params) > 1 else None
        return Cell(index, "sum", terms, bias, sum(v * w for v, w in terms) + (bias or 0))


@register
class RBF(Layer):
    """Euclidean radial basis function units `rbf N` (LeNet-5's output layer, LeCun et al.
    1998, eq. 7): y_i = sum_j (x_j - w_ij)^2 over a vector of C_in inputs.

    params = C_in*N (the paper's 84 x 10 = 840, counted among its 60,840)
    MACs = C_in*N (one square accumulated per weight); other ops: C_in*N subtractions
    connections (LeCun's count) = C_in*N
    """

    name = "rbf"
    category = "weight"
    positional = ("units",)
    required = ("units",)
    options = takes(UNITS)
    example = "rbf 10"
    example_input = "84"
    keras_class = None
    keras_none = "Keras has no RBF layer; Keras code writes a custom Layer"
    ledger_categories = {"macs": "linear.macs", "ops": "pool.ops"}
    temporary_copies = 0

    def shape(self, a, ins):
        _features(ins[0], self.name)
        return (a["units"],)

    def params(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def macs(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def other_ops(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def connections(self, a, ins, out):
        return _features(ins[0], self.name) * a["units"]

    def rf(self, a, ins):
        return GLOBAL if len(ins[0]) == 3 else None

    def ledger(self, a, ins, out, counts):
        return {"macs": counts.macs, "ops": counts.other_ops}

    def run(self, a, xs, tape):
        """sum (x - w)^2 = sum x^2 - 2 x.w + sum w^2: the x.w products are the MACs."""
        x = xs[0].reshape(len(xs[0]), -1)
        weight = tape.param((x.shape[1], a["units"]), fan_in=x.shape[1])
        return (x * x).sum(axis=1, keepdims=True) - 2 * tape.matmul(x, weight) \
            + (weight * weight).sum(axis=0)[None, :]
