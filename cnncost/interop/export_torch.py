"""Write a built network as one PyTorch file: an nn.Module whose submodule paths are the
spec's layer names (`stage1.0.bottleneck1.residual1.conv1`), built by asking each layer
entry for its code (Layer.pytorch). The file imports torch only, never cnncost."""
from __future__ import annotations

import keyword

from ..layers import REGISTRY
from .export_code import TORCH_HELPERS, ExportError, TorchCode, Unsupported
from .export_plan import class_name, layer_error, plan_variables

INDENT = " " * 8


def _identifier(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)


def _ref(path: str) -> str:
    """Python text reaching the submodule at a dotted path."""
    parts = path.split(".")
    if all(_identifier(p) for p in parts):
        return "self." + path
    return f'self.get_submodule("{path}")'


class _Tree:
    """The nn.Module containers the dotted layer names need, created in order."""

    def __init__(self):
        self.made: set[str] = set()
        self.lines: list[str] = []

    def place(self, path: str, ctor: str):
        parts = path.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix not in self.made:
                self.made.add(prefix)
                self._assign(prefix, "nn.Module()")
        self._assign(path, ctor)

    def _assign(self, path: str, ctor: str):
        parent, _, last = path.rpartition(".")
        owner = _ref(parent) if parent else "self"
        if _identifier(last):
            self.lines.append(f"{INDENT}{owner}.{last} = {ctor}")
        else:
            self.lines.append(f'{INDENT}{owner}.add_module("{last}", {ctor})')


def torch_code(graph, node, ins) -> TorchCode:
    """The layer entry's PyTorch code for one node, or an ExportError naming it."""
    layer = REGISTRY[node.kind]
    try:
        code = layer.pytorch(node.attrs, ins, node.shape)
    except Unsupported as err:
        raise layer_error(graph, node, "PyTorch", str(err)) from None
    if code is None:
        raise layer_error(graph, node, "PyTorch", f"PyTorch has no form of layer kind '{node.kind}'")
    return code


def export_pytorch(graph) -> str:
    """The source text of a PyTorch file defining the network `graph`."""
    if graph.symbols:
        raise ExportError(f"{graph.name} has symbolic sizes ({', '.join(graph.symbols)}); "
                          "code needs numbers", hint="give the symbols values or drop --symbolic")
    names = plan_variables(graph)
    tree, forward, helpers, frozen = _Tree(), [], [], []
    for node in graph.nodes[1:]:
        ins = [graph.nodes[i].shape for i in node.inputs]
        code = torch_code(graph, node, ins)
        if code.module is not None:
            tree.place(node.name, code.module)
            if node.frozen and REGISTRY[node.kind].params(node.attrs, ins, node.shape):
                frozen.append(node.name)
        expr = code.call.format(*(names[i] for i in node.inputs),
                                m=_ref(node.name) if code.module else "")
        forward.append(f"{INDENT}{names[node.id]} = {expr}  # {_shape(node.shape)}")
        helpers += [h for h in code.helpers if h not in helpers]
    init = tree.lines + [f"{INDENT}{_ref(n)}.requires_grad_(False)  # freeze:" for n in frozen]
    inp = graph.input.shape
    shape = (inp[2], inp[0], inp[1]) if len(inp) == 3 else tuple(inp)
    cls = class_name(graph.name)
    head = [f'"""{graph.name}, exported by cnncost from {graph.file}.',
            "",
            f"Input: a batch of shape (N, {', '.join(map(str, shape))}) (channels first, as PyTorch).",
            "Submodule paths are the spec's layer names; uneven padding (TensorFlow 'same'",
            'with stride 2) is an explicit F.pad, as in PyTorch ports of TensorFlow models.',
            '"""',
            "import torch",
            "import torch.nn.functional as F",
            "from torch import nn",
            ""]
    body = ["", *(TORCH_HELPERS[h].strip("\n") + "\n\n" for h in helpers)]
    body += [f"class {cls}(nn.Module):",
             f'    """{graph.name}: input (N, {", ".join(map(str, shape))})."""',
             "",
             f"    input_shape = {shape!r}",
             "",
             "    def __init__(self):",
             "        super().__init__()",
             *init,
             "",
             f"    def forward(self, {names[0]}):",
             *forward,
             f"        return {names[graph.output]}",
             "",
             "",
             "def build_model():",
             f"    return {cls}()",
             ""]
    return "\n".join(head) + "\n" + "\n".join(body)


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)
