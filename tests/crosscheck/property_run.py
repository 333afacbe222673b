"""Verdicts for the property cross-check: what archlint says about a spec, and what the framework does.

Both return None when the model is refused, else one (output shape, trainable, non-trainable) row per
layer; `same_rows` compares them (archlint's unknown batch matches the batch of 2). The framework side builds the layers from the spec's own class names and
keywords (test-side only), runs a forward pass on a batch of 2, and counts an exception anywhere
(constructor, build, forward) as a refusal. PyTorch input sizes the spec leaves out (in_channels,
in_features, num_features, num_channels, input_size) are filled from the tensor that reaches the
module, as a user writing the model by hand would. Specs may be graphs: `inputs:` names model inputs
(a list in the call order, or a mapping by role), a layer without it reads the layer before; model
inputs an Embedding reads hold integer ids below its vocabulary.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from math import prod

from builders import BATCH, KERAS_ROLE_ORDER, TORCH_ROLE_ORDER, import_keras, keras_layer, torch_module

from archlint.lint import lint_file

# PyTorch keywords giving the size of the input, and the axis they are read from
TORCH_INPUT_SIZES = {"in_channels": 1, "num_features": 1, "num_channels": 1, "in_features": -1, "input_size": -1}
RESERVED = ("type", "name", "inputs", "expect", "trainable")


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
    rows = [(_primary(layer.output.shape), layer.trainable, layer.non_trainable) for layer in result.model.layers]
    return rows, findings, result.model


def same_rows(ours, theirs) -> bool:
    """Equal verdicts: both refused, or every layer's counts equal and its shape equal axis by axis, where
    archlint's unknown size (None: the batch, or a size the batch enters, as torch.flatten(x) from dim 0)
    stands for a positive multiple of the batch."""
    if ours is None or theirs is None:
        return ours is theirs
    return len(ours) == len(theirs) and all(
        (t, n) == (t2, n2) and len(shape) == len(shape2)
        and all(a == b or (a is None and b > 0 and b % BATCH == 0) for a, b in zip(shape, shape2))
        for (shape, t, n), (shape2, t2, n2) in zip(ours, theirs))


def _primary(shape) -> tuple:
    """The output the next layer reads: the first of several (return_state, PyTorch's tuples)."""
    return tuple(shape[0] if isinstance(shape, list) else shape)


def _numel(weights) -> int:
    return sum(prod(tuple(w.shape)) for w in weights)


def _sources(entry: dict, previous: str, order: tuple) -> list[str]:
    """The names a layer reads, in the framework's call order: the previous layer's output by default; a
    mapping by role reordered, a missing optional role taking the one before it (Keras: key = value)."""
    inputs = entry.get("inputs")
    if inputs is None:
        return [previous]
    if isinstance(inputs, list):
        return inputs
    names = []
    for index, role in enumerate(order):
        names.append(inputs.get(role, names[index - 1] if index else None))
    return [n for n in names if n is not None]


def _model_inputs(spec: dict) -> dict:
    return spec["inputs"] if "inputs" in spec else {"input": spec["input"]}


def _vocabulary(spec: dict) -> dict[str, int]:
    """Model inputs read by an Embedding -> the largest id + 1 they may hold (ids start at 0)."""
    sizes = {}
    for index, entry in enumerate(spec["layers"]):
        if entry["type"] == "Embedding":
            vocabulary = entry.get("input_dim", entry.get("num_embeddings"))
            for name in _sources(entry, "input" if index == 0 else "", ()):
                if name in _model_inputs(spec):
                    sizes[name] = max(1, min(vocabulary, sizes.get(name, vocabulary)))
    return sizes


def _arrays(spec: dict, int_dtype: str) -> dict:
    """A batch of 2 for every model input: ids below the vocabulary for an Embedding, floats otherwise."""
    import numpy as np

    rng = np.random.default_rng(0)
    ids = _vocabulary(spec)
    return {name: (rng.integers(0, ids[name], (BATCH,) + tuple(shape)).astype(int_dtype) if name in ids
                   else rng.standard_normal((BATCH,) + tuple(shape)).astype("float32"))
            for name, shape in _model_inputs(spec).items()}


def _keras_call(layer, entry: dict, args: list):
    if entry["type"] == "MultiHeadAttention":  # mha(query, value, key); one input: mha(x, x)
        return layer(args[0], args[1] if len(args) > 1 else args[0], *args[2:])
    if REGISTRY_FAMILY.get(("keras", entry["type"])) == "merge" or entry["type"] in ("Attention", "AdditiveAttention"):
        return layer(args)  # merges and Attention take a list
    return layer(args[0])


def keras_verdict(spec: dict):
    """(rows or None, the error text). Symbolic build, then a forward pass; both must agree."""
    keras = import_keras()

    ids = _vocabulary(spec)
    symbolic = {name: keras.Input(shape=tuple(shape), name=name, dtype="int32" if name in ids else "float32")
                for name, shape in _model_inputs(spec).items()}
    eager = _arrays(spec, "int32")
    previous, rows = next(iter(symbolic)), []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for index, entry in enumerate(spec["layers"]):
                layer = keras_layer(entry)
                name = f"layer{index}"
                names = _sources(entry, previous, KERAS_ROLE_ORDER)
                out = _keras_call(layer, entry, [symbolic[n] for n in names])
                symbolic[name] = out[0] if isinstance(out, (list, tuple)) else out
                sym = tuple(symbolic[name].shape[1:])
                value = _keras_call(layer, entry, [eager[n] for n in names])
                eager[name] = value[0] if isinstance(value, (list, tuple)) else value
                if tuple(eager[name].shape[1:]) != sym:
                    return None, f"{layer.name}: forward shape {tuple(eager[name].shape)} differs from symbolic {sym}"
                # the forward pass's shape, batch axis included (an unbatched read changes it: W007)
                rows.append((tuple(eager[name].shape), _numel(layer.trainable_weights),
                             _numel(layer.non_trainable_weights)))
                previous = name
    except Exception as exc:  # noqa: BLE001  (any refusal counts)
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"
    return rows, ""


def torch_verdict(spec: dict):
    """(rows or None, the error text). Modules in training mode, as a training step runs them."""
    import torch

    tensors = {name: torch.from_numpy(value) for name, value in _arrays(spec, "int64").items()}
    previous, rows = next(iter(tensors)), []
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            for index, entry in enumerate(spec["layers"]):
                kind = entry["type"]
                names = _sources(entry, previous, TORCH_ROLE_ORDER.get(kind, ()))
                args = [tensors[n] for n in names]
                kwargs = {k: v for k, v in entry.items() if k not in RESERVED}
                if kind.startswith("torch."):  # a function: the tensors, then its keywords
                    function = getattr(torch, kind.split(".", 1)[1])
                    out = function(args, **kwargs) if kind in ("torch.cat", "torch.stack") else function(*args, **kwargs)
                    params = []
                else:
                    x = args[0]
                    if not any(isinstance(v, dict) for v in kwargs.values()):
                        for key, axis in TORCH_INPUT_SIZES.items():
                            if key in _torch_defaults(kind) and kwargs.get(key) is None and x.dim() > 0:
                                kwargs[key] = x.shape[axis]
                        module = getattr(torch.nn, kind)(**kwargs)
                    else:  # nested layers (Transformer stacks)
                        module = torch_module(entry)
                    if kind == "MultiheadAttention" and len(args) == 1:  # self-attention: mha(x, x, x)
                        args = args * 3
                    out = module(*args)
                    params = list(module.parameters())
                while isinstance(out, tuple):  # (output, state), (attn_output, attn_weights): the first goes on
                    out = out[0]
                name = f"layer{index}"
                tensors[name] = out
                rows.append((tuple(out.shape), sum(p.numel() for p in params if p.requires_grad),
                             sum(p.numel() for p in params if not p.requires_grad)))
                previous = name
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"
    return rows, ""


def _torch_defaults(name: str) -> dict:
    from archlint.layers.registry import PYTORCH, lookup

    layer_type = lookup(PYTORCH, name)
    return layer_type.defaults if layer_type else {}


def _families() -> dict:
    from archlint.layers.registry import REGISTRY, load_all

    load_all()
    return {key: layer_type.family for key, layer_type in REGISTRY.items()}


REGISTRY_FAMILY = _families()
