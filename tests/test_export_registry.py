"""Every layer kind exports (LeNet-5 1998's subsample, table= and rbf through helper classes
in the exported file): its entry's example, and each option the exporter must turn into
another PyTorch module, run in PyTorch with cnncost's shape, params, buffers and FLOPs."""
from __future__ import annotations

import pytest

import cnncost
from cnncost.layers import REGISTRY, user_kinds
from exported import cnncost_figures, torch_figures
from test_registry import _spec

pytestmark = pytest.mark.torch

OPTIONS = [  # forms beyond each kind's example line
    "input 10x10x3\nupsample 1.5\n",
    "input 10x10x3\nupsample size=(7, 9) bilinear\n",
    "input 8x8x3\nupsample 2 bilinear\n",
    "input 8x8x3\npad 2 reflect\n",
    "input 8x9x3\ncrop (0, 1, 2, 3)\n",
    "input 8x8x3\npad (1, 2, 3, 0) replicate\n",
    "input 8x8x16\nmaxpool 1 s2\npad channels=(8, 8)\n",  # ResNet's option-A shortcut
    "input 8x8x4\npixelunshuffle 2\npixelshuffle 2\n",
    # LeNet-5 (1998)'s kinds beyond their examples: C3's table with runs of input maps,
    # uneven and even padding, stride, no bias; subsample padded, strided, in ceil mode
    "input 14x14x6\nconv 5x5 4 table=((0, 1, 2), (0, 4, 5), (5, 1), (3,)) tanh\n",
    "input 9x9x3\nconv 4x4 3 s2 same nobias table=((2, 0), (1,), (0, 1, 2))\n",
    "input 9x9x3\nconv 3x3 2 p1 d2 table=((0, 2), (1, 2))\n",
    "input 9x9x3\nsubsample 3x3 s2 same\n",
    "input 9x9x3\nsubsample 2x2 ceil tanh\n",
    "input 8x8x3\nsubsample 3x3 s1 p1\nflatten\nrbf 5\n",
]


@pytest.mark.parametrize("kind", user_kinds())
def test_every_kind_exports_to_pytorch(torch, kind):
    graph = cnncost.load(f"{kind}.spec", text=_spec(REGISTRY[kind]))
    assert torch_figures(torch, graph) == cnncost_figures(graph)


@pytest.mark.parametrize("text", OPTIONS)
def test_option_forms_export_to_pytorch(torch, text):
    graph = cnncost.load("forms.spec", text=text)
    assert torch_figures(torch, graph) == cnncost_figures(graph)
