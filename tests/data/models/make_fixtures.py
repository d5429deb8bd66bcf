"""Write the importer's fixtures (run by hand: needs keras 3 and torch).

    KERAS_BACKEND=torch python tests/data/models/make_fixtures.py
    python tests/data/models/make_fixtures.py --onnx-only [onnx_shuffle ...]   # some ONNX ones

Keras: keras.applications configs with weights=None, written compactly as model.to_json()
(initializer and regularizer settings, which the importer does not read, dropped), with
the totals Keras reports in expected.json. ONNX: small torch models exported with external
data that is then deleted, so each file holds the graph and the weights' shapes only.
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_APPS = ("MobileNet", "MobileNetV2", "ResNet50", "VGG16", "DenseNet121", "EfficientNetB0",
              "InceptionV3", "Xception")
DROP = {"kernel_initializer", "bias_initializer", "depthwise_initializer", "pointwise_initializer",
        "beta_initializer", "gamma_initializer", "moving_mean_initializer",
        "moving_variance_initializer", "kernel_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "bias_constraint", "beta_regularizer",
        "gamma_regularizer", "beta_constraint", "gamma_constraint", "depthwise_regularizer",
        "pointwise_regularizer", "depthwise_constraint", "pointwise_constraint", "dtype"}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in DROP}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def keras_fixtures(expected: dict) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    shapes: dict = {}

    for name in KERAS_APPS:
        model = getattr(keras.applications, name)(weights=None)
        config = _strip(json.loads(model.to_json()))
        _write(os.path.join(HERE, f"keras_{name.lower()}.json"), json.dumps(config, separators=(",", ":")))
        trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
        expected[f"keras_{name.lower()}.json"] = {
            "source": f"keras {keras.__version__} keras.applications.{name}(weights=None)",
            "params": int(model.count_params()), "trainable": trainable,
            "non_trainable": int(model.count_params()) - trainable,
            "output_shape": list(model.output_shape[1:])}
        print(name, model.count_params(), file=sys.stderr)
        _record(model, f"keras_{name.lower()}.json", expected, shapes, config=None)
    for stem, model in small_keras_models(keras):
        config = _strip(json.loads(model.to_json()))
        _write(os.path.join(HERE, f"{stem}.json"), json.dumps(config, separators=(",", ":")))
        _record(model, f"{stem}.json", expected, shapes, config)
    # Keras 2's layout of a functional model (inbound_nodes as [[layer, node, index, kwargs]],
    # batch_input_shape), converted from Keras 3's: Keras 2 is not installable beside Keras 3
    with open(os.path.join(HERE, "keras_mobilenet.json")) as handle:  # the same layers, so the same shapes
        config = json.load(handle)
    _write(os.path.join(HERE, "keras2_mobilenet.json"), json.dumps(keras2_layout(config), separators=(",", ":")))
    expected["keras2_mobilenet.json"] = {**expected["keras_mobilenet.json"],
                                        "source": expected["keras_mobilenet.json"]["source"]
                                        + ", converted to Keras 2's layout by keras2_layout()"}
    shapes["keras2_mobilenet.json"] = shapes["keras_mobilenet.json"]
    _write(os.path.join(HERE, "layer_shapes_keras.json"),
           json.dumps(shapes, separators=(",", ":"), sort_keys=True) + "\n")


def _record(model, stem, expected, shapes, config) -> None:
    """Keras's totals and every layer's output shape (batch axis dropped)."""
    import keras

    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    if config is not None:
        expected[stem] = {"source": f"keras {keras.__version__} {model.name} (make_fixtures.small_keras_models)",
                          "params": int(model.count_params()), "trainable": trainable,
                          "non_trainable": int(model.count_params()) - trainable,
                          "output_shape": list(model.output_shape[1:])}
    shapes[stem] = {layer.name: list(layer.output.shape[1:]) for layer in model.layers}


def keras2_layout(config: dict) -> dict:
    """A Keras 3 functional config in Keras 2's layout."""
    layers = []
    for layer in config["config"]["layers"]:
        layer = json.loads(json.dumps(layer))
        nodes = []
        for node in layer.get("inbound_nodes", []):
            args = node["args"][0] if isinstance(node["args"][0], list) else node["args"]
            nodes.append([[t["config"]["keras_history"][0], 0, 0, {}] for t in args])
        layer["inbound_nodes"] = nodes
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_input_shape"] = layer["config"].pop("batch_shape")
        layers.append(layer)
    return {"class_name": "Functional", "config": {**config["config"], "layers": layers}, "keras_version": "2.15.0",
            "backend": "tensorflow"}


