"""Limits on a spec's text, checked before parsing so that a hostile file fails at once.

A module of its own so that cnncost.load can read a file under the same limit without
importing the parser (and lark)."""

MAX_SPEC_CHARS = 1024 * 1024  # a spec describes a network in a few hundred lines
MAX_LINE_CHARS = 10_000
MAX_BLOCK_DEPTH = 100  # blocks nested inside blocks
