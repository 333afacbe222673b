"""Verdicts for the property cross-check: what archlint says about a spec, and what the framework does.

Both return None when the model is refused, else one (output shape without the batch axis, trainable,
non-trainable) row per layer. The framework side builds the layers from the spec's own class names and
keywords (test-side only), runs a forward pass on a batch of 2, and counts an exception anywhere
(constructor, build, forward) as a refusal. PyTorch input sizes the spec leaves out (in_channels,
in_features, num_features, num_channels, input_size) are filled from the tensor that reaches the
module, as a user writing the model by hand would.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from math import prod

from archlint.lint import lint_file
from builders import BATCH, import_keras

# PyTorch keywords giving the size of the input, and the axis they are read from
TORCH_INPUT_SIZES = {"in_channels": 1, "num_features": 1, "num_channels": 1, "in_features": -1, "input_size": -1}


def archlint_verdict(spec: dict):
    """(rows or None, the findings as 'CODE message' strings, the walked model)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "spec.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        result = lint_file(path)
    findings = [f"{f.rule.code} {f.message}" for f in result.findings]
    if any(f.is_error for f in result.findings) or result.model is None or not result.model.complete:
        return None, findings, result.model
    rows = [(_primary(layer.output.shape)[1:], layer.trainable, layer.non_trainable) for layer in result.model.layers]
    return rows, findings, result.model


def _primary(shape) -> tuple:
    """The output the next layer reads: the first of several (return_state, PyTorch's tuples)."""
    return tuple(shape[0] if isinstance(shape, list) else shape)


def _numel(weights) -> int:
    return sum(prod(tuple(w.shape)) for w in weights)


def keras_verdict(spec: dict):
    """(rows or None, the error text). Symbolic build, then a forward pass; both must agree."""
    keras = import_keras()
    import numpy as np

    shape = tuple(spec["input"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers = [getattr(keras.layers, entry["type"])(**_kwargs(entry)) for entry in spec["layers"]]
            keras.Sequential([keras.Input(shape=shape)] + layers)
            symbolic = [tuple(layer.output.shape[1:]) for layer in layers]
            x = np.random.default_rng(0).standard_normal((BATCH,) + shape).astype("float32")
            rows = []
            for layer, sym in zip(layers, symbolic):
                x = layer(x)
                if tuple(x.shape[1:]) != sym:
                    return None, f"{layer.name}: forward shape {tuple(x.shape)} differs from symbolic {sym}"
                rows.append((sym, _numel(layer.trainable_weights), _numel(layer.non_trainable_weights)))
    except Exception as exc:  # noqa: BLE001  (any refusal counts)
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"
    return rows, ""


def torch_verdict(spec: dict):
    """(rows or None, the error text). Modules in training mode, as a training step runs them."""
    import torch

    x = torch.randn((BATCH,) + tuple(spec["input"]), generator=torch.Generator().manual_seed(0))
    rows = []
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            for entry in spec["layers"]:
                kwargs = _kwargs(entry)
                registry_defaults = _torch_defaults(entry["type"])
                for key, axis in TORCH_INPUT_SIZES.items():
                    if key in registry_defaults and kwargs.get(key) is None and x.dim() > 0:
                        kwargs[key] = x.shape[axis]
                module = getattr(torch.nn, entry["type"])(**kwargs)
                x = module(x)
                if isinstance(x, tuple):  # RNN modules: (output, state); the next layer reads the output
                    x = x[0]
                params = list(module.parameters())
                rows.append((tuple(x.shape[1:]), sum(p.numel() for p in params if p.requires_grad),
                             sum(p.numel() for p in params if not p.requires_grad)))
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"
    return rows, ""


def _kwargs(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "type"}  # lists stay lists, as the spec writes them


def _torch_defaults(name: str) -> dict:
    from archlint.layers.registry import PYTORCH, lookup

    layer_type = lookup(PYTORCH, name)
    return layer_type.defaults if layer_type else {}
