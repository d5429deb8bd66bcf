"""Several outputs and heads used only in training: GoogLeNet's two auxiliary classifiers
count in training, not at inference (Szegedy et al. 2014; torchvision googlenet(aux_logits))."""
import json

import pytest

import cnncost
from cnncost.build import inference_graph


def test_googlenet_inference_and_training_totals():
    graph = cnncost.load("googlenet_aux")
    report = cnncost.analyze(graph)
    plain = cnncost.analyze(cnncost.load("googlenet")).totals
    assert (report.totals.params, report.totals.buffers, report.totals.macs) == \
        (6_624_904, 14_560, 1_498_376_192) == (plain.params, plain.buffers, plain.macs)
    # torchvision 0.28: sum(p.numel() for p in googlenet(aux_logits=True).parameters())
    assert report.training.params == 13_004_888
    # each InceptionAux: conv 1x1 (no bias) + BN, fc 2048->1024, fc 1024->1000
    assert report.training.params - report.totals.params == \
        (512 + 528) * 128 + 2 * 2 * 128 + 2 * (2048 * 1024 + 1024 + 1024 * 1000 + 1000)
    assert report.training.macs - report.totals.macs == \
        (512 + 528) * 128 * 16 + 2 * (2048 * 1024 + 1024 * 1000)
    assert report.training_heads == ("aux1", "aux2")
    assert len(report.layers) == len(cnncost.analyze(cnncost.load("googlenet")).layers)
    assert len(cnncost.analyze(graph, training=True).layers) == len(report.layers) + 2 * 9  # pool, conv, bn, relu, flatten, fc, relu, dropout, fc


def test_summarize_shows_both(run_cli):
    code, out, _ = run_cli("summarize", "googlenet_aux", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"]["params"] == 6_624_904
    assert data["training"]["params"] == 13_004_888 and data["training"]["heads"] == ["aux1", "aux2"]
    code, out, _ = run_cli("summarize", "googlenet_aux")
    assert "Training (with aux1, aux2): params 13,004,888 (13.0 M)" in out


SMALL = """input 8x8x1
conv 3x3 4
a = gap
fc 2
main = fc 3
aux = fc 5 from=a
"""


@pytest.mark.parametrize("output, params, training", [
    ("", 40 + 10 + 9 + 25, None),  # no output line: the last statement; every layer counts
    ("output main", 40 + 10 + 9 + 25, None),  # one output: nothing is a training head
    ("output main aux", 40 + 10 + 9 + 25, None),  # two heads, both for inference
    ("output main train aux", 40 + 10 + 9, 40 + 10 + 9 + 25),
    ("output main aux train aux", 40 + 10 + 9, 40 + 10 + 9 + 25),
])
def test_output_heads(output, params, training):
    report = cnncost.analyze(cnncost.build(cnncost.parse(SMALL + output + "\n")))
    assert report.totals.params == params
    assert (report.training.params if report.training else None) == training


@pytest.mark.parametrize("line, message", [
    ("output main train nothere", "unknown output 'nothere'"),
    ("output main train main", "'main' is the main output and cannot be a training head"),
])
def test_output_heads_errors(run_cli, tmp_path, line, message):
    spec = tmp_path / "bad.spec"
    spec.write_text(SMALL + line + "\n")
    code, _, err = run_cli("summarize", str(spec))
    assert code == 2 and message in err


def test_expectations_on_training_heads_are_checked(run_cli, tmp_path):
    spec = tmp_path / "heads.spec"
    spec.write_text(SMALL + "expect params 25\nexpect shape 5\noutput main train aux\n"
                    "expect total params 59\n")
    code, out, err = run_cli("check", str(spec))
    assert code == 0, out + err
    graph = inference_graph(cnncost.build(cnncost.parse(spec.read_text())))
    assert [n.name for n in graph.nodes][-1] == "main"


def test_a_def_call_takes_from():
    text = "input 8x8x2\nx = conv 1x1 4\nconv 1x1 6\ndef two():\n    conv 1x1 3\n    relu\n" \
           "two() from=x\n"
    report = cnncost.analyze(cnncost.build(cnncost.parse(text)))
    assert report.layers[-2].inputs == ("x",)
    assert report.layers[-2].params == 4 * 3 + 3


@pytest.mark.parametrize("command", [("summarize",), ("compare", "googlenet", "--no-chart"), ("sweep", "--resolution", "224")])
def test_training_flag_counts_the_heads(run_cli, command):
    name, *rest = command
    args = [name, *(["googlenet", "googlenet_aux"] if name == "compare" else ["googlenet_aux"]),
            *[r for r in rest if r != "googlenet"], "--format", "json"]
    code, out, err = run_cli(*args)
    assert code == 0, err
    code2, out2, err2 = run_cli(*args, "--aux-heads")
    assert code2 == 0, err2
    assert "6624904" in out.replace(",", "") and "13004888" in out2.replace(",", "")
    assert "13004888" not in out.replace(",", "") or name == "summarize"  # summarize shows both


@pytest.mark.parametrize("text, params, training", [
    # `train` stays a name everywhere; in an output line it marks heads only before more names
    ("input 8x8x1\nlet train = 2\ntrain = conv 3x3 train\nrelu\noutput train\n", 20, None),
    ("input 8x8x1\ntrain = conv 3x3 2\nx = relu\ny = conv 1x1 1 from=train\noutput x train y\n", 20, 23),
    ("input 8x8x1\ntrain = conv 3x3 2\nx = relu\noutput x train\n", 20, None),  # a second head named train
])
def test_train_is_not_reserved(text, params, training):
    report = cnncost.analyze(cnncost.build(cnncost.parse(text)))
    assert report.totals.params == params
    assert (report.training.params if report.training else None) == training
