"""`cnncost graph`: DOT and Mermaid text of the network. Golden files for a small residual
spec and resnet18 (regenerate: CNNCOST_REGEN_GOLDEN=1), and a structural check of every
zoo model (braces and subgraphs balanced, one declaration per node, every edge between
declared nodes)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import cnncost
from cnncost import zoo
from cnncost.render.graph import _dot_string, _mermaid_text, render_dot, render_mermaid
from conftest import DATA, GOLDEN, check_golden

SMALL = str(DATA / "small_residual.spec")
GOLDEN_CASES = {"small_residual": SMALL, "resnet18": "resnet18"}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
@pytest.mark.parametrize("fmt, render, ext", [("dot", render_dot, "dot"),
                                              ("mermaid", render_mermaid, "mmd")])
def test_golden(fmt, render, ext, name):
    check_golden(GOLDEN / fmt / f"{name}.{ext}", render(cnncost.load(GOLDEN_CASES[name])))


def check_dot(text: str, graph):
    """Structure of our DOT: balanced braces, node statements, edges between them."""
    assert text.startswith("digraph ") and text.rstrip().endswith("}")
    depth = 0
    for line in text.splitlines():
        depth += line.count("{") - line.count("}")  # labels hold no braces (checked below)
        assert depth >= 0
    assert depth == 0
    declared = re.findall(r"^\s*(n\d+) \[label=\"([^\"]*)\"", text, re.M)
    assert all("{" not in label and "}" not in label for _, label in declared)
    names = [n for n, _ in declared]
    assert len(names) == len(set(names)) == len(graph.nodes)
    edges = re.findall(r"^\s*(n\d+) -> (n\d+);$", text, re.M)
    assert set(a for e in edges for a in e) <= set(names)
    assert len(edges) == sum(len(node.inputs) for node in graph.nodes)
    clusters = re.findall(r'^\s*subgraph "cluster_', text, re.M)
    assert len(clusters) == len({node.scope[:k] for node in graph.nodes
                                 for k in range(1, len(node.scope) + 1)})


def check_mermaid(text: str, graph):
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    opened = sum(bool(re.match(r"\s*subgraph b\d+ \[\"[^\"]*\"\]$", ln)) for ln in lines)
    closed = sum(ln.strip() == "end" for ln in lines)
    assert opened == closed
    declared = re.findall(r"^\s*(n\d+)\[\"[^\"]*\"\]$", text, re.M)
    assert len(declared) == len(set(declared)) == len(graph.nodes)
    edges = re.findall(r"^\s*(n\d+) --> (n\d+)$", text, re.M)
    assert set(a for e in edges for a in e) <= set(declared)
    assert len(edges) == sum(len(node.inputs) for node in graph.nodes)


@pytest.mark.parametrize("name", [SMALL, *zoo.entries()])
def test_structure(name):
    graph = cnncost.load(name)
    check_dot(render_dot(graph), graph)
    check_mermaid(render_mermaid(graph), graph)


def test_edges_follow_the_inputs():
    graph = cnncost.load(SMALL)
    add = next(n for n in graph.nodes if n.kind == "add")
    dot = render_dot(graph)
    for i in add.inputs:
        assert f"  n{i} -> n{add.id};" in dot
    assert f'n{add.id} [label="add\\nadd 16x16x32", tooltip="residual1.add"];' in dot


def test_labels_are_quoted_and_escaped():
    assert _dot_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert _mermaid_text('<b> & "c"') == "#lt;b#gt; #amp; #quot;c#quot;"


def test_graphviz_reads_the_dot_when_installed():
    """An extra check by Graphviz itself; the structural test above does not need it."""
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz not found (optional: Debian's 'graphviz' package)")
    for name in (SMALL, "resnet18", "googlenet"):
        done = subprocess.run([dot, "-Tcanon"], input=render_dot(cnncost.load(name)),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


def test_cli(run_cli):
    code, out, err = run_cli("graph", "resnet18", "--format", "mermaid")
    assert code == 0, err
    assert out == render_mermaid(cnncost.load("resnet18"))
    code, out, _ = run_cli("graph", SMALL)
    assert code == 0 and out == render_dot(cnncost.load(SMALL))
    code, _, err = run_cli("graph", "resnet18", "--format", "png")
    assert code == 2 and "png" in err
