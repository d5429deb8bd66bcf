"""Broken specs on demand for the fuzz suite: every mistake a student makes, applied to
the zoo and seed specs. Each mutation is `f(text, rng) -> text` (or bytes, for encoding
mistakes) and is named by its category, so a run can say what it tried."""
from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Callable

SPECS = Path(__file__).resolve().parent.parent / "specs"

# Small hand-written specs that reach the language's corners the zoo does not
# (named outputs, merges by name, if/elif, symbols, expect, defaults, freeze).
EXTRA = {
    "corners": """\
network corners
param width = 1.0
param n = 2
let c = int(16 * width)
input 32x32x3
default conv nobias
def block(c, s=1):
    residual:
        conv 3x3 c s2 same bn relu
        conv 3x3 c same bn
    shortcut if s > 1 or in.c != c:
        conv 1x1 c s2 bn
    relu
repeat n as i:
    block(c * (i + 1), s=2)
expect shape 8x8x32
a = conv 1x1 8
b = conv 3x3 8 same from=a
x = add a b
y = concat a b x
if in.c > 16:
    slice 0:16
elif in.c == 16:
    identity
else:
    pad 1
z = concat:
    branch:
        identity
    branch:
        sepconv 3x3 16 same m2
se 0.25 act=swish gate=hsigmoid
freeze:
    dwconv 3x3 same
    deconv 2x2 8 s2
upsample 2
maxpool 3x3 s2 p1 ceil
gap
flatten
dropout 0.2
fc 10 softmax
expect total params ~30k
""",
    "symbols": """\
symbol n f c
input (n, n, 3)
conv (f, f) c valid
sepconv 3x3 c same
""",
    "symbols_blocks": """\
symbol n c k s
param w = 1.0
input (n, n, c)
conv (k, k) int(c * w) s2 same
residual:
    dwconv 3x3 same bn relu
    conv 1x1 c
maxpool 2x2
concat:
    branch:
        conv 1x1 c
    branch:
        identity
upsample 2
deconv 2x2 c s2
gap
flatten
fc k
expect total params ~1k
""",
    "vector": """\
input 784
fc 128 relu
dropout 0.5
fc 10
expect total params 101_770
""",
}


