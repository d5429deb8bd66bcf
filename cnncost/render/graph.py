"""The network's graph as Graphviz DOT or Mermaid text: one box per node (its name, op and
output shape), one arrow per input, and the blocks it sits in (`stage2`, `residual1`, a
sepconv's parts) drawn as nested clusters / subgraphs labelled with the block's name.
"""
from __future__ import annotations

from ..build import Graph, Node
from .numbers import shape


class _Block:
    """A cluster: its scope path, then its items in order (node ids and sub-blocks)."""

    def __init__(self, path: tuple[str, ...]):
        self.path = path
        self.items: list = []
        self.children: dict[str, _Block] = {}


def _blocks(graph: Graph) -> _Block:
    root = _Block(())
    for node in graph.nodes:
        block = root
        for part in node.scope:
            if part not in block.children:
                block.children[part] = _Block(block.path + (part,))
                block.items.append(block.children[part])
            block = block.children[part]
        block.items.append(node.id)
    return root


def _local(node: Node) -> str:
    """The name inside its innermost block: `stage2.basic1.residual1.conv1` -> `conv1`."""
    prefix = ".".join(node.scope) + "."
    return node.name[len(prefix):] if node.scope and node.name.startswith(prefix) else node.name


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: Graph) -> str:
    """Graphviz DOT (`dot -Tsvg`): top to bottom, blocks as nested clusters."""
    out = [f"digraph {_dot_string(graph.name)} {{",
           "  rankdir=TB;",
           '  graph [fontname="Helvetica", fontsize=11];',
           '  node [shape=box, style="rounded,filled", fillcolor="#f6f8fa", '
           'fontname="Helvetica", fontsize=10];',
           '  edge [color="#59636e"];']

    def emit(block: _Block, indent: str):
        for item in block.items:
            if isinstance(item, _Block):
                out.append(f"{indent}subgraph {_dot_string('cluster_' + '.'.join(item.path))} {{")
                out.append(f"{indent}  label={_dot_string(item.path[-1])}; style=rounded; "
                           'color="#d1d9e0";')
                emit(item, indent + "  ")
                out.append(f"{indent}}}")
            else:
                node = graph.nodes[item]
                label = f"{_local(node)}\n{node.kind} {shape(node.shape)}"
                out.append(f"{indent}n{node.id} [label={_dot_string(label)}, "
                           f"tooltip={_dot_string(node.name)}];")

    emit(_blocks(graph), "  ")
    out += [f"  n{i} -> n{node.id};" for node in graph.nodes for i in node.inputs]
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and markup characters as entity codes."""
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def render_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (GitHub and JupyterLab render it in Markdown): blocks as
    nested subgraphs."""
    out = ["flowchart TD"]
    counter = iter(range(1, 1 << 62))

    def emit(block: _Block, indent: str):
        for item in block.items:
            if isinstance(item, _Block):
                out.append(f'{indent}subgraph b{next(counter)} ["{_mermaid_text(item.path[-1])}"]')
                emit(item, indent + "  ")
                out.append(f"{indent}end")
            else:
                node = graph.nodes[item]
                label = (f"{_mermaid_text(_local(node))}<br/>"
                         f"{_mermaid_text(node.kind)} {_mermaid_text(shape(node.shape))}")
                out.append(f'{indent}n{node.id}["{label}"]')

    emit(_blocks(graph), "  ")
    out += [f"  n{i} --> n{node.id}" for node in graph.nodes for i in node.inputs]
    return "\n".join(out) + "\n"


GRAPH_FORMATS = {"dot": render_dot, "mermaid": render_mermaid}
