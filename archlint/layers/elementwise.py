"""Shape-preserving layers without weights: activations, dropout, noise.

Every layer here returns its input shape with no weights, except those that halve one axis (PyTorch
GLU, Keras Activation('glu')) and PReLU, which learns its negative slopes. The rules only check what the framework
refuses: arguments its constructor rejects, and inputs a forward pass fails on. A dropout or noise layer that fails only
in training (Keras GaussianDropout(rate=1), a noise_shape that does not broadcast) is still an
error: the model cannot be trained.

Conditions were checked against Keras 3.15.1 (torch backend) and torch 2.13.0; tests/test_elementwise.py
holds the verified cases.
"""

from __future__ import annotations

import difflib
from functools import partial
from math import prod

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

RANK_MISREAD = rules.INPUT_RANK_MISREAD
SUSPICIOUS = rules.SUSPICIOUS_ARGUMENT

# Names keras.activations.get accepts in Keras 3.15 (keras.src.activations.ALL_OBJECTS_DICT).
# 'threshold' is among them but needs two arguments the Activation layer never passes.
KERAS_ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
})

KERAS_BASE = {"activity_regularizer": None, "dtype": None}  # Layer(**kwargs) keywords that matter here
KERAS_DROPOUT = {"rate": REQUIRED, "noise_shape": None, "seed": None}
INPLACE = {"inplace": False}
TORCH_DROPOUT = {"p": 0.5, "inplace": False}


def _fail(call: Call, message: str, key: str, hint: str = ""):
    return call.fail(rules.INVALID_ARGUMENT, f"{call.type} {message}", key, hint)


def _warn(call: Call, rule, message: str, key: str | None, hint: str) -> None:
    call.report(rule, f"{call.type} {message}", key, hint)


def same(call: Call) -> Output:
    return Output(call.x.shape)


def _axis(call: Call, key: str, axis: int) -> int:
    """A possibly negative axis as an index into the batched shape; E002 when out of range."""
    rank = call.x.rank
    if not -rank <= axis < rank:
        raise _fail(call, f"{key}={axis} is out of range for the rank-{rank} input {format_shape(call.x.shape)}",
                    key, hint=f"the framework fails with 'Dimension out of range (expected to be in range of "
                    f"[{-rank}, {rank - 1}], but got {axis})': use an axis in [{-rank}, {rank - 1}] (the batch axis "
                    "is 0)")
    return axis % rank


def _over_batch(call: Call, key: str, what: str) -> None:
    _warn(call, SUSPICIOUS, f"{what} the batch axis (axis 0)",
          key, "every sample depends on the others in its batch; count the batch axis: the first axis of `input:` is "
               "axis 1")


def _halve(call: Call, axis: int, key: str) -> Output:
    """GLU: split `axis` in two halves, whose size must be even."""
    n = call.x.shape[axis]
    if n is not None and n % 2:
        raise _fail(call, f"halves axis {axis}, whose size {n} is odd: the framework refuses it", key,
                    hint=f"the framework fails with 'Halving dimension must be even, but dimension {axis} is size "
                    f"{n}': make that axis even, or split a different axis")
    if axis == 0:
        _over_batch(call, key, "halves")
    shape = list(call.x.shape)
    shape[axis] = None if n is None else n // 2
    return Output(tuple(shape))


def _unit_interval(call: Call, key: str, fails_at_one: bool = False) -> float:
    value = call.cfg[key]
    if not 0 <= value <= 1:
        framework = f"Expected a float value between 0 and 1. Received: {key}={value}" if call.framework == KERAS \
            else f"dropout probability has to be between 0 and 1, but got {value}"
        raise _fail(call, f"`{key}` must be between 0 and 1, got {value}: the framework refuses it", key,
                    hint=f"{'Keras' if call.framework == KERAS else 'torch'}: {framework}; use a {key} in [0, 1), "
                         "e.g. 0.5")
    if value == 1:
        if fails_at_one:
            # the training forward pass divides by (1 - rate): ZeroDivisionError in Keras
            raise _fail(call, f"{key}=1 makes every training step fail (the layer divides by 1 - {key})", key,
                        hint=f"use a {key} below 1")
        _warn(call, SUSPICIOUS, f"{key}=1 drops every value in training: the output is all zeros", key,
              f"use a {key} below 1")
    return value


