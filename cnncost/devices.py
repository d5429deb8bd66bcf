"""Device presets for the roofline: peak dense FP32 arithmetic and memory bandwidth.

Figures are the vendors' published peaks (no tensor cores, no sparsity, boost clocks);
docs/roofline.md gives each one's source. A real network reaches a fraction of them,
so the roofline latency is a lower bound, never a prediction.
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from . import dims


class Device(NamedTuple):
    name: str
    title: str
    peak_flops: object  # FLOP/s (int or Fraction)
    bandwidth: object  # bytes/s
    source: str = ""

    @property
    def ridge(self):
        """FLOP per byte where compute and memory take equally long."""
        return Fraction(self.peak_flops) / Fraction(self.bandwidth)


def _device(name, title, tflops, gbs, source):
    return Device(name, title, dims.exact(Fraction(tflops) * 10**12),
                  dims.exact(Fraction(gbs) * 10**9), source)


DEVICES: dict[str, Device] = {d.name: d for d in (
    _device("h100", "NVIDIA H100 SXM5", "67", "3350",
            "NVIDIA H100 Tensor Core GPU datasheet: FP32 67 TFLOPS, 3.35 TB/s HBM3"),
    _device("a100", "NVIDIA A100 SXM4 80GB", "19.5", "2039",
            "NVIDIA A100 Tensor Core GPU datasheet: FP32 19.5 TFLOPS, 2,039 GB/s HBM2e"),
    _device("v100", "NVIDIA V100 SXM2", "15.7", "900",
            "NVIDIA Tesla V100 datasheet: FP32 15.7 TFLOPS, 900 GB/s HBM2"),
    _device("t4", "NVIDIA T4", "8.1", "320",
            "NVIDIA T4 datasheet: FP32 8.1 TFLOPS, 320 GB/s GDDR6"),
    _device("rtx4090", "NVIDIA GeForce RTX 4090", "82.6", "1008",
            "NVIDIA Ada Lovelace architecture whitepaper: 82.6 TFLOPS FP32, 1,008 GB/s GDDR6X"),
    _device("m1", "Apple M1 (8-core GPU)", "2.6", "68.25",
            "Apple M1 announcement (Nov 2020): 2.6 TFLOPS; LPDDR4X-4266 on a 128-bit bus = "
            "68.25 GB/s"),
    _device("xeon-8380", "Intel Xeon Platinum 8380 (one socket)", "2.9440", "204.8",
            "Intel ARK: 40 cores, 2.30 GHz base, two AVX-512 FMA units (32 FP32 FLOP/cycle): "
            "40 x 2.3 GHz x 32 = 2.944 TFLOP/s; 8 channels of DDR4-3200 = 204.8 GB/s"),
)}


def custom(peak_tflops, bandwidth_gbs) -> Device:
    """A device given by its peak TFLOP/s and bandwidth in GB/s (decimal units)."""
    return _device("custom", "a device given by its peaks", peak_tflops, bandwidth_gbs,
                   "given on the command line")


# Memory on the device, for `cnncost train --device`: the largest batch whose training
# step fits. Binary sizes (the memories are built of power-of-two chips: a "16 GB" T4
# has 16 GiB); the datasheets name the size of the model each preset describes.
MEMORY: dict[str, tuple[int, str]] = {
    "h100": (80 * 2**30, "NVIDIA H100 Tensor Core GPU datasheet: H100 SXM 80 GB HBM3"),
    "a100": (80 * 2**30, "NVIDIA A100 Tensor Core GPU datasheet: A100 80GB SXM, 80 GB HBM2e"),
    "v100": (16 * 2**30, "NVIDIA Tesla V100 datasheet: V100 SXM2 16 GB HBM2 (a 32 GB model exists)"),
    "t4": (16 * 2**30, "NVIDIA T4 datasheet: 16 GB GDDR6"),
    "rtx4090": (24 * 2**30, "NVIDIA GeForce RTX 4090 specifications: 24 GB GDDR6X"),
    "m1": (8 * 2**30, "Apple M1 (Nov 2020): 8 GB unified memory in the base model, shared with the CPU"),
}


def memory_of(name: str) -> tuple[int, str]:
    """(bytes, source) of a preset's memory; a ValueError for one without a fixed size."""
    if name not in MEMORY:
        raise ValueError(f"the device {name!r} has no fixed memory size in cnncost; give --budget instead")
    return MEMORY[name]
