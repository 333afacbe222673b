"""Keras depthwise and separable convolutions: DepthwiseConv1D/2D and SeparableConv1D/2D.

A depthwise convolution filters each input channel on its own, `depth_multiplier` times: C input
channels give C*depth_multiplier outputs. A separable convolution is a depthwise one followed by a
1x1 ("pointwise") convolution to `filters` channels. Windows, 'same' padding and their findings are
those of Conv1D/2D (shared from conv.py). Unlike Conv*D, Keras 3.15.1 accepts strides > 1 together
with dilation_rate > 1 here (its constructors do not check it, and the forward pass runs), so E005
does not apply. PyTorch has no such classes: a depthwise Conv2d is `groups=in_channels`.
"""

from __future__ import annotations

from functools import partial
from math import prod

from archlint import rules
from archlint.layers import windows
from archlint.layers.conv import keras_window_args, keras_windows
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, Window, register

_COMMON = {
    "kernel_size": REQUIRED,
    "strides": 1,
    "padding": "valid",
    "data_format": None,
    "dilation_rate": 1,
    "depth_multiplier": 1,
    "activation": None,
    "use_bias": True,
    "depthwise_initializer": "glorot_uniform",
    "bias_initializer": "zeros",
    "depthwise_regularizer": None,
    "bias_regularizer": None,
    "activity_regularizer": None,
    "depthwise_constraint": None,
    "bias_constraint": None,
    "dtype": None,
}

DEPTHWISE_DEFAULTS = dict(_COMMON)

SEPARABLE_DEFAULTS = {
    "filters": REQUIRED,
    **_COMMON,
    "pointwise_initializer": "glorot_uniform",
    "depthwise_regularizer": None,
    "pointwise_regularizer": None,
    "pointwise_constraint": None,
}


def _depthwise(call: Call, rank: int) -> tuple[tuple, int, int, int, dict, Window]:
    """The depthwise stage: (output shape, channel axis, input channels, depthwise kernel size, unread,
    the windows)."""
    cfg = call.cfg
    channels_first, k, s, d = keras_window_args(call, rank)
    multiplier = cfg["depth_multiplier"]
    if multiplier < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `depth_multiplier` must be positive, got {multiplier}",
                        "depth_multiplier")
    channel_axis = 1 if channels_first else rank + 1
    in_ch = call.x.shape[channel_axis]
    if in_ch is None:
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"{call.type} needs to know its input channels to create its depthwise kernel, but they are unknown "
            "(null)",
            hint="give the channel size in the input shape",
        )
    ws, unread = keras_windows(call, rank, channels_first, k, s, d)
    shape = list(call.x.shape)
    for w in ws:
        shape[w.axis] = w.out
    shape[channel_axis] = in_ch * multiplier
    window = windows.window_of(ws, channels_first, cfg["padding"].lower())
    return tuple(shape), channel_axis, in_ch, prod(k) * in_ch * multiplier, unread, window


def keras_depthwise(call: Call, rank: int) -> Output:
    shape, channel_axis, in_ch, kernel, unread, window = _depthwise(call, rank)
    bias = in_ch * call.cfg["depth_multiplier"] if call.cfg["use_bias"] else 0
    return Output(shape, trainable=kernel + bias, unread=unread,
                  bias=(channel_axis, bias) if bias else None, window=window)


def keras_separable(call: Call, rank: int) -> Output:
    filters = call.cfg["filters"]
    if filters < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `filters` must be positive, got {filters}", "filters")
    shape, channel_axis, in_ch, depthwise, unread, window = _depthwise(call, rank)
    pointwise = in_ch * call.cfg["depth_multiplier"] * filters
    shape = shape[:channel_axis] + (filters,) + shape[channel_axis + 1:]
    bias = filters if call.cfg["use_bias"] else 0
    return Output(shape, trainable=depthwise + pointwise + bias, unread=unread,
                  bias=(channel_axis, bias) if bias else None, window=window)


for _rank in (1, 2):
    register(KERAS, f"DepthwiseConv{_rank}D", "conv", DEPTHWISE_DEFAULTS, partial(keras_depthwise, rank=_rank))
    register(KERAS, f"SeparableConv{_rank}D", "conv", SEPARABLE_DEFAULTS, partial(keras_separable, rank=_rank))