# Keras


def check_activation_keywords(call: Call) -> None:
    """E002 for a Keras layer's `activation` or `recurrent_activation` that keras.activations.get refuses
    (Dense(activation="rellu") fails when built). The Activation layer checks its own."""
    if call.framework != KERAS or call.type == "Activation":
        return
    for key in ("activation", "recurrent_activation"):
        name = call.cfg.get(key)
        if key in call.given and isinstance(name, str) and name not in KERAS_ACTIVATIONS:
            close = difflib.get_close_matches(name.lower(), sorted(KERAS_ACTIVATIONS), n=1)
            words = f"Keras: Could not interpret activation function identifier: {name}"
            raise _fail(call, f"`{key}` {name!r} is not a Keras activation", key,
                        hint=f"{words}; " + (f"did you mean {close[0]!r}?" if close else "see keras.activations for "
                                                                                         "the names"))


def keras_activation(call: Call) -> Output:
    name = call.cfg["activation"]
    if name is None:  # keras.activations.get(None) is `linear`
        return same(call)
    if name == "threshold":
        raise _fail(call, "activation='threshold' needs `threshold` and `default_value`: the forward pass fails",
                    "activation", hint="Activation never passes those arguments (a TypeError); use "
                    "ReLU(threshold=...) or a relu/hard_shrink activation")
    if name not in KERAS_ACTIVATIONS:
        close = difflib.get_close_matches(name.lower(), sorted(KERAS_ACTIVATIONS), n=1)
        words = f"Keras: Could not interpret activation function identifier: {name}"
        raise _fail(call, f"`activation` {name!r} is not a Keras activation", "activation",
                    hint=f"{words}; " + (f"did you mean {close[0]!r}?" if close else "see keras.activations for the "
                                                                                     "names"))
    if name == "glu":
        # Keras's compute_output_shape says the shape is unchanged, but the tensor really is halved
        # on the last axis; archlint follows the tensor.
        return _halve(call, call.x.rank - 1, "activation")
    return same(call)


def keras_relu(call: Call) -> Output:
    for key in ("max_value", "negative_slope", "threshold"):
        value = call.cfg[key]
        if value is not None and value < 0:
            raise _fail(call, f"`{key}` cannot be negative: Keras refuses it", key,
                        hint=f"Keras: {key} of a ReLU layer cannot be a negative value. Received: {key}={value}; "
                        f"use {key} >= 0")
    return same(call)


def keras_leaky_relu(call: Call) -> Output:
    key = "alpha" if call.cfg["alpha"] is not None else "negative_slope"  # alpha: deprecated alias, wins
    value = call.cfg[key]
    if value < 0:
        raise _fail(call, f"`{key}` cannot be negative: Keras refuses it", key,
                    hint=f"Keras: The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                    f"Received: negative_slope={value}; use a slope >= 0, e.g. 0.3")
    return same(call)


def keras_softmax(call: Call) -> Output:
    written = call.cfg["axis"]
    axes = written if isinstance(written, list) else [written]
    seen = set()
    for axis in axes:
        index = _axis(call, "axis", axis)
        if index in seen:
            raise _fail(call, f"axis={written} names axis {index} twice: the forward pass fails", "axis",
                        hint=f"the framework: dim {index} appears multiple times in the list of dims; list each axis "
                        "once")
        seen.add(index)
    if 0 in seen:
        _over_batch(call, "axis", "normalizes over")
    return same(call)


def keras_dropout(call: Call, key: str = "rate", fails_at_one: bool = False) -> Output:
    _unit_interval(call, key, fails_at_one)
    if call.cfg.get("noise_shape") is not None:
        _check_noise_shape(call, call.cfg["noise_shape"])
    return same(call)


def _check_noise_shape(call: Call, noise: list) -> None:
    """Keras fills None from the input (by position), then broadcasts the mask onto the input."""
    shape = call.x.shape
    for i, n in enumerate(noise):
        if n is not None and n <= 0:
            raise _fail(call, f"noise_shape={noise} has a non-positive size at index {i}", "noise_shape",
                        hint="Keras expects positive integers or None; use 1 where the mask is shared, None "
                        "to follow the input")
    if len(noise) > len(shape):
        raise _fail(call, f"noise_shape={noise} has {len(noise)} entries for the rank-{len(shape)} input "
                    f"{format_shape(shape)}", "noise_shape",
                    hint=f"the mask cannot be broadcast onto it; give {len(shape)} entries, the batch axis first")
    filled = [shape[i] if n is None else n for i, n in enumerate(noise)]
    for offset, (m, d) in enumerate(zip(reversed(filled), reversed(shape))):
        if m is not None and d is not None and m not in (1, d):
            axis = len(shape) - 1 - offset
            raise _fail(call, f"noise_shape={noise} does not broadcast onto the input {format_shape(shape)}",
                        "noise_shape", hint=f"size {m} against {d} on axis {axis}, so every training step fails: use "
                        f"1 (shared mask), {d} or None on that axis; the mask aligns with the input's last axes")


def keras_spatial_dropout(call: Call, rank: int) -> Output:
    _unit_interval(call, "rate")
    want = rank + 2
    if call.x.rank != want:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a rank-{want} input but receives rank {call.x.rank}, "
                        f"{format_shape(call.x.shape)}",
                        hint=f"Keras: expected ndim={want}; use Dropout, or the SpatialDropout of the input's rank")
    return same(call)


