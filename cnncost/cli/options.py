"""What the commands share: exit codes, the error type that exits 2, spec options, output."""
from __future__ import annotations

import os
import sys

import click

from ..build import DEFAULT_MAX_NODES
from ..load import load

EXIT_WRONG = 1  # a checked answer is wrong
EXIT_INPUT = 2  # the input is bad: syntax, names, shapes, files


class InputError(click.ClickException):
    """A CnnCostError on its way to the terminal: located message, exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None):
        click.echo(self.message, err=True)


def _parse_params(values, hint: str = "-p/--param") -> dict[str, str]:
    out = {}
    for item in values:
        for part in item.split(",") if "=" in item and item.count("=") > 1 else [item]:
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise click.BadParameter(f"'{part}' is not NAME=VALUE (e.g. -p alpha=0.75)",
                                         param_hint=hint)
            out[name.strip()] = value.strip()
    return out


def spec_options(func):
    """Options shared by every command that loads a spec."""
    func = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                        help="Override a `param` of the spec, e.g. -p alpha=0.75 (repeatable).")(func)
    func = click.option("--width", type=str, default=None, metavar="A",
                        help="Width multiplier: sets `param width`, or scales every conv's "
                             "output channels to int(A*N) when the spec has none.")(func)
    func = click.option("--depth-mult", "depth_mult", type=str, default=None, metavar="D",
                        help="Depth multiplier: sets the spec's `param depth` "
                             "(same as -p depth=D).")(func)
    func = click.option("--resolution", type=str, default=None, metavar="R",
                        help="Input size: 160 sets a 160x160 input; 0.5 scales the spec's size.")(func)
    func = click.option("--channels-first", is_flag=True, expose_value=False, callback=_remember_layout,
                        help="Read the spec's `input` as C x H x W (PyTorch's order), as "
                             "`input 3x224x224 chw` does.")(func)
    func = click.option("--compound", type=str, default=None, metavar="A,B,G", expose_value=False,
                        callback=_remember("compound"),
                        help="With --phi: the depth, width and resolution bases α,β,γ "
                             "[default: the EfficientNet paper's 1.2,1.1,1.15].")(func)
    func = click.option("--phi", type=str, default=None, metavar="N", expose_value=False,
                        callback=_remember("phi"),
                        help="Compound scaling (EfficientNet): depth α^N, width β^N, "
                             "resolution γ^N (about 2^N the FLOPs).")(func)
    func = click.option("--max-nodes", type=Whole(1, MAX_NODES_LIMIT), default=None, metavar="N",
                        expose_value=False, callback=_remember_max_nodes,
                        help=f"Refuse specs that make more than N nodes or run more than N "
                             f"statements (loops and calls) [default: {DEFAULT_MAX_NODES:,}].")(func)
    return func


def _remember_max_nodes(ctx, param, value):
    """--max-nodes is read by load_from_options, so commands need no parameter for it."""
    ctx.meta["cnncost.max_nodes"] = value


def _remember_layout(ctx, param, value):
    """--channels-first is read by load_from_options too."""
    ctx.meta["cnncost.channels_first"] = value


def _remember(name: str):
    """An option read by load_from_options (--phi, --compound), so commands need no parameter."""
    def callback(ctx, param, value):
        ctx.meta[f"cnncost.{name}"] = value
    return callback


def wants_training() -> bool:
    """--aux-heads was given (analysis_options): count the heads used only in training."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get("cnncost.training"))


def load_from_options(spec, params, width, depth_mult, resolution, symbolic=()):
    ctx = click.get_current_context(silent=True)
    max_nodes = ctx.meta.get("cnncost.max_nodes") if ctx else None
    phi = ctx.meta.get("cnncost.phi") if ctx else None
    coefficients = ctx.meta.get("cnncost.compound") if ctx else None
    if coefficients is not None and phi is None:
        raise click.UsageError("--compound goes with --phi")
    if phi is not None:
        if width is not None or depth_mult is not None or resolution is not None:
            raise click.UsageError("--phi sets the width, depth and resolution: give --phi or "
                                   "--width/--depth-mult/--resolution, not both")
        from ..errors import CnnCostError
        from ..scaling import compound

        try:
            c = compound(phi, coefficients)
        except CnnCostError as err:
            raise click.BadParameter(err.message + (f" ({err.hint})" if err.hint else "")) from None
        width, depth_mult, resolution = c.width, c.depth, c.resolution
    channels_first = bool(ctx.meta.get("cnncost.channels_first")) if ctx else False
    graph = load(spec, _parse_params(params), width=width, depth=depth_mult, resolution=resolution,
                 max_nodes=max_nodes, symbolic=symbolic, channels_first=channels_first)
    warn(graph.warnings)
    return graph


def warn(warnings):
    """Likely mistakes that are not errors (a C x H x W input), on stderr."""
    for text in warnings:
        click.echo(f"warning: {text}", err=True)


def symbol_names(value: str | None, option: str = "--symbolic") -> tuple[str, ...]:
    """`H,W` -> ('H', 'W'): names for symbols given on the command line."""
    if value is None:
        return ()
    import re

    names = tuple(n.strip() for n in value.split(","))
    for name in names:
        if len(name) > 64:
            raise click.BadParameter(f"'{name[:20]}...' is {len(name):,} characters long: symbol "
                                     "names have at most 64", param_hint=option)
        if not name.isidentifier() or re.fullmatch(r"[A-Za-z]\d+", name):
            raise click.BadParameter(
                f"'{name}' is not a symbol name (letters, digits and _, not a flag like s2)",
                param_hint=option)
    return names


def emit(text: str):
    click.echo(text, nl=False)


