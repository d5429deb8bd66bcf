"""Read a Keras model's configuration (a `.keras` archive's config.json or a
`model.to_json()` file; Keras 3 and Keras 2 layouts, Sequential and functional) without
Keras or TensorFlow, by asking each layer entry which Keras classes it reads. An entry's
`from_keras(cfg, ins)` gets the layer's config plus `_readers`: the (class, config) of
the layers reading its output (global pooling flattens unless a Reshape undoes it)."""
from __future__ import annotations

import json
import os
import zipfile

from ..layers import REGISTRY
from ..layers.spelling import Unmappable
from .spec_writer import INPUT, Imported, ModelImportError, Step, Unsupported

WRAPPERS = ("Functional", "Model", "Sequential")


def tables():
    """Keras class -> entry, and `activation=` name -> kind, from the layer entries."""
    classes, activations = {}, {}
    for layer in REGISTRY.values():
        for cls in getattr(layer, "keras_classes", ()):
            classes[cls] = layer
        for act in getattr(layer, "keras_activations", ()):
            activations[act] = layer.name
    return classes, activations


def read_config(path: str) -> dict:
    try:
        if path.endswith(".keras"):
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read("config.json"))
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as err:
        raise ModelImportError(f"{path}: not a Keras model config ({err})",
                               hint="give a .keras file or the JSON of model.to_json()") from None


OPEN_INPUT_HINT = ("give the input size: --in HxWxC with `cnncost import` (e.g. --in 224x224x3); "
                   "--resolution R with summarize, compare, check, explain, graph, verify (an R x R input); "
                   "cnncost.load(path, resolution=R) in Python")


def _input_shape(path: str, cfg: dict, given, size=None):
    """The input's (h, w, c); `given`: --in HxWxC; `size`: --resolution R for an open
    height and width (the channels stay the model's)."""
    shape = cfg.get("batch_shape") or cfg.get("batch_input_shape") or cfg.get("build_input_shape")
    shape = tuple(shape[1:]) if shape else ()
    if given:
        shape = tuple(given)
    elif size and len(shape) == 3 and shape[2] is not None:
        shape = tuple(size if d is None else d for d in shape[:2]) + shape[2:]
    if not shape or any(d is None for d in shape):
        shown = "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")" if shape else "not given"
        raise ModelImportError(f"{path}: the model's input shape (height, width, channels) is {shown}: "
                               "its size is left open", hint=OPEN_INPUT_HINT)
    return shape


def _history(tensor) -> str:
    """The layer a Keras 3 tensor ({"keras_history": [layer, node, index]}) or a Keras 2
    inbound entry ([layer, node, index, kwargs]) comes from."""
    if isinstance(tensor, dict):
        return tensor["config"]["keras_history"][0]
    return tensor[0]


def _inbound(layer: dict):
    """(producing layer names, input shapes or None) of a functional layer's only call."""
    nodes = layer.get("inbound_nodes") or []
    if not nodes:
        return [], []
    if len(nodes) > 1:
        raise Unmappable(f"layer called {len(nodes)} times (shared layers)")
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [tensor or [tensors]], "kwargs": {}}
        args = node["args"]
        tensors = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        tensors = [t for t in tensors if isinstance(t, dict) and t.get("class_name") == "__keras_tensor__"]
        return [_history(t) for t in tensors], [tuple(t["config"]["shape"][1:]) for t in tensors]
    return [_history(t) for t in node], [None] * len(node)  # Keras 2


def read_keras(path: str, input_shape=None, size=None) -> Imported:
    data = read_config(path)
    if "class_name" not in data and "config" in data:
        data = data["config"]
    if data.get("class_name") not in WRAPPERS:
        raise ModelImportError(f"{path}: a Keras {data.get('class_name')!r}, not a model",
                               hint="save the model (model.save('m.keras') or model.to_json())")
    config = data["config"]
    sequential = data["class_name"] == "Sequential"
    layers = config["layers"]
    frozen_all = config.get("trainable") is False
    classes, activations = tables()
    unsupported = Unsupported("Keras layers")
    steps: list[Step] = []
    used = {layer.get("name") or layer.get("config", {}).get("name") for layer in layers}
    alias: dict[str, str] = {}  # a layer that maps to nothing stands for its input
    readers: dict = {}  # layer name -> [(class, config)] of the layers reading its output
    for k, layer in enumerate(layers):
        if sequential:
            sources = [layers[k - 1].get("name") or layers[k - 1].get("config", {}).get("name")] if k else []
        else:
            try:
                sources = _inbound(layer)[0]
            except Unmappable:
                sources = []
        for s in sources:
            readers.setdefault(s, []).append((layer["class_name"], layer.get("config", {})))
    shape = None
    previous = INPUT
    for layer in layers:
        cls, cfg = layer["class_name"], layer.get("config", {})
        name = layer.get("name") or cfg.get("name")
        if cls == "InputLayer":
            shape = _input_shape(path, cfg, input_shape, size)
            alias[name] = INPUT
            continue
        if sequential:
            if shape is None:
                shape = _input_shape(path, {**cfg, "build_input_shape": config.get("build_input_shape")
                                      or cfg.get("batch_input_shape") or cfg.get("batch_shape")}, input_shape, size)
            sources, ins = [previous], [None]
        else:
            try:
                sources, ins = _inbound(layer)
            except Unmappable as err:
                unsupported.add(cls, name, str(err))
                continue
        sources = tuple(alias.get(s, s) for s in sources)
        entry = classes.get(cls)
        frozen = frozen_all or cfg.get("trainable") is False
        made = []
        try:
            if cls == "Activation":
                act = cfg["activation"] if isinstance(cfg["activation"], str) else None
                if act not in activations:
                    raise Unmappable(f"activation {cfg['activation']!r}")
                made = [] if REGISTRY[activations[act]].category != "activation" else [(activations[act], "")]
            elif entry is None:
                raise Unmappable("")
            else:
                made = list(entry.from_keras({**cfg, "_readers": readers.get(name, [])}, ins))
                act = cfg.get("activation")
                if act not in (None, "linear"):
                    if not isinstance(act, str) or act not in activations:
                        raise Unmappable(f"activation {act!r}")
                    made.append((activations[act], ""))
        except Unmappable as err:
            unsupported.add(cls, name, str(err))
            continue
        if not made:
            alias[name] = sources[0]
            previous = sources[0]
            continue
        inputs = sources
        for k, (kind, args) in enumerate(made):
            step_name = name if k == 0 else f"{name}_{kind}"
            while k and step_name in used:  # conv1 with activation=relu beside a layer named conv1_relu
                step_name += "_"
            used.add(step_name)
            steps.append(Step(step_name, kind, args, inputs, frozen))
            inputs = (step_name,)
        alias[name] = inputs[0]
        previous = inputs[0]
    unsupported.check(path)
    if shape is None:
        raise ModelImportError(f"{path}: no input layer and no input shape", hint=OPEN_INPUT_HINT)
    if sequential:
        output = previous
    else:
        outs = config.get("output_layers") or []
        if outs and isinstance(outs[0], list) and len(outs) > 1:
            raise ModelImportError(f"{path}: the model has {len(outs)} outputs; cnncost reads one")
        out_name = outs[0][0] if outs and isinstance(outs[0], list) else outs[0] if outs else previous
        output = alias.get(out_name, out_name)
    stem = os.path.splitext(os.path.basename(path))[0]
    return Imported(config.get("name") or stem, os.path.basename(path), "Keras config reader",
                    shape, steps, output, dict(alias))
