"""Keras masks after the walk: which tensors carry a mask, and the layers whose forward pass it breaks.

Keras 3 attaches a mask to the output of `Embedding(mask_zero=True)` (the ids' shape) and `Masking` (the
input without its last axis), and hands it to every later layer on its own: a layer that supports masks
keeps it (or computes a new one), any other drops it. Observed on Keras 3.15.1 (torch backend) by
`tests/crosscheck/test_keras_mask_sweep.py`, which asserts every table below. A mask that reaches a layer
outside the tables is W030 (its handling is not modelled); a Softmax that cannot broadcast the mask onto
its input is E031, in Keras's words.
"""

from __future__ import annotations

from archlint import rules
from archlint.shapes import format_shape
from archlint.walk import Model, Sink, WalkedLayer, sink_for_layer

# Layers that hand the mask they receive on unchanged (supports_masking, the default compute_mask).
KEEP = frozenset({"Dense", "Activation", "LayerNormalization", "BatchNormalization", "Dropout",
                  "TimeDistributed", "Softmax", "Attention", "MultiHeadAttention", "Add", "Multiply"})
# Recurrent layers: they read the mask, and keep it with return_sequences=True, drop it otherwise.
RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN", "Bidirectional"})
# Layers that drop the mask without failing (Keras warns that layers without mask support destroy it).
DROP = frozenset({"Conv1D", "MaxPooling1D", "AveragePooling1D", "Flatten", "Reshape", "GlobalAveragePooling1D",
                  "GlobalMaxPooling1D", "Permute", "Cropping1D", "ZeroPadding1D", "UpSampling1D"})
# Every class above, Masking (which makes its own) and Concatenate on its last axis only.
MODELLED = KEEP | RECURRENT | DROP | {"Concatenate", "Masking"}


def _shape(model: Model, name: str):
    tensor = model.tensors.get(name)
    return None if tensor is None or tensor.assumed else tuple(tensor.shape)


def _created(layer: WalkedLayer, shape: tuple):
    """The mask a layer attaches itself, or None."""
    if layer.spec.type == "Embedding" and (layer.cfg or {}).get("mask_zero"):
        return shape
    if layer.spec.type == "Masking":
        return shape[:-1]
    return None


def _softmax(layer: WalkedLayer, x: tuple, mask: tuple, sink: Sink) -> None:
    """Keras's Softmax.call: the mask aligned with the input's last axes, each size 1 or equal."""
    words = "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or match the " \
            "corresponding input dimension."
    batch_against = None
    if len(mask) > len(x):
        words = "The `mask` must be broadcastable to `inputs` and must not have more dimensions."
    else:
        pairs = list(zip(reversed(mask), reversed(x)))
        if not any(m is not None and i is not None and m != 1 and m != i for m, i in pairs):
            # the mask's batch axis meeting a data axis fails unless the batch size is 1 or that size
            batch_against = next((i for m, i in pairs if m is None and i is not None and i != 1), None)
            if batch_against is None:
                return
    message = f"{layer.name} cannot broadcast the mask {format_shape(mask)} onto its input {format_shape(x)}"
    if batch_against is not None:
        message += f" at a batch size other than 1 or {batch_against}"
    sink_for_layer(layer.spec, sink)(
        rules.KERAS_MASK_NOT_BROADCASTABLE, message, layer.spec.where + ("type",),
        f"Keras: {words} Received: inputs.shape={format_shape(x)}, mask.shape={format_shape(mask)}. The mask of "
        "Embedding(mask_zero=True) or Masking is aligned with the input's last axes: use Activation('softmax'), "
        "which ignores the mask, or a layer that drops it before")


def _unmodelled(layer: WalkedLayer, masks: list, sink: Sink, why: str) -> None:
    sink_for_layer(layer.spec, sink)(
        rules.KERAS_MASK_UNMODELLED,
        f"{layer.name} ({layer.spec.type}) receives a Keras mask {format_shape(masks[0])}, not modelled",
        layer.spec.where + ("type",),
        f"{why}: archlint does not check this layer's forward pass with the mask; run the model once in Keras, "
        "or drop the mask before it (a layer without mask support, such as Conv1D or Reshape)")


def check_masks(model: Model, sink: Sink) -> dict[str, tuple]:
    """Follows the masks of a Keras model through its layers (E031, W030); returns the shape of the mask
    each layer's output carries, by layer name."""
    masks: dict[str, tuple] = {}
    if model.spec.framework != "keras":
        return masks
    for layer in model.order or model.layers:
        out = layer.output
        if out is None:
            continue
        shapes = [_shape(model, name) for name in layer.inputs]
        received = [masks.get(name) for name in layer.inputs]
        got = [m for m in received if m is not None]
        kind = layer.spec.type
        if not got:
            if len(shapes) == 1 and shapes[0] is not None and not isinstance(out.shape, list):
                created = _created(layer, tuple(out.shape) if kind == "Masking" else shapes[0])
                if created is not None:
                    masks[layer.name] = created
            continue
        if any(s is None for s in shapes):
            continue  # an input recovered after an error: its mask is not followed (no cascade)
        if kind not in MODELLED or isinstance(out.shape, list):
            _unmodelled(layer, got, sink, "how this layer uses or passes on a mask")
            continue
        x = shapes[0]
        if kind == "Softmax":
            _softmax(layer, x, got[0], sink)
            masks[layer.name] = got[0]
            continue
        if kind == "Masking":
            masks[layer.name] = x[:-1]
            continue
        if any(m != s[:-1] for m, s in zip(received, shapes) if m is not None) or len(set(got)) > 1:
            _unmodelled(layer, got, sink, "a mask of another shape than its input without its last axis")
            continue
        if kind == "Concatenate" and (layer.cfg or {}).get("axis", -1) not in (-1, len(x) - 1):
            _unmodelled(layer, got, sink, "Keras concatenates the masks along the axis")
            continue
        if kind in KEEP or kind == "Concatenate":
            query = layer.spec.roles.index("query") if layer.spec.roles and "query" in layer.spec.roles else 0
            masks[layer.name] = got[0] if kind not in ("Attention", "MultiHeadAttention") else received[query]
            if masks[layer.name] is None:
                del masks[layer.name]
        elif kind in RECURRENT:
            cfg = layer.cfg or {}
            inner = cfg.get("layer") if kind == "Bidirectional" else cfg
            if isinstance(inner, dict) and inner.get("return_sequences"):
                masks[layer.name] = got[0]
    return masks
