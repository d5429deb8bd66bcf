"""Every output format: golden files on vgg16 and resnet50, JSON and CSV read back to the
report's numbers, and the invariant that per-layer columns sum to the printed totals.

Regenerate the golden files after a deliberate change (then review them by eye):
    CNNCOST_REGEN_GOLDEN=1 python -m pytest tests/test_formats.py
"""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

import cnncost
from cnncost.render import FORMATS
from conftest import GOLDEN, check_golden

EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "keras": "txt",
              "html": "html"}
MODELS = ("vgg16", "resnet50")


def render(fmt: str, report) -> str:
    """The output `cnncost summarize --format FMT` writes to a pipe or a file."""
    return FORMATS[fmt](report, fancy=False) if fmt == "table" else FORMATS[fmt](report)


@pytest.fixture(scope="module")
def reports():
    return {m: cnncost.analyze(cnncost.load(m)) for m in (*MODELS, "vgg16_transfer")}


def test_every_format_has_a_golden_file_and_a_parser():
    assert set(FORMATS) == set(EXTENSIONS) == set(PARSERS)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_golden(fmt, model, reports):
    check_golden(GOLDEN / fmt / f"{model}.{EXTENSIONS[fmt]}", render(fmt, reports[model]))


# --- read back ------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_json_reads_back_to_the_report(model, reports):
    report = reports[model]
    data = json.loads(render("json", report))
    t = report.totals
    for key in ("params", "trainable", "frozen", "buffers", "macs", "flops", "other_ops",
                "activations", "peak_activation_bytes", "weight_bytes"):
        assert data["totals"][key] == getattr(t, key), key
    assert len(data["layers"]) == len(report.layers)
    for layer, row in zip(data["layers"], report.layers):
        assert (layer["name"], layer["op"], tuple(layer["output"]), layer["line"]) == \
               (row.name, row.op, row.output, row.line)
        for key in ("params", "trainable", "frozen", "buffers", "macs", "other_ops", "activations"):
            assert layer[key] == getattr(row, key), (row.name, key)
        assert layer["rf"] == {"size": list(row.rf_size), "jump": list(row.rf_jump),
                               "start": list(row.rf_start)}


@pytest.mark.parametrize("model", MODELS)
def test_csv_reads_back_to_the_report(model, reports):
    report = reports[model]
    rows = list(csv.DictReader(io.StringIO(render("csv", report))))
    *layers, total = rows
    numbers = ("params", "trainable", "frozen", "buffers", "macs", "other_ops", "activations")
    assert total["name"] == "TOTAL"
    for key in numbers:
        assert int(total[key]) == getattr(report.totals, key), key
    assert len(layers) == len(report.layers)
    for layer, row in zip(layers, report.layers):
        assert (layer["name"], layer["op"], layer["output"], int(layer["line"])) == \
               (row.name, row.op, "x".join(map(str, row.output)), row.line)
        for key in numbers:
            assert int(layer[key]) == getattr(row, key), (row.name, key)
        assert layer["rf_size"] == "x".join(map(str, row.rf_size))


# --- the invariant: per-layer columns sum to the printed totals ---------------------------

def _int(text: str) -> int:
    return int(text.strip().strip("*").replace(",", ""))


