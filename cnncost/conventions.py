"""Convention profiles: the total each cost tool would report, as factors over the ledger.

Each profile is a column of FACTORS: a factor for every ledger category the layer entries
name (each kind's `ledger_categories`); a category with no row is an error, never 0.
The rules come from each tool's source (docs/conventions.md quotes them) and were
checked to the unit against the tools on six torchvision models
(tests/data/peer-totals.json, tests/test_conventions.py).

What a spec cannot say: whether torchvision calls an activation or a pooling as a module
(`nn.ReLU`) or as a function (`F.relu`). Hook-based tools (ptflops, thop) count the two
differently; the profiles assume modules, and each profile's `caveat` says what changes.
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

from . import dims
from .errors import CnnCostError
from .layers import REGISTRY
from .passes.ledger import label

# The categories the layer entries price their ledger measures by (Layer.ledger_categories),
# and the factor each profile gives each one, in the column order of ORDER. Every profile
# has a column in every row: adding a category means deciding it for every tool, and a
# category missing here is an error (UnsupportedError), never a silent 0.
ORDER = ("macs", "flops", "paper", "torch-flop-counter", "fvcore", "ptflops", "ptflops-aten",
         "torchinfo", "thop", "calflops", "calflops-macs")
FACTORS: dict[str, tuple[int, ...]] = {
    #                          macs flops paper tfc fvcore ptfl aten tinfo thop calfl cfm
    "conv.macs":               (1,  2,    1,    2,  1,     1,   1,   1,    1,   2,    1),
    "deconv.macs":             (1,  2,    1,    2,  1,     0,   1,   0,    0,   2,    1),
    # torchinfo and ptflops multiply a ConvTranspose2d's weights by its *output* positions
    "deconv.weights_x_out":    (0,  0,    0,    0,  0,     1,   0,   1,    0,   0,    0),
    "linear.macs":             (1,  2,    1,    2,  1,     1,   1,   1,    1,   2,    1),
    "conv.bias":               (0,  0,    0,    0,  0,     1,   1,   1,    0,   1,    0),
    "linear.bias":             (0,  0,    0,    0,  0,     1,   1,   1,    0,   0,    0),
    # torch's BatchNorm2d in eval: numel x (2 if affine else 1); `scale` is the affine step
    "batchnorm.elements":      (0,  0,    0,    0,  1,     1,   0,   0,    2,   1,    0),
    "batchnorm.scale":         (0,  0,    0,    0,  1,     1,   0,   0,    2,   1,    0),
    "batchnorm.shift":         (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "batchnorm.params":        (0,  0,    0,    0,  0,     0,   0,   1,    0,   0,    0),
    "relu.elements":           (0,  0,    0,    0,  0,     2,   0,   0,    0,   1,    0),
    "relu6.elements":          (0,  0,    0,    0,  0,     1,   0,   0,    0,   0,    0),
    "leakyrelu.elements":      (0,  0,    0,    0,  0,     1,   0,   0,    1,   1,    0),
    "sigmoid.elements":        (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "hsigmoid.elements":       (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "tanh.elements":           (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "swish.elements":          (0,  0,    0,    0,  0,     1,   0,   0,    0,   1,    0),
    "hswish.elements":         (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "gelu.elements":           (0,  0,    0,    0,  0,     2,   0,   0,    0,   1,    0),
    "softmax.elements":        (0,  0,    0,    0,  0,     1,   0,   0,    0,   1,    0),
    "maxpool.in":              (0,  0,    0,    0,  0,     2,   0,   0,    0,   1,    0),
    "maxpool.out":             (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "avgpool.in":              (0,  0,    0,    0,  0,     2,   0,   0,    0,   1,    0),
    "avgpool.out":             (0,  0,    0,    0,  0,     0,   0,   0,    1,   0,    0),
    "minpool.in":              (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "minpool.out":             (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "l2pool.in":               (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "l2pool.out":              (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    # gap and gmp are torch's AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1)
    "adaptiveavgpool.in":      (0,  0,    0,    0,  1,     2,   0,   0,    1,   1,    0),
    "adaptiveavgpool.out":     (0,  0,    0,    0,  0,     0,   0,   0,    1,   0,    0),
    "adaptivemaxpool.in":      (0,  0,    0,    0,  0,     2,   0,   0,    0,   1,    0),
    "adaptivemaxpool.out":     (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "pool.ops":                (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "upsample.in":             (0,  0,    0,    0,  0,     0,   0,   0,    0,   1,    0),
    "upsample.out":            (0,  0,    0,    0,  1,     0,   0,   0,    1,   0,    0),
    # fvcore: aten::upsample_bilinear2d elementwise_flop_counter(0, 4); thop: calculate_upsample 11
    "upsample-bilinear.out":   (0,  0,    0,    0,  4,     0,   0,   0,    11,  0,    0),
    "add.ops":                 (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "mul.ops":                 (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "lrn.ops":                 (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "rescale.ops":             (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    "normalize.ops":           (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
    # values moved, copied or dropped (concat, flatten, pad, slice, shuffle, ...): no tool
    # counts them, nor does cnncost (its `other ops` of these kinds are 0)
    "move.ops":                (0,  0,    0,    0,  0,     0,   0,   0,    0,   0,    0),
}


class UnsupportedError(CnnCostError):
    """A layer's ledger measure whose category no convention profile knows."""


