"""The layer catalogue. Importing this package registers every layer kind."""
from . import activation, conv, dense, inputs, merge, norm, pool, reshape, se  # noqa: F401
from .base import ALIASES, GLOBAL, REGISTRY, FLAGS, Layer, RFStep, lookup, user_kinds

__all__ = ["ALIASES", "FLAGS", "GLOBAL", "REGISTRY", "Layer", "RFStep", "lookup", "user_kinds"]