# PyTorch


def torch_dropout(call: Call, feature_rank: int | None = None) -> Output:
    """Dropout, AlphaDropout, FeatureAlphaDropout (any rank); Dropout1d/2d/3d (feature_rank 1/2/3)."""
    _unit_interval(call, "p")
    rank, note = call.x.rank, ""
    if feature_rank is None or rank == feature_rank + 2:
        return same(call)
    if feature_rank == 1:
        if rank != 2:
            raise call.fail(rules.RANK_MISMATCH,
                            f"Dropout1d expects a 3D (N, C, L) input but receives rank {rank}, "
                            f"{format_shape(call.x.shape)}",
                            hint=f"torch fails with 'dropout1d: Expected 2D or 3D input, but received a {rank}D "
                            "input': use Dropout, or the Dropout of the input's spatial rank")
        reading = "an unbatched (C, L)"
        note = "each sample of the batch is dropped whole as one channel; "
    elif feature_rank == 2 and rank == 3:
        reading = "(N, C, L), with a warning"
        note = "torch warns that a future release will read it as an unbatched (C, H, W): "
    elif feature_rank == 3 and rank == 4:
        reading = "an unbatched (C, D, H, W)"
        note = "each sample of the batch is dropped whole as one channel; "
    else:
        reading = f"a deprecated {rank}-D input"
        note = "torch warns that it will be an error in a future release; "
    suggestion = {3: "Dropout1d", 4: "Dropout2d", 5: "Dropout3d"}.get(rank, "Dropout")
    _warn(call, RANK_MISREAD, f"reads the rank-{rank} input {format_shape(call.x.shape)} as {reading}", None,
          f"{note}use {suggestion} for this input")
    return same(call)


def torch_softmax(call: Call) -> Output:
    dim = call.cfg["dim"]
    if dim is None:
        # torch picks dim 0 for rank 3 (the batch) and 1 otherwise, with a deprecation warning; the shape
        # is the same either way, so archlint accepts it and says which axis torch uses.
        implicit = 0 if call.x.rank == 3 else 1
        _warn(call, SUSPICIOUS, f"without `dim` normalizes over axis {implicit} of the rank-{call.x.rank} input"
              f"{' (the batch axis)' if implicit == 0 else ''}", None,
              "torch deprecates the implicit choice; give `dim` explicitly, e.g. dim: -1")
        return same(call)
    if _axis(call, "dim", dim) == 0:
        _over_batch(call, "dim", "normalizes over")
    return same(call)


def torch_glu(call: Call) -> Output:
    return _halve(call, _axis(call, "dim", call.cfg["dim"]), "dim")


def torch_hardtanh(call: Call) -> Output:
    # min_value / max_value are deprecated aliases that override min_val / max_val when given
    low_key = "min_value" if call.cfg["min_value"] is not None else "min_val"
    high_key = "max_value" if call.cfg["max_value"] is not None else "max_val"
    low, high = call.cfg[low_key], call.cfg[high_key]
    if high <= low:
        key = high_key if high_key in call.given else low_key
        raise _fail(call, f"max_val ({high}) must be greater than min_val ({low}): torch's constructor asserts it",
                    key, hint="make max_val larger than min_val")
    return same(call)


