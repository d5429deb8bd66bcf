"""The training cost (issue 17): hand-checked numbers, the largest batch solved exactly,
the optimizers and precisions, and `cnncost train` in every format."""
from __future__ import annotations

import json

import pytest

import cnncost
from cnncost.passes.training import train_pass
from cnncost.report.training import train_report

VGG_BASE_MACS = 6_615_491_328  # the VGG-16 base on 150x150x3, per image (summarize --depth 0)
FIRST_CONV_MACS = 150 * 150 * 64 * 3 * 3 * 3  # 38,880,000: its input needs no gradient
TRANSFER_PARAMS, TRANSFER_TRAINABLE = 16_812_353, 2_097_665


def _unfrozen(name):
    """The zoo spec with its `freeze:` block made an ordinary `if` block."""
    from conftest import REPO

    text = (REPO / "specs" / f"{name}.spec").read_text()
    return cnncost.load(f"<{name} unfrozen>", text=text.replace("\nfreeze:\n", "\nif 1 == 1:\n"))


def test_transfer_learning_hand_checked():
    """Seed case 3: the frozen VGG-16 base does no backward at all. fc 256 on the 8192
    flattened features computes only its weight gradient (8192 x 256 MACs: its input needs
    none) and saves its input (8192 floats); relu saves its 256 outputs, fc 1 both
    gradients (256 + 256 MACs) and nothing new (its input is relu's output), sigmoid its
    one output."""
    report = train_report(cnncost.load("vgg16_transfer"), batch=1, optimizer="adam")
    t = report.totals
    assert t.backward_weight_macs == 8192 * 256 + 256
    assert t.backward_input_macs == 256
    assert t.backward_macs == 2_097_664
    assert t.saved_bytes == (8192 + 256 + 1) * 4 == 33_796
    assert t.weight_bytes == TRANSFER_PARAMS * 4
    assert t.grad_bytes == TRANSFER_TRAINABLE * 4 == 8_390_660
    assert t.optimizer_bytes == 2 * TRANSFER_TRAINABLE * 4
    # the peak is first reached at the first relu: its 150x150x64 input and output, with the
    # network's input held; the frozen base saves nothing for backward
    assert t.peak_at == "forward vgg16.relu1"  # block1_conv1's relu
    assert t.peak_bytes == (150 * 150 * 3 + 2 * 150 * 150 * 64) * 4 + (TRANSFER_PARAMS + 2 * TRANSFER_TRAINABLE) * 4
    frozen_rows = [r for r in report.layers if r.frozen]
    assert len(frozen_rows) == 31 and not any(r.input_grad or r.weight_grad or r.saved_bytes for r in frozen_rows)


def test_transfer_learning_against_training_the_whole_network():
    """Unfrozen, the base's backward is twice its forward less the first conv's input
    gradient, and every conv saves its input."""
    full = train_report(_unfrozen("vgg16_transfer"), batch=1).totals
    frozen = train_report(cnncost.load("vgg16_transfer"), batch=1).totals
    assert full.backward_macs == 2 * VGG_BASE_MACS - FIRST_CONV_MACS + 2 * 8192 * 256 + 2 * 256
    assert frozen.backward_macs * 6000 < full.backward_macs
    assert full.saved_bytes > 100 * frozen.saved_bytes
    assert full.grad_bytes == TRANSFER_PARAMS * 4


@pytest.mark.parametrize("name, budget", [("alexnet", 3 * 10**9), ("alexnet_caffe", 3 * 2**30),
                                          ("resnet50", 16 * 10**9), ("mobilenet_v2", 4 * 10**9),
                                          ("vgg16_transfer", 10**9), ("lenet5", 4 * 10**6)])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_max_batch_is_exact(name, budget, optimizer):
    """Memory is affine in the batch at every moment of the step: the solved batch fits
    and one more does not."""
    facts = train_pass(cnncost.load(name), optimizer=optimizer)
    n = facts.max_batch(budget)
    assert n >= 1
    assert facts.peak(n)[0] <= budget < facts.peak(n + 1)[0]


