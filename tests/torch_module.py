"""A PyTorch module run from a cnncost graph, for the training oracle tests (torch tier).

Stands in for the exporter of issue 14 (spec -> nn.Module source) until it lands on this
branch: the same layer for each kind as torchvision builds it (in-place ReLU/ReLU6,
BatchNorm2d in training mode, Dropout, AdaptiveAvgPool2d). NCHW; the flatten order differs
from the spec's (h, w, c), which changes no count.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


class GraphModule(nn.Module):
    def __init__(self, graph):
        super().__init__()
        from cnncost.layers.window import window_out

        self.graph = graph
        self.layers = nn.ModuleDict()
        self.pads = {}
        for node in graph.nodes[1:]:
            a, ins = node.attrs, [graph.nodes[i].shape for i in node.inputs]
            key = str(node.id)
            k = node.kind
            if k in ("conv", "dwconv", "maxpool", "avgpool"):
                h, w, c = ins[0]
                _, (t, b, l, r) = window_out(a, h, w)
                if t == b and l == r:
                    sym = (t, l)
                else:  # asymmetric ('same' with an even kernel or a stride): an explicit pad
                    sym, self.pads[node.id] = (0, 0), (l, r, t, b)
            if k == "conv":
                c = ins[0][2]
                self.layers[key] = nn.Conv2d(c, a["channels"], a["kernel"], a["stride"], sym, a["dilation"],
                                             a["groups"], a["bias"])
            elif k == "dwconv":
                c = ins[0][2]
                self.layers[key] = nn.Conv2d(c, c * a["mult"], a["kernel"], a["stride"], sym, a["dilation"],
                                             c, a["bias"])
            elif k == "fc":
                s = ins[0]
                n = s[0] if len(s) == 1 else s[2]
                self.layers[key] = nn.Linear(n, a["units"], a["bias"])
            elif k == "bn":
                self.layers[key] = nn.BatchNorm2d(node.shape[-1]) if len(node.shape) == 3 \
                    else nn.BatchNorm1d(node.shape[-1])
            elif k == "relu":
                self.layers[key] = nn.ReLU(inplace=True)
            elif k == "relu6":
                self.layers[key] = nn.ReLU6(inplace=True)
            elif k == "swish":
                self.layers[key] = nn.SiLU(inplace=True)
            elif k == "sigmoid":
                self.layers[key] = nn.Sigmoid()
            elif k == "tanh":
                self.layers[key] = nn.Tanh()
            elif k == "softmax":
                self.layers[key] = nn.Softmax(dim=1)
            elif k == "dropout":
                self.layers[key] = nn.Dropout(float(a["rate"]))
            elif k == "lrn":
                self.layers[key] = nn.LocalResponseNorm(a["size"])
            elif k == "maxpool":
                self.layers[key] = nn.MaxPool2d(a["kernel"], a.get("stride") or a["kernel"], sym,
                                                a["dilation"], ceil_mode=a["ceil"])
            elif k == "avgpool":
                self.layers[key] = nn.AvgPool2d(a["kernel"], a.get("stride") or a["kernel"], sym,
                                                ceil_mode=a["ceil"])
            elif k == "gap":
                self.layers[key] = nn.AdaptiveAvgPool2d(1)
            elif k == "adaptiveavgpool":
                self.layers[key] = nn.AdaptiveAvgPool2d(a["output"])
            elif k == "gmp":
                self.layers[key] = nn.AdaptiveMaxPool2d(1)
            elif k == "pad":
                t, b, l, r = a["pad"]
                self.layers[key] = nn.ZeroPad2d((l, r, t, b))
        for node in graph.nodes:
            if node.frozen:
                for p in self.layers[str(node.id)].parameters() if str(node.id) in self.layers else ():
                    p.requires_grad_(False)

    def forward(self, x):
        last = {}
        for node in self.graph.nodes:
            for i in node.inputs:
                last[i] = node.id
        outs = [x]
        for node in self.graph.nodes[1:]:
            xs = [outs[i] for i in node.inputs]
            for i in node.inputs:  # drop each output after its last use, as straight code does
                if last[i] == node.id and i != self.graph.output:
                    outs[i] = None
            k, key = node.kind, str(node.id)
            if node.id in self.pads:
                xs[0] = F.pad(xs[0], self.pads[node.id])
            if k == "flatten":
                y = xs[0].flatten(1)
            elif k == "fc":
                y = self.layers[key](xs[0].flatten(1) if xs[0].dim() == 4 else xs[0])
            elif k == "identity":
                y = xs[0]
            elif k == "add":
                y = xs[0]
                for other in xs[1:]:
                    y = y + other
            elif k == "concat":
                y = torch.cat(xs, 1)
            elif k == "mul":
                y = xs[0] * xs[1]
            else:
                y = self.layers[key](xs[0])
            outs.append(y)
        return outs[self.graph.output]


def module(graph):
    torch.manual_seed(0)
    return GraphModule(graph).train()


def input_for(graph, batch):
    h, w, c = graph.input.shape
    return torch.randn(batch, c, h, w)


def measure_peak(graph, batch: int, optimizer: str = "sgd", steps: int = 2):
    """(peak bytes of one training step on CPU, bytes alive before it). `steps - 1` warm-up
    steps make the optimizer state; the last step (zero_grad to None, forward,
    out.sum().backward(), optimizer step) runs under torch.profiler with profile_memory:
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
        loss = model(x).sum()
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
