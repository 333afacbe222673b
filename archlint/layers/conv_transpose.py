"""Transposed convolutions: Keras Conv1DTranspose/2D/3D and PyTorch ConvTranspose1d/2d/3d.

A transposed convolution scatters each input position into `kernel_size` output positions, spaced by
the dilation, starting `stride` apart: the "full" output has (n-1)*s + d*(k-1) + 1 positions, from
which each framework crops a left margin and keeps `out` positions:

- PyTorch: out = (n-1)*s - 2*padding + d*(k-1) + output_padding + 1, cropping `padding` on the left.
- Keras 3.15.1 (`compute_conv_transpose_output_shape`, and the crops of its torch backend, which match
  JAX): 'valid' keeps the full output, extended to (n-1)*s + max(k_eff, s) when output_padding is None,
  else by output_padding; 'same' gives n*s when output_padding is None, else (n-1)*s + k_eff%2 +
  output_padding, cropping k_eff-1-left_pad on the left (left_pad as in `_convert_..._to_jax`).

What the read-coverage warnings mean here (a transposed convolution has no windows that can skip):
- W001: input positions whose every contribution is cropped away (PyTorch padding above
  dilation*(kernel_size-1)); they never influence the output. Reported by the layer itself, since
  another reader of the tensor cannot make them count.
- W004: output positions no input reaches, so they hold only the bias (a stride above the effective
  kernel leaves gaps; output_padding or Keras's max(k_eff, s) extension adds trailing positions).
- W002 and W003 do not apply: there are no gaps in what is read, and Keras's 'same' crop is not a
  padding of the input that a port could reproduce with a symmetric one.
- W021: an output of size 0 (both frameworks accept it and compute an empty tensor); a negative size
  is E001 in PyTorch (Keras never computes one).

PyTorch's forward-time `output_size=` argument is not modelled: it is an argument of the call, not of
the module, so a spec (which lists constructor keywords) cannot express it; archlint's output is the
one the module computes without it, which is what nn.Sequential gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from math import prod

from archlint import rules
from archlint.layers import windows
from archlint.layers.conv import check_groups, check_rank, keras_window_args
from archlint.layers.keywords import KERAS_KERNEL_AND_BIAS
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, Window, register
from archlint.shapes import axis_label, format_shape, spatial_axes

KERAS_DEFAULTS = {
    "filters": REQUIRED,
    "kernel_size": REQUIRED,
    "strides": 1,
    "padding": "valid",
    "output_padding": None,
    "data_format": None,
    "dilation_rate": 1,
    "activation": None,
    "use_bias": True,
    **KERAS_KERNEL_AND_BIAS,
    "dtype": None,
}

TORCH_DEFAULTS = {
    "in_channels": None,  # optional in archlint: taken from the input, checked when given
    "out_channels": REQUIRED,
    "kernel_size": REQUIRED,
    "stride": 1,
    "padding": 0,
    "output_padding": 0,
    "groups": 1,
    "bias": True,
    "dilation": 1,
    "padding_mode": "zeros",
    "device": None,
    "dtype": None,
}



@dataclass(frozen=True)
class Scatter:
    """One spatial axis of a transposed convolution: input i, tap j lands on output i*s + j*d - crop."""

    axis: int
    n: int | None
    k: int
    s: int
    d: int
    crop: int  # positions cropped from the left of the full output
    out: int | None
    label: str

    @property
    def k_eff(self) -> int:
        return windows.effective(self.k, self.d)


def _lands(a: Scatter, i: int) -> bool:
    """Whether some tap of input i lands inside the output [0, out): i*s + j*d - crop for 0 <= j < k."""
    base = i * a.s - a.crop
    # The first tap j >= 0 with base + j*d >= 0 is ceil(-base / d) = -(base // d).
    return max(0, -(base // a.d)) <= min(a.k - 1, (a.out - 1 - base) // a.d)


def _lonely_runs(a: Scatter) -> list[tuple[int, int]] | None:
    """The runs (first, last) of output positions no input reaches, or None when that is not computed.

    Constant time per input or output position: exact up to MAX_COVERAGE_SIZE outputs; beyond, exact
    for undilated kernels (each input's footprint is an interval, so the gaps are between them) and
    not computed otherwise.
    """
    if a.out <= windows.MAX_COVERAGE_SIZE:
        taps = windows.reached_set(a.s, a.d, a.k, a.n, a.crop, a.crop + a.out)
        return windows.runs([o for o in range(a.out) if o + a.crop not in taps])
    if a.d != 1 and a.k != 1:
        return None
    found, reached = [], 0  # `reached`: the outputs below it are reached or already listed
    for i in range(a.n):
        start, end = max(i * a.s - a.crop, 0), min(i * a.s - a.crop + a.k_eff, a.out)
        if start >= end:
            continue
        if start > reached:
            found.append((reached, start - 1))
        reached = max(reached, end)
    if reached < a.out:
        found.append((reached, a.out - 1))
    return found


def _hits(a: Scatter) -> tuple[list[int], list[tuple[int, int]] | None] | None:
    """(input positions reaching no output, runs of output positions no input reaches), or None if too large."""
    if a.n is None or a.out is None or a.out <= 0 or a.n > windows.MAX_COVERAGE_SIZE:
        return None
    return [i for i in range(a.n) if not _lands(a, i)], _lonely_runs(a)


def _findings(call: Call, axes: list[Scatter], pad_key: str) -> None:
    """E001 (negative size), W021 (empty), W001 (inputs cropped away), W004 (outputs only bias)."""
    for a in axes:
        if a.out is not None and a.out < 0:
            raise call.fail(
                rules.OUTPUT_SIZE,
                f"{call.type} output size on the {a.label} would be {a.out}: PyTorch refuses a negative size",
                pad_key, hint=f"(n-1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1 with n={a.n}; "
                "use less padding, or a larger kernel, stride or input",
            )
    empty = [a for a in axes if a.out == 0]
    if empty:
        call.report(rules.EMPTY_OUTPUT, f"{call.type} output has size 0 on the {empty[0].label}: the framework "
                    "computes an empty tensor", pad_key,
                    hint="use less padding (or output_padding), or a larger kernel or stride")
        return
    dropped, bias_only = [], []
    for a in axes:
        hits = _hits(a)
        if hits is None:
            continue
        unread, lonely = hits
        if unread:
            dropped.append(f"{windows.describe_outputs(unread, a.n)} of its {a.n} input positions on the {a.label}")
        if lonely:
            cause = (f"the stride {a.s} is larger than the effective kernel {a.k_eff}" if a.s > a.k_eff else
                     "the output extends past what the last input reaches")
            bias_only.append((f"{windows.describe_runs(lonely, a.out, sample=False)} of {a.out} outputs", a.label,
                              f"{cause}; outputs {windows.describe_runs(lonely, a.out)}"))
    if dropped:
        call.report(rules.TRUNCATED_INPUT, f"{call.type} crops away every output that "
                    f"{' and '.join(dropped)} contribute to", pad_key,
                    hint="they never influence the result; use padding of at most dilation*(kernel_size-1) on each "
                         "axis")
    if bias_only:
        call.report(rules.PADDING_ONLY_OUTPUT,
                    f"{call.type}: {windows.join_axes([found[:2] for found in bias_only])} hold only the bias",
                    "strides" if "strides" in call.cfg else "stride",
                    hint=f"no input reaches them: on the {bias_only[0][1]}, {bias_only[0][2]}; use a kernel_size "
                         "(times dilation) of at least the stride, or less output_padding")


def _keras_axis(n: int | None, k: int, s: int, d: int, padding: str, op: int | None) -> tuple[int, int | None]:
    """(left crop, output size) of one axis, as Keras 3.15.1 computes them."""
    k_eff = windows.effective(k, d)
    if padding == "valid":
        extra = max(k_eff, s) - k_eff if op is None else op
        return 0, None if n is None else (n - 1) * s + k_eff + extra
    pad_len = s + k_eff - 2 if op is None else k_eff + k_eff % 2 - 2 + op
    left_pad = min(pad_len // 2 + pad_len % 2, k_eff - 1)
    if n is None:
        return k_eff - 1 - left_pad, None
    return k_eff - 1 - left_pad, n * s if op is None else (n - 1) * s + k_eff % 2 + op


def keras_conv_transpose(call: Call, rank: int) -> Output:
    cfg = call.cfg
    channels_first, k, s, d = keras_window_args(call, rank)
    op = None
    if cfg["output_padding"] is not None:
        op = windows.int_tuple(call, "output_padding", rank, minimum=0, what="non-negative")
        bad = next((i for i in range(rank) if op[i] >= s[i]), None)
        if bad is not None:
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} output_padding={list(op)} must be strictly less "
                            f"than strides={list(s)} on every axis", "output_padding",
                            hint=f"use output_padding below {s[bad]} there, or a larger stride")
    filters = cfg["filters"]
    if filters < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `filters` must be positive, got {filters}", "filters")
    if max(s) > 1 and max(d) > 1:
        raise call.fail(rules.STRIDE_WITH_DILATION, f"{call.type} has strides={list(s)} with dilation_rate={list(d)}, "
                        "which Keras refuses", "dilation_rate",
                        hint="Keras refuses `strides > 1` in conjunction with `dilation_rate > 1`: use strides 1 with "
                             "the dilation, and upsample in a separate layer")
    channel_axis = 1 if channels_first else rank + 1
    in_ch = call.x.shape[channel_axis]
    if in_ch is None:
        raise call.fail(rules.UNKNOWN_DIMENSION, f"{call.type} needs to know its input channels to create its "
                        "kernel, but they are unknown (null)", hint="give the channel size in the input shape")
    padding = cfg["padding"].lower()
    axes = []
    for i, axis in enumerate(spatial_axes(rank, channels_first)):
        n = call.x.shape[axis]
        crop, out = _keras_axis(n, k[i], s[i], d[i], padding, None if op is None else op[i])
        axes.append(Scatter(axis, n, k[i], s[i], d[i], crop, out, axis_label(call.x.rank, axis, channels_first)))
    _findings(call, axes, "padding")
    shape = list(call.x.shape)
    for a in axes:
        shape[a.axis] = a.out
    shape[channel_axis] = filters
    bias = filters if cfg["use_bias"] else 0
    window = Window(tuple(a.axis for a in axes), channels_first, k, s, d, padding, None, transposed=True,
                    output_padding=op)
    return Output(tuple(shape), trainable=prod(k) * filters * in_ch + bias,
                  bias=(channel_axis, bias) if bias else None, window=window)


def torch_conv_transpose(call: Call, rank: int) -> Output:
    cfg = call.cfg
    check_rank(call, rank, "(batch, channels, *spatial)")
    if cfg["padding_mode"] != "zeros":
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} supports only padding_mode='zeros', got "
                        f"'{cfg['padding_mode']}'", "padding_mode", hint="remove padding_mode")
    k = windows.int_tuple(call, "kernel_size", rank)
    # F.conv_transposeNd expands a one-element list to every axis (checked in torch 2.13.0)
    s = windows.int_tuple(call, "stride", rank, expand_single=True)
    d = windows.int_tuple(call, "dilation", rank, expand_single=True)
    p = windows.int_tuple(call, "padding", rank, minimum=0, what="non-negative", expand_single=True)
    op = windows.int_tuple(call, "output_padding", rank, minimum=0, what="non-negative", expand_single=True)
    bad = next((i for i in range(rank) if op[i] >= s[i] and op[i] >= d[i]), None)
    if bad is not None:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} output_padding={list(op)} must be smaller than either "
                        f"stride={list(s)} or dilation={list(d)} on every axis", "output_padding",
                        hint=f"use output_padding below {max(s[bad], d[bad])} there")
    out_ch = cfg["out_channels"]
    in_ch, declared = call.x.shape[1], cfg["in_channels"]
    if declared is not None and in_ch is not None and declared != in_ch:
        raise call.fail(rules.DECLARED_SIZE_MISMATCH, f"{call.type} expects {declared} input channels "
                        f"(in_channels={declared}) but receives {in_ch}, input shape {format_shape(call.x.shape)}",
                        "in_channels", hint=f"set in_channels: {in_ch}, or fix the layer before it")
    in_ch = in_ch if in_ch is not None else declared
    check_groups(call, cfg["groups"], in_ch, out_ch, "in_channels", "out_channels")
    if in_ch is not None and (out_ch == 0 or in_ch == 0):  # torch 2.13.0 builds both; the forward pass fails
        groups = cfg["groups"]
        # the words depend on the kernel (oneDNN: "could not create a primitive descriptor"); the native one's:
        said = ("non-empty weight tensor expected, but got one with 0 output channels" if out_ch == 0 else
                f"Given groups={groups}, expected weight to be at least 1 at dimension 0, but got weight of size "
                f"{[0, out_ch // groups, *k]} instead")
        key = "out_channels" if out_ch == 0 else "in_channels" if "in_channels" in call.given else None
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} {'out_channels' if out_ch == 0 else 'in_channels'}=0: "
                        "the forward pass fails", key,
                        hint=f"torch: {said}; " + ("use the number of channels meant" if out_ch == 0
                                                   else "fix the layer before it"))
    if in_ch is None:
        raise call.fail(rules.UNKNOWN_DIMENSION, f"{call.type} needs to know its input channels to create its "
                        "weight, but they are unknown (null)",
                        hint="give in_channels, or the channel size in the input")
    axes = []
    for i, axis in enumerate(range(2, rank + 2)):
        n = call.x.shape[axis]
        out = None if n is None else (n - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1
        axes.append(Scatter(axis, n, k[i], s[i], d[i], p[i], out, axis_label(call.x.rank, axis, True)))
    _findings(call, axes, "padding")
    bias = out_ch if cfg["bias"] else 0
    window = Window(tuple(a.axis for a in axes), True, k, s, d, "explicit", tuple((v, v) for v in p),
                    transposed=True, output_padding=op)
    return Output((call.x.shape[0], out_ch) + tuple(a.out for a in axes),
                  trainable=in_ch * (out_ch // cfg["groups"]) * prod(k) + bias, bias=(1, bias) if bias else None,
                  window=window)


for _rank in (1, 2, 3):
    register(KERAS, f"Conv{_rank}DTranspose", "conv", KERAS_DEFAULTS, partial(keras_conv_transpose, rank=_rank))
    register(PYTORCH, f"ConvTranspose{_rank}d", "conv", TORCH_DEFAULTS, partial(torch_conv_transpose, rank=_rank))