def test_nothing_fits_below_the_weights():
    facts = train_pass(cnncost.load("vgg16"))
    assert facts.max_batch(facts.weight_bytes) == 0


def test_alexnet_seed_question():
    """The seeds' AlexNet at batch 128 (torchvision's single tower, SGD, fp32): the step's
    peak and whether it fits in 3 GB."""
    t = train_report(cnncost.load("alexnet"), batch=128, budget=3 * 10**9).totals
    assert (t.peak_bytes, t.fits, t.max_batch) == (970_632_256, True, 656)
    t = train_report(cnncost.load("alexnet_caffe"), batch=128, optimizer="momentum", budget=3 * 10**9).totals
    assert (t.peak_bytes, t.fits, t.max_batch) == (2_339_402_976, True, 180)


@pytest.mark.parametrize("optimizer, states", [("sgd", 0), ("momentum", 1), ("adam", 2), ("adamw", 2)])
def test_optimizer_state(optimizer, states):
    t = train_report(cnncost.load("resnet18"), optimizer=optimizer).totals
    assert t.grad_bytes == 11_689_512 * 4
    assert t.optimizer_bytes == states * 11_689_512 * 4


def test_mixed_precision_halves_activations_keeps_fp32_weights():
    """Under torch.amp activations are 2 bytes; BN statistics stay float32, max-pool
    indices int64; the convolutions and fc save their autocast half copy of the weight."""
    graph = cnncost.load("<amp>", text="input 8x8x3\nconv 3x3 4 same nobias\nbn\nrelu\nmaxpool 2x2\n"
                                       "flatten\nfc 5 nobias\n")
    fp32, amp = (train_report(graph, precision=p).totals for p in ("fp32", "amp-fp16"))
    act = 8 * 8 * 3 + 8 * 8 * 4 + 8 * 8 * 4 + 4 * 4 * 4  # input, bn input, relu output, fc input
    stats, indices = 2 * 4 * 4, 4 * 4 * 4 * 8
    assert fp32.saved_bytes == act * 4 + stats + indices
    assert amp.saved_bytes == act * 2 + stats + indices + (3 * 3 * 3 * 4 + 64 * 5) * 2
    assert amp.weight_bytes == fp32.weight_bytes and amp.grad_bytes == fp32.grad_bytes


def test_cli_table_and_budget(run_cli):
    code, out, err = run_cli("train", "alexnet", "--batch", "128", "--budget", "3GB")
    assert code == 0, err
    assert "Peak of the step: 970.6 MB = 970,632,256 B" in out
    assert "batch 128 fits; largest batch that fits: 656" in out


def test_cli_json(run_cli):
    code, out, _ = run_cli("train", "vgg16_transfer", "--batch", "1", "--optimizer", "adam", "--format", "json",
                           "--budget", "1GB")
    data = json.loads(out)
    t = data["training"]
    assert {k: t[k] for k in ("backward_macs", "saved_bytes", "grad_bytes", "optimizer_bytes")} == \
        {"backward_macs": 2_097_664, "saved_bytes": 33_796, "grad_bytes": 8_390_660,
         "optimizer_bytes": 16_781_320}
    assert t["peak_bytes"] == train_report(cnncost.load("vgg16_transfer"), optimizer="adam").totals.peak_bytes
    assert t["max_batch"] == train_pass(cnncost.load("vgg16_transfer"), optimizer="adam").max_batch(10**9)
    assert sum(r["saved_bytes"] for r in data["layers"]) == t["saved_bytes"]
    assert sum(r["backward_input_macs"] + r["backward_weight_macs"] for r in data["layers"]) == t["backward_macs"]