def fancy() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


class Number(click.ParamType):
    """Every numeric option's reader (cnncost.values.read_number): exact, bounded, and
    quick to refuse `1e999999999` or digits that only look like 0-9, with exit 2."""

    def __init__(self, low=0, high=None, *, low_open: bool = True, whole: bool = False):
        self.low, self.high, self.low_open, self.whole = low, high, low_open, whole
        self.name = "integer" if whole else "number"

    def convert(self, value, param, ctx):
        from ..values import NumberError, read_number

        try:
            return read_number(value, low=self.low, high=self.high, low_open=self.low_open,
                               whole=self.whole)
        except NumberError as err:
            self.fail(f"{value}: {err}", param, ctx)


def Whole(low: int = 0, high: int | None = None) -> Number:  # noqa: N802 (a type, as click.IntRange)
    """A whole number from low to high, both included."""
    return Number(low, high, low_open=False, whole=True)


# Bounds of the roofline's device figures: far past any chip made.
PEAK_TFLOPS = (0, 10**6)
BANDWIDTH_GBS = (0, 10**9)
MAX_NODES_LIMIT = 10**8  # --max-nodes: a million nodes already takes a minute


def convention_options(func):
    """--convention and --ledger: totals the way other tools count, and why they differ."""
    from ..conventions import PROFILES

    func = click.option("--ledger", is_flag=True,
                        help="List every category of operation with its count (and, with "
                             "--convention, each convention's factor), so the differences "
                             "between tools are explained.")(func)
    func = click.option("--convention", "conventions", multiple=True, metavar="NAME",
                        type=click.Choice([*PROFILES, "all"]),
                        help="Also report totals the way a tool counts them, as a column and "
                             "a total (repeatable; 'all' for every one): "
                             + ", ".join(PROFILES) + ". See docs/conventions.md.")(func)
    return func


def convention_names(values) -> tuple[str, ...]:
    """The --convention values, 'all' expanded, duplicates dropped, order kept."""
    from ..conventions import PROFILES

    names = [n for v in values for n in (PROFILES if v == "all" else [v])]
    return tuple(dict.fromkeys(names))


def roofline_options(func):
    """--device or --peak-tflops/--bandwidth-gbs: roofline columns per layer."""
    from ..devices import DEVICES

    func = click.option("--bandwidth-gbs", type=Number(*BANDWIDTH_GBS),
                        default=None, metavar="Y",
                        help="Memory bandwidth in GB/s for the roofline (with "
                             "--peak-tflops).")(func)
    func = click.option("--peak-tflops", type=Number(*PEAK_TFLOPS),
                        default=None, metavar="X",
                        help="Peak arithmetic in TFLOP/s for the roofline (with "
                             "--bandwidth-gbs).")(func)
    func = click.option("--device", type=click.Choice(list(DEVICES)), default=None,
                        help="Add roofline columns for a device preset: bytes moved, FLOP per "
                             "byte, the latency lower bound and whether the layer is memory- "
                             "or compute-bound. See docs/roofline.md.")(func)
    return func


def device_from_options(device, peak_tflops, bandwidth_gbs):
    """The Device the roofline options name, or None when none was given."""
    from ..devices import DEVICES, custom

    if device is not None:
        if peak_tflops is not None or bandwidth_gbs is not None:
            raise click.UsageError("give --device or --peak-tflops/--bandwidth-gbs, not both")
        return DEVICES[device]
    if (peak_tflops is None) != (bandwidth_gbs is None):
        raise click.UsageError("--peak-tflops and --bandwidth-gbs go together")
    return None if peak_tflops is None else custom(peak_tflops, bandwidth_gbs)


def analysis_options(func):
    """--batch and --dtype, as summarize has them; --aux-heads for specs with heads used
    only in training (read by wants_training)."""
    from ..report import DTYPE_BYTES

    func = click.option("--aux-heads", is_flag=True, expose_value=False, callback=_remember("training"),
                        help="Count the heads used only in training too (`output ... train aux1`): "
                             "by default the figures are inference's.")(func)

    func = click.option("--dtype", type=click.Choice(sorted(DTYPE_BYTES)), default="fp32",
                        show_default=True,
                        help="Bytes per value for activation and weight memory.")(func)
    func = click.option("--batch", type=BATCH, default=1, show_default=True,
                        help="Batch size: scales activations and MACs, never parameters.")(func)
    return func


# Counts are int64 in every framework; a larger batch is a typo, not a network.
BATCH = Whole(1, 2**63 - 1)


def complete_spec(ctx, param, incomplete):
    """Shell completion of a SPEC: the zoo names that start with what is typed, and files."""
    from click.shell_completion import CompletionItem

    from .. import zoo

    if ":" in incomplete:  # NAME:k=v settings: nothing to offer
        return []
    names = [CompletionItem(name) for name in zoo.entries() if name.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="file")]


# Settings of `NAME:k=v,...` that are scalings rather than spec params.
MODEL_SCALINGS = ("width", "resolution")


def split_model(arg: str) -> tuple[str, dict[str, str]]:
    """`mobilenet_v1:alpha=0.5,resolution=160` -> ('mobilenet_v1', {...}); an existing
    file's path is taken whole, colons and all."""
    if os.path.exists(arg) or ":" not in arg:
        return arg, {}
    source, _, settings = arg.rpartition(":")
    if not source or "=" not in settings:
        raise click.BadParameter(f"'{arg}' is not SPEC or SPEC:NAME=VALUE,... "
                                 "(e.g. mobilenet_v1:alpha=0.5)", param_hint="SPEC")
    return source, _parse_params([settings], hint="SPEC")
