"""Convolutions: Keras Conv1D/2D/3D and PyTorch Conv1d/2d/3d."""

from __future__ import annotations

from functools import partial
from math import prod

from archlint import rules
from archlint.layers import windows
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.layers.windows import AxisWindow
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
    "kernel_initializer": "glorot_uniform",
    "bias_initializer": "zeros",
    "kernel_regularizer": None,
    "bias_regularizer": None,
    "activity_regularizer": None,
    "kernel_constraint": None,
    "bias_constraint": None,
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


def check_rank(call: Call, rank: int, layout: str) -> None:
    """E008: a rank-N convolution or pooling takes exactly N+2 axes (batch, channels, N spatial)."""
    want = rank + 2
    if call.x.rank != want:
        raise call.fail(
            rules.RANK_MISMATCH,
            f"{call.type} expects a rank-{want} input {layout} but receives rank {call.x.rank}, shape "
            f"{format_shape(call.x.shape)}",
            hint="check the input shape (it excludes the batch axis) or use the layer of the right rank",
        )


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


def finish_windows(call: Call, rank: int, windows_: list[AxisWindow], pad_key: str) -> dict:
    """Findings every windowed layer shares, and the positions it leaves unread."""
    windows.check_output_positive(call, windows_)
    for w in windows_:
        windows.check_padding_only(call, w, pad_key)
    return {w.axis: windows.unread_positions(w) for w in windows_}


def report_asymmetric(call: Call, rank: int, windows_: list[AxisWindow], framework_word: str) -> None:
    odd = [(i, w) for i, w in enumerate(windows_) if (w.before + w.after) % 2]
    if odd:
        i, w = odd[0]
        call.report(
            rules.ASYMMETRIC_PADDING,
            f"{call.type} padding='same' pads the {axis_name(rank, i)} axis by {w.before + w.after} "
            f"({w.before} before, {w.after} after): {framework_word}",
            "padding",
            hint="use an odd kernel with stride 1, or pad explicitly (a padding layer and padding='valid') "
            "so the model behaves the same in every framework",
        )


def keras_conv(call: Call, rank: int) -> Output:
    cfg = call.cfg
    channels_first = cfg["data_format"] == "channels_first"
    check_rank(call, rank, "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)")
    k = windows.int_tuple(call, "kernel_size", rank)
    s = windows.int_tuple(call, "strides", rank)
    d = windows.int_tuple(call, "dilation_rate", rank)
    filters = cfg["filters"]
    if filters < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `filters` must be positive, got {filters}", "filters")
    if max(s) > 1 and max(d) > 1:
        raise call.fail(
            rules.STRIDE_WITH_DILATION,
            f"{call.type} has strides={list(s)} with dilation_rate={list(d)}: Keras refuses "
            "`strides > 1` in conjunction with `dilation_rate > 1`",
            "dilation_rate",
            hint="use strides 1 with the dilation and downsample in a separate layer",
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
    padding = cfg["padding"].lower()
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
        report_asymmetric(call, rank, ws, "Keras (like TensorFlow) puts the extra row after, PyTorch "
                          "would put it elsewhere when the weights are ported")
    out_shape = list(call.x.shape)
    for w in ws:
        out_shape[w.axis] = w.out
    out_shape[channel_axis] = filters
    weights = prod(k) * (in_ch // cfg["groups"]) * filters
    bias = filters if cfg["use_bias"] else 0
    return Output(
        tuple(out_shape),
        trainable=weights + bias,
        unread=unread,
        bias=(channel_axis, bias) if bias else None,
    )


def torch_conv(call: Call, rank: int) -> Output:
    cfg = call.cfg
    check_rank(call, rank, "(batch, channels, *spatial)")
    k = windows.int_tuple(call, "kernel_size", rank)
    s = windows.int_tuple(call, "stride", rank)
    d = windows.int_tuple(call, "dilation", rank)
    out_ch = cfg["out_channels"]
    if out_ch < 1:
        raise call.fail(
            rules.INVALID_ARGUMENT, f"{call.type} `out_channels` must be positive, got {out_ch}", "out_channels"
        )
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
    if declared is not None and declared % cfg["groups"]:
        raise call.fail(rules.GROUPS_MISMATCH,
                        f"{call.type} in_channels={declared} is not divisible by groups={cfg['groups']}", "groups")
    if in_ch is None:
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"{call.type} needs to know its input channels to create its weight, but they are unknown (null)",
            hint="give in_channels, or the channel size in the input shape",
        )
    padding = cfg["padding"]
    if padding == "same" and max(s) > 1:
        raise call.fail(
            rules.SAME_PADDING_STRIDE,
            f"{call.type} padding='same' is not supported for strided convolutions (stride={list(s)})",
            "padding",
            hint="give the padding as an int, e.g. padding=(kernel_size - 1) // 2 with the stride",
        )
    if isinstance(padding, str):
        pads = None
    else:
        pads = windows.int_tuple(call, "padding", rank, minimum=0, what="non-negative")
    ws = []
    for i, axis in enumerate(range(2, rank + 2)):
        n, k_eff = call.x.shape[axis], windows.effective(k[i], d[i])
        if padding == "same":
            total = k_eff - 1
            before, after = total // 2, total - total // 2
        elif padding == "valid":
            before = after = 0
        else:
            before = after = pads[i]
        ws.append(AxisWindow(axis, n, k[i], s[i], d[i], before, after,
                             windows.output_size(n, before, after, k_eff, s[i]), axis_label(call.x.rank, axis, True)))
    unread = finish_windows(call, rank, ws, "padding")
    if padding == "same":
        report_asymmetric(call, rank, ws, "PyTorch puts the extra row after, which differs from an "
                          "explicit symmetric padding")
    out_shape = (call.x.shape[0], out_ch) + tuple(w.out for w in ws)
    weights = prod(k) * (in_ch // cfg["groups"]) * out_ch
    bias = out_ch if cfg["bias"] else 0
    return Output(out_shape, trainable=weights + bias, unread=unread, bias=(1, bias) if bias else None)


for _rank in (1, 2, 3):
    register(KERAS, f"Conv{_rank}D", "conv", KERAS_CONV_DEFAULTS, partial(keras_conv, rank=_rank),
             unmodelled=("lora_rank",))
    register(PYTORCH, f"Conv{_rank}d", "conv", TORCH_CONV_DEFAULTS, partial(torch_conv, rank=_rank))
