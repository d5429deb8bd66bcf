"""The HTML page: self-contained, escaped, one bar per layer and series, a fragment for
Jupyter that `import cnncost` does not pay for."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import cnncost
from cnncost.render.html import BAR, document, fragment, report_html
from cnncost.render.page import Bar, Card, Chart, Page, Table
from conftest import analyze_text


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def tags(text):
    parser = _Tags()
    parser.feed(text)
    return parser


HOSTILE = '<script>alert("x")</script> & "quotes"'


def test_all_text_is_escaped():
    text = document(Page(HOSTILE, (Table(HOSTILE, (HOSTILE, "n"), ((HOSTILE, "5"),), (False, True),
                                         footer=((HOSTILE, "5"),), notes=(HOSTILE,)),
                                   Chart(HOSTILE, (Bar(HOSTILE, 5, "5"),))),
                         subtitle=HOSTILE, cards=(Card(HOSTILE, 7),)))
    parsed = tags(text)
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert text.count("&lt;script&gt;") >= 8
    assert HOSTILE in "".join(parsed.text)  # shown as written


@pytest.mark.parametrize("model", ["vgg16", "resnet50"])
def test_page_is_self_contained(model):
    text = report_html(cnncost.analyze(cnncost.load(model)))
    found = {tag for tag, _ in tags(text).tags}
    assert {"table", "svg", "rect", "style"} <= found
    assert not found & {"script", "link", "img", "iframe", "object"}
    assert re.findall(r"https?://[^\s\"']+", text) == ["http://www.w3.org/2000/svg"]  # xmlns only


def test_one_bar_per_layer_and_series_scaled_to_the_largest():
    report = cnncost.analyze(cnncost.load("vgg16"))
    rects = [attrs for tag, attrs in tags(report_html(report)).tags if tag == "rect"]
    assert len(rects) == 2 * len(report.layers)
    macs = [float(r["width"]) for r in rects if r["class"] == "bar s0"]
    params = [float(r["width"]) for r in rects if r["class"] == "bar s1"]
    assert len(macs) == len(params) == len(report.layers)
    assert max(macs) == max(params) == BAR
    # stage1.1.conv1 (1,849,688,064 MACs) is the largest; stage1.0.conv1 has 86,704,128
    assert macs[1] == round(BAR * 86_704_128 / 1_849_688_064, 1)
    assert params[0] == 0.0  # the input


def test_symbolic_report_has_a_table_and_no_chart():
    report = analyze_text("network t\nsymbol n\ninput 8x8x3\nconv 3x3 n\n")
    text = report_html(report)
    assert "<table>" in text and "<svg" not in text and "28*n" in text


def test_jupyter_shows_a_fragment():
    report = cnncost.analyze(cnncost.load("lenet5"))
    html = report._repr_html_()
    assert html.startswith('<div class="cnncost"><style>') and "<html" not in html
    assert "61,706" in html and "<svg" in html
    assert report_html(report).count(html) == 1  # the page is that fragment, wrapped


def test_generic_page_for_other_tables():
    """What `compare` will use: any rows, numbers right-aligned, a chart of one column."""
    text = fragment(Page("two nets", (Table("models", ("model", "params"), (("a", "10"), ("b", "1,000")),
                                            (False, True)),
                                      Chart("params", (Bar("a", 10, "10"), Bar("b", 1_000, "1.0 k"))))))
    assert '<td class="n">1,000</td>' in text and "<td>a</td>" in text
    widths = re.findall(r'<rect class="bar s0" x="\d+" y="\d+" width="([\d.]+)"', text)
    assert widths == [f"{BAR * 10 / 1000:.1f}", f"{BAR:.1f}"]


def test_import_cnncost_does_not_load_the_html_renderer():
    code = ("import sys, cnncost; cnncost.analyze(cnncost.load('vgg16'));"
            "print(sorted(m for m in sys.modules if m.startswith(('cnncost.render', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Grid(HTMLParser):
    """Every table as {"head": [...], "body": [[...]], "foot": [[...]]}, in page order."""

    def __init__(self):
        super().__init__()
        self.tables, self._part, self._row, self._cell = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "body": [], "foot": []})
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = self.tables[-1][tag[1:]]
        elif tag == "tr" and self._part is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._part.append(self._row)
            self._row = None
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def grid(text):
    parser = _Grid()
    parser.feed(text)
    return parser.tables


def _int(text):
    return 0 if text in ("", "-") else int(text.replace(",", ""))


def _markdown_rows(text):
    """The cells of every row of a Markdown table, bold marks dropped."""
    return [[c.strip().strip("*") for c in line.strip()[1:-1].split("|")]
            for line in text.splitlines() if line.startswith("| ") and "---" not in line]


EXTRA = ("summarize", "resnet50", "--convention", "fvcore", "--device", "a100", "--ledger")


def test_summarize_html_shows_convention_roofline_and_ledger(run_cli):
    code, out, err = run_cli(*EXTRA, "--format", "html")
    assert code == 0, err
    layers, ledger = grid(out)
    assert layers["head"] == [["Layer", "Op", "Output", "Params", "MACs", "RF", "fvcore",
                               "Bytes", "FLOP/B", "Time >=", "Bound"]]
    (total,) = layers["foot"]
    fvcore = [_int(row[6]) for row in layers["body"]]
    assert sum(fvcore) == _int(total[6]) == 4_111_512_576  # what fvcore reports (test_conventions)
    bounds = [row[10] for row in layers["body"]]
    memory = sum(b == "memory" for b in bounds)
    assert total[10] == f"{memory}/{memory + bounds.count('compute')}"
    assert ledger["head"] == [["Operation", "Count", "x", "fvcore"]]
    assert sum(_int(row[3]) for row in ledger["body"]) == _int(ledger["foot"][0][3]) == 4_111_512_576
    assert "fvcore rules: fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS)" in out


def test_summarize_html_cells_are_the_markdown_cells(run_cli):
    """The same columns, rows and totals as --format markdown, table for table."""
    _, html, _ = run_cli(*EXTRA, "--format", "html")
    _, markdown, _ = run_cli(*EXTRA, "--format", "markdown")
    layers, ledger = grid(html)
    rows = _markdown_rows(markdown)
    md_layers, md_ledger = rows[:len(layers["body"]) + 2], rows[len(layers["body"]) + 2:]
    assert [h.lower() for h in layers["head"][0]] == [h.lower() for h in md_layers[0]]
    assert layers["body"] == md_layers[1:-1]
    assert layers["foot"][0][3:] == md_layers[-1][3:]  # markdown's total row has no output shape
    assert ledger["head"] + ledger["body"] + ledger["foot"] == md_ledger


def test_summarize_html_without_options_has_no_extra_columns(run_cli):
    _, out, _ = run_cli("summarize", "resnet50", "--format", "html")
    (layers,) = grid(out)
    assert layers["head"] == [["Layer", "Op", "Output", "Params", "MACs", "RF"]]


def _macs(report_or_totals):
    return f"{report_or_totals.macs:,}"


def test_comparison_shows_a_fragment_in_jupyter():
    names = ("vgg16", "resnet50", "mobilenet_v2")
    comparison = cnncost.compare([cnncost.analyze(cnncost.load(n)) for n in names])
    html = comparison._repr_html_()
    assert html.startswith('<div class="cnncost"><style>') and "<html" not in html
    (totals,) = grid(html)
    assert totals["head"][0] == ["", "vgg16", "resnet50", "x", "mobilenet_v2", "x"]
    macs = next(row for row in totals["body"] if row[0] == "MACs")
    assert macs == ["MACs", "15,470,264,320", "4,089,184,256", "0.264", "300,774,272", "0.0194"]
    assert "<svg" in html


def test_sweep_shows_a_fragment_in_jupyter():
    result = cnncost.sweep("mobilenet_v1", {"alpha": ["1.0", "0.5"]}, resolution=[224, 160])
    html = result._repr_html_()
    assert html.startswith('<div class="cnncost"><style>') and "<html" not in html
    assert "mobilenet_v1" in html
    (table,) = grid(html)
    assert [row[:2] for row in table["body"]] == [["1.0", "224"], ["1.0", "160"],
                                                  ["0.5", "224"], ["0.5", "160"]]
    assert [row[5] for row in table["body"]] == ["568,740,352", "290,675,200", "149,497,088",
                                                 "76,524,800"]  # as in README's Python API


def test_report_modules_do_not_import_the_renderers():
    code = ("import sys, cnncost; cnncost.compare([cnncost.analyze(cnncost.load('lenet5'))]);"
            "cnncost.sweep('lenet5');"
            "print(sorted(m for m in sys.modules if m.startswith(('cnncost.render', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_zoo_html_is_a_page_with_the_zoo_table(run_cli):
    code, out, _ = run_cli("zoo", "resnet", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    _, data, _ = run_cli("zoo", "resnet", "--format", "json")
    models = json.loads(data)["models"]
    (table,) = grid(out)
    assert table["head"] == [["Model", "Input", "Params", "MACs", "Source"]]
    assert [(r[0], _int(r[2]), _int(r[3])) for r in table["body"]] == \
           [(m["name"], m["params"], m["macs"]) for m in models]
    assert ["resnet50", "224x224x3", "25,557,032", "4,089,184,256"] == table["body"][2][:4]
    assert len(re.findall(r'<rect class="bar', out)) == 2 * len(models)
    assert not {tag for tag, _ in tags(out).tags} & {"script", "link", "img"}
