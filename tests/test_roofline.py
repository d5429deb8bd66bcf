"""The roofline columns, against numbers worked out by hand on a tiny network.

Device: 1 GFLOP/s and 1 GB/s (--peak-tflops 0.001 --bandwidth-gbs 1), ridge 1 FLOP/B.
fp32, batch 1:
  layer    in el  out el  params  bytes (in + w + out)      FLOPs (2 MACs + other)
  conv      192    256     112    768 + 448 + 1024 = 2240   2*6912 + 256 = 14080
  relu      256    256       0    1024 + 0 + 1024 = 2048    256
  maxpool   256     64       0    1024 + 0 + 256  = 1280    64*4 = 256
  flatten    64     64       0    256 + 0 + 256   = 512     0
  fc         64     10     650    256 + 2600 + 40 = 2896    2*640 + 10 = 1290
Times in microseconds: compute = FLOPs / 1000, memory = bytes / 1000.
"""
from __future__ import annotations

import csv
import io
import json
from fractions import Fraction as F

import pytest

import cnncost
from cnncost.devices import DEVICES, custom

TINY = """network tiny
input 8x8x3
conv 3x3 4 p1
relu
maxpool 2x2
flatten
fc 10
"""
GIGA = custom(F(1, 1000), 1)  # 1 GFLOP/s, 1 GB/s
US = F(1, 10**6)

# name: (bytes_in, bytes_weights, bytes_out, flops, latency in us, bound)
EXPECTED = {
    "conv1": (768, 448, 1024, 14080, F(14080, 1000), "compute"),
    "relu1": (1024, 0, 1024, 256, F(2048, 1000), "memory"),
    "maxpool1": (1024, 0, 256, 256, F(1280, 1000), "memory"),
    "flatten1": (256, 0, 256, 0, F(512, 1000), "memory"),
    "fc1": (256, 2600, 40, 1290, F(2896, 1000), "memory"),
}


def tiny(**kwargs):
    return cnncost.analyze(cnncost.load("<tiny>", text=TINY), device=GIGA, **kwargs)


def test_per_layer_by_hand():
    report = tiny()
    rows = {r.name: r.roofline for r in report.layers}
    assert rows["input"] is None
    for name, (b_in, b_w, b_out, flops, latency_us, bound) in EXPECTED.items():
        r = rows[name]
        assert (r.bytes_in, r.bytes_weights, r.bytes_out, r.flops) == (b_in, b_w, b_out, flops)
        assert r.compute_s == F(flops, 10**9) and r.memory_s == F(b_in + b_w + b_out, 10**9)
        assert r.latency_s == latency_us * US and r.bound == bound
    assert rows["conv1"].intensity == F(14080, 2240) == F(44, 7)
    assert rows["relu1"].intensity == F(1, 8)


def test_totals_by_hand():
    t = tiny().roofline
    assert t.bytes == 2240 + 2048 + 1280 + 512 + 2896 == 8976
    assert t.flops == 14080 + 256 + 256 + 0 + 1290 == 15882
    assert t.compute_s == F(15882, 10**9) and t.memory_s == F(8976, 10**9)
    # the sum of per-layer max(compute, memory), not max of the sums
    assert t.latency_s == F(14080 + 2048 + 1280 + 512 + 2896, 10**9) == F(20816, 10**9)
    assert (t.layers, t.memory_bound) == (5, 4)
    assert GIGA.ridge == 1


def test_batch_and_dtype():
    """Batch 2 doubles inputs, outputs and FLOPs, not weights; fp16 halves every byte."""
    conv = {r.name: r.roofline for r in tiny(batch=2, dtype="fp16").layers}["conv1"]
    assert (conv.bytes_in, conv.bytes_weights, conv.bytes_out, conv.flops) == \
        (768, 224, 1024, 28160)


