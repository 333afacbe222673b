"""Normalization: Keras BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization;
PyTorch BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm.

The batch norms subtract a per-channel mean, so they report the channel axis as `removes_offset_along` for the
bias-before-batchnorm check (W005).
"""

from __future__ import annotations

from functools import partial
from math import prod

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

KERAS_BN_DEFAULTS = {
    "axis": -1,
    "momentum": 0.99,
    "epsilon": 0.001,
    "center": True,
    "scale": True,
    "beta_initializer": "zeros",
    "gamma_initializer": "ones",
    "moving_mean_initializer": "zeros",
    "moving_variance_initializer": "ones",
    "beta_regularizer": None,
    "gamma_regularizer": None,
    "beta_constraint": None,
    "gamma_constraint": None,
    "renorm": False,
    "renorm_clipping": None,
    "renorm_momentum": 0.99,
    "synchronized": False,
    "dtype": None,
}

TORCH_BN_DEFAULTS = {
    "num_features": None,  # optional in archlint: taken from the input, checked when given
    "eps": 1e-05,
    "momentum": 0.1,
    "affine": True,
    "track_running_stats": True,
    "device": None,
    "dtype": None,
    "bias": True,  # keyword-only in torch 2.13: affine=True, bias=False keeps only the weight
}

RENORM_CLIPPING_KEYS = ("rmax", "rmin", "dmax")

# The accepted input ranks of BatchNorm1d/2d/3d (batch included) and how torch names them.
TORCH_BN_RANKS = {1: ((2, 3), "2D (N, C) or 3D (N, C, L)"), 2: ((4,), "4D (N, C, H, W)"),
                  3: ((5,), "5D (N, C, D, H, W)")}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_renorm_clipping(call: Call) -> None:
    """The three conditions Keras's constructor checks, and only when renorm is on."""
    clipping = call.cfg["renorm_clipping"] or {}
    unknown = sorted(set(clipping) - set(RENORM_CLIPPING_KEYS))
    if unknown:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"BatchNormalization `renorm_clipping` has invalid keys {unknown}: Keras supports only "
            f"{list(RENORM_CLIPPING_KEYS)}",
            "renorm_clipping",
            hint="keep only rmax, rmin and dmax",
        )
    rmax, rmin, dmax = (clipping.get(k) for k in RENORM_CLIPPING_KEYS)
    if _number(rmax) and _number(rmin) and rmax < rmin:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"BatchNormalization `renorm_clipping` has rmax={rmax} below rmin={rmin}: Keras requires rmax >= rmin",
            "renorm_clipping",
            hint="swap rmax and rmin",
        )
    if _number(dmax) and dmax < 0:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"BatchNormalization `renorm_clipping` has dmax={dmax}: Keras requires dmax to be non-negative",
            "renorm_clipping",
            hint="give dmax as a non-negative number",
        )


def keras_batchnorm(call: Call) -> Output:
    cfg = call.cfg
    axis = cfg["axis"]
    if not isinstance(axis, int):
        # Keras 3 stores int(axis): a list or tuple of axes is a TypeError in the constructor.
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"BatchNormalization takes one int `axis` in Keras 3 (it calls int(axis)), got {axis}",
            "axis",
            hint="normalize a single axis (axis: -1 for channels-last); for several axes use "
            "LayerNormalization or reshape first",
        )
    if cfg["renorm"]:
        _check_renorm_clipping(call)
    rank = call.x.rank
    if not -rank <= axis < rank:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"BatchNormalization axis={axis} is out of range for the rank-{rank} input "
            f"{format_shape(call.x.shape)}",
            "axis",
            hint=f"Keras indexes the input shape with it, valid axes are {-rank} to {rank - 1}: use axis=-1 "
                 f"(channels-last) or axis=1 (channels-first); axes 0 and {-rank} are the batch",
        )
    index = axis % rank
    channels = call.x.shape[index]
    if channels is None:
        what = "the batch axis" if index == 0 else "unknown (null)"
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"BatchNormalization needs the size of axis {axis}, but that axis of {format_shape(call.x.shape)} is "
            f"{what}",
            "axis",
            hint="it is the size of moving_mean and moving_variance (and gamma, beta); "
            + ("normalize a feature axis whose size the input shape gives" if index == 0
               else "give that axis's size in the input shape"),
        )
    trainable = channels * (bool(cfg["scale"]) + bool(cfg["center"]))  # gamma, beta
    non_trainable = 2 * channels  # moving_mean, moving_variance
    if cfg["renorm"]:
        non_trainable += 3 * channels  # moving_stddev, renorm_mean, renorm_stddev
    return Output(call.x.shape, trainable=trainable, non_trainable=non_trainable, removes_offset_along=index)


