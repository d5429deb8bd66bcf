"""Issue 18 items 4-8: channels-first input, --width keeping the classes, framework names,
short names that look like flags, and -p errors at the command line."""
from __future__ import annotations

import pytest

import cnncost

INCEPTION_SHORT_NAMES = """\
input 28x28x3
def inception(c1, c3r, c3):
    concat:
        branch:
            conv 1x1 c1
        branch:
            conv 1x1 c3r
            conv 3x3 c3 same
def double(c):
    conv 3x3 c same
    conv 3x3 c same
e1 = double(32)
inception(8, 4, 16)
expect shape 28x28x24
"""


# ---- item 7: only the flags a layer knows are reserved, and only on layer lines
def test_short_names_of_the_form_letter_digit_are_ordinary_names():
    graph = cnncost.load("<t>", text=INCEPTION_SHORT_NAMES)
    assert graph.nodes[graph.output].shape == (28, 28, 24)
    assert [n.name for n in graph.nodes][1:3] == ["e1.conv1", "e1.conv2"]


@pytest.mark.parametrize("text,shape", [
    ("input 8x8x3\nlet c1 = 5\nconv 3x3 c1\n", (6, 6, 5)),
    ("input 8x8x3\nlet e2 = 4\nconv 3x3 channels=e2 same\n", (8, 8, 4)),
    ("input 8x8x3\nrepeat 2 as k1:\n    conv 1x1 4 + k1\n", (8, 8, 5)),
])
def test_letter_digit_variables_on_layer_lines(text, shape):
    graph = cnncost.load("<t>", text=text)
    assert graph.nodes[graph.output].shape == shape


@pytest.mark.parametrize("text,line,message", [
    ("let s2 = 3\n", 1, "'s2' has the form of a flag"),
    ("input 8x8x3\ndef f(p1):\n    conv 3x3 4\nf(1)\n", 2, "'p1' has the form of a flag"),
    ("input 8x8x3\nconv 3x3 4 c1\n", 2, "unknown flag 'c1'"),  # not a variable: still refused
])
def test_known_flags_stay_reserved(text, line, message):
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.load("<t>", text=text)
    assert err.value.span.line == line and message in err.value.message


# ---- item 8: a wrong -p name points at the command line
@pytest.mark.parametrize("args,lines", [
    (("vgg16", "-p", "alpha=0.5"),
     ["<command line>:1:4: error: unknown parameter 'alpha' for -p", "    -p alpha=0.5", "       ^^^^^",
      "hint: vgg16 declares: include_top; --width 0.5 scales its channels (the MobileNet width multiplier)"]),
    (("resnet50", "-p", "width=0.75"),
     ["<command line>:1:4: error: unknown parameter 'width' for -p", "    -p width=0.75", "       ^^^^^",
      "hint: resnet50 declares: no parameters; --width 0.75 scales its channels (the MobileNet width multiplier)"]),
    (("mobilenet_v1", "-p", "alpah=0.5"),
     ["<command line>:1:4: error: unknown parameter 'alpah' for -p", "    -p alpah=0.5", "       ^^^^^",
      "hint: did you mean 'alpha'? mobilenet_v1 declares: alpha, width"]),
])
def test_unknown_p_name_points_at_the_argument(run_cli, args, lines):
    code, out, err = run_cli("summarize", *args)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == lines


# ---- item 5: --width never scales the network's output classes
UNET = """\
input 64x64x3
a = conv 3x3 {c16} same relu
maxpool 2x2
conv 3x3 {c32} same relu
deconv 2x2 {c16} s2
concat a
conv 3x3 {c16} same relu
conv 1x1 2
"""


def test_width_keeps_a_unet_two_class_head():
    scaled = cnncost.analyze(cnncost.load("<t>", text=UNET.format(c16=16, c32=32), width="0.5"))
    by_hand = cnncost.analyze(cnncost.load("<t>", text=UNET.format(c16=8, c32=16)))
    assert scaled.output == (64, 64, 2)
    assert scaled.totals == by_hand.totals
    assert any("line 8 sets the network's output channels and keeps its 2" in n for n in scaled.notes)


@pytest.mark.parametrize("width", ["0.5", "0.25", "2"])
def test_width_keeps_squeezenet_classes(width):
    from fractions import Fraction

    plain = cnncost.load("squeezenet1_0")
    scaled = cnncost.load("squeezenet1_0", width=width)
    convs = [(a, b) for a, b in zip(plain.nodes, scaled.nodes) if a.kind == "conv"]
    *hidden, (last_plain, last) = convs
    assert len(convs) == 26 and last.shape[-1] == last_plain.shape[-1] == 1000
    assert all(b.shape[-1] == int(a.shape[-1] * Fraction(width)) for a, b in hidden)
    report = cnncost.analyze(scaled)
    assert report.output == (1000,)
    last_row = next(r for r in report.layers if r.name == last.name)
    assert last_row.params == scaled.nodes[last.inputs[0]].shape[-1] * 1000 + 1000


def test_width_still_scales_a_conv_before_fc():
    report = cnncost.analyze(cnncost.load("<t>", text="input 8x8x3\nconv 3x3 64 same relu\ngap\nfc 10\n",
                                          width="0.5"))
    assert [r.output for r in report.layers][1] == (8, 8, 32) and report.output == (10,)


# ---- item 6: the names of the frameworks
DATA = __import__("pathlib").Path(__file__).parent / "data" / "layers"


