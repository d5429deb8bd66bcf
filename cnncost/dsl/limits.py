"""Limits on a spec's text, checked before parsing so that a hostile file fails at once.

A module of its own so that cnncost.load can read a file under the same limit without
importing the parser (and lark)."""

MAX_SPEC_CHARS = 1024 * 1024  # a spec describes a network in a few hundred lines
MAX_LINE_CHARS = 10_000
MAX_BLOCK_DEPTH = 100  # blocks nested inside blocks
# Names, numbers and symbols (comments aside): the largest zoo spec has under 700. Parsing
# costs up to 70 us a token (layer lines), so this keeps any accepted file under a second
# of CPU (25,000 took 2 s, over the 2 s a case may take on a busy 2-core machine).
MAX_SPEC_TOKENS = 10_000
