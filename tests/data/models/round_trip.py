"""Run by tests/test_import_torch.py in a child process (the pytest process stays small:
PyTorch and the zoo's models would raise its memory peak, which a child inherits and
tests/test_verify_memory.py measures). For each zoo spec named on the command line: the
spec's own facts, and those of the same network built in PyTorch by cnncost's exporter
and read back through torch.fx, through torch.export (the fallback where fx fails, used
here on every module) and through ONNX, as JSON on stdout."""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import warnings


def facts(graph, training: bool = True) -> list:
    """Totals of every head (the exported module holds them all), or with training=False
    of what inference runs (an ONNX export keeps only what the output needs)."""
    import cnncost

    t = cnncost.analyze(graph, training=training).totals
    return [t.params, t.buffers, t.macs, list(graph.nodes[graph.output].shape)]


def round_trip(name: str, folder: str) -> dict:
    import torch

    import cnncost

    graph = cnncost.load(name)
    namespace: dict = {}
    exec(cnncost.export(graph, "pytorch"), namespace)  # noqa: S102 (cnncost's own exporter's code)
    module = namespace["build_model"]().eval()
    c, h, w = module.input_shape
    out = {"zoo": facts(graph), "zoo_inference": facts(graph, training=False)}
    try:
        out["fx"] = facts(cnncost.from_torch(module, input=(h, w, c)))
    except cnncost.CnnCostError as err:
        out["fx"] = err.message
    from cnncost.interop.import_aten import read_aten
    from cnncost.interop.spec_writer import write_spec

    try:
        out["export"] = facts(cnncost.load(f"<{name}>", text=write_spec(read_aten(module, (h, w, c)))))
    except cnncost.CnnCostError as err:
        out["export"] = err.message
    path = os.path.join(folder, f"{name}.onnx")
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.zeros(1, c, h, w),), path, dynamo=False, do_constant_folding=False)
    try:
        out["onnx"] = facts(cnncost.load(path))
    except cnncost.CnnCostError as err:
        out["onnx"] = err.message
    os.remove(path)
    return out


if __name__ == "__main__":
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps({name: round_trip(name, folder) for name in sys.argv[1:]}))
