"""Every layer kind's shape and cost rule against values computed by hand.

The table is parametrized; a final test checks that every kind in the registry has a
docstring and appears in the table, so a new layer kind cannot arrive untested.
"""
from __future__ import annotations

import pytest

from cnncost.layers import REGISTRY, user_kinds
from conftest import analyze_text, rows_after_input

# (input, spec lines, output shape, params, buffers, MACs) -- totals over the lines' nodes.
# The arithmetic is written out so each row can be checked by eye.
CASES = [
    # ---- conv: valid by default
    ("224x224x3", "conv 3x3 64", (222, 222, 64), 3 * 3 * 3 * 64 + 64, 0, 222 * 222 * 64 * 27),
    ("224x224x3", "conv 3x3 64 same", (224, 224, 64), 1792, 0, 86_704_128),
    ("28x28x1", "conv 5x5 16 s1 p2", (28, 28, 16), 416, 0, 313_600),
    # 'same' with stride 2: ceil(7/2) = 4 and ceil(8/2) = 4
    ("7x7x3", "conv 3x3 8 s2 same", (4, 4, 8), 3 * 3 * 3 * 8 + 8, 0, 4 * 4 * 8 * 27),
    ("8x8x3", "conv 3x3 8 s2 same", (4, 4, 8), 224, 0, 4 * 4 * 8 * 27),
    ("8x8x3", "conv 1x1 8 s2 same", (4, 4, 8), 3 * 8 + 8, 0, 4 * 4 * 8 * 3),
    # dilation 2: k' = 5, floor((9 - 5)/1) + 1 = 5
    ("9x9x3", "conv 3x3 8 d2", (5, 5, 8), 224, 0, 5 * 5 * 8 * 27),
    # grouped: kh*kw*(C/g)*N + N
    ("56x56x64", "conv 3x3 64 g32 p1", (56, 56, 64), 3 * 3 * 2 * 64 + 64, 0, 56 * 56 * 64 * 3 * 3 * 2),
    ("10x10x4", "conv 3x3 16 p1 nobias", (10, 10, 16), 3 * 3 * 4 * 16, 0, 10 * 10 * 16 * 36),
    # asymmetric kernel and padding (Inception v3's 1x7)
    ("17x17x4", "conv (1, 7) 8 pad=(0, 3)", (17, 17, 8), 7 * 4 * 8 + 8, 0, 17 * 17 * 8 * 28),
    ("17x17x4", "conv 7x1 8 same", (17, 17, 8), 7 * 4 * 8 + 8, 0, 17 * 17 * 8 * 28),
    ("10x10x3", "conv kernel=3 channels=4 stride=(2, 1) pad=(1, 1, 0, 0)", (5, 8, 4), 112, 0, 5 * 8 * 4 * 27),
    # ---- dwconv: one K filter per channel (x M)
    ("6x6x3", "dwconv 3x3", (4, 4, 3), 27 + 3, 0, 4 * 4 * 3 * 9),
    ("8x8x4", "dwconv 3x3 m2 nobias same", (8, 8, 8), 9 * 8, 0, 8 * 8 * 8 * 9),
    # ---- sepconv: depthwise (no bias) + pointwise with bias
    ("6x6x3", "sepconv 3x3 5 nobias", (4, 4, 5), 27 + 15, 0, 432 + 240),
    ("8x8x4", "sepconv 3x3 8 same", (8, 8, 8), 36 + 4 * 8 + 8, 0, 64 * 4 * 9 + 64 * 8 * 4),
    # ---- deconv: (H-1)*s - pt - pb + d*(k-1) + outpad + 1; MACs = Hin*Win*C*kh*kw*N/g
    ("8x8x16", "deconv 4x4 8 s2 p1", (16, 16, 8), 4 * 4 * 16 * 8 + 8, 0, 8 * 8 * 16 * 16 * 8),
    ("8x8x4", "deconv 3x3 8 s2 p1 outpad=1", (16, 16, 8), 9 * 4 * 8 + 8, 0, 64 * 4 * 9 * 8),
    ("5x5x3", "deconv 2x2 4 s2 same", (10, 10, 4), 2 * 2 * 3 * 4 + 4, 0, 75 * 16),
    ("4x4x4", "deconv 3x3 4 g2 nobias", (6, 6, 4), 3 * 3 * 4 * 2, 0, 16 * 4 * 9 * 2),
    # ---- pooling: stride defaults to the kernel
    ("4x4x1", "maxpool 2x2", (2, 2, 1), 0, 0, 0),
    ("6x6x1", "maxpool 2x2 s2", (3, 3, 1), 0, 0, 0),
    ("26x26x32", "maxpool 2", (13, 13, 32), 0, 0, 0),
    ("11x11x64", "maxpool 2x2", (5, 5, 64), 0, 0, 0),
    # ceil mode: ceil((14 - 3)/2) + 1 = 7 (floor mode: 6)
    ("14x14x8", "maxpool 3x3 s2 ceil", (7, 7, 8), 0, 0, 0),
    ("14x14x8", "maxpool 3x3 s2", (6, 6, 8), 0, 0, 0),
    ("112x112x64", "maxpool 3x3 s2 ceil", (56, 56, 64), 0, 0, 0),
    # PyTorch drops a last window that starts in the padding: ceil((5+2-2)/2)+1 = 4 -> 3
    ("5x5x2", "maxpool 2x2 s2 p1 ceil", (3, 3, 2), 0, 0, 0),
    ("28x28x192", "maxpool 3x3 s1 same", (28, 28, 192), 0, 0, 0),
    ("112x112x64", "maxpool 3x3 s2 p1", (56, 56, 64), 0, 0, 0),
    ("28x28x6", "avgpool 2x2", (14, 14, 6), 0, 0, 0),
    ("4x4x2", "minpool 2x2", (2, 2, 2), 0, 0, 0),
    ("4x4x2", "l2pool 2x2", (2, 2, 2), 0, 0, 0),
    ("7x7x512", "gap", (1, 1, 512), 0, 0, 0),
    ("7x7x512", "gmp", (1, 1, 512), 0, 0, 0),
    ("7x7x512", "adaptiveavgpool 7x7", (7, 7, 512), 0, 0, 0),
    ("13x13x256", "adaptiveavgpool 6x6", (6, 6, 256), 0, 0, 0),
    ("5x5x3", "adaptivemaxpool 1x1", (1, 1, 3), 0, 0, 0),
    # ---- dense
    ("7x7x512", "flatten", (25088,), 0, 0, 0),
    ("3x3x64", "flatten\nfc 64", (64,), 576 * 64 + 64, 0, 576 * 64),
    ("7x7x64", "gap\nfc 10", (10,), 650, 0, 640),
    ("8", "fc 4 nobias", (4,), 32, 0, 32),
    ("8", "dense 3", (3,), 27, 0, 24),
    # ---- normalisation: bn has 2C params and 2C buffers
    ("28x28x16", "bn", (28, 28, 16), 32, 32, 0),
    ("10x10x8", "bn noscale", (10, 10, 8), 8, 16, 0),
    ("10x10x8", "bn noscale nocenter", (10, 10, 8), 0, 16, 0),
    ("55x55x96", "lrn", (55, 55, 96), 0, 0, 0),
    ("32x32x3", "rescale", (32, 32, 3), 0, 0, 0),
    ("32x32x3", "normalize", (32, 32, 3), 0, 2 * 3 + 1, 0),
    # ---- shape-preserving, no parameters
    ("4x4x2", "dropout 0.5", (4, 4, 2), 0, 0, 0),
    ("4x4x2", "identity", (4, 4, 2), 0, 0, 0),
    ("8x8x6", "shuffle 2", (8, 8, 6), 0, 0, 0),
    *[("4x4x2", act, (4, 4, 2), 0, 0, 0) for act in
      ("relu", "relu6", "leakyrelu", "sigmoid", "hsigmoid", "tanh", "swish", "hswish", "gelu", "softmax")],
    ("10", "softmax", (10,), 0, 0, 0),
    # ---- moving values
    ("5x5x3", "pad 1", (7, 7, 3), 0, 0, 0),
    ("5x5x3", "pad (1, 2)", (7, 9, 3), 0, 0, 0),
    ("224x224x3", "pad (0, 1, 0, 1)", (225, 225, 3), 0, 0, 0),
    ("7x7x4", "upsample 2", (14, 14, 4), 0, 0, 0),
    ("7x7x4", "upsample (2, 3)", (14, 21, 4), 0, 0, 0),
    # fractional factors as torch's F.interpolate: floor(float(H) * s), so 100 x 0.29 is 28
    ("7x100x4", "upsample 1.5 bilinear", (10, 150, 4), 0, 0, 0),
    ("100x7x4", "upsample (0.29, 2.5) mode=nearest", (28, 17, 4), 0, 0, 0),
    ("5x7x4", "upsample size=(3, 9) bilinear", (3, 9, 4), 0, 0, 0),
    ("5x5x3", "pad 2 reflect", (9, 9, 3), 0, 0, 0),
    ("5x5x3", "pad (1, 0, 2, 0) mode=replicate", (6, 7, 3), 0, 0, 0),
    ("5x5x3", "pad 1 mode=constant", (7, 7, 3), 0, 0, 0),
    # ResNet option A (CIFAR): subsample with a 1x1 pool of stride 2, zero channels each side
    ("32x32x16", "maxpool 1 s2\npad channels=(8, 8)", (16, 16, 32), 0, 0, 0),
    ("4x4x3", "pad 1 channels=2", (6, 6, 7), 0, 0, 0),
    # ---- crop: (H - t - b) x (W - l - r) x C, no params, no ops
    ("5x5x3", "crop 1", (3, 3, 3), 0, 0, 0),
    ("5x6x3", "crop (1, 2)", (3, 2, 3), 0, 0, 0),
    ("7x7x2", "crop (0, 1, 2, 3)", (6, 2, 2), 0, 0, 0),
    ("5x5x3", "crop (4, 0, 0, 4)", (1, 1, 3), 0, 0, 0),
    # LeNet-5 (LeCun et al. 1998): C3's connection table (Table I: 6 maps of 3 inputs, 9 of
    # 4, 1 of 6 = 60 kernels of 5x5) gives 60*25 + 16 = 1,516 params, 10*10*60*25 MACs
    ("14x14x6", "conv 5x5 16 table=((0,1,2),(1,2,3),(2,3,4),(3,4,5),(0,4,5),(0,1,5),(0,1,2,3),"
     "(1,2,3,4),(2,3,4,5),(0,3,4,5),(0,1,4,5),(0,1,2,5),(0,1,3,4),(1,2,4,5),(0,2,3,5),(0,1,2,3,4,5))",
     (10, 10, 16), 1516, 0, 150_000),
    # S2 (trainable subsampling): a coefficient and a bias per map, one multiply per output
    ("28x28x6", "subsample 2x2", (14, 14, 6), 12, 0, 14 * 14 * 6),
    ("10x10x16", "subsample 2", (5, 5, 16), 32, 0, 5 * 5 * 16),
    # the RBF output: 84 x 10 parameters, one square accumulated per parameter
    ("84", "rbf 10", (10,), 840, 0, 840),
    # pixel shuffle: HxWx(C*r*r) -> rH x rW x C, and back
    ("3x3x8", "pixelshuffle 2", (6, 6, 2), 0, 0, 0),
    ("6x4x2", "pixelunshuffle 2", (3, 2, 8), 0, 0, 0),
    ("28x28x116", "slice 0:58", (28, 28, 58), 0, 0, 0),
    ("28x28x116", "slice 58:116", (28, 28, 58), 0, 0, 0),
    # ---- merges of named outputs
    ("8x8x4", "a = conv 1x1 4 nobias\nb = conv 1x1 4 nobias from=in0\nadd a b", (8, 8, 4), 32, 0, 2 * 64 * 16),
    ("8x8x4", "a = conv 1x1 4 nobias\nconcat a in0", (8, 8, 8), 16, 0, 64 * 16),
    ("8x8x4", "g = gap\nmul in0 g", (8, 8, 4), 0, 0, 0),
    # ---- squeeze-and-excitation: squeeze = max(1, int(C*R)); both convs have biases
    ("8x8x16", "se 0.25", (8, 8, 16), (16 * 4 + 4) + (4 * 16 + 16), 0, 16 * 4 + 4 * 16),
    ("4x4x32", "se squeeze=8 act=swish gate=hsigmoid", (4, 4, 32), (32 * 8 + 8) + (8 * 32 + 32), 0, 512),
    ("4x4x3", "se 0.25", (4, 4, 3), (3 * 1 + 1) + (1 * 3 + 3), 0, 6),
]


