"""Write docs/reference/cli.md (every command's --help) and docs/reference/layers.md (the
layer registry) so the reference cannot drift from the program.

    PYTHONPATH=$PWD python docs/gen_reference.py          # rewrite the two pages
    PYTHONPATH=$PWD python docs/gen_reference.py --check   # exit 1 when one is stale

tests/test_docs_site.py runs the check. Not part of the site (mkdocs.yml excludes it)."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

REFERENCE = Path(__file__).resolve().parent / "reference"
WIDTH = 88  # help text wraps here, whatever the terminal


def _commands(group: click.Group, ctx: click.Context, path: tuple[str, ...]):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx,
                            terminal_width=WIDTH, max_content_width=WIDTH)
        yield path + (name,), command, sub
        if isinstance(command, click.Group):
            yield from _commands(command, sub, path + (name,))


def cli_page() -> str:
    from cnncost.cli.app import cli

    settings = {**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    root = click.Context(cli, info_name="cnncost", **settings)
    out = ["# Command reference", "",
           "Generated from `--help` by `docs/gen_reference.py`; `cnncost COMMAND --help` prints the same.",
           "", "```text", cli.get_help(root), "```", ""]
    for path, command, ctx in _commands(cli, root, ()):
        out += [f"## cnncost {' '.join(path)}", "", "```text", command.get_help(ctx), "```", ""]
    return "\n".join(out)


def _code(values) -> str:
    return ", ".join(f"`{value}`" for value in values) or "none"


def _summary(doc: str) -> tuple[str, str]:
    """The docstring's first paragraph on one line (never cut mid-phrase), and the rest."""
    first, _, rest = textwrap.dedent("    " + doc.strip()).partition("\n\n")
    return " ".join(first.split()), textwrap.dedent(rest).strip("\n")


def layers_page() -> str:
    from cnncost.layers import REGISTRY, user_kinds

    out = ["# Layer reference", "",
           "Generated from the layer catalogue (`cnncost/layers/`) by `docs/gen_reference.py`;",
           "`cnncost layers KIND` prints a kind's rules. How to write a layer line is in",
           "[the spec language](../spec-language.md).", "",
           "| kind | what |", "|---|---|"]
    kinds = list(user_kinds())
    for name in kinds:
        first = _summary(REGISTRY[name].__doc__)[0].replace("|", "\\|")
        out.append(f"| [`{name}`](#{name}) | {first} |")
    out.append("")
    for name in kinds:
        layer = REGISTRY[name]
        first, rest = _summary(layer.__doc__)
        out += [f"## {name}", "", first, ""]
        facts = [("aliases", _code(getattr(layer, "aliases", ()))),
                 ("category", f"`{getattr(layer, 'category', '')}`"),
                 ("positional values", _code(getattr(layer, "positional", ()))),
                 ("options (`key=value`)", _code(sorted(getattr(layer, "options", ())))),
                 ("words", _code(sorted(getattr(layer, "words", {}))))]
        out += [f"- {label}: {value}" for label, value in facts]
        if rest:
            out += ["", "```text", rest, "```"]
        out.append("")
    return "\n".join(out)


PAGES = {"cli.md": cli_page, "layers.md": layers_page}


def main(argv: list[str]) -> int:
    stale = []
    for filename, make in PAGES.items():
        path, text = REFERENCE / filename, make()
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            REFERENCE.mkdir(exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    if stale:
        print("stale (run python docs/gen_reference.py): " + ", ".join(stale), file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
