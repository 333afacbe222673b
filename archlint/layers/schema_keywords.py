"""The JSON Schema of every built-in layer keyword: the fragment its value must match, with a one-line
description where one helps (editors show it on hover). `scripts/sync_schema.py` builds each layer's
definition from these and the layer's registered defaults (`archlint.layers.schemagen`): required
keywords are those without a default, and every other keyword states its default.

A keyword takes the fragment its framework gives it in KEYWORDS, unless its layer type gives another in
LAYERS (a layer registered with `schema=` gives its own first). Only the schema is here: the defaults are
the family modules' own."""

from __future__ import annotations

# Keras ZeroPadding and Cropping read `padding` and `cropping` alike: how many positions to add or remove
# on each side of each spatial axis. (The generator copies a fragment before adding its default, and
# never changes what it nests, so one fragment serves several keywords.)
KERAS_SIDES_1D = {
    "description": "An int (both sides), or [before, after].",
    "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}],
}
KERAS_SIDES = {
    "description": "An int, one int per spatial axis, or one [before, after] pair per spatial axis.",
    "oneOf": [
        {"type": "integer"},
        {
            "type": "array",
            "minItems": 1,
            "items": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]},
        },
    ],
}

# framework -> keyword -> the JSON Schema (draft-07) of its value
KEYWORDS: dict[str, dict[str, dict]] = {
    "keras": {
        "activation": {"$ref": "#/definitions/activation"},
        "activity_regularizer": {"$ref": "#/definitions/keras_object"},
        "alpha": {
            "type": ["number", "null"],
            "description": "Deprecated alias of negative_slope: Keras warns and uses it instead.",
        },
        "alpha_constraint": {"$ref": "#/definitions/keras_object"},
        "alpha_initializer": {"$ref": "#/definitions/keras_object"},
        "alpha_regularizer": {"$ref": "#/definitions/keras_object"},
        "antialias": {"type": "boolean"},
        "attention_axes": {
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}, {"type": "null"}],
            "description": "Query axes attended over; null: every axis between the batch and the features.",
        },
        "axes": {
            "description": "The axis (or one axis per input) to contract; counts the batch as 0.",
            "oneOf": [
                {"type": "integer"},
                {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
            ],
        },
        "axis": {
            "description": "The normalized (channel) axis, negative from the end. Keras 3 takes a single int: a "
            "list is refused (E002).",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}],
        },
        "backward_layer": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"type": "string"}},
                    "description": "The wrapped layer, as a nested layer mapping: {type: LSTM, "
                    "units: 64, ...}; checked against that type's own definition.",
                },
                {"type": "null"},
            ],
            "description": "Optional backward layer (go_backwards: true); default: a copy of `layer`.",
        },
        "beta_constraint": {"$ref": "#/definitions/keras_object"},
        "beta_initializer": {"$ref": "#/definitions/keras_object"},
        "beta_regularizer": {"$ref": "#/definitions/keras_object"},
        "bias_constraint": {"$ref": "#/definitions/keras_object"},
        "bias_initializer": {"$ref": "#/definitions/keras_object"},
        "bias_regularizer": {"$ref": "#/definitions/keras_object"},
        "center": {"type": "boolean", "description": "false drops beta."},
        "crop_to_aspect_ratio": {"type": "boolean"},
        "cropping": KERAS_SIDES,
        "data_format": {"$ref": "#/definitions/data_format"},
        "depth_multiplier": {"type": "integer", "minimum": 1},
        "depthwise_constraint": {"$ref": "#/definitions/keras_object"},
        "depthwise_initializer": {"$ref": "#/definitions/keras_object"},
        "depthwise_regularizer": {"$ref": "#/definitions/keras_object"},
        "dilation_rate": {"$ref": "#/definitions/size_arg"},
        "dims": {
            "type": "array",
            "items": {"type": "integer"},
            "minItems": 1,
            "description": "A permutation of 1..rank-1 (1-based; the batch axis stays first).",
        },
        "dropout": {"type": "number"},
        "dtype": {"$ref": "#/definitions/dtype"},
        "embeddings_constraint": {"$ref": "#/definitions/keras_object"},
        "embeddings_initializer": {"$ref": "#/definitions/keras_object"},
        "embeddings_regularizer": {"$ref": "#/definitions/keras_object"},
        "epsilon": {"type": "number"},
        "fill_mode": {"enum": ["constant"], "description": "Keras supports only 'constant'."},
        "fill_value": {"type": "number"},
        "filters": {"type": "integer", "minimum": 1},
        "flash_attention": {
            "type": ["boolean", "null"],
            "description": "true runs only where the backend has a flash kernel (warning W008).",
        },
        "gamma_constraint": {"$ref": "#/definitions/keras_object"},
        "gamma_initializer": {"$ref": "#/definitions/keras_object"},
        "gamma_regularizer": {"$ref": "#/definitions/keras_object"},
        "go_backwards": {"type": "boolean"},
        "groups": {"type": "integer"},
        "height": {"type": "integer"},
        "input_dim": {"type": "integer", "description": "The vocabulary size: indices run from 0 to input_dim - 1."},
        "input_length": {
            "type": ["integer", "null"],
            "description": "Keras 2's keyword: ignored by Keras 3 (deprecated).",
        },
        "interpolation": {
            "enum": ["nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"],
            "description": "lanczos3/lanczos5 work on the TensorFlow and JAX backends only (W008).",
        },
        "invert": {"type": "boolean"},
        "keepdims": {"type": "boolean"},
        "kernel_constraint": {"$ref": "#/definitions/keras_object"},
        "kernel_initializer": {"$ref": "#/definitions/keras_object"},
        "kernel_regularizer": {"$ref": "#/definitions/keras_object"},
        "kernel_size": {"$ref": "#/definitions/size_arg"},
        "key_dim": {"type": "integer", "description": "Size of each head's query and key."},
        "layer": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string"}},
            "description": "The wrapped layer, as a nested layer mapping: {type: LSTM, units: 64, ...}; "
            "checked against that type's own definition.",
        },
        "lora_alpha": {"type": ["number", "null"]},
        "lora_rank": {
            "type": ["integer", "null"],
            "description": "LoRA rank: the kernel is frozen and rank*(kernel rows + filters) trainable "
            "weights are added.",
        },
        "mask_zero": {"type": "boolean", "description": "Masks index 0 for later layers; changes no shape or count."},
        "max_value": {"type": ["number", "null"]},
        "mean": {
            "type": ["number", "array", "null"],
            "description": "Constants (with variance): no weights. null: learned by adapt(), 2*size+1 "
            "non-trainable weights.",
        },
        "merge_mode": {
            "enum": ["concat", "sum", "mul", "ave", None],
            "description": "How the two directions combine; null returns both outputs.",
        },
        "momentum": {"type": "number"},
        "moving_mean_initializer": {"$ref": "#/definitions/keras_object"},
        "moving_variance_initializer": {"$ref": "#/definitions/keras_object"},
        "n": {"type": "integer"},
        "negative_slope": {"type": "number"},
        "noise_shape": {
            "type": ["array", "null"],
            "items": {"type": ["integer", "null"]},
            "description": "The dropout mask's shape, batch axis first; null entries follow the input, 1 "
            "shares the mask.",
        },
        "normalize": {"type": "boolean"},
        "num_heads": {"type": "integer", "description": "Number of attention heads."},
        "offset": {
            "description": "A number, or a (nested) list of numbers that broadcasts against the input.",
            "type": ["number", "array"],
        },
        "output_dim": {"type": "integer", "description": "The size of each embedding vector."},
        "output_padding": {
            "description": "Must be smaller than strides on every axis; null: Keras's default.",
            "oneOf": [{"type": "null"}, {"$ref": "#/definitions/size_arg"}],
        },
        "output_shape": {
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}, {"type": "null"}],
            "description": "The output's trailing sizes; null: the query's feature size.",
        },
        "pad_to_aspect_ratio": {"type": "boolean"},
        "padding": {"enum": ["valid", "same"]},
        "pointwise_constraint": {"$ref": "#/definitions/keras_object"},
        "pointwise_initializer": {"$ref": "#/definitions/keras_object"},
        "pointwise_regularizer": {"$ref": "#/definitions/keras_object"},
        "pool_size": {"$ref": "#/definitions/size_arg"},
        "quantization_config": {
            "type": ["object", "string", "null"],
            "description": "Not modelled: setting it is warning W006.",
        },
        "rate": {"type": "number", "description": "Fraction of the units to drop, in [0, 1]."},
        "recurrent_activation": {"$ref": "#/definitions/activation"},
        "recurrent_constraint": {"$ref": "#/definitions/keras_object"},
        "recurrent_dropout": {"type": "number"},
        "recurrent_initializer": {"$ref": "#/definitions/keras_object"},
        "recurrent_regularizer": {"$ref": "#/definitions/keras_object"},
        "renorm": {
            "type": "boolean",
            "description": "true adds three non-trainable weights per channel (moving_stddev, renorm_mean, "
            "renorm_stddev).",
        },
        "renorm_clipping": {
            "type": ["object", "null"],
            "description": "Keys rmax, rmin, dmax; checked only when renorm is true.",
        },
        "renorm_momentum": {"type": "number"},
        "reset_after": {
            "type": "boolean",
            "description": "true (Keras 3's default) keeps two bias vectors: (2, 3*units).",
        },
        "return_sequences": {
            "type": "boolean",
            "description": "true: the output of every step (batch, time, units); false: the last (batch, units).",
        },
        "return_state": {
            "type": "boolean",
            "description": "true: the layer also outputs its final states; the next layer reads the first output.",
        },
        "rms_scaling": {"type": "boolean", "description": "Deprecated in Keras 3.15 (warning W008): keeps gamma only."},
        "scale": {"type": "boolean", "description": "false drops gamma."},
        "score_mode": {"enum": ["dot", "concat"], "description": "concat adds 1 weight."},
        "seed": {"type": ["integer", "null"]},
        "shared_axes": {
            "description": "Axes (batch = 0) along which alpha is shared.",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}, {"type": "null"}],
        },
        "size": {"$ref": "#/definitions/size_arg"},
        "sliding_window": {"type": ["integer", "null"]},
        "stateful": {
            "type": "boolean",
            "description": "Keras needs a fixed batch size for it (keras.Input(batch_size=...)).",
        },
        "stddev": {"type": "number", "description": "Standard deviation of the noise, in [0, 1]."},
        "strides": {"$ref": "#/definitions/size_arg"},
        "synchronized": {
            "type": "boolean",
            "description": "Only the TensorFlow backend accepts true; changes no shape or count.",
        },
        "target_shape": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "The shape without the batch axis; one -1 is inferred.",
        },
        "threshold": {"type": "number"},
        "unit_forget_bias": {"type": "boolean"},
        "units": {"type": "integer", "description": "The size of the hidden state."},
        "unroll": {"type": "boolean"},
        "use_bias": {"type": "boolean"},
        "use_cudnn": {"type": ["boolean", "string"]},
        "use_gate": {"type": "boolean", "description": "Adds a sigmoid gate projection of the query."},
        "use_scale": {"type": "boolean", "description": "A learned scalar scale (1 weight)."},
        "value_dim": {"type": ["integer", "null"], "description": "Size of each head's value; null: key_dim."},
        "variance": {"type": ["number", "array", "null"]},
        "weights": {"type": ["array", "null"], "description": "Initial values; change no shape or count."},
        "width": {"type": "integer"},
    },
    "pytorch": {
        "_freeze": {"type": "boolean", "description": "true makes the table non-trainable (requires_grad=False)."},
        "activation": {"type": "string", "description": "relu or gelu."},
        "add_bias_kv": {"type": "boolean", "description": "Learned bias_k, bias_v appended to the key and value."},
        "add_zero_attn": {"type": "boolean"},
        "affine": {"type": "boolean"},
        "align_corners": {"type": ["boolean", "null"]},
        "alpha": {"type": "number"},
        "approximate": {"enum": ["none", "tanh"]},
        "batch_first": {
            "type": "boolean",
            "description": "Leave it false and torch reads the batch axis as time (warning W007).",
        },
        "beta": {"type": "number"},
        "bias": {"type": "boolean"},
        "bidirectional": {"type": "boolean"},
        "ceil_mode": {"type": "boolean"},
        "count_include_pad": {"type": "boolean"},
        "d_model": {"type": "integer"},
        "decoder_layer": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string"}},
            "description": "The layer stacked num_layers times: {type: TransformerDecoderLayer, ...}.",
        },
        "device": {"type": ["string", "null"]},
        "dilation": {"$ref": "#/definitions/size_arg"},
        "dim": {
            "type": ["integer", "null"],
            "description": "Counts the batch axis: axis 1 is the first axis of `input:`. null: torch's "
            "deprecated implicit choice (axis 0 for a rank-3 input, else axis 1).",
        },
        "dim_feedforward": {"type": "integer"},
        "dims": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "A permutation of every dimension, the batch (0) included.",
        },
        "divisor_override": {"type": ["integer", "null"]},
        "downscale_factor": {"type": "integer"},
        "dropout": {"type": "number"},
        "dtype": {"$ref": "#/definitions/dtype"},
        "elementwise_affine": {"type": "boolean"},
        "embed_dim": {"type": "integer", "description": "The query's feature size; divisible by num_heads."},
        "embedding_dim": {"type": "integer", "description": "The size of each embedding vector."},
        "enable_nested_tensor": {"type": "boolean"},
        "encoder_layer": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string"}},
            "description": "The layer stacked num_layers times: {type: TransformerEncoderLayer, ...}.",
        },
        "end_dim": {"type": "integer"},
        "eps": {"type": "number"},
        "groups": {"type": "integer"},
        "hidden_size": {"type": "integer"},
        "in_channels": {
            "type": "integer",
            "minimum": 0,
            "description": "Optional; checked against the input's channels.",
        },
        "in_features": {
            "type": "integer",
            "minimum": 0,
            "description": "Optional; checked against the input's last axis.",
        },
        "init": {"type": "number"},
        "inplace": {"type": "boolean"},
        "input_size": {"type": "integer", "description": "Optional; checked against the input's last axis."},
        "k": {"type": "number"},
        "kdim": {"type": ["integer", "null"], "description": "The key's feature size; null: embed_dim."},
        "keepdim": {"type": "boolean"},
        "kernel_size": {"$ref": "#/definitions/size_arg"},
        "lambd": {"type": "number"},
        "layer_norm_eps": {"type": "number"},
        "lower": {"type": "number"},
        "mask_check": {"type": "boolean"},
        "max_norm": {"type": ["number", "null"]},
        "max_val": {"type": "number"},
        "max_value": {
            "type": ["number", "null"],
            "description": "Deprecated alias of max_val: torch warns and uses it instead.",
        },
        "min_val": {"type": "number"},
        "min_value": {
            "type": ["number", "null"],
            "description": "Deprecated alias of min_val: torch warns and uses it instead.",
        },
        "mode": {"enum": ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]},
        "momentum": {"type": ["number", "null"]},
        "negative_slope": {"type": "number"},
        "nhead": {"type": "integer"},
        "nonlinearity": {"enum": ["tanh", "relu"]},
        "norm": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"type": "string"}},
                    "description": "A layer applied to the output, e.g. {type: LayerNorm, normalized_shape: 512}.",
                },
                {"type": "null"},
            ]
        },
        "norm_first": {"type": "boolean"},
        "norm_type": {"type": "number"},
        "normalized_shape": {
            "description": "The input's trailing sizes (an int for the last axis).",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}],
        },
        "num_channels": {
            "type": "integer",
            "description": "Optional in archlint; checked against the input's channels (axis 1).",
        },
        "num_embeddings": {
            "type": "integer",
            "description": "The vocabulary size: indices run from 0 to num_embeddings - 1.",
        },
        "num_features": {"type": "integer", "description": "Optional; checked against the input's channels (axis 1)."},
        "num_groups": {"type": "integer", "description": "Divides num_channels."},
        "num_heads": {"type": "integer"},
        "num_layers": {"type": "integer"},
        "num_parameters": {"type": "integer", "description": "1, or the input's channel count (axis 1)."},
        "out_channels": {"type": "integer", "minimum": 0,
                         "description": "0: torch builds the layer, and its forward pass fails (E002)."},
        "out_features": {"type": "integer", "minimum": 0,
                         "description": "0 builds: torch 2.13.0 gives an empty output (warning W021)."},
        "output_padding": {
            "$ref": "#/definitions/size_arg",
            "description": "Must be smaller than stride or dilation on every axis.",
        },
        "output_size": {
            "oneOf": [
                {"type": "integer"},
                {"type": "null"},
                {"type": "array", "items": {"type": ["integer", "null"]}, "minItems": 1},
            ],
            "description": "An int, or a list with one entry per axis (null keeps that axis's input "
            "size); a bare null is refused by PyTorch 2.13 (E002).",
        },
        "p": {"type": "number", "description": "Probability of an element to be zeroed, in [0, 1]."},
        "padding": {
            "$ref": "#/definitions/size_arg",
            "description": "Implicit padding on both sides, at most kernel_size // 2 (E006).",
        },
        "padding_idx": {
            "type": ["integer", "null"],
            "description": "A row of the table, in [-num_embeddings, num_embeddings).",
        },
        "padding_mode": {"enum": ["zeros", "reflect", "replicate", "circular"]},
        "proj_size": {"type": "integer", "description": "Projects h to this size (below hidden_size); 0: none."},
        "recompute_scale_factor": {"type": ["boolean", "null"]},
        "return_indices": {
            "type": "boolean",
            "description": "The module returns (values, indices); the next layer reads the values.",
        },
        "scale_factor": {
            "oneOf": [
                {"type": "number"},
                {"type": "null"},
                {"type": "array", "items": {"type": "number"}, "minItems": 1},
            ],
            "description": "Output size floor(n * scale_factor) per axis.",
        },
        "scale_grad_by_freq": {"type": "boolean"},
        "shape": {
            "type": "array",
            "items": {"type": "integer"},
            "minItems": 0,
            "description": "The full shape, batch included: -1 for the one inferred size (usually the batch).",
        },
        "size": {
            "oneOf": [
                {"type": "integer"},
                {"type": "null"},
                {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            ],
            "description": "The output size: an int, or one per spatial axis.",
        },
        "sparse": {"type": "boolean"},
        "start_dim": {"type": "integer"},
        "stride": {"$ref": "#/definitions/size_arg"},
        "threshold": {"type": "number"},
        "track_running_stats": {
            "type": "boolean",
            "description": "Running statistics are buffers, not parameters: no count.",
        },
        "unflattened_size": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "The new sizes; one -1 is inferred.",
        },
        "upper": {"type": "number"},
        "upscale_factor": {"type": "integer"},
        "value": {"type": "number"},
        "vdim": {"type": ["integer", "null"], "description": "The value's feature size; null: embed_dim."},
    },
}

