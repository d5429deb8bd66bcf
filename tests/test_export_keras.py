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
KERAS_REFUSES = {"googlenet_aux": "adaptive pooling of 14x14 to 4x4 has no Keras layer"}


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


LENET_FORMS = ["input 14x14x6\nconv 5x5 4 table=((0, 1, 2), (0, 4, 5), (5, 1), (3,)) tanh\n",
               "input 9x9x3\nconv 4x4 3 s2 same nobias table=((2, 0), (1,), (0, 1, 2))\n",
               "input 9x9x3\nsubsample 3x3 s2 same\nsubsample 2x2 ceil\n",
               "input 8x8x3\nsubsample 3x3 s1 p1\nflatten\nrbf 5\n"]


@pytest.mark.parametrize("text", ["lenet5_1998", *LENET_FORMS])
def test_lenet_helper_layers_compute_what_numpy_does(keras, text):
    """The generated file's Subsample, TableConv and RBF layers (LeNet-5 1998), given the
    NumPy executor's weights (their layouts are the executor's), give its output."""
    import numpy as np

    from cnncost.execute.tape import Tape, WeightPool
    from cnncost.interop.export_keras import keras_name
    from cnncost.layers import REGISTRY

    graph = cnncost.load(text) if "\n" not in text else cnncost.load("<lenet forms>", text=text)
    model = load_module(cnncost.export(graph, "keras"), graph.name)["build_model"]()
    rng = np.random.default_rng(7)
    pool, values = WeightPool(rng), {}
    for node in graph.nodes:
        tape = Tape(rng, pool, 2, keep=True)
        values[node.id] = REGISTRY[node.kind].run(node.attrs, [values[i] for i in node.inputs], tape)
        if node.id and tape.arrays:
            model.get_layer(keras_name(node.name)).set_weights(tape.arrays)
    got = np.asarray(model(values[0]).detach().cpu())
    want = values[graph.output]
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) <= 1e-4 * max(1.0, float(np.max(np.abs(want))))
