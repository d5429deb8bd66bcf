"""The NumPy `run` of the kinds that copy torch's value rules (pixel shuffle, interpolation,
padding modes) against torch itself, value for value, with the output shape the analytic
rule gives. torch runs in a child process: loaded into the test process it would add
its 200 MB to the resident memory that tests/test_verify_memory.py's estimates include."""
from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys

import numpy as np
import pytest

from cnncost.layers import REGISTRY

pytestmark = [pytest.mark.torch,
              pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")]


def _torch(kind, attrs, x):
    import torch

    torch.set_num_threads(1)
    F = torch.nn.functional
    t = torch.from_numpy(x).permute(0, 3, 1, 2)  # NHWC -> NCHW
    if kind == "pixelshuffle":
        y = F.pixel_shuffle(t, attrs["factor"])
    elif kind == "pixelunshuffle":
        y = F.pixel_unshuffle(t, attrs["factor"])
    elif kind == "upsample":
        mode = attrs.get("mode", "nearest")
        if "size" in attrs:
            y = F.interpolate(t, size=attrs["size"], mode=mode)
        else:
            y = F.interpolate(t, scale_factor=tuple(float(f) for f in attrs["factor"]), mode=mode)
    elif kind == "crop":
        top, bottom, left, right = attrs["crop"]
        y = t[:, :, top:t.shape[2] - bottom, left:t.shape[3] - right]
    else:  # pad
        top, bottom, left, right = attrs.get("pad", (0, 0, 0, 0))
        before, after = attrs.get("channels", (0, 0))
        y = F.pad(t, (left, right, top, bottom, before, after) if before or after else (left, right, top, bottom),
                  mode=attrs.get("mode", "constant"))
    return y.permute(0, 2, 3, 1).numpy()


CASES = [
    ("pixelshuffle", {"factor": 2}, (2, 3, 4, 8)),
    ("pixelshuffle", {"factor": 3}, (1, 2, 2, 18)),
    ("pixelunshuffle", {"factor": 2}, (2, 4, 6, 3)),
    ("upsample", {"factor": (2, 3)}, (1, 3, 4, 2)),
    ("upsample", {"factor": (1.5, 1.5), "mode": "nearest"}, (1, 7, 5, 2)),
    ("upsample", {"factor": (1.5, 2.5), "mode": "bilinear"}, (2, 7, 5, 3)),
    ("upsample", {"factor": (0.5, 0.75), "mode": "bilinear"}, (1, 8, 8, 1)),
    ("upsample", {"size": (5, 9), "mode": "bilinear"}, (1, 4, 6, 2)),
    ("upsample", {"size": (3, 11), "mode": "nearest"}, (1, 4, 6, 2)),
    ("pad", {"pad": (2, 1, 0, 3), "mode": "reflect"}, (1, 5, 6, 2)),
    ("pad", {"pad": (1, 2, 3, 0), "mode": "replicate"}, (2, 4, 4, 3)),
    ("pad", {"pad": (0, 0, 0, 0), "channels": (2, 1)}, (1, 3, 3, 2)),
    ("pad", {"pad": (1, 1, 1, 1), "channels": (1, 1)}, (1, 3, 3, 2)),
    ("crop", {"crop": (1, 0, 2, 1)}, (2, 4, 6, 3)),
    ("crop", {"crop": (0, 2, 0, 0)}, (1, 3, 3, 2)),
]


def _inputs():
    return [np.random.default_rng(i).standard_normal(shape).astype(np.float32)
            for i, (_, _, shape) in enumerate(CASES)]


if __name__ == "__main__":  # the child: torch's outputs for every case, pickled to stdout
    sys.stdout.buffer.write(pickle.dumps([_torch(kind, attrs, x)
                                          for (kind, attrs, _), x in zip(CASES, _inputs())]))
    sys.exit(0)


@pytest.fixture(scope="module")
def torch_outputs():
    run = subprocess.run([sys.executable, __file__], capture_output=True, check=True, timeout=600)
    return pickle.loads(run.stdout)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_run_equals_torch(case, torch_outputs):
    from fractions import Fraction

    kind, attrs, shape = CASES[case]
    layer = REGISTRY[kind]
    if "factor" in attrs and kind == "upsample":
        attrs = {**attrs, "factor": tuple(Fraction(str(f)) if f % 1 else int(f) for f in attrs["factor"])}
    x = _inputs()[case]
    y = layer.run(attrs, [x], None)
    expected = torch_outputs[case]
    assert y.shape == expected.shape == (shape[0], *layer.shape(attrs, [shape[1:]]))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
