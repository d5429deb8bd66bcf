"""The shape of an exported PyTorch file: which `def` calls become submodule classes,
which runs of numbered submodules become nn.Sequential, and the code of each class.

A def call (Graph.calls) becomes an instance of a class named after the def when its
body can be one: it has a naming level of its own (`x = f(...)` or an automatic name,
not `_ = f(...)` in a scope holding other layers), one tensor enters it (its input) and
one leaves it (its output), no layer inside is used elsewhere or is a network output,
and no layer outside it is named under its level. Any other call is written inline in the
enclosing class, as a flat export would (its own inner calls may still be classes).

Calls of one def share a class when their code is the same up to integer constructor
arguments, a keyword PyTorch leaves at its default (`stride=1`) counting as written
(the entries' call() keeps it: export_code.Ctor), so `stride=1` beside `stride=2` is
one class taking `s`; the integers that differ between calls become the class's arguments, named
after the def's parameter they equal (`c`, `s`), `in_channels` / `out_channels` for the
call's input / output width, or `c * 4` for a fixed multiple. A top-level submodule
only some calls build, reading the call's input and read only by the sum after it
(resnet's `downsample`), is an argument `downsample=None` (optional_item), as torchvision
writes Bottleneck; calls whose code differs otherwise get a second class (Bottleneck2). A container whose
submodules are named 0, 1, 2... and run one after the other is an nn.Sequential, as
torchvision writes `layer1 = nn.Sequential(Bottleneck(...), ...)`; a def call whose body
is only such a chain is that nn.Sequential itself, not a class.
"""
from __future__ import annotations

import keyword
import re
from typing import NamedTuple

from .export_code import Ctor, ctor_parts, indent, join

SEQUENTIAL = "{m}({0})"  # the forward form a member of an nn.Sequential must have
NUMBER = re.compile(r"(?<![\w.'\"\-])(\d+)(?![\w.'\"])")  # an integer literal in constructor text
RESERVED = frozenset({"self", "x", "nn", "torch", "F", "super", "in_channels", "out_channels"})


class Item(NamedTuple):
    """One line of a class body: a layer, a child class instance or an nn.Sequential.
    `path`: submodule path components relative to the class (() for an expression only)."""

    path: tuple[str, ...]
    ctor: str | None
    call: str
    inputs: tuple[int, ...]  # node ids
    output: int  # node id
    frozen: bool = False
    repeat: int | None = None  # the `repeat` run a call item came from


class Unit(NamedTuple):
    """The nodes one class holds: the network (call None) or a def call."""

    call: object  # build.graph.Call or None
    base: tuple[str, ...]  # its submodule path in the network
    first: int
    end: int
    input: int
    output: int


def plan_units(graph, paths) -> tuple[list[Unit], dict[int, list[Unit]], dict[str, dict[str, int]]]:
    """The classable calls as Units (outermost first), each unit's child units (key: index
    in the list, -1 for the network) and, per def with calls written inline, why (and how
    many calls)."""
    root = Unit(None, (), 1, len(graph.nodes), 0, graph.output)
    units, children, inline = [root], {-1: []}, {}
    users: dict[int, list[int]] = {}
    for node in graph.nodes:
        for i in node.inputs:
            users.setdefault(i, []).append(node.id)
    outputs = {graph.output, *graph.heads}
    stack = [0]  # enclosing units (indices)
    for call in graph.calls:
        while stack[-1] and not units[stack[-1]].first <= call.first < units[stack[-1]].end:
            stack.pop()
        parent = units[stack[-1]]
        base = tuple(paths[call.first][:len(call.path)]) if call.end > call.first else ()
        why = _not_classable(graph, call, parent, base, paths, users, outputs)
        if why:
            inline.setdefault(call.name, {}).setdefault(why, 0)
            inline[call.name][why] += 1
            continue
        units.append(Unit(call, base, call.first, call.end, call.input, call.output))
        children.setdefault(stack[-1] if stack[-1] else -1, []).append(units[-1])
        children[len(units) - 1] = []
        stack.append(len(units) - 1)
    children[0] = children.pop(-1)
    return units, children, inline


