"""Write the importer's fixtures (run by hand: needs keras 3 and torch).

    KERAS_BACKEND=torch python tests/data/models/make_fixtures.py

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

    for stem, module in (("onnx_two_unsupported", TwoUnsupported()), ("onnx_small", Small())):
        module.eval()
        path = os.path.join(HERE, f"{stem}.onnx")
        # no constant folding: batch norms stay nodes (folded, they would become conv biases)
        torch.onnx.export(module, (torch.zeros(1, 3, 32, 32),), path, dynamo=False, do_constant_folding=False)
        import onnx

        model = onnx.load(path)
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=f"{stem}.data", size_threshold=0)
        os.remove(os.path.join(HERE, f"{stem}.data"))
        expected[f"{stem}.onnx"] = {
            "source": f"torch {torch.__version__} torch.onnx.export(dynamo=False), external data dropped",
            "params": sum(p.numel() for p in module.parameters()),
            "buffers": sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")),
            "output_shape": list(module(torch.zeros(1, 3, 32, 32)).shape[1:])}


if __name__ == "__main__":
    expected: dict = {}
    if "--onnx-only" in sys.argv:
        with open(os.path.join(HERE, "expected.json")) as handle:
            expected = json.load(handle)
    else:
        keras_fixtures(expected)
    onnx_fixtures(expected)
    _write(os.path.join(HERE, "expected.json"), json.dumps(expected, indent=1, sort_keys=True) + "\n")
