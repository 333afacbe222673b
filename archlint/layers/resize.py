"""Padding, cropping and resizing: Keras ZeroPadding/Cropping/UpSampling 1D-3D, Resizing, CenterCrop,
Rescaling and Normalization; PyTorch ZeroPad/ConstantPad/ReflectionPad/ReplicationPad 1d-3d, Upsample,
PixelShuffle and PixelUnshuffle. Only Keras's Normalization has weights.

The error conditions are Keras 3.15's (torch backend) and PyTorch 2.13's own, checked in the frameworks:
- A PyTorch pad takes its values last axis first: (left, right, top, bottom, front, back). A negative
  value crops. Zero and constant pads fail when a crop is larger than the axis (or the result
  negative); replication needs an output of at least 1; reflection also needs each pad smaller than
  the axis.
- Keras Cropping refuses a cropping that leaves nothing (>= the input size).
- Keras ZeroPadding2D/3D take a bare negative int without complaint and, on the torch backend, crop
  with it (TensorFlow and JAX refuse it): a warning, with the cropped shape.
- torch Upsample: the output size is floor(n * scale_factor) in double precision, and must be >= 1.

Padding layers tell later layers which leading/trailing positions hold only padding
(`Output.padding`), so a stride that drops them is no W001 and a window that reads only them is W004.
Reflection and replication pad with copies of the input, which are not padding alone: no such info.
"""

from __future__ import annotations

from functools import partial
from math import floor, prod

from archlint import rules
from archlint.layers import windows
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, Tensor, register
from archlint.shapes import SPATIAL_NAMES, axis_label, format_shape, spatial_axes

RANK_NAMES = {1: "1D", 2: "2D", 3: "3D"}
KERAS_INTERPOLATIONS_ANY_BACKEND = ("nearest", "bilinear", "bicubic")  # the torch backend refuses the rest


# --- shared ---------------------------------------------------------------------------------------

def keras_rank(call: Call, rank: int, channels_first: bool) -> None:
    """E008 in Keras's words: a rank-N layer takes exactly N+2 axes."""
    want = rank + 2
    if call.x.rank != want:
        layout = "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)"
        raise call.fail(
            rules.RANK_MISMATCH,
            f"{call.type} expects a rank-{want} input {layout} but receives {format_shape(call.x.shape)}",
            hint=f"Keras: expected ndim={want}, found ndim={call.x.rank}; check the input shape (it excludes the "
                 "batch axis) or use the layer of the input's rank",
        )


def moved_padding(x: Tensor, axis: int, lead: int, trail: int, out: int | None) -> tuple[int, int]:
    """The padding-only positions at each end of `axis` after adding `lead`/`trail` positions of padding
    (a negative count crops that many from that end), on top of what the input already had."""
    head, tail = x.padding.get(axis, (0, 0))
    head = head + lead if lead >= 0 else max(head + lead, 0)
    tail = tail + trail if trail >= 0 else max(tail + trail, 0)
    if out is not None:
        head, tail = min(head, out), min(tail, out)
    return head, tail


