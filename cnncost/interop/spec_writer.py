"""A model read from a framework file, as steps, and the spec text a person reads.

Each importer turns its file into an Imported model: steps in topological order, each a
cnncost layer kind with its arguments, the source name and the steps it reads. The
writer folds batch norms and activations into the line before them as post-ops, keeps
the source names, writes `from=` and merge references by those names, and puts layers
that are not trained in `freeze:` blocks.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import SpecFileError
from ..layers import REGISTRY, lookup
from ..layers.base import FLAGS

INPUT = "<input>"  # the name steps use for the network's input
KEYWORDS = {"network", "input", "param", "symbol", "let", "default", "def", "repeat", "if", "elif", "else",
            "output", "expect", "residual", "shortcut", "branch", "freeze", "from", "as", "and", "or",
            "not", "in", "total", "int", "round", "ceil", "floor", "min", "max", "make_divisible"}
POST_CATEGORIES = ("norm", "activation")  # written as post-ops of the line before them


class ModelImportError(SpecFileError):
    """A model file that cannot be read as a network, or holds layers cnncost cannot map."""


@dataclass
class Step:
    name: str
    kind: str
    args: str = ""
    inputs: tuple = ()
    frozen: bool = False


@dataclass
class Imported:
    name: str
    source: str  # the file
    importer: str  # "ONNX reader (onnx 1.17)"
    input_shape: tuple
    steps: list = field(default_factory=list)
    output: str = ""


class Unsupported:
    """Collects every op that cannot be mapped, so the error lists them all at once."""

    def __init__(self, what: str):
        self.what = what
        self.items: list[tuple[str, str, str]] = []  # (op, node name, reason)

    def add(self, op: str, name: str, reason: str = "") -> None:
        self.items.append((op, name, reason))

    def check(self, source: str) -> None:
        if not self.items:
            return
        counts = Counter(op for op, _, _ in self.items)
        lines = []
        for op, count in counts.items():
            names = [n for o, n, _ in self.items if o == op]
            reasons = sorted({r for o, _, r in self.items if o == op and r})
            shown = ", ".join(names[:5]) + (f", ... ({len(names) - 5} more)" if len(names) > 5 else "")
            lines.append(f"  {op} x{count}: {shown}" + (f" ({'; '.join(reasons)})" if reasons else ""))
        raise ModelImportError(
            f"{source}: {len(self.items)} {self.what} cnncost cannot map (never counted as 0):\n"
            + "\n".join(lines),
            hint="each needs a layer kind whose entry in cnncost/layers/ reads it "
                 "(see docs/interop-ops.md for what is mapped)")


def spec_name(raw: str, taken: set) -> str:
    """A source name as a spec identifier: dots and dashes become underscores; a name that
    is a layer kind, a keyword or a flag (`s2`) gets a trailing underscore; unique."""
    name = re.sub(r"\W", "_", raw).strip("_") or "x"
    if name[0].isdigit():
        name = "n" + name
    if name in KEYWORDS or lookup(name) is not None or re.fullmatch(r"[a-z]\d+", name) and name[0] in FLAGS:
        name += "_"
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _dims(shape) -> str:
    return "x".join(str(d) for d in shape)


def write_spec(model: Imported) -> str:
    """The spec text of an imported model."""
    consumers = Counter(i for s in model.steps for i in s.inputs)
    consumers[model.output] += 1
    lines: list[list[Step]] = []  # each line: head step then its post-ops
    line_of: dict[str, int] = {}
    for step in model.steps:
        last = lines[-1] if lines else None
        if (last and REGISTRY[step.kind].category in POST_CATEGORIES and step.inputs == (last[-1].name,)
                and consumers[last[-1].name] == 1 and step.frozen == last[0].frozen
                and REGISTRY[last[0].kind].category not in ("input",)
                and not (REGISTRY[step.kind].category == "norm" and REGISTRY[last[-1].kind].category == "norm")):
            last.append(step)
        else:
            lines.append([step])
        line_of[step.name] = len(lines) - 1

    taken: set = set()
    names = [spec_name(line[0].name, taken) for line in lines]
    needs_input_name = any(INPUT in s.inputs for s in model.steps[1:]) or (
        model.steps and len(model.steps[0].inputs) > 1)
    input_name = spec_name("x_input", taken) if needs_input_name else None

    def ref(step_name: str) -> str:
        return input_name if step_name == INPUT else names[line_of[step_name]]

    out = [f"# imported from {model.source} by cnncost import ({model.importer})",
           f"network {spec_name(model.name, set())}", f"input {_dims(model.input_shape)}", ""]
    if input_name:
        out.append(f"{input_name} = identity")
    previous = input_name or INPUT
    frozen = False
    for i, line in enumerate(lines):
        head = line[0]
        layer = REGISTRY[head.kind]
        words = [head.kind]
        if layer.merge:
            words += [ref(n) for n in head.inputs]
        elif head.inputs and ref(head.inputs[0]) != previous and not (head.inputs[0] == INPUT and previous == INPUT):
            words.append(f"from={ref(head.inputs[0])}")
        if head.args:
            words.insert(1, head.args)
        for post in line[1:]:
            words += [post.kind] + ([post.args] if post.args else [])
        if head.frozen != frozen:
            if head.frozen:
                out.append("freeze:")
            frozen = head.frozen
        out.append(("    " if frozen else "") + f"{names[i]} = " + " ".join(words))
        previous = names[i]
    out.append(f"output {ref(model.output)}" if model.output and ref(model.output) != previous else "")
    return "\n".join(out).rstrip("\n") + "\n"