# Fragments several layer types read alike
TORCH_CONV_PADDING = {"oneOf": [{"enum": ["valid", "same"]}, {"$ref": "#/definitions/size_arg"}]}
TORCH_NORM_BIAS = {
    "type": "boolean",
    "description": "Keyword-only; with affine true, false keeps the weight and drops the bias.",
}
TORCH_RNN_BIAS = {"type": "boolean", "description": "Two bias vectors (b_ih, b_hh) per layer and direction."}
TORCH_BATCH_FIRST = {
    "type": "boolean",
    "description": "Leave it false and torch reads the batch axis as the sequence (warning W007).",
}
TORCH_ADAPTIVE_1D = {
    "oneOf": [
        {"type": "integer"},
        {"type": "null"},
        {"type": "array", "items": {"type": ["integer", "null"]}, "minItems": 1},
    ],
    "description": "An int, or a list of one int; null (bare or in the list) is refused by PyTorch 2.13 (E002).",
}
TORCH_CONV_TRANSPOSE = {
    "padding": {"$ref": "#/definitions/size_arg"},
    "padding_mode": {
        "enum": ["zeros", "reflect", "replicate", "circular"],
        "description": "Only 'zeros' is supported by ConvTranspose (E002 otherwise).",
    },
}


def pool_strides(window: str) -> dict:
    """A pooling layer's strides: null means the window (`pool_size`, `kernel_size`)."""
    return {"oneOf": [{"$ref": "#/definitions/size_arg"}, {"type": "null"}], "description": f"null: the {window}."}