def parse_table(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Layer "))
    rule = lines[start + 1]
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    end = lines.index(rule, start + 2)
    cells = [[line[a:b].strip() for a, b in spans] for line in lines[start + 2:end]]
    total = [lines[end + 1][a:b].strip() for a, b in spans]
    assert total[0] == "Total"
    return {"params": [_int(c[3]) for c in cells], "macs": [_int(c[4]) for c in cells],
            "total_params": _int(total[3]), "total_macs": _int(total[4])}


def parse_markdown(text):
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    header, *layers, total = rows
    assert header[3].strip() == "Params" and header[4].strip() == "MACs"
    assert total[0].strip() == "**Total**"
    return {"params": [_int(r[3]) for r in layers], "macs": [_int(r[4]) for r in layers],
            "total_params": _int(total[3]), "total_macs": _int(total[4])}


def parse_csv(text):
    *layers, total = csv.DictReader(io.StringIO(text))
    return {"params": [int(r["params"]) for r in layers], "macs": [int(r["macs"]) for r in layers],
            "total_params": int(total["params"]), "total_macs": int(total["macs"])}


def parse_json(text):
    data = json.loads(text)
    return {"params": [r["params"] for r in data["layers"]],
            "macs": [r["macs"] for r in data["layers"]],
            "total_params": data["totals"]["params"], "total_macs": data["totals"]["macs"]}


def parse_keras(text):
    """Keras prints no MACs; its "Param #" counts buffers too, and so does its total."""
    params = []
    for line in text.splitlines():
        if line.startswith("│"):
            cell = line.split("│")[3].strip()
            if cell:  # a row wrapped over several lines has its number on the first
                params.append(_int(cell))
    found = dict(re.findall(r"^ (Total|Trainable|Non-trainable) params: ([\d,]+)", text, re.M))
    total = _int(found["Total"])
    assert _int(found["Trainable"]) + _int(found["Non-trainable"]) == total
    return {"params": params, "macs": None, "total_params": total, "total_macs": None,
            "keras": True}


class _Tables(HTMLParser):
    """The cells of every table body and footer, and the tooltips of the chart's bars."""

    def __init__(self):
        super().__init__()
        self.body, self.foot, self.bars = [], [], []
        self._part = self._row = self._cell = None
        self._in_bar = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("tbody", "tfoot"):
            self._part = self.body if tag == "tbody" else self.foot
        elif tag == "tr" and self._part is not None:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "rect" and "bar" in attrs.get("class", ""):
            self._in_bar = True
        elif tag == "title" and self._in_bar:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._part.append(self._row)
            self._row = None
        elif tag in ("tbody", "tfoot"):
            self._part = None
        elif tag == "title" and self._in_bar:
            self.bars.append("".join(self._cell))
            self._cell = None
        elif tag == "rect":
            self._in_bar = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_html(text):
    tables = _Tables()
    tables.feed(text)
    (total,) = tables.foot
    assert total[0] == "Total"
    bars = {"MACs": [], "Params": []}
    for tip in tables.bars:  # "stage1.0.conv1: 1,792 Params"
        value, series = tip.rsplit(": ", 1)[1].split(" ")
        bars[series].append(_int(value))
    assert bars == {"MACs": [_int(r[4]) for r in tables.body],
                    "Params": [_int(r[3]) for r in tables.body]}  # the chart shows the table
    return {"params": [_int(r[3]) for r in tables.body], "macs": [_int(r[4]) for r in tables.body],
            "total_params": _int(total[3]), "total_macs": _int(total[4])}


PARSERS = {"table": parse_table, "markdown": parse_markdown, "csv": parse_csv, "json": parse_json,
           "keras": parse_keras, "html": parse_html}


@pytest.mark.parametrize("model", (*MODELS, "vgg16_transfer"))
@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_per_layer_columns_sum_to_the_printed_totals(fmt, model, reports):
    report = reports[model]
    parsed = PARSERS[fmt](render(fmt, report))
    t = report.totals
    expected_params = t.params + t.buffers if parsed.get("keras") else t.params
    assert parsed["total_params"] == expected_params
    assert sum(parsed["params"]) == parsed["total_params"]
    if parsed["macs"] is not None:
        assert parsed["total_macs"] == t.macs
        assert sum(parsed["macs"]) == parsed["total_macs"]
        assert len(parsed["macs"]) == len(report.layers)


ADDITIVE = ("params", "trainable", "frozen", "buffers", "macs", "other_ops", "activations")


@pytest.mark.parametrize("model", MODELS)
def test_every_additive_column_of_json_and_csv_sums_to_its_total(model):
    """Every per-layer count, convention column and roofline figure adds up to its total."""
    from cnncost.conventions import PROFILES

    report = cnncost.analyze(cnncost.load(model), conventions=tuple(PROFILES), device="a100")
    data = json.loads(render("json", report))
    layers, totals = data["layers"], data["totals"]
    for key in ADDITIVE:
        assert sum(row[key] for row in layers) == totals[key], key
    for name, convention in data["conventions"].items():
        assert sum(row["conventions"][name] for row in layers) == convention["total"], name
    roof = [row["roofline"] for row in layers if row["roofline"]]
    assert sum(r["bytes_in"] + r["bytes_weights"] + r["bytes_out"] for r in roof) == data["roofline"]["bytes"]
    assert sum(r["flops"] for r in roof) == data["roofline"]["flops"]
    assert sum(r["latency_s"] for r in roof) == pytest.approx(data["roofline"]["latency_s"], rel=1e-12)
    assert sum(r["bound"] == "memory" for r in roof) == data["roofline"]["memory_bound_layers"]
    *rows, total = csv.DictReader(io.StringIO(render("csv", report)))
    assert total["name"] == "TOTAL"
    for key in ADDITIVE:
        assert sum(int(row[key]) for row in rows) == int(total[key]) == totals[key], key


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_collapsed_rows_still_sum_to_the_totals(fmt, reports):
    report = cnncost.collapse(reports["resnet50"], 1)
    parsed = PARSERS[fmt](render(fmt, report))
    assert sum(parsed["params"]) == parsed["total_params"]
    if parsed["macs"] is not None:
        assert sum(parsed["macs"]) == parsed["total_macs"] == 4_089_184_256


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_summarize_writes_every_format(fmt, run_cli):
    code, out, err = run_cli("summarize", "vgg16", "--format", fmt)
    assert code == 0, err
    assert out == render(fmt, cnncost.analyze(cnncost.load("vgg16")))
