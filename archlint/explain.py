"""`archlint explain`: how each output size and parameter count was derived, with the values filled in.

The derivations are written out here from each layer's keyword arguments (framework defaults filled in)
and input shape, then checked against what the layer rules computed: a formula is printed only when
its value is the rule's value, so the explanation can never disagree with the check. Every layer gets a
shape line (per axis `out = ...`, or `shape: ...`), a parameter formula where it has weights, and a MAC
formula where it multiplies (cost.py's definitions), each with the layer's own numbers.
"""

from __future__ import annotations

from math import prod

from archlint.shapes import axis_label, format_shape


def _config(framework: str, layer) -> dict:
    from archlint.layers.registry import REQUIRED, lookup

    layer_type = lookup(framework, layer.spec.type)
    defaults = layer_type.defaults if layer_type else {}
    cfg = {k: (None if v is REQUIRED else v) for k, v in defaults.items()}
    cfg.update(layer.spec.kwargs)
    return cfg


def _window_axis(n, k, s, d, before, after, mode: str, ceil_mode: bool = False) -> tuple[str, int | None]:
    """The formula for one spatial axis and its value."""
    if mode == "keras-same":
        return f"floor(({n} - 1) / {s}) + 1", (n - 1) // s + 1
    if mode == "torch-same":
        return f"{n} (padding='same' keeps the size)", n
    pad = f"2*{before}" if before == after else f"{before} + {after}"
    span = n + before + after - d * (k - 1) - 1
    if ceil_mode:
        value = -(-span // s) + 1
        if (value - 1) * s >= n + before:  # PyTorch: the last window must start inside the input or left padding
            value -= 1
        return f"ceil(({n} + {pad} - {d}*({k}-1) - 1) / {s}) + 1", value
    return f"floor(({n} + {pad} - {d}*({k}-1) - 1) / {s}) + 1", span // s + 1


def _transposed_axis(framework: str, n, k, s, d, padding, op) -> tuple[str, int]:
    """The formula for one spatial axis of a transposed convolution, as each framework computes it."""
    if framework == "pytorch":
        return (f"({n} - 1)*{s} - 2*{padding} + {d}*({k}-1) + {op} + 1",
                (n - 1) * s - 2 * padding + d * (k - 1) + op + 1)
    k_eff = d * (k - 1) + 1
    if padding == "same":
        if op is None:
            return f"{n} * {s}", n * s
        return f"({n} - 1)*{s} + {k_eff} % 2 + {op}", (n - 1) * s + k_eff % 2 + op
    if op is None:
        return f"({n} - 1)*{s} + max({d}*({k}-1) + 1, {s})", (n - 1) * s + max(k_eff, s)
    return f"({n} - 1)*{s} + {d}*({k}-1) + 1 + {op}", (n - 1) * s + k_eff + op


def _windows(framework: str, layer, x) -> list | None:
    """Per spatial axis `out = ...` for convolutions and sliding-window poolings, from the windows their
    rule recorded (registry.Window)."""
    window = layer.output.window
    if window is None or x is None:
        return None
    formulas = []
    for i, axis in enumerate(window.axes):
        n = x.shape[axis] if axis < len(x.shape) else None
        label = axis_label(len(x.shape), axis, window.channels_first)
        if n is None:
            formulas.append(f"{label}: unknown (null) in, unknown out")
            continue
        k, s, d = window.kernel[i], window.strides[i], window.dilation[i]
        if window.transposed:
            padding = window.pads[i][0] if window.pads is not None else window.padding
            op = window.output_padding[i] if window.output_padding is not None else None
            formula, value = _transposed_axis(framework, n, k, s, d, padding, op)
        else:
            if window.padding == "same" or window.padding == "causal":
                mode, (before, after) = ("keras-same" if framework == "keras" else "torch-same"), (0, 0)
            else:
                mode, (before, after) = "explicit", window.pads[i] if window.padding == "explicit" else (0, 0)
            formula, value = _window_axis(n, k, s, d, before, after, mode, window.ceil_mode)
        formulas.append((axis, label, formula, value))
    return formulas


def _params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    """The parameter-count formula of conv, dense and batch-normalization layers."""
    family = _family(framework, layer.spec.type)
    window = layer.output.window
    if x is None:
        return None
    if family == "conv" and window is not None:
        cin = x.shape[1 if window.channels_first else -1]
        k = window.kernel
        out = cfg.get("filters") if framework == "keras" else cfg.get("out_channels")
        groups = cfg.get("groups", 1) or 1
        bias = cfg.get("use_bias") if framework == "keras" else cfg.get("bias")
        if cin is not None and k is not None and layer.spec.type.startswith(("Depthwise", "Separable")):
            return _depthwise_params(layer.spec.type, cin, k, cfg)
        if cin is None or k is None or not isinstance(out, int):
            return None
        per_filter = "*".join(str(v) for v in k) + "*" + (f"({cin}/{groups})" if groups != 1 else str(cin))
        weights = prod(k) * (cin // groups)
        if bias:
            return f"({per_filter} + 1) * {out}", (weights + 1) * out
        return f"{per_filter} * {out}", weights * out
    if family == "dense":
        features = x.shape[-1] if x.shape[-1] is not None else cfg.get("in_features")
        out = cfg.get("units") if framework == "keras" else cfg.get("out_features")
        bias = cfg.get("use_bias") if framework == "keras" else cfg.get("bias")
        if features is None or not isinstance(out, int):
            return None
        return (f"({features} + 1) * {out}", (features + 1) * out) if bias else (f"{features} * {out}", features * out)
    if family == "normalization" and layer.spec.type not in ("BatchNormalization", "BatchNorm1d", "BatchNorm2d",
                                                            "BatchNorm3d"):
        return _norm_params(framework, layer.spec.type, x, cfg)
    if family == "embedding":
        rows, cols = ("input_dim", "output_dim") if framework == "keras" else ("num_embeddings", "embedding_dim")
        if isinstance(cfg.get(rows), int) and isinstance(cfg.get(cols), int):
            return f"{cfg[rows]} * {cfg[cols]} ({rows} * {cols})", cfg[rows] * cfg[cols]
        return None
    if family in _WEIGHTS:
        return _WEIGHTS[family](framework, layer, x, cfg)
    if family == "normalization":
        if framework == "keras":
            axis = cfg.get("axis", -1)
            if not isinstance(axis, int) or not -len(x.shape) <= axis < len(x.shape):
                return None
            channels = x.shape[axis % len(x.shape)]
            if channels is None:
                return None
            names = [n for n, on in (("gamma", cfg.get("scale", True)), ("beta", cfg.get("center", True))) if on]
            names += ["moving_mean", "moving_variance"]
            if cfg.get("renorm"):
                names += ["moving_stddev", "renorm_mean", "renorm_stddev"]
            return f"{len(names)} * {channels} ({', '.join(names)})", len(names) * channels
        channels = x.shape[1] if len(x.shape) > 1 and x.shape[1] is not None else cfg.get("num_features")
        if not cfg.get("affine", True):
            return "0 (affine=False; running_mean and running_var are buffers, not parameters)", 0
        if channels is None:
            return None
        names = ["weight"] + (["bias"] if cfg.get("bias", True) else [])
        return (f"{len(names)} * {channels} ({', '.join(names)}; running_mean and running_var are buffers)",
                len(names) * channels)
    return None


def _depthwise_params(kind: str, cin: int, k, cfg: dict) -> tuple[str, int]:
    """Keras DepthwiseConv and SeparableConv: depth_multiplier kernels per input channel, then (separable) a
    1x1 pointwise kernel to `filters`."""
    m, kernel = cfg.get("depth_multiplier", 1), "*".join(str(v) for v in k)
    bias = cfg.get("use_bias", True)
    if kind.startswith("Depthwise"):
        text, value = f"{kernel}*{cin}*{m}", prod(k) * cin * m
        return (f"{text} + {cin}*{m} (depthwise kernel, bias)", value + cin * m) if bias else \
            (f"{text} (depthwise kernel)", value)
    filters = cfg["filters"]
    text = f"{kernel}*{cin}*{m} + {cin}*{m}*{filters}"
    value = prod(k) * cin * m + cin * m * filters
    return (f"{text} + {filters} (depthwise, pointwise kernels, bias)", value + filters) if bias else \
        (f"{text} (depthwise, pointwise kernels)", value)


def _norm_params(framework: str, kind: str, x, cfg: dict) -> tuple[str, int] | None:
    """Layer, group and instance normalization: a scale and an offset per normalized feature (or channel)."""
    shape = x.shape
    if framework == "keras":
        if kind == "UnitNormalization":
            return "0 (no weights)", 0
        names = [n for n, on in (("gamma", cfg.get("scale", True)), ("beta", cfg.get("center", True))) if on]
        if kind == "GroupNormalization":
            axes = [cfg.get("axis", -1)]
        else:
            axes = cfg.get("axis", -1)
            axes = axes if isinstance(axes, list) else [axes]
        if any(not isinstance(a, int) or not -len(shape) <= a < len(shape) for a in axes):
            return None
        sizes = [shape[a % len(shape)] for a in axes]
        if None in sizes:
            return None
        return (f"{len(names)} * {'*'.join(map(str, sizes))} ({', '.join(names) or 'no scale, no center'})",
                len(names) * prod(sizes))
    if kind == "LayerNorm":
        normalized = cfg.get("normalized_shape")
        sizes = [normalized] if isinstance(normalized, int) else list(normalized or [])
        if not cfg.get("elementwise_affine", True):
            return "0 (elementwise_affine=False)", 0
        names = ["weight"] + (["bias"] if cfg.get("bias", True) else [])
        return f"{len(names)} * {'*'.join(map(str, sizes))} ({', '.join(names)})", len(names) * prod(sizes)
    if kind == "LocalResponseNorm":
        return "0 (no weights)", 0
    channels = shape[1] if len(shape) > 1 else None
    if kind == "GroupNorm":
        channels = cfg.get("num_channels")
    if not cfg.get("affine", kind == "GroupNorm"):
        return "0 (affine=False)", 0
    if not isinstance(channels, int):
        return None
    return f"2 * {channels} (weight, bias)", 2 * channels


def _rnn_weights(framework: str, kind: str, cfg: dict, features: int) -> tuple[str, int] | None:
    """One Keras recurrent layer's weights: gates*units*(features + units) plus the bias."""
    gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
    units = cfg.get("units")
    if not isinstance(units, int) or features is None:
        return None
    text, value = f"{gates}*{units}*({features} + {units})", gates * units * (features + units)
    if cfg.get("use_bias", True):
        per = 2 if kind == "GRU" and cfg.get("reset_after", True) else 1
        text, value = text + f" + {per}*{gates}*{units}", value + per * gates * units
    return text, value


def _recurrent_params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    kind = layer.spec.type
    if kind == "Bidirectional":
        from archlint.cost import _nested_cfg

        forward = _nested_cfg(cfg["layer"], framework)
        backward = _nested_cfg(cfg["backward_layer"], framework) if cfg.get("backward_layer") else forward
        parts = [_rnn_weights(framework, c["type"], c, x.shape[-1]) for c in (forward, backward)]
        if None in parts:
            return None
        if parts[0] == parts[1]:
            return f"2 * ({parts[0][0]}) (forward and backward)", 2 * parts[0][1]
        return f"({parts[0][0]}) + ({parts[1][0]}) (forward, backward)", parts[0][1] + parts[1][1]
    if kind == "TimeDistributed":
        from archlint.cost import _nested_cfg

        inner = _nested_cfg(cfg["layer"], framework)
        if inner["type"] != "Dense" or not isinstance(x.shape[-1], int):
            return None
        features, units = x.shape[-1], inner["units"]
        if inner.get("use_bias", True):
            return f"({features} + 1) * {units} (the Dense, shared by every step)", (features + 1) * units
        return f"{features} * {units} (the Dense, shared by every step)", features * units
    if framework == "keras":
        return _rnn_weights(framework, kind, cfg, x.shape[-1])
    gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
    hidden, proj = cfg.get("hidden_size"), cfg.get("proj_size") or 0
    directions, layers = (2 if cfg.get("bidirectional") else 1), cfg.get("num_layers", 1)
    out, features = proj or hidden, x.shape[-1]
    if features is None or layers < 1:
        return None
    bias = 2 * gates * hidden if cfg.get("bias", True) else 0

    def one(size: int) -> tuple[str, int]:
        text = f"{gates}*{hidden}*({size} + {out})" + (f" + 2*{gates}*{hidden}" if bias else "") + \
            (f" + {proj}*{hidden}" if proj else "")
        return text, gates * hidden * (size + out) + bias + proj * hidden

    first, later = one(features), one(directions * out)
    text = f"{directions} * ({first[0]})" if directions > 1 else first[0]
    value = directions * first[1]
    if layers > 1:
        text += f" + {(layers - 1) * directions} * ({later[0]})"
        value += (layers - 1) * directions * later[1]
    return text, value


def _torch_mha_params(cfg: dict) -> tuple[str, int] | None:
    """in_proj (one 3*E x E matrix, or q/k/v_proj_weight with kdim/vdim), out_proj, biases and bias_k/v."""
    e = cfg.get("embed_dim") or cfg.get("d_model")
    kdim, vdim = cfg.get("kdim") or e, cfg.get("vdim") or e
    bias = cfg.get("bias", True)
    if kdim == e and vdim == e:
        text, value = f"3*{e}*{e}", 3 * e * e
    else:
        text, value = f"{e}*{e} + {kdim}*{e} + {vdim}*{e}", e * (e + kdim + vdim)
    if bias:
        text, value = text + f" + 3*{e}", value + 3 * e
    text, value = text + f" + {e}*{e}" + (f" + {e}" if bias else ""), value + e * e + (e if bias else 0)
    if cfg.get("add_bias_kv"):
        text, value = text + f" + 2*{e}", value + 2 * e
    return text, value


def _transformer_params(cfg: dict, decoder: bool) -> tuple[str, int] | None:
    d, ff = cfg.get("d_model"), cfg.get("dim_feedforward")
    if not isinstance(d, int) or not isinstance(ff, int):
        return None
    bias = cfg.get("bias", True)
    attention = _torch_mha_params(cfg)
    b = 1 if bias else 0
    norms = 3 if decoder else 2
    text = (f"{f'2 * ({attention[0]})' if decoder else attention[0]} + {d}*{ff}{f' + {ff}' if bias else ''} + {ff}*{d}"
            f"{f' + {d}' if bias else ''} + {norms}*{1 + b}*{d}")
    value = (2 if decoder else 1) * attention[1] + d * ff + b * ff + ff * d + b * d + norms * (1 + b) * d
    return text, value


def _attention_params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    kind = layer.spec.type
    if kind == "MultiheadAttention":
        return _torch_mha_params(cfg)
    if kind in ("Attention", "AdditiveAttention"):
        return _keras_attention_params(kind, x, cfg)
    if kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        found = _transformer_params(cfg, kind == "TransformerDecoderLayer")
        return (f"{found[0]} (attention, feed-forward, norms)", found[1]) if found else None
    if kind in ("TransformerEncoder", "TransformerDecoder"):
        from archlint.cost import _nested_cfg

        nested = _nested_cfg(cfg["encoder_layer" if kind == "TransformerEncoder" else "decoder_layer"], framework)
        found = _transformer_params(nested, kind == "TransformerDecoder")
        if found is None or cfg.get("norm"):
            return None
        return f"{cfg['num_layers']} * ({found[0]}) (num_layers copies of the layer)", cfg["num_layers"] * found[1]
    if kind == "MultiHeadAttention" and len(layer.inputs) <= 1 and isinstance(x.shape[-1], int):
        heads, key_dim = cfg["num_heads"], cfg["key_dim"]
        value_dim = cfg.get("value_dim") or key_dim
        q = x.shape[-1]
        out = cfg.get("output_shape") or q
        if not isinstance(out, int) or cfg.get("use_gate"):
            return None
        bias = 1 if cfg.get("use_bias", True) else 0
        hk, hv = heads * key_dim, heads * value_dim
        text = (f"2*{q}*{heads}*{key_dim} + {q}*{heads}*{value_dim} + {heads}*{value_dim}*{out}"
                + (f" + 2*{heads}*{key_dim} + {heads}*{value_dim} + {out}" if bias else "")
                + " (query, key, value, output kernels" + (" and biases)" if bias else ")"))
        value = 2 * q * hk + q * hv + hv * out + bias * (2 * hk + hv + out)
        return text, value
    return None


def _keras_attention_params(kind: str, x, cfg: dict) -> tuple[str, int] | None:
    """Keras Attention: a scalar scale (use_scale) and a concat score weight; AdditiveAttention: one scale per
    query feature."""
    if kind == "AdditiveAttention":
        return (f"{x.shape[-1]} (use_scale: one scale per query feature)", x.shape[-1]) if cfg.get("use_scale") \
            else ("0 (use_scale=False)", 0)
    names = [n for n, on in (("scale", cfg.get("use_scale")), ("concat_score_weight",
                                                              cfg.get("score_mode") == "concat")) if on]
    return (f"{len(names)} ({', '.join(names)})", len(names)) if names else ("0 (no weights)", 0)


def _resize_params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    """Keras Normalization: the mean and variance of the kept axes, and a count (non-trainable)."""
    if layer.spec.type != "Normalization" or cfg.get("mean") is not None:
        return None
    axes = cfg.get("axis", -1)
    axes = () if axes is None else (axes,) if isinstance(axes, int) else tuple(axes)
    sizes = [x.shape[a % len(x.shape)] for a in axes]
    if None in sizes:
        return None
    return (f"2 * {'*'.join(map(str, sizes)) or 1} + 1 (mean, variance, count; non-trainable)",
            2 * prod(sizes) + 1)


def _elementwise_params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    if layer.spec.type != "PReLU":
        return None
    if framework == "pytorch":
        return f"{cfg.get('num_parameters', 1)} (num_parameters)", cfg.get("num_parameters", 1)
    written = cfg.get("shared_axes")
    shared = [] if written is None else written if isinstance(written, list) else [written]
    alpha = list(x.shape[1:])
    for axis in shared:
        alpha[axis - 1] = 1
    if None in alpha:
        return None
    return f"{'*'.join(map(str, alpha))} (alpha: one per position, 1 along shared_axes)", prod(alpha)


def _scale_params(framework: str, layer, x, cfg: dict) -> tuple[str, int] | None:
    if layer.spec.type == "LayerScale" and isinstance(cfg.get("projection_dim"), int):
        return f"{cfg['projection_dim']} (projection_dim: one scale per feature)", cfg["projection_dim"]
    return None


# Parameter formulas of the families not written inline in _params
_WEIGHTS = {"recurrent": _recurrent_params, "attention": _attention_params, "elementwise": _elementwise_params,
            "keras_applications": _scale_params, "resize": _resize_params}


# Families whose output is their input's shape by construction: "unchanged" is the whole derivation
_PASS_THROUGH = frozenset({"elementwise", "normalization", "wrappers"})


def _recurrent(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    """Output features and the weights of an RNN, LSTM or GRU (one layer per direction and level)."""
    kind = layer.spec.type
    if kind == "Bidirectional":
        return [f"features: out = {out_shape[-1]} (merge_mode {cfg.get('merge_mode', 'concat')!r} of the two "
                "directions' outputs); params: both directions' weights"]
    if kind not in ("LSTM", "GRU", "SimpleRNN", "RNN") or x is None:
        return [f"shape: {format_shape(out_shape)}"]
    gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
    features = x.shape[-1]
    if framework == "keras":
        units = cfg.get("units")
        steps = "the sequence" if cfg.get("return_sequences") else "the last step"
        bias = (f" + {2 if kind == 'GRU' and cfg.get('reset_after', True) else 1}*{gates}*{units}"
                if cfg.get("use_bias", True) else "")
        return [f"features: out = units = {units} (for {steps})",
                f"weights = {gates}*{units}*({features} + {units}){bias} (input kernel, recurrent kernel, bias)"]
    hidden, proj = cfg.get("hidden_size"), cfg.get("proj_size") or 0
    directions = 2 if cfg.get("bidirectional") else 1
    out = proj or hidden
    layers = cfg.get("num_layers", 1)
    bias = f" + 2*{gates}*{hidden}" if cfg.get("bias", True) else ""
    proj_part = f" + {proj}*{hidden}" if proj else ""
    lines = [f"features: out = {'2 * ' if directions == 2 else ''}{'proj_size' if proj else 'hidden_size'} = "
             f"{directions * out}" + (" (both directions concatenated)" if directions == 2 else "")]
    lines.append(f"weights per direction of layer 0 = {gates}*{hidden}*({features} + {out}){bias}{proj_part}")
    if layers > 1:
        later = "layer 1" if layers == 2 else f"layers 1-{layers - 1}"
        lines.append(f"weights per direction of {later} = {gates}*{hidden}*({directions * out} + "
                     f"{out}){bias}{proj_part}")
    return lines


def _transformer(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    kind = layer.spec.type
    d, ff = cfg.get("d_model"), cfg.get("dim_feedforward")
    if kind == "TransformerEncoderLayer" and isinstance(d, int) and isinstance(ff, int):
        bias = cfg.get("bias", True)
        b = lambda n: f" + {n}" if bias else ""  # noqa: E731 - a bias term of size n, when there is one
        return ["shape: (batch, sequence, d_model) in and out",
                f"self-attention = 3*{d}*{d}{b(f'3*{d}')} (in_proj) + {d}*{d}{b(d)} (out_proj)",
                f"feed-forward = {d}*{ff}{b(ff)} (linear1) + {ff}*{d}{b(d)} (linear2)",
                f"norms = 2 * {2 if bias else 1}*{d} (norm1, norm2)"]
    if kind == "TransformerDecoderLayer":
        return ["shape: the target's (batch, sequence, d_model), attending to the memory"]
    if kind in ("TransformerEncoder", "TransformerDecoder"):
        return [f"shape: as its layer's; params = num_layers ({cfg.get('num_layers')}) copies of the layer's, "
                "plus the optional norm"]
    return [f"shape: {format_shape(out_shape)}"]


def _attention(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    if layer.spec.type.startswith("Transformer"):
        return _transformer(framework, layer, x, cfg, out_shape)
    if layer.spec.type == "MultiheadAttention":
        e = cfg.get("embed_dim")
        return ["shape: the query's, with embed_dim features",
                f"weights = 3*{e}*{e} (in_proj, or q/k/v_proj with kdim/vdim) + {e}*{e} (out_proj), plus biases"]
    return ["shape: the query's sequence, with the output features"]


def _embedding(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    key = "output_dim" if framework == "keras" else "embedding_dim"
    return [f"shape: the ids' shape {format_shape(x.shape)} + ({key},) = {format_shape(out_shape)}"]


def _sizes_text(sizes) -> str:
    return "*".join(str(n) for n in sizes)


def _merge(framework: str, layer, x, cfg: dict, out_shape, inputs: list) -> list[str]:
    """Merges (Add, Concatenate, torch.cat, ...) and the torch functions of the same family (flatten,
    reshape, permute, mean)."""
    kind = layer.spec.type
    shapes = ", ".join(format_shape(t.shape) for t in inputs)
    if kind in ("Concatenate", "torch.cat"):
        axis = cfg.get("axis", -1) if kind == "Concatenate" else cfg.get("dim", 0)
        axis %= len(out_shape)
        sizes = [t.shape[axis] for t in inputs]
        label = axis_label(len(out_shape), axis, framework == "pytorch")
        if None not in sizes and sum(sizes) == out_shape[axis]:
            return [f"{label}: out = {' + '.join(map(str, sizes))} = {out_shape[axis]} (the inputs' sizes added)"]
        return [f"shape: {shapes} joined along {label} = {format_shape(out_shape)}"]
    if kind == "torch.stack":
        return [f"shape: {len(inputs)} inputs of {format_shape(x.shape)} stacked at dim {cfg.get('dim', 0)} = "
                f"{format_shape(out_shape)}"]
    if kind in ("torch.flatten",):
        return _flatten(x, out_shape, cfg.get("start_dim", 0), cfg.get("end_dim", -1))
    if kind in ("torch.reshape",):
        return _reshape(x, out_shape)
    if kind in ("torch.permute",):
        return [f"shape: dims {cfg.get('dims')} of {format_shape(x.shape)} = {format_shape(out_shape)}"]
    if kind == "torch.mean":
        return [f"shape: the mean over dim {cfg.get('dim')} of {format_shape(x.shape)} = {format_shape(out_shape)}"]
    if kind == "Dot":
        return [f"shape: dot products of {shapes} over axes {cfg.get('axes')} = {format_shape(out_shape)}"]
    return [f"shape: {shapes} combined element-wise (broadcast) = {format_shape(out_shape)}"]


def _flatten(x, out_shape, start: int, end: int) -> list[str]:
    rank = len(x.shape)
    start, end = start % rank, end % rank
    sizes = x.shape[start:end + 1]
    if None not in sizes and len(sizes) > 1 and prod(sizes) in out_shape:
        return [f"features: out = {_sizes_text(sizes)} = {prod(sizes)} (axes {start} to {end} flattened)"]
    return [f"shape: axes {start} to {end} of {format_shape(x.shape)} flattened = {format_shape(out_shape)}"]


def _reshape(x, out_shape) -> list[str]:
    sizes = x.shape[1:]
    if None in sizes:
        return [f"shape: {format_shape(x.shape)} reshaped = {format_shape(out_shape)}"]
    return [f"shape: {format_shape(out_shape)} ({_sizes_text(sizes)} = {prod(sizes)} values per sample, as the "
            "input's)"]


def _reshape_family(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    kind = layer.spec.type
    if kind == "Flatten":
        start, end = (1, -1) if framework == "keras" else (cfg.get("start_dim", 1), cfg.get("end_dim", -1))
        return _flatten(x, out_shape, start, end)
    if kind == "Reshape":
        return _reshape(x, out_shape)
    if kind == "Permute":
        return [f"shape: axes {cfg.get('dims')} of {format_shape(x.shape)} = {format_shape(out_shape)}"]
    if kind == "RepeatVector":
        return [f"shape: (batch, n, features) = (None, {cfg.get('n')}, {x.shape[-1]})"]
    if kind == "Unflatten":
        dim = cfg.get("dim") % len(x.shape)
        return [f"shape: axis {dim} ({x.shape[dim]}) split into {tuple(cfg.get('unflattened_size'))} = "
                f"{format_shape(out_shape)}"]
    return [f"shape: {format_shape(out_shape)}"]


# What changes an axis's size, by the words in the resizing layer's class name
_RESIZE_WORDS = (("CenterCrop", "size"), ("RandomCrop", "size"), ("Resizing", "size"), ("Pad", "padding"),
                 ("Crop", "cropping"), ("Up", "scale"),
                 ("PixelShuffle", "upscale"), ("PixelUnshuffle", "downscale"))


def _resize(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    """Padding, cropping, up-sampling and resizing: each changed axis, from its input size."""
    if len(out_shape) != len(x.shape):
        return [f"shape: {format_shape(out_shape)}"]
    word = next((w for key, w in _RESIZE_WORDS if key in layer.spec.type), "")
    lines = []
    channels_first = framework == "pytorch" or cfg.get("data_format") == "channels_first"
    for axis in range(1, len(x.shape)):
        n, o = x.shape[axis], out_shape[axis]
        if n == o:
            continue
        channel = axis == (1 if channels_first else len(x.shape) - 1)
        label = "channels" if channel and word in ("upscale", "downscale") else \
            axis_label(len(x.shape), axis, channels_first)
        if n is None or o is None:
            lines.append(f"{label}: out = {o}")
        elif word == "size":
            lines.append(f"{label}: out = {label.split()[0]} = {o}")
        elif channel and word == "upscale":
            lines.append(f"{label}: out = {n} / {n // o} (upscale_factor squared) = {o}")
        elif channel and word == "downscale":
            lines.append(f"{label}: out = {n} * {o // n} (downscale_factor squared) = {o}")
        elif word in ("scale", "upscale") and o % n == 0:
            lines.append(f"{label}: out = {n} * {o // n} ({word}) = {o}")
        elif word in ("scale", "upscale", "downscale") and n % o == 0:
            lines.append(f"{label}: out = {n} / {n // o} ({'downscale' if word == 'downscale' else 'channels'}) = "
                         f"{o}")
        elif o > n:
            lines.append(f"{label}: out = {n} + {o - n} ({word or 'added'}) = {o}")
        else:
            lines.append(f"{label}: out = {n} - {n - o} ({word or 'removed'}) = {o}")
    return lines or ["shape: unchanged"]


def _same_or_shape(framework: str, layer, x, cfg: dict, out_shape) -> list[str]:
    """Activations, dropout, preprocessing, operations: the input's shape, or the one the rule derived."""
    if x is not None and tuple(out_shape) == tuple(x.shape):
        return ["shape: unchanged"]
    if layer.spec.type == "GLU" and x is not None:
        dim = cfg.get("dim", -1) % len(x.shape)
        if x.shape[dim] is not None:
            label = axis_label(len(x.shape), dim, True)
            return [f"{label}: out = {x.shape[dim]} / 2 = {x.shape[dim] // 2} (halves: one gates the other)"]
    return [f"shape: {format_shape(x.shape) if x is not None else '?'} -> {format_shape(out_shape)}"]


# The derivation of a family's output shape (and weights) where no window or channel formula applies
_FORMULAS = {"recurrent": _recurrent, "transformer": _transformer, "attention": _attention,
             "embedding": _embedding, "reshape": _reshape_family, "resize": _resize}


def _macs_formula(framework: str, family: str, layer, x, cfg: dict, out_shape, inputs: list) -> tuple[str, int]:
    """The MAC formula with the values filled in, and its value (cost.py's definitions)."""
    if x is None or None in inputs:
        return "", 0
    try:
        if family == "dense":
            positions = prod(out_shape[1:-1]) if len(out_shape) > 2 and None not in out_shape[1:-1] else 1
            where = f"{positions} positions * " if positions != 1 else ""
            return (f"{where}{x.shape[-1]} * {out_shape[-1]} (in * out features)",
                    positions * x.shape[-1] * out_shape[-1])
        if family == "conv":
            return _conv_macs(layer, x, cfg, out_shape)
        if family == "recurrent":
            return _recurrent_macs(framework, layer, x, cfg)
        if family == "attention":
            return _attention_macs(framework, layer, cfg, inputs)
        if family == "merge" and layer.spec.type == "Dot":
            contracted = cfg["axes"] if isinstance(cfg["axes"], int) else cfg["axes"][0]
            n, outputs = x.shape[contracted % len(x.shape)], prod(out_shape[1:])
            return f"{outputs} outputs * {n} (one dot product of {n} each)", outputs * n
    except (TypeError, KeyError, ValueError, ZeroDivisionError, IndexError):
        pass  # a size the formula needs is unknown (null): the value alone is printed
    return "", 0


def _conv_macs(layer, x, cfg: dict, out_shape) -> tuple[str, int]:
    window = layer.output.window
    if window is None:
        return "", 0
    channel = 1 if window.channels_first else -1
    cin, cout = x.shape[channel], out_shape[channel]
    groups = cfg.get("groups", 1) or 1
    kernel, k = "*".join(map(str, window.kernel)), prod(window.kernel)
    if window.transposed:  # every input position scatters the whole kernel
        spatial = [x.shape[axis] for axis in window.axes]
        per = f"{cout}/{groups}" if groups != 1 else str(cout)
        return (f"{'*'.join(map(str, spatial))} input positions * {kernel} kernel * {cin} in * {per} out channels",
                prod(spatial) * k * cin * (cout // groups))
    spatial = [out_shape[axis] for axis in window.axes]
    positions = f"{'*'.join(map(str, spatial))} output positions"
    kind = layer.spec.type
    if kind.startswith("Depthwise"):
        m = cfg["depth_multiplier"]
        return (f"{positions} * {kernel} kernel * {cin} channels * {m} depth_multiplier",
                prod(spatial) * k * cin * m)
    if kind.startswith("Separable"):
        inner, filters = cin * cfg["depth_multiplier"], cfg["filters"]
        return (f"{positions} * ({kernel}*{inner} + {inner}*{filters}) (depthwise kernels, then 1x1 pointwise)",
                prod(spatial) * (k * inner + inner * filters))
    return (f"{positions} * {kernel} kernel * {cin}{f'/{groups}' if groups != 1 else ''} in * {cout} out channels",
            prod(spatial) * k * (cin // groups) * cout)


def _recurrent_macs(framework: str, layer, x, cfg: dict) -> tuple[str, int]:
    kind, steps = layer.spec.type, x.shape[1]
    if kind == "TimeDistributed":
        from archlint.cost import _nested_cfg

        inner = _nested_cfg(cfg["layer"], framework)
        if inner["type"] != "Dense":
            return "", 0
        rows = prod(x.shape[2:-1])
        where = f"{rows} positions * " if rows != 1 else ""
        return (f"{steps} steps * {where}{x.shape[-1]} * {inner['units']} (the Dense on every step)",
                steps * rows * x.shape[-1] * inner["units"])
    if kind == "Bidirectional":
        from archlint.cost import _nested_cfg

        forward = _nested_cfg(cfg["layer"], framework)
        backward = _nested_cfg(cfg["backward_layer"], framework) if cfg.get("backward_layer") else forward
        cells = []
        for c in (forward, backward):
            gates, units = {"LSTM": 4, "GRU": 3}.get(c["type"], 1), c["units"]
            cells.append((f"{gates}*{units}*({x.shape[-1]} + {units})", gates * units * (x.shape[-1] + units)))
        text = f"2 * {cells[0][0]}" if cells[0] == cells[1] else f"{cells[0][0]} + {cells[1][0]}"
        return f"{steps} steps * ({text}) (forward and backward cells)", steps * (cells[0][1] + cells[1][1])
    if kind not in ("LSTM", "GRU", "SimpleRNN", "RNN") or len(x.shape) < 3:
        return "", 0
    gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
    units = cfg.get("units") if framework == "keras" else cfg.get("hidden_size")
    copies = 1
    if framework == "pytorch":
        directions = 2 if cfg.get("bidirectional") else 1
        copies = directions * cfg.get("num_layers", 1)
        if cfg.get("proj_size") or (cfg.get("num_layers", 1) > 1 and directions * units != x.shape[-1]):
            return "", 0  # the layers read different widths: the total is the sum, shown as a value
    return (f"{f'{copies} (layers x directions) * ' if copies > 1 else ''}{steps} steps * {gates} gates * "
            f"{units} * ({x.shape[-1]} + {units})", copies * steps * gates * units * (x.shape[-1] + units))


def _torch_mha_macs(cfg: dict, query: tuple, key: tuple) -> tuple[str, int]:
    """Projections of query and output (L*E*E each), key and value (S*E*(kdim + vdim)), then the scores and
    the weighted sum (L*S'*E each, S' counting add_bias_kv and add_zero_attn)."""
    e = cfg.get("embed_dim") or cfg.get("d_model")
    kdim, vdim = cfg.get("kdim") or e, cfg.get("vdim") or e
    axis = 1 if cfg.get("batch_first") and len(query) == 3 else 0
    length, source = query[axis], key[axis]
    attended = source + int(bool(cfg.get("add_bias_kv"))) + int(bool(cfg.get("add_zero_attn")))
    return (f"2*{length}*{e}*{e} + {source}*{e}*({kdim} + {vdim}) + 2*{length}*{attended}*{e} "
            "(projections, then scores and weighted sum)",
            2 * length * e * e + source * e * (kdim + vdim) + 2 * length * attended * e)


def _transformer_macs(cfg: dict, target: tuple, memory) -> tuple[str, int]:
    text, value = _torch_mha_macs(cfg, target, target)
    text = f"({text.split(' (')[0]})"
    axis = 1 if cfg.get("batch_first") and len(target) == 3 else 0
    length, d, ff = target[axis], cfg["d_model"], cfg["dim_feedforward"]
    if memory is not None:
        cross = _torch_mha_macs(cfg, target, memory)
        text, value = text + f" + ({cross[0].split(' (')[0]})", value + cross[1]
    return text + f" + 2*{length}*{d}*{ff}", value + 2 * length * d * ff


def _attention_macs(framework: str, layer, cfg: dict, inputs: list) -> tuple[str, int]:
    from archlint.cost import _nested_cfg, _roles

    kind = layer.spec.type
    call = type("Roles", (), {"inputs": inputs, "roles": getattr(layer.spec, "roles", None)})
    if kind == "MultiheadAttention":
        t = _roles(call, ("query", "key", "value"))
        return _torch_mha_macs(cfg, t["query"], t["key"])
    if kind in ("TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder"):
        target = inputs[0].shape
        memory = inputs[1].shape if "Decoder" in kind and len(inputs) > 1 else None
        if kind.endswith("Layer"):
            text, value = _transformer_macs(cfg, target, memory)
            return f"{text} (attention, feed-forward)", value
        nested = _nested_cfg(cfg["encoder_layer" if kind == "TransformerEncoder" else "decoder_layer"], framework)
        text, value = _transformer_macs(nested, target, memory)
        return f"{cfg['num_layers']} * ({text}) (num_layers copies)", cfg["num_layers"] * value
    if kind in ("Attention", "AdditiveAttention"):
        t = _roles(call, ("query", "value", "key"))
        query, value = t["query"], t["value"]
        pairs = prod(query[1:-1] + value[1:-1])
        scores = query[-1] if (kind == "Attention" and cfg["score_mode"] == "dot") or \
            (kind == "AdditiveAttention" and cfg["use_scale"]) else 0
        return f"{pairs} (query, value) position pairs * ({scores} + {value[-1]}) (scores, weighted sum)", \
            pairs * (scores + value[-1])
    if kind == "MultiHeadAttention":
        t = _roles(call, ("query", "value", "key"))
        query, value, key = t["query"], t["value"], t["key"]
        heads, kd = cfg["num_heads"], cfg["key_dim"]
        vd = cfg.get("value_dim") or kd
        axes = cfg.get("attention_axes")
        if axes is not None or cfg.get("use_gate") or not isinstance(cfg.get("output_shape") or query[-1], int):
            return "", 0
        targets, sources = prod(query[1:-1]), prod(value[1:-1])
        out = cfg.get("output_shape") or query[-1]
        return (f"{targets}*{query[-1]}*{heads}*{kd} + {sources}*({key[-1]}*{heads}*{kd} + {value[-1]}*{heads}*{vd})"
                f" + {targets}*{sources}*{heads}*({kd} + {vd}) + {targets}*{heads}*{vd}*{out} "
                "(projections, scores and weighted sum, output)",
                targets * query[-1] * heads * kd + sources * (key[-1] * heads * kd + value[-1] * heads * vd)
                + targets * sources * heads * (kd + vd) + targets * heads * vd * out)
    return "", 0


def _family(framework: str, layer_type: str) -> str:
    from archlint.layers.registry import lookup

    found = lookup(framework, layer_type)
    return found.family if found else ""


def explain_layer(model, layer) -> list[str]:
    framework = model.spec.framework
    inputs = [model.tensors.get(name) for name in layer.inputs]
    x = inputs[0] if inputs else None
    shape_in = format_shape(x.shape) if x is not None else "?"
    if layer.output is None:
        return [f"{layer.name} ({layer.spec.type}): {shape_in} -> not computed (run `archlint check` for why)"]
    out_shape = layer.output.shape[0] if isinstance(layer.output.shape, list) else layer.output.shape
    lines = [f"{layer.name} ({layer.spec.type}): {shape_in} -> {format_shape(out_shape)}"]
    cfg = _config(framework, layer)
    family = _family(framework, layer.spec.type)
    axes = _windows(framework, layer, x)
    explained = set()
    for entry in axes or []:
        if isinstance(entry, str):
            lines.append(f"  {entry}")
            continue
        axis, label, formula, value = entry
        explained.add(axis)
        actual = out_shape[axis]
        lines.append(f"  {label}: out = {formula} = {value}" if value == actual else f"  {label}: out = {actual}")
    if family == "conv" and x is not None:
        channel_axis = 1 if framework == "pytorch" or cfg.get("data_format") == "channels_first" else len(x.shape) - 1
        key = "filters" if framework == "keras" else "out_channels"
        if layer.spec.type.startswith("Depthwise"):
            lines.append(f"  channels: out = {x.shape[channel_axis]} * {cfg.get('depth_multiplier')} "
                         f"(depth_multiplier) = {out_shape[channel_axis]}")
        else:
            lines.append(f"  channels: out = {key} = {out_shape[channel_axis]}")
    elif family == "dense":
        key = "units" if framework == "keras" else "out_features"
        lines.append(f"  features: out = {key} = {out_shape[-1]}")
    elif family == "merge" and None not in inputs:
        lines.extend(f"  {line}" for line in _merge(framework, layer, x, cfg, out_shape, inputs))
    elif family in _FORMULAS:
        lines.extend(f"  {line}" for line in _FORMULAS[family](framework, layer, x, cfg, out_shape))
    elif x is not None and tuple(out_shape) == tuple(x.shape) and family in _PASS_THROUGH:
        lines.append("  shape: unchanged")
    elif family == "pooling" and not axes:
        lines.append("  shape: " + ("global pooling removes the spatial axes" if "Global" in layer.spec.type
                                    else f"output_size = {cfg.get('output_size')}"))
    elif family != "pooling" and not axes:
        lines.extend(f"  {line}" for line in _same_or_shape(framework, layer, x, cfg, out_shape))
    params = _params(framework, layer, x, cfg)
    total = layer.params
    if params is not None and params[1] == total:
        lines.append(f"  params = {params[0]} = {total:,}")
    else:
        lines.append(f"  params = {total:,}")
    macs = layer.output.macs
    if macs:  # layers that multiply nothing with weights (pooling, activations, reshapes) count 0: not shown
        formula, value = _macs_formula(framework, family, layer, x, cfg, out_shape, inputs)
        lines.append(f"  macs = {formula} = {macs:,}" if formula and value == macs else f"  macs = {macs:,}")
    if layer.output.non_trainable:
        what = "all of them, the layer is frozen (trainable: false)" if not layer.spec.trainable else \
            f"{layer.output.non_trainable:,}"
        lines.append(f"  non-trainable: {what}")
    return lines


def explain(model, names: list[str] | None = None) -> str:
    spec = model.spec
    out = [f'Model "{spec.name or spec.path}" ({spec.framework}), inputs: '
           + ", ".join(f"{name} {format_shape((None,) + tuple(shape))}" for name, shape in spec.inputs.items())]
    for layer in model.layers:
        if names and layer.name not in names:
            continue
        out.append("")
        out.extend(explain_layer(model, layer))
        if spec.source is not None:  # a converted file: what the format's own numbers are made of
            out.extend(spec.source.explain(model, layer))
    if spec.source is not None and not names:  # e.g. a Hugging Face config's defaults and figures
        out += [""] + [text for _, text, _ in spec.source.figures(model) if text]
    if not names:
        exact = "" if model.complete else " (lower bound: some layers could not be computed)"
        out += ["", f"Total params: {model.total_params:,}{exact} (trainable {model.trainable_params:,}, "
                    f"non-trainable {model.non_trainable_params:,})"]
    return "\n".join(out)
