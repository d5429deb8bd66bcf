"""Run what `cnncost.export` writes: the PyTorch oracle's figures for a graph, beside
cnncost's own (shared by the export tests; needs torch, imported by the caller)."""
from __future__ import annotations

import cnncost


# Every zoo model and layer kind has a PyTorch form (LeNet-5 1998's subsample, table= and
# rbf through helper classes in the exported file), so none is refused. The importers read
# back what the exporter writes, except those helpers: the models using them.
IMPORTER_CANNOT_READ = {"lenet5_1998": "the exporter's Subsample, TableConv and RBF helper modules"}


def load_module(source: str, name: str) -> dict:
    """Execute generated source as a module of its own (as `import` of the file would)."""
    namespace = {"__name__": f"exported_{name}"}
    exec(compile(source, f"<exported {name}>", "exec"), namespace)
    return namespace


def torch_figures(torch, graph, materialize: bool = True) -> dict:
    """Output shape (channels last, as cnncost writes it), params, trainable, buffers
    (without num_batches_tracked: docs/counting.md) and FlopCounterMode's FLOPs of the
    exported module run in eval mode on zeros, batch 1."""
    from torch.utils.flop_counter import FlopCounterMode

    model = load_module(cnncost.export(graph, "pytorch"), graph.name)["build_model"]
    if materialize:
        model = model()
    else:  # the weights' values do not matter here: skip the random initialisation
        with torch.device("meta"):
            model = model()
        model = model.to_empty(device="cpu")
    model.eval()
    x = torch.zeros(1, *model.input_shape)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(x)
    shape = tuple(y.shape[1:])
    return dict(
        shape=(*shape[1:], shape[0]) if len(shape) == 3 else shape,
        params=sum(p.numel() for p in model.parameters()),
        trainable=sum(p.numel() for p in model.parameters() if p.requires_grad),
        buffers=sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")),
        flops=counter.get_total_flops(),
    )


def cnncost_figures(graph) -> dict:
    t = cnncost.analyze(graph, training=True).totals  # the module holds every head
    return dict(shape=tuple(graph.nodes[graph.output].shape), params=t.params, trainable=t.trainable,
                buffers=t.buffers, flops=2 * t.macs)