def corpus() -> dict[str, str]:
    """Every zoo and seed spec by name, plus the corner cases above."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SPECS.glob("*.spec"))}
    texts.update(EXTRA)
    return texts


# --------------------------------------------------------------------------- pieces

TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d[\d_x.]*|\*\*|//|[<>=!]=|\S")
NUMBER = re.compile(r"(?<![A-Za-z_\d])\d[\d_]*(\.\d+)?")

LOOKALIKES = {
    "x": ["\u00d7", "\u0445", "X"],  # multiplication sign, Cyrillic ha
    "o": ["\u043e", "0"], "a": ["\u0430"], "c": ["\u0441"], "e": ["\u0435"], "p": ["\u0440"],
    "-": ["\u2212", "\u2013"], " ": ["\u00a0", "\u2003", "\u200b"], ":": ["\uff1a", ";"],
    "=": ["\uff1d"], "(": ["\uff08", "["], ")": ["\uff09", "]"], ",": ["\uff0c", ";"],
    "1": ["l", "\uff11", "\u0661"], "3": ["\uff13", "\u0663"], "*": ["\u00d7", "\u2217"],
    "_": ["\u2017"], ".": ["\u3002", ","],
}

HUGE = ["10**12", "99999999999999999999999999", "2**4095", "2**4097", "2**2**2**99",
        "10**100", "1e400", "1e-400", "1_000_000_000_000", "9" * 400, "(2**62)", "1.5e300"]
NEGATIVE = ["-1", "-3", "-0", "-(2**70)", "-0.5", "--1", "- 2"]
ODD = ["0", "0.0", "0.5", "1/3", "0x10", "3x0", "0x0x3", "1x1x1x1", "()", "(1,)", "(1, 2, 3)",
       "in.c", "in.h * 0", "1/0", "0**-1", "(-8)**0.5", "2**0.5", "True", "None", "nan", "inf"]

# Lines a student might write anywhere: each a known way to be wrong.
INJECTIONS = {
    "stride0": ["conv 3x3 8 s0", "maxpool 2x2 stride=0", "conv 3x3 8 stride=(1, 0)",
                "dwconv 3x3 s0 same"],
    "kernel_too_big": ["conv 999x999 8", "maxpool 4096x4096", "conv 3x3 8 d1000",
                       "avgpool 1x9999", "conv 5x5 8 p-3"],
    "zero_channels": ["conv 3x3 0", "fc 0", "sepconv 3x3 0", "dwconv 3x3 m0", "se squeeze=0",
                      "slice 0:0", "input 0x0x3"],
    "groups": ["conv 3x3 7 g5", "conv 1x1 8 g0", "conv 1x1 9 groups=2", "conv 1x1 8 g99999"],
    "concat_mismatch": ["concat:\n    branch:\n        conv 3x3 4\n    branch:\n        conv 1x1 4",
                        "p = maxpool 2x2\nq = identity from=p\nr = conv 3x3 4\nconcat p r",
                        "u = flatten\nv = identity from=x\nconcat u v"],
    "add_mismatch": ["residual:\n    conv 3x3 5 same\n    conv 3x3 7 same",
                     "a = conv 1x1 3\nb = conv 1x1 5 from=a\nadd a b",
                     "add:\n    branch:\n        gap\n    branch:\n        identity",
                     "m = gap\nmul m m m", "mul:\n    branch:\n        flatten\n    branch:\n        identity"],
    "undefined": ["conv 3x3 nope", "stage(64, 2)", "x = add nothere", "output ghost",
                  "conv 3x3 8 from=ghost", "let a = b + 1", "repeat nope:\n    relu",
                  "if nope:\n    relu", "shortcut if nope:\n    relu", "conv 3x3 in.q"],
    "recursion": ["def r(c):\n    r(c)\nr(8)", "def r(c):\n    conv 1x1 c\n    r(c + 1)\nr(1)",
                  "def r(n):\n    if n > 0:\n        relu\n        r(n - 1)\nr(10**6)",
                  "def r(c=r):\n    relu\nr()"],
    "mutual_recursion": ["def f(c):\n    g(c)\ndef g(c):\n    f(c)\nf(1)",
                         "def f(c):\n    relu\n    g(c)\ndef g(c):\n    f(c)\nf(1)"],
    "duplicate_names": ["x = relu\nx = relu\nadd x x", "def f(c):\n    relu\ndef f(c):\n    relu\nf(1)",
                        "param q = 1\nparam q = 2", "let z = 1\nlet z = z + 1", "def f(c, c):\n    relu\nf(1, 2)",
                        "input 8x8x3", "network a\nnetwork b", "f(c=1, c=2)"],
    "name_cycles": ["let a = b\nlet b = a", "param a = a", "x = add x x", "let in = 3",
                    "def f(c=c):\n    relu\nf()", "x = concat x", "let relu = 3\nconv 3x3 relu",
                    "conv = conv 3x3 8", "let conv = 4\nconv 3x3 conv"],
    "huge_values": ["repeat 300:\n    maxpool 1x1 stride=2**62", "conv (2**62, 1) 4 pad=(2**61, 0)",
                    "let big = 2**4000 / 3\nconv 1x1 big", "param p = 2**4000 / 3",
                    "dropout 2**4000 + 0.5", "upsample 2**31", "input 3037000500x3037000500x1",
                    "fc 2**62", "let t = (2**4000 + 0.5) < 3x3"],
    "huge_repeat": ["repeat 10**12:\n    relu", "repeat 2**4000:\n    relu",
                    "repeat 1000:\n    repeat 1000:\n        repeat 1000:\n            relu",
                    "repeat 10**6:\n    identity"],
    "deep": ["let a = " + "(1 + " * 300 + "1" + ")" * 300, "let a = " + "-" * 3000 + "1",
             "let a = " + "+".join(["1"] * 5000), "let a = " + "2**" * 60 + "2",
             "let a = " + "not " * 2000 + "1",
             "".join(" " * (4 * i) + "repeat 1:\n" for i in range(120)) + " " * 480 + "relu",
             "let a = " + "f(" * 200 + "1" + ")" * 200],
    "long_line": ["conv 3x3 8 " + "same " * 20000, "# " + "x" * 200000,
                  "let a = " + "9" * 5000, "let " + "a" * 100000 + " = 1"],
    "escape": ["let a = __import__(os)", "let a = ().__class__", "let a = x.__dict__",
               "let a = open(etc)", "conv 3x3 eval(1)", "let a = lambda: 1",
               "let a = f\"{1}\"", "let a = getattr(in, c)", "conv 3x3 in.__class__"],
}

# Lines that deliberately follow a statement so `expect` and post-ops get exercised.
EXPECTS = ["expect shape 1x1x1", "expect params -1", "expect total macs ~1T",
           "expect rf 3", "expect shape (1, 2)", "expect flops 1/3", "expect total params 1.5G"]


def _tokens(text: str) -> list[re.Match]:
    return list(TOKEN.finditer(text))


def _replace_span(text: str, m: re.Match, new: str) -> str:
    return text[:m.start()] + new + text[m.end():]


def _lines(text: str) -> list[str]:
    return text.split("\n")


# --------------------------------------------------------------------------- mutations

def delete_token(text, rng):
    toks = _tokens(text)
    return _replace_span(text, rng.choice(toks), "") if toks else text


def duplicate_token(text, rng):
    toks = _tokens(text)
    if not toks:
        return text
    m = rng.choice(toks)
    return text[:m.end()] + " " + m.group() + text[m.end():]


def swap_tokens(text, rng):
    toks = _tokens(text)
    if len(toks) < 2:
        return text
    i = rng.randrange(len(toks) - 1)
    j = i + 1 if rng.random() < 0.6 else rng.randrange(len(toks))
    a, b = sorted((toks[i], toks[j]), key=lambda m: m.start())
    if a.start() == b.start():
        return text
    return text[:a.start()] + b.group() + text[a.end():b.start()] + a.group() + text[b.end():]


def delete_line(text, rng):
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_line(text, rng):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines)


def swap_lines(text, rng):
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def indentation(text, rng):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    line = lines[i]
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    lines[i] = " " * max(0, indent + rng.choice([-4, -2, -1, 1, 2, 4, 8])) + stripped
    return "\n".join(lines)


def tabs(text, rng):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    line = lines[i]
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    lines[i] = rng.choice(["\t" * max(1, indent // 4), " " * indent + "\t", "\t" + " " * indent]) + stripped
    if rng.random() < 0.5:  # a tab between tokens too
        lines[i] = lines[i].replace(" ", "\t", 1)
    return "\n".join(lines)


def crlf(text, rng):
    return rng.choice([text.replace("\n", "\r\n"), text.replace("\n", "\r"),
                       text.replace("\n", "\r\n", rng.randrange(1, 5)), text + "\r"])


def bom(text, rng):
    return rng.choice(["\ufeff" + text, "\ufeff\ufeff" + text, text.replace("\n", "\n\ufeff", 1)])


def lookalikes(text, rng):
    spots = [i for i, ch in enumerate(text) if ch in LOOKALIKES]
    if not spots:
        return text
    for _ in range(rng.randint(1, 3)):
        i = rng.choice(spots)
        text = text[:i] + rng.choice(LOOKALIKES.get(text[i], [text[i]])) + text[i + 1:]
    return text


def _number_swap(choices):
    def mutate(text, rng):
        numbers = list(NUMBER.finditer(text))
        if not numbers:
            return text
        return _replace_span(text, rng.choice(numbers), rng.choice(choices))
    return mutate


huge_numbers = _number_swap(HUGE)
negative_numbers = _number_swap(NEGATIVE)
odd_values = _number_swap(ODD)


def _inject(choices):
    """Insert one of the lines at a random line, with that line's indentation."""
    def mutate(text, rng):
        lines = _lines(text)
        i = rng.randrange(len(lines) + 1)
        ref = lines[i - 1] if i else ""
        indent = " " * (len(ref) - len(ref.lstrip(" "))) if ref.strip() and not ref.rstrip().endswith(":") \
            else ""
        snippet = rng.choice(choices)
        lines[i:i] = [indent + part for part in snippet.split("\n")]
        return "\n".join(lines)
    return mutate