def test_collapsed_blocks_sum_their_layers():
    spec = TINY.replace("conv 3x3 4 p1\nrelu\n", "def block():\n    conv 3x3 4 p1\n    relu\nblock()\n")
    report = cnncost.collapse(
        cnncost.analyze(cnncost.load("<tiny>", text=spec), device=GIGA), 0)
    block = report.layers[1].roofline
    assert block.bytes == 2240 + 2048 and block.flops == 14080 + 256
    assert block.latency_s == F(14080 + 2048, 10**9) and block.bound == "compute"


def test_a_merge_reads_every_input():
    spec = "network m\ninput 4x4x2\nconcat:\n    branch:\n        identity\n    branch:\n        relu\n"
    rows = {r.op: r.roofline for r in cnncost.analyze(cnncost.load("<m>", text=spec),
                                                      device=GIGA).layers}
    assert rows["concat"].bytes_in == 2 * 32 * 4 and rows["concat"].bytes_out == 64 * 4


def test_cli_device_preset_equals_its_figures(run_cli):
    a = DEVICES["a100"]
    assert (a.peak_flops, a.bandwidth) == (19_500_000_000_000, 2_039_000_000_000)
    _, preset, _ = run_cli("summarize", "resnet18", "--device", "a100", "--format", "json")
    _, given, _ = run_cli("summarize", "resnet18", "--peak-tflops", "19.5",
                          "--bandwidth-gbs", "2039", "--format", "json")
    preset, given = json.loads(preset)["roofline"], json.loads(given)["roofline"]
    for key in ("bytes", "flops", "compute_s", "memory_s", "latency_s", "memory_bound_layers"):
        assert preset[key] == given[key]
    assert preset["device"]["title"] == "NVIDIA A100 SXM4 80GB"


def test_cli_columns_by_hand(run_cli, tmp_path):
    path = tmp_path / "tiny.spec"
    path.write_text(TINY)
    code, out, err = run_cli("summarize", str(path), "--peak-tflops", "0.001",
                             "--bandwidth-gbs", "1")
    assert code == 0, err
    conv = next(line for line in out.splitlines() if line.startswith("conv1"))
    assert conv.split() == ["conv1", "conv", "8x8x4", "112", "6,912", "3",
                            "2.2", "kB", "6.3", "14.1", "us", "compute"]
    assert "latency >= 20.8 us" in out and "4 of 5 layers memory-bound" in out
    _, out, _ = run_cli("summarize", str(path), "--peak-tflops", "0.001",
                        "--bandwidth-gbs", "1", "--format", "csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["fc1"]["bytes_weights"] == "2600" and rows["fc1"]["bound"] == "memory"
    assert float(rows["TOTAL"]["latency_s"]) == pytest.approx(20816e-9, rel=1e-12)


@pytest.mark.parametrize("args, message", [
    (("--peak-tflops", "1"), "go together"),
    (("--device", "a100", "--bandwidth-gbs", "1", "--peak-tflops", "1"), "not both"),
    (("--peak-tflops", "0", "--bandwidth-gbs", "1"), "greater than 0"),
    (("--peak-tflops", "fast", "--bandwidth-gbs", "1"), "not a number"),
])
def test_cli_bad_roofline_options(run_cli, args, message):
    code, _, err = run_cli("summarize", "lenet5", *args)
    assert code == 2 and message in err


def test_roofline_needs_numbers(run_cli, tmp_path):
    path = tmp_path / "sym.spec"
    path.write_text("network s\nsymbol n\ninput (n, n, 3)\nconv 3x3 8 same\n")
    code, _, err = run_cli("summarize", str(path), "--device", "t4")
    assert code == 2 and "numeric" in err


def test_library_takes_a_preset_name():
    graph = cnncost.load("<tiny>", text=TINY)
    by_name = cnncost.analyze(graph, device="t4").roofline
    assert by_name == cnncost.analyze(graph, device=DEVICES["t4"]).roofline
    with pytest.raises(ValueError, match="unknown device"):
        cnncost.analyze(graph, device="abacus")
    with pytest.raises(ValueError, match="unknown convention"):
        cnncost.analyze(graph, conventions=("flopcounter",))
