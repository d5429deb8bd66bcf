"""`expect` lines checked against the truth, each with its working (homework marking).

An expectation is about the statement before it (a layer with its post-ops, a block
call, a repeat, a residual or concat block: all the nodes it made) or, with `total`,
about the whole network:

- shape: the statement's output shape (`expect shape 1000` for a vector)
- params, buffers, macs: summed over the statement's layers; flops = 2 × MACs
- activations: elements of the statement's output (total: of every layer's output)
- rf: receptive-field size of the statement's output (`6` when square, `6x7` per axis)
- training_memory: bytes the statement's layers save for backward; with `total`, the
  peak of one training step (batch 1, fp32, SGD: docs/how-to/training-cost.md)
- values (in a `values:` section, report/values_check.py): a layer's output on given numbers

`~` compares after rounding the true value to the digits the expected value shows:
`~15.5G` accepts 15.45e9 up to but excluding 15.55e9. An approximate value that is not a
plain number (`~2*313600`) is compared to three significant digits.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import dims
from ..build import Expectation, Graph, inference_graph
from ..passes.explain import Step, explain_node
from ..passes.receptive import receptive_fields
from ..working import Term, text_of
from .analyze import analyze
from .values_check import check_values

_LITERAL = re.compile(r"^\s*\d[\d_]*(?:\.(\d[\d_]*))?(?:[eE]([+-]?\d+))?\s*$")


@dataclass(frozen=True)
class CheckResult:
    line: int
    quantity: str
    total: bool
    expected: str  # as written, with ~ and suffix: "~60k", "28x28x16"
    expected_value: Any
    actual: Any  # int, Fraction or shape tuple
    ok: bool
    working: tuple[Step, ...]  # what, working, value: render/working.py writes them out
    rounded: str | None = None  # for `~`: the true value rounded as the expected one is written, "417k"


@dataclass(frozen=True)
class CheckReport:
    network: str
    file: str
    results: tuple[CheckResult, ...]

    @property
    def correct(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)


def check(graph: Graph) -> CheckReport:
    """Every `expect` of the graph, marked."""
    report = analyze(graph, training=True)  # every layer, indexed as the graph's nodes
    fields = receptive_fields(graph)
    working_of = _workings(graph, fields)
    results = tuple(_check_one(graph, report, exp, working_of) for exp in graph.expectations)
    results = tuple(sorted(results + check_values(graph, CheckResult), key=lambda r: r.line))
    return CheckReport(graph.name, graph.file, results)


def _workings(graph, fields):
    """explain_node of a node, computed once."""
    workings: dict[int, Any] = {}

    def working_of(i):
        if i not in workings:
            workings[i] = explain_node(graph, i, fields)
        return workings[i]
    return working_of


def _check_one(graph, report, exp: Expectation, working_of) -> CheckResult:
    if exp.quantity == "training_memory":  # batch 1, fp32, SGD (report/training.py)
        from .training import training_memory

        actual, steps = training_memory(graph, None if exp.total else exp.nodes)
    elif exp.total:
        actual, steps = _total(graph, report, exp.quantity, working_of)
    else:
        actual, steps = _statement(graph, report, exp, working_of)
    expected = exp.expected
    if exp.quantity in ("shape", "rf"):
        ok = _same_shape(exp.quantity, actual, expected)
    elif exp.approx:
        ok = _close(actual, expected, exp.source, exp.suffix)
    else:
        ok = actual == expected
    written = ("~" if exp.approx else "") + exp.source
    rounded = None
    if exp.approx and exp.quantity not in ("shape", "rf") and isinstance(actual, (int, Fraction)):
        rounded = _rounded(actual, exp.source, exp.suffix, expected)
    return CheckResult(exp.line, exp.quantity, exp.total, written, expected, actual, bool(ok),
                       tuple(steps), rounded)


# ---------------------------------------------------------------- statements and totals
def _statement(graph, report, exp, working_of):
    q = exp.quantity
    out = exp.output
    if q in ("shape", "rf"):
        return _shape_or_rf(graph, report, q, out, working_of)
    if q == "activations":
        shape = graph.nodes[out].shape
        term = dims.product([Term.leaf(d) for d in shape])
        return dims.product(shape), [Step("activations", term.text if len(shape) > 1 else "", term.value)]
    if q in ("connections", "weight_tensors"):
        return _counted(report, q, exp.nodes)
    field = "macs" if q in ("flops", "cost") else q
    terms = []
    for i in exp.nodes:
        w = working_of(i)
        s = getattr(w, field)
        if s.value != 0:
            terms.append(_as_term(s, grouped=len(exp.nodes) > 1))
    total = _sum_terms(terms)
    what = {"params": "params", "buffers": "buffers", "macs": "MACs", "flops": "MACs",
            "cost": "cost (output positions·filters × filter params)"}[q]
    steps = [Step(what, "" if _plain(total) else total.text, total.value)]
    if q == "flops":
        flops = 2 * Term.leaf(total.value)
        steps.append(Step("FLOPs", flops.text, flops.value))
        return flops.value, steps
    return total.value, steps


def _shape_or_rf(graph, report, q, out, working_of):
    """The output's shape or field, with the working of the layer that made it: a layer
    that passes it through unchanged (an activation, dropout, the add of a residual) shows
    the working of the input it came from, named."""
    def value(i):
        return graph.nodes[i].shape if q == "shape" else tuple(report.layers[i].rf_size)

    i = out
    while graph.nodes[i].inputs:
        steps = [s for s in getattr(working_of(i), q) if s.text]
        if steps:
            if i != out:
                steps = [Step(f"{graph.nodes[i].name}: {s.what}", s.text, s.value) for s in steps]
            return value(out), steps
        same = [j for j in graph.nodes[i].inputs if value(j) == value(i)]
        if not same:
            break
        i = same[0]
    return value(out), []


def _total(graph, report, q, working_of):
    if graph.train:  # totals are inference's: without the layers only training heads need
        graph = inference_graph(graph)
        report = analyze(graph)
        working_of = _workings(graph, receptive_fields(graph))
    t = report.totals
    if q in ("shape", "rf"):
        return _shape_or_rf(graph, report, q, graph.output, working_of)
    field = {"flops": "macs", "cost": "macs"}.get(q, q)
    values = [getattr(r, field) for r in report.layers if getattr(r, field) != 0]
    total = _sum_terms([Term.leaf(v) for v in values])
    what = {"macs": "MACs", "flops": "MACs", "weight_tensors": "weight tensors"}.get(q, q)
    steps = [Step(f"total {what}", "" if _plain(total) else total.text, total.value)]
    if q == "flops":
        flops = 2 * Term.leaf(total.value)
        steps.append(Step("total FLOPs", flops.text, flops.value))
    return getattr(t, q), steps


def _counted(report, q: str, nodes) -> tuple:
    """connections (LeCun: MACs + bias adds of each weight layer) or weight tensors of a
    statement's layers, with the sum shown."""
    rows = [report.layers[i] for i in nodes]
    if q == "weight_tensors":
        values = [r.weight_tensors for r in rows if r.weight_tensors]
        total = _sum_terms([Term.leaf(v) for v in values])
        return total.value, [Step("weight tensors", "" if _plain(total) else total.text, total.value)]
    terms = [Term.leaf(r.macs) + Term.leaf(r.connections - r.macs) if r.connections != r.macs
             else Term.leaf(r.macs) for r in rows if r.connections]
    total = _sum_terms(terms)
    return total.value, [Step("connections", "" if _plain(total) else total.text,
                              total.value)]


