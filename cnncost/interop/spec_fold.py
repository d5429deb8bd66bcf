"""Fold runs of top-level statements that differ only in numbers into a `def` and calls
(a ResNet's stages: a projection block, then `repeat n:` of identity blocks, with
channel counts and the repeat count as the def's parameters)."""
from __future__ import annotations

import re

from ..layers import lookup

NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")  # 64, 3 in `repeat 3:`; not s2, 1x1, 0.5, conv2_x
NAME = re.compile(r"^(\s*)[A-Za-z_]\w* = ")
MAX_PERIOD = 8


def _chunks(lines: list[str]) -> list[list[str]]:
    """Top-level statements, each with the indented lines under it."""
    chunks: list[list[str]] = []
    for line in lines:
        if chunks and (line.startswith(" ") or line.startswith("shortcut")):  # shortcut: ends a residual
            chunks[-1].append(line)
        else:
            chunks.append([line])
    return chunks


def _foldable(chunk: list[str]) -> bool:
    """No `from=`, no merge of named outputs, no `output`: nothing a dropped name breaks."""
    for line in chunk:
        words = NAME.sub(r"\1", line).split()
        if not words or any(w.startswith("from=") for w in words) or words[0] in ("output", "freeze:"):
            return False
        layer = lookup(words[0])
        if layer is not None and layer.merge and len(words) > 1:
            return False
    return True


def _key(chunk: list[str]) -> str:
    return NUMBER.sub("#", "\n".join(NAME.sub(r"\1", line) for line in chunk))


def _names(chunks) -> set:
    return {m.group(0).strip()[:-2].strip() for c in chunks for line in c for m in [NAME.match(line)] if m}


def fold_defs(body: list[str], taken: set) -> list[str]:
    """`body`: the spec's lines after its header. Runs of at least two repetitions of a
    period of 2..8 statements become `def stageN(...)` and calls."""
    chunks = _chunks(body)
    keys = [_key(c) if _foldable(c) else None for c in chunks]
    out: list[str] = []
    i, count = 0, 0
    while i < len(chunks):
        best = None
        for period in range(2, MAX_PERIOD + 1):
            pattern = keys[i:i + period]
            if len(pattern) < period or None in pattern or not any("\n" in k or "repeat" in k for k in pattern):
                continue
            times = 1
            while keys[i + times * period:i + (times + 1) * period] == pattern:
                times += 1
            if times >= 2 and (best is None or times * period > best[0] * best[1]):
                best = (times, period)
        if best is None:
            out += chunks[i]
            i += 1
            continue
        times, period = best
        shift = _aligned(keys, chunks, i, times, period)
        if shift:
            for c in chunks[i:i + shift]:
                out += c
            i += shift
        region = chunks[i:i + times * period]
        later = " ".join(" ".join(c) for c in chunks[i + times * period:])
        if any(re.search(rf"\b{re.escape(n)}\b", later) for n in _names(region)):
            out += chunks[i]
            i += 1
            continue
        count += 1
        out += _write_def(region, times, period, count, taken)
        i += times * period
    return out


def _aligned(keys, chunks, i, times, period) -> int:
    """A shift of the run that starts it at a block (`residual:`, `concat:`) rather than
    at the line after one, when that covers as many statements."""
    for shift in range(period):
        start = i + shift
        first = NAME.sub("", chunks[start][0]) if start < len(chunks) else ""
        if not first.endswith(":") or first.startswith("repeat"):
            continue
        pattern = keys[start:start + period]
        n = 1
        while keys[start + n * period:start + (n + 1) * period] == pattern:
            n += 1
        if n >= times:
            return shift
    return 0


def _write_def(region, times: int, period: int, count: int, taken: set) -> list[str]:
    instances = ["\n".join(NAME.sub(r"\1", line) for c in region[k * period:(k + 1) * period] for line in c)
                 for k in range(times)]
    values = [[m.group(0) for m in NUMBER.finditer(text)] for text in instances]
    letters = iter(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in taken)
    params: dict[tuple, str] = {}
    slots = []
    for column in zip(*values):
        if len(set(column)) == 1:
            slots.append(None)
        else:
            if column not in params:
                params[column] = next(letters)
            slots.append(params[column])
    template, position = instances[0], iter(slots)
    body = NUMBER.sub(lambda m: next(position) or m.group(0), template)
    name = "stage" if count == 1 else f"stage{count}"
    while name in taken:
        name += "_"
    taken.add(name)
    out = [f"def {name}({', '.join(params.values())}):"] + ["    " + line for line in body.split("\n")]
    for k in range(times):
        args = [column[k] for column in params]
        out.append(f"{name}({', '.join(args)})")
    return out
