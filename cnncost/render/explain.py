"""The working of every layer, as text or JSON."""
from __future__ import annotations

import json

from ..report.explain import ExplainedLayer
from .working import step_line
from .numbers import jsonable
from .numbers import shape as _shape


def text(network: str, layers: tuple[ExplainedLayer, ...]) -> str:
    lines = [network]
    for layer in layers:
        lines.append(f"\n{layer.name} ({layer.op}, line {layer.line}: {layer.source})  "
                     f"{_shape(layer.input)} -> {_shape(layer.output)}")
        lines.extend(f"    {step_line(w)}" for w in layer.working)
    return "\n".join(lines) + "\n"


def as_json(network: str, layers: tuple[ExplainedLayer, ...]) -> str:
    data = {"network": network, "layers": [
        {"name": x.name, "op": x.op, "line": x.line, "source": x.source,
         "input": jsonable(x.input), "output": jsonable(x.output), "working": [step_line(w) for w in x.working]}
        for x in layers]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
