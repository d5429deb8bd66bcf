"""Write tests/data/names/<spec>.json: the framework's names of the layers with parameters.

Run by hand (torchvision 0.28, keras 3 with KERAS_BACKEND=torch):

    python tests/data/names/make_names.py            # every model
    python tests/data/names/make_names.py resnet18   # some

Each file is the ordered list of [module path, numel of the module's own parameters] for every
module with parameters, in the order the forward pass runs them (training mode, so that
auxiliary heads run): torchinfo's order, and cnncost's. It is also the order torchvision
registers them in, except googlenet_aux's aux1/aux2 (registered after inception5b, run after
inception4a/4d); the script prints where the two orders differ. Keras's order is its
model.layers (summary()'s). Buffers are not in the numel: torchvision's BN running stats and
Keras's BN moving mean/variance are cnncost's `buffers`, not its `params`.
tests/test_framework_names.py compares cnncost's rows with these files.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent

# spec name -> (torchvision builder, keyword arguments matching the spec)
TORCHVISION = {
    "resnet18": ("resnet18", {}),
    "resnet34": ("resnet34", {}),
    "resnet50": ("resnet50", {}),
    "resnet101": ("resnet101", {}),
    "resnet152": ("resnet152", {}),
    "vgg11": ("vgg11", {}),
    "vgg13": ("vgg13", {}),
    "vgg16": ("vgg16", {}),
    "vgg19": ("vgg19", {}),
    "alexnet": ("alexnet", {}),
    "squeezenet1_0": ("squeezenet1_0", {}),
    "densenet121": ("densenet121", {}),
    "efficientnet_b0": ("efficientnet_b0", {}),
    "mobilenet_v2": ("mobilenet_v2", {}),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False}),
    "googlenet_aux": ("googlenet", {"aux_logits": True, "init_weights": False}),
    "inception_v3": ("inception_v3", {"aux_logits": False, "init_weights": False}),
}

# spec name -> (keras.applications builder, keyword arguments matching the spec)
KERAS = {
    "vgg16_transfer": ("transfer", {}),
    "mobilenet_v1": ("MobileNet", {"input_shape": (224, 224, 3)}),
    "resnet50_v1": ("ResNet50", {"input_shape": (224, 224, 3)}),
}


def torchvision_names(builder: str, kwargs: dict) -> list:
    import torch

    torch.library.register_fake = lambda *a, **k: (lambda f: f)  # torchvision's C ops don't load
    import torchvision

    torch.set_num_threads(1)
    model = getattr(torchvision.models, builder)(weights=None, **kwargs)
    registered = []
    for path, module in model.named_modules():
        numel = sum(p.numel() for p in module.parameters(recurse=False))
        if numel:
            registered.append([path, numel])
            module.register_forward_hook(lambda m, i, o, row=registered[-1]: ran.append(row))
    ran: list = []
    size = 299 if builder == "inception_v3" else 224
    with torch.no_grad():
        model.train()(torch.zeros(2, 3, size, size))  # batch 2: BN in training mode needs it
    assert sorted(ran) == sorted(registered), f"{builder}: a module ran twice or never"
    if ran != registered:
        print(f"{builder}: forward order differs from registration order")
    return ran


def keras_transfer():
    """The Keras lecture deck's transfer model (specs/vgg16_transfer.spec): VGG16's convolutional
    base, frozen, under a new classifier, built in a fresh session (automatic names dense, dense_1)."""
    import keras

    keras.backend.clear_session()
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(150, 150, 3))
    base.trainable = False
    return keras.Sequential([keras.Input((150, 150, 3)), base, keras.layers.Flatten(),
                             keras.layers.Dense(256, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])


def keras_names(builder: str, kwargs: dict) -> list:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    if builder == "transfer":
        model = keras_transfer()
    else:
        model = getattr(keras.applications, builder)(weights=None, **kwargs)
    rows = []
    for layer in model.layers:
        # a nested model (the transfer model's vgg16) as cnncost names it: vgg16.block1_conv1
        inner = layer.layers if isinstance(layer, keras.Model) else [layer]
        for sub in inner:
            numel = sum(int(w.numpy().size) for w in sub.weights if not _moving(w))
            if numel:
                rows.append([f"{layer.name}.{sub.name}" if sub is not layer else sub.name, numel])
    return rows


def _moving(weight) -> bool:
    """BN's moving mean and variance: buffers, not params (also in a frozen model, where every
    weight is non-trainable)."""
    return "moving" in weight.path


def main(names: list[str]) -> None:
    for name in names or [*TORCHVISION, *KERAS]:
        if name in TORCHVISION:
            rows = torchvision_names(*TORCHVISION[name])
        else:
            rows = keras_names(*KERAS[name])
        out = HERE / f"{name}.json"
        out.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
        print(f"{out}: {len(rows)} modules, {sum(n for _, n in rows):,} params")


if __name__ == "__main__":
    main(sys.argv[1:])