def padding_after(x: Tensor, changes: dict[int, tuple[int, int]], shape: tuple) -> dict:
    """Output.padding: the input's padding info carried over, with `changes` {axis: (lead, trail)} applied."""
    info = dict(x.padding)
    for axis, (lead, trail) in changes.items():
        info[axis] = moved_padding(x, axis, lead, trail, shape[axis])
    return {axis: pair for axis, pair in info.items() if pair != (0, 0)}


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(call: Call, key: str) -> int:
    value = call.cfg[key]
    if not is_int(value) or value < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}` must be a positive integer, got {value}", key,
                        hint=f"give `{key}` as an integer of at least 1")
    return value


def warn(call: Call, rule, message: str, key: str | None, hint: str) -> None:
    call.report(rule, f"{call.type} {message}", key, hint)


# --- Keras: ZeroPadding and Cropping ---------------------------------------------------------------

ORDINALS = ("1st", "2nd", "3rd")


def keras_pairs(call: Call, key: str, rank: int, verb: str) -> tuple[tuple[int, int], ...]:
    """Keras's padding/cropping forms: an int, one int per axis, or one (before, after) pair per axis.

    Every value must be >= 0, except a bare int for the 2D/3D layers, which Keras does not check
    (ZeroPadding then crops on the torch backend: reported by the caller; Cropping refuses it).
    """
    value = call.cfg[key]
    hint = ("write one int, a list of 2 ints (before, after)" if rank == 1 else
            f"write one int, a list of {rank} ints (one per axis), or a list of {rank} [before, after] pairs")
    if rank == 1:
        pair = (value, value) if is_int(value) else tuple(value)
        if len(pair) != 2 or not all(is_int(v) for v in pair):
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}` must be an int or 2 ints, got {value}",
                            key, hint=hint)
        pairs = (pair,)
    elif is_int(value):
        return ((value, value),) * rank
    else:
        if len(value) != rank:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} `{key}` should have {rank} elements (one per spatial axis), got {value}",
                            key, hint=hint)
        pairs = []
        for i, entry in enumerate(value):
            pair = (entry, entry) if is_int(entry) else tuple(entry)
            if len(pair) != 2 or not all(is_int(v) for v in pair):
                raise call.fail(rules.INVALID_ARGUMENT,
                                f"{call.type} the {ORDINALS[i]} entry of `{key}` must be an int or 2 ints, got {entry}",
                                key, hint=hint)
            pairs.append(pair)
        pairs = tuple(pairs)
    if any(v < 0 for pair in pairs for v in pair):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}` must be non-negative, got {value}", key,
                        hint=f"{verb} by 0 or more positions"
                        + ("; to crop, use a cropping layer" if verb == "pad" else ""))
    return pairs


def keras_zero_padding(call: Call, rank: int) -> Output:
    channels_first = call.cfg["data_format"] == "channels_first"
    pairs = keras_pairs(call, "padding", rank, "pad")
    keras_rank(call, rank, channels_first)
    if pairs[0][0] < 0:  # a bare negative int, which only the 2D/3D layers let through
        n = pairs[0][0]
        warn(call, rules.SUSPICIOUS_ARGUMENT,
             f"padding={n} crops {-n} positions from each side of every spatial axis", "padding",
             "Keras does not check a negative int, the torch backend crops with it and the TensorFlow and JAX "
             f"backends refuse it; use Cropping{RANK_NAMES[rank]}(cropping={-n}) to crop")
    return pad_spatial(call, spatial_axes(rank, channels_first), pairs, "padding", channels_first)


def pad_spatial(call: Call, axes: list[int], pairs, key: str, channels_first: bool) -> Output:
    """Shape and padding info after adding pairs[i] positions around axes[i] (negative: cropped)."""
    shape = list(call.x.shape)
    for axis, (lead, trail) in zip(axes, pairs):
        n = shape[axis]
        if n is None:
            continue
        if n + min(lead, 0) + min(trail, 0) < 0 or n + lead + trail < 0:
            raise call.fail(
                rules.OUTPUT_SIZE,
                f"{call.type} {key}=({lead}, {trail}) on the {axis_label(call.x.rank, axis, channels_first)} of size "
                f"{n} crops more than the axis holds (output size {n + lead + trail})",
                key, hint="crop less than the axis size")
        shape[axis] = n + lead + trail
    shape = tuple(shape)
    return Output(shape, padding=padding_after(call.x, dict(zip(axes, pairs)), shape))


def keras_cropping(call: Call, rank: int) -> Output:
    channels_first = call.cfg.get("data_format") == "channels_first"
    value = call.cfg["cropping"]
    if rank > 1 and is_int(value) and value < 0:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `cropping` cannot be negative, got {value}",
                        "cropping", hint="crop by 0 or more positions")
    pairs = keras_pairs(call, "cropping", rank, "crop")
    keras_rank(call, rank, channels_first)
    axes = spatial_axes(rank, channels_first)
    shape = list(call.x.shape)
    for axis, (lead, trail) in zip(axes, pairs):
        n = shape[axis]
        if n is None:
            continue
        if lead + trail >= n:
            label = axis_label(call.x.rank, axis, channels_first)
            raise call.fail(
                rules.OUTPUT_SIZE,
                f"{call.type} cropping ({lead}, {trail}) on the {label} leaves nothing of its {n} positions",
                "cropping", hint=f"Keras requires the cropping to be smaller than the input size (output size would "
                f"be {n - lead - trail}); crop fewer than {n} positions in total on the {label}")
        shape[axis] = n - lead - trail
    shape = tuple(shape)
    changes = {axis: (-lead, -trail) for axis, (lead, trail) in zip(axes, pairs)}
    return Output(shape, padding=padding_after(call.x, changes, shape))


# --- Keras: UpSampling, Resizing, CenterCrop, Rescaling, Normalization ---------------------------------

def backend_interpolation(call: Call, key: str) -> None:
    value = call.cfg[key]
    if value not in KERAS_INTERPOLATIONS_ANY_BACKEND:
        warn(call, rules.SUSPICIOUS_ARGUMENT,
             f"interpolation='{value}' works only on some Keras backends: the torch backend refuses it", key,
             f"{'TensorFlow only' if value == 'area' else 'TensorFlow and JAX only'}; use 'nearest', 'bilinear' or "
             "'bicubic' for a model that runs on every backend")


def keras_upsampling(call: Call, rank: int) -> Output:
    channels_first = call.cfg.get("data_format") == "channels_first"
    if rank == 1:
        sizes = (positive_int(call, "size"),)
    else:
        sizes = windows.int_tuple(call, "size", rank)
    if "interpolation" in call.cfg:
        backend_interpolation(call, "interpolation")
    keras_rank(call, rank, channels_first)
    axes = spatial_axes(rank, channels_first)
    shape = list(call.x.shape)
    for axis, s in zip(axes, sizes):
        shape[axis] = None if shape[axis] is None else shape[axis] * s
    shape = tuple(shape)
    padding = {}
    if call.cfg.get("interpolation", "nearest") == "nearest":
        # nearest repeats each position, so padding-only rows stay padding-only, `s` times as many
        for axis, s in zip(axes, sizes):
            if axis in call.x.padding:
                head, tail = call.x.padding[axis]
                padding[axis] = (head * s, tail * s)
        padding.update({a: p for a, p in call.x.padding.items() if a not in axes})
    return Output(shape, padding=padding)


def image_rank(call: Call, channels_first: bool) -> bool:
    """Keras's image layers take (batch, H, W, C); a rank-3 tensor is read as ONE image. True if batched."""
    if call.x.rank == 4:
        return True
    if call.x.rank == 3:
        reading = "(channels, height, width)" if channels_first else "(height, width, channels)"
        warn(call, rules.INPUT_RANK_MISREAD,
             f"reads the rank-3 input {format_shape(call.x.shape)} as a single unbatched image {reading}", None,
             "the batch axis is taken as an image axis; give the input as (height, width, channels), or (channels, "
             "height, width) with "
             "data_format: channels_first")
        return False
    raise call.fail(rules.RANK_MISMATCH,
                    f"{call.type} expects a rank-4 input (batch, height, width, channels) but receives "
                    f"{format_shape(call.x.shape)}",
                    hint="Keras: expected rank 3 (single image) or 4 (batch of images); check the input shape: it "
                         "excludes the batch axis")


def image_size(call: Call) -> tuple[int, int]:
    for key in ("height", "width"):
        value = call.cfg[key]
        if value < 0:
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}` must not be negative, got {value}", key,
                            hint=f"give `{key}` as a positive integer")
        if value == 0:
            warn(call, rules.SUSPICIOUS_ARGUMENT, f"{key}=0 gives an empty output", key,
                 f"give `{key}` as a positive integer")
    return call.cfg["height"], call.cfg["width"]