def small_keras_models(keras):
    """Small models for what keras.applications does not show: Cropping2D, global pooling
    as the output (keepdims=False), a Sequential model, and blocks nested in branches."""
    from keras import layers

    x = inp = keras.Input((32, 30, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(x)
    x = layers.Cropping2D(((1, 2), (3, 0)), name="crop_a")(x)
    x = layers.Cropping2D(2, name="crop_b")(x)
    x = layers.Conv2D(16, 3, strides=2, name="conv2")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    yield "keras_cropping", keras.Model(inp, x, name="cropping")

    yield "keras_sequential", keras.Sequential([
        keras.Input((28, 28, 1)), layers.ZeroPadding2D(2, name="pad"),
        layers.Conv2D(6, 5, activation="tanh", name="c1"), layers.AveragePooling2D(2, name="s2"),
        layers.Conv2D(16, 5, activation="tanh", name="c3"), layers.MaxPooling2D(2, name="s4"),
        layers.Cropping2D(((0, 1), (1, 0)), name="crop"), layers.Flatten(name="flat"),
        layers.Dense(84, activation="tanh", name="f6"), layers.Dense(10, activation="softmax", name="out")],
        name="sequential_lenet")

    # a residual block inside each branch of a concat
    x = inp = keras.Input((16, 16, 8), name="image")
    branches = []
    for b, k in (("a", 1), ("b", 3)):
        y = layers.Conv2D(8, k, padding="same", use_bias=False, name=f"{b}_conv1")(x)
        y = layers.BatchNormalization(name=f"{b}_bn1")(y)
        y = layers.ReLU(name=f"{b}_relu")(y)
        y = layers.Conv2D(8, k, padding="same", name=f"{b}_conv2")(y)
        branches.append(layers.Add(name=f"{b}_add")([x, y]))
    x = layers.Concatenate(name="cat")(branches)
    x = layers.Conv2D(4, 1, name="head")(x)
    yield "keras_residual_in_concat", keras.Model(inp, x, name="residual_in_concat")

    # a concat inside the body of a residual, twice in a row (folded into a repeat)
    x = inp = keras.Input((16, 16, 16), name="image")
    for n in (1, 2):
        a = layers.Conv2D(8, 1, activation="relu", name=f"block{n}_a")(x)
        b = layers.Conv2D(8, 3, padding="same", activation="relu", name=f"block{n}_b")(x)
        y = layers.Concatenate(name=f"block{n}_cat")([a, b])
        y = layers.Conv2D(16, 1, name=f"block{n}_proj")(y)
        x = layers.Add(name=f"block{n}_add")([x, y])
        x = layers.ReLU(name=f"block{n}_out")(x)
    yield "keras_concat_in_residual", keras.Model(inp, x, name="concat_in_residual")


def torch_resnet50():
    """torchvision 0.28's resnet50() (v1.5, stride on the 3x3), written out by hand so the
    fixtures need only torch."""
    import torch.nn as nn

    class Bottleneck(nn.Module):
        def __init__(self, cin, c, stride, down):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(cin, c, 1, bias=False), nn.BatchNorm2d(c)
            self.conv2, self.bn2 = nn.Conv2d(c, c, 3, stride, 1, bias=False), nn.BatchNorm2d(c)
            self.conv3, self.bn3 = nn.Conv2d(c, 4 * c, 1, bias=False), nn.BatchNorm2d(4 * c)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = nn.Sequential(nn.Conv2d(cin, 4 * c, 1, stride, bias=False),
                                            nn.BatchNorm2d(4 * c)) if down else None

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            identity = self.downsample(x) if self.downsample is not None else x
            return self.relu(out + identity)

    class ResNet50(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1, self.relu = nn.BatchNorm2d(64), nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            cin, stages = 64, []
            for c, n, s in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
                blocks = [Bottleneck(cin, c, s, True)] + [Bottleneck(4 * c, c, 1, False) for _ in range(n - 1)]
                stages.append(nn.Sequential(*blocks))
                cin = 4 * c
            self.layer1, self.layer2, self.layer3, self.layer4 = stages
            self.avgpool, self.fc = nn.AdaptiveAvgPool2d((1, 1)), nn.Linear(2048, 1000)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    import torch

    return ResNet50()


def onnx_fixtures(expected: dict) -> None:
    import torch
    import torch.nn as nn

    torch.set_num_threads(1)

    class TwoUnsupported(nn.Module):
        """A conv then two ops cnncost has no layer kind for (Erf, Cos)."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)

        def forward(self, x):
            y = self.conv(x)
            return torch.cos(torch.special.erf(y))

    class Small(nn.Module):
        """conv-bn-relu, maxpool, a residual pair, gap, fc: the common ONNX ops."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.pool = nn.MaxPool2d(3, 2, 1)
            self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
            self.conv3 = nn.Conv2d(16, 16, 3, padding=1, groups=16)
            self.fc = nn.Linear(16, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.bn1(self.conv1(x))))
            x = torch.relu(self.conv3(torch.relu(self.conv2(x))) + x)
            x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
            return self.fc(x)

    def channel_shuffle(x, groups: int):
        """torchvision 0.28 shufflenetv2.py's channel_shuffle."""
        batchsize, num_channels, height, width = x.size()
        x = x.view(batchsize, groups, num_channels // groups, height, width)
        x = torch.transpose(x, 1, 2).contiguous()
        return x.view(batchsize, -1, height, width)

    class Shuffle(nn.Module):
        """A ShuffleNet v2 unit (torchvision's InvertedResidual, stride 1): half the
        channels through 1x1, depthwise 3x3, 1x1, concatenated back, shuffled in 2."""

        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24)
            self.branch2 = nn.Sequential(
                nn.Conv2d(12, 12, 1, bias=False), nn.BatchNorm2d(12), nn.ReLU(inplace=True),
                nn.Conv2d(12, 12, 3, 1, 1, groups=12, bias=False), nn.BatchNorm2d(12),
                nn.Conv2d(12, 12, 1, bias=False), nn.BatchNorm2d(12), nn.ReLU(inplace=True))

        def forward(self, x):
            x = torch.relu(self.bn1(self.conv1(x)))
            x1, x2 = x.chunk(2, dim=1)
            return channel_shuffle(torch.cat((x1, self.branch2(x2)), dim=1), 2)

    class Lrn(nn.Module):
        """AlexNet's conv, relu, lrn, with settings other than the defaults."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 5, 2)
            self.lrn1 = nn.LocalResponseNorm(3, alpha=2e-4, beta=0.7, k=2.0)
            self.lrn2 = nn.LocalResponseNorm(5)

        def forward(self, x):
            return self.lrn2(self.lrn1(torch.relu(self.conv1(x))))

    class MatMul(nn.Module):
        """torch.matmul by a parameter plus a bias vector, then a Linear."""

        def __init__(self):
            super().__init__()
            self.weight, self.bias = nn.Parameter(torch.zeros(48, 20)), nn.Parameter(torch.zeros(20))
            self.fc = nn.Linear(20, 10)

        def forward(self, x):
            return self.fc(torch.relu(torch.matmul(torch.flatten(x, 1), self.weight) + self.bias))

    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    for stem, module, size in (("onnx_two_unsupported", TwoUnsupported(), 32), ("onnx_small", Small(), 32),
                               ("onnx_resnet50", torch_resnet50(), 224), ("onnx_shuffle", Shuffle(), 16),
                               ("onnx_lrn", Lrn(), 16), ("onnx_matmul", MatMul(), 4)):
        if wanted and stem not in wanted:
            continue
        module.eval()
        path = os.path.join(HERE, f"{stem}.onnx")
        example = torch.zeros(1, 3, size, size)
        # no constant folding: batch norms stay nodes (folded, they would become conv biases)
        torch.onnx.export(module, (example,), path, dynamo=False, do_constant_folding=False)
        import onnx

        model = onnx.load(path)
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=f"{stem}.data", size_threshold=0)
        os.remove(os.path.join(HERE, f"{stem}.data"))
        expected[f"{stem}.onnx"] = {
            "source": f"torch {torch.__version__} torch.onnx.export(dynamo=False), external data dropped",
            "params": sum(p.numel() for p in module.parameters()),
            "buffers": sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")),
            "output_shape": list(module(example).shape[1:])}


if __name__ == "__main__":
    expected: dict = {}
    if "--onnx-only" in sys.argv:
        with open(os.path.join(HERE, "expected.json")) as handle:
            expected = json.load(handle)
    elif "--keras-only" in sys.argv:
        with open(os.path.join(HERE, "expected.json")) as handle:
            expected = json.load(handle)
        keras_fixtures(expected)
    else:
        keras_fixtures(expected)
    if "--keras-only" not in sys.argv:
        onnx_fixtures(expected)
    _write(os.path.join(HERE, "expected.json"), json.dumps(expected, indent=1, sort_keys=True) + "\n")
