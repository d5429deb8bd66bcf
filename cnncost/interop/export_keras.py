"""Write a built network as one Keras 3 file: a function returning a functional
keras.Model, built by asking each layer entry for its code (Layer.keras). Layer names
are the spec's with `.` written `_` (Keras on the torch backend refuses dots)."""
from __future__ import annotations

from ..layers import REGISTRY
from .export_code import KERAS_HELPERS, ExportError, KerasCode
from .export_plan import entry_code, plan_variables

INDENT = " " * 4


def keras_name(name: str) -> str:
    return name.replace(".", "_")


def keras_code(graph, node) -> KerasCode:
    """The layer entry's Keras code for one node, or an ExportError naming it."""
    return entry_code(graph, node, "keras", "Keras", "has no layer for")


def _with_name(ctor: str, name: str, frozen: bool) -> str:
    extra = f'name="{name}"' + (", trainable=False" if frozen else "")
    return ctor[:-1] + ("" if ctor.endswith("()") else ", ") + extra + ")"


def export_keras(graph) -> str:
    """The source text of a Keras 3 file defining the network `graph`."""
    if graph.symbols:
        raise ExportError(f"{graph.name} has symbolic sizes ({', '.join(graph.symbols)}); "
                          "code needs numbers", hint="give the symbols values or drop --symbolic")
    names = {**plan_variables(graph), 0: "inputs"}  # the model needs its input at the end
    helpers: list[str] = []
    lines = [f'{INDENT}{names[0]} = keras.Input(shape={tuple(graph.input.shape)!r}, name="input")']
    for node in graph.nodes[1:]:
        ins = [graph.nodes[i].shape for i in node.inputs]
        code = keras_code(graph, node)
        helpers += [h for h in code.helpers if h not in helpers]
        args = [names[i] for i in node.inputs]
        source = f"[{', '.join(args)}]" if REGISTRY[node.kind].merge else args[0]
        frozen = node.frozen and REGISTRY[node.kind].params(node.attrs, ins, node.shape) > 0
        for step, (suffix, ctor) in enumerate(code.layers):
            target = names[node.id]
            layer = _with_name(ctor, keras_name(node.name) + suffix, frozen)
            note = f"  # {_shape(node.shape)}" if step == len(code.layers) - 1 else ""
            lines.append(f"{INDENT}{target} = {layer}({source}){note}")
            source = target
    return "\n".join([
        f'"""{graph.name}, exported by cnncost from {graph.file}: a Keras 3 functional model.',
        "",
        "Layer names are the spec's with '.' written '_'; `freeze:` layers have trainable=False.",
        '"""',
        "import keras",
        "from keras import layers",
        "",
        *("\n" + KERAS_HELPERS[h].strip("\n") + "\n" for h in helpers),
        "",
        "def build_model():",
        f'{INDENT}"""{graph.name}: input {_shape(graph.input.shape)} (channels last)."""',
        *lines,
        f'{INDENT}return keras.Model({names[0]}, {names[graph.output]}, name="{keras_name(graph.name)}")',
        "",
    ])


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)
