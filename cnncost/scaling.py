"""Compound scaling (Tan & Le 2019, EfficientNet, eq. 3): depth d = α^φ, width w = β^φ,
resolution r = γ^φ, with α = 1.2, β = 1.1, γ = 1.15 found by grid search on B0 under
α·β²·γ² ≈ 2, so the FLOPs grow by about (α·β²·γ²)^φ ≈ 2^φ.

The rounding is the paper's code's (and the spec's): channels make_divisible(c·w, 8),
repeats ceil(n·d) (efficientnet_b0.spec), and the input side round(224·r) (the builder's
--resolution scaling rounds to the nearest whole number). The released B1-B7 do not follow
φ exactly: their (w, d, resolution) were chosen by hand (specs/variants.toml)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import CnnCostError

PAPER = (Fraction(6, 5), Fraction(11, 10), Fraction(23, 20))  # α, β, γ (section 3.3)


@dataclass(frozen=True)
class Compound:
    phi: int
    alpha: Fraction = PAPER[0]
    beta: Fraction = PAPER[1]
    gamma: Fraction = PAPER[2]

    @property
    def depth(self) -> Fraction:
        return self.alpha ** self.phi

    @property
    def width(self) -> Fraction:
        return self.beta ** self.phi

    @property
    def resolution(self) -> Fraction:
        """The factor on the input's height and width."""
        return self.gamma ** self.phi

    @property
    def flops_factor(self) -> Fraction:
        """(α·β²·γ²)^φ: what the FLOPs would grow by without rounding (about 2^φ)."""
        return (self.alpha * self.beta ** 2 * self.gamma ** 2) ** self.phi


def parse_phi(text) -> int:
    try:
        phi = int(str(text).strip())
    except ValueError:
        phi = -1
    if phi < 0 or phi > 64:
        raise CnnCostError(f"--phi {text}: give a whole number from 0 to 64",
                           hint="φ = 1 is about twice the FLOPs of φ = 0, φ = 2 four times")
    return phi


def parse_coefficients(text: str | None) -> tuple[Fraction, Fraction, Fraction]:
    """`1.2,1.1,1.15` -> (α, β, γ) as exact Fractions, each at least 1."""
    if text is None:
        return PAPER
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = tuple(Fraction(p) for p in parts)
    except (ValueError, ZeroDivisionError):
        values = ()
    if len(values) != 3 or any(v < 1 for v in values):
        raise CnnCostError(f"--compound {text}: give α,β,γ, three numbers of at least 1",
                           hint="the paper's are --compound 1.2,1.1,1.15")
    return values


def compound(phi, coefficients: str | None = None) -> Compound:
    return Compound(parse_phi(phi), *parse_coefficients(coefficients))
