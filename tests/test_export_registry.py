"""Every layer kind exports: its entry's example, and each option the exporter must turn
into another PyTorch module, run in PyTorch with cnncost's shape, params, buffers and FLOPs."""
from __future__ import annotations

import pytest

import cnncost
from cnncost.layers import REGISTRY, user_kinds
from exported import KINDS_WITHOUT_PYTORCH, cnncost_figures, torch_figures
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
]


@pytest.mark.parametrize("kind", sorted(KINDS_WITHOUT_PYTORCH))
def test_kinds_pytorch_has_not_are_refused_by_name(kind):
    from cnncost.interop.export_code import ExportError

    graph = cnncost.load(f"{kind}.spec", text=_spec(REGISTRY[kind]))
    with pytest.raises(ExportError, match=KINDS_WITHOUT_PYTORCH[kind]):
        cnncost.export(graph, "pytorch")


@pytest.mark.parametrize("kind", [k for k in user_kinds() if k not in KINDS_WITHOUT_PYTORCH])
def test_every_kind_exports_to_pytorch(torch, kind):
    graph = cnncost.load(f"{kind}.spec", text=_spec(REGISTRY[kind]))
    assert torch_figures(torch, graph) == cnncost_figures(graph)


@pytest.mark.parametrize("text", OPTIONS)
def test_option_forms_export_to_pytorch(torch, text):
    graph = cnncost.load("forms.spec", text=text)
    assert torch_figures(torch, graph) == cnncost_figures(graph)
