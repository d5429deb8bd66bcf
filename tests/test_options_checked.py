"""Every numeric option goes through one checked reader (cnncost.values.read_number):
hostile values are refused at once with exit 2 and a reason (issue 15, faults 4, 5, 7 and
the look-alike digits of "Smaller ones")."""
import re
from fractions import Fraction

import pytest

from cnncost.values import NumberError, read_number

HUGE, TINY = "1e999999999", "1e-999999999"

CASES = [  # (command line, what stderr says)
    (["summarize", "mobilenet_v1", "--width", HUGE], "exponents beyond e±30 are not read"),
    (["summarize", "mobilenet_v1", "--width", TINY], "exponents beyond e±30 are not read"),
    (["summarize", "mobilenet_v1", "--width", "1e9999999"], "exponents beyond e±30 are not read"),
    (["summarize", "mobilenet_v1", "--width", "1000"], "a multiplier must be at most 100"),
    (["summarize", "efficientnet_b0", "--depth-mult", HUGE], "exponents beyond e±30 are not read"),
    (["summarize", "efficientnet_b0", "--depth-mult", TINY], "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--resolution", HUGE], "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--resolution", TINY], "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--resolution", "9" * 40], "must be at most 100,000 pixels"),
    (["summarize", "resnet18", "--resolution", "101.5"], "must be at most 100 times the spec's size"),
    (["summarize", "resnet18", "--resolution", "9" * 4000], "too long for a number"),
    (["summarize", "resnet18", "--resolution", "١٦٠"], "U+0661 ARABIC-INDIC DIGIT ONE"),
    (["summarize", "resnet18", "--resolution", "１６０"], "U+FF11 FULLWIDTH DIGIT ONE"),
    (["summarize", "resnet18", "--width", "٠.٥"], "U+0660 ARABIC-INDIC DIGIT ZERO"),
    (["summarize", "resnet18", "--peak-tflops", HUGE, "--bandwidth-gbs", "1"],
     "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--peak-tflops", TINY, "--bandwidth-gbs", "1"],
     "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--peak-tflops", "1e400", "--bandwidth-gbs", "1"],
     "exponents beyond e±30 are not read"),
    (["summarize", "resnet18", "--peak-tflops", "1", "--bandwidth-gbs", "1e30"], "at most 1,000,000,000"),
    (["summarize", "resnet18", "--peak-tflops", "nan", "--bandwidth-gbs", "1"], "not a number"),
    (["summarize", "resnet18", "--peak-tflops", "inf", "--bandwidth-gbs", "1"], "not a number"),
    (["summarize", "resnet18", "--batch", "١٦"], "U+0661"),
    (["summarize", "resnet18", "--batch", "2**70"], "not a whole number"),
    (["summarize", "resnet18", "--batch", "9" * 30], "at most 9,223,372,036,854,775,807"),
    (["summarize", "resnet18", "--batch", "0"], "at least 1"),
    (["summarize", "resnet18", "--depth", "-1"], "at least 0"),
    (["summarize", "resnet18", "--max-nodes", "0"], "at least 1"),
    (["summarize", "resnet18", "--max-nodes", "１０"], "FULLWIDTH DIGIT ONE"),
    (["verify", "lenet5", "--seed", "-1"], "at least 0"),
    (["verify", "lenet5", "--max-memory", "１G"], "is not a size"),
    (["sweep", "mobilenet_v1", "--width", "0.5," + HUGE], "exponents beyond e±30 are not read"),
    (["sweep", "mobilenet_v1", "--resolution", "160,١٦٠"], "U+0661"),
    (["sweep", "lenet5", "--width", ",".join(["1"] * 50), "--depth-mult", ",".join(["1"] * 50),
      "--resolution", ",".join(["32"] * 50)], "the grid has 125,000 points (50 x 50 x 50)"),
    (["sweep", "lenet5", "--resolution", "28,32", "--max-points", "1"], "the grid has 2 points"),
    (["summarize", "resnet18", "--symbolic", "x" * 3000], "symbol names have at most 64"),
]


@pytest.mark.parametrize("args, says", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_a_hostile_option_value_is_refused_with_exit_2(run_cli, args, says):
    code, out, err = run_cli(*args)
    assert code == 2 and out == "", err
    assert says in err and "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("text, kwargs, value", [
    ("0.75", {}, Fraction(3, 4)),
    ("1e2", {}, 100),
    ("2.5e-3", {}, Fraction(1, 400)),
    ("3/4", {}, Fraction(3, 4)),
    (" 7 ", {"whole": True}, 7),
    ("1e-6", {"low": Fraction(1, 10**6), "low_open": False}, Fraction(1, 10**6)),
    (Fraction(1, 2), {}, Fraction(1, 2)),
    (3, {"whole": True}, 3),
    (0.5, {}, Fraction(1, 2)),
])
def test_the_reader_reads_exactly(text, kwargs, value):
    got = read_number(text, **kwargs)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text, kwargs, says", [
    ("0", {}, "greater than 0"),
    ("101", {"high": 100}, "at most 100"),
    ("1.5", {"whole": True}, "not a whole number"),
    ("1e31", {}, "exponents beyond e±30"),
    ("0x10", {}, "not a number"),
    ("1/0", {}, "not a number"),
    ("1_000", {}, "not a number"),
    ("", {}, "not a number"),
    (True, {}, "not a number"),
    (float("inf"), {}, "not a finite number"),
    (None, {}, "not a number (a NoneType)"),
    ("６４", {}, "U+FF16 FULLWIDTH DIGIT SIX"),
    ("٨", {"whole": True}, "U+0668 ARABIC-INDIC DIGIT EIGHT"),
])
def test_the_reader_refuses_with_a_reason(text, kwargs, says):
    with pytest.raises(NumberError, match=re.escape(says)):
        read_number(text, **kwargs)
