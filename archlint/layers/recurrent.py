"""Recurrent layers: Keras SimpleRNN, LSTM, GRU and PyTorch RNN, LSTM, GRU.

Both read (batch, time, features). Their weights differ in a way that matters for exact counts:
- Keras keeps one bias vector per gate, except GRU with reset_after=True (Keras 3's default), whose
  bias has shape (2, 3*units): one for the input kernel, one for the recurrent kernel.
- PyTorch keeps two bias vectors (b_ih and b_hh) for every layer and direction, and stacks
  `num_layers` layers, each reading the previous layer's output (both directions concatenated).

A layer with several outputs (Keras return_state, PyTorch's (output, h_n) tuples) returns a list of
shapes; the next layer reads the first. Conditions were checked against Keras 3.15.1 (torch backend)
and torch 2.13.0; tests/test_recurrent.py holds the verified cases.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

# Gates per cell: the kernels are `gates * units` wide.
GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4, "RNN": 1}

KERAS_RNN_COMMON = {
    "units": REQUIRED,
    "activation": "tanh",
    "use_bias": True,
    "kernel_initializer": "glorot_uniform",
    "recurrent_initializer": "orthogonal",
    "bias_initializer": "zeros",
    "kernel_regularizer": None,
    "recurrent_regularizer": None,
    "bias_regularizer": None,
    "activity_regularizer": None,
    "kernel_constraint": None,
    "recurrent_constraint": None,
    "bias_constraint": None,
    "dropout": 0.0,  # Keras clips dropout rates into [0, 1]: no value is refused
    "recurrent_dropout": 0.0,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    # Keras needs a static batch size for stateful=True; specs leave the batch unknown, so it is accepted.
    "stateful": False,
    "unroll": False,
    "seed": None,
    "dtype": None,
    # Written by every Keras 3 recurrent layer's to_json() (RNN's own keyword): what a masked step outputs.
    "zero_output_for_mask": False,
}
# `implementation` is tf.keras 2's kernel choice, written into its configs; Keras 3 still accepts and ignores it.
KERAS_GATED = {"recurrent_activation": "sigmoid", "use_cudnn": "auto", "implementation": 2}
KERAS_RNN_DEFAULTS = {
    "SimpleRNN": KERAS_RNN_COMMON,
    "LSTM": {**KERAS_RNN_COMMON, **KERAS_GATED, "unit_forget_bias": True},
    "GRU": {**KERAS_RNN_COMMON, **KERAS_GATED, "reset_after": True},
}

TORCH_RNN_COMMON = {
    "input_size": None,  # optional in archlint: taken from the input, checked when given
    "hidden_size": REQUIRED,
    "num_layers": 1,
    "bias": True,
    "batch_first": False,
    "dropout": 0.0,
    "bidirectional": False,
    "device": None,
    "dtype": None,
}
TORCH_RNN_DEFAULTS = {
    "RNN": {**TORCH_RNN_COMMON, "nonlinearity": "tanh"},
    "LSTM": {**TORCH_RNN_COMMON, "proj_size": 0},  # proj_size is refused by RNN and GRU
    "GRU": TORCH_RNN_COMMON,
}


# Keras


def keras_rnn_weights(kind: str, cfg: dict, features: int) -> int:
    units, gates = cfg["units"], GATES[kind]
    weights = gates * units * (features + units)  # kernel and recurrent_kernel
    if cfg["use_bias"]:
        weights += gates * units * (2 if kind == "GRU" and cfg["reset_after"] else 1)
    return weights


def keras_rnn_shapes(kind: str, cfg: dict, shape: tuple) -> list:
    """[output, states...]: the output of every step or of the last, then one (batch, units) per state."""
    units = cfg["units"]
    output = (shape[0], shape[1], units) if cfg["return_sequences"] else (shape[0], units)
    states = 2 if kind == "LSTM" else 1  # LSTM returns h and c
    return [output] + [(shape[0], units)] * states


def keras_rnn(call: Call) -> Output:
    units = call.cfg["units"]
    if units < 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `units` must be positive: Keras refuses it", "units",
                        hint=f"Keras: Received an invalid value for argument `units`, expected a positive integer, "
                        f"got {units}.; give the size of the hidden state, e.g. units: 64")
    shape = call.x.shape
    if call.x.rank != 3:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a rank-3 input (batch, time, features) but receives rank "
                        f"{call.x.rank}, {format_shape(shape)}",
                        hint=f"Keras fails with 'expected ndim=3, found ndim={call.x.rank}': give the input as "
                        "(time, features); add a Reshape, or use TimeDistributed "
                        "for extra axes")
    if shape[2] is None:
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        f"{call.type} needs the number of features (the last axis), unknown (null) in "
                        f"{format_shape(shape)}",
                        hint="its kernel is created from it; give the feature size in the input shape; only the time "
                             "axis may be null")
    shapes = keras_rnn_shapes(call.type, call.cfg, shape)
    return Output(shapes if call.cfg["return_state"] else shapes[0],
                  trainable=keras_rnn_weights(call.type, call.cfg, shape[2]))


# PyTorch


def _torch_checks(call: Call) -> None:
    """What torch's RNNBase constructor refuses, in its order."""
    cfg = call.cfg
    dropout = cfg["dropout"]
    if not 0 <= dropout <= 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `dropout={dropout}`: torch refuses it", "dropout",
                        hint="torch: dropout should be a number in range [0, 1] representing the probability of an "
                        "element being zeroed; use a probability in [0, 1), e.g. 0.2")
    for key in ("input_size", "hidden_size", "num_layers"):
        value = cfg[key]
        if value is not None and value <= 0:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} `{key}={value}`: torch refuses it ({key} must be greater than zero)", key,
                            hint="input_size is the feature size, hidden_size the state size, num_layers the "
                            "number of stacked layers")
    proj = cfg.get("proj_size", 0)
    if proj < 0 or proj >= cfg["hidden_size"]:  # hidden_size > 0 is checked above
        message = ("proj_size should be a positive integer or zero to disable projections" if proj < 0
                   else "proj_size has to be smaller than hidden_size")
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `proj_size={proj}`: torch refuses it ({message})",
                        "proj_size", hint=f"use a proj_size below hidden_size={cfg['hidden_size']}, or 0 for none")
    if dropout > 0 and cfg["num_layers"] == 1:
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    f"{call.type} `dropout={dropout}` does nothing with num_layers=1", "dropout",
                    hint="torch applies it between stacked layers only (and warns); add a Dropout layer after it, or "
                         "stack layers with num_layers >= 2")


