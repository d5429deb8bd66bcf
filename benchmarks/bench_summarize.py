"""Time `cnncost summarize` end to end (run by hand; results go in the issue notes).

    python benchmarks/bench_summarize.py [--runs 5]

Targets (2-core machine): the 10,000-layer spec in under 1 s; the vgg16 summary within
2x the time of `python -c "import click, rich.table"`; growth linear (20,000 layers take
about twice as long as 10,000, and 100,000 twice 50,000); no sympy or numpy imported on a
numeric run; a spec over the size limits refused in well under a second; a spec just under
them summarized in a few seconds.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# An installed package has its .pyc files (pip compiles them); this machine sets
# PYTHONDONTWRITEBYTECODE, which makes every run compile cnncost's sources (~70 ms of a
# summarize). The timed runs leave it out, after a warm-up run that writes the .pyc files.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def generated_spec(layers: int) -> str:
    """A plain chain of `layers` layer nodes: conv + bn + relu triples and residual adds."""
    lines = ["# generated benchmark spec", "input 32x32x16", "default conv nobias"]
    blocks = layers // 4  # each residual block: conv, bn, relu, add
    lines.append(f"repeat {blocks}:")
    lines.append("    residual:")
    lines.append("        conv 3x3 16 same bn relu")
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], runs: int, env=None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env or ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed_pair(first: list[str], second: list[str], runs: int) -> tuple[float, float]:
    """Medians of `first` and `second`, run alternately."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for cmd, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def imported_modules(cmd: list[str]) -> set[str]:
    run = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True)
    return {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
            if line.startswith("import time:")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.runs} runs")
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set here; the timed runs unset it, as an installed "
              "package has its .pyc files")
    subprocess.run([py, "-m", "cnncost", "summarize", "vgg16"], check=True, stdout=subprocess.DEVNULL, env=ENV)
    # interleaved, so a busy machine slows both sides alike
    baseline, vgg = timed_pair([py, "-c", "import click, rich.table"],
                               [py, "-m", "cnncost", "summarize", "vgg16"], args.runs)
    print(f"import click, rich.table          {baseline:7.3f} s")
    print(f"cnncost summarize vgg16           {vgg:7.3f} s  ({vgg / baseline:.2f}x the imports; target <= 2x)")
    cold = timed([py, "-m", "cnncost", "summarize", "vgg16"], args.runs,
                 env={**ENV, "CNNCOST_NO_CACHE": "1"})
    print(f"  without the parsed-spec cache     {cold:7.3f} s  ({cold / baseline:.2f}x; the first run of a spec)")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for n in (1_000, 10_000, 20_000, 50_000, 100_000):
            path = os.path.join(tmp, f"chain{n}.spec")
            with open(path, "w") as f:
                f.write(generated_spec(n))
            results[n] = timed([py, "-m", "cnncost", "summarize", path, "--max-nodes", "1000000",
                                "--format", "json"], args.runs)
            print(f"cnncost summarize {n:>7,}-layer spec {results[n]:7.3f} s  "
                  f"({results[n] / n * 1e6:5.1f} us a layer)")
        print(f"growth 20,000 / 10,000 layers: {results[20_000] / results[10_000]:.2f}x (linear: ~2x); "
              f"100,000 / 50,000: {results[100_000] / results[50_000]:.2f}x (the collector is paused "
              "during a CLI run, so the growth stays linear)")
        # a spec over the size limits is refused before any parsing
        for name, text in (("12,000 relu lines", "input 8x8x3\n" + "relu\n" * 12_000),
                           ("1 MiB, error at line 2", "input 8x8x3\nconv 3x3 ?\n" + "relu\n" * 209_000)):
            path = os.path.join(tmp, "big.spec")
            with open(path, "w") as f:
                f.write(text)
            start = time.perf_counter()
            subprocess.run([py, "-m", "cnncost", "summarize", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env={**ENV, "CNNCOST_NO_CACHE": "1"})
            print(f"refused: {name:<24} {time.perf_counter() - start:7.3f} s")
        path = os.path.join(tmp, "under.spec")
        with open(path, "w") as f:
            f.write("input 8x8x3\n" + "conv 3x3 8 p1 bn relu\n" * 1_650)  # just under 10,000 tokens
        start = time.perf_counter()
        subprocess.run([py, "-m", "cnncost", "summarize", path], check=True, stdout=subprocess.DEVNULL,
                       env={**ENV, "CNNCOST_NO_CACHE": "1"})
        print(f"just under the token limit (1,650 conv lines), uncached: {time.perf_counter() - start:7.3f} s")
    modules = imported_modules(["-m", "cnncost", "summarize", "vgg16", "--format", "json"])
    print("numeric run imports sympy:", "sympy" in modules, "| numpy:", "numpy" in modules)


if __name__ == "__main__":
    main()
