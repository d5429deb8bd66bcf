"""The zoo: every spec names its source, `cnncost zoo` lists every model with counts equal
to `analyze`'s, variants resolve to one spec, and --width reaches each spec's width."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

import cnncost
from cnncost import zoo
from cnncost.render.catalogue import origin
from cnncost.report.catalogue import catalogue, describe

NAMES = list(zoo.entries())
STEMS = sorted({entry.spec for entry in zoo.entries().values()})
VARIANTS = [e for e in zoo.entries().values() if e.name != e.spec]


@pytest.mark.parametrize("stem", STEMS)
def test_every_spec_starts_with_its_source(stem):
    """The first line names the paper or course and the implementation, in one whole line."""
    first = zoo.spec_text(stem).splitlines()[0]
    source = zoo.source(stem)
    assert first == f"# {source}"
    assert 30 <= len(first) <= 110
    assert source.count("(") == source.count(")") and not source.endswith((",", ":", ";", "."))
    assert re.search(r"(19|20)\d\d|course|lecture|deck|module", source), source


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_counts_equal_analyze(name):
    row = describe(zoo.find(name), cnncost.load(name))
    report = cnncost.analyze(cnncost.load(name))
    t = report.totals
    assert (row.input, row.output, row.params, row.buffers, row.macs) == \
        (report.input, report.output, t.params, t.buffers, t.macs)


def test_catalogue_filters_by_name_in_any_case():
    assert [m.name for m in catalogue("ResNet", cnncost.load)] == \
        ["resnet18", "resnet34", "resnet50", "resnet50_v1", "resnet101", "resnet152"]
    assert [m.name for m in catalogue(None, cnncost.load)] == NAMES


def test_variants_are_one_spec_with_settings():
    assert [e.name for e in VARIANTS] == [f"efficientnet_b{i}" for i in range(1, 8)]
    assert all(e.spec == "efficientnet_b0" for e in VARIANTS)
    b3 = describe(zoo.find("efficientnet_b3"), cnncost.load("efficientnet_b3"))
    assert origin(b3) == "efficientnet_b0 with width=1.2, depth=1.4, drop_rate=0.3 at 300"
    assert b3.input == (300, 300, 3)
    b0 = describe(zoo.find("efficientnet_b0"), cnncost.load("efficientnet_b0"))
    assert origin(b0) == zoo.source("efficientnet_b0") and not b0.is_variant


def test_zoo_command_table(run_cli):
    code, out, _ = run_cli("zoo")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Model", "Input", "Params", "MACs", "Source"]
    rows = {line.split()[0]: line for line in lines[2:2 + len(NAMES)]}
    assert list(rows) == NAMES
    assert "224x224x3   25,557,032   4,089,184,256  ResNet-50 (He et al. 2015)" in rows["resnet50"]
    assert "efficientnet_b0 with width=2.0, depth=3.1, drop_rate=0.5 at 600" in rows["efficientnet_b7"]
    assert f"{len(NAMES)} models" in out


def test_zoo_command_filter_and_names(run_cli):
    code, out, _ = run_cli("zoo", "vgg")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[2:7]] == \
        ["vgg11", "vgg13", "vgg16", "vgg16_transfer", "vgg19"]
    code, out, _ = run_cli("zoo", "mobilenet", "--names")
    assert (code, out) == (0, "mobilenet_table3\nmobilenet_v1\nmobilenet_v2\n")


def test_zoo_command_no_match_is_an_input_error(run_cli):
    code, out, err = run_cli("zoo", "nosuchnet")
    assert code == 2 and out == "" and "no zoo model name contains 'nosuchnet'" in err


def test_zoo_command_json(run_cli):
    code, out, _ = run_cli("zoo", "efficientnet", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == 1
    b2 = next(m for m in data["models"] if m["name"] == "efficientnet_b2")
    assert b2 == {"name": "efficientnet_b2", "spec": "efficientnet_b0",
                  "settings": {"width": 1.1, "depth": 1.2, "drop_rate": 0.3}, "resolution": 260,
                  "source": zoo.source("efficientnet_b0"), "input": [260, 260, 3],
                  "output": [1000], "params": 9_109_994, "buffers": 67_568, "macs": 993_561_872}


def test_zoo_command_csv_and_markdown(run_cli):
    code, out, _ = run_cli("zoo", "mobilenet_v", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["name"], int(r["params"]), int(r["macs"])) for r in rows] == \
        [("mobilenet_v1", 4_231_976, 568_740_352), ("mobilenet_v2", 3_504_872, 300_774_272)]
    code, out, _ = run_cli("zoo", "efficientnet_b1", "--format", "csv")
    assert next(csv.DictReader(io.StringIO(out)))["settings"] == \
        "width=1.0 depth=1.1 drop_rate=0.2 resolution=240"
    code, out, _ = run_cli("zoo", "lenet5", "--format", "markdown")
    assert out.splitlines()[2] == "| lenet5 | 32x32x1 | 61,706 | 416,520 | " \
                                  "LeNet-5 (LeCun et al. 1998), as the course notes draw it |"


def test_zoo_command_stays_numeric_and_light():
    """The whole listing builds every model without importing sympy, numpy or rich."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "cnncost", "zoo", "--format",
                          "json"], capture_output=True, text=True)
    assert run.returncode == 0
    assert [m["name"] for m in json.loads(run.stdout)["models"]] == NAMES
    imported = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "cnncost" in imported and not imported & {"sympy", "numpy", "rich"}