def torch_batchnorm(call: Call, rank: int) -> Output:
    cfg = call.cfg
    declared = cfg["num_features"]
    # torch checks the rank before the sizes; running statistics and affine weights are the only
    # tensors sized by num_features, so without them any num_features is accepted.
    sized = cfg["affine"] or cfg["track_running_stats"]
    if declared is not None and declared < 0 and sized:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"{call.type} num_features={declared}: torch cannot create tensors of negative size",
            "num_features",
            hint="give the input's channel count, or leave num_features out",
        )
    ranks, words = TORCH_BN_RANKS[rank]
    if call.x.rank not in ranks:
        raise call.fail(
            rules.RANK_MISMATCH,
            f"{call.type} expects a {words} input but receives rank {call.x.rank}, shape "
            f"{format_shape(call.x.shape)}",
            hint=f"torch: expected {' or '.join(f'{r}D' for r in ranks)} input (got {call.x.rank}D input); "
            "check the input shape (it excludes the batch axis) or use the BatchNorm of the right rank",
        )
    channels = call.x.shape[1]
    if declared is not None and channels is not None and declared != channels and sized:
        raise call.fail(
            rules.DECLARED_SIZE_MISMATCH,
            f"{call.type} expects {declared} features (num_features={declared}) but receives {channels} channels, "
            f"input shape {format_shape(call.x.shape)}",
            "num_features",
            hint=f"set num_features: {channels}, or fix the layer before it",
        )
    channels = channels if channels is not None else declared
    if channels is None and cfg["affine"]:
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"{call.type} needs to know its input channels to create its weight and bias, but they are unknown "
            "(null)",
            hint="give num_features, or the channel size in the input shape",
        )
    if channels == 0 and cfg["affine"]:  # torch 2.13.0 builds it; affine=False runs on the empty tensor
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} on 0 channels: the forward pass fails",
                        "num_features" if "num_features" in call.given else None,
                        hint="torch: select(): index 0 out of range for tensor of size [0] at dimension 0; fix the "
                             "layer before it, which gives 0 channels")
    # running_mean, running_var and num_batches_tracked are buffers, not parameters
    weights = channels * (1 + bool(cfg["bias"])) if cfg["affine"] else 0
    return Output(call.x.shape, trainable=weights, removes_offset_along=1)


register(KERAS, "BatchNormalization", "normalization", KERAS_BN_DEFAULTS, keras_batchnorm)
for _rank in (1, 2, 3):
    register(PYTORCH, f"BatchNorm{_rank}d", "normalization", TORCH_BN_DEFAULTS, partial(torch_batchnorm, rank=_rank))


# --- Layer, group, instance and unit normalization --------------------------------------------------
# Checked against Keras 3.15.1 (torch backend) and torch 2.13.0; tests/test_normalization_more.py holds
# the verified cases. Those that subtract each channel's own mean (InstanceNorm, group norms with one
# channel per group) report `removes_offset_along` for W005; layer norms mix channels, so a bias
# before them is not wasted.

