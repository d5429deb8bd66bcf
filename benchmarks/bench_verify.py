"""Time the NumPy executor (`cnncost verify`) against a PyTorch CPU eager forward pass of
the same network, built from our graph (run by hand; results go in the issue notes).

    python benchmarks/bench_verify.py [--runs 5] [--nets vgg16 resnet50] [--threads N]

Target (2-core machine): the executor at most 2x the time of the torch forward pass of the
same network at 224x224, batch 1, and `cnncost verify` under 2 GB of peak memory. torch is
optional: without it only our figures are printed. torch never becomes a dependency.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time


def torch_model(graph):
    """An eager torch module that runs the graph's nodes in order (NCHW). Covers the kinds
    the benchmark networks use; any other kind raises."""
    from torch import nn
    from torch.nn import functional as F

    from cnncost.execute.kernels import window_axes

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = []
            self.mods = nn.ModuleList()
            for node in graph.nodes:
                self.steps.append(self._step(node))

        def _add(self, module):
            self.mods.append(module)
            return module

        def _step(self, node):
            a, kind = node.attrs, node.kind
            ins = [graph.nodes[i].shape for i in node.inputs]
            if kind == "input":
                return None
            if kind == "conv":
                h, w = window_axes(a, ins[0][0], ins[0][1])
                conv = self._add(nn.Conv2d(ins[0][2], a["channels"], a["kernel"], a["stride"], 0,
                                           a["dilation"], a["groups"], a["bias"]))
                pads = (w.before, w.after, h.before, h.after)
                if any(pads):
                    return lambda x: conv(F.pad(x, pads))
                return conv
            if kind == "bn":
                return self._add(nn.BatchNorm2d(ins[0][2]).eval())
            if kind == "relu":
                return self._add(nn.ReLU())
            if kind == "maxpool":
                h, w = window_axes(a, ins[0][0], ins[0][1])
                pool = self._add(nn.MaxPool2d(a["kernel"], a.get("stride") or a["kernel"]))
                pads = (w.before, w.after, h.before, h.after)
                if any(pads):
                    return lambda x: pool(F.pad(x, pads, value=float("-inf")))
                return pool
            if kind == "adaptiveavgpool":
                return self._add(nn.AdaptiveAvgPool2d(a["output"]))
            if kind == "gap":
                return self._add(nn.AdaptiveAvgPool2d(1))
            if kind == "flatten":
                return self._add(nn.Flatten())
            if kind == "fc":
                features = ins[0][-1] if len(ins[0]) == 1 else ins[0][0] * ins[0][1] * ins[0][2]
                linear = self._add(nn.Linear(features, a["units"], a["bias"]))
                return lambda x: linear(x.flatten(1))
            if kind in ("dropout", "identity"):
                return self._add(nn.Identity())
            if kind == "softmax":
                return self._add(nn.Softmax(dim=1))
            if kind == "add":
                return "add"
            raise NotImplementedError(f"the benchmark's torch builder has no {kind}")

        def forward(self, x):
            values = {}
            for node, step in zip(graph.nodes, self.steps):
                xs = [values[i] for i in node.inputs]
                if step is None:
                    y = x
                elif step == "add":
                    y = xs[0]
                    for other in xs[1:]:
                        y = y + other
                else:
                    y = step(xs[0])
                values[node.id] = y
            return values[graph.output]

    return Net().eval()


def median_time(func, runs):
    func()  # warm-up: first touch of memory, thread pools, allocator
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(side: str, net: str, runs: int) -> None:
    """Print the median seconds of one side, in a process of its own: torch's OpenMP
    threads and OpenBLAS's would otherwise spin against each other on 2 cores."""
    import cnncost

    graph = cnncost.load(net)
    if side == "ours":
        from cnncost.execute.run import execute

        forward, fill = [], []
        for _ in range(runs + 1):  # the first is a warm-up
            start = time.perf_counter()
            run = execute(graph)
            fill.append(run.fill_seconds)
            forward.append(time.perf_counter() - start - run.fill_seconds)
        # the forward pass alone is what torch's figure measures; the fill is printed apart
        print(statistics.median(fill[1:]), statistics.median(forward[1:]))
        return
    import torch

    model = torch_model(graph)
    h, w, c = graph.input.shape
    x = torch.randn(1, c, h, w)
    with torch.no_grad():
        # the same network: the same parameters and output
        assert sum(p.numel() for p in model.parameters()) == cnncost.analyze(graph).totals.params
        assert tuple(model(x).shape[1:]) == graph.nodes[graph.output].shape
        print(median_time(lambda: model(x), runs))


def measure(side: str, net: str, runs: int, env: dict) -> tuple[float, ...]:
    run = subprocess.run([sys.executable, __file__, "--child", side, net, "--runs", str(runs)],
                         capture_output=True, text=True, check=True, env=env)
    return tuple(float(x) for x in run.stdout.split()[-2 if side == "ours" else -1:])


def verify_cli(net: str, env: dict) -> dict:
    """`cnncost verify NET --format json`, end to end: its own time and peak memory."""
    import json

    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "cnncost", "verify", net, "--format", "json"],
                         capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise SystemExit(f"cnncost verify {net} failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    data = json.loads(run.stdout)
    data["wall"] = time.perf_counter() - start
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nets", nargs="+", default=["vgg16", "resnet50"])
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for both sides (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS); "
                             "default: each library's own choice")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "NET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = dict(os.environ)
    if args.threads:
        env.update(OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    if args.child:
        child(*args.child, args.runs)
        return
    try:
        import torch
    except ImportError:
        torch = None
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"torch {torch.__version__ if torch else 'not installed'}, "
          f"{f'{args.threads} thread(s)' if args.threads else f'{os.cpu_count()} threads'} each; "
          f"median of {args.runs} runs after a warm-up, each side in its own process")
    for net in args.nets:
        fill, ours = measure("ours", net, args.runs, env)
        line = f"{net:<10} NumPy executor forward {ours:7.3f} s (+ weight fill {fill:.3f} s)"
        if torch is not None:
            (theirs,) = measure("torch", net, args.runs, env)
            line += f" | torch eager forward {theirs:7.3f} s | ratio {ours / theirs:4.2f}x (target <= 2x)"
        print(line, flush=True)
        data = verify_cli(net, env)
        print(f"{'':<10} cnncost verify {net}: {'ok' if data['ok'] else 'MISMATCH'}, {data['wall']:.2f} s "
              f"end to end (forward {data['seconds']:.2f} s, weight fill {data['fill_seconds']:.2f} s), "
              f"peak {data['peak_bytes'] / 1e6:.0f} MB (VmHWM, the process's own; target < 2 GB)",
              flush=True)


if __name__ == "__main__":
    main()
