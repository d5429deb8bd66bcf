"""The worked cases of tests/data/seed-cases.md (course material), reproduced exactly."""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

import cnncost
from conftest import DATA, analyze_text, rows_after_input


def zoo_report(name, **kwargs):
    return cnncost.analyze(cnncost.load(name, **kwargs))


def weight_and_pool_rows(report):
    """The rows the course tables list: layers with a shape change or weights."""
    skip = {"relu", "tanh", "sigmoid", "softmax", "dropout", "bn", "input"}
    return [(r.op, r.output, r.params, r.macs) for r in report.layers if r.op not in skip]


# ---- case 1: Keras MNIST convnet, layer by layer
CASE1 = [
    ("conv", (26, 26, 32), 320, 194_688),
    ("maxpool", (13, 13, 32), 0, 0),
    ("conv", (11, 11, 64), 18_496, 2_230_272),
    ("maxpool", (5, 5, 64), 0, 0),
    ("conv", (3, 3, 64), 36_928, 331_776),
    ("flatten", (576,), 0, 0),
    ("fc", (64,), 36_928, 36_864),
    ("fc", (10,), 650, 640),
]


def test_case1_keras_mnist():
    report = zoo_report("keras_mnist_cnn")
    assert weight_and_pool_rows(report) == CASE1
    assert (report.totals.params, report.totals.macs) == (93_322, 2_794_240)


# ---- case 2: Keras cats-vs-dogs convnet
CASE2_SHAPES = [(148, 148, 32), (74, 74, 32), (72, 72, 64), (36, 36, 64), (34, 34, 128),
                (17, 17, 128), (15, 15, 128), (7, 7, 128), (6272,), (512,), (1,)]
CASE2_PARAMS = [896, 18_496, 73_856, 147_584, 3_211_776, 513]


def test_case2_cats_vs_dogs():
    report = zoo_report("keras_cats_dogs_cnn")
    rows = weight_and_pool_rows(report)
    assert [r[1] for r in rows] == CASE2_SHAPES
    assert [r[2] for r in rows if r[2]] == CASE2_PARAMS
    assert (report.totals.params, report.totals.macs) == (3_453_121, 236_095_488)


def test_case2_dropout_changes_nothing():
    text = cnncost.zoo.spec_text("keras_cats_dogs_cnn").replace("flatten", "flatten\ndropout 0.5", 1)
    with_dropout = analyze_text(text)
    plain = zoo_report("keras_cats_dogs_cnn")
    assert (with_dropout.totals.params, with_dropout.totals.macs, with_dropout.output) == \
        (plain.totals.params, plain.totals.macs, plain.output)


# ---- case 3: VGG-16 base frozen, new head
def test_case3_transfer_learning_split():
    report = zoo_report("vgg16_transfer")
    t = report.totals
    assert (t.params, t.trainable, t.frozen) == (16_812_353, 2_097_665, 14_714_688)
    pools = [r.output[0] for r in report.layers if r.op == "maxpool"]
    assert [150] + pools == [150, 75, 37, 18, 9, 4]
    flatten = next(r for r in report.layers if r.op == "flatten")
    assert flatten.output == (8192,)


def test_case3_base_alone():
    report = zoo_report("vgg16", params={"include_top": 0}, resolution=150)
    assert report.output == (4, 4, 512) and report.totals.params == 14_714_688


# ---- case 4: VGG configurations A-E at 224x224x3
VGG_C = """
input 224x224x3
def stage(c, n, one_by_one=0):
    repeat n:
        conv 3x3 c same relu
    if one_by_one:
        conv 1x1 c relu
    maxpool 2x2 s2
stage(64, 2)
stage(128, 2)
stage(256, 2, 1)
stage(512, 2, 1)
stage(512, 2, 1)
flatten
fc 4096 relu
fc 4096 relu
fc 1000
"""


@pytest.mark.parametrize("source,params,macs", [
    ("vgg11", 132_863_336, 7_609_090_048),
    ("vgg13", 133_047_848, 11_308_466_176),
    ("C", 133_638_952, 11_770_888_192),
    ("vgg16", 138_357_544, 15_470_264_320),
    ("vgg19", 143_667_240, 19_632_062_464),
])
def test_case4_vgg_configurations(source, params, macs):
    report = analyze_text(VGG_C) if source == "C" else zoo_report(source)
    assert (report.totals.params, report.totals.macs) == (params, macs)


def test_case4_a_lrn_has_the_params_of_a():
    text = cnncost.zoo.spec_text("vgg11").replace("relu", "relu lrn", 1)
    assert analyze_text(text).totals.params == 132_863_336


