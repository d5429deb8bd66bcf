"""Transposed convolution (`deconv`): the gradient of a convolution, used to upsample."""
from __future__ import annotations

from .. import dims
from ..errors import ShapeError
from .base import RFStep, register, spatial
from .conv import OUTPAD, _Conv
from .options import CHANNELS, GROUPS, SPATIAL, takes


@register
class TransposedConv(_Conv):
    """Transposed convolution `deconv K N [sS] [pP] [outpad=P]` (PyTorch ConvTranspose2d).

    out = (H - 1)*s - pt - pb + d*(k - 1) + outpad + 1; with `same`, out = H*s (Keras)
    params = kh*kw*(C/g)*N + N; MACs = Hin*Win*C * kh*kw*N/g (each input element is
    multiplied into a kh x kw x N/g patch, as torch's FlopCounterMode counts it)
    Refused as PyTorch refuses: groups not dividing C or N; outpad >= both stride and dilation.
    """

    name = "deconv"
    aliases = ("convtranspose", "conv2dtranspose")
    positional = ("kernel", "channels")
    required = ("kernel", "channels")
    options = takes(*SPATIAL, GROUPS, OUTPAD, CHANNELS)
    defaults = {"stride": (1, 1), "dilation": (1, 1), "groups": 1, "bias": True, "outpad": (0, 0)}
    example = "deconv 4x4 64 s2 p1"
    keras_class = "Conv2DTranspose"
    width_scaled = True
    # torchinfo and ptflops multiply a ConvTranspose2d's weights by its output positions
    ledger_categories = {"macs": "deconv.macs", "bias": "conv.bias",
                         "weights_x_out": "deconv.weights_x_out"}

    def _axis(self, size, k, s, d, before, after, op, mode, axis):
        if mode == "same":
            return size * s
        out = (size - 1) * s - before - after + d * (k - 1) + op + 1
        if dims.known_below(out, 1):
            raise ShapeError(f"output {axis} would be {out}: ({size} - 1)*{s} - {before} - {after} "
                             f"+ {d}*({k} - 1) + {op} + 1", hint="reduce the padding")
        return out

    def shape(self, a, ins):
        h, w, c = spatial(ins[0], self.name)
        g, n = a["groups"], a["channels"]
        if dims.is_number(c) and c % g:
            raise ShapeError(f"groups={g} does not divide the {c} input channels")
        if dims.is_number(n) and n % g:  # torch: "out_channels must be divisible by groups"
            raise ShapeError(f"groups={g} does not divide the {n} output channels: PyTorch refuses "
                             "this ConvTranspose2d",
                             hint=f"choose an output channel count that is a multiple of {g}")
        (kh, kw), (sh, sw), (dh, dw) = a["kernel"], a["stride"], a["dilation"]
        for axis, op, st, di in (("height", a["outpad"][0], sh, dh), ("width", a["outpad"][1], sw, dw)):
            if all(dims.is_number(v) for v in (op, st, di)) and op >= st and op >= di:
                raise ShapeError(f"output padding {op} is not smaller than the stride {st} or the "
                                 f"dilation {di} ({axis}): PyTorch refuses this ConvTranspose2d",
                                 hint="output padding picks one of the stride's possible output sizes: "
                                      "keep it below the stride")
        mode = a.get("padding") or "explicit"
        t, b, l, r = a.get("pad", (0, 0, 0, 0)) if mode == "explicit" else (0, 0, 0, 0)
        oph, opw = a["outpad"]
        return (self._axis(h, kh, sh, dh, t, b, oph, mode, "height"),
                self._axis(w, kw, sw, dw, l, r, opw, mode, "width"), n)

    def params(self, a, ins, out):
        kh, kw = a["kernel"]
        c, n, g = ins[0][2], a["channels"], a["groups"]
        return kh * kw * c * dims.divide(n, g) + (n if a["bias"] else 0)

    def macs(self, a, ins, out):
        kh, kw = a["kernel"]
        n, g = a["channels"], a["groups"]
        return dims.product(ins[0]) * (kh * kw * dims.divide(n, g))  # inputs × patch

    def ledger(self, a, ins, out, counts):
        bias = out[-1] if a["bias"] else 0
        return {**super().ledger(a, ins, out, counts),
                "weights_x_out": (counts.params - bias) * out[0] * out[1]}

    def temporaries(self, a, ins, out):
        """The scattered patches (a transposed copy when grouped) and the uncropped sum."""
        from ..execute.kernels import transposed_geometry

        h, w, c = ins[0]
        (kh, kw), n, g = a["kernel"], a["channels"], a["groups"]
        patches = h * w * kh * kw * n * (2 if g > 1 else 1)
        crop, (oh, ow) = transposed_geometry(a, h, w)
        (sh, sw), (dh, dw) = a["stride"], a["dilation"]
        full = max((h - 1) * sh + dh * (kh - 1) + 1, crop[0] + oh) * \
            max((w - 1) * sw + dw * (kw - 1) + 1, crop[1] + ow) * n
        return patches + full

    def rf(self, a, ins):
        (kh, kw), (sh, sw), (dh, dw) = a["kernel"], a["stride"], a["dilation"]
        # each output unit gathers ceil(k'/s) input positions; the jump shrinks by s
        return RFStep((dims.ceildiv(dh * (kh - 1) + 1, sh), dims.ceildiv(dw * (kw - 1) + 1, sw)),
                      (1, 1), (1, 1), (0, 0), (sh, sw))

    def run(self, a, xs, tape):
        """One matmul scattering each input element into a kh x kw x N/g patch."""
        from ..execute.kernels import conv_transpose2d, transposed_geometry

        x = xs[0]
        (kh, kw), g, n = a["kernel"], a["groups"], a["channels"]
        c = x.shape[3]
        weight = tape.param((c, kh, kw, n // g), fan_in=c // g)
        bias = tape.param((n,)) if a["bias"] else None
        crop, size = transposed_geometry(a, x.shape[1], x.shape[2])
        return conv_transpose2d(tape, x, weight, bias, a["stride"], a["dilation"], crop, size, g)

    # ---- import hooks (cnncost.interop): the framework layers this kind is read from
    keras_classes = ("Conv2DTranspose",)
    onnx_ops = ("ConvTranspose",)
    torch_modules = ("ConvTranspose2d",)
    torch_aten_ops = ("conv_transpose2d",)

    def from_keras(self, cfg, ins):
        from .spelling import dims, join, keras_window, two

        out = two(cfg.get("output_padding") or 0)
        return [("deconv", join(dims(cfg["kernel_size"]), cfg["filters"], keras_window(cfg),
                                f"outpad=({out[0]}, {out[1]})" if out != (0, 0) else "",
                                "" if cfg.get("use_bias", True) else "nobias"))]

    def from_onnx(self, node, ins):
        from .spelling import Unmappable, dims, join, onnx_window, two, weight_shape

        c, n_g, kh, kw = weight_shape(node, 1)
        g = node.attrs.get("group", 1)
        if "output_shape" in node.attrs:
            raise Unmappable("output_shape attribute")
        oh, ow = two(node.attrs.get("output_padding", [0, 0]))
        return [("deconv", join(dims((kh, kw)), n_g * g, onnx_window(node.attrs, (kh, kw)),
                                f"g{g}" if g > 1 else "", f"outpad=({oh}, {ow})" if (oh, ow) != (0, 0) else "",
                                "" if node.has_input(2) else "nobias"))]
    # ---- training
    def backward_macs(self, a, ins, out):
        """Input gradient: a convolution of the output gradient with the weight; weight
        gradient: a convolution of the output gradient with the input; both multiply the
        forward's pairs (torch.utils.flop_counter conv_backward_flop, transposed)."""
        m = self.macs(a, ins, out)
        return (m, m)

    def saved(self, a, ins, out, grads):
        from .autograd import Saved

        weight = self.params(a, ins, out) - (out[2] if a["bias"] else 0)
        return (Saved(0), Saved("weight", weight, per_sample=False))  # input and weight

    def pytorch(self, a, ins, out):
        from ..interop.export_window import torch_deconv

        return torch_deconv(a, ins, out)

    def keras(self, a, ins, out):
        from ..interop.export_code import KerasCode, Unsupported, call, one_or_pair
        from ..interop.export_window import _opt

        if a["groups"] != 1:
            raise Unsupported("Keras's Conv2DTranspose has no groups")
        same = a.get("padding") == "same"
        pads = (0, 0, 0, 0) if same or a.get("padding") == "valid" else a.get("pad", (0, 0, 0, 0))
        t, b, l, r = pads
        layer = call("layers.Conv2DTranspose", a["channels"], one_or_pair(a["kernel"]),
                     strides=_opt(one_or_pair(a["stride"]), 1), padding="same" if same else None,
                     output_padding=None if a["outpad"] == (0, 0) else one_or_pair(a["outpad"]),
                     dilation_rate=_opt(one_or_pair(a["dilation"]), 1), use_bias=_opt(a["bias"], True))
        if not any(pads):
            return KerasCode((("", layer),))
        return KerasCode((("_full", layer), ("", call("layers.Cropping2D", ((t, b), (l, r))))))

    def torch_arrays(self, a, arrays):
        weight, *bias = arrays  # (C, kh, kw, N/g) -> PyTorch's (C, N/g, kh, kw)
        return [weight.transpose(0, 3, 1, 2), *bias]