# ---------------------------------------------------------------------------- --width
@pytest.mark.parametrize("name,param", [("mobilenet_v1", "alpha"), ("mobilenet_table3", "alpha"),
                                        ("mobilenet_v2", "width"), ("efficientnet_b0", "width")])
def test_width_sets_the_spec_width_parameter(name, param):
    by_width = cnncost.analyze(cnncost.load(name, width="0.5"))
    by_param = cnncost.analyze(cnncost.load(name, {param: "0.5"}))
    plain = cnncost.analyze(cnncost.load(name))
    assert by_width.totals == by_param.totals != plain.totals
    assert by_width.notes == ()  # the spec's own rule, not the paper rule


def test_mobilenet_width_is_keras_alpha(zoo_records):
    keras = {r["name"]: r for r in zoo_records}["keras_mobilenet_0.5_224"]
    t = cnncost.analyze(cnncost.load("mobilenet_v1", width="0.5")).totals
    assert (t.params, t.buffers, t.macs) == (keras["params"], keras["bn_statistics"], keras["macs"])


@pytest.mark.parametrize("name", NAMES)
def test_width_half_builds_every_model(name):
    """--width 0.5 works on every zoo model: by the spec's `param width` where it has one,
    otherwise by the paper rule int(A*N), with a note saying so."""
    report = cnncost.analyze(cnncost.load(name, width="0.5"))
    declares_width = re.search(r"^param width\b", zoo.spec_text(zoo.find(name).spec), re.M)
    assert bool(report.notes) != bool(declares_width)
    if not declares_width:
        assert "int(width*N)" in report.notes[0]
    if name != "efficientnet_b0" and zoo.find(name).spec == "efficientnet_b0":
        return  # B1-B7: see test_scaling_options_override_a_variant
    one_layer = {"depthwise_6x6x3": (9, 5), "inception_5x5": (5, 32)}
    if name in one_layer:  # its one conv sets the output channels: kept (issue 18 item 5)
        assert report.totals == cnncost.analyze(cnncost.load(name)).totals
        line, channels = one_layer[name]
        assert report.notes[1] == f"--width 0.5: line {line} sets the network's output channels and keeps its {channels}"
        return
    assert report.totals.params < cnncost.analyze(cnncost.load(name)).totals.params


def test_scaling_options_override_a_variant():
    """--width, --depth-mult and --resolution win over a variant's settings."""
    b1 = cnncost.analyze(cnncost.load("efficientnet_b1", width="0.5", depth="1.0", resolution=224))
    b0 = cnncost.analyze(cnncost.load("efficientnet_b0", {"drop_rate": "0.2"}, width="0.5"))
    assert b1.totals == b0.totals
    assert cnncost.analyze(cnncost.load("efficientnet_b1", resolution=224)).totals.macs == 569_651_680
