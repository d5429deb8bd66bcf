"""The zoo listing (`cnncost zoo`) in each output format: one row per model, exact
numbers; a variant's source names its spec and settings."""
from __future__ import annotations

import csv
import io
import json

from .json import SCHEMA_VERSION
from .numbers import exact_text, jsonable, shape
from .page import Table, text_table

HEADER = ("Model", "Input", "Params", "MACs", "Source")
RIGHT = (False, False, True, True, False)


def _settings(model) -> list[str]:
    return [f"{k}={v}" for k, v in model.settings.items()]


def origin(model) -> str:
    """The source column: the spec's first line, or for a variant the spec and settings
    it stands for (`efficientnet_b0 with width=1.1, depth=1.2, drop_rate=0.3 at 260`)."""
    if not model.is_variant:
        return model.source
    text = f"{model.spec} with " + ", ".join(_settings(model))
    return text + (f" at {model.resolution}" if model.resolution else "")


def _cells(model):
    return (model.name, shape(model.input), exact_text(model.params), exact_text(model.macs), origin(model))


NOTE = ("{n} models; MACs are multiply-accumulates for one image at the input shown. "
        "`cnncost summarize NAME` shows one layer by layer.")


def zoo_table(models) -> Table:
    """The zoo as a page Table; the source, the long column, comes last and may wrap."""
    return Table("", HEADER, tuple(_cells(m) for m in models), RIGHT,
                 wraps=(False, False, False, False, True))


def render_zoo_text(models, fancy: bool = False, width: int | None = None) -> str:
    """Aligned plain text; for a terminal (`fancy`), fitted to its width (render/fit.py):
    the sources wrap, the numbers never do."""
    table = zoo_table(models)
    note = NOTE.format(n=len(table.rows))
    if fancy:
        from .fit import fit_table, terminal_width

        width = width or terminal_width()
        return fit_table(table, width, hint="--format csv").text + "\n" + _wrapped(note, width)
    lines = text_table(table)[2:]  # no title
    return "\n".join([*lines, "", note]) + "\n"


def _wrapped(text: str, width: int, indent: str = "") -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, subsequent_indent=indent,
                                    break_long_words=False, break_on_hyphens=False)) + "\n"


def render_layer_kinds(kinds, width: int | None = None) -> str:
    """`cnncost layers`: each kind and its whole first paragraph (never cut mid-phrase);
    wrapped under its column in a terminal `width` wide, one line each otherwise."""
    pad = max((len(name) for name, _ in kinds), default=0) + 2
    out = []
    for name, text in kinds:
        line = f"{name.ljust(pad)}{text}"
        out.append(_wrapped(line, width, " " * pad) if width and width > pad + 20 else line + "\n")
    return "".join(out)


def zoo_dict(model) -> dict:
    return {"name": model.name, "spec": model.spec,
            "settings": {k: jsonable(v) for k, v in model.settings.items()},
            "resolution": model.resolution, "source": model.source,
            "input": jsonable(model.input), "output": jsonable(model.output),
            "params": jsonable(model.params), "buffers": jsonable(model.buffers),
            "macs": jsonable(model.macs)}


def render_zoo_json(models) -> str:
    """{"schema": 1, "models": [...]}, one compact line per model."""
    rows = ",\n".join("    " + json.dumps(zoo_dict(m)) for m in models)
    return f'{{\n  "schema": {SCHEMA_VERSION},\n  "models": [\n{rows}\n  ]\n}}\n'


CSV_COLUMNS = ("name", "spec", "settings", "input", "output", "params", "buffers", "macs",
               "source")


def render_zoo_csv(models) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in models:
        settings = _settings(m) + ([f"resolution={m.resolution}"] if m.resolution else [])
        writer.writerow([m.name, m.spec, " ".join(settings), shape(m.input), shape(m.output),
                         jsonable(m.params), jsonable(m.buffers), jsonable(m.macs), m.source])
    return out.getvalue()


def render_zoo_markdown(models) -> str:
    lines = ["| model | input | params | MACs | source |", "|---|---|---:|---:|---|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(m)) + " |" for m in models]
    return "\n".join(lines) + "\n"


def render_zoo_html(models) -> str:
    """One self-contained page: the zoo table, exact numbers, and bars of each model's MACs
    and params."""
    from .html import document
    from .numbers import is_plain, short
    from .page import Bar, Chart, Page

    table = zoo_table(models)._replace(
        title="Models", notes=(NOTE.format(n=len(models)).replace("NAME`", "NAME --format html`"),))
    blocks = [table]
    if all(is_plain(m.params) and is_plain(m.macs) for m in models):
        blocks += [Chart(title, tuple(Bar(m.name, getattr(m, key), short(getattr(m, key))) for m in models))
                   for title, key in (("MACs", "macs"), ("Params", "params"))]
    return document(Page("cnncost zoo", tuple(blocks)))


ZOO_FORMATS = {
    "table": render_zoo_text,
    "json": render_zoo_json,
    "csv": render_zoo_csv,
    "markdown": render_zoo_markdown,
    "html": render_zoo_html,
}
