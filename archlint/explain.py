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
    elif x is not None and tuple(out_shape) == tuple(x.shape):
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
    if layer.output.non_trainable:
        what = "all of them, the layer is frozen (trainable: false)" if not layer.spec.trainable else \
            f"{layer.output.non_trainable:,}"
        lines.append(f"  non-trainable: {what}")
    return lines


def explain(model, names: list[str] | None = None, source=None) -> str:
    """`source`: the importer's SourceHooks of a converted file, which may add its own derivations."""
    spec = model.spec
    out = [f'Model "{spec.name or spec.path}" ({spec.framework}), inputs: '
           + ", ".join(f"{name} {format_shape((None,) + tuple(shape))}" for name, shape in spec.inputs.items())]
    for layer in model.layers:
        if names and layer.name not in names:
            continue
        out.append("")
        out.extend(explain_layer(model, layer))
        if source is not None:
            out.extend(source.explain(layer.name))
    if not names:
        exact = "" if model.complete else " (lower bound: some layers could not be computed)"
        out += ["", f"Total params: {model.total_params:,}{exact} (trainable {model.trainable_params:,}, "
                    f"non-trainable {model.non_trainable_params:,})"]
    return "\n".join(out)
