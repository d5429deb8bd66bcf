"""Broken specs: each must exit 2 with FILE:LINE:COL, the line, a caret and a message,
and never a Python traceback (unless --debug)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

# (name, spec text, line, column, message fragment)
BROKEN = [
    ('act_bad', 'input 8x8x16\nse 0.25 act=conv\n', 2, 9, 'act=conv: not an activation'),
    ('add_shapes', 'input 8x8x3\na = conv 3x3 4\nb = conv 1x1 4 from=x\n', 3, 16, "unknown output 'x'"),
    ('add_shapes2', 'input 8x8x3\nx = identity\na = conv 3x3 4\nb = conv 1x1 4 from=x\nadd a b\n', 5, 1, 'add needs equal shapes, got 6x6x4 and 8x'),
    ('attr', 'input 8x8x3\nconv 3x3 in.x\n', 2, 10, "unknown name 'in.x'"),
    ('bad_char', 'input 8x8x3\nconv 3x3 4 @\n', 2, 12, "unexpected character '@'"),
    ('bad_flag', 'input 8x8x3\nmaxpool 2x2 g2\n', 2, 13, "maxpool takes no groups (flag 'g2')"),
    ('branch_alone', 'input 8x8x3\nbranch:\n    conv 1x1 3\n', 2, 1, '`branch:` belongs inside `concat:`, `add'),
    ('concat_sizes', 'input 8x8x3\nconcat:\n    branch:\n        conv 3x3 4\n    branch:\n        conv 1x1 4\n', 2, 1, 'concat needs equal height and width, got'),
    ('deconv_neg', 'input 2x2x3\ndeconv 3x3 4 p3\n', 2, 1, '(2 - 1)*1 - 3 - 3 + 1*(3 - 1) + 0 + 1'),
    ('dedent', 'input 8x8x3\nrepeat 2:\n    conv 3x3 4 same\n  relu\n', 4, 1, "this line's indentation (2 spaces) match"),
    ('def_layer_name', 'def conv(c):\n    relu\ninput 8x8x3\n', 1, 1, "'conv' is a layer kind and cannot name a"),
    ('default_unknown', 'default convv nobias\ninput 8x8x3\n', 1, 1, "unknown layer kind 'convv'"),
    ('dims_fc', 'input 8x8x3\nflatten\nconv 3x3 4\n', 3, 1, 'conv needs a feature map (height x width'),
    ('div_zero', 'input 8x8x3\nlet a = 1/0\n', 2, 9, 'division by zero'),
    ('dropout_rate', 'input 8x8x3\ndropout 1.5\n', 2, 9, 'dropout rate must be in [0, 1), got 1.5'),
    ('dunder', 'input 8x8x3\nlet a = __import__(os)\n', 2, 9, "unknown function '__import__'"),
    ('empty', '', 1, 1, 'the spec has no `input` statement'),
    ('expect_bad_qty', 'input 8x8x3\nconv 3x3 4\nexpect parms 4\n', 3, 1, "unknown quantity 'parms' in expect"),
    ('extra_value', 'input 8x8x3\nconv 3x3 4 5\n', 2, 12, "conv got an extra value '5'"),
    ('fc_on_map', 'input 8x8x3\nfc 10\n', 2, 1, 'fc needs a vector, but its input is a 8x'),
    ('flag_name', 'let s2 = 3\n', 1, 1, "'s2' has the form of a flag and cannot n"),
    ('fractional_channels', 'input 8x8x3\nconv 3x3 4.5\n', 2, 10, 'channel count must be a whole number, go'),
    ('fractional_expr', 'param alpha = 0.75\ninput 8x8x3\nconv 3x3 10*alpha\n', 3, 10, 'channel count must be a whole number, go'),
    ('groups', 'input 8x8x6\nconv 3x3 4 g4\n', 2, 1, 'groups=4 does not divide the 6 input cha'),
    ('input_2d', 'input 8x8\n', 1, 7, 'input takes HxWxC (or a vector length), '),
    ('kernel_too_big', 'input 8x8x3\nconv 9x9 4\n', 2, 1, 'floor((8 + 0 + 0 - 9) / 1) + 1 = 0 (inpu'),
    ('layer_in_concat', 'input 8x8x3\nconcat:\n    conv 1x1 3\n', 3, 5, 'inside a merge block, layers belong in `'),
    ('missing_channels', 'input 8x8x3\nconv 3x3\n', 2, 1, 'conv needs an output channel count'),
    ('missing_def_arg', 'def f(c):\n    conv 3x3 c\ninput 8x8x3\nf()\n', 4, 1, "f() is missing the argument 'c'"),
    ('missing_input', 'conv 3x3 4\n', 1, 1, 'a layer before the `input` statement'),
    ('mul_bad', 'input 8x8x4\na = conv 1x1 3\nmul in0 a\n', 3, 5, "unknown output 'in0'"),
    ('mutual', 'def f(c):\n    g(c)\ndef g(c):\n    f(c)\ninput 8x8x3\nf(1)\n', 4, 5, "def calls nested deeper than 64 (is 'f' "),
    ('neg_pad', 'input 8x8x3\nconv 3x3 4 pad=-1\n', 2, 12, 'pad must be at least 0, got -1'),
    ('open', 'input 8x8x3\nlet a = open(x)\n', 2, 9, "unknown function 'open'"),
    ('output_unknown', 'input 8x8x3\noutput zz\n', 2, 1, "unknown output 'zz'"),
    ('pool_big', 'input 4x4x3\nmaxpool 5x5\n', 2, 1, 'floor((4 + 0 + 0 - 5) / 5) + 1 = 0 (inpu'),
    ('pow_huge', 'input 8x8x3\nlet a = 2**2**2**99\n', 2, 12, 'number too large'),
    ('recursion', 'def f(c):\n    f(c)\ninput 8x8x3\nf(1)\n', 2, 5, "def calls nested deeper than 64 (is 'f' "),
    ('repeat_huge', 'input 8x8x3\nrepeat 10**12:\n    relu\n', 2, 8, 'repeat 1,000,000,000,000 would exceed th'),
    ('repeat_neg', 'input 8x8x3\nrepeat -1:\n    relu\n', 2, 8, 'repeat count must be at least 0, got -1'),
    ('se_missing', 'input 8x8x3\nse\n', 2, 1, 'se needs a ratio (`se 0.25`) or `squeeze'),
    ('second_input', 'input 8x8x3\ninput 8x8x3\n', 2, 1, 'a second `input` statement'),
    ('shortcut_alone', 'input 8x8x3\nshortcut:\n    conv 1x1 3\n', 2, 1, '`shortcut:` must follow a `residual:` bl'),
    ('slice_out', 'input 8x8x4\nslice 2:9\n', 2, 1, 'slice 2:9 is outside the 4 channels'),
    ('stride0', 'input 8x8x3\nconv 3x3 4 s0\n', 2, 12, 'stride must be at least 1, got 0'),
    ('string', 'input 8x8x3\nconv 3x3 "64"\n', 2, 10, 'unexpected character \'"\''),
    ('symbolic_if', 'symbol n\ninput (n, n, 3)\nif n > 3:\n    relu\n', 3, 4, 'this condition depends on a symbol and c'),
    ('syntax_colon', 'input 8x8x3\nrepeat 2\n    conv 3x3 4\n', 2, 9, "a block header needs a ':' at the end"),
    ('tab', 'input 8x8x3\nrepeat 2:\n\tconv 3x3 4\n', 3, 1, 'a tab in indentation'),
    ('too_many_args', 'def f(c):\n    conv 3x3 c\ninput 8x8x3\nf(1, 2)\n', 4, 1, 'f() takes 1 argument(s), got 2'),
    ('unbalanced', 'input (8, 8, 3\nconv 3x3 4\n', 2, 1, "unexpected 'conv'"),
    ('unknown_block', 'input 8x8x3\nresidul:\n    conv 1x1 3\n', 2, 1, "unknown block 'residul:'"),
    ('unknown_def_arg', 'def f(c):\n    conv 3x3 c\ninput 8x8x3\nf(c=4, d=2)\n', 4, 1, "f() has no parameter 'd'"),
    ('unknown_flag', 'input 8x8x3\nconv 3x3 4 q2\n', 2, 12, "unknown flag 'q2'"),
    ('unknown_from', 'input 8x8x3\nconv 3x3 4 from=nothere\n', 2, 12, "unknown output 'nothere'"),
    ('unknown_func', 'input 8x8x3\nlet a = sqrt(4)\n', 2, 9, "unknown function 'sqrt'"),
    ('unknown_layer', 'input 8x8x3\nconv2 3x3 4\n', 2, 1, "unknown layer kind 'conv2'"),
    ('unknown_layer2', 'input 8x8x3\nconvv 3x3 4\n', 2, 1, "unknown layer kind 'convv'"),
    ('unknown_name', 'input 8x8x3\nconv 3x3 c\n', 2, 10, "unknown name 'c'"),
    ('unknown_option', 'input 8x8x3\nconv 3x3 4 strides=2\n', 2, 12, "conv has no option 'strides'"),
    ('unknown_output', 'input 8x8x3\nadd foo bar\n', 2, 5, "unknown output 'foo'"),
    ('unknown_word', 'input 8x8x3\nconv 3x3 4 smae\n', 2, 12, "unknown word 'smae' for conv"),
    ('zero_channels', 'input 8x8x3\nconv 3x3 0\n', 2, 10, 'channel count must be at least 1, got 0'),
    # found by the fuzz suite (tests/test_fuzz.py): each was a traceback, a hang or an error
    # without a place or a hint before it was fixed
    ('fz_def_as_value', 'def f(c):\n    relu\ninput 8x8x3\nlet a = f + 1\n', 4, 9, "'f' is a def (a block of layers), not"),
    ('fz_def_as_channels', 'def f(c):\n    relu\ninput 8x8x3\nconv 3x3 f\n', 4, 10, "'f' is a def (a block of layers), not"),
    ('fz_dims_compare', 'input 8x8x3\nlet a = 3x3 < 4\n', 2, 9, 'cannot compare 3x3 < 4'),
    ('fz_min_empty', 'input 8x8x3\nlet a = min()\n', 2, 9, 'wrong arguments for min(): min() arg is'),
    ('fz_negative_root', 'input 8x8x3\nlet a = (-8)**0.5\n', 2, 9, '(-8)**(0.5) is not a real number'),
    ('fz_divisible_zero', 'input 8x8x3\nconv 3x3 make_divisible(8, 0)\n', 2, 10, 'division by zero in make_divisible()'),
    ('fz_round_ndigits', 'input 8x8x3\nlet a = round(1, 10**9)\n', 2, 9, 'wrong arguments for round(): ndigits mu'),
    ('fz_long_number', 'input 8x8x3\nlet a = ' + '9' * 5000 + '\n', 2, 9, 'number too large: 9999999999...99999999'),
    ('fz_huge_exponent', 'input 8x8x3\nlet a = 1e999999999\n', 2, 9, 'number too large: 1e999999999'),
    ('fz_huge_dims', 'input ' + '9' * 2000 + 'x3x3\n', 1, 7, 'number too large: 9999999999...999999x3x3'),
    ('fz_deep_unary', 'input 8x8x3\nlet a = ' + '-' * 300 + '1\n', 2, 109, 'expression nested more than 100 levels'),
    ('fz_deep_sum', 'input 8x8x3\nlet a = ' + '+'.join(['1'] * 3000) + '\n', 2, 9, 'expression nested more than 100 levels'),
    ('fz_huge_input', 'input ' + '9' * 30 + 'x3x3\n', 1, 7, 'input size: dimension must be at most 2*'),
    ('fz_huge_tensor', 'input 8x8x3\nupsample 2**40\n', 2, 1, 'upsample1 (upsample) on input 8x8x3: th'),
    ('fz_repeat_in_def', 'def f():\n    repeat 10**5:\n        identity\ninput 8x8x3\nf()\n', 2, 12, 'repeat 100,000 of a block of 1 node(s)'),
    ('fz_nested_repeats', 'input 8x8x3\nrepeat 1000:\n    repeat 1000:\n        relu\n', 2, 8, 'repeat 1,000 of a block of 1,000 node(s'),
    ('fz_dup_def_param', 'def f(c, c):\n    relu\ninput 8x8x3\nf(1, 2)\n', 1, 10, "f() names its parameter 'c' twice"),
    ('fz_dup_kwarg', 'def f(c):\n    relu\ninput 8x8x3\nf(c=1, c=2)\n', 4, 1, "f() got 'c' twice"),
    ('fz_dup_param', 'param q = 1\nparam q = 2\ninput 8x8x3\n', 2, 1, "param 'q' is declared twice"),
    ('fz_header_no_block', 'def f(n):\n    repeat n:\nrelu\n', 2, 14, 'unexpected end of block'),
    ('fz_minus_dims', 'input -8x8x3\n', 1, 7, 'arithmetic needs numbers here, got 8x8x3'),
    ('fz_se_missing', 'input 8x8x3\nse act=swish\n', 2, 1, 'se needs a ratio'),
    ('fz_symbolic_strides', 'symbol n\ninput (n, n, 3)\nrepeat 70:\n    maxpool 1x1 stride=2**62\n', 4, 5, '66.maxpool1 (maxpool) on input floor(n/'),
    ('fz_mul_three', 'input 8x8x4\nm = gap\nmul m m m\n', 3, 1, 'mul takes two inputs, got 3'),
    ('fz_stride0_hint', 'input 8x8x3\nmaxpool 2x2 stride=0\n', 2, 13, 'stride must be at least 1, got 0'),
    ('fz_in_before_input', 'input (8, 8, in.c)\n', 1, 14, 'in.h/in.w/in.c need an input before thi'),
    ('fz_huge_fraction', 'input 8x8x3\nconv 3x3 2**4000 + 0.5\n', 2, 10, 'channel count must be a whole number, go'),
    ('fz_huge_rate', 'input 8x8x3\ndropout 2**4000 + 0.5\n', 2, 9, 'dropout rate must be in [0, 1), got a fr'),
    ('fz_huge_compare', 'input 8x8x3\nlet a = 2**4000 / 3 < 3x3\n', 2, 9, 'cannot compare a fraction of 1204 digit'),
    ('fz_huge_receptive_field', 'input 8x8x3\nrepeat 300:\n    maxpool 1x1 stride=2**62\n', 3, 5, '66.maxpool1: the receptive field grows'),
    ('fz_lookalike', 'input 8\u00d78x3\n', 1, 8, "unexpected character '\u00d7'"),
    ('fz_slice_value', 'input 8x8x4\nslice 3x3\n', 2, 7, 'slice takes a channel range A:B, not a s'),
    ('fz_tuple_arith', 'input 8x8x3\nlet a = (1, 2) * 2\n', 2, 9, 'arithmetic needs numbers here, got 1x2'),
]

LOCATION = re.compile(r"^(?P<file>[^\n]*?\.spec):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$", re.M)


@pytest.mark.parametrize("name,text,line,col,fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_spec_exits_2_with_place(tmp_path, run_cli, name, text, line, col, fragment):
    path = tmp_path / f"{name}.spec"
    path.write_text(text)
    code, out, err = run_cli("summarize", str(path))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    match = LOCATION.search(err)
    assert match, err
    assert (int(match["line"]), int(match["col"])) == (line, col)
    assert fragment in match["msg"]
    assert "\nhint: " in err
    if text.strip():  # the offending line is shown with a caret under the place
        lines = err.splitlines()
        shown = lines[1]
        assert shown.strip() == text.splitlines()[line - 1].strip().replace("\t", " ")
        caret = lines[2]
        assert caret.index("^") - 4 == col - 1


def test_at_least_thirty_broken_specs():
    assert len(BROKEN) >= 30


@pytest.mark.parametrize("setup,fragment", [
    ("missing", "no spec file or zoo model named"),
    ("directory", "is a directory"),
    ("binary", "is a binary file"),
    ("latin1", "not UTF-8"),
])
def test_unreadable_inputs(tmp_path, run_cli, setup, fragment):
    target = tmp_path / "x.spec"
    if setup == "directory":
        target.mkdir()
    elif setup == "binary":
        target.write_bytes(b"input 8x8x3\n\x00\x01conv")
    elif setup == "latin1":
        target.write_bytes("input 8x8x3\n# caf\u00e9\n".encode("latin-1"))
    code, out, err = run_cli("summarize", str(target))
    assert code == 2 and fragment in err and "Traceback" not in err


def test_zoo_name_typo_suggests(run_cli):
    code, _, err = run_cli("summarize", "vgg61")
    assert code == 2 and "did you mean" in err and "vgg16" in err


def test_bad_param_override(run_cli, tmp_path):
    spec = tmp_path / "p.spec"
    spec.write_text("param c = 4\ninput 8x8x3\nconv 3x3 c\n")
    code, _, err = run_cli("summarize", str(spec), "-p", "d=3")
    assert code == 2 and "unknown parameter 'd'" in err and "declares: c" in err
    code, _, err = run_cli("summarize", str(spec), "-p", "c")
    assert code == 2 and "NAME=VALUE" in err


def test_bom_and_crlf_are_accepted(tmp_path, run_cli):
    spec = tmp_path / "w.spec"
    spec.write_bytes("\ufeffinput 8x8x3\r\nconv 3x3 4\r\n".encode("utf-8"))
    code, out, err = run_cli("summarize", str(spec), "--format", "json")
    assert code == 0, err
    assert '"output": [\n    6,\n    6,\n    4\n  ]' in out


def test_debug_shows_the_traceback_and_no_debug_does_not(tmp_path):
    spec = tmp_path / "k.spec"
    spec.write_text("input 8x8x3\nconv 9x9 4\n")
    plain = subprocess.run([sys.executable, "-m", "cnncost", "summarize", str(spec)],
                           capture_output=True, text=True)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-m", "cnncost", "--debug", "summarize", str(spec)],
                           capture_output=True, text=True)
    assert debug.returncode == 2 and "Traceback" in debug.stderr and "k.spec:2:1" in debug.stderr


@pytest.mark.parametrize("text,hint", [
    ("input 8\u00d78x3\n", "hint: '\u00d7' is U+00D7 MULTIPLICATION SIGN, not ASCII: retype it"),
    ("input 8x8x3\nconv 3x3 8\u00a0same\n", "hint: '\\xa0' is U+00A0 NO-BREAK SPACE, not ASCII: retype it"),
    ("input 8x8x3\nc\u043env 3x3 8\n", "hint: '\u043e' is U+043E CYRILLIC SMALL LETTER O, not ASCII"),
])
def test_look_alike_characters_are_named(tmp_path, run_cli, text, hint):
    spec = tmp_path / "u.spec"
    spec.write_text(text, encoding="utf-8")
    code, _, err = run_cli("summarize", str(spec))
    assert code == 2 and hint in err
