"""Time `cnncost summarize NAME` end to end for every zoo model, and `cnncost zoo` (run by
hand; results go in the issue notes).

    python benchmarks/bench_zoo.py [--runs 3]

Target (2-core machine), the core benchmark's: a zoo model's summary within 2x the time of
`python -c "import click, rich.table"` (bench_summarize.py holds vgg16 to it). Output is
piped, so the plain-text table is timed, as in bench_summarize.py.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys

from bench_summarize import timed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cnncost import zoo  # noqa: E402  (the checkout's zoo, as `python -m cnncost` runs it)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.runs} runs")
    baseline = timed([py, "-c", "import click, rich.table"], args.runs)
    print(f"import click, rich.table               {baseline:7.3f} s")
    times = {name: timed([py, "-m", "cnncost", "summarize", name], args.runs)
             for name in zoo.entries()}
    for name, seconds in sorted(times.items(), key=lambda item: item[1]):
        print(f"cnncost summarize {name:<22}{seconds:7.3f} s  ({seconds / baseline:.2f}x)")
    slowest = max(times, key=times.get)
    print(f"slowest: {slowest}, {times[slowest]:.3f} s = {times[slowest] / baseline:.2f}x the "
          f"imports (target <= 2x)")
    listing = timed([py, "-m", "cnncost", "zoo"], args.runs)
    print(f"cnncost zoo ({len(times)} models, all built and counted) {listing:7.3f} s")


if __name__ == "__main__":
    main()
