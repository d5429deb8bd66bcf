"""The layer catalogue. Importing this package registers every layer kind: each module
of the package is imported, so a new kind is one new module (docs/adding-a-layer.md)."""
import importlib
import pkgutil

from .base import ALIASES, GLOBAL, REGISTRY, FLAGS, Layer, RFStep, lookup, user_kinds

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["ALIASES", "FLAGS", "GLOBAL", "REGISTRY", "Layer", "RFStep", "lookup", "user_kinds"]
