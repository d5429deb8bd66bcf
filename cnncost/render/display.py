"""How reports show themselves in a REPL or notebook (report/display.py's mixin calls
these; cnncost/__init__.py registers this module, so report/ never imports a renderer):
`str()` is the text table, `repr()` one line, `_repr_html_` the HTML fragment Jupyter shows."""
from __future__ import annotations


def _report_str(report) -> str:
    from .text import render_text

    return render_text(report).rstrip("\n")


def _report_repr(report) -> str:
    from .numbers import exact_text, is_plain, short

    t = report.totals
    macs = short(t.macs, digits=3) if is_plain(t.macs) else exact_text(t.macs)
    return f"<Report {report.network}: {exact_text(t.params)} params, {macs} MACs>"


def _report_html(report) -> str:
    from .html import report_fragment

    return report_fragment(report)


def _comparison_str(comparison) -> str:
    from .compare import render_compare_table

    return render_compare_table(comparison).rstrip("\n")


def _comparison_repr(comparison) -> str:
    return f"<Comparison of {', '.join(m.label for m in comparison.models)}>"


def _comparison_html(comparison) -> str:
    from .compare import compare_fragment

    return compare_fragment(comparison)


def _sweep_str(result) -> str:
    from .sweep import render_sweep_table

    return render_sweep_table(result).rstrip("\n")


def _sweep_repr(result) -> str:
    axes = " x ".join(f"{a.name} ({len(a.values)})" for a in result.axes)
    return f"<Sweep {result.network}: {len(result.points)} points over {axes}>"


def _sweep_html(result) -> str:
    from .sweep import sweep_fragment

    return sweep_fragment(result)


_SHOW = {"Report": (_report_str, _report_repr, _report_html),
         "Comparison": (_comparison_str, _comparison_repr, _comparison_html),
         "Sweep": (_sweep_str, _sweep_repr, _sweep_html)}


def as_str(obj) -> str:
    return _SHOW[type(obj).__name__][0](obj)


def as_repr(obj) -> str:
    return _SHOW[type(obj).__name__][1](obj)


def as_html(obj) -> str:
    return _SHOW[type(obj).__name__][2](obj)
