"""Pooling: Keras MaxPooling/AveragePooling/Global*Pooling 1D/2D/3D and PyTorch MaxPool/AvgPool/
AdaptiveAvgPool/AdaptiveMaxPool 1d/2d/3d. None of them has weights.

The error conditions are PyTorch 2.13's and Keras 3.15's own, checked in the frameworks:
- PyTorch pooling padding must be at most `kernel_size // 2` on every axis (E006); for max pooling
  the dilation does not enter that bound, only the kernel size does.
- AvgPool3d also refuses an unpadded input axis smaller than `kernel_size`, even when the padding
  would make the window fit (E001); the other poolings only need an output size of at least 1.
- With ceil_mode the last window must start inside the input or the left padding (windows.output_size).
- PyTorch takes a one-element list for a 2d/3d kernel_size, stride, padding or dilation as a single
  int; its adaptive poolings do not.
"""

from __future__ import annotations

from functools import partial

from archlint import rules
from archlint.layers import windows
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.layers.windows import AxisWindow, check_rank
from archlint.shapes import SPATIAL_NAMES, axis_label, format_shape, spatial_axes

RANK_NAMES = {1: "1D", 2: "2D", 3: "3D"}


def keras_pool_defaults(pool_size) -> dict:
    return {"pool_size": pool_size, "strides": None, "padding": "valid", "data_format": None, "dtype": None}


KERAS_GLOBAL_DEFAULTS = {"data_format": None, "keepdims": False, "dtype": None}

TORCH_MAX_DEFAULTS = {
    "kernel_size": REQUIRED,
    "stride": None,
    "padding": 0,
    "dilation": 1,
    "return_indices": False,
    "ceil_mode": False,
}

TORCH_AVG1D_DEFAULTS = {"kernel_size": REQUIRED, "stride": None, "padding": 0, "ceil_mode": False,
                        "count_include_pad": True}
TORCH_AVG_DEFAULTS = {**TORCH_AVG1D_DEFAULTS, "divisor_override": None}  # 2d and 3d only

TORCH_ADAPTIVE_AVG_DEFAULTS = {"output_size": REQUIRED}
TORCH_ADAPTIVE_MAX_DEFAULTS = {"output_size": REQUIRED, "return_indices": False}


def torch_rank_hint(rank: int) -> str:
    names = ", ".join(SPATIAL_NAMES[rank])
    return (f"give the input as (channels, {names}) without the batch axis; PyTorch's unbatched form "
            f"(a rank-{rank + 1} tensor) is out of scope, as archlint's batch axis is always implicit")


def torch_spatial_start(call: Call, rank: int) -> int:
    """The index of the first spatial axis of a PyTorch pooling's input.

    A rank one below the batched form is what torch takes for one unbatched sample: it accepts it and
    pools the last axes, the batch axis then playing the channels. That runs, so it is W007, not E008.
    """
    if call.x.rank == rank + 1:
        call.report(
            rules.INPUT_RANK_MISREAD,
            f"{call.type} reads the rank-{call.x.rank} input {format_shape(call.x.shape)} as one unbatched sample",
            hint="the batch axis becomes the channels; " + torch_rank_hint(rank),
        )
        return 1
    check_rank(call, rank, "(batch, channels, *spatial)", torch_rank_hint(rank))
    return 2


def single_as_int(call: Call, key: str) -> None:
    # PyTorch's pooling functions read a one-element list as a single int for every axis.
    value = call.cfg[key]
    if isinstance(value, list) and len(value) == 1:
        call.cfg[key] = value[0]


def finish_windows(call: Call, ws: list[AxisWindow], pad_key: str, what: str) -> dict:
    """E001, W004 and the positions the windows never read (for W001/W002)."""
    windows.check_output_positive(call, ws, what)
    unread = {}
    for w in ws:
        if w.d == 1:
            windows.check_padding_only(call, w, pad_key)
        elif check_dilated_padding_only(call, w, pad_key):
            continue  # the inputs its taps miss are this finding's consequence, not another one
        unread[w.axis] = windows.unread_positions(w)
    return unread


def check_dilated_padding_only(call: Call, w: AxisWindow, pad_key: str) -> bool:
    # A dilated window can span input while every tap lands in padding; max pooling then gives -inf.
    head, tail = call.x.padding.get(w.axis, (0, 0))
    index = windows.first_padding_only_window(w, head, tail)
    if index is None:
        return False
    call.report(
        rules.PADDING_ONLY_OUTPUT,
        f"{call.type} with kernel_size={w.k}, dilation={w.d} and padding={w.before} on the {w.label}: output "
        f"{index} reads only padding",
        pad_key,
        hint=f"every tap of output {index} falls in padding; use a smaller dilation or padding so that every window "
             "reads the input",
    )
    return True


