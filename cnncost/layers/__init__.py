"""The layer catalogue. Importing this package registers every layer kind."""
from . import (activation, conv, deconv, dense, inputs, lenet, merge, norm, padding, pool,  # noqa: F401
               resample, reshape, se)
from .base import ALIASES, GLOBAL, REGISTRY, FLAGS, Layer, RFStep, lookup, user_kinds

__all__ = ["ALIASES", "FLAGS", "GLOBAL", "REGISTRY", "Layer", "RFStep", "lookup", "user_kinds"]
