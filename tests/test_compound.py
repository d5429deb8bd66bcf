"""Compound scaling (EfficientNet, Tan & Le 2019, eq. 3): --phi N scales depth by α^N,
width by β^N and resolution by γ^N (α = 1.2, β = 1.1, γ = 1.15), with the paper code's
rounding: make_divisible(c·w, 8) channels, ceil(n·d) repeats, round(224·r) pixels."""
import json
from fractions import Fraction as F

import pytest

import cnncost
from cnncost.scaling import Compound, compound

# efficientnet_b0 at φ = 0..3: input side, params, MACs (the counts of the spec at the
# width, depth and resolution the paper's rule gives)
PHI = [
    (0, 224, 5_288_548, 385_814_752),
    (1, 258, 9_109_994, 992_629_472),  # 224 · 1.15 = 257.6
    (2, 296, 12_233_232, 1_809_892_064),  # 224 · 1.3225 = 296.24
    (3, 341, 16_338_888, 3_250_498_024),  # 224 · 1.520875 = 340.676
]


@pytest.mark.parametrize("phi, depth, width, resolution", [
    (0, 1, 1, 1),
    (1, F(6, 5), F(11, 10), F(23, 20)),
    (2, F(36, 25), F(121, 100), F(529, 400)),
    (3, F(216, 125), F(1331, 1000), F(12167, 8000)),
])
def test_compound_factors_are_exact(phi, depth, width, resolution):
    c = compound(phi)
    assert (c.depth, c.width, c.resolution) == (depth, width, resolution)
    assert c.flops_factor == (F(6, 5) * F(11, 10) ** 2 * F(23, 20) ** 2) ** phi  # 1.92^φ, "about 2^φ"


@pytest.mark.parametrize("phi, side, params, macs", PHI)
def test_summarize_phi(run_cli, phi, side, params, macs):
    code, out, err = run_cli("summarize", "efficientnet_b0", "--phi", str(phi), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["input"], data["totals"]["params"], data["totals"]["macs"]) == ([side, side, 3], params, macs)
    c = Compound(phi)
    same = cnncost.analyze(cnncost.load("efficientnet_b0", width=c.width, depth=c.depth, resolution=side))
    assert (same.totals.params, same.totals.macs) == (params, macs)


def test_sweep_phi_prints_the_flops_ratio_beside_2_to_the_phi(run_cli):
    code, out, err = run_cli("sweep", "efficientnet_b0", "--phi", "0,1,2,3", "--format", "json")
    assert code == 0, err
    points = json.loads(out)["points"]
    assert [p["totals"]["macs"] for p in points] == [m for *_, m in PHI]
    assert [p["doubling"] for p in points] == [1, 2, 4, 8]
    assert [p["flops_ratio"] for p in points] == [1] + [m / PHI[0][3] for *_, m in PHI[1:]]
    code, out, _ = run_cli("sweep", "efficientnet_b0", "--phi", "0,1,2,3")
    assert "FLOPs / φ=0  2^φ" in out
    assert [line.split()[-2:] for line in out.splitlines()[-4:]] == \
        [["1.00", "1"], ["2.57", "2"], ["4.69", "4"], ["8.43", "8"]]


def test_released_b1_is_not_phi_1(run_cli):
    """B1 as released is width 1.0, depth 1.1, 240 (specs/variants.toml), not φ = 1's
    1.1, 1.2, 258: bases α = 1.1, β = 1.0, γ = 240/224 give it back."""
    b1 = cnncost.analyze(cnncost.load("efficientnet_b1")).totals
    code, out, _ = run_cli("summarize", "efficientnet_b0", "--phi", "1", "--compound", "1.1,1,15/14",
                           "--format", "json")
    assert code == 0
    totals = json.loads(out)["totals"]
    assert (totals["params"], totals["macs"]) == (b1.params, b1.macs) == (7_794_184, 686_802_832)
    assert (b1.params, b1.macs) != (PHI[1][2], PHI[1][3])


@pytest.mark.parametrize("args, message", [
    (["summarize", "efficientnet_b0", "--phi", "x"], "--phi x: give a whole number"),
    (["summarize", "efficientnet_b0", "--phi", "-1"], "--phi -1: give a whole number"),
    (["summarize", "efficientnet_b0", "--phi", "1", "--width", "2"], "give --phi or --width"),
    (["summarize", "efficientnet_b0", "--compound", "1.2,1.1,1.15"], "--compound goes with --phi"),
    (["summarize", "efficientnet_b0", "--phi", "1", "--compound", "1.2,1.1"], "three numbers of at least 1"),
    (["sweep", "efficientnet_b0", "--phi", "0,1", "--width", "1,2"], "phi sets the width"),
    (["sweep", "efficientnet_b0", "--compound", "1,1,1"], "--compound goes with --phi"),
])
def test_phi_errors(run_cli, args, message):
    code, out, err = run_cli(*args)
    assert code == 2
    assert message in out + err and "Traceback" not in out + err