@pytest.mark.parametrize("fmt, marker", [("markdown", "| **Total** |"), ("html", "<tfoot>")])
def test_cli_formats(run_cli, fmt, marker):
    code, out, _ = run_cli("train", "lenet5", "--format", fmt, "--device", "t4")
    assert code == 0 and marker in out
    assert "NVIDIA T4" in out and "largest batch that fits" in out


@pytest.mark.parametrize("args, message", [
    (["--budget", "lots"], "--budget"),
    (["--budget", "1GB", "--device", "t4"], "not both"),
    (["--device", "xeon-8380"], "--device"),
    (["--optimizer", "lbfgs"], "--optimizer"),
])
def test_cli_usage_errors(run_cli, args, message):
    code, _, err = run_cli("train", "lenet5", *args)
    assert code == 2 and message in err


def test_a_kind_without_a_rule_is_an_error_not_zero(run_cli, tmp_path):
    spec = tmp_path / "mp.spec"
    spec.write_text("input 8x8x3\nconv 1x1 3\nminpool 2x2\n")
    code, out, err = run_cli("train", str(spec))
    assert code == 2 and "minpool" in err and "no rule" in err and "Traceback" not in err


def test_backward_rule_missing_for_a_kind_with_macs():
    from cnncost.layers.autograd import TrainingRuleError
    from cnncost.layers.base import Layer

    class Mystery(Layer):
        """A kind with MACs and no backward rule."""

        name = "mystery"

        def macs(self, a, ins, out):
            return 7

    with pytest.raises(TrainingRuleError, match="mystery"):
        Mystery().backward_macs({}, [(1,)], (1,))
    with pytest.raises(TrainingRuleError, match="mystery"):
        Mystery().saved({}, [(1,)], (1,), None)


def test_check_training_memory(run_cli, tmp_path):
    """`expect training_memory`: after a statement, the bytes its layers save (conv its
    28x28x1 input, relu its 26x26x8 output); `total`: the step's peak at batch 1."""
    peak = train_pass(cnncost.load("<ck>", text="input 28x28x1\nconv 3x3 8 relu\nflatten\nfc 10\n")).peak(1)[0]
    spec = tmp_path / "ck.spec"
    spec.write_text(f"input 28x28x1\nconv 3x3 8 relu\nexpect training_memory {(28 * 28 + 26 * 26 * 8) * 4}\n"
                    f"flatten\nfc 10\nexpect total training_memory {peak}\nexpect total training_memory 1\n")
    code, out, _ = run_cli("check", str(spec))
    assert code == 1 and "2 of 3 correct" in out and "it is 501,112" in out
    assert peak == 501_112


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_compare_training(run_cli, fmt):
    code, out, err = run_cli("compare", "--training", "lenet5", "keras_mnist_cnn", "--batch", "4", "--format", fmt)
    assert code == 0, err
    peaks = [train_report(cnncost.load(n), batch=4).totals.peak_bytes for n in ("lenet5", "keras_mnist_cnn")]
    if fmt == "json":
        assert [m["peak_bytes"] for m in json.loads(out)["models"]] == peaks
    else:
        assert f"({peaks[1] / peaks[0]:.2f}x)" in out


def test_compare_training_refuses_other_formats(run_cli):
    code, _, err = run_cli("compare", "--training", "lenet5", "alexnet", "--format", "csv")
    assert code == 2 and "--training" in err


@pytest.mark.parametrize("kind", sorted(k for k, v in __import__("cnncost.layers", fromlist=["REGISTRY"])
                                        .REGISTRY.items() if not v.composite))
def test_every_kind_decides_what_autograd_saves(kind):
    """Each primitive kind states its saved tensors (possibly none, or a named error); a
    kind with weights states its backward MACs: the base class's defaults never decide."""
    from cnncost.layers import REGISTRY
    from cnncost.layers.base import Layer

    layer = type(REGISTRY[kind])
    assert layer.saved is not Layer.saved
    if layer.category == "weight":
        assert layer.backward_macs is not Layer.backward_macs
