"""Write a built network as one PyTorch file: an nn.Module whose submodule paths are the
spec's layer names (`layer1.0.conv1`), built by asking each layer entry for its code
(Layer.pytorch). `def` calls become submodule classes and numbered chains nn.Sequential
(export_classes.py decides which and why not). The file imports torch only, never cnncost."""
from __future__ import annotations

import keyword

from ..layers import REGISTRY
from .export_classes import (LOOP, OPTIONAL, SEQUENTIAL, Item, Unit, safe_name, class_arguments, collapse, fill, full_text,
                             loops, optional_item, plan_units, sequential, shared_texts, template, without)
from .export_code import TORCH_HELPERS, ExportError, TorchCode
from .export_plan import class_name, entry_code

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
        ctor = ctor.replace("\n", "\n" + INDENT)  # an nn.Sequential's members, one a line
        if _identifier(last):
            self.lines.append(f"{INDENT}{owner}.{last} = {ctor}")
        else:
            self.lines.append(f'{INDENT}{owner}.add_module("{last}", {ctor})')


def torch_code(graph, node) -> TorchCode:
    """The layer entry's PyTorch code for one node, or an ExportError naming it."""
    return entry_code(graph, node, "pytorch", "PyTorch", "has no form of")


def export_pytorch(graph, record: bool = False) -> str:
    """The source text of a PyTorch file defining the network `graph`: `def` calls as
    submodule classes, numbered chains as nn.Sequential (export_classes.py). With `record`,
    one flat class whose forward also keeps every layer's output in `self.outputs` (by
    node id), for `verify --against torch`."""
    if graph.symbols:
        raise ExportError(f"{graph.name} has symbolic sizes ({', '.join(graph.symbols)}); "
                          "code needs numbers", hint="give the symbols values or drop --symbolic")
    paths = {node.id: tuple(module_path(node.name).split(".")) for node in graph.nodes}
    codes, helpers = {}, []
    for node in graph.nodes[1:]:
        codes[node.id] = torch_code(graph, node)
        helpers += [h for h in codes[node.id].helpers if h not in helpers]
    cls = class_name(graph.name)
    writer = _Classes(graph, paths, codes, flat=record, taken={cls, "F", *TORCH_HELPERS})  # F: torch.nn.functional
    items = writer.items(writer.units[0])
    names = _names(graph, items)
    tree, forward = _Tree(), []
    for item in items:
        if item.ctor is not None:
            tree.place(".".join(item.path), item.ctor)
        node = graph.nodes[item.output]
        expr = item.call.format(*(names[i] for i in item.inputs), m=_ref(".".join(item.path)) if item.ctor else "")
        if record:
            expr = f"self.record({node.id}, {expr})"
        forward.append(f"{INDENT}{names[node.id]} = {expr}  # {_shape(node.shape)}")
    init = tree.lines + _freeze(items)
    inp = graph.input.shape
    shape = (inp[2], inp[0], inp[1]) if len(inp) == 3 else tuple(inp)
    head = [f'"""{graph.name}, exported by cnncost from {graph.file}.',
            "",
            f"Input: a batch of shape (N, {', '.join(map(str, shape))}) (channels first, as PyTorch).",
            "Submodule paths are the spec's layer names; each `def` of the spec is a class",
            "(calls that build different layers get a second one), a chain of submodules",
            "numbered 0, 1, 2... an nn.Sequential. Uneven padding (TensorFlow 'same' with",
            "stride 2) is an explicit F.pad, as in PyTorch ports of TensorFlow models.",
            "The comments in forward give each output's shape as the spec writes it (H x W x C).",
            *_inline_note(writer.inline),
            '"""',
            "import torch",
            "import torch.nn.functional as F",
            "from torch import nn",
            ""]
    body = ["", *(TORCH_HELPERS[h].strip("\n") + "\n\n" for h in helpers)]
    body += [text + "\n\n" for text in writer.classes]
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
def _names(graph, items) -> dict[int, str]:
    """Node id -> the variable holding it in the network's forward: `x` for a value used
    only by the next line, `x{id}` for one used elsewhere (as plan_variables, over items)."""
    users: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        for i in item.inputs:
            users.setdefault(i, []).append(k)
    names = {0: "x" if users.get(0) == [0] else "x0"}
    for k, item in enumerate(items):
        used = users.get(item.output, [])
        chain = used == [k + 1] and item.output != graph.output
        names[item.output] = "x" if chain or (not used and item.output == graph.output) else f"x{item.output}"
    return names