def _not_classable(graph, call, parent: Unit, base, paths, users, outputs) -> str | None:
    """Why a def call cannot be a submodule class, or None when it can."""
    inside = range(call.first, call.end)
    if not inside or call.output not in inside:
        return "it makes no layer of its own"
    if len(call.path) <= len(parent.base) or any(tuple(paths[i][:len(base)]) != base or len(paths[i]) <= len(base)
                                                 for i in inside):
        return "it has no naming level of its own (`_ = ...`)"
    for i in inside:
        if any(j not in inside and j != call.input for j in graph.nodes[i].inputs):
            return "a layer in it reads a tensor from outside besides its input"
        if i != call.output and (i in outputs or any(u not in inside for u in users.get(i, ()))):
            return "a tensor made in it is used outside it"
    for i in range(parent.first, parent.end):
        if i not in inside and tuple(paths[i][:len(base)]) == base and len(paths[i]) > len(base):
            return "its naming level holds layers made outside it (`_ = ...`)"
    return None


def collapse(items: list[Item], keep: set[int]) -> list[Item]:
    """Replace each container whose submodules are 0, 1, 2... run in a chain by one
    nn.Sequential item, innermost first. `keep`: node ids used after the items (the
    output, network heads): only a chain's last item may give one."""
    changed = True
    while changed:
        changed = False
        containers = sorted({it.path[:-1] for it in items if len(it.path) > 1}, key=len, reverse=True)
        for container in containers:
            merged = sequential(items, container, keep)
            if merged is not None:
                items, changed = merged, True
                break
    return items


def sequential(items: list[Item], container: tuple, keep: set[int]) -> list[Item] | None:
    """`items` with the ones under `container` merged into an nn.Sequential, or None when
    they are not one."""
    at = [k for k, it in enumerate(items) if it.path[:len(container)] == container and len(it.path) > len(container)]
    if not at or at != list(range(at[0], at[0] + len(at))):
        return None
    members = [items[k] for k in at]
    for j, it in enumerate(members):
        if (it.path != container + (str(j),) or it.ctor is None or it.call != SEQUENTIAL or it.frozen
                or (j and it.inputs != (members[j - 1].output,))):
            return None
    inner = {it.output for it in members[:-1]}
    if inner & keep or any(set(it.inputs) & inner for k, it in enumerate(items) if k not in at[1:]):
        return None
    ctor = join("nn.Sequential(\n", *(indent(line) for line in _member_lines(members)), ")")
    merged = Item(container, ctor, SEQUENTIAL, members[0].inputs, members[-1].output)
    return items[:at[0]] + [merged] + items[at[-1] + 1:]


def _member_lines(members: list[Item]) -> list[str]:
    """An nn.Sequential's member lines: a run of 3 or more equal one-line constructors
    from one `repeat` is written once, `*(Block(...) for _ in range(n))`."""
    lines, k = [], 0
    while k < len(members):
        run = 1
        while (k + run < len(members) and members[k].repeat is not None
               and members[k + run].repeat == members[k].repeat and members[k + run].ctor == members[k].ctor):
            run += 1
        if run >= 3 and "\n" not in members[k].ctor:
            lines.append(join("*(", members[k].ctor, f" for _ in range({run})),"))
        else:
            lines += [join(m.ctor, ",") for m in members[k:k + run]]
        k += run
    return lines


