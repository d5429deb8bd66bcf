"""Issue 18 items 9, 10 and 12 (the rendering ones), each with the issue's reproducer:
reports in the REPL, --columns and the trainable column, totals without a repeated short
form, `layer --format`, `--format keras` for global pooling, fractional receptive fields,
`graph --depth`, `check --format json` on a broken spec, and the order of --help."""
from __future__ import annotations

import json
import re

import pytest

import cnncost
from cnncost.cli.app import COMMANDS
from conftest import analyze_text


@pytest.fixture(scope="module")
def resnet50():
    return cnncost.analyze(cnncost.load("resnet50"))


# ---------------------------------------------------------------- item 9: str and repr
@pytest.mark.parametrize("spec, line", [
    ("resnet50", "<Report resnet50: 25,557,032 params, 4.09 G MACs>"),
    ("vgg16", "<Report vgg16: 138,357,544 params, 15.5 G MACs>"),
    ("lenet5", "<Report lenet5: 61,706 params, 417 k MACs>"),
])
def test_repr_of_a_report_is_one_line(spec, line):
    assert repr(cnncost.analyze(cnncost.load(spec))) == line


def test_str_of_a_report_is_its_summary_table(resnet50):
    text = str(resnet50)
    lines = text.splitlines()
    assert lines[0] == "resnet50  (input 224x224x3)"
    assert lines[2].split() == ["Layer", "Op", "Output", "Params", "MACs", "RF"]
    assert "Params: 25,557,032 (25.6 M)" in lines
    assert len(lines) == len(resnet50.layers) + 14  # title, header, rows, totals, sentences


@pytest.mark.parametrize("spec, line", [
    ("vgg16", "<Graph vgg16: 40 layers, input 224x224x3, output 1000>"),
    ("lenet5", "<Graph lenet5: 12 layers, input 32x32x1, output 10>"),
])
def test_repr_of_a_graph_is_one_line(spec, line):
    assert repr(cnncost.load(spec)) == line


def test_comparison_and_sweep_show_themselves():
    lenet = cnncost.analyze(cnncost.load("lenet5"))
    comparison = cnncost.compare([lenet, lenet], labels=["a", "b"])
    assert repr(comparison) == "<Comparison of a, b>"
    assert "61,706" in str(comparison)
    result = cnncost.sweep("mobilenet_v1", {"alpha": ["1.0", "0.5"]})
    assert repr(result) == "<Sweep mobilenet_v1: 2 points over alpha (2)>"
    assert "4,231,976" in str(result) and "1,331,592" in str(result)
    assert "<table>" in result._repr_html_()


# ---------------------------------------------------------------- item 10: columns
LENET_CONV = "conv_pool1.conv1"


@pytest.mark.parametrize("columns, header, cells", [
    ("params,macs", ["Layer", "Params", "MACs"], ["156", "117,600"]),
    ("macs,params", ["Layer", "MACs", "Params"], ["117,600", "156"]),
    ("input,output,kernel", ["Layer", "Input", "Output", "Kernel"], ["32x32x1", "28x28x6", "5x5"]),
    ("params%,macs%", ["Layer", "Params %", "MACs %"], ["0.3%", "28.2%"]),
    ("trainable,rf", ["Layer", "Trainable", "RF"], ["Y", "5"]),
    ("memory", ["Layer", "Memory"], ["18.8", "kB"]),  # 28*28*6 values x 4 bytes
    ("op,layer", ["Op", "Layer"], []),
])
def test_columns_choose_and_order(run_cli, columns, header, cells):
    code, out, _ = run_cli("summarize", "lenet5", "--columns", columns)
    assert code == 0
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[2].strip()) == header
    row = next(line for line in lines if LENET_CONV in line.split())
    assert row.split()[-len(cells):] == cells if cells else row.split() == ["conv", LENET_CONV]


def test_percent_columns_add_up_and_total_100(run_cli):
    _, out, _ = run_cli("summarize", "resnet50", "--columns", "params%,macs%")
    rows = [line.split() for line in out.splitlines()[4:] if line.split() and line.split()[-1].endswith("%")]
    total = rows[-1]
    assert total[0] == "Total" and total[1:] == ["100.0%", "100.0%"]
    assert abs(sum(float(r[-2][:-1]) for r in rows[:-1]) - 100) < 0.1 * len(rows)


