"""The zoo as a table: each built-in model with its source, input and totals. The counts
are computed when asked (building and analysing every model takes about half a second),
never stored next to the specs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .. import zoo
from ..build import inference_graph
from ..passes.counts import count


@dataclass(frozen=True)
class ZooModel:
    name: str
    spec: str  # the spec file's stem; differs from `name` for a variant
    settings: Mapping[str, Any]  # a variant's parameter values (specs/variants.toml)
    resolution: int | None  # a variant's input resolution
    source: str  # the spec's first line: paper and implementation
    input: tuple
    output: tuple
    params: Any
    buffers: Any
    macs: Any

    @property
    def is_variant(self) -> bool:
        return self.name != self.spec


def describe(entry: zoo.ZooEntry, graph) -> ZooModel:
    """One model's row from its graph (the spec built with the variant's settings, by the
    caller: report/ never loads), with the totals of the counts pass (the receptive-field
    and memory passes of `analyze` are not needed here)."""
    graph = inference_graph(graph)  # the figures inference runs
    counts = count(graph)
    return ZooModel(entry.name, entry.spec, dict(entry.params), entry.resolution,
                    zoo.source(entry.spec), graph.input.shape, graph.nodes[graph.output].shape,
                    sum(c.params for c in counts), sum(c.buffers for c in counts),
                    sum(c.macs for c in counts))


def catalogue(contains: str | None, load) -> list[ZooModel]:
    """Every zoo model whose name contains `contains` (any case), sorted by name; `load`
    builds a zoo name into a graph (cnncost.load)."""
    return [describe(entry, load(entry.name)) for entry in zoo.matching(contains)]
