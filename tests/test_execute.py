"""The NumPy executor: its fast kernels against the direct loops, its counts against the
analytic passes (random layers, random graphs, every spec of the zoo), and its tape.

These need NumPy (the `test` extra installs it, as CI does).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cnncost
from cnncost import zoo
from cnncost.errors import CnnCostError, ShapeError
from cnncost.execute import loops
from cnncost.execute.run import execute
from cnncost.execute.tape import Tape, WeightPool
from cnncost.execute.verify import verify
from cnncost.layers import REGISTRY, user_kinds
from cnncost.layers.base import Layer

KERNEL_SETTINGS = settings(max_examples=60, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --------------------------------------------------------------------------- the registry
@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_runs_or_expands(kind):
    """Each primitive kind has its own NumPy `run`; a composite needs none, because the
    builder expands it into primitive nodes."""
    layer = REGISTRY[kind]
    if layer.composite:
        assert type(layer).expand is not Layer.expand
        assert type(layer).run is Layer.run
    else:
        assert type(layer).run is not Layer.run, f"layer kind '{kind}' has no run method"


# --------------------------------------------------------------------------- one layer
def run_layer(kind: str, attrs: dict, x_shape: tuple, seed: int = 0):
    """Run one layer on a random input; check its output shape and MACs against the
    analytic rules, and return (attrs, input, output, the arrays it allocated)."""
    layer = REGISTRY[kind]
    a = {**layer.defaults, **attrs}
    ins = [tuple(x_shape[1:])]
    try:
        shape = layer.shape(a, ins)
    except ShapeError:
        assume(False)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    tape = Tape(rng, WeightPool(rng), x_shape[0], keep=True)
    y = layer.run(a, [x], tape)
    assert y.dtype == np.float32
    assert y.shape == (x_shape[0], *shape)
    assert tape.macs == layer.macs(a, ins, shape) * x_shape[0]
    assert tape.params == layer.params(a, ins, shape)
    return a, x, y, tape.arrays


def close(fast, slow):
    assert fast.shape == slow.shape
    np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-4)


def pair(low, high):
    return st.tuples(st.integers(low, high), st.integers(low, high))


padding_modes = st.one_of(
    st.just({"padding": "valid"}), st.just({"padding": "same"}),
    st.tuples(*[st.integers(0, 2)] * 4).map(lambda p: {"pad": p}))


@st.composite
def conv_cases(draw):
    groups, per_group_in, per_group_out = (draw(st.integers(1, 3)) for _ in range(3))
    attrs = {"kernel": draw(pair(1, 3)), "stride": draw(pair(1, 3)), "dilation": draw(pair(1, 2)),
             "groups": groups, "channels": groups * per_group_out, "bias": draw(st.booleans()),
             **draw(padding_modes)}
    return attrs, (draw(st.integers(1, 2)), *draw(pair(1, 7)), groups * per_group_in)


@KERNEL_SETTINGS
@given(conv_cases())
def test_conv_kernel_equals_the_loops(case):
    attrs, x_shape = case
    a, x, y, arrays = run_layer("conv", attrs, x_shape)
    weight, bias = arrays if a["bias"] else (arrays[0], None)
    close(y, loops.conv2d(x, weight, bias, a, a["groups"]))


@KERNEL_SETTINGS
@given(kernel=pair(1, 3), stride=pair(1, 3), dilation=pair(1, 2), mult=st.integers(1, 3),
       channels=st.integers(1, 4), size=pair(1, 7), bias=st.booleans(), pad=padding_modes)
def test_dwconv_kernel_equals_the_loops(kernel, stride, dilation, mult, channels, size, bias, pad):
    attrs = {"kernel": kernel, "stride": stride, "dilation": dilation, "mult": mult, "bias": bias, **pad}
    a, x, y, arrays = run_layer("dwconv", attrs, (1, *size, channels))
    weight, b = arrays if bias else (arrays[0], None)
    close(y, loops.conv2d(x, weight, b, a, groups=channels))


@st.composite
def deconv_cases(draw):
    groups, per_group_in, per_group_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    attrs = {"kernel": draw(pair(1, 3)), "stride": draw(pair(1, 3)), "dilation": draw(pair(1, 2)),
             "groups": groups, "channels": groups * per_group_out, "bias": draw(st.booleans()),
             "outpad": draw(pair(0, 2)), **draw(padding_modes)}
    return attrs, (draw(st.integers(1, 2)), *draw(pair(1, 5)), groups * per_group_in)


@KERNEL_SETTINGS
@given(deconv_cases())
def test_deconv_kernel_equals_the_loops(case):
    attrs, x_shape = case
    a, x, y, arrays = run_layer("deconv", attrs, x_shape)
    weight, bias = arrays if a["bias"] else (arrays[0], None)
    close(y, loops.conv_transpose2d(x, weight, bias, a, a["groups"]))


@st.composite
def pool_cases(draw):
    kernel = draw(pair(1, 3))
    attrs = {"kernel": kernel, "dilation": draw(pair(1, 2)), "ceil": draw(st.booleans())}
    stride = draw(st.none() | pair(1, 3))
    if stride is not None:
        attrs["stride"] = stride
    mode = draw(st.sampled_from(["valid", "same", "explicit"]))
    if mode == "explicit":  # beyond PyTorch's limit of half the kernel too
        top, bottom = (draw(st.integers(0, kernel[0])) for _ in range(2))
        left, right = (draw(st.integers(0, kernel[1])) for _ in range(2))
        attrs["pad"] = (top, bottom, left, right)
    else:
        attrs["padding"] = mode
    return attrs, (draw(st.integers(1, 2)), *draw(pair(1, 7)), draw(st.integers(1, 3)))


@KERNEL_SETTINGS
@given(pool_cases(), st.sampled_from(["max", "avg", "min", "l2"]))
def test_pool_kernel_equals_the_loops(case, kind):
    attrs, x_shape = case
    a, x, y, _ = run_layer(f"{kind}pool", attrs, x_shape)
    close(y, loops.pool2d(x, kind, a))


@KERNEL_SETTINGS
@given(size=pair(1, 8), output=pair(1, 5), kind=st.sampled_from(["max", "avg"]))
def test_adaptive_pool_kernel_equals_the_loops(size, output, kind):
    _, x, y, _ = run_layer(f"adaptive{kind}pool", {"output": output}, (2, *size, 3))
    close(y, loops.adaptive_pool(x, kind, *output))


# --------------------------------------------------------------------------- hand-made values
def test_avgpool_divisors_follow_pytorch_and_tensorflow():
    ones = np.ones((1, 3, 3, 1), dtype=np.float32)
    tape = Tape(np.random.default_rng(0), WeightPool(np.random.default_rng(0)), 1)
    torch_like = {**REGISTRY["avgpool"].defaults, "kernel": (3, 3), "stride": (1, 1), "pad": (1, 1, 1, 1)}
    y = REGISTRY["avgpool"].run(torch_like, [ones], tape)[0, :, :, 0]
    # count_include_pad: the corner window holds 4 ones among 9 cells
    np.testing.assert_allclose(y, [[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9], [4 / 9, 6 / 9, 4 / 9]], rtol=1e-6)
    tf_like = {**torch_like, "padding": "same"}
    del tf_like["pad"]
    np.testing.assert_allclose(REGISTRY["avgpool"].run(tf_like, [ones], tape), 1, rtol=1e-6)


def test_deconv_scatters_each_input_into_a_patch():
    tape = Tape(np.random.default_rng(0), WeightPool(np.random.default_rng(0)), 1, keep=True)
    x = np.array([1, 2], dtype=np.float32).reshape(1, 1, 2, 1)
    a = {**REGISTRY["deconv"].defaults, "kernel": (1, 3), "channels": 1, "stride": (1, 2), "bias": False}
    y = REGISTRY["deconv"].run(a, [x], tape)
    w = tape.arrays[0].reshape(3)
    # positions 0..4: x0*w at 0,1,2 and x1*w at 2,3,4 -- they overlap at 2
    np.testing.assert_allclose(y.reshape(5), [w[0], w[1], w[2] + 2 * w[0], 2 * w[1], 2 * w[2]], rtol=1e-6)


def test_same_padding_puts_the_extra_row_after():
    x = np.arange(1, 5, dtype=np.float32).reshape(1, 2, 2, 1)  # [[1, 2], [3, 4]]
    tape = Tape(np.random.default_rng(0), WeightPool(np.random.default_rng(0)), 1)
    a = {**REGISTRY["maxpool"].defaults, "kernel": (2, 2), "stride": (1, 1), "padding": "same"}
    # TensorFlow: the padding goes below and right, so each window starts at its pixel
    np.testing.assert_array_equal(REGISTRY["maxpool"].run(a, [x], tape)[0, :, :, 0], [[4, 4], [4, 4]])
    a = {**REGISTRY["minpool"].defaults, "kernel": (2, 2), "stride": (1, 1), "padding": "same"}
    np.testing.assert_array_equal(REGISTRY["minpool"].run(a, [x], tape)[0, :, :, 0], [[1, 2], [3, 4]])


# --------------------------------------------------------------------------- the tape
def test_tape_counts_macs_from_the_operands():
    rng = np.random.default_rng(0)
    tape = Tape(rng, WeightPool(rng), 1)
    tape.matmul(np.ones((3, 5, 4), np.float32), np.ones((4, 2), np.float32))  # 3 x (5x4 @ 4x2)
    assert tape.macs == 3 * 5 * 4 * 2
    tape.einsum("bhwcij,ijcm->bhwcm", np.ones((2, 3, 3, 4, 2, 2), np.float32), np.ones((2, 2, 4, 5), np.float32))
    assert tape.macs == 120 + 2 * 3 * 3 * 4 * 2 * 2 * 5
    tape.param((3, 3, 4, 8), fan_in=36)
    tape.buffer((8,))
    assert (tape.params, tape.buffers) == (288, 8)


def test_weights_are_seeded_and_he_scaled():
    def weights(seed):
        rng = np.random.default_rng(seed)
        return Tape(rng, WeightPool(rng), 1).param((512, 512), fan_in=512)

    w = weights(3)
    assert w.dtype == np.float32 and np.array_equal(w, weights(3)) and not np.array_equal(w, weights(4))
    assert math.isclose(float(w.std()), math.sqrt(2 / 512), rel_tol=0.05)


def test_execute_frees_outputs_and_returns_the_network_output():
    graph = cnncost.load("<t>", text="input 8x8x3\na = conv 3x3 4 same\nb = relu\nconv 1x1 2 from=a\n")
    run = execute(graph, batch=3, seed=1)
    assert run.output.shape == (3, 8, 8, 2)
    assert [n.batch for n in run.nodes] == [3] * 4
    assert not np.array_equal(run.output, execute(graph, batch=3, seed=2).output)
    np.testing.assert_array_equal(run.output, execute(graph, batch=3, seed=1).output)


def test_a_symbolic_spec_cannot_be_run():
    graph = cnncost.load("<t>", text="symbol n\ninput (n, n, 3)\nconv 3x3 8\n")
    with pytest.raises(CnnCostError, match="symbols"):
        execute(graph)


# --------------------------------------------------------------------------- random graphs
# Tables from layer kind to a maker of spec lines (`draw` is hypothesis's); the random
# networks pick from them, and a test checks that together they name every kind.
def _maybe(draw, text):
    return text if draw(st.booleans()) else ""


def _words(*parts):
    return " ".join(p for p in parts if p)


def _pad(draw, k):
    return draw(st.sampled_from(["same", "valid", f"p{k // 2}", "pad=(0, 1, 1, 0)"]))


def _conv(draw):
    k, s = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    if draw(st.booleans()):  # grouped, when the groups divide the channels it receives
        g = draw(st.integers(2, 3))
        return [f"if in.c % {g} == 0:", f"    conv 3x3 {g * draw(st.integers(1, 3))} g{g} same"]
    return [_words(f"conv {k}x{draw(st.integers(1, 3))} {draw(st.integers(1, 6))}", f"s{s}",
                   _pad(draw, k), _maybe(draw, "d2"), _maybe(draw, "nobias"))]


def _pool(kind):
    def make(draw):
        k = draw(st.integers(1, 3))
        return [_words(f"{kind} {k}", f"s{draw(st.integers(1, 2))}",
                       draw(st.sampled_from(["same", "", f"p{k // 2}"])), _maybe(draw, "ceil"))]
    return make


def _dwconv(draw):
    k = draw(st.integers(1, 3))
    return [_words(f"dwconv {k}", f"m{draw(st.integers(1, 2))}", f"s{draw(st.integers(1, 2))}",
                   _pad(draw, k), _maybe(draw, "nobias"))]


def _sepconv(draw):
    k = draw(st.integers(1, 3))
    return [_words(f"sepconv {k} {draw(st.integers(1, 6))}", f"m{draw(st.integers(1, 2))}", _pad(draw, k))]


def _deconv(draw):
    return [_words(f"deconv {draw(st.integers(1, 3))} {draw(st.integers(1, 6))}", f"s{draw(st.integers(1, 2))}",
                   draw(st.sampled_from(["same", "p0", "p1"])), _maybe(draw, "outpad=1"))]


def _adaptive(kind):
    return lambda draw: [f"{kind} {draw(st.integers(1, 4))}x{draw(st.integers(1, 4))}"]


def _one_of(*lines):
    return lambda draw: [draw(st.sampled_from(lines))]


SPATIAL = {  # may change height, width or channels
    "conv": _conv, "dwconv": _dwconv, "sepconv": _sepconv, "deconv": _deconv,
    **{kind: _pool(kind) for kind in ("maxpool", "avgpool", "minpool", "l2pool")},
    "subsample": lambda draw: [f"subsample {draw(st.integers(1, 3))} s{draw(st.integers(1, 2))}"],
    **{kind: _adaptive(kind) for kind in ("adaptiveavgpool", "adaptivemaxpool")},
    "pad": _one_of("pad 1", "pad (1, 2)", "pad (0, 1, 0, 1)", "pad 1 reflect", "pad (1, 0, 2, 1) replicate",
                   "pad channels=(1, 2)"),
    "upsample": _one_of("upsample 2", "upsample (1, 2)", "upsample 1.5 bilinear", "upsample (0.5, 2.5)",
                        "upsample size=(5, 9) bilinear"),
    "pixelshuffle": lambda draw: ["if in.c % 4 == 0:", "    pixelshuffle 2"],
    "pixelunshuffle": lambda draw: ["if in.h % 2 == 0 and in.w % 2 == 0:", "    pixelunshuffle 2"],
    "slice": _one_of("slice 0:max(1, in.c // 2)", "slice in.c // 2:in.c"),
    "crop": _one_of("crop 1", "crop (1, 2)", "crop (0, 1, 2, 0)", "crop (2, 0, 0, 3)"),
}
ACTIVATIONS = ("relu", "relu6", "leakyrelu", "sigmoid", "hsigmoid", "tanh", "swish", "hswish", "gelu", "softmax")
KEEPING = {  # keep the shape
    "conv": _one_of("conv 1x1 in.c", "conv 3x3 in.c same",
                    "conv 3x3 2 same table=((0,), (in.c - 1,))"),  # LeNet-5's C3 table
    "dwconv": _one_of("dwconv 3 same", "dwconv 3 p1 nobias"),
    "bn": _one_of("bn", "bn noscale", "bn nocenter", "bn noscale nocenter"),
    "lrn": _one_of("lrn", "lrn size=3"),
    "rescale": _one_of("rescale"), "normalize": _one_of("normalize"), "dropout": _one_of("dropout 0.5"),
    "identity": _one_of("identity"),
    "shuffle": lambda draw: ["if in.c % 2 == 0:", "    shuffle 2"],
    "se": _one_of("se 0.25", "se squeeze=2 act=swish gate=hsigmoid"),
    **{kind: _one_of(kind) for kind in ACTIVATIONS},
    "leakyrelu": _one_of("leakyrelu", "leakyrelu alpha=0.2"),
}


def _indent(lines, depth=1):
    return ["    " * depth + line for line in lines]


def _body(draw):
    return [line for _ in range(draw(st.integers(1, 2))) for line in _pick(draw, KEEPING)]


def _residual(draw):
    if draw(st.booleans()):  # the identity shortcut
        return ["residual:", *_indent(_body(draw))]
    n = draw(st.integers(1, 6))
    return ["residual:", f"    conv 3x3 {n} s2 same", *_indent(_body(draw)), "shortcut:", f"    conv 1x1 {n} s2"]


def _concat(draw):
    branches = [draw(st.sampled_from([["conv 1x1 3"], ["conv 3x3 2 same"], ["maxpool 3 s1 same"],
                                      ["avgpool 3 s1 p1"], ["identity"], ["sepconv 3 4 same"]]))
                for _ in range(draw(st.integers(2, 3)))]
    return ["concat:", *(line for b in branches for line in ["    branch:", *_indent(b, 2)])]


def _mul(draw):
    gate = draw(st.sampled_from([["gap", "sigmoid"], ["conv 1x1 in.c", "hsigmoid"]]))
    return ["mul:", "    branch:", *_indent(_body(draw), 2), "    branch:", *_indent(gate, 2)]


def _add(draw):
    return ["add:", "    branch:", *_indent(_body(draw), 2), "    branch:", "        identity"]


BLOCKS = {"add": _add, "residual": _residual, "concat": _concat, "mul": _mul}
HEADS = {
    **{kind: _one_of(kind) for kind in ("gap", "gmp", "flatten")},
    "fc": lambda draw: [draw(st.sampled_from(["gap", "gmp", "flatten"])),
                        _words(f"fc {draw(st.integers(1, 5))}", _maybe(draw, "nobias"), _maybe(draw, "softmax"))],
    "rbf": lambda draw: [draw(st.sampled_from(["gap", "gmp", "flatten"])), f"rbf {draw(st.integers(1, 5))}"],
}


def _pick(draw, table):
    return table[draw(st.sampled_from(sorted(table)))](draw)


@st.composite
def networks(draw):
    h, w, c = draw(st.integers(6, 14)), draw(st.integers(6, 14)), draw(st.integers(1, 6))
    lines = [f"input {h}x{w}x{c}"]
    for _ in range(draw(st.integers(1, 5))):
        lines += _pick(draw, draw(st.sampled_from([SPATIAL, KEEPING, BLOCKS])))
    if draw(st.booleans()):
        lines += _pick(draw, HEADS)
    return "\n".join(lines) + "\n"


def test_the_random_networks_reach_every_layer_kind():
    """A new layer kind must join a table above (se and sepconv as the composites)."""
    drawn = set(SPATIAL) | set(KEEPING) | set(BLOCKS) | set(HEADS)
    assert set(user_kinds()) <= drawn, f"not drawn: {sorted(set(user_kinds()) - drawn)}"


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(networks(), st.integers(1, 2))
def test_random_networks_execute_as_analysed(text, batch):
    try:
        graph = cnncost.load("<random>", text=text)
    except CnnCostError:
        assume(False)
    result = verify(graph, batch=batch, seed=0)
    assert result.ok, text + "\n" + "\n".join(
        f"{r.name}: {r.differs} {r.analytic} vs {r.executed}" for r in result.mismatches)


# --------------------------------------------------------------------------- the zoo
# Every spec file of specs/ with the resolution and batch its check runs at: the small
# networks at their own size, the ImageNet ones reduced (alexnet's pools need 0.3;
# inception_v1 ends in a 7x7 average pool, so it needs its full 224).
ZOO = {
    "alexnet": ("0.3", 1), "alexnet_caffe": ("0.3", 1), "densenet121": ("0.25", 1),
    "depthwise_6x6x3": (None, 2), "efficientnet_b0": ("0.25", 1), "fashion_mnist": (None, 2),
    "googlenet": ("0.25", 1), "googlenet_aux": ("0.25", 1), "lenet5_1998": (None, 2), "inception_5x5": (None, 1), "inception_bottleneck": (None, 1),
    "inception_module": (None, 1), "inception_v1": (None, 1), "inception_v3": ("0.25", 1),
    "keras_cats_dogs_cnn": ("0.5", 1), "keras_mnist_cnn": (None, 2), "lenet5": (None, 2),
    "mobilenet_table3": (None, 1), "mobilenet_v1": ("0.25", 1), "mobilenet_v2": ("0.25", 2),
    "resnet18": ("0.25", 2), "resnet34": ("0.25", 1), "resnet50": ("0.25", 1),
    "resnet50_v1": ("0.25", 1), "resnet101": ("0.25", 1), "resnet152": ("0.25", 1),
    "squeezenet1_0": ("0.25", 1), "vgg11": ("0.25", 1), "vgg13": ("0.25", 1),
    "vgg16": ("0.25", 1), "vgg16_transfer": ("0.25", 1), "vgg19": ("0.25", 1),
    "efficientnet_b3": ("0.25", 1),  # a variant: width 1.2, depth 1.4 (make_divisible, ceil)
}


def test_the_zoo_table_names_every_spec_file():
    files = {e.spec for e in zoo.entries().values()}
    assert files <= set(ZOO), f"add to ZOO: {sorted(files - set(ZOO))}"


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_spec_executes_as_analysed(name):
    resolution, batch = ZOO[name]
    result = verify(cnncost.load(name, resolution=resolution), batch=batch, seed=0)
    assert result.ok, "\n".join(f"{r.name}: {r.differs} {r.analytic} vs {r.executed}"
                                for r in result.mismatches)
    assert result.total("executed", "macs") == cnncost.analyze(
        cnncost.load(name, resolution=resolution), batch=batch).totals.macs
