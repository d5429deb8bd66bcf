"""Measure the peak memory of one training step of PyTorch on CPU against cnncost's
estimate (run by hand; results go in the issue notes and docs/training.md).

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


def measure(graph, batch: int, optimizer: str, steps: int = 2):
    """(peak bytes of the profiled step, bytes alive before it)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    import torch_module

    model = torch_module.module(graph)
    x = torch_module.input_for(graph, batch)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = {"sgd": lambda: torch.optim.SGD(params, lr=1e-3),
           "momentum": lambda: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
           "adam": lambda: torch.optim.Adam(params, lr=1e-3),
           "adamw": lambda: torch.optim.AdamW(params, lr=1e-3)}[optimizer]()

    def step():
        opt.zero_grad(set_to_none=True)
        model(x).sum().backward()
        opt.step()

    for _ in range(steps - 1):
        step()
    opt.zero_grad(set_to_none=True)
    tensors = list(model.parameters()) + list(model.buffers()) + [x]
    for state in opt.state.values():
        tensors += [v for v in state.values() if torch.is_tensor(v) and v.dim() > 0]
    before = sum(t.untyped_storage().nbytes() for t in
                 {t.untyped_storage().data_ptr(): t for t in tensors}.values())
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    events = sorted((e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"),
                    key=lambda e: e.start_ns())
    running = peak = 0
    for e in events:
        running += e.nbytes()
        peak = max(peak, running)
    return before + peak, before


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
