"""`cnncost compare` and cnncost.compare: totals side by side, stages, ratios, formats.

Golden files live in tests/golden/compare/; CNNCOST_REGEN_GOLDEN=1 rewrites them (then
read each by eye before committing)."""
from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest

import cnncost
from cnncost import zoo
from cnncost.render.compare import comparison_page, render_compare_table
from cnncost.render.page import render_page_rich
from cnncost.report.comparison import METRIC_KEYS, STAGE_SUMS, stages
from conftest import GOLDEN, check_golden

GOLDEN_COMPARE = GOLDEN / "compare"
THREE = ("vgg16", "resnet50", "mobilenet_v2")


def reports(*names, **kwargs):
    return [cnncost.analyze(cnncost.load(n), **kwargs) for n in names]


@pytest.fixture(scope="module")
def three():
    return cnncost.compare(reports(*THREE))


# ----------------------------------------------------------------- golden output, each format

@pytest.mark.parametrize("fmt,suffix,by", [
    ("table", "txt", "model"), ("table", "txt", "stage"), ("csv", "csv", "model"),
    ("csv", "csv", "stage"), ("markdown", "md", "model"), ("markdown", "md", "stage"),
    ("json", "json", "model"),  # JSON always holds the stages
    ("html", "html", "model"), ("html", "html", "stage"), ("keras", "keras.txt", "model"),
])
def test_golden_compare_three_models(run_cli, fmt, suffix, by):
    code, out, err = run_cli("compare", *THREE, "--format", fmt, "--by", by)
    assert code == 0, err
    check_golden(GOLDEN_COMPARE / f"vgg16_resnet50_mobilenet_v2.{by}.{suffix}", out)


def test_json_is_the_same_by_stage(run_cli):
    assert run_cli("compare", *THREE, "--format", "json")[1] == \
        run_cli("compare", *THREE, "--format", "json", "--by", "stage")[1]


@pytest.mark.parametrize("by", ["model", "stage"])
def test_golden_terminal_table(three, by):
    """The rich drawing, without colour, at a fixed width."""
    text = render_page_rich(comparison_page(three, by), width=110, colour=False)
    check_golden(GOLDEN_COMPARE / f"vgg16_resnet50_mobilenet_v2.{by}.rich.txt", text)


def test_terminal_table_is_rich_with_colour(three):
    text = render_compare_table(three, fancy=True, width=120)
    assert "╭" in text and "\x1b[" in text and "15,470,264,320" in text and "█" in text


# ----------------------------------------------------------------- numbers read back

def test_json_reads_back_to_the_reports_numbers(run_cli):
    _, out, _ = run_cli("compare", *THREE, "--format", "json")
    data = json.loads(out)
    assert data["baseline"] == "vgg16" and [m["label"] for m in data["models"]] == list(THREE)
    for model, report in zip(data["models"], reports(*THREE)):
        t = report.totals
        for key in ("params", "buffers", "macs", "flops", "activations", "peak_activation_bytes",
                    "weight_bytes", "weight_layers", "depth"):
            assert model["totals"][key] == getattr(t, key), key
        assert model["input"] == list(report.input) and model["output"] == list(report.output)
        base = data["models"][0]["totals"]
        assert model["ratios"]["macs"] == pytest.approx(t.macs / base["macs"], rel=1e-15)
        assert model["ratios"]["buffers"] is None  # vgg16 has no buffers: no ratio


def test_csv_reads_back_to_the_json_numbers(run_cli):
    _, out, _ = run_cli("compare", *THREE, "--format", "csv")
    _, js, _ = run_cli("compare", *THREE, "--format", "json")
    rows = list(csv.DictReader(io.StringIO(out)))
    models = json.loads(js)["models"]
    assert [r["label"] for r in rows] == list(THREE)
    for row, model in zip(rows, models):
        for key in METRIC_KEYS:
            assert int(row[key]) == model["totals"][key], key


def test_the_numbers_themselves(three):
    vgg, resnet, mobilenet = three.models
    assert (vgg.params, vgg.macs) == (138_357_544, 15_470_264_320)
    assert (resnet.params, resnet.buffers, resnet.macs) == (25_557_032, 53_120, 4_089_184_256)
    assert (mobilenet.params, mobilenet.macs) == (3_504_872, 300_774_272)
    assert three.ratio(resnet, "params") == Fraction(25_557_032, 138_357_544)
    assert three.ratio(vgg, "macs") == 1
    assert three.ratio(resnet, "buffers") is None


