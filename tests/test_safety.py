"""A spec can compute numbers and nothing else: the usual Python escapes, in every place an
expression may stand, are plain located errors (exit 2), and the package never hands spec
text to eval, exec, compile or __import__."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cnncost"

ESCAPES = [
    "__import__(os)",
    "__import__('os')",
    "__import__(os).system(ls)",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__dict__",
    "in.__class__",
    "in.__dict__",
    "open('/etc/passwd')",
    "open(etc)",
    "eval(1)",
    "exec(1)",
    "compile(1)",
    "getattr(in, c)",
    "globals()",
    "__builtins__",
    "lambda: 1",
    "(lambda x: x)(1)",
    'f"{1}"',
    "print(1)",
    "os.system",
    "[1, 2]",
    "{1: 2}",
    "1 if 1 else 2",
    "sys.modules",
]

# Every place an expression can stand; {} is where the escape goes.
PLACES = {
    "let": "input 8x8x3\nlet a = {}\n",
    "param": "param a = {}\ninput 8x8x3\n",
    "input": "input {}\n",
    "layer_value": "input 8x8x3\nconv 3x3 {}\n",
    "layer_option": "input 8x8x3\nconv 3x3 8 stride={}\n",
    "repeat": "input 8x8x3\nrepeat {}:\n    relu\n",
    "if": "input 8x8x3\nif {}:\n    relu\n",
    "elif": "input 8x8x3\nif 0:\n    relu\nelif {}:\n    relu\n",
    "shortcut_if": "input 8x8x3\nresidual:\n    relu\nshortcut if {}:\n    relu\n",
    "expect": "input 8x8x3\nconv 3x3 8\nexpect params {}\n",
    "def_default": "def f(c={}):\n    conv 3x3 c\ninput 8x8x3\nf()\n",
    "def_call": "def f(c):\n    conv 3x3 c\ninput 8x8x3\nf({})\n",
    "default": "default conv {}\ninput 8x8x3\nconv 3x3 8\n",
}

LOCATED = re.compile(r"^(?P<file>.+?\.spec):(?P<line>\d+):(?P<col>\d+): error: ", re.M)


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("escape", ESCAPES)
def test_escapes_are_plain_errors(tmp_path, run_cli, place, escape):
    spec = tmp_path / "escape.spec"
    spec.write_text(PLACES[place].format(escape))
    code, out, err = run_cli("summarize", str(spec))
    assert code == 2, out
    assert "Traceback" not in err and "internal error" not in err
    match = LOCATED.search(err)
    assert match and match["file"] == str(spec), err
    line = int(match["line"])
    assert escape.split("(")[0].split(".")[0] in spec.read_text().splitlines()[line - 1] or \
        "expect" in PLACES[place] or place == "param", err  # the error points at the escape's line
    assert "\nhint: " in err


@pytest.mark.parametrize("escape", ESCAPES)
def test_escapes_in_a_param_override_are_plain_errors(tmp_path, run_cli, escape):
    spec = tmp_path / "p.spec"
    spec.write_text("param a = 4\ninput 8x8x3\nconv 3x3 a\n")
    code, out, err = run_cli("summarize", str(spec), "-p", f"a={escape}")
    assert code == 2 and out == ""
    assert "Traceback" not in err and "internal error" not in err
    assert f"{spec}:1:1: error: " in err and "\nhint: " in err


def test_no_spec_statement_reads_a_file(tmp_path, run_cli):
    secret = tmp_path / "secret.spec"
    secret.write_text("input 8x8x3\nconv 3x3 8\n")
    for attempt in (f"include {secret}", f"import {secret.stem}", f"from {secret.stem} import x",
                    f"input {secret}"):
        spec = tmp_path / "a.spec"
        spec.write_text(f"{attempt}\ninput 8x8x3\n")
        code, _, err = run_cli("summarize", str(spec))
        assert code == 2 and LOCATED.search(err), err


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            yield func.id if isinstance(func, ast.Name) else None, node
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                yield f"{func.value.id}.{func.attr}", node


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_never_evaluates_text(path):
    """No eval/exec/compile/__import__ and no dynamic import anywhere in cnncost: the
    only interpreter of spec text is cnncost/expr.py's evaluator."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    forbidden = {"eval", "exec", "compile", "__import__", "importlib.import_module", "builtins.eval",
                 "os.system", "subprocess.run", "subprocess.Popen", "pickle.loads"}
    found = [(name, node.lineno) for name, node in _calls(tree) if name in forbidden]
    assert not found, f"{path}: {found}"


def test_the_evaluator_has_no_attribute_access():
    """`in.h`, `in.w` and `in.c` are the only dotted names; the evaluator never calls
    getattr with a name taken from the spec."""
    source = (PACKAGE / "expr.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert not [n for name, n in _calls(tree) if name in ("getattr", "setattr", "vars", "globals")]