# ---- case 6: the Inception bottleneck and module
@pytest.mark.parametrize("name,macs,shape", [
    ("inception_5x5", 120_422_400, (28, 28, 32)),
    ("inception_bottleneck", 2_408_448 + 10_035_200, (28, 28, 32)),
    ("inception_module", None, (28, 28, 256)),
])
def test_case6_inception(name, macs, shape):
    report = zoo_report(name)
    assert report.output == shape
    if macs is not None:
        assert report.totals.macs == macs


def test_case6_bottleneck_is_about_ten_times_cheaper():
    ratio = zoo_report("inception_5x5").totals.macs / zoo_report("inception_bottleneck").totals.macs
    assert 9.5 < ratio < 10


# ---- case 7: MobileNet v1, Tables 3, 6 and 7 of the paper, read from seed-cases.md
def seed_tables(section: str) -> list[list[list[str]]]:
    """The markdown tables of one `## N.` section of seed-cases.md: rows of cells, the
    header and rule rows left out."""
    text = (DATA / "seed-cases.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {section}.", 1)[1].split("\n## ", 1)[0]
    tables, rows = [], []
    for line in body.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            tables.append(rows[2:])
            rows = []
    return tables


def to_paper_digits(value: int, figure: str) -> str:
    """`value` rounded half up to the digits the paper's `figure` shows: (52_283_392,
    '52.3 M') -> '52.3 M'. The paper's figures are millions."""
    number, unit = figure.split()
    assert unit == "M", figure
    places = Decimal(number).as_tuple().exponent
    return f"{(Decimal(value) / 10**6).quantize(Decimal(1).scaleb(places), ROUND_HALF_UP)} M"


def exact_and_paper(cell: str) -> tuple[int, str]:
    """'462,422,016 (462 M)' -> (462422016, '462 M')."""
    exact, paper = re.fullmatch(r"([\d,]+) \((.+)\)", cell).groups()
    return int(exact.replace(",", "")), paper


TABLE3, TABLES_6_7 = seed_tables("7")[:2]
# How each row of Table 3 is built from specs/mobilenet_table3.spec.
TABLE3_BUILDS = {
    "conv 3x3": dict(params={"standard": 1}),
    "depthwise-separable": dict(),
    "α = 0.75 (M = N = 384)": dict(width="0.75"),
    "ρ = 0.714 (D_F = 10)": dict(width="0.75", resolution=10),
}


def test_case7_the_tables_are_read():
    assert [row[0] for row in TABLE3] == list(TABLE3_BUILDS)
    assert len(TABLES_6_7) == 7


@pytest.mark.parametrize("row", TABLE3, ids=[row[0] for row in TABLE3])
def test_case7_mobilenet_table3(row):
    (macs, paper_macs), (params, paper_params) = map(exact_and_paper, row[1:])
    report = zoo_report("mobilenet_table3", **TABLE3_BUILDS[row[0]])
    assert (report.totals.macs, report.totals.params) == (macs, params)
    assert to_paper_digits(macs, paper_macs) == paper_macs
    assert to_paper_digits(params, paper_params) == paper_params


def test_case7_alpha_is_the_width():
    by_width = zoo_report("mobilenet_table3", width="0.75", resolution=10)
    by_alpha = zoo_report("mobilenet_table3", params={"alpha": "0.75"}, resolution=10)
    assert by_width.totals == by_alpha.totals


# The paper's 1.0 MobileNet-160 figure is 290 M; the network has 290,675,200 Mult-Adds
# (Keras measures the same, tests/data/zoo-visible.json), which is 291 M. The paper's
# figures at 192, 160 and 128 all agree with its 224 total scaled by rho squared,
# 568,740,352 * (160/224)**2 = 290,173,649 -> 290 M, whereas the 1,024,000 Mult-Adds of
# the classifier do not shrink with the input: 290,675,200 = 1,024,000 +
# (568,740,352 - 1,024,000) * (160/224)**2 exactly.
PAPER_SLIPS = {"1.0 MobileNet-160": ("291 M", "290 M")}  # (ours, the paper's) Mult-Adds
KERAS = {r["name"]: r for r in json.loads((DATA / "zoo-visible.json").read_text())}