def _spec(inp: str, lines: str) -> str:
    return f"in0 = identity\n{lines}\n" if "in0" in lines else lines + "\n"


@pytest.mark.parametrize("inp,lines,shape,params,buffers,macs", CASES,
                         ids=[f"{c[1].splitlines()[-1]}@{c[0]}" for c in CASES])
def test_layer_rule(inp, lines, shape, params, buffers, macs):
    report = analyze_text(f"input {inp}\n" + _spec(inp, lines))
    rows = rows_after_input(report)
    assert report.output == shape
    assert sum(r.params for r in rows) == params
    assert sum(r.buffers for r in rows) == buffers
    assert sum(r.macs for r in rows) == macs
    # the totals are the column sums
    assert report.totals.params == params and report.totals.macs == macs


# Other ops: one rule per category, documented in docs/counting.md.
OTHER_OPS = [
    ("4x4x2", "conv 1x1 3", 4 * 4 * 3),  # one bias add per output element
    ("4x4x2", "conv 1x1 3 nobias", 0),
    ("4x4x2", "relu", 32),  # one per element
    ("4x4x2", "bn", 32 * 3),  # normalise, scale, shift
    ("4x4x2", "bn noscale", 32 * 2),
    ("4x4x2", "maxpool 2x2", 2 * 2 * 2 * 4),  # kh*kw per output element
    ("4x4x2", "gap", 32),  # every input element once
    ("13x13x256", "adaptiveavgpool 6x6", 18 * 18 * 256),  # windows of 3 overlap: 6 x 3 = 18
    ("8", "fc 4", 4),
    ("4x4x2", "dropout 0.1", 0),
    ("4x4x2", "lrn", 32 * (5 + 3)),
]


