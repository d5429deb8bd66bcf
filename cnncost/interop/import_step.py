"""The step every framework reader's walk repeats (ONNX, torch.fx, torch.export): a node
mapped by its layer entry's `from_onnx` hook, or listed as unsupported; and the steps the
(kind, args) lines of a node or a matched pattern make."""
from __future__ import annotations

from ..layers.spelling import Unmappable
from .spec_writer import Step


def map_node(entry, view, ins, n_data: int, op: str, where: str, unsupported):
    """The (kind, args) lines `entry` reads from a node ([] passes its input through), or
    None after listing the node in `unsupported`: no entry, a merge (add, concat, mul)
    with a constant, or a setting the entry or the view (`view()` builds the ONNX-style
    node the hook reads) refuses."""
    try:
        if entry is None:
            raise Unmappable("")
        if entry.merge and n_data < 2:
            raise Unmappable(f"{op} with a constant")
        return entry.from_onnx(view(), ins)
    except Unmappable as err:
        unsupported.add(op, where, str(err))
        return None


def add_steps(steps: list, lines, sources: tuple, name, parallel: bool = False) -> list:
    """A step per (kind, args) line, named `name(k, kind)`: the first reads `sources`, each
    other the step before (or all read `sources` when `parallel`: Split's outputs). The
    names made, in order."""
    made = []
    for k, (kind, args) in enumerate(lines):
        steps.append(Step(name(k, kind), kind, args, sources if k == 0 or parallel else (steps[-1].name,)))
        made.append(steps[-1].name)
    return made
