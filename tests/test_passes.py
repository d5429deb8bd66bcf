"""Receptive field and peak activation memory against values worked out by hand."""
from __future__ import annotations

import pytest

from conftest import analyze_text


def last_rf(text):
    row = analyze_text(text).layers[-1]
    return row.rf_size, row.rf_jump, row.rf_start


@pytest.mark.parametrize("lines,size,jump,start", [
    ("conv 3x3 1", 3, 1, 0),
    ("conv 3x3 1 p1\nconv 3x3 1 p1", 5, 1, -2),  # two 3x3 see what one 5x5 sees
    ("conv 5x5 1 p2", 5, 1, -2),
    ("conv 3x3 1 s2\nconv 3x3 1", 3 + 2 * 2, 2, 0),
    ("maxpool 2x2\nconv 3x3 1", 2 + 2 * 2, 2, 0),
    ("conv 3x3 1 d2", 5, 1, 0),
    ("conv 7x7 1 s2 p3\nmaxpool 3x3 s2 p1", 7 + 2 * 2, 4, -3 - 2),  # ResNet stem: 11, jump 4
])
def test_receptive_field_chain(lines, size, jump, start):
    assert last_rf(f"input 32x32x1\n{lines}\n") == ((size, size), (jump, jump), (start, start))


def test_same_padding_puts_the_extra_row_at_the_bottom():
    # 8 rows, 3x3 stride 2 'same': total padding 1, all of it at the bottom -> start 0
    assert last_rf("input 8x8x1\nconv 3x3 1 s2 same\n")[2] == (0, 0)
    # 7 rows: padding 2, one on each side -> start -1
    assert last_rf("input 7x7x1\nconv 3x3 1 s2 same\n")[2] == (-1, -1)


def test_asymmetric_kernel_per_axis():
    assert last_rf("input 9x9x1\nconv 1x7 1\n")[0] == (1, 7)


def test_vgg16_receptive_field_is_212_at_pool5():
    from conftest import cnncost

    report = cnncost.analyze(cnncost.load("vgg16"))
    pools = [r.rf_size for r in report.layers if r.op == "maxpool"]
    assert pools[-1] == (212, 212)
    assert [r.rf_jump for r in report.layers if r.op == "maxpool"][-1] == (32, 32)


def test_merge_takes_the_union_of_fields():
    text = "input 8x8x1\nconcat:\n    branch:\n        conv 1x1 1 same\n    branch:\n        conv 3x3 1 same\n"
    assert last_rf(text) == ((3, 3), (1, 1), (-1, -1))


def test_global_layers_see_the_whole_input():
    size, jump, start = last_rf("input 8x8x1\nconv 3x3 1 p1\nflatten\nfc 2\n")
    assert size == (3 + 7, 3 + 7) and start == (-1, -1)


def test_peak_memory_of_a_chain():
    # input 16 elements (alive throughout), conv -> 32, conv -> 16:
    # while the second conv runs: 16 + 32 + 16 = 64 elements = 256 bytes at fp32
    report = analyze_text("input 4x4x1\nconv 1x1 2\nconv 1x1 1\n")
    assert report.totals.peak_activation_bytes == 64 * 4


def test_peak_memory_keeps_a_residual_input_alive():
    # x (16) stays alive through the body: while conv2 runs, input 16 + a 32 + b 16 = 64,
    # while add runs: input 16 + b 16 + add 16 = 48
    report = analyze_text("input 4x4x1\nresidual:\n    conv 1x1 2\n    conv 1x1 1\n")
    assert report.totals.peak_activation_bytes == 64 * 4


@pytest.mark.parametrize("dtype,width", [("fp32", 4), ("fp16", 2), ("bf16", 2), ("int8", 1)])
def test_dtype_sets_bytes(dtype, width):
    from conftest import cnncost

    report = cnncost.analyze(cnncost.load("<t>", text="input 4x4x1\nconv 1x1 2\n"), dtype=dtype)
    assert report.totals.weight_bytes == 4 * width
    assert report.totals.peak_activation_bytes == (16 + 32) * width
