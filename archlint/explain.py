"""`archlint explain`: how each output size and parameter count was derived, with the values filled in.

The derivations are written out here from each layer's keyword arguments (framework defaults filled in)
and input shape, then checked against what the layer rules computed: a formula is printed only when
its value is the rule's value, so the explanation can never disagree with the check. Layer families
without a formula here (activations, dropout, reshapes) say that they keep or reshape the tensor.
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


# The derivation of a family's output shape (and weights) where no window or channel formula applies
_FORMULAS = {"recurrent": _recurrent, "transformer": _transformer, "attention": _attention}


def _macs_formula(framework: str, family: str, layer, x, cfg: dict, out_shape) -> str:
    """The MAC formula with the values filled in, for the families with a one-line definition."""
    if x is None:
        return ""
    if family == "dense":
        positions = prod(n for n in out_shape[1:-1]) if len(out_shape) > 2 and None not in out_shape[1:-1] else 1
        where = f"{positions} positions * " if positions != 1 else ""
        return f"{where}{x.shape[-1]} * {out_shape[-1]} (in * out features)"
    window = layer.output.window if layer.output is not None else None
    if family == "conv" and window is not None and not window.transposed \
            and "Depthwise" not in layer.spec.type and "Separable" not in layer.spec.type:
        spatial = [out_shape[axis] for axis in window.axes]
        channel = 1 if window.channels_first else -1
        cin, cout = x.shape[channel], out_shape[channel]
        groups = cfg.get("groups", 1) or 1
        if None in spatial or cin is None:
            return ""
        return (f"{'*'.join(map(str, spatial))} output positions * {'*'.join(map(str, window.kernel))} kernel * "
                f"{cin}{f'/{groups}' if groups != 1 else ''} in * {cout} out channels")
    if family == "recurrent" and layer.spec.type in ("LSTM", "GRU", "SimpleRNN", "RNN") and len(x.shape) >= 3:
        gates = {"LSTM": 4, "GRU": 3}.get(layer.spec.type, 1)
        units = cfg.get("units") if framework == "keras" else cfg.get("hidden_size")
        copies = 1
        if framework == "pytorch":
            directions = 2 if cfg.get("bidirectional") else 1
            copies = directions * cfg.get("num_layers", 1)
            if cfg.get("proj_size") or (cfg.get("num_layers", 1) > 1 and directions * units != x.shape[-1]):
                return ""  # the layers read different widths: the total is the sum, shown as a value
        return (f"{f'{copies} (layers x directions) * ' if copies > 1 else ''}{x.shape[1]} steps * {gates} gates * "
                f"{units} * ({x.shape[-1]} + {units})")
    return ""


def _family(framework: str, layer_type: str) -> str:
    from archlint.layers.registry import lookup

    found = lookup(framework, layer_type)
    return found.family if found else ""


def explain_layer(model, layer) -> list[str]:
    framework = model.spec.framework
    x = model.tensors.get(layer.inputs[0]) if layer.inputs else None
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
        lines.append(f"  channels: out = {key} = {out_shape[channel_axis]}")
    elif family == "dense":
        key = "units" if framework == "keras" else "out_features"
        lines.append(f"  features: out = {key} = {out_shape[-1]}")
    elif family in _FORMULAS:
        lines.extend(f"  {line}" for line in _FORMULAS[family](framework, layer, x, cfg, out_shape))
    elif x is not None and tuple(out_shape) == tuple(x.shape) and family in _PASS_THROUGH:
        lines.append("  shape: unchanged")
    elif family == "pooling" and not axes:
        lines.append("  shape: " + ("global pooling removes the spatial axes" if "Global" in layer.spec.type
                                    else f"output_size = {cfg.get('output_size')}"))
    params = _params(framework, layer, x, cfg)
    total = layer.params
    if params is not None and params[1] == total:
        lines.append(f"  params = {params[0]} = {total:,}")
    else:
        lines.append(f"  params = {total:,}")
    macs = layer.output.macs
    if macs:  # layers that multiply nothing with weights (pooling, activations, reshapes) count 0: not shown
        formula = _macs_formula(framework, family, layer, x, cfg, out_shape)
        lines.append(f"  macs = {formula} = {macs:,}" if formula else f"  macs = {macs:,}")
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
