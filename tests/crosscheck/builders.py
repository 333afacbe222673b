"""Test-side builders: an archlint spec turned into a real Keras or PyTorch model, layer for layer.

Never part of archlint's runtime (archlint must not import torch or keras). A spec's layers carry
the framework's class name and the constructor's own keyword arguments, so building is a lookup:
`getattr(keras.layers, type)(**kwargs)` or `getattr(torch.nn, type)(**kwargs)`. For PyTorch the input
sizes the spec may leave out (in_channels, in_features, num_features) are filled in from the input
shapes archlint computed, which is what a user writing the module by hand would do.

`framework_rows` runs a forward pass on a batch of 2 and returns, per layer, what the framework says:
the output shape (batch axis first) and the trainable / non-trainable parameter counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from math import prod

BATCH = 2

# PyTorch keywords that give the size of the input, and the input axis they are read from.
TORCH_INPUT_SIZE = {
    **{f"Conv{n}d": ("in_channels", 1) for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": ("in_channels", 1) for n in (1, 2, 3)},
    **{f"BatchNorm{n}d": ("num_features", 1) for n in (1, 2, 3)},
    **{f"InstanceNorm{n}d": ("num_features", 1) for n in (1, 2, 3)},
    "Linear": ("in_features", -1),
}


@dataclass
class Row:
    """One layer as a framework (or archlint) sees it."""

    name: str
    type: str
    shape: tuple  # batch axis first
    trainable: int
    non_trainable: int


def archlint_rows(model) -> list[Row]:
    """The walked archlint model as rows (the batch axis as archlint writes it: None)."""
    return [
        Row(layer.name, layer.spec.type, tuple(layer.output.shape) if layer.output else None,
            layer.trainable, layer.non_trainable)
        for layer in model.layers
    ]


def check_sequential(model) -> None:
    """The builders handle a chain of layers: each reads the one before it."""
    previous = next(iter(model.spec.inputs))
    for layer in model.layers:
        if layer.inputs != [previous]:
            raise NotImplementedError(f"{layer.name} reads {layer.inputs}: only a chain of layers is built")
        previous = layer.name


def input_shape(model) -> tuple:
    (shape,) = model.spec.inputs.values()
    return tuple(shape)


def _numel(weights) -> int:
    return sum(prod(tuple(w.shape)) for w in weights)


# --- Keras ---------------------------------------------------------------------------------------

def import_keras():
    """Keras on the torch backend (set before keras is first imported)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def build_keras(model):
    """A keras.Sequential with one Keras layer per spec layer, built on the spec's input."""
    keras = import_keras()
    check_sequential(model)
    layers = []
    for layer in model.layers:
        cls = getattr(keras.layers, layer.spec.type)
        built = cls(name=layer.name, **layer.spec.kwargs)
        if not layer.spec.trainable:
            built.trainable = False
        layers.append(built)
    return keras.Sequential([keras.Input(shape=input_shape(model))] + layers, name="crosscheck")


def keras_rows(model) -> tuple[list[Row], list[Row], object]:
    """(symbolic rows, rows from a forward pass on a batch of 2, the keras model)."""
    import numpy as np

    net = build_keras(model)
    symbolic = [
        Row(layer.name, type(layer).__name__, tuple(layer.output.shape),
            _numel(layer.trainable_weights), _numel(layer.non_trainable_weights))
        for layer in net.layers
    ]
    for layer, row in zip(net.layers, symbolic):
        assert layer.count_params() == row.trainable + row.non_trainable, layer.name
    x = np.random.default_rng(0).standard_normal((BATCH,) + input_shape(model)).astype("float32")
    concrete = []
    for layer, row in zip(net.layers, symbolic):
        x = layer(x, training=False)
        concrete.append(Row(row.name, row.type, tuple(x.shape), row.trainable, row.non_trainable))
    return symbolic, concrete, net


# --- PyTorch -------------------------------------------------------------------------------------

def build_torch(model):
    """A torch.nn.Sequential with one module per spec layer, input sizes filled in from archlint."""
    import torch

    check_sequential(model)
    modules = []
    for layer in model.layers:
        kwargs = dict(layer.spec.kwargs)
        fill = TORCH_INPUT_SIZE.get(layer.spec.type)
        if fill and kwargs.get(fill[0]) is None:
            shape = model.tensors[layer.inputs[0]].shape
            kwargs[fill[0]] = shape[fill[1]]
        module = getattr(torch.nn, layer.spec.type)(**kwargs)
        if not layer.spec.trainable:
            for parameter in module.parameters():
                parameter.requires_grad_(False)
        modules.append(module)
    return torch.nn.Sequential(*modules)


def torch_rows(model) -> tuple[list[Row], object]:
    """Rows from a forward pass on a batch of 2 (eval mode), and the torch model.

    Trainable means a parameter with requires_grad; non-trainable a parameter without it. Buffers
    (BatchNorm's running_mean, running_var, num_batches_tracked) are state, not parameters: PyTorch
    does not count them, and neither does archlint's PyTorch dialect.
    """
    import torch

    net = build_torch(model).eval()
    rows = []
    x = torch.randn((BATCH,) + input_shape(model), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for layer, module in zip(model.layers, net):
            x = module(x)
            params = list(module.parameters(recurse=True))
            rows.append(Row(layer.name, type(module).__name__, tuple(x.shape),
                            sum(p.numel() for p in params if p.requires_grad),
                            sum(p.numel() for p in params if not p.requires_grad)))
    return rows, net