# ----------------------------------------------------------------- stages

@pytest.mark.parametrize("name", sorted(zoo.entries()))
def test_stages_sum_to_the_totals(name):
    report = cnncost.analyze(cnncost.load(name))
    parts = stages(report)
    for key in STAGE_SUMS:
        total = report.totals.flops if key == "flops" else getattr(report.totals, key)
        assert sum(getattr(s, key) for s in parts) == total, key
    assert parts[-1].output == report.output
    # every layer but the input is in exactly one stage, in order
    names = [r.name for r in report.layers[1:]]
    assert parts[0].first == names[0] and parts[-1].last == names[-1]


def test_stage_csv_sums_to_its_total_rows(run_cli):
    _, out, _ = run_cli("compare", *THREE, "--format", "csv", "--by", "stage")
    rows = list(csv.DictReader(io.StringIO(out)))
    for label in THREE:
        mine = [r for r in rows if r["label"] == label]
        body, total = mine[:-1], mine[-1]
        assert total["stage"] == "TOTAL"
        for key in STAGE_SUMS:
            assert sum(int(r[key]) for r in body) == int(total[key]), (label, key)


def test_stages_are_top_level_blocks_and_runs_between_them():
    names = [s.name for s in stages(cnncost.analyze(cnncost.load("resnet50")))]
    assert names == ["conv1..maxpool1", "layer1", "layer2", "layer3", "layer4",
                     "adaptiveavgpool1..fc"]
    vgg = stages(cnncost.analyze(cnncost.load("vgg16")))  # torchvision's features, classifier
    assert [(s.name, s.params, s.weight_layers) for s in vgg] == \
        [("features", 14_714_688, 13), ("avgpool..flatten1", 0, 0), ("classifier", 123_642_856, 3)]
    assert vgg[0].rf_size == (212, 212)


# ----------------------------------------------------------------- depth and receptive field

@pytest.mark.parametrize("name,depth", [
    ("vgg16", 16), ("vgg19", 19), ("alexnet", 8), ("lenet5", 5),
    ("resnet18", 18), ("resnet34", 34), ("resnet50", 50), ("resnet101", 101), ("resnet152", 152),
    ("googlenet", 22),  # "22 layers deep when counting only layers with parameters"
    ("inception_v3", 48),  # "48 layers deep"
    ("mobilenet_v1", 28),  # "counting depthwise and pointwise convolutions as separate layers"
    ("densenet121", 121),
])
def test_depth_is_the_papers_count(name, depth):
    assert cnncost.analyze(cnncost.load(name)).totals.depth == depth


@pytest.mark.parametrize("name,layers", [
    ("vgg16", 16), ("resnet50", 54),  # 49 convs, 4 projection shortcuts, fc
    ("googlenet", 58),  # 3 stem convs, 9 inception modules of 6, fc
    ("mobilenet_v1", 28),
])
def test_weight_layers_count_every_weight_layer(name, layers):
    assert cnncost.analyze(cnncost.load(name)).totals.weight_layers == layers


def test_depth_counts_the_longest_path_of_a_branching_spec():
    from conftest import analyze_text

    report = analyze_text("input 8x8x4\nconcat:\n    branch:\n        conv 1x1 4\n"
                          "    branch:\n        conv 1x1 4\n        conv 3x3 4 same\n"
                          "sepconv 3x3 8\nflatten\nfc 2\n")
    assert report.totals.weight_layers == 6 and report.totals.depth == 5


# Araujo, Norris, Sim: "Computing Receptive Fields of Convolutional Neural Networks",
# Distill 2019, Table 1 (field of the last feature map).
@pytest.mark.parametrize("name,size", [
    ("alexnet", 195), ("vgg16", 212), ("mobilenet_v1", 315), ("resnet50_v1", 483),
    ("inception_v3", 1311),
])
def test_receptive_field_matches_distill(name, size):
    model = cnncost.compare(reports(name)).models[0]
    assert model.receptive_field == size


def test_a_global_layer_keeps_the_jump_so_squeeze_excite_stays_finite():
    from conftest import analyze_text

    report = analyze_text("input 8x8x1\nconv 3x3 4 s2 p1\nse 0.5\n")
    last = report.layers[-1]
    # main path: field 3, jump 2; the SE branch sees the whole 4x4 map: 3 + 3*2 = 9
    assert (last.rf_size, last.rf_jump, last.rf_start) == ((9, 9), (2, 2), (-1, -1))