# Keras

def keras_pool(call: Call, rank: int) -> Output:
    cfg = call.cfg
    channels_first = cfg["data_format"] == "channels_first"
    check_rank(call, rank, "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)",
               f"check the input shape (it excludes the batch axis) or use the {RANK_NAMES[rank]} layer "
               "of the input's rank")
    k = windows.int_tuple(call, "pool_size", rank)
    s = k if cfg["strides"] is None else windows.int_tuple(call, "strides", rank)
    same = cfg["padding"] == "same"
    ws = []
    for i, axis in enumerate(spatial_axes(rank, channels_first)):
        n = call.x.shape[axis]
        before, after = (windows.same_padding(n, k[i], s[i]) or (0, 0)) if same else (0, 0)
        out = windows.output_size(n, before, after, k[i], s[i])
        if same and n is not None:
            out = (n - 1) // s[i] + 1  # Keras's own formula for 'same'
        ws.append(AxisWindow(axis, n, k[i], s[i], 1, before, after, out,
                             axis_label(call.x.rank, axis, channels_first)))
    # No W003 here, unlike Conv: a pooling has no weights to port, and Keras's 'same' pooling never
    # mixes its padding into a value (max ignores it, average divides by the real positions), so an
    # odd total only decides which edge window is partial; the 2x2/2 'same' pool on odd sizes is idiomatic.
    unread = finish_windows(call, ws, "padding", "pool window")
    shape = list(call.x.shape)
    for w in ws:
        shape[w.axis] = w.out
    return Output(tuple(shape), unread=unread, window=windows.window_of(ws, channels_first, cfg["padding"]))


def keras_global(call: Call, rank: int) -> Output:
    channels_first = call.cfg["data_format"] == "channels_first"
    check_rank(call, rank, "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)",
               f"check the input shape (it excludes the batch axis) or use the {RANK_NAMES[rank]} layer "
               "of the input's rank")
    batch, channels = call.x.shape[0], call.x.shape[1 if channels_first else -1]
    if not call.cfg["keepdims"]:
        return Output((batch, channels))
    return Output((batch, channels) + (1,) * rank if channels_first else (batch,) + (1,) * rank + (channels,))


# PyTorch

def torch_pool(call: Call, rank: int, average: bool) -> Output:
    cfg = call.cfg
    start = torch_spatial_start(call, rank)
    keys = ("kernel_size", "stride", "padding") + (() if average else ("dilation",))
    for key in keys:
        single_as_int(call, key)
    k = windows.int_tuple(call, "kernel_size", rank)
    s = k if cfg["stride"] is None else windows.int_tuple(call, "stride", rank)
    p = windows.int_tuple(call, "padding", rank, minimum=0, what="non-negative")
    d = (1,) * rank if average else windows.int_tuple(call, "dilation", rank)
    if average and cfg.get("divisor_override") == 0:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `divisor_override` must not be zero",
                        "divisor_override", hint="leave divisor_override null to divide by the window size")
    axes = list(range(start, start + rank))
    labels = [axis_label(call.x.rank, axis, True) if start == 2 else f"axis {axis}" for axis in axes]
    for i, label in enumerate(labels):
        if p[i] > k[i] // 2:
            dilation_note = f" (the dilation {d[i]} does not count)" if d[i] > 1 else ""
            raise call.fail(
                rules.POOL_PADDING,
                f"{call.type} padding={p[i]} on the {label} is more than half of kernel_size={k[i]}, which PyTorch "
                "refuses",
                "padding",
                hint=f"PyTorch requires padding <= kernel_size // 2 = {k[i] // 2}{dilation_note}: use padding of at "
                     f"most {k[i] // 2} there, or pad with a padding layer before the pooling",
            )
    if average and rank == 3:
        for i, axis in enumerate(axes):
            n = call.x.shape[axis]
            if n is not None and n < k[i]:
                raise call.fail(
                    rules.OUTPUT_SIZE,
                    f"AvgPool3d kernel_size={k[i]} is larger than the {labels[i]} of size {n}",
                    "kernel_size",
                    hint="PyTorch's avg_pool3d refuses an input smaller than the kernel, whatever the padding; use a "
                    "kernel no larger than the input, or remove a downsampling layer before it",
                )
    ws = []
    for i, axis in enumerate(axes):
        n, k_eff = call.x.shape[axis], windows.effective(k[i], d[i])
        out = windows.output_size(n, p[i], p[i], k_eff, s[i], bool(cfg["ceil_mode"]))
        ws.append(AxisWindow(axis, n, k[i], s[i], d[i], p[i], p[i], out, labels[i]))
    unread = finish_windows(call, ws, "padding", "kernel")
    shape = call.x.shape[:start] + tuple(w.out for w in ws)
    window = windows.window_of(ws, True, "explicit", ceil_mode=bool(cfg["ceil_mode"]))
    if cfg.get("return_indices"):  # (values, indices); the walk passes the values on
        return Output([shape, shape], unread=unread, window=window)
    return Output(shape, unread=unread, window=window)