@pytest.mark.parametrize("spec,reference", [
    ("resnet50", "resnet50"), ("vgg16", "vgg16"), ("mobilenet_v2", "mobilenet_v2"),
    ("googlenet", "googlenet"), ("keras_mnist_cnn", "keras_mnist_cnn"),
    ("keras_cats_dogs_cnn", "keras_cats_dogs_cnn"), ("alexnet_caffe", "alexnet_caffe_bvlc"),
])
def test_layers_with_params_have_the_framework_names(spec, reference):
    import json

    rows = json.loads((DATA / f"{reference}.json").read_text())["layers"]
    expected = [(r["name"], r["params"]) for r in rows if r["params"] > 0]
    report = cnncost.analyze(cnncost.load(spec))
    assert [(r.name, r.params) for r in report.layers if r.params > 0] == expected


NAMING = """\
input 8x8x3
def unit(c):
    conv 3x3 c same name=conv bn name=bn relu
def block(c):
    _ = residual:
        conv 1x1 c bn relu
        conv 3x3 c same bn
    _ = shortcut:
        downsample = seq:
            conv 1x1 c bn
    relu
stem = unit(4)
_ = unit(4)
body = seq:
    block(8)
    repeat 2:
        block(8)
    seq:
        conv 1x1 8 relu
    _ = seq:
        dropout 0.5
head = concat:
    branch:
        _ = unit(2)
    branch:
        conv 1x1 2 name=reduce
flatten
fc 10 name=fc
"""


def test_naming_rules():
    names = [n.name for n in cnncost.load("<t>", text=NAMING).nodes]
    assert names == [
        "input", "stem.conv", "stem.bn", "stem.relu1", "conv", "bn", "relu1",
        *[f"body.{i}.{n}" for i in range(3) for n in
          ("conv1", "bn1", "relu1", "conv2", "bn2", "downsample.0", "downsample.1", "add1", "relu2")],
        "body.3.0", "body.3.1", "body.4",
        "head.branch1.conv", "head.branch1.bn", "head.branch1.relu1", "head.branch2.reduce", "head.concat",
        "flatten1", "fc"]


@pytest.mark.parametrize("text,message", [
    ("input 8x8x3\nconv 3x3 4 name=1.5\n", "name= takes a name or a whole number"),
    ("input 8x8x3\nconv 3x3 4 name=a+b\n", "name= takes a name or a whole number"),
    ("input 8x8x3\nconv 3x3 4 name=a name=b bn\n", "conv got 'name' twice"),
    ("input 8x8x3\nconv 3x3 4 bn name=a name=b\n", "bn got 'name' twice"),
])
def test_bad_names(text, message):
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.load("<t>", text=text)
    assert message in err.value.message and err.value.span.line == 2


# ---- item 4: channels-first input
WARNING = ("line 1: input 3x224x224 looks channels-first (C x H x W): cnncost shapes are H x W x C: "
           "did you mean 224x224x3? (`input 3x224x224 chw` or --channels-first reads it as C x H x W)")


@pytest.mark.parametrize("text,shape,warned", [
    ("input 3x224x224\n", (3, 224, 224), True),  # kept as written, but warned about
    ("input 3x224x224 chw\n", (224, 224, 3), False),
    ("input 224x224x3\n", (224, 224, 3), False),
    ("input 224x224x3 hwc\n", (224, 224, 3), False),
    ("input 28x28x192\n", (28, 28, 192), False),  # a feature map: no warning
    ("input 1x1x1000\n", (1, 1, 1000), False),
])
def test_channels_first_input_is_warned_about_or_read(text, shape, warned):
    graph = cnncost.load("<t>", text=text + "conv 1x1 4\n")
    assert graph.input.shape == shape
    assert graph.warnings == ((WARNING,) if warned else ())
    report = cnncost.analyze(graph)
    assert (("warning: " + WARNING) in report.notes) == warned


def test_channels_first_option_reads_the_spec_input(tmp_path):
    spec = tmp_path / "t.spec"
    spec.write_text("input 1x28x28\nconv 5x5 6 p2\n")
    graph = cnncost.load(str(spec), channels_first=True)
    assert graph.input.shape == (28, 28, 1) and graph.warnings == ()
    assert cnncost.analyze(graph).totals.params == 5 * 5 * 1 * 6 + 6


def test_layer_command_warns_and_reads_channels_first(run_cli):
    code, out, err = run_cli("layer", "conv 3x3 64 p1", "--in", "3x224x224")
    assert code == 0 and "on 3x224x224 -> 3x224x64" in out
    assert err == "warning: " + WARNING + "\n"
    code, out, err = run_cli("layer", "conv 3x3 64 p1", "--in", "3x224x224", "--channels-first")
    assert code == 0 and err == "" and "on 224x224x3 -> 224x224x64" in out
    assert "params = 3·3·3·64 + 64 = 1,792" in out


def test_summarize_channels_first(run_cli, tmp_path):
    spec = tmp_path / "chw.spec"
    spec.write_text("input 3x32x32\nconv 3x3 8\n")
    code, out, err = run_cli("summarize", str(spec), "--format", "json")
    assert code == 0 and "did you mean 32x32x3?" in err
    code, out, err = run_cli("summarize", str(spec), "--channels-first", "--format", "json")
    import json

    assert code == 0 and err == "" and json.loads(out)["input"] == [32, 32, 3]


@pytest.mark.parametrize("text,message", [
    ("input 3x224x224 nchw\n", "unknown input layout 'nchw'"),
    ("input 1000 chw\n", "`chw` is the layout of an image, but this input is a vector"),
])
def test_bad_layouts(text, message):
    with pytest.raises(cnncost.CnnCostError) as err:
        cnncost.load("<t>", text=text)
    assert message in err.value.message and err.value.span.line == 1