# ----------------------------------------------------------------- the command line

def test_sort_orders_the_models_and_keeps_the_baseline(run_cli):
    _, out, _ = run_cli("compare", "vgg16", "vgg11", "resnet18", "--sort", "macs", "--format", "json")
    data = json.loads(out)
    assert [m["label"] for m in data["models"]] == ["resnet18", "vgg11", "vgg16"]
    assert data["baseline"] == "vgg16" and data["models"][2]["ratios"]["macs"] == 1
    _, out, _ = run_cli("compare", "vgg16", "vgg11", "resnet18", "--sort", "params", "--reverse",
                        "--format", "csv")
    assert [r["label"] for r in csv.DictReader(io.StringIO(out))] == ["vgg16", "vgg11", "resnet18"]


@pytest.mark.parametrize("args,macs", [
    (("mobilenet_v1:alpha=0.5",), 149_497_088),
    (("mobilenet_v1:resolution=160",), 290_675_200),
    (("mobilenet_v1:alpha=0.5,resolution=160",), 76_524_800),
    (("mobilenet_v1", "-p", "alpha=0.5"), 149_497_088),  # options apply to every SPEC
    (("mobilenet_v1:alpha=0.25", "-p", "alpha=0.5"), 41_030_272),  # a SPEC's own setting wins
    (("mobilenet_v1", "--resolution", "160"), 290_675_200),
])
def test_per_model_settings(run_cli, args, macs):
    code, out, err = run_cli("compare", *args, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["models"][0]["totals"]["macs"] == macs


def test_labels_are_the_specs_as_given(run_cli):
    _, out, _ = run_cli("compare", "mobilenet_v1", "mobilenet_v1:alpha=0.5", "--format", "json")
    models = json.loads(out)["models"]
    assert [m["label"] for m in models] == ["mobilenet_v1", "mobilenet_v1:alpha=0.5"]
    assert models[1]["ratios"]["params"] == pytest.approx(1_331_592 / 4_231_976)


def test_a_spec_file_and_batch_and_dtype(run_cli, tmp_path):
    spec = tmp_path / "tiny.spec"
    spec.write_text("network tiny\ninput 8x8x1\nconv 3x3 2 same\nflatten\nfc 3\n")
    code, out, err = run_cli("compare", str(spec), "lenet5", "--batch", "2", "--dtype", "fp16",
                             "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["dtype"], data["batch"]) == ("fp16", 2)
    tiny = data["models"][0]["totals"]
    assert tiny["params"] == 20 + 387 and tiny["macs"] == 2 * (8 * 8 * 2 * 9 + 128 * 3)
    assert tiny["weight_bytes"] == 2 * 407


@pytest.mark.parametrize("args,message", [
    (("vgg16", "nosuch"), "no spec file or zoo model named 'nosuch'"),
    (("vgg16", "mobilenet_v1:alpha"), "is not SPEC or SPEC:NAME=VALUE"),
    (("mobilenet_v1:alpah=0.5",), "unknown parameter 'alpah'"),
    (("vgg16", "--sort", "speed"), "Invalid value for '--sort'"),
    (("vgg16", "--by", "layer"), "Invalid value for '--by'"),
    ((), "Missing argument"),
])
def test_bad_input_exits_2_with_a_message(run_cli, args, message):
    code, out, err = run_cli("compare", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_no_chart(run_cli):
    _, with_chart, _ = run_cli("compare", "vgg16", "resnet50")
    _, without, _ = run_cli("compare", "vgg16", "resnet50", "--no-chart")
    assert "####" in with_chart and "####" not in without
    assert without in with_chart


# ----------------------------------------------------------------- the Python API

def test_compare_needs_the_same_dtype_and_batch():
    with pytest.raises(ValueError, match="same dtype"):
        cnncost.compare(reports("lenet5") + reports("lenet5", dtype="fp16"))


def test_sorted_by_an_unknown_metric(three):
    with pytest.raises(ValueError, match="unknown metric"):
        three.sorted("speed")


@pytest.mark.parametrize("args", [("compare", "vgg16", "resnet50", "--by", "stage"),
                                  ("sweep", "mobilenet_v1", "-p", "alpha=0.5,1.0")])
def test_no_sympy_numpy_or_matplotlib_on_the_numeric_path(args):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "cnncost", *args, "--format",
                          "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["schema"] == 1
    imported = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "cnncost" in imported
    assert not imported & {"sympy", "numpy", "matplotlib"}