def torch_pad(note: str = "") -> dict:
    """torch's padding layers: an int, or the sides in torch's order; `note` adds what this class requires."""
    return {
        "description": "An int for every side, or the sides in torch's order: left, right, top, bottom, front, "
        "back (a negative value crops)." + note,
        "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}],
    }


def per_rank(rank: int) -> dict[tuple[str, str], dict[str, dict]]:
    """The entries of the classes made for each spatial rank (Conv1d, Conv2d, Conv3d), alike but for it."""
    sides = 2 * rank
    return {
        ("pytorch", f"Conv{rank}d"): {"padding": TORCH_CONV_PADDING},
        ("pytorch", f"ConvTranspose{rank}d"): TORCH_CONV_TRANSPOSE,
        ("pytorch", f"BatchNorm{rank}d"): {"bias": TORCH_NORM_BIAS},
        ("pytorch", f"InstanceNorm{rank}d"): {
            "affine": {"type": "boolean", "description": "Off by default: no weights."},
            "bias": TORCH_NORM_BIAS,
        },
        ("keras", f"MaxPooling{rank}D"): {"strides": pool_strides("pool_size")},
        ("keras", f"AveragePooling{rank}D"): {"strides": pool_strides("pool_size")},
        ("pytorch", f"MaxPool{rank}d"): {"stride": pool_strides("kernel_size")},
        ("pytorch", f"AvgPool{rank}d"): {"stride": pool_strides("kernel_size")},
        ("pytorch", f"ZeroPad{rank}d"): {"padding": torch_pad()},
        ("pytorch", f"ConstantPad{rank}d"): {"padding": torch_pad()},
        ("pytorch", f"ReflectionPad{rank}d"): {
            "padding": torch_pad(f" Exactly {sides} values; each smaller than its axis (E002).")},
        ("pytorch", f"ReplicationPad{rank}d"): {"padding": torch_pad(f" Exactly {sides} values.")},
        **({("keras", f"ZeroPadding{rank}D"): {"padding": KERAS_SIDES}} if rank > 1 else {}),
    }


