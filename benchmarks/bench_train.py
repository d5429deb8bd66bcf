"""Measure the peak memory of one training step of PyTorch on CPU against cnncost's
estimate (run by hand; results go in the issue notes and docs/how-to/training-cost.md).

    python benchmarks/bench_train.py [--nets vgg16 resnet50 mobilenet_v2] [--batches 8 32]
                                     [--resolution 224] [--optimizer sgd] [--steps 2]

The module is the test-local one (tests/torch_module.py, torchvision's layer choices).
One warm-up step creates the optimizer state; the next step (zero_grad to None, forward,
out.sum().backward(), optimizer.step()) runs under torch.profiler with profile_memory: the
peak is what was allocated before the step (parameters, buffers, optimizer state, the
input) plus the highest running sum of the profiler's [memory] events. Target: within
10% of `cnncost train`'s peak.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nets", nargs="+", default=["vgg16", "resnet50", "mobilenet_v2"])
    ap.add_argument("--batches", nargs="+", type=int, default=[8, 32])
    ap.add_argument("--resolution", default=None, help="input size (default: the spec's)")
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "momentum", "adam", "adamw"])
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    import torch

    import cnncost
    from cnncost.passes.training import train_pass
    from torch_module import measure_peak as measure

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), optimizer {args.optimizer}")
    print(f"{'network':<14} {'input':>11} {'batch':>5} {'estimate MB':>12} {'measured MB':>12} "
          f"{'diff':>7}  {'peak at (estimate)':<28} {'s':>5}")
    for name in args.nets:
        graph = cnncost.load(name, resolution=args.resolution)
        facts = train_pass(graph, "fp32", args.optimizer)
        for batch in args.batches:
            start = time.perf_counter()
            estimate, where = facts.peak(batch)
            measured, _ = measure(graph, batch, args.optimizer, args.steps)
            shape = "x".join(map(str, graph.input.shape))
            print(f"{name:<14} {shape:>11} {batch:>5} {estimate / 2**20:>12.1f} {measured / 2**20:>12.1f} "
                  f"{(estimate - measured) / measured:>+7.1%}  {where[:28]:<28} "
                  f"{time.perf_counter() - start:>5.0f}", flush=True)


if __name__ == "__main__":
    main()
