"""Interoperation with the frameworks: exporters (PyTorch, Keras) written as table walks over the layer entries."""