def resized(call: Call, height: int, width: int) -> Output:
    channels_first = call.cfg["data_format"] == "channels_first"
    batched = image_rank(call, channels_first)
    shape = list(call.x.shape)
    first = (2 if channels_first else 1) if batched else (1 if channels_first else 0)
    shape[first], shape[first + 1] = height, width
    return Output(tuple(shape))


def keras_resizing(call: Call) -> Output:
    height, width = positive_int(call, "height"), positive_int(call, "width")  # 0 fails in the backend's resize
    if call.cfg["crop_to_aspect_ratio"] and call.cfg["pad_to_aspect_ratio"]:
        raise call.fail(rules.INVALID_ARGUMENT,
                        "Resizing: only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be true",
                        "pad_to_aspect_ratio", hint="choose cropping or padding to keep the aspect ratio")
    backend_interpolation(call, "interpolation")
    return resized(call, height, width)


def keras_center_crop(call: Call) -> Output:
    # A crop larger than the input is no error: Keras crops to the aspect ratio and resizes up.
    return resized(call, *image_size(call))


def value_shape(value) -> tuple | None:
    """The shape of a nested list of numbers (numpy's np.shape), or None when it is ragged."""
    if not isinstance(value, list):
        return ()
    shapes = {value_shape(v) for v in value}
    if len(shapes) > 1 or None in shapes:
        return None
    return (len(value),) + (shapes.pop() if shapes else ())


