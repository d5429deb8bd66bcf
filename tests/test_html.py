"""The HTML page: self-contained, escaped, one bar per layer and series, a fragment for
Jupyter that `import cnncost` does not pay for."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import cnncost
from cnncost.render.html import BAR, Card, Chart, Section, fragment, page, report_html
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
    text = page(HOSTILE, [Section(HOSTILE, (HOSTILE, "n"), [(HOSTILE, 5)], footer=[(HOSTILE, 5)],
                                  chart=Chart([HOSTILE], [(HOSTILE, [5])]), notes=[HOSTILE])],
                subtitle=HOSTILE, cards=[Card(HOSTILE, 7)])
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
    text = fragment("two nets", [Section("models", ("model", "params"),
                                         [("a", 10), ("b", 1_000)],
                                         chart=Chart(["a", "b"], [("params", [10, 1_000])]))])
    assert '<td class="n">1,000</td>' in text and "<td>a</td>" in text
    widths = re.findall(r'<rect class="bar s0" x="\d+" y="\d+" width="([\d.]+)"', text)
    assert widths == [f"{BAR * 10 / 1000:.1f}", f"{BAR:.1f}"]


def test_import_cnncost_does_not_load_the_html_renderer():
    code = ("import sys, cnncost; cnncost.analyze(cnncost.load('vgg16'));"
            "print(sorted(m for m in sys.modules if m.startswith(('cnncost.render', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
