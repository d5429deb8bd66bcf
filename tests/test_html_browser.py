"""The HTML report in a real browser: headless Chromium (Debian's `chromium` package, which
.ci/run installs) loads the file, lays it out and takes a screenshot."""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

import cnncost
from cnncost.render.html import report_html

WIDTH, HEIGHT = 1200, 2000
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}")

# Added to a copy of the page only, to read the layout back out of the browser.
MEASURE = """<script>
const box = el => { const r = el.getBoundingClientRect();
  return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]; };
document.body.dataset.layout = JSON.stringify({
  table: box(document.querySelector("table")), svg: box(document.querySelector("svg")),
  bars: [...document.querySelectorAll("rect.bar")].map(r => r.getBBox().width)});
</script>"""


def chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
    if path is None:
        pytest.skip("headless Chromium not found: install Debian's 'chromium' package "
                    "(apt-get install chromium)")
    return path


def run(browser: str, tmp_path: Path, *args: str) -> str:
    done = subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_rows(data: bytes):
    """Width, height and the filtered scanlines of an 8-bit RGB(A) PNG (no Pillow)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = header[:4]
    assert depth == 8 and color in (2, 6)
    stride = width * (3 if color == 2 else 4)
    raw = zlib.decompress(idat)
    assert len(raw) == height * (stride + 1)
    return width, height, [raw[i * (stride + 1):(i + 1) * (stride + 1)] for i in range(height)]


@pytest.fixture(scope="module")
def report():
    return cnncost.analyze(cnncost.load("vgg16"))


def test_chromium_shows_the_table_and_the_chart(report, tmp_path):
    browser = chromium()
    page = tmp_path / "vgg16.html"
    page.write_text(report_html(report), encoding="utf-8")

    dom = run(browser, tmp_path, "--dump-dom", page.as_uri())
    assert "<table>" in dom and "138,357,544" in dom and "15,470,264,320" in dom
    assert dom.count('<rect class="bar s0"') == dom.count('<rect class="bar s1"') == \
        len(report.layers)

    measured = tmp_path / "measured.html"
    measured.write_text(report_html(report).replace("</body>", MEASURE + "</body>"), "utf-8")
    layout = json.loads(re.search(r'data-layout="([^"]*)"',
                                  run(browser, tmp_path, "--dump-dom", measured.as_uri()))
                        .group(1).replace("&quot;", '"'))
    for name in ("table", "svg"):  # both laid out, with a size, inside the screenshot
        left, top, width, height = layout[name]
        assert width > 300 and height > 300 and 0 <= left and top + height <= HEIGHT, layout
    assert len(layout["bars"]) == 2 * len(report.layers) and max(layout["bars"]) > 100

    shot = tmp_path / "vgg16.png"
    run(browser, tmp_path, f"--screenshot={shot}", page.as_uri())
    width, height, rows = png_rows(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    # a blank row filters to one value repeated; text, rules and bars make varied rows
    varied = sum(len(set(row[9:])) > 2 for row in rows)
    assert varied > HEIGHT // 4, f"only {varied} of {HEIGHT} rows of the screenshot show anything"
