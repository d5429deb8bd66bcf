"""Text -> lark tree -> AST, with every syntax error mapped to a located SpecSyntaxError."""
from __future__ import annotations

import functools
import os
import re

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.indenter import DedentError, Indenter

from ..errors import CnnCostError, LimitError, Span, SpecSyntaxError
from . import ast
from .cache import cache_folder
from .limits import MAX_BLOCK_DEPTH, MAX_LINE_CHARS, MAX_SPEC_CHARS
from .transform import ToAst


class _SpecIndenter(Indenter):
    """Python-style INDENT/DEDENT tokens; a closing bracket with no opener is a syntax
    error (lark's Indenter only asserts)."""

    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR"]
    CLOSE_PAREN_types = ["RPAR"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def _process(self, stream):
        for token in stream:
            if token.type == "RPAR" and self.paren_level == 0:
                raise UnexpectedToken(token, expected={"a matching '('"})
            if token.type == self.NL_type:
                yield from self.handle_NL(token)
            else:
                yield token
            if token.type in self.OPEN_PAREN_types:
                self.paren_level += 1
            elif token.type in self.CLOSE_PAREN_types:
                self.paren_level -= 1
        while len(self.indent_level) > 1:
            self.indent_level.pop()
            yield Token(self.DEDENT_type, "", 0, 0, 0, 0, 0, 0)


def _cache_file(grammar: str) -> str | bool:
    """Where lark keeps its analysed grammar between runs: the user's cache folder
    (XDG_CACHE_HOME), never the package folder. Keyed by grammar and lark version."""
    import zlib

    import lark

    folder = cache_folder()
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    key = f"{zlib.crc32((lark.__version__ + grammar).encode()):08x}"
    return os.path.join(folder, f"grammar-{key}.lark-cache")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    with open(os.path.join(os.path.dirname(__file__), "grammar.lark"), encoding="utf-8") as handle:
        grammar = handle.read()
    options = dict(parser="lalr", lexer="basic", postlex=_SpecIndenter(), propagate_positions=True,
                   maybe_placeholders=True)
    cache = _cache_file(grammar)
    if cache:
        try:
            return Lark(grammar, cache=cache, **options)
        except (OSError, EOFError, ValueError):  # unwritable or damaged cache: build afresh
            pass
    return Lark(grammar, **options)


# Example bad inputs, each labelled with the message and hint the user sees
# (lark's UnexpectedInput.match_examples picks the closest one).
_EXAMPLES: dict[tuple[str, str], list[str]] = {
    ("a block header needs a ':' at the end",
     "write e.g. 'repeat 3:' and indent the block below it"): [
        "repeat 3\n    conv 3x3 8\n",
        "def f(c)\n    conv 3x3 c\n",
        "if x > 1\n    relu\n",
    ],
    ("unexpected indentation",
     "indent a line only inside a block (after a line ending in ':')"): [
        "input 8x8x3\n    conv 3x3 8\n",
    ],
    ("a block header must be followed by an indented block",
     "indent the lines that belong to the block by the same number of spaces"): [
        "repeat 2:\nconv 3x3 8\n",
        "residual:\nrelu\n",
    ],
    ("unbalanced parentheses", "check that every '(' has a matching ')'"): [
        "input (8, 8, 3\n",
        "conv (3, 3 8\n",
        "stage(64, 2\n",
    ],
    ("an expression is incomplete",
     "an operator needs a value on both sides, e.g. 'c * 2'"): [
        "let a = 3 +\n",
        "param a =\n",
        "conv 3x3 c*\n",
    ],
    ("'=' needs a name on its left",
     "options are written key=value without spaces around a value, e.g. stride=2"): [
        "conv 3x3 8 2=1\n",
    ],
}


def _signature(err: UnexpectedInput):
    """What identifies a kind of syntax error: the offending token type (or character
    error) and the set of tokens the parser would have accepted there."""
    token = getattr(err, "token", None)
    kind = token.type if isinstance(token, Token) else type(err).__name__
    return kind, frozenset(getattr(err, "accepts", None) or getattr(err, "expected", None) or ())


@functools.lru_cache(maxsize=1)
def _example_signatures() -> dict:
    """Signature -> (message, hint), from parsing each labelled bad example once. (lark's
    match_examples compares whole parser states, which differ with what came before.)"""
    table = {}
    for label, examples in _EXAMPLES.items():
        for example in examples:
            try:
                _lark().parse(example)
            except UnexpectedInput as err:
                table.setdefault(_signature(err), label)
    return table


def _match_example(err: UnexpectedInput):
    return _example_signatures().get(_signature(err))


def _span_of(err: UnexpectedInput, source: str, file: str) -> Span:
    lines = source.splitlines()
    line = getattr(err, "line", None)
    col = getattr(err, "column", None)
    token = getattr(err, "token", None)
    if (line is None or line < 1) and isinstance(token, Token) and token.line:
        line, col = token.line, token.column
    if line is None or line < 1:  # end of input
        line = max(1, len(lines))
        col = len(lines[line - 1]) + 1 if lines else 1
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    width = 1
    if isinstance(token, Token) and token.type == "_INDENT" and token.end_line:
        line = token.end_line  # the indented line itself, not the end of the one before
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return Span(file, line, 1, max(1, len(text) - len(text.lstrip())), text)
    if isinstance(token, Token) and token.type not in ("_NL", "_INDENT", "_DEDENT", "$END"):
        width = max(1, len(str(token).splitlines()[0]) if str(token) else 1)
    return Span(file, line, max(1, col or 1), width, text)


def _describe(err: UnexpectedInput) -> str:
    if isinstance(err, UnexpectedCharacters):
        return f"unexpected character {err.char!r}"
    token = getattr(err, "token", None)
    if isinstance(token, Token):
        if token.type == "$END":
            return "unexpected end of file"
        if token.type == "_NL":
            return "unexpected end of line"
        if token.type == "_INDENT":
            return "unexpected indentation"
        if token.type == "_DEDENT":
            return "unexpected end of block"
        return f"unexpected {token.value!r}"
    return "syntax error"


def _check_indentation(source: str, file: str) -> None:
    """Tabs in indentation are an error: blocks are indented with spaces (spec rule).
    The first statement may not be indented (lark's Indenter would silently accept it).
    Lines longer than MAX_LINE_CHARS and blocks nested deeper than MAX_BLOCK_DEPTH are
    refused here, before the parser spends time on them."""
    first = True
    levels = [0]  # indentation of the enclosing blocks, to count nesting
    parens = 0  # lines inside an open '(' continue a statement: their indentation is free
    for number, text in enumerate(source.splitlines(), 1):
        if len(text) > MAX_LINE_CHARS:
            raise LimitError(f"line {number} is {len(text):,} characters long (the limit is "
                             f"{MAX_LINE_CHARS:,})", Span(file, number, MAX_LINE_CHARS + 1),
                             "split it: name parts with `let`, or continue a line inside ( ... )")
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if first:
            first = False
            if text[0] == " ":
                raise SpecSyntaxError(
                    "unexpected indentation", Span(file, number, 1, len(text) - len(text.lstrip()), text),
                    "the first statement of a spec starts at column 1")
        indent = re.match(r"[ \t]*", text).group()
        if "\t" in indent:
            col = indent.index("\t") + 1
            raise SpecSyntaxError(
                "a tab in indentation", Span(file, number, col, 1, text),
                "indent blocks with spaces only (4 spaces per level is usual)")
        if parens <= 0:
            while len(levels) > 1 and len(indent) < levels[-1]:
                levels.pop()
            if len(indent) > levels[-1]:
                levels.append(len(indent))
                if len(levels) > MAX_BLOCK_DEPTH + 1:
                    raise LimitError(f"blocks nested more than {MAX_BLOCK_DEPTH} deep",
                                     Span(file, number, 1, max(1, len(indent)), text),
                                     "a def called from a block reuses its lines without nesting them")
        code = stripped.split("#", 1)[0]
        parens = max(0, parens + code.count("(") - code.count(")"))


def normalise(source: str) -> str:
    """Drop a byte-order mark, turn CRLF into LF, end with a newline."""
    source = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return source if source.endswith("\n") else source + "\n"


def parse(source: str, file: str = "<spec>") -> ast.Module:
    """Parse spec text into an AST. Raises SpecSyntaxError with the place and a hint."""
    source = normalise(source)
    if len(source) > MAX_SPEC_CHARS:
        raise LimitError(f"the spec is {len(source):,} characters long (the limit is {MAX_SPEC_CHARS:,})",
                         Span(file, source.count("\n", 0, MAX_SPEC_CHARS) + 1, 1, 1, ""),
                         "a spec describes a network in a few hundred lines; use def and repeat")
    _check_indentation(source, file)
    parser = _lark()
    try:
        tree = parser.parse(source)
    except UnexpectedInput as err:
        span = _span_of(err, source, file)
        label = _match_example(err)
        message, hint = label if label else (_describe(err), None)
        if hint is None:
            hint = _default_hint(err)
        raise SpecSyntaxError(message, span, hint) from None
    except DedentError:
        raise _dedent_error(source, file) from None
    except LarkError as err:
        raise SpecSyntaxError(f"syntax error: {err}", Span(file, 1, 1, 1, ""),
                              "see docs/spec-language.md for the syntax") from None
    try:
        return ToAst(file, source).transform(tree)
    except VisitError as err:  # a rule refused its text (a number too large): already located
        if isinstance(err.orig_exc, CnnCostError):
            raise err.orig_exc from None
        raise


def _default_hint(err: UnexpectedInput) -> str | None:
    if isinstance(err, UnexpectedCharacters):
        if not err.char.isascii():  # a look-alike pasted from a document: × for x, − for -
            import unicodedata

            name = unicodedata.name(err.char, "an unnamed character")
            return f"{err.char!r} is U+{ord(err.char):04X} {name}, not ASCII: retype it"
        if err.char in "\"'":
            return "the spec language has no strings; write names and numbers bare"
        if err.char == "[":
            return "tuples are written with parentheses: (2, 1)"
        return "only letters, digits, operators, parentheses, ',', ':', '=' and '~' are used"
    expected = sorted(getattr(err, "expected", None) or getattr(err, "accepts", None) or [])
    if "RPAR" in expected and "COMMA" in expected:
        return "is a ')' missing on an earlier line? expected ',' or ')'"
    if "_INDENT" in expected:
        return "a line ending in ':' starts a block: indent the lines that belong to it"
    nice = [e for e in expected if not e.startswith("_") and e not in ("$END",)]
    if nice:
        return "expected one of: " + ", ".join(_terminal_names(nice[:8]))
    if expected == ["_NL"]:
        return "the statement is complete before this: one statement per line"
    return "see docs/spec-language.md for the syntax"


_TERMINAL_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "DIMS": "dimensions like 3x3", "LPAR": "'('",
    "RPAR": "')'", "COLON": "':'", "EQUAL": "'='", "COMMA": "','",
}


def _terminal_names(names: list[str]) -> list[str]:
    return [_TERMINAL_WORDS.get(n, n.lower()) for n in names]


def _dedent_error(source: str, file: str) -> SpecSyntaxError:
    """Find the line whose indentation matches no enclosing block."""
    levels = [0]
    for number, text in enumerate(source.splitlines(), 1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(text) - len(text.lstrip(" "))
        if indent > levels[-1]:
            levels.append(indent)
            continue
        while indent < levels[-1]:
            levels.pop()
        if indent != levels[-1]:
            return SpecSyntaxError(
                f"this line's indentation ({indent} spaces) matches no enclosing block",
                Span(file, number, 1, max(1, indent), text),
                "indent it like the block it belongs to: "
                + " or ".join(f"{n} spaces" for n in levels))
    return SpecSyntaxError("inconsistent indentation", Span(file, 1, 1, 1, ""), None)
