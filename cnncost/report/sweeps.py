"""A grid of one spec's totals over lists of parameter values and scalings (MobileNet's
Tables 6 and 7: width multiplier x resolution). Each point is built by the `load` the
caller passes (cnncost.load): report/ never imports the parser or the loader."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..errors import CnnCostError
from ..scaling import compound as compound_scaling
from .analyze import analyze
from .comparison import ModelTotals, model_totals
from .display import Displayed

# Axes that are load() options rather than the spec's `param`s, in the order swept;
# `phi` (compound scaling, cnncost.scaling) sets width, depth and resolution together.
SCALINGS = ("width", "depth_mult", "resolution", "phi")


@dataclass(frozen=True)
class Axis:
    name: str  # a spec param, or width / depth_mult / resolution
    values: tuple[str, ...]  # as given (expression text)
    scaling: bool = False  # a load() option (--width, --depth-mult, --resolution), not a param


@dataclass(frozen=True)
class SweepPoint:
    settings: tuple[tuple[str, str], ...]  # (axis name, value) for every axis, in axis order
    totals: ModelTotals
    # with a phi axis: FLOPs over those at φ = 0 (the other settings the same), and 2^φ
    flops_ratio: Any = None
    doubling: Any = None

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
          depth_mult: Sequence = (), resolution: Sequence = (), phi: Sequence = (),
          compound: str | None = None, dtype: str = "fp32", batch: int = 1,
          training: bool = False) -> Sweep:
    """Totals at every combination of the values given: `params` maps a spec param to its
    values; `width`, `depth_mult`, `resolution` take lists like the --width,
    --depth-mult, --resolution options, `phi` compound-scaling exponents (with `compound`
    the bases α,β,γ as text, default the paper's). Parameters vary slowest, phi fastest.
    `load(spec, overrides, width=, depth=, resolution=)` builds each point (cnncost.load;
    `cnncost.sweep` passes it)."""
    axes = [Axis(name, tuple(str(v) for v in values)) for name, values in (params or {}).items()]
    for name, values in zip(SCALINGS, (width, depth_mult, resolution, phi)):
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
        if "phi" in scaling:
            if len(scaling) > 1:
                raise CnnCostError("sweep: phi sets the width, depth and resolution",
                                   hint="sweep --phi alone, or --width/--depth-mult/--resolution")
            c = compound_scaling(scaling.pop("phi"), compound)
            scaling = {"width": c.width, "depth_mult": c.depth, "resolution": c.resolution}
        graph = load(spec, overrides, width=scaling.get("width"), depth=scaling.get("depth_mult"),
                     resolution=scaling.get("resolution"))
        network = graph.name
        report = analyze(graph, dtype=dtype, batch=batch, training=training)
        points.append(SweepPoint(settings, model_totals(report, " ".join(f"{k}={v}" for k, v in settings))))
    if phi:
        points = _phi_ratios(points, names.index("phi"))
    return Sweep(spec, network, tuple(axes), tuple(points), dtype, batch)


def _phi_ratios(points: list, axis: int) -> list:
    """Each point's FLOPs over those of φ = 0 with the other settings the same (None when
    φ = 0 was not swept), beside 2^φ (the paper: FLOPs grow by about 2^φ)."""
    from .. import dims

    def others(point):
        return tuple(v for i, v in enumerate(point.settings) if i != axis)

    base = {others(p): p.totals.flops for p in points if compound_scaling(p.settings[axis][1]).phi == 0}
    out = []
    for p in points:
        phi = compound_scaling(p.settings[axis][1]).phi
        zero = base.get(others(p))
        ratio = dims.exact(Fraction(p.totals.flops, zero)) if zero else None
        out.append(replace(p, flops_ratio=ratio, doubling=2 ** phi))
    return out