KERAS_AFFINE = {
    "epsilon": 0.001,
    "center": True,
    "scale": True,
    "beta_initializer": "zeros",
    "gamma_initializer": "ones",
    "beta_regularizer": None,
    "gamma_regularizer": None,
    "beta_constraint": None,
    "gamma_constraint": None,
    "dtype": None,
}
# rms_scaling: popped from **kwargs by Keras 3.15, deprecated (it scales by the variance)
KERAS_LN_DEFAULTS = {"axis": -1, **KERAS_AFFINE, "rms_scaling": False}
KERAS_GN_DEFAULTS = {"groups": 32, "axis": -1, **KERAS_AFFINE}

TORCH_LN_DEFAULTS = {"normalized_shape": REQUIRED, "eps": 1e-05, "elementwise_affine": True, "bias": True,
                     "device": None, "dtype": None}
TORCH_GN_DEFAULTS = {"num_groups": REQUIRED, "num_channels": None, "eps": 1e-05, "affine": True,
                     "device": None, "dtype": None, "bias": True}
TORCH_IN_DEFAULTS = {"num_features": None, "eps": 1e-05, "momentum": 0.1, "affine": False,
                     "track_running_stats": False, "device": None, "dtype": None, "bias": True}
TORCH_LRN_DEFAULTS = {"size": REQUIRED, "alpha": 0.0001, "beta": 0.75, "k": 1.0}

# InstanceNorm{n}d: the batched rank, and the unbatched rank torch also accepts (batch included)
TORCH_IN_RANKS = {1: (3, 2), 2: (4, 3), 3: (5, 4)}


def _axes(call: Call, key: str) -> list[int]:
    """An int or a list of axes as indices into the batched shape: E002 when out of range or repeated."""
    written = call.cfg[key]
    raw = written if isinstance(written, list) else [written]
    rank = call.x.rank
    seen: list[int] = []
    for axis in raw:
        if not -rank <= axis < rank:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} {key}={written} is out of range for the rank-{rank} input "
                            f"{format_shape(call.x.shape)}: valid axes are {-rank} to {rank - 1}", key,
                            hint=f"count the batch as axis 0; axis {-1} is the last")
        if axis % rank in seen:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} {key}={written} names axis {axis % rank} twice: the forward pass fails", key,
                            hint=f"the framework: dim {axis % rank} appears multiple times in the list of dims; list "
                            "each axis once")
        seen.append(axis % rank)
    return seen


def _sizes(call: Call, axes: list[int], key: str, weights: str) -> list[int]:
    sizes = [call.x.shape[a] for a in axes]
    if None in sizes:
        axis = axes[sizes.index(None)]
        what = "the batch axis" if axis == 0 else "unknown (null)"
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        f"{call.type} needs the size of axis {axis}, but that axis of "
                        f"{format_shape(call.x.shape)} is {what}", key,
                        hint=f"it is the size of {weights}; "
                        + ("normalize feature axes whose sizes the input shape gives" if axis == 0
                           else "give that axis's size in the input shape"))
    return sizes