def torch_celu(call: Call) -> Output:
    if call.cfg["alpha"] == 0:
        raise _fail(call, "alpha=0 makes the forward pass fail (ZeroDivisionError: alpha cannot be 0 for CELU)",
                    "alpha", hint="use a non-zero alpha, e.g. 1.0")
    return same(call)


def keras_prelu(call: Call) -> Output:
    """One alpha per position of the non-batch axes, shared (size 1) along `shared_axes`.

    Keras builds the alpha shape as list(input_shape[1:]) and sets entry `axis - 1` to 1 for each shared
    axis, with Python's indexing: axis 0 shares the last axis and a negative axis counts from one
    before the end. archlint follows that exactly and warns where it differs from what was meant.
    """
    shape = call.x.shape
    written = call.cfg["shared_axes"]
    shared = [] if written is None else written if isinstance(written, list) else [written]
    alpha = list(shape[1:])
    for axis in shared:
        if not -len(alpha) <= axis - 1 < len(alpha):
            raise _fail(call, f"shared_axes={written} names axis {axis}, which the rank-{call.x.rank} input "
                        f"{format_shape(shape)} does not have", "shared_axes",
                        hint=f"Keras: list assignment index out of range; use axes 1 to {call.x.rank - 1} "
                        "(the batch axis is 0)")
        if axis <= 0:
            meant = (axis - 1) % len(alpha) + 1
            _warn(call, SUSPICIOUS, f"shared_axes={written} contains {axis}: it shares axis {meant}",
                  "shared_axes", f"Keras sets alpha_shape[{axis} - 1] to 1, not the axis counted "
                  f"{'from the end' if axis < 0 else 'as the batch'}; write axis {meant} explicitly (axes count from "
                  "1, the batch is never shared)")
        alpha[axis - 1] = 1
    if None in alpha:
        axis = alpha.index(None) + 1
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        f"PReLU needs the size of axis {axis} of {format_shape(shape)} to create alpha, but it is "
                        "unknown (null)", "shared_axes",
                        hint=f"share that axis (shared_axes: [{axis}]) or give its size in the input shape")
    return Output(shape, trainable=prod(alpha))


def torch_prelu(call: Call) -> Output:
    count = call.cfg["num_parameters"]
    if count < 0:
        raise _fail(call, f"num_parameters={count}: torch cannot create the weight", "num_parameters",
                    hint=f"torch: Trying to create tensor with negative dimension {count}; use 1, or the input's "
                         "channel count")
    channels = call.x.shape[1] if call.x.rank >= 2 else 1  # torch reads the channels at dim 1
    if count != 1 and channels is not None and count != channels:
        raise call.fail(rules.DECLARED_SIZE_MISMATCH,
                        f"PReLU num_parameters={count} is neither 1 nor the {channels} channels (axis 1) of "
                        f"{format_shape(call.x.shape)}", "num_parameters",
                        hint=f"torch: Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                        f"{count} and channel size = {channels}.; use num_parameters: 1 (one shared slope) or "
                        f"{channels}")
    return Output(call.x.shape, trainable=count)


def torch_rrelu(call: Call) -> Output:
    lower, upper = call.cfg["lower"], call.cfg["upper"]
    if lower > upper:
        key = "lower" if "lower" in call.given else "upper"
        raise _fail(call, f"lower={lower} exceeds upper={upper}: the forward pass fails", key,
                    hint="torch: Lower bound should be less than or equal to the upper bound; swap lower and upper")
    return same(call)


def torch_softshrink(call: Call) -> Output:
    if call.cfg["lambd"] < 0:
        raise _fail(call, f"lambd={call.cfg['lambd']} is negative: the forward pass fails (lambda must be in range "
                    "[0, 3.40282e+38])", "lambd", hint="use lambd >= 0, e.g. 0.5")
    return same(call)


def torch_softmax2d(call: Call) -> Output:
    rank = call.x.rank
    if rank == 3:
        _warn(call, RANK_MISREAD, f"reads the rank-3 input {format_shape(call.x.shape)} as one unbatched (C, H, W)",
              None, "it normalizes over axis 0, the batch; use Softmax(dim=1) for this input")
    elif rank != 4:
        raise call.fail(rules.RANK_MISMATCH,
                        f"Softmax2d expects a 4D (N, C, H, W) input but receives rank {rank}, shape "
                        f"{format_shape(call.x.shape)}",
                        hint=f"torch: Softmax2d: expected input to be 3D or 4D, got {rank}D instead; use "
                             "Softmax(dim=...) for this input")
    return same(call)


