"""`verify --against torch` as text and JSON: per layer, the largest difference between
the NumPy executor's output and the exported PyTorch module's."""
from __future__ import annotations

import json


def against_table(result, tolerance: float) -> str:
    bad = set(result.beyond(tolerance))
    width = max([len(r.name) for r in result.rows] + [5])
    lines = [f"{result.network}: NumPy executor vs exported PyTorch module, batch {result.batch}, "
             f"seed {result.seed}",
             f"{'layer':<{width}}  {'op':<16} {'max |diff|':>12} {'max |value|':>12}"]
    lines += [f"{r.name:<{width}}  {r.op:<16} {r.max_abs_diff:>12.3g} {r.max_abs_value:>12.4g}"
              + ("  <- differs" if r in bad else "") for r in result.rows]
    lines.append(f"largest difference {result.largest:.3g}; "
                 + (f"{len(bad)} layer(s) beyond the float32 tolerance" if bad else
                    f"every layer within the float32 tolerance ({tolerance:g} x max(1, |value|))"))
    return "\n".join(lines) + "\n"


def against_json(result, tolerance: float) -> str:
    return json.dumps({"network": result.network, "batch": result.batch, "seed": result.seed,
                       "tolerance": tolerance, "largest_difference": result.largest,
                       "layers": [r._asdict() for r in result.rows],
                       "ok": not result.beyond(tolerance)}, indent=2) + "\n"
