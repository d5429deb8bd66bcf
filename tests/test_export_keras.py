"""The exported Keras 3 model (torch backend) has cnncost's output shape, count_params()
equal to params + buffers (Keras counts batch-norm statistics) and trainable weights
equal to cnncost's trainable params, for every zoo spec and variant."""
from __future__ import annotations

import math
import os

import pytest

import cnncost
from cnncost import zoo
from exported import load_module

pytestmark = pytest.mark.torch


@pytest.fixture
def keras(torch):
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras", reason="the Keras check needs Keras 3: pip install keras")


def keras_figures(keras, graph) -> dict:
    model = load_module(cnncost.export(graph, "keras"), graph.name)["build_model"]()
    return dict(shape=tuple(model.output.shape[1:]), count=model.count_params(),
                trainable=sum(math.prod(w.shape) for w in model.trainable_weights))


# zoo models Keras cannot express, with the reason the exporter must give
KERAS_REFUSES = {"googlenet_aux": "adaptive pooling of 14x14 to 4x4 has no Keras layer",
                 "lenet5_1998": "Keras has no subsampling layer"}


@pytest.mark.parametrize("name", sorted(KERAS_REFUSES))
def test_zoo_models_keras_cannot_express_are_refused(name):
    from cnncost.interop.export_code import ExportError

    with pytest.raises(ExportError, match=KERAS_REFUSES[name]):
        cnncost.export(cnncost.load(name), "keras")


@pytest.mark.parametrize("name", sorted(set(zoo.entries()) - set(KERAS_REFUSES)))
def test_zoo_keras_counts_match(keras, name):
    graph = cnncost.load(name)  # full size: PyTorch's adaptive pooling of VGG has no Keras form below 224
    t = cnncost.analyze(graph, training=True).totals  # the model holds every head
    assert keras_figures(keras, graph) == dict(shape=tuple(graph.nodes[graph.output].shape),
                                               count=t.params + t.buffers, trainable=t.trainable)
