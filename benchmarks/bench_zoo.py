"""Time `cnncost summarize NAME` end to end for every zoo model, and `cnncost zoo` (run by
hand; results go in the issue notes).

    python benchmarks/bench_zoo.py [--runs 5] [NAME ...]

Target (2-core machine), the core benchmark's: a zoo model's summary within 2x the time of
`python -c "import click, rich.table"` (bench_summarize.py holds vgg16 to it). Output is
piped, so the plain-text table is timed, as in bench_summarize.py. The machine is shared:
each model is timed alternately with the baseline, best run against best run, and in CPU
time (user + sys of the child process), which other processes disturb far less than the
wall clock (also shown).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cnncost import zoo  # noqa: E402  (the checkout's zoo, as `python -m cnncost` runs it)


def seconds(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def paired(cmd: list[str], baseline: list[str], runs: int):
    """Best (CPU, wall) of `runs` for `cmd` and for `baseline`, run alternately."""
    ours, base = [], []
    for _ in range(runs):
        base.append(seconds(baseline))
        ours.append(seconds(cmd))
    return min(ours), min(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("names", nargs="*", help="zoo models to time (default: all)")
    args = parser.parse_args()
    py = sys.executable
    baseline = [py, "-c", "import click, rich.table"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}; "
          f"best of {args.runs} runs, each next to the baseline `import click, rich.table`")
    print(f"{'':40}{'CPU':>8}{'baseline':>10}{'ratio':>8}{'wall':>9}")
    ratios = {}
    for name in args.names or zoo.entries():
        ours, base = paired([py, "-m", "cnncost", "summarize", name], baseline, args.runs)
        ratios[name] = ours[0] / base[0]
        print(f"cnncost summarize {name:<22}{ours[0]:7.3f}s{base[0]:9.3f}s{ratios[name]:7.2f}x"
              f"{ours[1]:8.3f}s", flush=True)
    slowest = max(ratios, key=ratios.get)
    print(f"slowest: {slowest}, {ratios[slowest]:.2f}x the baseline's CPU time (target <= 2x)")
    ours, base = paired([py, "-m", "cnncost", "zoo"], baseline, args.runs)
    print(f"cnncost zoo ({len(zoo.entries())} models built and counted) "
          f"{ours[0]:7.3f}s{base[0]:9.3f}s{ours[0] / base[0]:7.2f}x{ours[1]:8.3f}s")


if __name__ == "__main__":
    main()