def non_utf8(text, rng):
    data = text.encode("utf-8")
    i = rng.randrange(len(data) + 1)
    bad = rng.choice([b"\xff", b"\xc3", b"\xe9", b"\x80\x80", b"\xed\xa0\x80"])
    return data[:i] + bad + data[i:]


def binary(text, rng):
    data = text.encode("utf-8")
    i = rng.randrange(len(data) + 1)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + b"\0" + data[i:]


def truncate(text, rng):
    return text[:rng.randrange(len(text) + 1)]


MUTATIONS: dict[str, Callable] = {
    "delete token": delete_token,
    "duplicate token": duplicate_token,
    "swap tokens": swap_tokens,
    "delete line": delete_line,
    "duplicate line": duplicate_line,
    "swap lines": swap_lines,
    "truncate": truncate,
    "wrong indentation": indentation,
    "tabs": tabs,
    "CR / CRLF": crlf,
    "BOM": bom,
    "unicode look-alikes": lookalikes,
    "huge numbers": huge_numbers,
    "negative numbers": negative_numbers,
    "zero, fractions, odd values": odd_values,
    "non-UTF-8 bytes": non_utf8,
    "binary bytes": binary,
    "expect lines": _inject(EXPECTS),
    **{name.replace("_", " "): _inject(lines) for name, lines in INJECTIONS.items()},
}