def _as_term(s: Step, grouped: bool) -> Term:
    """A layer's working as one summand; in parentheses when it is a sum of its own
    and other layers' terms follow."""
    if not s.text:
        return Term.leaf(s.value)
    return Term(s.value, f"({s.text})" if grouped and " + " in s.text else s.text)


def _sum_terms(terms: list[Term]) -> Term:
    total = Term.lift(0)
    for t in terms:
        total = total + t
    return total


def _plain(t: Term) -> bool:
    return t.text == text_of(t.value)


# ---------------------------------------------------------------- comparing
def _same_shape(quantity: str, actual: tuple, expected) -> bool:
    if not isinstance(expected, tuple):
        expected = (expected,) * (2 if quantity == "rf" else 1)
    return tuple(actual) == tuple(expected)


def _close(actual, expected, source: str, suffix: str | None) -> bool:
    """actual rounds to expected at the digits the expected value shows."""
    unit = _unit(source, suffix, expected)
    half = Fraction(unit) / 2
    return expected - half <= actual < expected + half


def _rounded(actual, source: str, suffix: str | None, expected) -> str | None:
    """The true value rounded to the digits the expected value shows, written the same
    way: 416,520 against `~416k` is `417k` (half up, as _close compares)."""
    unit = _unit(source, suffix, expected)
    value = math.floor(Fraction(actual) / unit + Fraction(1, 2)) * unit / _scale(suffix)
    text = source[:-1] if suffix and source.endswith(suffix) else source
    match = _LITERAL.match(text)
    decimals = max(0, -math.floor(math.log10(unit / _scale(suffix)))) if match else 0
    if value == 0:
        return None  # 156 against ~416k: "rounds to 0k" says nothing the true value does not
    whole = math.floor(abs(value))
    shown = f"{whole:,}"
    if decimals:
        part = abs(value) - whole
        shown += "." + str(math.floor(part * 10**decimals + Fraction(1, 2))).rjust(decimals, "0")
    return ("-" if value < 0 else "") + shown + (suffix or "")


def _scale(suffix: str | None) -> int:
    return dims.METRIC_SUFFIXES[suffix] if suffix else 1


def _unit(source: str, suffix: str | None, expected) -> Fraction:
    text = source[:-1] if suffix and source.endswith(suffix) else source
    match = _LITERAL.match(text)
    if match:
        decimals = len((match.group(1) or "").replace("_", ""))
        exponent = int(match.group(2) or 0)
        return Fraction(10) ** (exponent - decimals) * _scale(suffix)
    digits = len(str(abs(int(expected)))) if expected else 1
    return Fraction(10) ** max(digits - 3, 0)