def test_unknown_column_is_a_usage_error(run_cli):
    code, _, err = run_cli("summarize", "lenet5", "--columns", "params,flopz")
    assert code == 2
    assert "unknown column 'flopz'" in err and "macs%" in err


def test_columns_apply_to_markdown_and_html(run_cli):
    _, md, _ = run_cli("summarize", "lenet5", "--columns", "kernel,params", "--format", "markdown")
    assert "| Layer | Kernel | Params |" in md
    _, html, _ = run_cli("summarize", "lenet5", "--columns", "kernel,params", "--format", "html")
    assert "<th>Kernel</th>" in html.replace(' class="n"', "")


def test_columns_refused_where_a_format_has_its_own(run_cli):
    code, _, err = run_cli("summarize", "lenet5", "--columns", "params", "--format", "keras")
    assert code == 2 and "--columns" in err


@pytest.mark.parametrize("spec, shown", [("vgg16_transfer", True), ("vgg16", False)])
def test_trainable_column_when_anything_is_frozen(run_cli, spec, shown):
    _, out, _ = run_cli("summarize", spec, "--depth", "0")
    header = out.splitlines()[2].split()
    assert ("Trainable" in header) is shown
    if shown:
        rows = {line.split()[0]: line.split() for line in out.splitlines()[4:] if line.split()}
        column = header.index("Trainable")
        assert rows["vgg16"][column] == "N"  # the frozen VGG base
        assert rows["input"][column] == "-"


README_SPEC = "input 28x28x1\nconv 5x5 16 s1 p2 bn relu\n"


def test_totals_read_params_448_not_448_448():
    text = str(analyze_text(README_SPEC))
    assert "Params: 448\n" in text
    assert "448 (448)" not in text


# ---------------------------------------------------------------- item 12: layer --format
def test_layer_format_table_text_and_markdown(run_cli):
    args = ("layer", "conv 3x3 5 nobias", "--in", "6x6x3", "--vs", "sepconv 3x3 5 nobias")
    _, table, _ = run_cli(*args, "--format", "table")
    _, text, _ = run_cli(*args, "--format", "text")
    _, default, _ = run_cli(*args)
    assert table == text == default
    code, md, _ = run_cli(*args, "--format", "markdown")
    assert code == 0
    assert "### a: `conv 3x3 5 nobias` on 6x6x3 -> 4x4x5" in md
    assert "| params | 135 | 42 | 14/45 = 0.311  (a/b = 3.21) |" in md
    assert "| MACs | 2,160 | 672 | 14/45 = 0.311  (a/b = 3.21) |" in md
    assert "  - `MACs = 4·4·3 × 3·3 = 432`" in md


# ---------------------------------------------------------------- item 12: keras and gap
@pytest.mark.parametrize("spec, row", [
    ("resnet50_v1", "avg_pool │ (None, 2048) │ 0 │ conv5_block3_out[0][0] │\n│ (GlobalAveragePooling2D) │"),
    ("densenet121", "(GlobalAveragePooling2D)"),
])
def test_keras_shows_global_pooling_as_a_vector_without_flatten(run_cli, spec, row):
    _, out, _ = run_cli("summarize", spec, "--format", "keras")
    assert re.sub(r" +", " ", row) in re.sub(r" +", " ", out)
    assert "(Flatten)" not in out
    assert "(None, 1, 1, " not in out


def test_keras_keeps_the_1x1_when_no_flatten_follows(run_cli):
    """Keras's MobileNet pools with keepdims=True: gap, dropout, conv_preds on 1x1."""
    _, out, _ = run_cli("summarize", "mobilenet_v1", "--format", "keras")
    assert "(GlobalAveragePooling2D)" in out and "(None, 1, 1, 1024)" in out


