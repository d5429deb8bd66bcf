"""The operation ledger: per node, every quantity a cost tool might count, as raw ints.

Tools disagree because they count different things (bias adds, batch-norm elements,
activations, pool inputs or outputs) with different factors. The ledger lists those
things once, keyed `kind.measure` (`conv.macs`, `bn.scale`, `maxpool.in`). Each kind's
entry says which measures it makes (`Layer.ledger`) and the category each is priced by
(`Layer.ledger_categories`); each convention in `cnncost.conventions` is a table of
factors over those categories.

Measures (all at batch 1; the report scales them by the batch):
    macs      multiply-accumulates, the layer's own rule (conv, dwconv, deconv, fc)
    bias      bias adds: one per output element of a layer with a bias
    weights_x_out   deconv only: weight count x output positions (what torchinfo and
                    ptflops multiply; cnncost's deconv MACs use the input positions)
    elements  elements through an activation, or normalised by `bn`
    scale     elements multiplied by bn's gamma; shift: elements shifted by beta
    params    bn's gamma and beta values (torchinfo charges each once per batch item)
    in, out   input / output elements of a pooling or upsampling layer
    bilinear_out    output elements of a bilinear upsample (the tools price them apart)
    ops       everything else cnncost counts in `other ops` (docs/counting.md): pooling
              window ops, add/mul merges, lrn, rescale, normalize
Every node's `other_ops` lands in exactly one of bias, elements + scale + shift, or ops.
"""
from __future__ import annotations

from .. import dims
from ..build import Graph
from ..layers import REGISTRY
from .counts import Counts

# Ledger rows are grouped by layer category, in this order, then by first appearance.
CATEGORY_ORDER = ("weight", "norm", "activation", "pool", "merge", "reshape", "other")

MEASURE_LABELS = {
    "macs": "multiply-accumulates",
    "bias": "bias adds",
    "weights_x_out": "weights x output positions",
    "elements": "elements",
    "scale": "elements x gamma",
    "shift": "elements + beta",
    "params": "gamma and beta values",
    "in": "input elements",
    "out": "output elements",
    "bilinear_out": "output elements, bilinear",
    "ops": "ops",
}


def label(key: str) -> str:
    """'maxpool.in' -> 'maxpool: input elements'; 'add.ops' -> 'add: element adds' (the
    kind's entry may name a measure in its own words)."""
    kind, measure = key.split(".")
    layer = REGISTRY.get(kind)
    text = (layer.ledger_labels.get(measure) if layer is not None else None) or MEASURE_LABELS[measure]
    return f"{kind}: {text}"


def _zero(value) -> bool:
    return dims.is_number(value) and value == 0


def node_ledger(graph: Graph, node, counts: Counts) -> dict[str, object]:
    """The ledger entries of one node: {'kind.measure': count}, zero counts left out. A
    measure whose category no convention profile knows stops here, naming the layer."""
    from ..conventions import check_category

    layer = REGISTRY[node.kind]
    ins = [graph.nodes[i].shape for i in node.inputs]
    entry = layer.ledger(node.attrs, ins, node.shape, counts)
    for measure in entry:
        check_category(node, measure)
    return {f"{node.kind}.{measure}": value for measure, value in entry.items() if not _zero(value)}


def node_ledgers(graph: Graph, counts: list[Counts]) -> list[dict[str, object]]:
    """One ledger per node, in graph order (counts from passes.counts.count)."""
    return [node_ledger(graph, node, c) for node, c in zip(graph.nodes, counts)]


def total_ledger(ledgers: list[dict[str, object]]) -> dict[str, object]:
    """The network's ledger: each key summed over nodes, in CATEGORY_ORDER then first
    appearance (so MACs come first and merges last)."""
    totals: dict[str, object] = {}
    for entry in ledgers:
        for key, value in entry.items():
            totals[key] = totals.get(key, 0) + value
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    order = {key: i for i, key in enumerate(totals)}

    def position(key):
        category = REGISTRY[key.split(".")[0]].category
        return rank.get(category, len(rank)), order[key]

    return {key: dims.exact(totals[key]) for key in sorted(totals, key=position)}
