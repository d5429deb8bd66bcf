"""Fuzz by hand, with a clock: run many mutated zoo/seed specs through `cnncost summarize`
in-process and report, per category of mistake, how many cases were tried, how they
ended, and the slowest time to an answer or an error.

    python benchmarks/bench_fuzz.py                 # 3,000 cases, seed 0
    python benchmarks/bench_fuzz.py --cases 50000 --seed 7 --save /tmp/finds

A case "fails" if it prints a traceback or an internal error, exits with anything but
0 (with output) or 2 (with FILE:LINE:COL or file-level error and a hint), or takes
longer than --limit seconds. Failing inputs are written to --save for the test table.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import mutate  # noqa: E402  (tests/mutate.py: the mutation catalogue)
from cnncost.cli import main  # noqa: E402

LOCATED = re.compile(r"^\S.*?:\d+:\d+: error: .+$", re.M)
FILE_LEVEL = re.compile(r"^error: .+$|^\S.*?:\d+: not UTF-8", re.M)


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so the CLI's catch-all cannot swallow it."""


TARGET = 1.0  # seconds: issue 6's bound on every case


def _alarm(signum, frame):
    raise Hang()


def run_case(path: str, fmt: str, limit: float):
    """(exit code, stdout, stderr, seconds) of one in-process `cnncost summarize`."""
    out, err = io.StringIO(), io.StringIO()
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    code = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["summarize", path, "--format", fmt])
    except SystemExit as exc:
        code = exc.code
    except Hang:
        code = "hang"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def verdict(code, out: str, err: str) -> str | None:
    """None when the case ended well, else what went wrong."""
    if code == "hang":
        return "hang"
    if "Traceback" in err or "internal error" in err:
        return "crash"
    if code == 0:
        return None if out else "exit 0 without output"
    if code == 2:
        if "hint:" not in err:
            return "no hint"
        return None if LOCATED.search(err) or FILE_LEVEL.search(err) else "no location"
    return f"exit {code}"


def cases(count: int, seed: int):
    """(category, content) pairs: mutated corpus specs, random token soup, random text."""
    rng = random.Random(seed)
    corpus = mutate.corpus()
    names = sorted(corpus)
    categories = sorted(mutate.MUTATIONS)
    for i in range(count):
        roll = rng.random()
        if roll < 0.05:
            n = rng.randint(0, 60)
            yield "random text", "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000),
                                                          10, 9, 13])) for _ in range(n))
        elif roll < 0.15:
            words = [rng.choice(mutate.VOCABULARY) for _ in range(rng.randint(1, 40))]
            yield "random tokens", "input 8x8x3\n" + " ".join(words)
        else:
            first = rng.choice(categories)
            chain = [first] + rng.sample(categories, rng.choice([0, 0, 1, 2]))
            text = corpus[rng.choice(names)]
            yield first, mutate.mutate(text, chain, rng.randrange(2**32))


def main_(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=float, default=5.0, help="seconds before a case counts as a hang")
    ap.add_argument("--save", type=Path, default=None, help="folder for failing inputs")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    import sympy  # noqa: F401  (paid once by the first symbolic spec; timed apart)
    print(f"sympy import, paid once per process by a symbolic spec: {time.perf_counter() - start:.2f} s")
    tried = defaultdict(lambda: [0, 0, 0, 0.0, 0.0, 0])  # tried, ok, error, slowest ok, slowest error, over 1 s
    failures = []
    slowest = (0.0, None, None)
    slowest_ok = (0.0, None, "")
    formats = ["table", "json", "csv", "markdown"]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "case.spec")
        for i, (category, content) in enumerate(cases(args.cases, args.seed)):
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
                fh.write(content)
            code, out, err, secs = run_case(path, formats[i % 4], args.limit)
            row = tried[category]
            row[0] += 1
            row[5] += secs > TARGET
            bad = verdict(code, out, err)
            if bad:
                failures.append((category, bad, content, err))
                continue
            if code == 0:
                row[1] += 1
                row[3] = max(row[3], secs)
                if secs > slowest_ok[0]:
                    slowest_ok = (secs, category, content)
            else:
                row[2] += 1
                row[4] = max(row[4], secs)
                if secs > slowest[0]:
                    slowest = (secs, category, err.splitlines()[0])
    print(f"{'category':30} {'tried':>6} {'result':>7} {'exit 2':>7} {'slowest ok':>11} {'slowest err':>12}"
          f" {'> 1 s':>6}")
    for category in sorted(tried):
        n, ok, error, t_ok, t_err, slow = tried[category]
        print(f"{category:30} {n:6d} {ok:7d} {error:7d} {t_ok * 1000:9.1f}ms {t_err * 1000:10.1f}ms {slow:6d}")
    print(f"\ncases over the {TARGET:g} s target: {sum(row[5] for row in tried.values())} of {args.cases}")
    print(f"\nslowest time to an error: {slowest[0] * 1000:.1f} ms ({slowest[1]}: {slowest[2]})")
    print(f"slowest time to a result: {slowest_ok[0] * 1000:.1f} ms ({slowest_ok[1]})")
    print(f"failures: {len(failures)}")
    for category, bad, content, err in failures[:20]:
        print(f"--- {category}: {bad}\n{content[:300]!r}\n{err[-600:]}")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        content = slowest_ok[2]
        (args.save / "slowest-result.spec").write_bytes(content if isinstance(content, bytes) else
                                                         content.encode("utf-8"))
        for n, (category, bad, content, _) in enumerate(failures):
            target = args.save / f"{n:04d}.spec"
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main_())
