"""Time import + summarize of a ResNet-50 end to end (run by hand; figures go in the notes).

    python benchmarks/bench_import.py [--runs 5]

Cases, each a fresh `cnncost` process (what a user waits for):
- `cnncost summarize` of tests/data/models/onnx_resnet50.onnx (graph only, weights absent)
- the same with the weights in the file (written here with torch, ~100 MB), when torch is installed
- `cnncost summarize` of tests/data/models/keras_resnet50.json (Keras 3 config)
- `cnncost import` of both (the spec text only)
- `cnncost summarize` of the pattern fixtures: onnx_lrn.onnx (LocalResponseNorm as torch.onnx's
  arithmetic) and onnx_shuffle.onnx (a ShuffleNet v2 unit), beside onnx_small.onnx
- with torch: the ResNet-50 module read in process by the torch.fx reader and by the
  torch.export reader (from_torch's fallback where fx cannot trace)
Beside them, onnx-tool's `model_profile` of the file with weights, when `pip install onnx-tool`
worked (it needs the weights: a file with external data dropped does not load).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "tests", "data", "models")


def timed(cmd: list[str], runs: int) -> float:
    env = dict(os.environ, PYTHONPATH=REPO)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def with_weights(folder: str) -> str | None:
    """ResNet-50 exported by torch with its weights inside the file, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    import importlib.util

    torch.set_num_threads(1)
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(MODELS, "make_fixtures.py"))
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    path = os.path.join(folder, "resnet50_full.onnx")
    with contextlib.redirect_stderr(io.StringIO()):
        torch.onnx.export(fixtures.torch_resnet50().eval(), (torch.zeros(1, 3, 224, 224),), path,
                          dynamo=False, do_constant_folding=False)
    return path


def torch_readers(runs: int):
    """(torch.fx reader, torch.export reader) seconds on the torch ResNet-50, or None."""
    try:
        import torch
    except ImportError:
        return None
    import importlib.util

    sys.path.insert(0, REPO)
    from cnncost.interop.import_aten import read_aten
    from cnncost.interop.import_torch import read_torch

    torch.set_num_threads(1)
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(MODELS, "make_fixtures.py"))
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    module = fixtures.torch_resnet50().eval()
    out = []
    for read in (read_torch, read_aten):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            read(module, (224, 224, 3))
            times.append(time.perf_counter() - start)
        out.append(statistics.median(times))
    return out


def onnx_tool_profile(path: str, runs: int) -> float | None:
    try:
        import onnx_tool
    except ImportError:
        return None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            onnx_tool.model_profile(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cli = [sys.executable, "-m", "cnncost"]
    onnx_file = os.path.join(MODELS, "onnx_resnet50.onnx")
    keras_file = os.path.join(MODELS, "keras_resnet50.json")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {runs} runs")
    print(f"  baseline python -c pass                     {timed([sys.executable, '-c', 'pass'], runs):6.2f} s")
    print(f"  summarize onnx_resnet50.onnx (no weights)   {timed(cli + ['summarize', onnx_file], runs):6.2f} s")
    print(f"  import    onnx_resnet50.onnx                {timed(cli + ['import', onnx_file], runs):6.2f} s")
    print(f"  summarize keras_resnet50.json               {timed(cli + ['summarize', keras_file], runs):6.2f} s")
    print(f"  import    keras_resnet50.json               {timed(cli + ['import', keras_file], runs):6.2f} s")
    for stem in ("onnx_small", "onnx_lrn", "onnx_shuffle"):
        path = os.path.join(MODELS, f"{stem}.onnx")
        print(f"  summarize {stem + '.onnx':32s}  {timed(cli + ['summarize', path], runs):6.2f} s")
    readers = torch_readers(runs)
    if readers:
        print(f"  from_torch resnet50, torch.fx reader        {readers[0]:6.2f} s (in process)")
        print(f"  from_torch resnet50, torch.export reader    {readers[1]:6.2f} s (in process)")
    with tempfile.TemporaryDirectory() as folder:
        full = with_weights(folder)
        if full is None:
            print("  (torch not installed: no ResNet-50 file with weights, no onnx-tool comparison)")
            return
        size = os.path.getsize(full) / 1e6
        print(f"  summarize resnet50 with weights ({size:.0f} MB)   {timed(cli + ['summarize', full], runs):6.2f} s")
        profile = onnx_tool_profile(full, runs)
        if profile is None:
            print("  onnx-tool: not installed (pip install onnx-tool)")
        else:
            print(f"  onnx-tool model_profile, in process         {profile:6.2f} s")


if __name__ == "__main__":
    main()
