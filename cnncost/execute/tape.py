"""The instrumented tape one node runs on: it hands out the node's arrays and counts what
the node actually did.

- MACs come from the operands of the products it ran (`matmul`, `einsum`), never from a
  layer's formula;
- params and buffers are the sizes of the arrays it allocated (`param`, `buffer`);
- the input is a seeded random array (`input`).

Weights are drawn from one seeded pool of uniform values, tiled from a random offset:
a fresh random draw for each of VGG-16's 138 M weights costs more than its forward pass.
"""
from __future__ import annotations

import math
import time

import numpy as np

FLOAT = np.float32
POOL_SIZE = 1_048_573  # a prime, so the tiling lines up with no power-of-two shape


class WeightPool:
    """Seeded values of unit variance (uniform on [-sqrt 3, sqrt 3)) to tile weights from."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.values = ((rng.random(POOL_SIZE, dtype=FLOAT) * 2 - 1) * FLOAT(math.sqrt(3)))
        self.seconds = 0.0  # time spent filling weights (verify reports it apart)

    def fill(self, out: np.ndarray, scale: float, center: float) -> None:
        """out = center + scale * (pool values from a random offset, repeated as needed)."""
        began = time.perf_counter()
        try:
            self._fill(out, scale, center)
        finally:
            self.seconds += time.perf_counter() - began

    def _fill(self, out: np.ndarray, scale: float, center: float) -> None:
        flat = out.reshape(-1)
        size, pos = self.values.size, 0
        start = int(self.rng.integers(size))
        while pos < flat.size:
            take = min(size - start, flat.size - pos)
            chunk = flat[pos:pos + take]
            np.multiply(self.values[start:start + take], FLOAT(scale), out=chunk)
            if center:
                chunk += FLOAT(center)
            pos, start = pos + take, 0


class Tape:
    """What one node did. `keep` holds on to the arrays it allocated (for the tests)."""

    def __init__(self, rng: np.random.Generator, pool: WeightPool, batch: int, keep: bool = False):
        self.rng, self.pool, self.batch, self.keep = rng, pool, batch, keep
        self.macs = 0
        self.params = 0
        self.buffers = 0
        self.arrays: list[np.ndarray] = []  # params and buffers in allocation order, if kept

    # ---- arrays the node owns
    def param(self, shape: tuple, fan_in: int | None = None, center: float = 0.0,
              scale: float | None = None) -> np.ndarray:
        """A learnable array; counted as params. He-scaled (std sqrt(2 / fan_in)) when
        `fan_in` is given, so deep random networks keep their activations finite."""
        if scale is None:
            scale = math.sqrt(2.0 / fan_in) if fan_in else 0.1
        array = self._allocate(shape, scale, center)
        self.params += array.size
        return array

    def buffer(self, shape: tuple, center: float = 0.0, scale: float = 0.1) -> np.ndarray:
        """Non-learnable state (running statistics); counted as buffers."""
        array = self._allocate(shape, scale, center)
        self.buffers += array.size
        return array

    def _allocate(self, shape, scale, center) -> np.ndarray:
        array = np.empty(shape, dtype=FLOAT)
        self.pool.fill(array, scale, center)
        if self.keep:
            self.arrays.append(array)
        return array

    def input(self, shape: tuple) -> np.ndarray:
        """The network input: seeded standard-normal values, batch first."""
        return self.rng.standard_normal((self.batch, *shape), dtype=FLOAT)

    # ---- counted products
    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a @ b (stacked matrices broadcast); MACs = batch of matrices x M x K x N."""
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul of {a.shape} and {b.shape}")
        stack = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        self.macs += math.prod(stack) * a.shape[-2] * a.shape[-1] * b.shape[-1]
        return np.matmul(a, b)

    def einsum(self, subscripts: str, *operands: np.ndarray) -> np.ndarray:
        """A contraction; MACs = the product of the sizes of every index it names (each
        combination of index values is one multiply-accumulate)."""
        inputs = subscripts.replace(" ", "").split("->")[0].split(",")
        sizes: dict[str, int] = {}
        for labels, operand in zip(inputs, operands):
            for label, size in zip(labels, operand.shape):
                if sizes.setdefault(label, size) != size:
                    raise ValueError(f"einsum {subscripts}: index {label} is {sizes[label]} and {size}")
        self.macs += math.prod(sizes.values())
        return np.einsum(subscripts, *operands)