def mutate(text: str, names: list[str], seed: int) -> str | bytes:
    """Apply the named mutations in order with one seeded random source. Byte-level
    mutations end the chain (their result is no longer text)."""
    rng = random.Random(seed)
    out: str | bytes = text
    for name in names:
        if isinstance(out, bytes):
            break
        out = MUTATIONS[name](out, rng)
    return out


# Tokens for random text built from the language's own words, so the parser gets past
# its first line more often than with arbitrary characters.
VOCABULARY = ("input network param let symbol def repeat as if elif else default output expect "
              "total residual: shortcut: concat: add: mul: branch: freeze: conv dwconv sepconv "
              "deconv maxpool avgpool gap flatten fc bn relu softmax dropout se slice pad upsample "
              "identity same valid nobias ceil s2 p1 g2 d2 m2 from= stride= pad= groups= 3x3 1x1 "
              "224x224x3 8x8x3 64 0 -1 0.5 ( ) , : = + - * / // % ** ~ in.c in.h x a b c "
              "int( round( max( make_divisible( < > == and or not # \n \n \n    \t").split(" ")


# --------------------------------------------------------------------------- commands and options
# Hostile command lines for every command (issue 15's fuzz of `check`, `explain`, `graph`,
# `verify`, `layer`, `compare`, `sweep` and of option values): each case is a category and
# an argv. Specs are small so that every valid case ends in well under a second.

NUMBER_VALUES = ["1", "0", "-1", "0.5", "2", "3/4", "1e999999999", "1e-999999999", "1e400",
                 "1e-400", "1e30", "1e-30", "nan", "inf", "-inf", "\u0661\u0666\u0660",
                 "\uff16\uff14", "9" * 50, "9" * 5000, "", " ", "abc", "1/0", "2**70", "0x10",
                 "1_000", "160", "0.25", "1,2", "-0", "1e", ".5", "5.", "+3", "\u00bd", "1\u00a0000"]
TEXT_VALUES = ["", " ", "a", "H,W", "a b", "s2", "E,N,S,I,pi", "\u00e9", "x" * 3000, "(", ")",
               "1", "-", "--", "=", "a=", "=1", "alpha=0.5", "alpha=1e999999999", "width=2",
               "nope=1", "\x00", "\u202e", "layer1", "conv1", "stage1.0", "a,b,c,d,e,f,g,h,i"]
LAYER_TEXTS = ["conv 3x3 64", "conv 3x3 64 p1", "conv 5x5 16 s2 same bn relu", "maxpool 2x2 s2",
               "sepconv 3x3 32", "dwconv 3x3", "fc 10", "conv (f, f) nc2", "conv 1x1 (n+1)**2",
               "conv 1x1 (n+1)**1000", "conv 3x3 make_divisible(64*a)", "conv 3x3 -4",
               "conv 3x3 4 stride=1 stride=2", "conv 3x3 \uff16\uff14", "conv 9x9 4", "relu",
               "conv 3x3 64; conv 1x1 16", "avgpool 3x3 s1 same", "conv 3x3 0", "conv 0x0 4"]
SHAPES = ["28x28x1", "8x8x3", "(n, n, nc)", "(n, n, 3)", "28,28,192", "3x224x224", "1x1x1",
          "0x0x0", "(E, E, S)", "224x224x3", "\u0668x8x3", "(2**70, 2, 3)", "(", "x"]
SYMBOLIC_EXPRS = ["n", "n + 1", "(n + 1)**2", "(n + 1)**3", "(n + 1)**40", "(n + 1)**1000",
                  "n**(10**7)", "(n+1)**(10**30)", "make_divisible(64*a)", "int(32*a)",
                  "max(n, 3)", "n // 2 + 1", "2**n", "round(n * 0.5)", "(a + b + c + d)**8",
                  "(a + n)**16", "n * n * n * n * n * n * n * n * n", "ceil(n / 3)"]


