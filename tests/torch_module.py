"""The training oracle of the torch tier: the exported PyTorch module of a graph
(cnncost.export, issue 14) in training mode, its backward FLOPs and saved tensors, and the
peak memory of one training step on CPU. Run as a script by tests/test_train_torch.py (one
child process for every case) and imported by benchmarks/bench_train.py.
"""
from __future__ import annotations

import torch


def module(graph):
    """The exported PyTorch module (cnncost.export, issue 14) in training mode."""
    import cnncost

    namespace: dict = {}
    exec(compile(cnncost.export(graph, "pytorch"), f"<export of {graph.name}>", "exec"), namespace)
    torch.manual_seed(0)
    return namespace["build_model"]().train()


def loss_of(out):
    """The loss of one step: the sum of the output, or with training heads (the module in
    training mode returns (main, head, ...), as googlenet_aux) the sum over every head."""
    return sum(y.sum() for y in out) if isinstance(out, tuple) else out.sum()


def input_for(graph, batch):
    h, w, c = graph.input.shape
    return torch.randn(batch, c, h, w)


def measure_peak(graph, batch: int, optimizer: str = "sgd", steps: int = 2):
    """(peak bytes of one training step on CPU, bytes alive before it). `steps - 1` warm-up
    steps make the optimizer state; the last step (zero_grad to None, forward,
    loss_of(output).backward(), optimizer step) runs under torch.profiler with profile_memory:
    the peak is what was allocated before it (parameters, buffers, optimizer state, the
    input) plus the highest running sum of the profiler's [memory] events."""
    from torch.profiler import ProfilerActivity, profile

    model = module(graph)
    x = input_for(graph, batch)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = {"sgd": lambda: torch.optim.SGD(params, lr=1e-3),
           "momentum": lambda: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
           "adam": lambda: torch.optim.Adam(params, lr=1e-3),
           "adamw": lambda: torch.optim.AdamW(params, lr=1e-3)}[optimizer]()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_of(model(x)).backward()
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


# ---- run in a child process by the torch tier (tests/test_train_torch.py), so the memory
# PyTorch takes and keeps stays out of the test process (test_verify_memory sizes it)
def counts(graph, batch):
    """(backward FLOPs as FlopCounterMode counts them, bytes of the unique storages
    saved_tensors_hooks see in the forward, parameters and buffers left out)."""
    from torch.utils.flop_counter import FlopCounterMode

    model = module(graph)
    x = input_for(graph, batch)
    weights = {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}
    seen = {}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in weights:
            seen[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = loss_of(model(x))
    with FlopCounterMode(display=False) as counter:
        loss.backward()
    return counter.get_total_flops(), sum(seen.values())


def _main():
    """Jobs as JSON on stdin ({spec, text, resolution, batch, what, optimizer}), one
    result per job as JSON on stdout."""
    import json
    import sys

    import cnncost

    torch.set_num_threads(1)
    results = []
    for job in json.load(sys.stdin):
        graph = cnncost.load(job["spec"], text=job.get("text"), resolution=job.get("resolution"))
        if job["what"] == "counts":
            results.append(list(counts(graph, job["batch"])))
        else:
            results.append(measure_peak(graph, job["batch"], job["optimizer"])[0])
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    _main()