# ---------------------------------------------------------------- item 12: deconv fields
@pytest.mark.parametrize("layers, field, exact", [
    # deconv 2x2 s2: each output reads one input; the conv after it reads 2 outputs, which
    # come from 1 or 2 inputs: the recurrence says 3/2 (the jump is 1/2)
    ("deconv 2x2 8 s2; conv 2x2 4", "2*", 1.5),
    # deconv 3x3 s2 after a 3x3 conv: ceil(3/2) = 2 inputs at jump 1 -> 3 + 1 = 4
    ("conv 3x3 8; deconv 3x3 8 s2", "4", 4),
])
def test_transposed_convolutions_never_print_a_fractional_field(run_cli, tmp_path, layers, field, exact):
    spec = tmp_path / "up.spec"
    spec.write_text("input 8x8x3\n" + "\n".join(line.strip() for line in layers.split(";")) + "\n")
    _, out, _ = run_cli("summarize", str(spec))
    last = [line for line in out.splitlines() if line.split() and line.split()[0].endswith("1")][-1]
    assert last.split()[-1] == field
    assert "1.5" not in out and "3/2" not in out
    assert ("rounded up" in out) is field.endswith("*")
    _, data, _ = run_cli("summarize", str(spec), "--format", "json")
    assert json.loads(data)["layers"][-1]["rf"]["size"] == [exact, exact]


# ---------------------------------------------------------------- item 12: graph --depth
@pytest.mark.parametrize("depth, boxes, box", [
    ("0", 12, 'n5["layer1<br/>layer 56x56x256"]'),  # torchvision's layer1 (issue 18 item 6)
    ("1", None, '["0<br/>block 56x56x256"]'),
])
def test_graph_depth_draws_blocks_as_boxes(run_cli, depth, boxes, box):
    code, out, _ = run_cli("graph", "resnet50", "--depth", depth, "--format", "mermaid")
    assert code == 0 and box in out
    if boxes is not None:
        assert len(re.findall(r'^  n\d+\["', out, re.M)) == boxes
        assert "subgraph" not in out
        assert out.count(" --> ") == boxes - 1  # a chain once the blocks are boxes


# ---------------------------------------------------------------- item 12: check json
def test_check_json_on_a_broken_spec_is_a_json_error(run_cli, tmp_path):
    spec = tmp_path / "hw.spec"
    spec.write_text("input 28x28x1\nconv 5x5 16 s1 p2 bn relu\nconv 3x3 foo=1\nexpect params 416\n")
    code, out, err = run_cli("check", str(spec), "--format", "json")
    assert code == 2
    error = json.loads(out)["error"]
    assert (error["line"], error["column"], error["type"]) == (3, 10, "SpecNameError")
    assert error["message"] == "conv has no option 'foo'" and error["source"] == "conv 3x3 foo=1"
    assert "options:" in error["hint"]
    assert "hw.spec:3:10" in err  # the located text still goes to stderr


# ---------------------------------------------------------------- item 12: --help order
@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_format_first_and_max_nodes_last(run_cli, command):
    _, out, _ = run_cli(command, "--help")
    options = re.findall(r"^  (?:-\w, )?(--[\w-]+)", out.split("Options:")[1], re.M)
    assert options[-1] == "--help"
    if "--max-nodes" in options:
        assert options[-2] == "--max-nodes"
    if "--format" in options:
        assert options[0] == "--format"


# ---------------------------------------------------------------- item 1: fitting, unit level
@pytest.mark.parametrize("width", [60, 80, 100])
def test_a_ratio_column_stays_with_its_model_when_a_comparison_is_split(width):
    from cnncost.render.compare import comparison_page
    from cnncost.render.page import render_page_rich

    reports = [cnncost.analyze(cnncost.load(n)) for n in ("vgg16", "resnet50", "mobilenet_v2", "googlenet")]
    text = render_page_rich(comparison_page(cnncost.compare(reports)), width, colour=False)
    headers = [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()
               if line.startswith("│ ") and line.split("│")[1].strip() == ""]
    assert len(headers) > 1  # split into parts at these widths
    for cells in headers:
        assert cells[1] != "x"  # a part never starts with a ratio cut off from its model
    assert max(len(line) for line in text.splitlines()) <= width