# (framework, layer type) -> keyword -> its schema, where the layer type's differs from KEYWORDS
LAYERS: dict[tuple[str, str], dict[str, dict]] = {
    ("keras", "Conv1D"): {
        "padding": {"enum": ["valid", "same", "causal"]},
    },
    ("keras", "Dense"): {
        "units": {"type": "integer", "minimum": 1},
        "lora_rank": {
            "type": ["integer", "null"],
            "description": "LoRA rank: the kernel is frozen and rank*(input features + units) trainable "
            "weights are added.",
        },
    },
    ("keras", "Softmax"): {
        "axis": {
            "description": "Counts the batch axis: axis 1 is the first axis of `input:`.",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}],
        },
    },
    ("keras", "ELU"): {
        "alpha": {"type": "number"},
    },
    ("pytorch", "GLU"): {
        "dim": {
            "type": "integer",
            "description": "Counts the batch axis: axis 1 is the first axis of `input:`. The axis is halved; its "
            "size must be even.",
        },
    },
    ("pytorch", "AdaptiveAvgPool1d"): {"output_size": TORCH_ADAPTIVE_1D},
    ("pytorch", "AdaptiveMaxPool1d"): {"output_size": TORCH_ADAPTIVE_1D},
    ("keras", "Concatenate"): {
        "axis": {"type": "integer", "description": "The concatenation axis; every other axis must be equal."},
    },
    ("pytorch", "torch.add"): {
        "alpha": {"type": "number", "description": "Multiplies the second input; changes no shape."},
    },
    ("pytorch", "torch.cat"): {
        "dim": {"type": "integer", "description": "torch's default 0 is the batch: write dim: 1 for channels."},
    },
    ("pytorch", "torch.flatten"): {
        "start_dim": {
            "type": "integer",
            "description": "torch's default 0 flattens the batch too: write start_dim: 1.",
        },
    },
    ("pytorch", "torch.mean"): {
        "dim": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}, {"type": "null"}]},
    },
    ("pytorch", "torch.stack"): {
        "dim": {"type": "integer"},
    },
    ("keras", "ZeroPadding1D"): {
        "padding": KERAS_SIDES_1D,
    },
    ("keras", "Cropping1D"): {
        "cropping": KERAS_SIDES_1D,
    },
    ("keras", "UpSampling1D"): {
        "size": {"type": "integer"},
    },
    ("keras", "Resizing"): {
        "interpolation": {
            "enum": ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area"],
            "description": "lanczos3, lanczos5 and area work only on some backends (W008).",
        },
    },
    ("keras", "Rescaling"): {
        "scale": {
            "description": "A number, or a (nested) list of numbers that broadcasts against the input.",
            "type": ["number", "array"],
        },
    },
    ("keras", "Normalization"): {
        "axis": {
            "oneOf": [{"type": "integer"}, {"type": "null"}, {"type": "array", "items": {"type": "integer"}}],
            "description": "The axes kept (one mean and variance per entry); null: one scalar.",
        },
    },
    ("pytorch", "Unflatten"): {
        "dim": {"type": "integer", "description": "Counts the batch axis as dimension 0."},
    },
    ("keras", "Embedding"): {
        "lora_rank": {"type": ["integer", "null"], "description": "Not modelled: setting it is warning W006."},
    },
    ("pytorch", "RNN"): {"bias": TORCH_RNN_BIAS},
    ("pytorch", "LSTM"): {"bias": TORCH_RNN_BIAS},
    ("pytorch", "GRU"): {"bias": TORCH_RNN_BIAS},
    ("keras", "LayerNormalization"): {
        "axis": {
            "description": "The normalized axes, counting the batch as axis 0; gamma and beta have their sizes.",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}],
        },
    },
    ("keras", "GroupNormalization"): {
        "groups": {"type": "integer", "description": "Divides the channels; -1: one group per channel."},
        "axis": {
            "description": "The channel axis (a single int).",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}],
        },
    },
    ("keras", "UnitNormalization"): {
        "axis": {
            "description": "The axes normalized to unit L2 norm.",
            "oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}],
        },
    },
    ("pytorch", "GroupNorm"): {"bias": TORCH_NORM_BIAS},
    ("pytorch", "LocalResponseNorm"): {
        "size": {"type": "integer", "description": "The number of neighbouring channels."},
    },
    ("keras", "AdditiveAttention"): {
        "use_scale": {"type": "boolean", "description": "One learned scale per query feature."},
    },
    ("pytorch", "MultiheadAttention"): {"batch_first": TORCH_BATCH_FIRST},
    ("pytorch", "TransformerEncoderLayer"): {"batch_first": TORCH_BATCH_FIRST},
    ("pytorch", "TransformerDecoderLayer"): {"batch_first": TORCH_BATCH_FIRST},
}
LAYERS.update({key: entry for rank in (1, 2, 3) for key, entry in per_rank(rank).items()})

