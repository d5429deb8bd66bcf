"""What both exporters share: variable names for the forward code, the class name, and the
error naming a layer a framework cannot express."""
from __future__ import annotations

import re

from ..errors import Span
from ..layers import REGISTRY
from .export_code import ExportError, Unsupported


def plan_variables(graph) -> dict[int, str]:
    """Node id -> the variable holding its output: `x` for a value used only by the next
    line (a chain reads `x = ...` line after line), `x{id}` for one used elsewhere."""
    users: dict[int, list[int]] = {}
    for node in graph.nodes:
        for i in node.inputs:
            users.setdefault(i, []).append(node.id)
    names = {}
    for node in graph.nodes:
        used = users.get(node.id, [])
        chain = used == [node.id + 1] and node.id != graph.output
        names[node.id] = "x" if chain or (not used and node.id == graph.output) else f"x{node.id}"
    return names


def class_name(name: str) -> str:
    """`resnet50` -> `Resnet50`, `mobilenet-v2` -> `MobilenetV2`: a Python class name."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Network"
    return text if text[0].isalpha() else "Net" + text


def layer_error(graph, node, framework: str, reason: str) -> ExportError:
    """An ExportError naming the layer, its kind and the spec line that made it."""
    text = graph.lines[node.line - 1] if 0 < node.line <= len(graph.lines) else ""
    indent = len(text) - len(text.lstrip())
    span = Span(graph.file, node.line, indent + 1, max(1, len(text.strip())), text) if node.line else None
    return ExportError(f"cannot export {node.name} ({node.kind}) to {framework}: {reason}", span,
                       hint=f"write it with layers {framework} has, or export to the other framework")



def entry_code(graph, node, hook: str, framework: str, missing: str):
    """The layer entry's code for one node from its `hook` (`pytorch` or `keras`), or an
    ExportError naming the layer: the hook's reason, or `missing` when it has none."""
    hook = getattr(REGISTRY[node.kind], hook)
    ins = [graph.nodes[i].shape for i in node.inputs]
    try:
        code = hook(node.attrs, ins, node.shape)
    except Unsupported as err:
        raise layer_error(graph, node, framework, str(err)) from None
    if code is None:
        raise layer_error(graph, node, framework, f"{framework} {missing} layer kind '{node.kind}'")
    return code