def check_category(node, measure: str) -> str:
    """The category node's `measure` is priced by; UnsupportedError naming the layer when
    its entry gives none or one no profile knows (fvcore's "unsupported operator",
    reported instead of counted as 0)."""
    category = REGISTRY[node.kind].ledger_categories.get(measure)
    if category not in FACTORS:
        what = f"category '{category}'" if category else "no category"
        raise UnsupportedError(
            f"{node.name} ({node.kind}): unsupported: its ledger measure '{measure}' has {what} "
            "that the convention profiles know",
            hint=f"the {node.kind} entry must map '{measure}' in its ledger_categories to a row of "
                 "cnncost.conventions.FACTORS (or add a row, with each tool's factor from its source)")
    return category


def _column(name: str) -> dict[str, int]:
    i = ORDER.index(name)
    return {category: row[i] for category, row in FACTORS.items()}


class Profile(NamedTuple):
    """One way of counting: which ledger entries a tool adds up, and with what factor."""

    name: str
    reports: str  # what the tool calls the number, and how to get it
    source: str  # where the rules come from
    factors: Mapping[str, int]  # ledger category -> factor (its column of FACTORS)
    caveat: str = ""  # what a spec cannot tell the tool's way of counting
    unmodelled: Mapping[str, str] = {}  # ledger category -> why this profile cannot reproduce it

    def factor(self, key: str) -> int:
        """The factor of ledger key 'kind.measure' (through the kind's category)."""
        kind, measure = key.split(".")
        return self.factors[REGISTRY[kind].ledger_categories[measure]]


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("macs", "cnncost MACs: conv, dwconv, deconv and fc multiply-accumulates",
            "docs/counting.md", _column("macs")),
    Profile("flops", "cnncost FLOPs = 2 x MACs (a multiply and an add per MAC)",
            "docs/counting.md", _column("flops")),
    Profile("paper", "'FLOPs' or 'Mult-Adds' as papers quote them: conv and fc "
                     "multiply-adds, nothing else",
            "He et al. 2015 (ResNet), sec. 3.3: '3.6 billion FLOPs (multiply-adds)'; "
            "Howard et al. 2017 (MobileNets), Tables 4-8: 'Million Mult-Adds'", _column("paper")),
    Profile("torch-flop-counter", "torch.utils.flop_counter.FlopCounterMode total",
            "torch/utils/flop_counter.py (conv_flop_count, addmm_flop, mm_flop)",
            _column("torch-flop-counter")),
    Profile("fvcore", "fvcore FlopCountAnalysis(model, x).total()",
            "fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS), fvcore/nn/jit_handles.py",
            _column("fvcore")),
    Profile("ptflops", "ptflops get_model_complexity_info(..., backend='pytorch') MACs",
            "ptflops/pytorch_ops.py (MODULES_MAPPING hooks, FUNCTIONAL_MAPPING patches)",
            _column("ptflops"),
            caveat="counts nn.ReLU and pooling modules twice (hook + patched F.*), as here; "
                   "code that calls F.relu or F.adaptive_avg_pool2d directly counts once",
            unmodelled={category: "nn.Upsample's hook and ptflops's F.interpolate "
                                  "patch (scale factor raised to the batch size) "
                                  "are not reproduced; counted 0 here"
                        for category in ("upsample.out", "upsample-bilinear.out")}),
    Profile("ptflops-aten", "ptflops get_model_complexity_info(..., backend='aten') MACs",
            "ptflops/aten_ops.py (ATEN_OPS_MAPPING)", _column("ptflops-aten")),
    Profile("torchinfo", "torchinfo summary(model, input_size).total_mult_adds",
            "torchinfo/layer_info.py (LayerInfo.calculate_macs)",
            _column("torchinfo")),
    Profile("thop", "thop profile(model, inputs) MACs",
            "thop/profile.py (register_hooks), thop/vision/basic_hooks.py",
            _column("thop"),
            caveat="hooks modules only: pools count as modules here; code that calls "
                   "F.adaptive_avg_pool2d directly counts 0 in thop",
            unmodelled={"deconv.macs": "thop reads a ConvTranspose2d weight as if it were a "
                                       "Conv2d's; cnncost counts the deconv MACs instead"}),
    Profile("calflops", "calflops calculate_flops(model, input_shape) FLOPs",
            "calflops/pytorch_ops.py (_patch_functionals)",
            _column("calflops")),
    Profile("calflops-macs", "calflops calculate_flops(model, input_shape) MACs",
            "calflops/pytorch_ops.py (only F.linear, F.conv* and matmuls return MACs)",
            _column("calflops-macs")),
)}


def apply(profile: Profile, ledger: Mapping[str, object]):
    """The profile's total over a ledger: sum of factor x count."""
    total = 0
    for key, count in ledger.items():
        factor = profile.factor(key)
        if factor:
            total = total + factor * count
    return total


def terms(profile: Profile, ledger: Mapping[str, object]) -> list[tuple[str, str, int, object]]:
    """(key, label, factor, counted) for every ledger entry, to explain a total."""
    return [(key, label(key), profile.factor(key), dims.exact(profile.factor(key) * count))
            for key, count in ledger.items()]


def notes(profile: Profile, ledger: Mapping[str, object]) -> list[str]:
    """What this profile cannot reproduce for this network, if anything."""
    out = []
    for key in ledger:
        kind, measure = key.split(".")
        why = profile.unmodelled.get(REGISTRY[kind].ledger_categories[measure])
        if why:
            out.append(f"{profile.name}: {label(key)}: {why}")
    if profile.caveat and any(REGISTRY[key.split(".")[0]].category in ("activation", "pool")
                              for key in ledger if profile.factor(key)):
        out.append(f"{profile.name}: {profile.caveat}")
    return out


assert set(ORDER) == set(PROFILES) and all(len(row) == len(ORDER) for row in FACTORS.values())
