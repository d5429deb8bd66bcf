"""A model file to spec text, by its extension: .onnx (ONNX), .keras and .json (Keras)."""
from __future__ import annotations

import os

from .spec_writer import Imported, ModelImportError, write_spec

EXTENSIONS = (".onnx", ".keras", ".json")


def read_model(path: str, input_shape=None) -> Imported:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".onnx":
        from .import_onnx import read_onnx

        return read_onnx(path, input_shape)
    if ext in (".keras", ".json"):
        from .import_keras import read_keras

        return read_keras(path, input_shape)
    raise ModelImportError(f"{path}: not a model file cnncost reads",
                           hint="cnncost imports " + ", ".join(EXTENSIONS) + " files")


def model_spec(path: str, input_shape=None) -> str:
    """The spec text cnncost writes for a model file."""
    return write_spec(read_model(path, input_shape))


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
