"""`cnncost export`: the text it writes (golden files), -o, scaling options, and the
errors for what a framework cannot express (no torch needed here)."""
from __future__ import annotations

import re

import pytest

import cnncost
from conftest import GOLDEN, check_golden


@pytest.mark.parametrize("name,to", [("lenet5", "pytorch"), ("lenet5", "keras"),
                                     ("inception_module", "pytorch"), ("depthwise_6x6x3", "keras"),
                                     ("alexnet_caffe", "keras"),
                                     # def calls as classes, numbered chains as nn.Sequential
                                     ("resnet50", "pytorch"), ("googlenet", "pytorch"),
                                     ("mobilenet_v2", "pytorch"), ("densenet121", "pytorch")])  # a repeat as a loop
def test_export_text_golden(run_cli, name, to):
    code, out, err = run_cli("export", name, "--to", to)
    assert (code, err) == (0, "")
    compile(out, f"{name}_{to}.py", "exec")  # valid Python
    assert not re.search(r"^\s*(import|from)\s+cnncost", out, re.M)
    check_golden(GOLDEN / "export" / f"{name}_{to}.py.txt", out)


def test_export_python_api_is_the_cli_text(run_cli):
    _, out, _ = run_cli("export", "mobilenet_v1", "--width", "0.75", "--resolution", "160", "--to", "pytorch")
    graph = cnncost.load("mobilenet_v1", width="0.75", resolution="160")
    assert out == cnncost.export(graph, "pytorch")
    assert "self.conv1 = nn.Conv2d(3, 24, 3, stride=2, bias=False)" in out  # int(0.75*32) = 24
    # TensorFlow 'same' at stride 2 on 160: one row and column of padding, after
    assert "x = self.conv1(F.pad(x, (0, 1, 0, 1)))" in out
    assert "input_shape = (3, 160, 160)" in out


def test_export_to_file(run_cli, tmp_path):
    target = tmp_path / "net.py"
    code, out, err = run_cli("export", "lenet5", "--to", "keras", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text() == cnncost.export(cnncost.load("lenet5"), "keras")
    assert [p.name for p in tmp_path.iterdir()] == ["net.py"]  # no temporary file left


def test_export_to_unwritable_file(run_cli, tmp_path):
    code, out, err = run_cli("export", "lenet5", "--to", "pytorch", "-o", str(tmp_path / "no" / "net.py"))
    assert code == 2 and out == ""
    assert err.startswith(f"error: cannot write {tmp_path / 'no' / 'net.py'}: ")


@pytest.mark.parametrize("text,to,message", [
    ("input 8x8x4\nconv 3x3 4\nslice 0:2\n", "keras",
     "s.spec:3:1: error: cannot export slice1 (slice) to Keras: Keras has no channel-slice layer"),
    ("input 8x8x4\nconv 3x3 4\n    \nminpool 2x2\n", "keras",
     "s.spec:4:1: error: cannot export minpool1 (minpool) to Keras: Keras has no min pooling layer"),
    ("input 9x9x4\navgpool 3x3 d2\n", "pytorch",
     "s.spec:2:1: error: cannot export avgpool1 (avgpool) to PyTorch: PyTorch's AvgPool2d has no dilation"),
    ("input 9x9x4\navgpool 2x2 pad=(1, 0, 1, 0) ceil\n", "pytorch",
     "s.spec:2:1: error: cannot export avgpool1 (avgpool) to PyTorch: ceil mode with this padding has no PyTorch form"),
    ("input 9x9x4\nsubsample 3x3 d2\n", "pytorch",
     "s.spec:2:1: error: cannot export subsample1 (subsample) to PyTorch: PyTorch's avg_pool2d (the window sum"),
    ("input 9x9x4\nsubsample 2x2 pad=(1, 0, 1, 0) ceil\n", "pytorch",
     "s.spec:2:1: error: cannot export subsample1 (subsample) to PyTorch: ceil mode with this padding has no "),
    ("input 8x8x4\ndeconv 3x3 4 s2 g2\n", "keras",
     "s.spec:2:1: error: cannot export deconv1 (deconv) to Keras: Keras's Conv2DTranspose has no groups"),
    ("input 8x8x4\nadaptiveavgpool 3x3\n", "keras",
     "s.spec:2:1: error: cannot export adaptiveavgpool1 (adaptiveavgpool) to Keras: adaptive pooling of 8x8 to 3x3"),
    ("symbol n\ninput (n, n, 3)\nconv 3x3 8\n", "pytorch",
     "error: s has symbolic sizes (n); code needs numbers"),
])
def test_export_refuses_what_the_framework_lacks(run_cli, tmp_path, text, to, message):
    spec = tmp_path / "s.spec"
    spec.write_text(text)
    code, out, err = run_cli("export", str(spec), "--to", to)
    assert (code, out) == (2, "")
    assert message in err.replace(str(tmp_path) + "/", "")
    assert "hint: " in err and "Traceback" not in err


def test_export_to_an_unknown_framework():
    with pytest.raises(cnncost.CnnCostError, match="unknown framework 'onnx'"):
        cnncost.export(cnncost.load("lenet5"), "onnx")
