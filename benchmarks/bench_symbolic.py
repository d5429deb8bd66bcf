"""Time the symbolic mode end to end (run by hand; results go in the issue notes).

    python benchmarks/bench_symbolic.py [--runs 3]

Target (2-core machine): `cnncost summarize resnet50 --symbolic H,W` in under 5 s, sympy's
import included. Also timed: the same in JSON, the other large zoo models, and the
course's comparison `cnncost layer ... --symbolic`; each result is checked against the
numeric report with the input size put back, so a fast wrong answer cannot pass.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str], runs: int) -> tuple[float, str]:
    """Median wall time of `cmd` and its output."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def check_totals(name: str, out: str) -> str:
    """The symbolic totals at the spec's own input size against the numeric report."""
    import sympy

    import cnncost

    numeric = cnncost.analyze(cnncost.load(name))
    h, w, _ = numeric.input
    totals = json.loads(out)["totals"]
    for key in ("params", "buffers", "macs", "activations"):
        value = totals[key]
        value = sympy.sympify(value).subs({"H": h, "W": w}) if isinstance(value, str) else value
        if value != getattr(numeric.totals, key):
            return f"MISMATCH in {key}"
    return "totals match the numeric report"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.runs} runs")
    base = [py, "-m", "cnncost"]
    seconds, _ = timed([py, "-c", "import sympy"], args.runs)
    print(f"python -c 'import sympy'{'':34s}{seconds:6.2f} s")
    seconds, _ = timed(base + ["summarize", "resnet50", "--symbolic", "H,W"], args.runs)
    print(f"cnncost summarize resnet50 --symbolic H,W{'':17s}{seconds:6.2f} s  (target < 5 s)")
    for name in ("resnet50", "resnet152", "densenet121", "inception_v3", "efficientnet_b0"):
        seconds, out = timed(base + ["summarize", name, "--symbolic", "H,W", "--format", "json"],
                             args.runs)
        print(f"cnncost summarize {name + ' --symbolic H,W --format json':40s}{seconds:6.2f} s  "
              f"{check_totals(name, out)}")
    seconds, out = timed(base + ["layer", "conv 3x3 5 nobias", "--in", "6x6x3", "--vs",
                                 "sepconv 3x3 5 nobias", "--symbolic"], args.runs)
    found = "1/nc2 + 1/f**2 = 1/5 + 1/9" in out
    print(f"cnncost layer (seed case 5) --symbolic{'':20s}{seconds:6.2f} s  "
          f"{'lecture form found' if found else 'LECTURE FORM MISSING'}")


if __name__ == "__main__":
    main()
