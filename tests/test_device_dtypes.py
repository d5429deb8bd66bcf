"""The roofline uses the device's peak for the --dtype given (issue 18 item 12): the
vendors' dense datasheet figures; a precision with no figure is an error naming it."""
from fractions import Fraction

import pytest

import cnncost
from cnncost.devices import DEVICES
from cnncost.errors import CnnCostError

PEAKS = [  # (device, dtype, TFLOP/s or TOPS, dense, from the datasheet)
    ("a100", "fp32", "19.5"), ("a100", "fp16", "312"), ("a100", "bf16", "312"), ("a100", "int8", "624"),
    ("h100", "fp32", "67"), ("h100", "fp16", "989.4"), ("h100", "int8", "1978.9"),
    ("v100", "fp16", "125"), ("t4", "fp16", "65"), ("t4", "int8", "130"),
    ("rtx4090", "fp16", "165.2"), ("rtx4090", "int8", "660.6"),
]


@pytest.mark.parametrize("device, dtype, tflops", PEAKS)
def test_the_peak_follows_the_dtype(device, dtype, tflops):
    report = cnncost.analyze(cnncost.load("resnet18"), dtype=dtype, device=device)
    roofline = report.roofline
    assert roofline.device.peak_flops == Fraction(tflops) * 10**12
    assert roofline.compute_s == Fraction(roofline.flops) / (Fraction(tflops) * 10**12)


@pytest.mark.parametrize("device, dtype", [("m1", "fp16"), ("xeon-8380", "int8"), ("v100", "bf16")])
def test_a_dtype_without_a_datasheet_figure_is_an_error(device, dtype):
    with pytest.raises(CnnCostError, match=f"no {dtype} peak for {device}"):
        cnncost.analyze(cnncost.load("lenet5"), dtype=dtype, device=device)


def test_the_cli_says_so(run_cli):
    code, out, err = run_cli("summarize", "resnet18", "--device", "a100", "--dtype", "fp16")
    assert code == 0 and "(312 TFLOP/s, 2,039 GB/s" in out
    code, out, err = run_cli("summarize", "resnet18", "--device", "m1", "--dtype", "fp16")
    assert code == 2 and "no fp16 peak for m1" in err


def test_a_custom_device_takes_its_peak_at_any_dtype(run_cli):
    code, out, err = run_cli("summarize", "lenet5", "--peak-tflops", "10", "--bandwidth-gbs", "100",
                             "--dtype", "fp16")
    assert code == 0 and "(10 TFLOP/s, 100 GB/s" in out
