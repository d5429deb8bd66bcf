"""Device presets for the roofline: peak dense arithmetic per precision and memory bandwidth.

Figures are the vendors' published peaks: FP32 on the vector units, FP16/BF16/INT8 on
the tensor cores where the datasheet gives them, dense (no sparsity), boost clocks;
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
    peak_flops: object  # FLOP/s (int or Fraction) at fp32, or at the dtype `at` chose
    bandwidth: object  # bytes/s
    source: str = ""
    peaks: tuple = ()  # (dtype, FLOP/s, source) for the precisions the vendor publishes
    dtype: str = "fp32"  # the precision peak_flops is for

    @property
    def ridge(self):
        """FLOP per byte where compute and memory take equally long."""
        return Fraction(self.peak_flops) / Fraction(self.bandwidth)

    def at(self, dtype: str) -> "Device":
        """This device's figures at `dtype` (fp16 on an A100 runs on its tensor cores at 312
        TFLOP/s, not at the 19.5 of fp32). A precision the vendor gives no figure for is an
        error naming it, never the fp32 peak in disguise."""
        if dtype == self.dtype or (self.name == "custom"):
            return self._replace(dtype=dtype)
        for name, flops, source in self.peaks:
            if name == dtype:
                return self._replace(peak_flops=flops, source=source, dtype=dtype)
        from .errors import CnnCostError

        known = ", ".join(["fp32"] + [name for name, _, _ in self.peaks])
        raise CnnCostError(f"no {dtype} peak for {self.name} ({self.title}): its datasheet gives {known}",
                           hint="choose one of those --dtype values, or give --peak-tflops and "
                                "--bandwidth-gbs for this precision")


def _device(name, title, tflops, gbs, source, **peaks):
    """A device from its fp32 TFLOP/s and GB/s; `peaks` gives other precisions as
    dtype=(TFLOP/s or TOPS, source), dense (no sparsity), as the vendor's datasheet says."""
    other = tuple((dtype, dims.exact(Fraction(t) * 10**12), src) for dtype, (t, src) in peaks.items())
    return Device(name, title, dims.exact(Fraction(tflops) * 10**12),
                  dims.exact(Fraction(gbs) * 10**9), source, other)


# Other precisions: the tensor-core (or dot-product) peaks from the same documents, dense
# figures (the datasheets' "with sparsity" figures are twice these).
DEVICES: dict[str, Device] = {d.name: d for d in (
    _device("h100", "NVIDIA H100 SXM5", "67", "3350",
            "NVIDIA H100 Tensor Core GPU datasheet: FP32 67 TFLOPS, 3.35 TB/s HBM3",
            fp16=("989.4", "NVIDIA H100 datasheet: FP16 Tensor Core 1,979 TFLOPS with sparsity, 989.4 dense"),
            bf16=("989.4", "NVIDIA H100 datasheet: BF16 Tensor Core 1,979 TFLOPS with sparsity, 989.4 dense"),
            int8=("1978.9", "NVIDIA H100 datasheet: INT8 Tensor Core 3,958 TOPS with sparsity, 1,978.9 dense")),
    _device("a100", "NVIDIA A100 SXM4 80GB", "19.5", "2039",
            "NVIDIA A100 Tensor Core GPU datasheet: FP32 19.5 TFLOPS, 2,039 GB/s HBM2e",
            fp16=("312", "NVIDIA A100 datasheet: FP16 Tensor Core 312 TFLOPS (624 with sparsity)"),
            bf16=("312", "NVIDIA A100 datasheet: BFLOAT16 Tensor Core 312 TFLOPS (624 with sparsity)"),
            int8=("624", "NVIDIA A100 datasheet: INT8 Tensor Core 624 TOPS (1,248 with sparsity)")),
    _device("v100", "NVIDIA V100 SXM2", "15.7", "900",
            "NVIDIA Tesla V100 datasheet: FP32 15.7 TFLOPS, 900 GB/s HBM2",
            fp16=("125", "NVIDIA Tesla V100 datasheet: Tensor Performance 125 TFLOPS (SXM2)")),
    _device("t4", "NVIDIA T4", "8.1", "320",
            "NVIDIA T4 datasheet: FP32 8.1 TFLOPS, 320 GB/s GDDR6",
            fp16=("65", "NVIDIA T4 datasheet: Mixed Precision (FP16/FP32) 65 TFLOPS"),
            int8=("130", "NVIDIA T4 datasheet: INT8 130 TOPS")),
    _device("rtx4090", "NVIDIA GeForce RTX 4090", "82.6", "1008",
            "NVIDIA Ada Lovelace architecture whitepaper: 82.6 TFLOPS FP32, 1,008 GB/s GDDR6X",
            fp16=("165.2", "NVIDIA Ada Lovelace whitepaper, RTX 4090: Peak FP16 Tensor TFLOPS with "
                           "FP32 Accumulate 165.2 (330.4 with sparsity), as frameworks accumulate"),
            bf16=("165.2", "NVIDIA Ada Lovelace whitepaper, RTX 4090: Peak BF16 Tensor TFLOPS with "
                           "FP32 Accumulate 165.2 (330.4 with sparsity)"),
            int8=("660.6", "NVIDIA Ada Lovelace whitepaper, RTX 4090: Peak INT8 Tensor TOPS 660.6 "
                           "(1,321.2 with sparsity)")),
    _device("m1", "Apple M1 (8-core GPU)", "2.6", "68.25",
            "Apple M1 announcement (Nov 2020): 2.6 TFLOPS; LPDDR4X-4266 on a 128-bit bus = "
            "68.25 GB/s"),
    _device("xeon-8380", "Intel Xeon Platinum 8380 (one socket)", "2.9440", "204.8",
            "Intel ARK: 40 cores, 2.30 GHz base, two AVX-512 FMA units (32 FP32 FLOP/cycle): "
            "40 x 2.3 GHz x 32 = 2.944 TFLOP/s; 8 channels of DDR4-3200 = 204.8 GB/s"),
)}


def custom(peak_tflops, bandwidth_gbs) -> Device:
    """A device given by its peak TFLOP/s and bandwidth in GB/s (decimal units), taken to
    be the peak at whatever --dtype is given."""
    return _device("custom", "a device given by its peaks", peak_tflops, bandwidth_gbs,
                   "given on the command line")