def torch_rnn_weights(kind: str, cfg: dict, features: int) -> int:
    hidden, proj = cfg["hidden_size"], cfg.get("proj_size", 0)
    gate = GATES[kind] * hidden
    out = proj or hidden  # what each direction emits, and feeds back as its recurrent input
    directions = 2 if cfg["bidirectional"] else 1

    def one(read: int) -> int:
        per_direction = gate * (read + out)  # weight_ih, weight_hh
        if cfg["bias"]:
            per_direction += 2 * gate  # bias_ih and bias_hh: two vectors, unlike Keras
        if proj:
            per_direction += proj * hidden  # weight_hr
        return directions * per_direction

    layers = cfg["num_layers"]
    # the first layer reads the features, the others what the one before emits: arithmetic, not a loop
    return 0 if layers < 1 else one(features) + (layers - 1) * one(out * directions)


def torch_rnn(call: Call) -> Output:
    cfg = call.cfg
    _torch_checks(call)
    shape, rank = call.x.shape, call.x.rank
    if rank not in (2, 3):
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a 3D (batch, time, features) input but receives rank {rank}, shape "
                        f"{format_shape(shape)}",
                        hint=f"torch: {call.type}: Expected input to be 2D or 3D, got {rank}D instead; give the "
                             "input as (time, features), flattening extra axes")
    features = shape[-1]
    declared = cfg["input_size"]
    if declared is not None and features is not None and declared != features:
        raise call.fail(rules.DECLARED_SIZE_MISMATCH,
                        f"{call.type} expects {declared} input features (input_size={declared}) but receives "
                        f"{features}, input shape {format_shape(shape)}", "input_size",
                        hint=f"torch: input.size(-1) must be equal to input_size. Expected {declared}, got {features}; "
                        f"set input_size: {features}, or fix the layer before it")
    features = features if features is not None else declared
    if features is None:
        raise call.fail(rules.UNKNOWN_DIMENSION,
                        f"{call.type} needs the number of features (the last axis) to create weight_ih_l0, but "
                        "it is unknown (null)", hint="give input_size, or the feature size in the input shape")
    if rank == 2:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-2 input {format_shape(shape)} as one unbatched sequence (time, "
                    "features)",
                    hint="the samples of the batch become the time steps of a single sequence; give the input as "
                         "(time, features), e.g. add a time axis of size 1")
    elif not cfg["batch_first"]:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} with batch_first=False reads {format_shape(shape)} as (time, batch, features)",
                    "batch_first", hint=f"axis 0, the batch, becomes time, and axis 1 (size {shape[1]}) the batch: "
                    "set batch_first: true (in archlint the first axis is always the batch)")
    hidden, proj = cfg["hidden_size"], cfg.get("proj_size", 0)
    directions = 2 if cfg["bidirectional"] else 1
    stacked = directions * cfg["num_layers"]
    out = proj or hidden
    if rank == 2:
        output, batch = (shape[0], directions * out), ()
    else:
        # h_n and c_n put the stacked layers first, then the batch: axis 1 when batch_first=False
        output, batch = (shape[0], shape[1], directions * out), ((shape[0] if cfg["batch_first"] else shape[1]),)
    shapes = [output, (stacked,) + batch + (out,)]
    if call.type == "LSTM":
        shapes.append((stacked,) + batch + (hidden,))  # c_n keeps hidden_size even with a projection
    return Output(shapes, trainable=torch_rnn_weights(call.type, cfg, features))


# The keys every Keras 3 / tf.keras 2 config of these layers carries beyond the documented signature.
KERAS_WRITTEN_SCHEMA = {
    "zero_output_for_mask": {"type": "boolean", "description": "What a masked step outputs; changes no shape."},
    "implementation": {"type": "integer", "description": "tf.keras 2's kernel choice; Keras 3 accepts and ignores it."},
}
for _kind, _defaults in KERAS_RNN_DEFAULTS.items():
    register(KERAS, _kind, "recurrent", _defaults, keras_rnn,
             schema={k: v for k, v in KERAS_WRITTEN_SCHEMA.items() if k in _defaults})
for _kind, _defaults in TORCH_RNN_DEFAULTS.items():
    register(PYTORCH, _kind, "recurrent", _defaults, torch_rnn)
