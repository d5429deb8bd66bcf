"""Convolution with a connection table, `conv K N table=((0,1,2), (1,2,3), ...)` (LeNet-5's
C3, LeCun et al. 1998, Table I): the option, its count of links, and the exported forms
(the TableConv helpers of export_code); the Conv entry (conv.py) asks these."""
from __future__ import annotations

from ..errors import SpecValueError
from .options import Option, show, whole
from .window import window_out


def _table(value):
    """`table=((0,1,2),(1,2,3),...)`: for each output map, the input maps it reads
    (LeNet-5's C3, LeCun et al. 1998, Table I)."""
    rows = value if isinstance(value, tuple) else None
    if not rows or not all(isinstance(r, tuple) and r for r in rows):
        raise SpecValueError("a connection table is a tuple of tuples, one per output map, of "
                             "the input maps it reads", hint="e.g. table=((0, 1, 2), (1, 2, 3))")
    out = []
    for row in rows:
        maps = tuple(whole(v, "input map index", minimum=0) for v in row)
        if len(set(maps)) != len(maps):
            raise SpecValueError(f"the table row {show(row)} names an input map twice",
                                 hint="each output map reads each input map at most once")
        out.append(maps)
    return tuple(out)


TABLE = Option("table", _table, "for each output map, the input maps it reads: table=((0,1,2),(1,2,3))")


def torch_table(a, ins):
    """The TableConv helper (export_code.TORCH_HELPERS): per output map, one convolution per
    run of consecutive input maps it reads, summed; uneven padding as F.pad before it."""
    from ..interop.export_code import TorchCode, call, one_or_pair, symmetric_padding, torch_pad

    h, w, _ = ins[0]
    _, pads = window_out(a, h, w)
    even = symmetric_padding(pads)
    module = call("TableConv", a["table"], one_or_pair(a["kernel"]),
                  stride=None if a["stride"] == (1, 1) else one_or_pair(a["stride"]),
                  padding=one_or_pair(even) if even and any(even) else None,
                  dilation=None if a["dilation"] == (1, 1) else one_or_pair(a["dilation"]),
                  bias=None if a["bias"] else False)
    return TorchCode(module, "{m}({0})" if even else f"{{m}}(F.pad({{0}}, {torch_pad(pads)}))", ("TableConv",))


def keras_table(a, ins):
    """The TableConv helper (export_code.KERAS_HELPERS): per output map, a convolution of
    its input maps (taken from the input) with its own kernel; padding as explicit zeros."""
    from ..interop.export_code import KerasCode, call

    h, w, _ = ins[0]
    _, (t, b, l, r) = window_out(a, h, w)
    layer = call("TableConv", a["table"], tuple(a["kernel"]),
                 strides=None if a["stride"] == (1, 1) else tuple(a["stride"]),
                 pads=((t, b), (l, r)) if t or b or l or r else None,
                 dilation_rate=None if a["dilation"] == (1, 1) else tuple(a["dilation"]),
                 use_bias=None if a["bias"] else False)
    return KerasCode((("", layer),), helpers=("TableConv",))


def torch_table_arrays(a, arrays):
    """The executor's per-map (kh, kw, len(row), 1) kernels (and (1,) biases) as TableConv's
    weight (entries, kh, kw) and bias (N,)."""
    import numpy as np

    step = 2 if a["bias"] else 1
    weight = np.concatenate([w[..., 0].transpose(2, 0, 1) for w in arrays[::step]])
    return [weight, np.concatenate(arrays[1::2])] if a["bias"] else [weight]


def table_links(a, c):
    """Input maps read, summed over the output maps: C/g * N without a table."""
    table = a.get("table")
    return sum(len(row) for row in table) if table else None
