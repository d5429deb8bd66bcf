"""The 1998 LeNet-5 (LeCun, Bottou, Bengio & Haffner, section II.B): per layer the paper's
trainable parameters and connections, and its totals 60,840 and 340,908."""
import pytest

import cnncost

# (layer, params, connections) as the paper states them
PAPER = [
    ("conv1", 156, 122_304),  # C1
    ("subsample1", 12, 5_880),  # S2
    ("conv2", 1_516, 151_600),  # C3
    ("subsample2", 32, 2_000),  # S4
    ("conv3", 48_120, 48_120),  # C5 ("48,120 trainable connections")
    ("fc1", 10_164, 10_164),  # F6
    ("rbf1", 840, 840),  # the RBF output: 84 x 10
]


@pytest.fixture(scope="module")
def report():
    return cnncost.analyze(cnncost.load("lenet5_1998"))


@pytest.mark.parametrize("name, params, connections", PAPER)
def test_per_layer_as_the_paper(report, name, params, connections):
    row = next(r for r in report.layers if r.name == name)
    assert (row.params, row.connections) == (params, connections)


def test_totals_as_the_paper(report):
    assert report.totals.params == 60_840 == sum(p for _, p, _ in PAPER)
    assert report.totals.connections == 340_908 == sum(c for *_, c in PAPER)
    assert report.output == (10,)
    assert report.totals.depth == 7  # "LeNet-5 comprises 7 layers, not counting the input"


def test_check_marks_the_spec_right(run_cli):
    code, out, err = run_cli("check", "lenet5_1998")
    assert code == 0, out + err
    assert "19 of 19 correct" in out