def symbolic_spec(rng: random.Random) -> str:
    """A small spec whose channel counts are random symbolic expressions."""
    exprs = [rng.choice(SYMBOLIC_EXPRS) for _ in range(rng.randint(1, 3))]
    names = sorted({n for e in exprs for n in re.findall(r"\b[a-n]\b", e)} | {"n"})
    body = "".join(f"conv 1x1 {e}\n" for e in exprs)
    return "".join(f"symbol {n}\n" for n in names) + "input (n, n, 3)\n" + body


def _number(rng):
    return rng.choice(NUMBER_VALUES)


def command_case(rng: random.Random, files: dict[str, str]) -> tuple[str, list[str]]:
    """(category, argv) of one hostile command line. `files` maps 'homework', 'corners',
    'symbolic' to paths of spec files written by the caller."""
    small = rng.choice(["lenet5", files["corners"], "mobilenet_v1", files["homework"]])
    command = rng.choice(["summarize", "check", "explain", "graph", "layer", "compare", "sweep",
                          "verify", "summarize-symbolic", "options-text"])
    options = {"--width": _number, "--depth-mult": _number, "--resolution": _number,
               "--max-nodes": _number}
    argv: list[str]
    if command == "summarize":
        argv = ["summarize", small]
        options.update({"--batch": _number, "--depth": _number, "--dtype": lambda r: r.choice(
            ["fp32", "fp16", "int8", "bf16", "fp64", ""])})
        if rng.random() < 0.4:
            argv += ["--peak-tflops", _number(rng), "--bandwidth-gbs", _number(rng)]
        elif rng.random() < 0.3:
            argv += ["--device", rng.choice(["a100", "m1", "t4", "h100", "xeon-8380", "nope"])]
    elif command == "check":
        argv = ["check", rng.choice([files["homework"], "lenet5", files["corners"]])]
        if rng.random() < 0.3:
            argv += ["--format", "json"]
    elif command == "explain":
        argv = ["explain", small]
        if rng.random() < 0.5:
            argv += ["--layer", rng.choice(TEXT_VALUES)]
    elif command == "graph":
        argv = ["graph", small]
    elif command == "layer":
        argv = ["layer", rng.choice(LAYER_TEXTS), "--in", rng.choice(SHAPES)]
        if rng.random() < 0.5:
            argv += ["--vs", rng.choice(LAYER_TEXTS)]
        if rng.random() < 0.3:
            argv += ["--symbolic"]
        if rng.random() < 0.3:
            argv += ["--format", "json"]
        options = {}
    elif command == "compare":
        argv = ["compare", small, rng.choice(["lenet5", "mobilenet_v1:alpha=0.5",
                                              f"mobilenet_v1:alpha={_number(rng)}", files["symbolic"],
                                              f"lenet5:resolution={_number(rng)}"])]
        options = {}
    elif command == "sweep":
        alpha = [rng.choice(["0.25", "0.5", "1.0"]) if rng.random() < 0.6 else _number(rng) for _ in "ab"]
        argv = ["sweep", "mobilenet_v1", "-p", f"alpha={alpha[0]},{alpha[1]}"]
        options = {"--resolution": lambda r: f"{_number(r)},{_number(r)}",
                   "--max-points": _number, "--batch": _number}
    elif command == "verify":
        argv = ["verify", "lenet5"]
        options = {"--seed": _number, "--batch": lambda r: r.choice(["1", "2", "0", "-1", "1e999",
                                                                     "\u0662", "abc", "2**70"]),
                   "--max-memory": lambda r: r.choice(["1G", "512M", "1", "0", "-1", "1e999G",
                                                       "\uff11G", "9" * 5000, "abc", "2GB", ""])}
    elif command == "summarize-symbolic":
        argv = ["summarize", files["symbolic"]]
        options = {"--symbolic": lambda r: r.choice(TEXT_VALUES)}
        argv[1] = files["symbolic"]
    else:  # text options: -p, --symbolic, spec names
        argv = [rng.choice(["summarize", "explain", "graph"]),
                rng.choice(["lenet5", "mobilenet_v1", rng.choice(TEXT_VALUES) or "x"])]
        options = {"-p": lambda r: r.choice(TEXT_VALUES)}
        if argv[0] == "summarize":
            options["--symbolic"] = lambda r: r.choice(TEXT_VALUES)
    for name, value in options.items():
        if rng.random() < 0.35:
            argv += [name, value(rng)]
    return ("symbolic" if command == "summarize-symbolic" else command), argv
