"""Time `cnncost compare` and `cnncost sweep` end to end (run by hand; quote the results).

    python benchmarks/bench_compare.py [--runs 5]

What to look at (2-core machine): compare of three zoo models, with and without
`--by stage`, next to summarize of one and to `python -c "import click, rich.table"`;
the 16-point MobileNet sweep (Tables 6 and 7), and the same with `--plot` (matplotlib's
import and drawing dominate). Each model is parsed, built and analysed once.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile

from bench_summarize import timed

SWEEP = ["sweep", "mobilenet_v1", "-p", "alpha=1.0,0.75,0.5,0.25", "--resolution", "224,192,160,128"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = [sys.executable, "-m", "cnncost"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.runs} runs")
    rows = [("import click, rich.table", [sys.executable, "-c", "import click, rich.table"]),
            ("cnncost summarize vgg16", [*py, "summarize", "vgg16"]),
            ("cnncost compare vgg16 resnet50 mobilenet_v2", [*py, "compare", "vgg16", "resnet50",
                                                            "mobilenet_v2"]),
            ("  ... --by stage", [*py, "compare", "vgg16", "resnet50", "mobilenet_v2", "--by", "stage"]),
            ("  ... --format json", [*py, "compare", "vgg16", "resnet50", "mobilenet_v2", "--format",
                                     "json"]),
            ("cnncost sweep mobilenet_v1 (16 points)", [*py, *SWEEP])]
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("  ... --plot grid.png", [*py, *SWEEP, "--plot", os.path.join(tmp, "grid.png")]))
        for label, cmd in rows:
            print(f"{label:<45} {timed(cmd, args.runs):7.3f} s")


if __name__ == "__main__":
    main()