# (framework, layer type) -> the description of the layer as a whole, where it needs one
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("pytorch", "Identity"): "torch.nn.Identity accepts any arguments and ignores them.",
    ("keras", "Add"): "Adds its inputs elementwise (shapes equal, or 1 to broadcast). List the tensors in `inputs:`.",
    ("keras", "Average"): "Averages its inputs elementwise. List the tensors in `inputs:`.",
    ("keras", "Concatenate"): "Concatenates its inputs along `axis`. List the tensors in `inputs:`.",
    ("keras", "Dot"): "Dot product of two inputs along `axes`.",
    ("keras", "Maximum"): "Elementwise maximum of its inputs. List the tensors in `inputs:`.",
    ("keras", "Minimum"): "Elementwise minimum of its inputs. List the tensors in `inputs:`.",
    ("keras", "Multiply"): "Multiplies its inputs elementwise. List the tensors in `inputs:`.",
    (
        "keras",
        "Subtract",
    ): "Subtracts its second input from its first (exactly two inputs). List the tensors in `inputs:`.",
    ("pytorch", "torch.add"): "torch.add(input, other): broadcasting sum of two inputs.",
    ("pytorch", "torch.cat"): "torch.cat(tensors, dim): every other dimension must be equal.",
    ("pytorch", "torch.flatten"): "torch.flatten(input, start_dim, end_dim).",
    ("pytorch", "torch.mean"): "torch.mean(input, dim, keepdim).",
    ("pytorch", "torch.mul"): "torch.mul(input, other): broadcasting product of two inputs.",
    ("pytorch", "torch.permute"): "torch.permute(input, dims).",
    ("pytorch", "torch.reshape"): "torch.reshape(input, shape).",
    ("pytorch", "torch.stack"): "torch.stack(tensors, dim): equal shapes, a new dimension.",
    ("keras", "MultiHeadAttention"): (
        "Inputs: one (self-attention), [query, value] or [query, value, key] (Keras's call order), or {query: ..., "
        "value: ..., key: ...}."
    ),
    ("keras", "Attention"): "Inputs: [query, value] or [query, value, key], or one for self-attention.",
    ("keras", "AdditiveAttention"): "Inputs: [query, value] or [query, value, key], or one for self-attention.",
    ("pytorch", "MultiheadAttention"): (
        "Inputs: one (self-attention) or [query, key, value] (torch's call order), or {query: ..., key: ..., value: "
        "...}. Outputs (attn_output, attn_weights); the next layer reads attn_output."
    ),
    ("pytorch", "TransformerDecoderLayer"): "Inputs: [tgt, memory] or {tgt: ..., memory: ...}.",
    ("pytorch", "TransformerDecoder"): "Inputs: [tgt, memory] or {tgt: ..., memory: ...}.",
}

# layer types that accept any keyword besides their own (torch.nn.Identity ignores its arguments)
ANY_KEYWORD = {("pytorch", "Identity")}
