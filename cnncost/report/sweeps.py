"""A grid of one spec's totals over lists of parameter values and scalings (MobileNet's
Tables 6 and 7: width multiplier x resolution). Each point is built by the `load` the
caller passes (cnncost.load): report/ never imports the parser or the loader."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..errors import CnnCostError
from .analyze import analyze
from .comparison import ModelTotals, model_totals
from .display import Displayed

# Axes that are load() options rather than the spec's `param`s, in the order swept.
SCALINGS = ("width", "depth_mult", "resolution")


@dataclass(frozen=True)
class Axis:
    name: str  # a spec param, or width / depth_mult / resolution
    values: tuple[str, ...]  # as given (expression text)
    scaling: bool = False  # a load() option (--width, --depth-mult, --resolution), not a param


@dataclass(frozen=True)
class SweepPoint:
    settings: tuple[tuple[str, str], ...]  # (axis name, value) for every axis, in axis order
    totals: ModelTotals

    def label(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.settings)


@dataclass(frozen=True, repr=False)
class Sweep(Displayed):
    spec: str
    network: str
    axes: tuple[Axis, ...]
    points: tuple[SweepPoint, ...]  # the grid, the first axis outermost
    dtype: str = "fp32"
    batch: int = 1



def sweep(spec: str, params: Mapping[str, Sequence] | None = None, *, load, width: Sequence = (),
          depth_mult: Sequence = (), resolution: Sequence = (), dtype: str = "fp32",
          batch: int = 1) -> Sweep:
    """Totals at every combination of the values given: `params` maps a spec param to its
    values; `width`, `depth_mult`, `resolution` take lists like the --width,
    --depth-mult, --resolution options. Parameters vary slowest, resolution fastest.
    `load(spec, overrides, width=, depth=, resolution=)` builds each point (cnncost.load;
    `cnncost.sweep` passes it)."""
    axes = [Axis(name, tuple(str(v) for v in values)) for name, values in (params or {}).items()]
    for name, values in zip(SCALINGS, (width, depth_mult, resolution)):
        if values:
            axes.append(Axis(name, tuple(str(v) for v in values), scaling=True))
    names = [axis.name for axis in axes]
    for axis in axes:
        if not axis.values:
            raise CnnCostError(f"sweep: '{axis.name}' has no values", hint="e.g. -p alpha=0.5,1.0")
        if names.count(axis.name) > 1:
            raise CnnCostError(f"sweep: '{axis.name}' is given twice",
                               hint=f"give {axis.name} as -p or as --{axis.name.replace('_', '-')}, "
                                    "not both")
    points = []
    network = spec
    for combo in itertools.product(*(axis.values for axis in axes)):
        settings = tuple(zip(names, combo))
        overrides = {a.name: v for a, v in zip(axes, combo) if not a.scaling}
        scaling = {a.name: v for a, v in zip(axes, combo) if a.scaling}
        graph = load(spec, overrides, width=scaling.get("width"), depth=scaling.get("depth_mult"),
                     resolution=scaling.get("resolution"))
        network = graph.name
        report = analyze(graph, dtype=dtype, batch=batch)
        points.append(SweepPoint(settings, model_totals(report, " ".join(f"{k}={v}" for k, v in settings))))
    return Sweep(spec, network, tuple(axes), tuple(points), dtype, batch)