def keras_layernorm(call: Call) -> Output:
    cfg = call.cfg
    axes = _axes(call, "axis")
    size = prod(_sizes(call, axes, "axis", "gamma and beta"))
    rank = call.x.rank
    raw = sorted(cfg["axis"] if isinstance(cfg["axis"], list) else [cfg["axis"]])
    continuous = all(b - a == raw[1] - raw[0] for a, b in zip(raw, raw[1:])) and (
        len(raw) < 2 or raw[1] - raw[0] in (1, -1))
    if continuous and sorted(axes) != list(range(rank - len(axes), rank)):
        # Keras's torch backend hands a contiguous axis list to F.layer_norm with the sizes of those axes,
        # and F.layer_norm normalizes the trailing axes: it fails unless their sizes are the same (checked
        # in Keras 3.15.1: (2, 4, 6, 3) with axis=1 fails, (2, 4, 6, 4) runs).
        given = [call.x.shape[a] for a in sorted(axes)]
        trailing = list(call.x.shape[rank - len(axes):])
        if None not in given + trailing and given != trailing:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"LayerNormalization axis={cfg['axis']} is not the trailing axes of "
                            f"{format_shape(call.x.shape)}: the sizes {given} are not {trailing}", "axis",
                            hint=f"Keras 3.15's torch backend normalizes the trailing axes with the sizes {given}; "
                            "normalize the last axes (axis: -1), or transpose first")
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    f"LayerNormalization axis={cfg['axis']} is not the trailing axes of {format_shape(call.x.shape)}",
                    "axis", hint="Keras 3.15's torch backend normalizes the trailing axes instead (they have the same "
                    "sizes, so it runs); the JAX and TensorFlow backends normalize the axes given; normalize the "
                    "last axes (axis: -1), or transpose first")
    if cfg["rms_scaling"]:
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    "LayerNormalization `rms_scaling=True` is deprecated in Keras 3.15", "rms_scaling",
                    hint="it scales by the variance, not the root mean square; use keras.layers.RMSNormalization "
                         "instead")
    gamma = cfg["scale"] or cfg["rms_scaling"]
    beta = cfg["center"] and not cfg["rms_scaling"]
    return Output(call.x.shape, trainable=size * (bool(gamma) + bool(beta)))


def keras_groupnorm(call: Call) -> Output:
    cfg = call.cfg
    groups, axis = cfg["groups"], cfg["axis"]
    if groups == 0 or groups < -1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"GroupNormalization groups={groups}: Keras refuses it", "groups",
                        hint="Keras: expected a positive integer (or `-1` for instance normalization); use a divisor "
                             "of the channel count, or -1")
    if not isinstance(axis, int):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"GroupNormalization takes one int `axis`, got {axis}: Keras indexes the input shape with it "
                        "(TypeError)", "axis", hint="give the channel axis, e.g. axis: -1")
    (index,) = _axes(call, "axis")
    (channels,) = _sizes(call, [index], "axis", "gamma and beta")
    groups = channels if groups == -1 else groups
    if groups > channels:
        raise call.fail(rules.GROUPS_MISMATCH,
                        f"GroupNormalization groups={groups} exceeds the {channels} channels of axis {axis}", "groups",
                        hint=f"Keras: Number of groups ({groups}) cannot be more than the number of channels "
                        f"({channels}).; use a divisor of {channels}")
    if channels % groups:
        raise call.fail(rules.GROUPS_MISMATCH,
                        f"GroupNormalization groups={groups} does not divide the {channels} channels of axis {axis}",
                        "groups", hint=f"Keras: Number of groups ({groups}) must be a multiple of the number of "
                        f"channels ({channels}).; use a divisor of {channels}")
    return Output(call.x.shape, trainable=channels * (bool(cfg["scale"]) + bool(cfg["center"])),
                  removes_offset_along=index if groups == channels else None)


def keras_unitnorm(call: Call) -> Output:
    if 0 in _axes(call, "axis"):
        call.report(rules.SUSPICIOUS_ARGUMENT, "UnitNormalization normalizes over the batch axis (axis 0)", "axis",
                    hint="every sample depends on the others in its batch; count the batch axis: the first axis of "
                         "`input:` is axis 1")
    return Output(call.x.shape)


