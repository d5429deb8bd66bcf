"""A model file to spec text, by its extension: .onnx (ONNX), .keras and .json (Keras)."""
from __future__ import annotations

import os

from .spec_writer import Imported, ModelImportError, write_spec

EXTENSIONS = (".onnx", ".keras", ".json")


def read_model(path: str, input_shape=None, size=None) -> Imported:
    """`input_shape`: --in HxWxC; `size`: --resolution R, the height and width of a Keras
    input that leaves them open (its channels are the model's)."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".onnx":
        from .import_onnx import read_onnx

        return read_onnx(path, input_shape)
    if ext in (".keras", ".json"):
        from .import_keras import read_keras

        return read_keras(path, input_shape, size)
    raise ModelImportError(f"{path}: not a model file cnncost reads",
                           hint="cnncost imports " + ", ".join(EXTENSIONS) + " files")


def model_spec(path: str, input_shape=None, size=None) -> str:
    """The spec text cnncost writes for a model file."""
    return write_spec(read_model(path, input_shape, size))


def parse_shape(text: str | None):
    """--in HxWxC -> (h, w, c)."""
    if not text:
        return None
    parts = text.lower().replace(",", "x").split("x")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise ModelImportError(f"--in {text}: not HxWxC", hint="e.g. --in 224x224x3")
    return shape


def ops_page() -> str:
    """docs/interop-ops.md: every ONNX op, Keras class and PyTorch module or function the
    importers map, and the patterns read as one layer (`onnx_patterns`), read from the
    layer entries (tests/test_import.py keeps it current)."""
    from ..layers import REGISTRY

    rows = []
    for kind in sorted(REGISTRY):
        layer = REGISTRY[kind]
        cols = [getattr(layer, "onnx_ops", ()), getattr(layer, "keras_classes", ()),
                tuple(f"activation='{a}'" for a in getattr(layer, "keras_activations", ())),
                getattr(layer, "torch_modules", ()), getattr(layer, "torch_functions", ()),
                getattr(layer, "torch_aten_ops", ())]
        if not any(cols):
            continue
        onnx, keras, acts = (", ".join(f"`{x}`" for x in c) for c in cols[:3])
        torch = ", ".join(x for x in (", ".join(f"`nn.{m}`" for m in cols[3]),
                                      ", ".join(f"`{f}`" for f in cols[4])) if x)
        aten = ", ".join(f"`aten.{a}`" for a in cols[5])
        rows.append(f"| `{kind}` | {onnx} | {', '.join(x for x in (keras, acts) if x)} | {torch} | {aten} |")
    patterns = [f"| `{kind}` | `{start}` | {what} |" for kind in sorted(REGISTRY)
                for start, what in getattr(REGISTRY[kind], "onnx_patterns", {}).items()]
    return "\n".join([
        "# Operators and classes the importers map",
        "",
        "Generated from the layer entries (`onnx_ops`, `keras_classes`, `keras_activations`,",
        "`torch_modules`, `torch_functions`, `torch_aten_ops` in cnncost/layers/);",
        "`CNNCOST_REGEN_GOLDEN=1 pytest tests/test_import.py` rewrites it. Anything not listed",
        "stops an import with an error naming it (see docs/import.md). PyTorch functions are",
        "matched by name (`F.relu`, `torch.flatten`, the `+` of `operator.add`, tensor methods",
        "such as `x.view`, `getitem` for `x[:, a:b]`); aten ops are read from `torch.export`'s",
        "graph when torch.fx cannot trace a module. A `slice` entry's Slice, `getitem` or",
        "`aten.slice` of the height and width is a `crop`.",
        "",
        "| cnncost kind | ONNX op | Keras class | PyTorch (torch.fx) | PyTorch (torch.export) |",
        "|---|---|---|---|---|",
        *rows, "",
        "## Patterns read as one layer",
        "",
        "Some modules are written by torch's exporter as several nodes. The entry's `match_onnx`",
        "hook is offered each node of the op below and the nodes after it, and reads the pattern",
        "as one layer when the nodes and their constants are exactly its form; the torch.fx",
        "reader offers it the same view of its graph (`x.view` is a `Reshape`, `x.transpose` a",
        "`Transpose`, `contiguous` an `Identity`). Anything else stays unsupported.",
        "",
        "| cnncost kind | starts at | pattern |",
        "|---|---|---|",
        *patterns, ""])