@pytest.mark.parametrize("row", TABLES_6_7, ids=[row[0] for row in TABLES_6_7])
def test_case7_mobilenet_tables_6_and_7(row):
    model, paper_macs, paper_params = row
    alpha, resolution = re.fullmatch(r"([\d.]+) MobileNet-(\d+)", model).groups()
    report = zoo_report("mobilenet_v1", width=alpha, resolution=int(resolution))
    macs, params = report.totals.macs, report.totals.params
    keras = KERAS[f"keras_mobilenet_{alpha}_{resolution}"]
    assert (macs, params) == (keras["macs"], keras["params"])
    assert to_paper_digits(params, paper_params) == paper_params
    if model in PAPER_SLIPS:
        assert (to_paper_digits(macs, paper_macs), paper_macs) == PAPER_SLIPS[model]
        at_224, rho2 = KERAS["keras_mobilenet_1.0_224"]["macs"], Fraction(int(resolution), 224) ** 2
        assert to_paper_digits(round(at_224 * rho2), paper_macs) == paper_macs
        assert macs == 1_024_000 + (at_224 - 1_024_000) * rho2
    else:
        assert to_paper_digits(macs, paper_macs) == paper_macs


def test_case7_alpha_and_resolution_from_the_command_line(run_cli):
    code, out, _ = run_cli("summarize", "mobilenet_v1", "-p", "alpha=0.5", "--resolution", "160")
    assert code == 0
    assert "Params: 1,331,592" in out and "MACs (multiply-accumulates): 76,524,800" in out


# ---- case 8: the Fashion-MNIST design
def test_case8_fashion_mnist():
    rows = [(r[1], r[2], r[3]) for r in weight_and_pool_rows(zoo_report("fashion_mnist"))]
    assert rows == [
        ((28, 28, 16), 416, 313_600),
        ((14, 14, 16), 0, 0),
        ((14, 14, 32), 12_832, 2_508_800),
        ((7, 7, 32), 0, 0),
        ((1568,), 0, 0),
        ((10,), 15_690, 15_680),
    ]


# ---- case 9: LeNet-5
def test_case9_lenet5():
    report = zoo_report("lenet5")
    assert [r.output for r in report.layers if r.op in ("conv", "avgpool")] == \
        [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    assert (report.totals.params, report.totals.macs) == (61_706, 416_520)


# ---- case 10: sizes and small sums
@pytest.mark.parametrize("inp,line,shape", [
    ("6x6x1", "conv 3x3 1", (4, 4, 1)),
    ("9x9x1", "conv 3x3 1 p1", (9, 9, 1)),
    ("4x4x1", "maxpool 2x2 s2", (2, 2, 1)),
    ("6x6x1", "maxpool 2x2 s2", (3, 3, 1)),
    ("32x32x3", "conv 5x5 1 s1", (28, 28, 1)),  # (W - F + 2P)/S + 1
    ("15x15x3", "maxpool 3x3 s2", (7, 7, 3)),  # (W - F)/S + 1
])
def test_case10_sizes(inp, line, shape):
    assert analyze_text(f"input {inp}\n{line}\n").output == shape


def test_case10_pooling_removes_three_quarters():
    report = analyze_text("input 4x4x1\nmaxpool 2x2 s2\n")
    assert report.totals.activations * 4 == 16


@pytest.mark.parametrize("c", [1, 3, 8])
def test_case10_filter_weights(c):
    one_5x5 = analyze_text(f"input 9x9x{c}\nconv 5x5 1 nobias\n").totals.params
    two_3x3 = analyze_text(f"input 9x9x{c}\nconv 3x3 {c} nobias\nconv 3x3 1 nobias\n")
    per_filter = [r.params for r in rows_after_input(two_3x3)]
    assert one_5x5 == 25 * c
    assert per_filter[0] // c + per_filter[1] == 18 * c  # one 3x3xc filter of each layer


@pytest.mark.parametrize("n", [3, 5, 7])
def test_case10_factored_kernels(n):
    full = analyze_text(f"input 16x16x1\nconv {n}x{n} 1 nobias\n").totals.params
    factored = analyze_text(f"input 16x16x1\nconv 1x{n} 1 nobias\nconv {n}x1 1 nobias\n").totals.params
    assert (full, factored) == (n * n, 2 * n)


@pytest.mark.parametrize("inp,weights", [("28x28x3", 2_352), ("200x200x3", 120_000)])
def test_case10_fully_connected_unit(inp, weights):
    assert analyze_text(f"input {inp}\nflatten\nfc 1 nobias\n").totals.params == weights


def test_case10_full_hd_fully_connected():
    report = analyze_text("input 1920x1080x3\nflatten\nfc 4_000_000 nobias\n")
    assert report.layers[1].output == (6_220_800,)
    assert report.totals.params == 6_220_800 * 4_000_000 == 24_883_200_000_000  # ~2.5e13