def torch_layernorm(call: Call) -> Output:
    cfg = call.cfg
    written = cfg["normalized_shape"]
    normalized = written if isinstance(written, list) else [written]
    shape = call.x.shape
    if not normalized:
        raise call.fail(rules.INVALID_ARGUMENT,
                        "LayerNorm normalized_shape=[] is empty: torch refuses it", "normalized_shape",
                        hint="torch: Expected normalized_shape to be at least 1-dimensional; give the trailing "
                             "sizes, e.g. [64]")
    if any(n < 0 for n in normalized):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"LayerNorm normalized_shape={written} has a negative size: torch cannot create the weight",
                        "normalized_shape", hint="give the input's trailing sizes")
    trailing = shape[len(shape) - len(normalized):] if len(normalized) <= len(shape) else None
    torch_words = (f"torch: Given normalized_shape={normalized}, expected input with shape "
                   f"[*, {', '.join(map(str, normalized))}]")
    if trailing is None or any(t is not None and t != n for t, n in zip(trailing, normalized)):
        raise call.fail(rules.DECLARED_SIZE_MISMATCH,
                        f"LayerNorm normalized_shape={written} does not match the trailing axes of the input "
                        f"{format_shape(shape)}", "normalized_shape",
                        hint=f"{torch_words}; use the last sizes of the input" + (
                            f", e.g. normalized_shape: {shape[-1]}" if shape[-1] is not None else ""))
    if len(normalized) == len(shape):
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    f"LayerNorm normalized_shape={written} covers every axis of {format_shape(shape)}, the batch "
                    "included", "normalized_shape",
                    hint=f"it works only for a batch of exactly {normalized[0]}; leave the batch out: the first axis "
                         "of `input:` is axis 1")
    affine = prod(normalized) if cfg["elementwise_affine"] else 0
    return Output(shape, trainable=affine * (1 + bool(cfg["bias"])) if affine else 0)


def _torch_declared(call: Call, key: str, channels, refused: bool) -> None:
    declared = call.cfg[key]
    if declared is None or channels is None or declared == channels:
        return
    message = (f"{call.type} expects {declared} channels ({key}={declared}) but receives {channels}, input shape "
               f"{format_shape(call.x.shape)}")
    hint = f"set {key}: {channels}, or fix the layer before it"
    if refused:
        raise call.fail(rules.DECLARED_SIZE_MISMATCH, message, key, hint)
    # without affine weights torch never uses the size: it only warns
    call.report(rules.SUSPICIOUS_ARGUMENT, message, key, f"torch warns and ignores it, since affine=False; {hint}")


def torch_groupnorm(call: Call) -> Output:
    cfg = call.cfg
    groups = cfg["num_groups"]
    if groups <= 0:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"GroupNorm num_groups={groups}: torch refuses it", "num_groups",
                        hint="torch: Expected num groups to be greater than "
                             f"0{'; integer modulo by zero' if groups == 0 else ''}; use a positive divisor of the "
                             "channel count")
    declared = cfg["num_channels"]
    if declared is not None and declared % groups:
        raise call.fail(rules.GROUPS_MISMATCH,
                        f"GroupNorm num_channels ({declared}) must be divisible by num_groups ({groups}): torch's "
                        "constructor refuses it", "num_groups", hint=f"use a divisor of {declared}")
    if call.x.rank < 2:
        raise call.fail(rules.RANK_MISMATCH,
                        f"GroupNorm expects a (batch, channels, ...) input but receives {format_shape(call.x.shape)}: "
                        "torch fails with 'Expected at least 2 dimensions for input tensor but received 1'",
                        hint="give the input's channels as its first axis")
    channels = call.x.shape[1]
    _torch_declared(call, "num_channels", channels, cfg["affine"])
    if channels is not None and channels % groups:
        raise call.fail(rules.GROUPS_MISMATCH,
                        f"GroupNorm num_groups={groups} does not divide the {channels} input channels of "
                        f"{format_shape(call.x.shape)}", "num_groups",
                        hint="torch: Expected number of channels in input to be divisible by num_groups; use a "
                             f"divisor of {channels}")
    channels = channels if channels is not None else declared
    if channels is None and cfg["affine"]:
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        "GroupNorm needs its channel count to create its weight and bias, but it is unknown (null)",
                        hint="give num_channels, or the channel size in the input shape")
    weights = channels * (1 + bool(cfg["bias"])) if cfg["affine"] else 0
    return Output(call.x.shape, trainable=weights, removes_offset_along=1 if groups == channels else None)


