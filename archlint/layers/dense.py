"""Fully connected layers: Keras Dense and PyTorch Linear, both acting on the last axis."""

from __future__ import annotations

from archlint import rules
from archlint.layers.keywords import KERAS_KERNEL_AND_BIAS
from archlint.layers.lora import lora_split
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

KERAS_DENSE_DEFAULTS = {
    "units": REQUIRED,
    "activation": None,
    "use_bias": True,
    **KERAS_KERNEL_AND_BIAS,
    "lora_rank": None,
    "lora_alpha": None,
    "quantization_config": None,
    "dtype": None,
}

TORCH_LINEAR_DEFAULTS = {
    "in_features": None,  # optional in archlint: taken from the input, checked when given
    "out_features": REQUIRED,
    "bias": True,
    "device": None,
    "dtype": None,
}


def _check_rank(call: Call) -> None:
    # The batch axis is implicit, so a spec can only hand Dense/Linear rank 2 or more; kept for safety
    if call.x.rank < 2:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} needs an input of rank 2 or more (batch, ..., features), "
                        f"got rank {call.x.rank}")


def _unknown_features(call: Call, what: str, hint: str):
    return call.fail(
        rules.UNKNOWN_DIMENSION,
        f"{call.type} needs the size of the last axis to create its {what}, but it is unknown (null): "
        f"{format_shape(call.x.shape)}",
        hint=hint,
    )


def keras_dense(call: Call) -> Output:
    units = call.cfg["units"]
    if units < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"Dense `units` must be positive, got {units}", "units")
    _check_rank(call)
    features = call.x.shape[-1]
    if features is None:  # Keras refuses to create a kernel of shape (None, units)
        raise _unknown_features(call, "kernel", "give the size in the input shape, or flatten a tensor whose "
                                "sizes are all known")
    trainable, frozen = lora_split(call, features, units)
    bias = units if call.cfg["use_bias"] else 0
    return Output(call.x.shape[:-1] + (units,), trainable=trainable + bias, non_trainable=frozen,
                  bias=(call.x.rank - 1, bias) if bias else None)


def torch_linear(call: Call) -> Output:
    out = call.cfg["out_features"]
    if out < 0:
        raise call.fail(rules.INVALID_ARGUMENT, f"Linear `out_features` must be non-negative, got {out}",
                        "out_features")
    _check_rank(call)
    if out == 0:  # torch 2.13.0 builds Linear(4, 0) and gives a (batch, 0) output
        call.report(rules.EMPTY_OUTPUT, "Linear out_features=0: torch builds it and computes an empty tensor",
                    "out_features", hint="use the number of output features meant")
    features, declared = call.x.shape[-1], call.cfg["in_features"]
    if declared is not None and features is not None and declared != features:
        raise call.fail(
            rules.DECLARED_SIZE_MISMATCH,
            f"Linear expects {declared} input features but receives {features}, "
            f"input shape {format_shape(call.x.shape)}",
            "in_features",
            hint=f"set in_features: {features}, or fix the layer before it",
        )
    features = features if features is not None else declared  # PyTorch builds from in_features alone
    if features is None:
        raise _unknown_features(call, "weight", "give in_features, or the size in the input shape")
    bias = out if call.cfg["bias"] else 0
    return Output(call.x.shape[:-1] + (out,), trainable=features * out + bias,
                  bias=(call.x.rank - 1, bias) if bias else None)


register(KERAS, "Dense", "dense", KERAS_DENSE_DEFAULTS, keras_dense, unmodelled=("quantization_config",))
register(PYTORCH, "Linear", "dense", TORCH_LINEAR_DEFAULTS, torch_linear)
