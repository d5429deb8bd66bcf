"""Errors that carry the place in the spec they are about.

Every error a user can cause is a CnnCostError: the CLI prints it as
``FILE:LINE:COL: error: MESSAGE``, the offending line, a caret under the place and a
hint, and exits 2. Nothing else should escape to the user.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A place in a spec: 1-based line and column, and how many characters it covers."""

    file: str
    line: int
    col: int = 1
    width: int = 1
    text: str = ""  # the whole source line, for the caret display

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class CnnCostError(Exception):
    """Base of all user-facing errors: a message, an optional place and a hint."""

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def located(self, span: Span | None) -> "CnnCostError":
        """Attach a place if the error has none yet (errors raised deep in a rule)."""
        if self.span is None and span is not None:
            self.span = span
        return self

    def render(self) -> str:
        """The full text shown to the user: location, message, source line, caret, hint."""
        where = f"{self.span}: " if self.span else ""
        lines = [f"{where}error: {self.message}"]
        if self.span and self.span.text:
            src = self.span.text.rstrip("\n").replace("\t", " ")
            lines.append(f"    {src}")
            lines.append("    " + " " * (self.span.col - 1) + "^" * max(1, self.span.width))
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class SpecSyntaxError(CnnCostError):
    """The text does not follow the grammar of the spec language."""


class SpecNameError(CnnCostError):
    """An unknown layer kind, option, variable, def or named output."""


class SpecValueError(CnnCostError):
    """A value of the wrong kind or range: a fractional channel count, stride 0, ..."""


class ShapeError(CnnCostError):
    """Shapes that cannot work: an output below 1, an add of different shapes, ..."""


class LimitError(CnnCostError):
    """A spec that would be too big to build: recursion, node count, huge repeats."""


class SpecFileError(CnnCostError):
    """A spec file or zoo name that cannot be found or read."""
