"""Write a built network as one PyTorch file: an nn.Module whose submodule paths are the
spec's layer names (`stage1.0.bottleneck1.residual1.conv1`), built by asking each layer
entry for its code (Layer.pytorch). The file imports torch only, never cnncost."""
from __future__ import annotations

import keyword

from ..layers import REGISTRY
from .export_code import TORCH_HELPERS, ExportError, TorchCode, Unsupported
from .export_plan import class_name, layer_error, plan_variables

INDENT = " " * 8


# Attributes of torch.nn.Module (torch 2.x) a submodule must not shadow: a layer named
# `train` or `forward` gets the path component `train_` / `forward_`.
MODULE_ATTRIBUTES = frozenset("""
T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda
double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter
get_submodule half input_shape ipu load_state_dict modules mtia named_buffers named_children
named_modules named_parameters parameters register_backward_hook register_buffer
register_forward_hook register_forward_pre_hook register_full_backward_hook
register_full_backward_pre_hook register_load_state_dict_post_hook
register_load_state_dict_pre_hook register_module register_parameter
register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state
set_submodule share_memory state_dict to to_empty train training type xpu zero_grad
""".split())


def module_path(name: str) -> str:
    """The submodule path of a layer: its name, with a component that would shadow an
    nn.Module attribute (or start with `_`) suffixed with `_`."""
    return ".".join(p + "_" if p in MODULE_ATTRIBUTES or p.startswith("_") else p for p in name.split("."))


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


def export_pytorch(graph, record: bool = False) -> str:
    """The source text of a PyTorch file defining the network `graph`. With `record`,
    forward also keeps every layer's output in `self.outputs` (by node id), for
    `verify --against torch`."""
    if graph.symbols:
        raise ExportError(f"{graph.name} has symbolic sizes ({', '.join(graph.symbols)}); "
                          "code needs numbers", hint="give the symbols values or drop --symbolic")
    names = plan_variables(graph)
    tree, forward, helpers, frozen = _Tree(), [], [], []
    for node in graph.nodes[1:]:
        ins = [graph.nodes[i].shape for i in node.inputs]
        code = torch_code(graph, node, ins)
        path = module_path(node.name)
        if code.module is not None:
            tree.place(path, code.module)
            if node.frozen and REGISTRY[node.kind].params(node.attrs, ins, node.shape):
                frozen.append(path)
        expr = code.call.format(*(names[i] for i in node.inputs), m=_ref(path) if code.module else "")
        if record:
            expr = f"self.record({node.id}, {expr})"
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
            "The comments in forward give each output's shape as the spec writes it (H x W x C).",
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
             *([f"{INDENT}self.outputs = {{}}", "", "    def record(self, node, value):",
                f"{INDENT}self.outputs[node] = value", f"{INDENT}return value"] if record else []),
             "",
             f"    def forward(self, {names[0]}):",
             *forward,
             *_returns(graph, names),
             "",
             "",
             "def build_model():",
             f"    return {cls}()",
             ""]
    return "\n".join(head) + "\n" + "\n".join(body)


def _returns(graph, names) -> list[str]:
    """forward's return: the main output; with training heads (`output main train aux1
    aux2`), in training mode (self.training) the tuple (main, the heads in the output
    line's order), as torchvision's GoogLeNet returns its auxiliary logits in train mode."""
    main = f"{INDENT}return {names[graph.output]}"
    if not graph.train:
        return [main]
    heads = ", ".join(names[h] for h in graph.train)
    called = ", ".join((graph.nodes[graph.output].name, *graph.head_names))
    return [f"{INDENT}if self.training:  # ({called}): a loss on each, summed",
            f"{INDENT}    return {names[graph.output]}, {heads}",
            main]


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)