# ---------------------------------------------------------------- classes from instances
def template(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Constructor text -> (the text around its integers, the integers as written)."""
    parts = NUMBER.split(text)
    return tuple(parts[0::2]), tuple(parts[1::2])


def full_text(ctor) -> tuple:
    """What two calls' constructors must share to be one class: part by part (so the
    left-out keywords align), the text around the integers with every left-out default
    keyword written in (`stride=1` and `stride=2` alike)."""
    return tuple(template(p if isinstance(p, str) else p[0])[0] for p in ctor_parts(ctor))


def shared_texts(ctors: list[list]) -> list[list[str]]:
    """The constructor texts of the calls of one class (per call, its constructors in
    order): a default keyword is written where some calls leave it out and others do not
    (`stride=1` beside `stride=2`, which the class makes `stride=s`), left out where all do."""
    texts: list[list[str]] = [[] for _ in ctors]
    for slot in range(len(ctors[0])):
        column = [row[slot] for row in ctors]
        left = [{k for k, p in enumerate(ctor_parts(c)) if not isinstance(p, str)} for c in column]
        keep = set.union(*left) - set.intersection(*left)
        for row, c in zip(texts, column):
            row.append(c.written(keep) if isinstance(c, Ctor) else str(c))
    return texts


OPTIONAL = "{0} if {m} is None else {m}({0})"  # the forward of a submodule only some calls build


def optional_item(items: list[Item], unit: Unit) -> int | None:
    """The index of a submodule some calls of a def may build and others not, as
    torchvision's Bottleneck(..., downsample=None): a top-level submodule reading the
    call's input whose output one expression after it reads (the shortcut of a sum);
    None when the items hold no such one (or more than one)."""
    found = []
    for k, it in enumerate(items):
        if (it.ctor is None or len(it.path) != 1 or not it.path[0].isidentifier() or it.frozen
                or it.call != SEQUENTIAL or it.inputs != (unit.input,) or it.output == unit.output):
            continue
        readers = [j for j, other in enumerate(items) if it.output in other.inputs]
        if (len(readers) == 1 and readers[0] > k and items[readers[0]].ctor is None
                and items[readers[0]].inputs.count(it.output) == 1 and unit.input not in items[readers[0]].inputs):
            found.append(k)
    return found[0] if len(found) == 1 else None


def without(items: list[Item], k: int, unit: Unit) -> list[Item]:
    """`items` without the optional item k, its reader reading the call's input instead
    (what a call that does not build it holds)."""
    gone = items[k].output
    return [it._replace(inputs=tuple(unit.input if i == gone else i for i in it.inputs))
            for j, it in enumerate(items) if j != k]


def fill(segments: tuple[str, ...], values) -> str:
    return segments[0] + "".join(str(v) + s for v, s in zip(values, segments[1:]))


def class_arguments(calls, values: list[tuple[str, ...]], widths) -> tuple[list[str], list[tuple[str, list]]]:
    """For a class shared by `calls` (their integers `values`, slot by slot, and their
    (input, output) channels `widths`): the text of each slot (the integer when every call
    has the same, else a name or `c * 4`) and the constructor's arguments (name, the value
    of each call), in order: in_channels, the def's parameters, out_channels, others."""
    params = [safe_name(p) for p, _ in calls[0].args]
    bases = {p: [_int(c.args[k][1]) for c in calls] for k, p in enumerate(params)}
    bases["in_channels"] = [_int(w[0]) for w in widths]
    bases["out_channels"] = [_int(w[1]) for w in widths]
    args: dict[str, list] = {}
    texts = []
    for slot in range(len(values[0])):
        column = [int(v[slot]) for v in values]
        if len(set(column)) == 1:
            texts.append(values[0][slot])
            continue
        name = next((n for n in [*params, "in_channels", "out_channels"] if bases[n] == column), None)
        if name is not None:
            texts.append(name)
            args[name] = column
            continue
        for name in ["in_channels", *params]:
            ks = {v // b if b and v % b == 0 else None for b, v in zip(bases[name], column)}
            if len(ks) == 1 and None not in ks and min(ks) > 1:
                texts.append(f"{name} * {ks.pop()}")
                args.setdefault(name, bases[name])
                break
            offsets = {v - b if b is not None else None for b, v in zip(bases[name], column)}
            if len(offsets) == 1 and None not in offsets and 0 < abs(min(offsets)) <= 2:
                d = offsets.pop()  # a repeat count `n - 1`
                texts.append(f"{name} + {d}" if d > 0 else f"{name} - {-d}")
                args.setdefault(name, bases[name])
                break
        else:
            name = f"value{sum(n.startswith('value') for n in args) + 1}"
            texts.append(name)
            args[name] = column
    order = ["in_channels", *params, "out_channels"]
    names = [n for n in order if n in args] + [n for n in args if n not in order]
    return texts, [(n, args[n]) for n in names]


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def safe_name(name: str) -> str:
    """A name usable as a constructor argument (a keyword or reserved name gets `_`)."""
    return name + "_" if keyword.iskeyword(name) or name in RESERVED else name


# ---------------------------------------------------------------- repeat runs as loops
LOOP = "for i in range"  # a loop item's init text starts so; its call is the body's forward


def loops(items: list[Item], keep: set[int]) -> list[Item]:
    """Runs of two or more calls from one `repeat`, named `0.block1`, `1.block1`... (or
    `0`, `1`... ) and run in a chain, with constructors equal up to integers that grow
    by a fixed step: one loop item (`for i in range(n):`), as torchvision's DenseBlock."""
    out, k, number = [], 0, 0
    while k < len(items):
        run = _loop_run(items, k, keep)
        if run < 2:
            out.append(items[k])
            k += 1
            continue
        number += 1
        out.append(_loop_item(items[k:k + run], number))
        k += run
    return out


def _loop_run(items: list[Item], k: int, keep: set[int]) -> int:
    first = items[k]
    if (first.repeat is None or first.ctor is None or first.call != SEQUENTIAL or first.frozen
            or not first.path or not first.path[0].isdigit() or len(first.path) > 2):
        return 0
    start, segments = int(first.path[0]), template(first.ctor)[0]
    run = 1
    while k + run < len(items):
        it, before = items[k + run], items[k + run - 1]
        if (it.repeat != first.repeat or it.path != (str(start + run), *first.path[1:]) or it.frozen
                or it.ctor is None or template(it.ctor)[0] != segments or it.inputs != (before.output,)
                or before.output in keep):
            break
        run += 1
    inner = {it.output for it in items[k:k + run - 1]}
    tops = {it.path[0] for it in items[k:k + run]}
    others = [it for j, it in enumerate(items) if not k <= j < k + run]
    if any(set(it.inputs) & inner or (it.path and it.path[0] in tops) for it in others):
        return 0
    columns = list(zip(*(template(it.ctor)[1] for it in items[k:k + run])))
    if not all(_affine([int(v) for v in column]) for column in columns):
        return 0
    return run


def _affine(values: list[int]) -> bool:
    step = values[1] - values[0] if len(values) > 1 else 0
    return all(v == values[0] + j * step for j, v in enumerate(values))


def _loop_item(run: list[Item], number: int) -> Item:
    """The loop: init text (count kept as `self.repeatN`, for forward) and forward call."""
    segments, first = template(run[0].ctor)[0], template(run[0].ctor)[1]
    second = template(run[1].ctor)[1]
    terms = []
    for a, b in zip(first, second):
        step = int(b) - int(a)
        terms.append(a if not step else f"{a} + i * {step}" if step > 0 else f"{a} - i * {-step}")
    ctor = fill(segments, terms)
    start = int(run[0].path[0])
    name = "str(i)" if not start else f"str(i + {start})"
    if len(run[0].path) == 1:
        place = [f"self.add_module({name}, {ctor})"]
    else:
        place = [f"self.add_module({name}, nn.Module())",
                 f"self.get_submodule({name}).{run[0].path[1]} = {ctor}"]
    init = "\n".join([f"self.repeat{number} = {len(run)}", f"{LOOP}(self.repeat{number}):",
                      *("    " + line for line in place)])
    path = f'f"{{i}}.{run[0].path[1]}"' if len(run[0].path) == 2 else "str(i)"
    if start:
        path = path.replace("{i}", f"{{i + {start}}}") if len(run[0].path) == 2 else name
    path = path.replace("{", "{{").replace("}", "}}")  # the call is a format string
    call = f"{LOOP}(self.repeat{number}):\n    {{0}} = self.get_submodule({path})({{0}})"
    return Item((), init, call, run[0].inputs, run[-1].output)