def torch_instancenorm(call: Call, rank: int) -> Output:
    cfg = call.cfg
    declared = cfg["num_features"]
    if declared is not None and declared < 0 and cfg["affine"]:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} num_features={declared}: torch cannot create tensors of negative size",
                        "num_features", hint="give the input's channel count, or leave num_features out")
    batched, unbatched = TORCH_IN_RANKS[rank]
    shape = call.x.shape
    if call.x.rank not in (batched, unbatched):
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a {batched}D input (batch, channels, {'spatial, ' * rank}...) but "
                        f"receives {format_shape(shape)}",
                        hint=f"torch: expected {unbatched}D or {batched}D input (got {call.x.rank}D input); "
                        "check the input shape (it excludes the batch axis) or use the InstanceNorm of the "
                        "right rank")
    if call.x.rank == unbatched:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-{unbatched} input {format_shape(shape)} as one unbatched sample",
                    hint="axis 0, the batch, becomes the channels; " + (f"use InstanceNorm{rank - 1}d for this input"
                                                                        if rank > 1 else "add a length axis to the "
                                                                                         "input"))
        channels = declared  # the channel axis is the batch: its size is unknown
    else:
        channels = shape[1]
        _torch_declared(call, "num_features", channels, cfg["affine"])
        spatial = shape[2:]
        if all(d is not None for d in spatial) and prod(spatial) == 1:
            raise call.fail(rules.SINGLE_VALUE_NORMALIZATION,
                            f"{call.type} normalizes each channel of {format_shape(shape)} over a single value: "
                            "training fails",
                            hint="torch: Expected more than 1 spatial element when training; apply it before the "
                                 "spatial size shrinks to 1, or drop it")
        channels = channels if channels is not None else declared
    if channels is None and cfg["affine"]:
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        f"{call.type} needs its channel count to create its weight and bias, but it is unknown (null)",
                        hint="give num_features, or the channel size in the input shape")
    # running_mean and running_var (track_running_stats) are buffers, not parameters
    weights = channels * (1 + bool(cfg["bias"])) if cfg["affine"] else 0
    return Output(shape, trainable=weights, removes_offset_along=1 if call.x.rank == batched else None)


def torch_local_response_norm(call: Call) -> Output:
    size = call.cfg["size"]
    if size <= 0:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"LocalResponseNorm size={size}: the forward pass fails (kernel size should be greater than "
                        "zero)", "size", hint="give the number of neighbouring channels, e.g. size: 5")
    if call.x.rank < 3:
        raise call.fail(rules.RANK_MISMATCH,
                        f"LocalResponseNorm expects a (batch, channels, spatial...) input of rank 3 or more but "
                        f"receives {format_shape(call.x.shape)}",
                        hint=f"torch: Expected 3D or higher dimensionality input (got {call.x.rank} dimensions); "
                        "give the input a spatial axis")
    return Output(call.x.shape)


register(KERAS, "LayerNormalization", "normalization", KERAS_LN_DEFAULTS, keras_layernorm)
register(KERAS, "GroupNormalization", "normalization", KERAS_GN_DEFAULTS, keras_groupnorm)
register(KERAS, "UnitNormalization", "normalization", {"axis": -1, "dtype": None}, keras_unitnorm)
register(PYTORCH, "LayerNorm", "normalization", TORCH_LN_DEFAULTS, torch_layernorm)
register(PYTORCH, "GroupNorm", "normalization", TORCH_GN_DEFAULTS, torch_groupnorm)
for _rank in (1, 2, 3):
    register(PYTORCH, f"InstanceNorm{_rank}d", "normalization", TORCH_IN_DEFAULTS,
             partial(torch_instancenorm, rank=_rank))
register(PYTORCH, "LocalResponseNorm", "normalization", TORCH_LRN_DEFAULTS, torch_local_response_norm)
