"""compare and sweep in the html and keras formats: the same numbers as the other formats."""
import json
import re


def test_compare_html_has_the_totals_and_one_bar_per_model_and_series(run_cli):
    code, out, _ = run_cli("compare", "vgg16", "resnet50", "mobilenet_v2", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    _, data, _ = run_cli("compare", "vgg16", "resnet50", "mobilenet_v2", "--format", "json")
    for model in json.loads(data)["models"]:
        assert f"{model['totals']['params']:,}" in out
        assert f"{model['totals']['macs']:,}" in out
    assert len(re.findall(r'<rect class="bar', out)) == 3 * 2  # MACs and params of 3 models
    assert "<script" not in out and "http" not in out.split("<svg", 1)[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_compare_html_by_stage_draws_each_models_stages(run_cli):
    _, out, _ = run_cli("compare", "vgg16", "resnet18", "--by", "stage", "--format", "html")
    assert out.count("<table>") == 3  # totals, then one stage table per model
    assert "MACs by stage: vgg16" in out and "MACs by stage: resnet18" in out


def test_compare_keras_prints_each_models_summary(run_cli):
    code, out, _ = run_cli("compare", "keras_mnist_cnn", "lenet5", "--format", "keras")
    assert code == 0
    assert out.index('Model: "keras_mnist_cnn"') < out.index('Model: "lenet5"')
    assert "Total params: 93,322" in out and "Total params: 61,706" in out


def test_sweep_html(run_cli):
    code, out, _ = run_cli("sweep", "mobilenet_v1", "-p", "alpha=0.5,1.0", "--format", "html")
    assert code == 0 and "<table>" in out
    _, data, _ = run_cli("sweep", "mobilenet_v1", "-p", "alpha=0.5,1.0", "--format", "json")
    for point in json.loads(data)["points"]:
        assert f"{point['totals']['macs']:,}" in out