def _freeze(items) -> list[str]:
    return [f"{INDENT}{_ref('.'.join(it.path))}.requires_grad_(False)  # freeze:" for it in items if it.frozen]


def _inline_note(inline: dict[str, dict[str, int]]) -> list[str]:
    """The docstring's lines on def calls written inline (in the enclosing class)."""
    if not inline:
        return []
    return ["", "Def calls written inline in the enclosing class, not as a class of their own:",
            *(f"- {name} ({count} call{'s' if count > 1 else ''}): {why}"
              for name, reasons in inline.items() for why, count in reasons.items())]


class _Classes:
    """The submodule classes of an export (export_classes.py plans them): `units` the
    network and each classable call, `classes` the class texts (inner ones first)."""

    def __init__(self, graph, paths, codes, flat: bool, taken: set[str]):
        self.graph, self.paths, self.codes = graph, paths, codes
        if flat:
            self.units, self.children, self.inline = [Unit(None, (), 1, len(graph.nodes), 0, graph.output)], {0: []}, {}
        else:
            self.units, self.children, self.inline = plan_units(graph, paths)
        self.flat, self.taken = flat, taken
        self.ctor: dict[int, str] = {}  # unit index -> its constructor in the enclosing class
        self.classes: list[str] = []
        self.variants: dict[str, int] = {}
        index = {u: k for k, u in enumerate(self.units)}
        self.index = index
        heights: dict[int, int] = {}
        for k in reversed(range(len(self.units))):
            kids = self.children.get(k, [])
            heights[k] = 1 + max((heights[index[u]] for u in kids), default=-1)
        for height in sorted(set(heights.values())):
            self._write([k for k in range(1, len(self.units)) if heights[k] == height])

    def items(self, unit: Unit) -> list[Item]:
        """What the class of `unit` holds, in order; nn.Sequential chains merged."""
        graph, items, kids = self.graph, [], {u.first: u for u in self.children.get(self.index[unit], [])}
        i = unit.first
        while i < unit.end:
            if i in kids:
                kid = kids[i]
                items.append(Item(self.paths[kid.output][len(unit.base):len(kid.base)], self.ctor[self.index[kid]],
                                  SEQUENTIAL, (kid.input,), kid.output, repeat=kid.call.repeat))
                i = kid.end
                continue
            node, code = graph.nodes[i], self.codes[i]
            ins = [graph.nodes[j].shape for j in node.inputs]
            frozen = bool(code.module and node.frozen and REGISTRY[node.kind].params(node.attrs, ins, node.shape))
            items.append(Item(self.paths[i][len(unit.base):] if code.module else (), code.module, code.call,
                              node.inputs, i, frozen))
            i += 1
        if self.flat:
            return items
        items = collapse(items, {unit.output, *graph.heads} if unit.call else {graph.output, *graph.heads})
        if unit.call is None:
            return items
        whole = sequential(items, (), {unit.output, *graph.heads})
        return whole if whole is not None and len(whole) == 1 else loops(items, {unit.output, *graph.heads})

    def _write(self, level: list[int]):
        """The classes of the units of one height (their children are written)."""
        forms: dict[int, tuple] = {}
        for k in level:
            unit = self.units[k]
            items = self.items(unit)
            if len(items) == 1 and items[0].path == () and items[0].call == SEQUENTIAL:  # a chain: nn.Sequential
                self.ctor[k] = items[0].ctor  # (the def is that, no class)
                continue
            forms[k] = (_key(items, unit), items)
        plain = {key for key, _ in forms.values()}
        groups: dict[tuple, list] = {}
        for k, (key, items) in forms.items():
            extra = optional_item(items, self.units[k])
            if extra is not None and _key(without(items, extra, self.units[k]), self.units[k]) in plain:
                key = _key(without(items, extra, self.units[k]), self.units[k])  # torchvision's downsample=None
            else:
                extra = None
            groups.setdefault(key, []).append((k, items, extra))
        for key, members in groups.items():
            name = self._name(key[0])
            units = [self.units[k] for k, _, _ in members]
            widths = [(_channels(self.graph, u.input), _channels(self.graph, u.output)) for u in units]
            texts = shared_texts([[it.ctor for j, it in enumerate(items) if it.ctor and j != extra]
                                  for _, items, extra in members])
            values = [tuple(v for text in row for v in template(text)[1]) for row in texts]
            slots, args = class_arguments([u.call for u in units], values, widths)
            names = [a for a, _ in args]
            model = next((j for j, m in enumerate(members) if m[2] is not None), 0)
            optional = members[model][2]
            if optional is not None:
                names.append(safe_name(members[model][1][optional].path[0]) + "=None")
            for j, (k, items, extra) in enumerate(members):
                given = [str(values[j]) for _, values in args]
                if extra is not None:
                    given.append(f"{names[-1][:-len('=None')]}={items[extra].ctor}")
                self.ctor[k] = f"{name}({', '.join(given)})"
            self.classes.append(self._class_text(name, units[model], texts[model], slots, names, key[0], optional))

    def _name(self, def_name: str) -> str:
        stem = class_name(def_name)
        self.variants[stem] = self.variants.get(stem, 0) + 1
        name = stem if self.variants[stem] == 1 else f"{stem}{self.variants[stem]}"
        while name in self.taken:
            self.variants[stem] += 1
            name = f"{stem}{self.variants[stem]}"
        self.taken.add(name)
        return name

    def _class_text(self, name: str, unit: Unit, ctors: list[str], texts: list[str], args: list[str],
                    def_name: str, optional: int | None = None) -> str:
        """`ctors`: the unit's constructor texts as the class shares them (shared_texts);
        `texts`: the text of each of their integers (class_arguments); `optional`: the index
        of the item the class takes as an argument, None when not given (optional_item)."""
        items, slot, filled, ctors = self.items(unit), 0, [], iter(ctors)
        for j, item in enumerate(items):
            if j == optional:
                item = item._replace(ctor=args[-1][:-len("=None")], call=OPTIONAL)
            elif item.ctor is not None:
                segments, numbers = template(next(ctors))
                item = item._replace(ctor=fill(segments, texts[slot:slot + len(numbers)]))
                slot += len(numbers)
            filled.append(item)
        tree = _Tree()
        for item in filled:
            if item.call.startswith(LOOP):
                tree.lines += [INDENT + line for line in item.ctor.split("\n")]
            elif item.ctor is not None:
                tree.place(".".join(item.path), item.ctor)
        params = "".join(", " + a for a in args)
        return "\n".join([f"class {name}(nn.Module):",
                          f'    """The spec\'s `def {def_name}`."""',
                          "",
                          f"    def __init__(self{params}):",
                          "        super().__init__()",
                          *tree.lines, *_freeze(filled),
                          "",
                          *_class_lines(filled, unit)[1]])


