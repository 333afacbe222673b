"""Batch normalization: Keras BatchNormalization and PyTorch BatchNorm1d/2d/3d.

Both subtract a per-channel mean, so they report the channel axis as `removes_offset_along` for the
bias-before-batchnorm check (W005).
"""

from __future__ import annotations

from functools import partial

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, Call, Output, register
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
            f"{format_shape(call.x.shape)}: Keras indexes the input shape with it, valid axes are "
            f"{-rank} to {rank - 1}",
            "axis",
            hint=f"use axis=-1 (channels-last) or axis=1 (channels-first); axes 0 and {-rank} are the batch",
        )
    index = axis % rank
    channels = call.x.shape[index]
    if channels is None:
        what = "the batch axis, whose size is unknown" if index == 0 else "unknown (null)"
        raise call.fail(
            rules.UNKNOWN_DIMENSION,
            f"BatchNormalization needs the size of axis {axis} to create moving_mean and moving_variance "
            f"(and gamma, beta), but that axis of {format_shape(call.x.shape)} is {what}",
            "axis",
            hint="normalize a feature axis whose size the input shape gives" if index == 0
            else "give that axis's size in the input shape",
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
            f"{format_shape(call.x.shape)}; torch: expected {' or '.join(f'{r}D' for r in ranks)} input "
            f"(got {call.x.rank}D input)",
            hint="check the input shape (it excludes the batch axis) or use the BatchNorm of the right rank",
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
    # running_mean, running_var and num_batches_tracked are buffers, not parameters
    weights = channels * (1 + bool(cfg["bias"])) if cfg["affine"] else 0
    return Output(call.x.shape, trainable=weights, removes_offset_along=1)


register(KERAS, "BatchNormalization", "normalization", KERAS_BN_DEFAULTS, keras_batchnorm)
for _rank in (1, 2, 3):
    register(PYTORCH, f"BatchNorm{_rank}d", "normalization", TORCH_BN_DEFAULTS, partial(torch_batchnorm, rank=_rank))
