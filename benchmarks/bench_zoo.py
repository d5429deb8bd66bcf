"""Time `cnncost summarize NAME` end to end for every zoo model, and `cnncost zoo` (run by
hand; results go in the issue notes).

    python benchmarks/bench_zoo.py [--runs 5] [NAME ...]

Target (2-core machine), the core benchmark's: a zoo model's summary within 2x the time of
`python -c "import click, rich.table"` (bench_summarize.py holds vgg16 to it). Output is
piped, so the plain-text table is timed, as in bench_summarize.py. The machine is shared:
each model is timed alternately with the baseline, best run against best run, and in CPU
time (user + sys of the child process), which other processes disturb far less than the
wall clock (also shown). The last column is the model's own share: load, analyze and the
plain table in-process, startup excluded.
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
import cnncost  # noqa: E402  (the checkout's, as `python -m cnncost` runs it)
from cnncost import zoo  # noqa: E402
from cnncost.load import _parse_zoo  # noqa: E402
from cnncost.render import render_table  # noqa: E402


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


def in_process(name: str, runs: int) -> float:
    """Best CPU seconds of summarize's own work on `name`: parse, build, analyze, render."""
    best = float("inf")
    for _ in range(runs):
        _parse_zoo.cache_clear()  # as in a fresh process
        start = time.process_time()
        render_table(cnncost.analyze(cnncost.load(name)))
        best = min(best, time.process_time() - start)
    return best


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
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set, so every run compiles cnncost's sources "
              "(an installed package has its .pyc); unset it for the figures users see")
    print(f"{'':40}{'CPU':>8}{'baseline':>10}{'ratio':>8}{'wall':>9}{'own':>9}")
    ours, base = paired([py, "-m", "cnncost", "--version"], baseline, args.runs)
    print(f"cnncost --version (start-up alone)      {ours[0]:7.3f}s{base[0]:9.3f}s"
          f"{ours[0] / base[0]:7.2f}x{ours[1]:8.3f}s")
    ratios, own = {}, {}
    for name in args.names or zoo.entries():
        ours, base = paired([py, "-m", "cnncost", "summarize", name], baseline, args.runs)
        ratios[name], own[name] = ours[0] / base[0], in_process(name, args.runs)
        print(f"cnncost summarize {name:<22}{ours[0]:7.3f}s{base[0]:9.3f}s{ratios[name]:7.2f}x"
              f"{ours[1]:8.3f}s{own[name]:8.3f}s", flush=True)
    slowest = max(own, key=own.get)
    print(f"slowest: {slowest}, {own[slowest]:.3f} s of its own, {ratios[slowest]:.2f}x the "
          f"baseline's CPU time end to end (target <= 2x); ratios "
          f"{min(ratios.values()):.2f}x to {max(ratios.values()):.2f}x")
    ours, base = paired([py, "-m", "cnncost", "zoo"], baseline, args.runs)
    print(f"cnncost zoo ({len(zoo.entries())} models built and counted) "
          f"{ours[0]:7.3f}s{base[0]:9.3f}s{ours[0] / base[0]:7.2f}x{ours[1]:8.3f}s")


if __name__ == "__main__":
    main()