def _key(items: list[Item], unit: Unit) -> tuple:
    """What the calls of one class share: the def, the submodule paths, the forward and
    the constructors up to integers (and left-out default keywords)."""
    lines = _class_lines(items, unit)
    return unit.call.name, tuple(lines[0]), tuple(lines[1]), tuple(full_text(it.ctor) for it in items if it.ctor)


def _channels(graph, node_id):
    shape = graph.nodes[node_id].shape
    return shape[-1] if shape else None


def _class_lines(items: list[Item], unit: Unit) -> tuple[list[str], list[str]]:
    """A class's submodule paths (and freezing) and its forward, without constructor
    arguments: two calls of a def with equal lines share a class."""
    users: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        for i in item.inputs:
            users.setdefault(i, []).append(k)
    names = {unit.input: "x" if users.get(unit.input) == [0] else "x0"}
    for k, item in enumerate(items):
        used = users.get(item.output, [])
        chain = used == [k + 1] and item.output != unit.output
        names[item.output] = "x" if chain or (not used and item.output == unit.output) else f"x{k + 1}"
    places = [f"{'.'.join(it.path)} {it.frozen}" for it in items if it.ctor is not None]
    forward = [f"    def forward(self, {names[unit.input]}):"]
    for item in items:
        if item.call.startswith(LOOP):  # x = self.get_submodule(f"{i}.block1")(x), n times
            start, out = names[item.inputs[0]], names[item.output]
            forward += [f"{INDENT}{out} = {start}"] if start != out else []
            forward += [INDENT + line for line in item.call.format(out).split("\n")]
            continue
        expr = item.call.format(*(names[i] for i in item.inputs), m=_ref(".".join(item.path)) if item.ctor else "")
        forward.append(f"{INDENT}{names[item.output]} = {expr}")
    forward.append(f"{INDENT}return {names[unit.output]}")
    return places, forward


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)
