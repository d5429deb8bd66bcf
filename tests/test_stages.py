"""Golden files for the two early stages, one folder per stage (as python-hcl2 keeps them):
the AST the parser makes (tests/golden/ast/) and the graph the builder makes from it
(tests/golden/graph/), so a change of the parser or the builder shows as a diff.
CNNCOST_REGEN_GOLDEN=1 rewrites them; look at the diff before committing."""
from __future__ import annotations

from fractions import Fraction

import pytest

from cnncost.build import BuildOptions, Graph, build
from cnncost.dsl import ast, cache, parser
from cnncost.dsl.parser import parse
from cnncost.errors import SpecValueError
from cnncost.load import parse_override

from conftest import DATA, GOLDEN, REPO, check_golden

SPECS = {
    "lenet5": REPO / "specs" / "lenet5.spec",
    "resnet18": REPO / "specs" / "resnet18.spec",
    "inception_module": REPO / "specs" / "inception_module.spec",
    "efficientnet_b0": REPO / "specs" / "efficientnet_b0.spec",
    "small_residual": DATA / "small_residual.spec",
}


def parsed(name: str) -> ast.Module:
    """The spec parsed by lark itself (not the cache), under its bare file name."""
    return parse(SPECS[name].read_text(encoding="utf-8"), f"{name}.spec")


def graph_text(graph: Graph) -> str:
    """One line per node: id, name, kind, inputs, source line, output shape, attributes
    (sorted); then the expectations."""
    lines = [f"graph {graph.name} ({graph.file}): {len(graph.nodes)} nodes, output {graph.output}"]
    lines += [f"param {k} = {_value(v)}" for k, v in graph.params.items()]
    for node in graph.nodes:
        attrs = " ".join(f"{k}={_value(v)}" for k, v in sorted(node.attrs.items()))
        inputs = ",".join(map(str, node.inputs)) or "-"
        frozen = " frozen" if node.frozen else ""
        lines.append(f"{node.id:>4} {node.name} {node.kind} <- {inputs} line {node.line} "
                     f"-> {'x'.join(map(str, node.shape))}{frozen} | {attrs}".rstrip(" |"))
    for e in graph.expectations:
        lines.append(f"expect line {e.line}: {'total ' if e.total else ''}{e.quantity} "
                     f"{'~' if e.approx else ''}{_value(e.expected)} (as written {e.source!r}) "
                     f"on nodes {e.nodes[0] if e.nodes else '-'}..{e.nodes[-1] if e.nodes else '-'}")
    return "\n".join(lines) + "\n"


def _value(value) -> str:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    return repr(value) if isinstance(value, str) else str(value)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_ast_golden(name):
    check_golden(GOLDEN / "ast" / f"{name}.txt", ast.dump(parsed(name)))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_graph_golden(name):
    check_golden(GOLDEN / "graph" / f"{name}.txt", graph_text(build(parsed(name))))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_stage_invariants(name, tmp_path, monkeypatch):
    """Every position lies in the text; a node's inputs come before it and its line holds
    a statement; the parsed-spec cache gives the same AST as lark."""
    module = parsed(name)
    for record in ast.walk(module.body):
        pos = record.pos
        assert 1 <= pos.line <= len(module.lines)
        assert pos.col + pos.width - 1 <= len(module.lines[pos.line - 1]) + 1
    graph = build(module)
    statement_lines = {record.pos.line for record in ast.walk(module.body)
                       if type(record).__name__.endswith("Stmt")}
    for node in graph.nodes:
        assert all(i < node.id for i in node.inputs) and node.line in statement_lines
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CNNCOST_NO_CACHE", raising=False)
    text = SPECS[name].read_text(encoding="utf-8")
    for _ in range(2):  # parsed and stored, then read back
        assert ast.dump(cache.parse(text, f"{name}.spec")) == ast.dump(module)
    assert list(tmp_path.glob("cnncost/ast-*.pickle"))


@pytest.mark.parametrize("text, channels", [("6", 6), ("2 * 3", 6), ("12 / 2", 6), ("0.75 * 8", 6),
                                            ("b + 1", 6)])
def test_the_builder_takes_overrides_parsed_by_load(monkeypatch, text, channels):
    """-p text is parsed by cnncost.load; building never calls the parser again."""
    module = parse("param b = 5\nparam a = 4\ninput 8x8x3\nconv 1x1 a\n", "p.spec")
    options = BuildOptions({"a": parse_override("a", text)})

    def refuse(*args, **kwargs):
        raise AssertionError("the builder parsed text")

    monkeypatch.setattr(cache, "parse", refuse)
    monkeypatch.setattr(parser, "parse", refuse)
    graph = build(module, options)
    assert graph.nodes[1].attrs["channels"] == channels and graph.params["a"] == channels


@pytest.mark.parametrize("text", ["1\nrelu", "3 +", "conv 3x3 8"])
def test_an_override_that_is_not_one_expression(text):
    """Text that is not one expression is refused at the param line, by the builder."""
    override = parse_override("a", text)
    assert override.text == text and override.expr is None
    module = parse("param a = 4\ninput 8x8x3\nconv 1x1 a\n", "p.spec")
    with pytest.raises(SpecValueError, match=r"(?s)p\.spec:1:1: error: -p a=.*: not a valid value"):
        build(module, BuildOptions({"a": override}))
