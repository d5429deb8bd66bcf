"""Convention profiles: the total each cost tool would report, as factors over the ledger.

Each profile is a table {ledger key: factor}; ledger keys it does not list count 0.
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
from .layers import REGISTRY
from .passes.ledger import label

# Building blocks shared by several profiles.
CONV_MACS = {"conv.macs": 1, "dwconv.macs": 1, "deconv.macs": 1}
MACS = {**CONV_MACS, "fc.macs": 1}
CONV_BIAS = {"conv.bias": 1, "dwconv.bias": 1, "deconv.bias": 1}
BIAS = {**CONV_BIAS, "fc.bias": 1}
# torch's BatchNorm2d in eval: numel x (2 if affine else 1). torch has gamma and beta
# together (affine=True) or neither, so `bn.scale` stands for the affine step.
TORCH_BN = {"bn.elements": 1, "bn.scale": 1}
# torchinfo and ptflops multiply a ConvTranspose2d's weights by its *output* positions.
CONV_BY_WEIGHTS = {"conv.macs": 1, "dwconv.macs": 1, "deconv.weights_x_out": 1}
MACS_X2 = {key: 2 for key in MACS}  # a multiply and an add per MAC


class Profile(NamedTuple):
    """One way of counting: which ledger entries a tool adds up, and with what factor."""

    name: str
    reports: str  # what the tool calls the number, and how to get it
    source: str  # where the rules come from
    factors: Mapping[str, int]
    caveat: str = ""  # what a spec cannot tell the tool's way of counting
    unmodelled: Mapping[str, str] = {}  # ledger key -> why this profile cannot reproduce it


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("macs", "cnncost MACs: conv, dwconv, deconv and fc multiply-accumulates",
            "docs/counting.md", MACS),
    Profile("flops", "cnncost FLOPs = 2 x MACs (a multiply and an add per MAC)",
            "docs/counting.md", MACS_X2),
    Profile("paper", "'FLOPs' or 'Mult-Adds' as papers quote them: conv and fc "
                     "multiply-adds, nothing else",
            "He et al. 2015 (ResNet), sec. 3.3: '3.6 billion FLOPs (multiply-adds)'; "
            "Howard et al. 2017 (MobileNets), Tables 4-8: 'Million Mult-Adds'", MACS),
    Profile("torch-flop-counter", "torch.utils.flop_counter.FlopCounterMode total",
            "torch/utils/flop_counter.py (conv_flop_count, addmm_flop, mm_flop)", MACS_X2),
    Profile("fvcore", "fvcore FlopCountAnalysis(model, x).total()",
            "fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS), fvcore/nn/jit_handles.py",
            {**MACS, **TORCH_BN, "adaptiveavgpool.in": 1, "gap.in": 1, "upsample.out": 1}),
    Profile("ptflops", "ptflops get_model_complexity_info(..., backend='pytorch') MACs",
            "ptflops/pytorch_ops.py (MODULES_MAPPING hooks, FUNCTIONAL_MAPPING patches)",
            {**CONV_BY_WEIGHTS, "fc.macs": 1, **BIAS, **TORCH_BN,
             "relu.elements": 2, "gelu.elements": 2, "relu6.elements": 1,
             "leakyrelu.elements": 1, "swish.elements": 1, "softmax.elements": 1,
             "maxpool.in": 2, "avgpool.in": 2, "adaptiveavgpool.in": 2,
             "adaptivemaxpool.in": 2, "gap.in": 2, "gmp.in": 2},
            caveat="counts nn.ReLU and pooling modules twice (hook + patched F.*), as here; "
                   "code that calls F.relu or F.adaptive_avg_pool2d directly counts once",
            unmodelled={"upsample.out": "nn.Upsample's hook and ptflops's F.interpolate "
                                        "patch (scale factor raised to the batch size) "
                                        "are not reproduced; counted 0 here"}),
    Profile("ptflops-aten", "ptflops get_model_complexity_info(..., backend='aten') MACs",
            "ptflops/aten_ops.py (ATEN_OPS_MAPPING)", {**MACS, **BIAS}),
    Profile("torchinfo", "torchinfo summary(model, input_size).total_mult_adds",
            "torchinfo/layer_info.py (LayerInfo.calculate_macs)",
            {**CONV_BY_WEIGHTS, **CONV_BIAS, "fc.macs": 1, "fc.bias": 1, "bn.params": 1}),
    Profile("thop", "thop profile(model, inputs) MACs",
            "thop/profile.py (register_hooks), thop/vision/basic_hooks.py",
            {"conv.macs": 1, "dwconv.macs": 1, "fc.macs": 1,
             "bn.elements": 2, "bn.scale": 2, "leakyrelu.elements": 1, "avgpool.out": 1,
             "adaptiveavgpool.in": 1, "adaptiveavgpool.out": 1, "gap.in": 1, "gap.out": 1,
             "upsample.out": 1},
            caveat="hooks modules only: pools count as modules here; code that calls "
                   "F.adaptive_avg_pool2d directly counts 0 in thop",
            unmodelled={"deconv.macs": "thop reads a ConvTranspose2d weight as if it were a "
                                       "Conv2d's; cnncost counts the deconv MACs instead"}),
    Profile("calflops", "calflops calculate_flops(model, input_shape) FLOPs",
            "calflops/pytorch_ops.py (_patch_functionals)",
            {**MACS_X2, **CONV_BIAS, **TORCH_BN,
             "relu.elements": 1, "leakyrelu.elements": 1, "gelu.elements": 1,
             "swish.elements": 1, "softmax.elements": 1,
             "maxpool.in": 1, "avgpool.in": 1, "adaptiveavgpool.in": 1,
             "adaptivemaxpool.in": 1, "gap.in": 1, "gmp.in": 1, "upsample.in": 1}),
    Profile("calflops-macs", "calflops calculate_flops(model, input_shape) MACs",
            "calflops/pytorch_ops.py (only F.linear, F.conv* and matmuls return MACs)", MACS),
)}


def apply(profile: Profile, ledger: Mapping[str, object]):
    """The profile's total over a ledger: sum of factor x count."""
    factors = profile.factors
    total = 0
    for key, count in ledger.items():
        if key in factors:
            total = total + factors[key] * count
    return total


def terms(profile: Profile, ledger: Mapping[str, object]) -> list[tuple[str, str, int, object]]:
    """(key, label, factor, counted) for every ledger entry, to explain a total."""
    return [(key, label(key), profile.factors.get(key, 0),
             dims.exact(profile.factors.get(key, 0) * count)) for key, count in ledger.items()]


def notes(profile: Profile, ledger: Mapping[str, object]) -> list[str]:
    """What this profile cannot reproduce for this network, if anything."""
    out = [f"{profile.name}: {label(key)}: {why}"
           for key, why in profile.unmodelled.items() if key in ledger]
    if profile.caveat and any(REGISTRY[key.split(".")[0]].category in ("activation", "pool")
                              for key in ledger if profile.factors.get(key)):
        out.append(f"{profile.name}: {profile.caveat}")
    return out
