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
    # each source layer's name -> the step giving its output (INPUT for the input; a layer
    # that maps to nothing, such as Dropout, -> the step it passes on)
    outputs: dict = field(default_factory=dict)


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
    if name[0].isdigit():  # torch's nn.Sequential children are 0, 1, ...
        name = "_" + name
    if name in KEYWORDS or lookup(name) is not None or re.fullmatch(r"[A-Za-z]\d+", name):  # s2 is a flag
        name += "_"
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _dims(shape) -> str:
    return "x".join(str(d) for d in shape)




def _reorder(steps: list) -> list:
    """A topological order that keeps chains together: after a step, its consumer comes
    next when it is ready (Keras lists the two convs of a projection block side by side)."""
    index = {s.name: i for i, s in enumerate(steps)}
    waiting = {s.name: sum(1 for i in s.inputs if i in index) for s in steps}
    users: dict = {}
    for s in steps:
        for i in s.inputs:
            users.setdefault(i, []).append(s.name)
    ready = sorted(index[s.name] for s in steps if waiting[s.name] == 0)
    order, last = [], None
    while ready:
        follow = [i for i in ready if last is not None and steps[i].inputs[:1] == (last,)]
        pick = follow[0] if follow else ready[0]
        ready.remove(pick)
        step = steps[pick]
        order.append(step)
        last = step.name
        for user in users.get(step.name, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(index[user])
        ready.sort()
    return order


class _Writer:
    def __init__(self, model: Imported):
        self.model = model
        steps = _reorder(model.steps)
        consumers = Counter(i for s in steps for i in s.inputs)
        consumers[model.output] += 1
        self.lines: list[list[Step]] = []  # each line: head step then its post-ops
        line_of: dict[str, int] = {}
        for step in steps:
            last = self.lines[-1] if self.lines else None
            if (last and REGISTRY[step.kind].category in POST_CATEGORIES and step.inputs == (last[-1].name,)
                    and consumers[last[-1].name] == 1 and step.frozen == last[0].frozen
                    and not (REGISTRY[step.kind].category == "norm" and REGISTRY[last[-1].kind].category == "norm")):
                last.append(step)
            else:
                self.lines.append([step])
            line_of[step.name] = len(self.lines) - 1
        # the lines each line reads (-1: the network input), and how often each is read
        self.reads = [tuple(-1 if n == INPUT else line_of[n] for n in line[0].inputs) for line in self.lines]
        self.used = Counter(r for reads in self.reads for r in reads)
        self.output = -1 if model.output == INPUT else line_of[model.output]
        self.used[self.output] += 1
        self.taken: set = set()
        self.names = [spec_name(line[0].name, self.taken) for line in self.lines]
        self.input_name = spec_name("x_input", self.taken) if self._input_named() else None

    def _input_named(self) -> bool:
        return any(-1 in reads for reads in self.reads[1:]) or self.output == -1 and self.lines

    def ref(self, i: int) -> str:
        return self.input_name if i == -1 else self.names[i]

    # ------------------------------------------------------------------ blocks
    # A unit is ("line", i) or ("block", a, branches): the merge at line a of branches that
    # all start from one tensor, each branch a list of units (blocks nest in branches).
    def _chain(self, r: int, blocks: dict):
        """Units of the single-input chain ending at line r (lines, and blocks found before,
        each read only by the next unit), and the line it starts from."""
        chain, need = [], 1  # a block's input is read once by each of its branches
        while r >= 0 and self.used[r] == need and not self.lines[r][0].frozen:
            if r in blocks:
                unit = ("block", r, blocks[r][1])
                chain.append(unit)
                r = blocks[r][0]
                need = self._reads_from(unit, r)
            elif not REGISTRY[self.lines[r][0].kind].merge and len(self.reads[r]) == 1:
                chain.append(("line", r))
                r, need = self.reads[r][0], 1
            else:
                break
        return chain[::-1], r

    def _reads_from(self, unit, x: int) -> int:
        """How often the lines of a unit read line x."""
        return sum(self.reads[m].count(x) for m in self._members(unit))

    def _block(self, a: int, blocks: dict):
        """(entry line, branches) when line a merges chains that all start from one line,
        else None. Whether the block stands alone (its input read by nothing else) is
        checked apart: an inner block shares its input with the branches beside it."""
        head = self.lines[a][0]
        if not REGISTRY[head.kind].merge or head.frozen or len(self.reads[a]) < 2:
            return None
        branches, starts = [], set()
        for r in self.reads[a]:
            chain, start = self._chain(r, blocks)
            branches.append(chain)
            starts.add(start)
        if len(starts) != 1:
            return None
        return starts.pop(), branches

    def _unit_reads(self, unit) -> tuple:
        return (self._blocks[unit[1]][0],) if unit[0] == "block" else self.reads[unit[1]]

    # ------------------------------------------------------------------ text
    def line_text(self, i: int, previous, named=True) -> str:
        line = self.lines[i]
        head = line[0]
        words = [head.kind] + ([head.args] if head.args else [])
        if REGISTRY[head.kind].merge:
            words += [self.ref(r) for r in self.reads[i]]
        elif self.reads[i] and self.reads[i][0] != previous:
            words.append(f"from={self.ref(self.reads[i][0])}")
        for post in line[1:]:
            words += [post.kind] + ([post.args] if post.args else [])
        return (f"{self.names[i]} = " if named else "") + " ".join(words)

    def items(self):
        """Top-level units, in an order where each block comes right after its input."""
        blocks: dict = {}  # every merge of chains from one line, standing alone or not
        for a in range(len(self.lines)):
            found = self._block(a, blocks)
            if found:
                blocks[a] = found
        self._blocks = blocks
        top, inside = [], set()
        for a in sorted(blocks, reverse=True):  # outermost first: a block read by nothing else
            unit = ("block", a, blocks[a][1])
            if a in inside or self._reads_from(unit, blocks[a][0]) != self.used[blocks[a][0]]:
                continue
            top.append(a)
            inside |= self._members(unit) - {a}
        written = set(top) | {i for i in inside if i in blocks}
        for a in written:
            if len(self.lines[a]) > 1:  # the line after the block is its last post-op
                self.taken.discard(self.names[a])
                self.names[a] = spec_name(self.lines[a][-1].name, self.taken)
        units = [("block", i, blocks[i][1]) if i in top else ("line", i)
                 for i in range(len(self.lines)) if i not in inside]
        # topological order over units, following the last unit's reader when one is ready
        done, out, last = {-1}, [], -1
        pending = list(units)
        while pending:
            ready = [u for u in pending if all(r in done for r in self._unit_reads(u))]
            follow = [u for u in ready if self._unit_reads(u)[:1] == (last,)]
            unit = (follow or ready)[0]
            pending.remove(unit)
            out.append(unit)
            done.add(unit[1])
            last = unit[1]
        return out

    def item_text(self, item, previous, named=True) -> list:
        if item[0] == "line":
            return [self.line_text(item[1], previous, named)]
        _, a, branches = item
        line = self.lines[a]
        head = line[0]
        out = []
        if REGISTRY[head.kind].residual_merge and len(branches) == 2:
            body, short = sorted(branches, key=lambda chain: len(self._lines_of(chain)), reverse=True)
            out.append("residual:")
            out += ["    " + t for t in self._chain_text(body, named)]
            if short:
                out.append("shortcut:")
                out += ["    " + t for t in self._chain_text(short, named)]
        else:
            out.append(f"{head.kind}:")
            for chain in branches:
                out.append("    branch:")
                out += ["        " + t for t in (self._chain_text(chain, named) or ["identity"])]
        posts = " ".join(p.kind + (f" {p.args}" if p.args else "") for p in line[1:])
        if posts:
            out.append((f"{self.names[a]} = " if named else "") + posts)
        elif named:
            out[0] = f"{self.names[a]} = {out[0]}"
        return out

    def _lines_of(self, chain) -> list:
        return [m for unit in chain for m in self._members(unit)]

    def _chain_text(self, chain, named):
        """The statements of a branch: its first reads the block's input, each next one
        the one before it."""
        out, previous = [], None
        for k, unit in enumerate(chain):
            if k == 0:
                previous = self._unit_reads(unit)[0]
            out += self.item_text(unit, previous, named)
            previous = unit[1]
        return out

    def write(self) -> str:
        m = self.model
        out = [f"# imported from {m.source} by cnncost import ({m.importer})",
               f"network {spec_name(m.name, set())}", f"input {_dims(m.input_shape)}", ""]
        if self.input_name:
            out.append(f"{self.input_name} = identity")
        items = self.items()
        previous, frozen, k = -1, False, 0
        while k < len(items):
            item = items[k]
            end = item[1]
            n = self._repeats(items, k)
            if n > 1:
                out.append(f"repeat {n}:")
                out += ["    " + t for t in self.item_text(item, previous, named=False)]
                end = items[k + n - 1][1]
                k += n
            else:
                is_frozen = self.lines[end][0].frozen
                if is_frozen != frozen:
                    if is_frozen:
                        out.append("freeze:")
                    frozen = is_frozen
                out += [("    " if frozen else "") + t for t in self.item_text(item, previous)]
                k += 1
            previous = end
        if self.output != previous:
            out.append(f"output {self.ref(self.output)}")
        from .spec_fold import fold_defs

        header = out.index("") + 1
        if self.input_name and not any(re.search(rf"\b{self.input_name}\b", line) for line in out[header + 1:]):
            del out[header]  # the input is read only by blocks, which read it unnamed
        out = out[:header] + fold_defs(out[header:], self.taken | {self.input_name})
        return "\n".join(out).rstrip("\n") + "\n"

    def _readers(self, i: int) -> set:
        return {j for j, reads in enumerate(self.reads) if i in reads}

    @classmethod
    def _members(cls, item) -> set:
        """The lines of a unit: a line, or a block's merge and every line of its branches."""
        if item[0] == "line":
            return {item[1]}
        return {item[1]} | {m for chain in item[2] for unit in chain for m in cls._members(unit)}

    def _repeats(self, items, k) -> int:
        """How many items from k are the same block, read in sequence and referenced by
        nothing outside (their names are dropped when they are folded into `repeat`)."""
        first = items[k]
        if first[0] != "block" or self.lines[first[1]][0].frozen:
            return 1
        text = self.item_text(first, None, named=False)
        n = 1
        while k + n < len(items):
            item = items[k + n]
            if item[0] != "block" or self.item_text(item, None, named=False) != text:
                break
            n += 1
        while n > 1:  # the outputs of all but the last are read only by the unit after them
            if all(self._readers(items[k + j][1]) <= self._members(items[k + j + 1]) for j in range(n - 1)) \
                    and self.output not in [items[k + j][1] for j in range(n - 1)]:
                break
            n -= 1
        return n


def flat_spec(model: Imported) -> tuple[str, dict]:
    """One named line per step, nothing folded (no post-ops, blocks, repeats or defs), so
    every step's output shape can be read off the built graph by name: the text, and each
    step's spec name (tests compare them with the framework's per-layer shapes)."""
    taken: set = set()
    names = {INPUT: spec_name("x_input", taken)}
    out = [f"network {spec_name(model.name, set())}", f"input {_dims(model.input_shape)}",
           f"{names[INPUT]} = identity"]
    for step in model.steps:
        names[step.name] = spec_name(step.name, taken)
        refs = [names[i] for i in step.inputs]
        words = [step.kind] + ([step.args] if step.args else [])
        words += refs if REGISTRY[step.kind].merge else [f"from={refs[0]}"]
        out.append(f"{names[step.name]} = {' '.join(words)}")
    out.append(f"output {names[model.output]}")
    return "\n".join(out) + "\n", names


def write_spec(model: Imported) -> str:
    """The spec text of an imported model."""
    return _Writer(model).write()
