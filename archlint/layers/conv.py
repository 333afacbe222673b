"""Convolutions: Keras Conv1D/2D/3D and PyTorch Conv1d/2d/3d, and the helpers the variants share
(transposed in conv_transpose.py, depthwise and separable in conv_depthwise.py)."""

from __future__ import annotations

from functools import partial
from math import prod

from archlint import rules
from archlint.layers import windows
from archlint.layers.keywords import KERAS_KERNEL_AND_BIAS
from archlint.layers.lora import lora_split
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.layers.windows import AxisWindow, check_rank
from archlint.shapes import SPATIAL_NAMES, axis_label, format_shape, spatial_axes

KERAS_CONV_DEFAULTS = {
    "filters": REQUIRED,
    "kernel_size": REQUIRED,
    "strides": 1,
    "padding": "valid",
    "data_format": None,
    "dilation_rate": 1,
    "groups": 1,
    "activation": None,
    "use_bias": True,
    **KERAS_KERNEL_AND_BIAS,
    "lora_rank": None,
    "lora_alpha": None,
    "dtype": None,
}

TORCH_CONV_DEFAULTS = {
    "in_channels": None,  # optional in archlint: taken from the input, checked when given
    "out_channels": REQUIRED,
    "kernel_size": REQUIRED,
    "stride": 1,
    "padding": 0,
    "dilation": 1,
    "groups": 1,
    "bias": True,
    "padding_mode": "zeros",
    "device": None,
    "dtype": None,
}


def axis_name(rank: int, index: int) -> str:
    return SPATIAL_NAMES[rank][index]


def check_groups(call: Call, groups: int, in_ch: int | None, out_ch: int, in_word: str, out_word: str) -> None:
    if groups < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `groups` must be positive, got {groups}", "groups")
    if out_ch % groups:
        raise call.fail(
            rules.GROUPS_MISMATCH,
            f"{call.type} {out_word}={out_ch} is not divisible by groups={groups}",
            "groups",
            hint=f"make {out_word} a multiple of {groups}",
        )
    if in_ch is not None and in_ch % groups:
        raise call.fail(
            rules.GROUPS_MISMATCH,
            f"{call.type} receives {in_ch} input channels, which groups={groups} does not divide",
            "groups",
            hint=f"use a `groups` value that divides {in_ch}",
        )


def finish_windows(call: Call, rank: int, windows_: list[AxisWindow], pad_key: str, mode: str = "zeros") -> dict:
    """Findings every windowed layer shares, and the positions it leaves unread."""
    windows.check_output_positive(call, windows_)
    if mode == "zeros":  # reflected, replicated or wrapped padding holds input values, never padding alone
        windows.check_padding_only_all(call, windows_, pad_key)
    return {w.axis: windows.unread_positions(w, mode) for w in windows_}


def _single(value) -> bool:
    return isinstance(value, list) and len(value) == 1


def torch_padding(call: Call, rank: int, mode: str) -> tuple[int, ...]:
    """An explicit PyTorch padding: one int, or a list that F.pad or the convolution accepts."""
    value = call.cfg["padding"]
    if mode != "zeros" and rank > 1 and isinstance(value, list) and len(value) == 1:
        # The module pads with F.pad, which takes one (before, after) pair per spatial axis
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"{call.type} padding={value} with padding_mode='{mode}': F.pad needs {rank} values here, not 1",
            "padding",
            hint=f"PyTorch pads with F.pad, which takes one value per spatial axis; write padding: {value[0]} or a "
                 f"list of {rank} ints",
        )
    if mode != "zeros":
        return windows.int_tuple(call, "padding", rank, minimum=None)  # F.pad crops for a negative padding
    return windows.int_tuple(call, "padding", rank, minimum=0, what="non-negative", expand_single=True)


# padding_mode -> (the largest padding PyTorch accepts on a side of an axis of size n, as a phrase)
_PAD_LIMITS = {"reflect": (lambda n: n - 1, "smaller than"), "circular": (lambda n: n, "no larger than")}


def check_padding_mode(call: Call, mode: str, ws: list[AxisWindow]) -> None:
    """E002: reflect padding must be smaller than the input, circular no larger (PyTorch's F.pad)."""
    if mode not in _PAD_LIMITS:
        return  # replicate repeats the edge value any number of times
    limit, phrase = _PAD_LIMITS[mode]
    for w in ws:
        if w.n is not None and max(w.before, w.after) > limit(w.n):
            raise call.fail(
                rules.INVALID_ARGUMENT,
                f"{call.type} padding_mode='{mode}' pads the {w.label} by {max(w.before, w.after)}: PyTorch needs "
                f"it {phrase} the input, {w.n}",
                "padding" if "padding" in call.given else "padding_mode",
                hint=f"use padding of at most {limit(w.n)} on that axis, or padding_mode='zeros' or 'replicate'",
            )


