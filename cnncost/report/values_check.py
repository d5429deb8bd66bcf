"""Marking a spec's `values:` section: the network run on the section's numbers (exact
fractions, cnncost.grids) and each `expect LAYER MATRIX` compared with that layer's output."""
from __future__ import annotations

import re
from fractions import Fraction

from ..errors import SpecValueError

_DECIMALS = re.compile(r"\d\.(\d+)")


def check_values(graph, result_type) -> tuple:
    """A `result_type` (CheckResult) for each `expect` of the graph's `values:` section; its
    `actual` is the layer's output as nested tuples of Fractions (the renderer draws the grid)."""
    from ..grids import input_array, run_values, to_array

    section = graph.values
    if section is None or not section.expects:
        return ()
    values = input_array(section.input, f"{graph.file}:{section.input_line}: input")
    if tuple(values.shape) != tuple(graph.input.shape):
        raise SpecValueError(f"line {section.input_line}: the values: input is "
                             f"{'x'.join(map(str, values.shape))}, the network's input "
                             f"{'x'.join(map(str, graph.input.shape))}",
                             hint="give as many rows, columns and channels as `input` says")
    run = run_values(graph, values, named={e.target: e.value for e in section.weights},
                     named_bias={e.target: e.value for e in section.biases})
    outputs = {step.name: step.output for step in run.steps}
    outputs["output"] = outputs[graph.nodes[graph.output].name]
    results = []
    for entry in section.expects:
        actual = outputs[entry.target]
        expected = _as_output(to_array(entry.value, f"line {entry.line}"), actual)
        ok = expected is not None and _equal(actual, expected, entry)
        results.append(result_type(entry.line, "values", False, f"{entry.target} " + ("~" if entry.approx else "") + entry.source,
                                   entry.value, _rows(actual), ok, ()))
    return tuple(results)


def _as_output(expected, actual):
    """The expected matrix in the output's layout (H x W x C, or N), or None when its
    shape cannot be the output's."""
    if expected.ndim == actual.ndim == 1:
        return expected
    if actual.ndim == 3 and expected.ndim == 2:
        return expected[:, :, None]
    if actual.ndim == 3 and expected.ndim == 3:
        return expected.transpose(1, 2, 0)  # written as channels of rows
    if actual.ndim == 1 and expected.ndim == 2 and expected.shape[0] == 1:
        return expected[0]
    return None


def _equal(actual, expected, entry) -> bool:
    if actual.shape != expected.shape:
        return False
    if not entry.approx:
        return all(a == e for a, e in zip(actual.reshape(-1), expected.reshape(-1)))
    decimals = max((len(d) for d in _DECIMALS.findall(entry.source)), default=0)
    half = Fraction(1, 2 * 10 ** decimals)  # the rounding the written decimals show
    return all(e - half <= Fraction(a) < e + half for a, e in zip(actual.reshape(-1), expected.reshape(-1)))


def _rows(actual):
    """The output as nested tuples, channels first (as a matrix is written)."""
    array = actual.transpose(2, 0, 1) if actual.ndim == 3 else actual
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    return _nested(array)


def _nested(array):
    if getattr(array, "ndim", 0):
        return tuple(_nested(a) for a in array)
    return array