@pytest.mark.parametrize("inp,line,ops", OTHER_OPS, ids=[c[1] for c in OTHER_OPS])
def test_other_ops(inp, line, ops):
    report = analyze_text(f"input {inp}\n{line}\n")
    assert report.totals.other_ops == ops


def test_every_registry_entry_has_a_docstring_and_a_case():
    covered = set()
    for inp, lines, *_ in CASES:
        graph_kinds = {r.op for r in analyze_text(f"input {inp}\n" + _spec(inp, lines)).layers}
        covered |= graph_kinds
        covered |= {line.split()[0] for line in lines.splitlines()}  # composites (sepconv, se)
    for name in user_kinds():
        assert REGISTRY[name].__doc__ and REGISTRY[name].__doc__.strip(), name
        assert name in covered, f"layer kind '{name}' has no case in tests/test_layers.py"


# Refused as PyTorch refuses them: (spec line, message, hint), located at the line.
REFUSALS = [
    ("8x8x3", "maxpool 5 s1 p3", "padding 3 > 5 // 2: PyTorch refuses this pool",
     "use a larger kernel or less padding"),
    ("8x8x3", "avgpool 3 s1 pad=(1, 2)", "padding 2 > 3 // 2: PyTorch refuses this pool",
     "use a larger kernel or less padding"),
    ("8x8x3", "maxpool 1 s2 p1", "padding 1 > 1 // 2: PyTorch refuses this pool",
     "use a larger kernel or less padding"),
    ("8x8x4", "deconv 3x3 4 s2 outpad=2",
     "output padding 2 is not smaller than the stride 2 or the dilation 1 (height): PyTorch refuses",
     "keep it below the stride"),
    ("8x8x4", "deconv 3x3 4 outpad=1", "output padding 1 is not smaller than the stride 1 or the dilation 1",
     "keep it below the stride"),
    ("8x8x4", "deconv 3x3 6 g4", "groups=4 does not divide the 6 output channels: PyTorch refuses",
     "a multiple of 4"),
    ("16", "lrn", "its input is a vector of 16: PyTorch refuses LocalResponseNorm on a vector",
     "put lrn before flatten"),
    ("4x4x3", "pad 4 reflect", "reflect padding 4 on the top is not below the input's 4: PyTorch refuses it",
     "mode=replicate"),
    ("3x3x6", "pixelshuffle 2", "pixelshuffle 2 needs channels divisible by 2*2 = 4, got 6", "multiple of 4"),
    ("5x4x1", "pixelunshuffle 2", "pixelunshuffle 2 needs the height divisible by 2, got 5", "multiple"),
    ("4x4x1", "upsample 2 size=(8, 8)", "upsample takes a factor (`upsample 2`) or size=(H, W), one of the two",
     "upsample size=(14, 14)"),
]


@pytest.mark.parametrize("inp,line,message,hint", REFUSALS, ids=[c[1] for c in REFUSALS])
def test_refusal(inp, line, message, hint):
    from cnncost.errors import CnnCostError

    with pytest.raises(CnnCostError) as err:
        analyze_text(f"input {inp}\n{line}\n")
    assert message in err.value.message and hint in err.value.hint
    assert err.value.span.line == 2 and err.value.span.text == line


def test_deconv_output_padding_below_the_dilation_is_allowed():
    """torch: output padding must be smaller than the stride *or* the dilation."""
    assert analyze_text("input 8x8x4\ndeconv 3x3 4 d3 outpad=2\n").output == (16, 16, 4)  # 7 + 3*2 + 2 + 1