def report_asymmetric(call: Call, rank: int, windows_: list[AxisWindow], symmetric_word: str) -> None:
    """W003, decided from the padding actually computed: an odd total cannot be split evenly."""
    odd = [(i, w) for i, w in enumerate(windows_) if (w.before + w.after) % 2]
    if not odd:
        return
    i, w = odd[0]
    total = w.before + w.after
    if w.s > 1:
        cause = f"with stride {w.s} on a size of {w.n}"
        # what makes the total even while keeping the kernel (usually the one meant): an input size whose
        # remainder modulo the stride has the kernel's parity (the total is k_eff - remainder)
        rest = w.k_eff if w.k_eff <= w.s else w.s if (w.k_eff - w.s) % 2 == 0 else w.s - 1
        fix = f"an input size of {w.s}*m + {rest}" if rest < w.s else f"an input size that is a multiple of {w.s}"
    else:
        cause = f"the effective kernel {w.k_eff} is even"
        fix = "an odd kernel_size"
    call.report(
        rules.ASYMMETRIC_PADDING,
        f"{call.type} padding='same' pads the {axis_name(rank, i)} axis by {total} ({w.before} before, {w.after} "
        "after)",
        "padding",
        hint=f"{cause}: the windows sit off-centre, unlike {symmetric_word}; for even padding "
        f"use {fix}, or pad explicitly with a padding layer and padding='valid'",
    )


def keras_windows(call: Call, rank: int, channels_first: bool, k, s, d) -> tuple[list[AxisWindow], dict]:
    """The windows of a Keras convolution (plain, depthwise or separable) on each spatial axis, with the
    findings they share (E001, W004, W003) and the input positions they leave unread."""
    padding = call.cfg["padding"].lower()
    axes = spatial_axes(rank, channels_first)
    ws = []
    for i, axis in enumerate(axes):
        n, k_eff = call.x.shape[axis], windows.effective(k[i], d[i])
        if padding == "valid":
            before = after = 0
        elif padding == "causal":
            before, after = k_eff - 1, 0
        else:
            before, after = windows.same_padding(n, k_eff, s[i]) or (0, 0)
        out = windows.output_size(n, before, after, k_eff, s[i])
        if padding in ("same", "causal") and n is not None:
            out = (n - 1) // s[i] + 1  # Keras's own formula for 'same' and 'causal'
        ws.append(AxisWindow(axis, n, k[i], s[i], d[i], before, after, out,
                             axis_label(call.x.rank, axis, channels_first)))
    unread = finish_windows(call, rank, ws, "padding")
    if padding == "same":
        report_asymmetric(call, rank, ws, "a symmetric padding (PyTorch's padding=int, for one): ported "
                          "weights would give shifted results")
    return ws, unread


def keras_window_args(call: Call, rank: int) -> tuple[bool, tuple, tuple, tuple]:
    """What every Keras convolution checks first: its input's rank for its data_format, then
    (channels_first, kernel_size, strides, dilation_rate) as tuples of `rank` positive ints."""
    channels_first = call.cfg["data_format"] == "channels_first"
    check_rank(call, rank, "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)")
    return (channels_first, windows.int_tuple(call, "kernel_size", rank), windows.int_tuple(call, "strides", rank),
            windows.int_tuple(call, "dilation_rate", rank))