def torch_adaptive(call: Call, rank: int, average: bool) -> Output:
    value = call.cfg["output_size"]
    keep_hint = "write an int, or a list with one entry per axis" + (
        " (null keeps that axis's input size)" if rank > 1 else "")
    if value is None:
        # documented as accepted, but torch 2.13 fails on it (len(None) or a type error)
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} output_size=None is refused by PyTorch: it needs a size for every axis",
                        "output_size", hint=keep_hint)
    sizes = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(sizes) != rank:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} takes {rank} value{'s' if rank > 1 else ''} for `output_size`, got "
                        f"{len(sizes)} ({list(sizes)})", "output_size", hint=keep_hint)
    for size in sizes:
        if size is None and rank == 1:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} output_size must be an int (None is refused in the 1d form)",
                            "output_size", hint="give the output length as an int")
        if size is not None and size < 0:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} output_size must be at least 0, got {list(sizes)}",
                            "output_size", hint=keep_hint)
    # AdaptiveAvgPool2d/3d to all ones is torch's global-average shortcut, a mean over the last axes
    # that takes any number of leading axes (a (batch, frames, channels, H, W) video, say).
    global_mean = average and rank > 1 and all(size == 1 for size in sizes)
    if not (global_mean and call.x.rank > rank + 2):
        torch_spatial_start(call, rank)
    lead = call.x.rank - rank
    empty = next((axis for axis, n in enumerate(call.x.shape) if axis and n == 0), None)
    if empty is not None:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} on {format_shape(call.x.shape)}: the forward pass fails",
                        hint="torch: Expected input to have non-zero size for non-batch dimensions, but dimension "
                        f"{empty} is empty; fix the layer before it, which gives an empty tensor")
    spatial = tuple(call.x.shape[lead + i] if size is None else size for i, size in enumerate(sizes))
    shape = call.x.shape[:lead] + spatial
    if 0 in sizes:  # torch 2.13.0 builds and runs it
        call.report(rules.EMPTY_OUTPUT, f"{call.type} output_size={value}: torch builds it and computes an empty "
                    "tensor", "output_size", hint="use the output size meant, e.g. 1 for a global pooling")
    # the adaptive windows tile the whole input, so every position is read
    if call.cfg.get("return_indices"):
        return Output([shape, shape])
    return Output(shape)


for _rank in (1, 2, 3):
    _suffix = RANK_NAMES[_rank]
    register(KERAS, f"MaxPooling{_suffix}", "pooling", keras_pool_defaults(2 if _rank == 1 else (2,) * _rank),
             partial(keras_pool, rank=_rank))
    register(KERAS, f"AveragePooling{_suffix}", "pooling", keras_pool_defaults(REQUIRED),
             partial(keras_pool, rank=_rank))
    register(KERAS, f"GlobalMaxPooling{_suffix}", "pooling", KERAS_GLOBAL_DEFAULTS, partial(keras_global, rank=_rank))
    register(KERAS, f"GlobalAveragePooling{_suffix}", "pooling", KERAS_GLOBAL_DEFAULTS,
             partial(keras_global, rank=_rank))
    register(PYTORCH, f"MaxPool{_rank}d", "pooling", TORCH_MAX_DEFAULTS, partial(torch_pool, rank=_rank, average=False))
    register(PYTORCH, f"AvgPool{_rank}d", "pooling", TORCH_AVG1D_DEFAULTS if _rank == 1 else TORCH_AVG_DEFAULTS,
             partial(torch_pool, rank=_rank, average=True))
    register(PYTORCH, f"AdaptiveAvgPool{_rank}d", "pooling", TORCH_ADAPTIVE_AVG_DEFAULTS,
             partial(torch_adaptive, rank=_rank, average=True))
    register(PYTORCH, f"AdaptiveMaxPool{_rank}d", "pooling", TORCH_ADAPTIVE_MAX_DEFAULTS,
             partial(torch_adaptive, rank=_rank, average=False))