def check_broadcast(call: Call, key: str, dims: tuple) -> None:
    """A constant must broadcast against `dims` (aligned from the right) without changing them."""
    shape = value_shape(call.cfg[key])
    ok = shape is not None and len(shape) <= len(dims) and all(
        v == 1 or d is None or v == d for v, d in zip(reversed(shape), reversed(dims)))
    if not ok:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{key}` of shape {shape if shape is not None else 'ragged'} does not broadcast "
                        f"against {format_shape(dims)}", key,
                        hint="give a number, or one value per entry of the last axis")


def keras_rescaling(call: Call) -> Output:
    for key in ("scale", "offset"):
        check_broadcast(call, key, call.x.shape[1:])
    # elementwise: a position computed from padding alone stays so
    return Output(call.x.shape, padding=dict(call.x.padding))


def keras_normalization(call: Call) -> Output:
    cfg, rank = call.cfg, call.x.rank
    axes = () if cfg["axis"] is None else (cfg["axis"],) if is_int(cfg["axis"]) else tuple(cfg["axis"])
    mean, variance = cfg["mean"], cfg["variance"]
    if (mean is None) != (variance is None):
        raise call.fail(rules.INVALID_ARGUMENT,
                        "Normalization: when setting values directly, both `mean` and `variance` must be set",
                        "mean" if mean is not None else "variance",
                        hint="give both, or neither to learn them with adapt()")
    if mean is not None:
        shapes = value_shape(mean), value_shape(variance)
        if shapes[0] != shapes[1] or shapes[0] is None:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Normalization `mean` and `variance` must have the same shape, got {shapes[0]} and "
                            f"{shapes[1]}", "variance", hint="give one variance per mean")
        if len(shapes[0]) > len(axes):
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Normalization: the rank of `mean` ({len(shapes[0])}) must be at most the number of "
                            f"axes ({len(axes)})", "mean", hint="give one value per entry of the kept axes")
    for a in axes:
        if not -rank <= a < rank:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Normalization axis={cfg['axis']} is out of range for the rank-{rank} input "
                            f"{format_shape(call.x.shape)}", "axis",
                            hint=f"Keras: all `axis` values must be in the range [-ndim, ndim) = [{-rank}, {rank}); "
                            "use axes in [{-rank}, {rank - 1}]; axis 0 is the batch")
    kept = sorted({a % rank for a in axes})
    for a in kept:
        if call.x.shape[a] is None:
            batch = " (the batch axis)" if a == 0 else ""
            raise call.fail(rules.UNKNOWN_DIMENSION,
                            f"Normalization keeps axis {a}{batch} of {format_shape(call.x.shape)}, "
                            "whose size is unknown", "axis",
                            hint="Keras needs a known size for every kept axis; give that axis a size in `input:`, "
                                 "or normalize along another axis")
    kept_shape = tuple(call.x.shape[a] for a in kept)
    if mean is not None:
        # Keras aligns the constants with the kept axes from the right and broadcasts them
        check_broadcast(call, "mean", kept_shape)
        return Output(call.x.shape, padding=dict(call.x.padding))
    # mean and variance of the kept axes' shape, and a scalar count, all non-trainable (invert changes neither)
    return Output(call.x.shape, non_trainable=2 * prod(kept_shape) + 1, padding=dict(call.x.padding))


# --- PyTorch pads --------------------------------------------------------------------------------

PAD_SIDES = ("left", "right", "top", "bottom", "front", "back")


def torch_pad_values(call: Call, rank: int, exact: bool) -> list[tuple[int, int]]:
    """(before, after) per padded axis, last axis first as torch writes them. An int pads `rank` axes.

    `exact`: reflection and replication need exactly 2*rank values; zero and constant pads take any
    even number (F.pad pads that many trailing axes)."""
    value = call.cfg["padding"]
    values = [value] * (2 * rank) if is_int(value) else list(value)
    if len(values) % 2 or not values or (exact and len(values) != 2 * rank):
        want = f"{2 * rank}" if exact else "an even number of"
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} takes {want} values for `padding` ({', '.join(PAD_SIDES[:2 * rank])}), got "
                        f"{len(values)}", "padding",
                        hint=("" if exact else "torch: Padding length must be divisible by 2; ")
                        + f"write one int, or {2 * rank} ints in torch's order: {', '.join(PAD_SIDES[:2 * rank])}")
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


def torch_constant_pad(call: Call, rank: int) -> Output:
    pairs = torch_pad_values(call, rank, exact=False)
    count = len(pairs)
    if call.x.rank < count:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} pads {count} axes but receives a rank-{call.x.rank} input "
                        f"{format_shape(call.x.shape)}",
                        hint="torch: Padding length should be less than or equal to two times the input dimension; "
                        "check the input shape: it excludes the batch axis")
    axes = [call.x.rank - 1 - i for i in range(count)]  # the first pair pads the last axis
    if 0 in axes:
        warn(call, rules.INPUT_RANK_MISREAD,
             f"pads {count} axes of the rank-{call.x.rank} input {format_shape(call.x.shape)}, so it pads the batch "
             "axis too", "padding", "check the input shape (it excludes the batch axis) or pad fewer axes")
    out = pad_spatial(call, axes, pairs, "padding", True)
    for axis in axes:
        if out.shape[axis] == 0:
            warn(call, rules.SUSPICIOUS_ARGUMENT,
                 f"crops all {call.x.shape[axis]} positions of the {axis_label(call.x.rank, axis, True)}: "
                 "the output is empty", "padding", "crop fewer positions")
            break
    if 0 in axes:
        out.shape = (None,) + out.shape[1:]
    return out


def torch_copy_pad(call: Call, rank: int, reflect: bool) -> Output:
    """ReflectionPad and ReplicationPad: padding made of copies of the input (negative values crop)."""
    pairs = torch_pad_values(call, rank, exact=True)
    if call.x.rank not in (rank + 1, rank + 2):
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a rank-{rank + 2} input (batch, channels, "
                        f"{', '.join(SPATIAL_NAMES[rank])}) but receives {format_shape(call.x.shape)}",
                        hint=f"torch: Padding size {2 * rank} is not supported for {call.x.rank}D input tensor; "
                        "check the input shape: it excludes the batch axis")
    axes = [call.x.rank - 1 - i for i in range(rank)]
    if reflect:  # torch checks the width first, then the height, then the depth
        for axis, (lead, trail) in zip(axes, pairs):
            n = call.x.shape[axis]
            if n is not None and (lead >= n or trail >= n):
                label = axis_label(call.x.rank, axis, True)
                raise call.fail(
                    rules.INVALID_ARGUMENT,
                    f"{call.type} padding ({lead}, {trail}) on the {label} of size {n}: reflection padding must be "
                    "smaller", "padding",
                    hint="torch: Padding size should be less than the corresponding input dimension; pad at most "
                         f"{n - 1} on each side of the {label}, or use ReplicationPad{rank}d")
    bad = [(axis, n + lead + trail) for axis, (lead, trail) in zip(axes, pairs)
           if (n := call.x.shape[axis]) is not None and n + lead + trail < 1]
    if bad:
        axis, size = bad[0]
        label = axis_label(call.x.rank, axis, True)
        raise call.fail(rules.OUTPUT_SIZE,
                        f"{call.type} padding {dict(zip(PAD_SIDES, [v for p in pairs for v in p]))} leaves "
                        f"{size} of the {call.x.shape[axis]} positions of the {label}",
                        "padding", hint="torch: input is too small; crop less: the output needs at least 1 position "
                                        "on every axis")
    shape = list(call.x.shape)
    for axis, (lead, trail) in zip(axes, pairs):
        if shape[axis] is not None:
            shape[axis] += lead + trail
    return Output(tuple(shape))  # copies of the input: no padding-only positions


# --- PyTorch Upsample, PixelShuffle, PixelUnshuffle ---------------------------------------------------

# mode -> the input rank it needs (None: any of 3, 4, 5)
UPSAMPLE_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 3, "bilinear": 4,
                  "bicubic": 4, "trilinear": 5}
ALIGNING_MODES = ("linear", "bilinear", "bicubic", "trilinear")


def torch_upsample(call: Call) -> Output:
    cfg = call.cfg
    size, scale, mode = cfg["size"], cfg["scale_factor"], cfg["mode"]
    if not scale:
        scale = None  # torch tests `if scale_factor`, so 0 counts as not given
    if size is not None and scale is not None:
        raise call.fail(rules.INVALID_ARGUMENT, "Upsample: only one of `size` or `scale_factor` should be defined",
                        "scale_factor", hint="give the output size or the scale factor, not both")
    if size is None and scale is None:
        raise call.fail(rules.INVALID_ARGUMENT, "Upsample: either `size` or `scale_factor` should be defined "
                        "(a scale_factor of 0 counts as none)",
                        "scale_factor" if "scale_factor" in call.given else None,
                        hint="give `size` or a positive `scale_factor`")
    if cfg["align_corners"] is not None and mode not in ALIGNING_MODES:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Upsample: align_corners can only be set with an interpolating mode, not mode='{mode}'",
                        "align_corners", hint=f"the interpolating modes are {' | '.join(ALIGNING_MODES)}; remove "
                                              "align_corners, or leave it null")
    if cfg["recompute_scale_factor"] and size is not None:
        raise call.fail(rules.INVALID_ARGUMENT,
                        "Upsample: recompute_scale_factor is not meaningful with an explicit size",
                        "recompute_scale_factor", hint="remove recompute_scale_factor")
    rank = call.x.rank
    if rank not in (3, 4, 5):
        raise call.fail(rules.RANK_MISMATCH,
                        "Upsample expects a rank-3, 4 or 5 input (batch, channels, *spatial) "
                        f"but receives rank {rank}, "
                        f"shape {format_shape(call.x.shape)}", hint="check the input shape: it excludes the batch axis")
    spatial = rank - 2
    key, values = ("size", size) if size is not None else ("scale_factor", scale)
    values = list(values) if isinstance(values, list) else [values] * spatial
    if len(values) != spatial:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Upsample `{key}` has {len(values)} value{'s' if len(values) > 1 else ''} but the input "
                        f"{format_shape(call.x.shape)} has {spatial} spatial axes", key,
                        hint=f"write one number, or {spatial} (one per spatial axis)")
    need = UPSAMPLE_MODES[mode]
    if need is not None and need != rank:
        raise call.fail(rules.RANK_MISMATCH,
                        f"Upsample mode='{mode}' needs a rank-{need} input, got rank {rank}, shape "
                        f"{format_shape(call.x.shape)}", "mode",
                        hint=f"torch: Got {rank}D input, but {mode} mode needs {need}D input"
                        + (f"; use mode '{next(m for m, r in UPSAMPLE_MODES.items() if r == rank)}' for this input"
                           if rank in (3, 4, 5) else ""))
    out = []
    for i, v in enumerate(values):
        n = call.x.shape[2 + i]
        scaled = None if size is not None else float(v) * (1.0 if n is None else float(n))
        if scaled is not None and not abs(scaled) < 2**63:  # inf, nan, or beyond int64 (n >= 1 when unknown)
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Upsample scale_factor={v} gives an output size of {scaled:g} on spatial axis {i + 1}, "
                            "beyond a 64-bit integer", key,
                            hint="torch cannot convert it to a 64-bit integer: use a finite scale_factor that gives a "
                                 "size below 2**63")
        out.append(v if size is not None else None if n is None else floor(scaled))
    if any(o is not None and o < 1 for o in out):
        raise call.fail(rules.OUTPUT_SIZE,
                        f"Upsample gives an output of size {tuple(out)} from the input {format_shape(call.x.shape)}",
                        key, hint="torch requires output sizes greater than 0"
                        + (" (floor(size * scale_factor))" if size is None else "") + "; use a larger size or "
                                                                                      "scale_factor")
    return Output(call.x.shape[:2] + tuple(out))


def torch_pixel_rank(call: Call, runs_unbatched: bool) -> None:
    """Rank 4 (batch, channels, height, width). On rank 3 torch sees one unbatched sample whose channels
    are the batch axis: it runs when the batch size does not matter (`runs_unbatched`), which is W007."""
    if call.x.rank == 3 and runs_unbatched:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-3 input {format_shape(call.x.shape)} as one unbatched sample",
                    hint="the batch axis becomes the channels; check the input shape: it excludes the batch axis")
        return
    if call.x.rank < 4:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a rank-4 input (batch, channels, height, width) but receives "
                        f"{format_shape(call.x.shape)}",
                        hint="torch would take the batch axis as channels; check the input shape: it excludes the "
                             "batch axis")


def torch_pixel_shuffle(call: Call) -> Output:
    r = call.cfg["upscale_factor"]
    if r < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"PixelShuffle expects a positive upscale_factor, got {r}",
                        "upscale_factor", hint="use an upscale_factor of at least 1")
    torch_pixel_rank(call, runs_unbatched=r == 1)
    *lead, c, h, w = call.x.shape
    if c is not None and c % (r * r):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"PixelShuffle upscale_factor={r} needs channels divisible by {r}*{r} = {r * r}, but the input "
                        f"{format_shape(call.x.shape)} has {c}", "upscale_factor",
                        hint=f"give the layer before it a multiple of {r * r} channels")
    scale = lambda n, f: None if n is None else f(n)  # noqa: E731
    return Output(tuple(lead)
                  + (scale(c, lambda n: n // (r * r)), scale(h, lambda n: n * r), scale(w, lambda n: n * r)))


def torch_pixel_unshuffle(call: Call) -> Output:
    r = call.cfg["downscale_factor"]
    if r < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"PixelUnshuffle expects a positive downscale_factor, got {r}",
                        "downscale_factor", hint="use a downscale_factor of at least 1")
    torch_pixel_rank(call, runs_unbatched=True)
    *lead, c, h, w = call.x.shape
    for name, n in (("height", h), ("width", w)):
        if n is not None and n % r:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"PixelUnshuffle downscale_factor={r} needs the {name} divisible by {r}, not {n}",
                            "downscale_factor", hint=f"the input is {format_shape(call.x.shape)}; crop or pad the "
                                                     f"{name} to a multiple of {r}")
    scale = lambda n, f: None if n is None else f(n)  # noqa: E731
    return Output(tuple(lead) + (scale(c, lambda n: n * r * r), scale(h, lambda n: n // r), scale(w, lambda n: n // r)))


# --- registration ---------------------------------------------------------------------------------

KERAS_BASE = {"dtype": None}
KERAS_ZERO_PADDING = {1: 1, 2: (1, 1), 3: ((1, 1), (1, 1), (1, 1))}
KERAS_CROPPING = {1: (1, 1), 2: ((0, 0), (0, 0)), 3: ((1, 1), (1, 1), (1, 1))}
KERAS_UPSAMPLING = {1: 2, 2: (2, 2), 3: (2, 2, 2)}

for _rank in (1, 2, 3):
    _suffix = RANK_NAMES[_rank]
    register(KERAS, f"ZeroPadding{_suffix}", "resize",
             {"padding": KERAS_ZERO_PADDING[_rank], "data_format": None, **KERAS_BASE},
             partial(keras_zero_padding, rank=_rank))
    register(KERAS, f"Cropping{_suffix}", "resize",
             {"cropping": KERAS_CROPPING[_rank], **({} if _rank == 1 else {"data_format": None}), **KERAS_BASE},
             partial(keras_cropping, rank=_rank))
    register(KERAS, f"UpSampling{_suffix}", "resize",
             {"size": KERAS_UPSAMPLING[_rank], **({} if _rank == 1 else {"data_format": None}),
              **({"interpolation": "nearest"} if _rank == 2 else {}), **KERAS_BASE},
             partial(keras_upsampling, rank=_rank))
    register(PYTORCH, f"ZeroPad{_rank}d", "resize", {"padding": REQUIRED}, partial(torch_constant_pad, rank=_rank))
    register(PYTORCH, f"ConstantPad{_rank}d", "resize", {"padding": REQUIRED, "value": REQUIRED},
             partial(torch_constant_pad, rank=_rank))
    register(PYTORCH, f"ReflectionPad{_rank}d", "resize", {"padding": REQUIRED},
             partial(torch_copy_pad, rank=_rank, reflect=True))
    register(PYTORCH, f"ReplicationPad{_rank}d", "resize", {"padding": REQUIRED},
             partial(torch_copy_pad, rank=_rank, reflect=False))

register(KERAS, "Resizing", "resize",
         {"height": REQUIRED, "width": REQUIRED, "interpolation": "bilinear", "crop_to_aspect_ratio": False,
          "pad_to_aspect_ratio": False, "fill_mode": "constant", "fill_value": 0.0, "antialias": False,
          "data_format": None, **KERAS_BASE}, keras_resizing)
register(KERAS, "CenterCrop", "resize", {"height": REQUIRED, "width": REQUIRED, "data_format": None, **KERAS_BASE},
         keras_center_crop)
register(KERAS, "Rescaling", "resize", {"scale": REQUIRED, "offset": 0.0, **KERAS_BASE}, keras_rescaling)
register(KERAS, "Normalization", "resize",
         {"axis": -1, "mean": None, "variance": None, "invert": False, **KERAS_BASE}, keras_normalization)
register(PYTORCH, "Upsample", "resize",
         {"size": None, "scale_factor": None, "mode": "nearest", "align_corners": None,
          "recompute_scale_factor": None}, torch_upsample)
register(PYTORCH, "PixelShuffle", "resize", {"upscale_factor": REQUIRED}, torch_pixel_shuffle)
register(PYTORCH, "PixelUnshuffle", "resize", {"downscale_factor": REQUIRED}, torch_pixel_unshuffle)