def keras_conv(call: Call, rank: int) -> Output:
    cfg = call.cfg
    channels_first, k, s, d = keras_window_args(call, rank)
    filters = cfg["filters"]
    if filters < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `filters` must be positive, got {filters}", "filters")
    if max(s) > 1 and max(d) > 1:
        raise call.fail(
            rules.STRIDE_WITH_DILATION,
            f"{call.type} has strides={list(s)} with dilation_rate={list(d)}, which Keras refuses",
            "dilation_rate",
            hint="Keras refuses `strides > 1` in conjunction with `dilation_rate > 1`: use strides 1 with the "
                 "dilation and downsample in a separate layer",
        )
    channel_axis = 1 if channels_first else rank + 1
    in_ch = call.x.shape[channel_axis]
    check_groups(call, cfg["groups"], in_ch, filters, "input channels", "filters")
    if in_ch is None:
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"{call.type} needs to know its input channels to create its kernel, but they are unknown (null)",
            hint="give the channel size in the input shape",
        )
    ws, unread = keras_windows(call, rank, channels_first, k, s, d)
    out_shape = list(call.x.shape)
    for w in ws:
        out_shape[w.axis] = w.out
    out_shape[channel_axis] = filters
    trainable, frozen = lora_split(call, prod(k) * (in_ch // cfg["groups"]), filters)
    bias = filters if cfg["use_bias"] else 0
    return Output(
        tuple(out_shape),
        trainable=trainable + bias,
        non_trainable=frozen,
        unread=unread,
        bias=(channel_axis, bias) if bias else None,
        window=windows.window_of(ws, channels_first, cfg["padding"].lower()),
    )


def torch_conv(call: Call, rank: int) -> Output:
    cfg = call.cfg
    check_rank(call, rank, "(batch, channels, *spatial)")
    k = windows.int_tuple(call, "kernel_size", rank)
    s = windows.int_tuple(call, "stride", rank, expand_single=True)  # F.convNd expands a one-element list
    d = windows.int_tuple(call, "dilation", rank, expand_single=True)
    out_ch = cfg["out_channels"]
    in_ch = call.x.shape[1]
    declared = cfg["in_channels"]
    if declared is not None and in_ch is not None and declared != in_ch:
        raise call.fail(
            rules.DECLARED_SIZE_MISMATCH,
            f"{call.type} expects {declared} input channels (in_channels={declared}) but receives {in_ch}, "
            f"input shape {format_shape(call.x.shape)}",
            "in_channels",
            hint=f"set in_channels: {in_ch}, or fix the layer before it",
        )
    in_ch = in_ch if in_ch is not None else declared
    check_groups(call, cfg["groups"], in_ch, out_ch, "in_channels", "out_channels")
    if out_ch == 0:  # torch 2.13.0 builds it; its forward pass refuses the empty weight
        size = [0, "?" if in_ch is None else in_ch // cfg["groups"], *k]
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} out_channels=0: the forward pass fails", "out_channels",
                        hint=f"torch: Given groups={cfg['groups']}, expected weight to be at least 1 at dimension 0, "
                        f"but got weight of size {size} instead; use the number of output channels meant")
    if in_ch is None:
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"{call.type} needs to know its input channels to create its weight, but they are unknown (null)",
            hint="give in_channels, or the channel size in the input shape",
        )
    padding, mode = cfg["padding"], cfg["padding_mode"]
    if padding == "same" and max(s) > 1:
        raise call.fail(
            rules.SAME_PADDING_STRIDE,
            f"{call.type} padding='same' is not supported for strided convolutions (stride={list(s)})",
            "padding",
            hint="give the padding as an int, e.g. padding=(kernel_size - 1) // 2 with the stride",
        )
    pads = None if isinstance(padding, str) else torch_padding(call, rank, mode)
    ws = []
    for i, axis in enumerate(range(2, rank + 2)):
        n, k_eff = call.x.shape[axis], windows.effective(k[i], d[i])
        if padding == "same" and not (mode != "zeros" and i > 0 and _single(cfg["dilation"])):
            total = k_eff - 1
            before, after = total // 2, total - total // 2  # PyTorch puts the odd one after
        elif padding == "same":
            # PyTorch computes the F.pad amounts with zip(dilation, kernel_size): a one-element
            # dilation list pads the first spatial axis only (checked in torch 2.13.0)
            before = after = 0
        elif padding == "valid":
            before = after = 0
        else:
            before = after = pads[i]
        ws.append(AxisWindow(axis, n, k[i], s[i], d[i], before, after,
                             windows.output_size(n, before, after, k_eff, s[i]), axis_label(call.x.rank, axis, True)))
    if mode != "zeros":
        check_padding_mode(call, mode, ws)
    unread = finish_windows(call, rank, ws, "padding", mode)
    if padding == "same":
        report_asymmetric(call, rank, ws, "padding=int, which pads both sides equally")
    # torch 2.13.0 returns an input of 0 channels as 0 channels, whatever out_channels says
    out_shape = (call.x.shape[0], out_ch if in_ch else 0) + tuple(w.out for w in ws)
    weights = prod(k) * (in_ch // cfg["groups"]) * out_ch
    bias = out_ch if cfg["bias"] else 0
    window = windows.window_of(ws, True, padding if padding in ("same", "valid") else "explicit")
    return Output(out_shape, trainable=weights + bias, unread=unread, bias=(1, bias) if bias else None, window=window)


for _rank in (1, 2, 3):
    register(KERAS, f"Conv{_rank}D", "conv", KERAS_CONV_DEFAULTS, partial(keras_conv, rank=_rank))
    register(PYTORCH, f"Conv{_rank}d", "conv", TORCH_CONV_DEFAULTS, partial(torch_conv, rank=_rank))