KERAS_TYPES = {
    "Activation": ({"activation": REQUIRED}, keras_activation),
    "ReLU": ({"max_value": None, "negative_slope": 0.0, "threshold": 0.0}, keras_relu),
    "LeakyReLU": ({"negative_slope": 0.3, "alpha": None}, keras_leaky_relu),
    "Softmax": ({"axis": -1}, keras_softmax),
    "ELU": ({"alpha": 1.0}, same),
    "PReLU": ({"alpha_initializer": "Zeros", "alpha_regularizer": None, "alpha_constraint": None,
               "shared_axes": None}, keras_prelu),
    "Dropout": (KERAS_DROPOUT, keras_dropout),
    # both divide by 1 - rate in training
    "AlphaDropout": (KERAS_DROPOUT, partial(keras_dropout, fails_at_one=True)),
    "GaussianDropout": ({"rate": REQUIRED, "seed": None}, partial(keras_dropout, fails_at_one=True)),
    "GaussianNoise": ({"stddev": REQUIRED, "seed": None}, partial(keras_dropout, key="stddev")),
}

TORCH_TYPES = {
    **{name: (INPLACE, same) for name in ("ReLU", "ReLU6", "SiLU", "SELU", "Mish", "Hardswish", "Hardsigmoid")},
    **{name: ({}, same) for name in ("Sigmoid", "Tanh", "Softsign", "Tanhshrink", "LogSigmoid", "Identity")},
    **{name: ({"dim": None}, torch_softmax) for name in ("Softmax", "LogSoftmax", "Softmin")},
    "GELU": ({"approximate": "none"}, same),
    "LeakyReLU": ({"negative_slope": 0.01, **INPLACE}, same),
    "ELU": ({"alpha": 1.0, **INPLACE}, same),
    "CELU": ({"alpha": 1.0, **INPLACE}, torch_celu),
    "Hardtanh": ({"min_val": -1.0, "max_val": 1.0, **INPLACE, "min_value": None, "max_value": None}, torch_hardtanh),
    "Softplus": ({"beta": 1.0, "threshold": 20.0}, same),
    "Threshold": ({"threshold": REQUIRED, "value": REQUIRED, **INPLACE}, same),
    "GLU": ({"dim": -1}, torch_glu),
    "PReLU": ({"num_parameters": 1, "init": 0.25, "device": None, "dtype": None}, torch_prelu),
    "RReLU": ({"lower": 0.125, "upper": 0.3333333333333333, **INPLACE}, torch_rrelu),
    "Hardshrink": ({"lambd": 0.5}, same),  # a negative lambd is accepted: every value passes
    "Softshrink": ({"lambd": 0.5}, torch_softshrink),
    "Softmax2d": ({}, torch_softmax2d),
    **{name: (TORCH_DROPOUT, torch_dropout) for name in ("Dropout", "AlphaDropout", "FeatureAlphaDropout")},
    **{f"Dropout{r}d": (TORCH_DROPOUT, partial(torch_dropout, feature_rank=r)) for r in (1, 2, 3)},
}

for _name, (_defaults, _infer) in KERAS_TYPES.items():
    register(KERAS, _name, "elementwise", {**_defaults, **KERAS_BASE}, _infer)
# SpatialDropout takes no **kwargs: activity_regularizer is a TypeError there
register(KERAS, "SpatialDropout1D", "elementwise", {"rate": REQUIRED, "seed": None, "dtype": None},
         partial(keras_spatial_dropout, rank=1))
for _rank in (2, 3):
    register(KERAS, f"SpatialDropout{_rank}D", "elementwise",
             {"rate": REQUIRED, "data_format": None, "seed": None, "dtype": None},
             partial(keras_spatial_dropout, rank=_rank))
for _name, (_defaults, _infer) in TORCH_TYPES.items():
    # Softmax2d works on (C, H, W) maps: 2 spatial axes (the other ranks come from the rule's partial)
    register(PYTORCH, _name, "elementwise", _defaults, _infer, rank=2 if _name == "Softmax2d" else None)
