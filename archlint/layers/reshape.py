"""Reshaping layers: Keras Flatten and PyTorch Flatten. They create no weights."""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, Call, Output, register
from archlint.shapes import format_shape, known_product

KERAS_FLATTEN_DEFAULTS = {
    "data_format": None,  # reorders the values, never the shape
    "dtype": None,
}

TORCH_FLATTEN_DEFAULTS = {
    "start_dim": 1,
    "end_dim": -1,
}


def keras_flatten(call: Call) -> Output:
    rest = call.x.shape[1:]
    # Keras gives a batch-only input a feature axis of size 1
    flat = known_product(rest) if rest else 1
    return Output((call.x.shape[0], flat))


def _torch_dim(call: Call, key: str) -> int:
    """torch's dimension wrapping: [-rank, rank - 1] is valid, IndexError otherwise."""
    dim, rank = call.cfg[key], call.x.rank
    if not -rank <= dim < rank:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"Flatten {key}={dim} is out of range for the rank-{rank} input {format_shape(call.x.shape)} "
            f"(torch: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim}))",
            key,
            hint=f"use a dimension in [{-rank}, {rank - 1}]; dimension 0 is the batch",
        )
    return dim % rank


def torch_flatten(call: Call) -> Output:
    start = _torch_dim(call, "start_dim")
    end = _torch_dim(call, "end_dim")
    if start > end:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"Flatten start_dim={call.cfg['start_dim']} comes after end_dim={call.cfg['end_dim']} on the "
            f"rank-{call.x.rank} input {format_shape(call.x.shape)} (dimensions {start} and {end}): torch refuses "
            "it (flatten() has invalid args: start_dim cannot come after end_dim)",
            "start_dim" if "start_dim" in call.given else "end_dim",
            hint="give a start_dim at or before end_dim",
        )
    shape = call.x.shape
    return Output(shape[:start] + (known_product(shape[start:end + 1]),) + shape[end + 1:])


register(KERAS, "Flatten", "reshape", KERAS_FLATTEN_DEFAULTS, keras_flatten)
register(PYTORCH, "Flatten", "reshape", TORCH_FLATTEN_DEFAULTS, torch_flatten)
