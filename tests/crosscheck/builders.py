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


# --- Graphs: several inputs and outputs, integer ids, tuples, nested layers, inputs by role ----------
# (issue 4: attention, recurrent, embedding and wrapper layers). Each layer reads the tensors its
# `inputs:` name, in the order the walk applied them; a layer with several outputs (Keras return_state,
# PyTorch's (output, h_n), (attn_output, attn_weights)) shows all of them and passes the first on, as
# archlint does. Model inputs read by an Embedding are integer ids below the vocabulary size.

NESTED_RESERVED = ("type", "name", "inputs", "expect", "trainable")
KERAS_ROLE_ORDER = ("query", "value", "key")
TORCH_ROLE_ORDER = {"MultiheadAttention": ("query", "key", "value"), "TransformerDecoderLayer": ("tgt", "memory"),
                    "TransformerDecoder": ("tgt", "memory")}
# PyTorch keywords that give an input size (left out of a spec), and the input axis they are read from
TORCH_INPUT_SIZES = {"in_channels": 1, "num_features": 1, "num_channels": 1, "in_features": -1, "input_size": -1}


def shape_list(shape) -> list[tuple]:
    """One output shape or several, as a list of tuples."""
    return [tuple(s) for s in shape] if isinstance(shape, (list, tuple)) and shape and isinstance(
        shape[0], (list, tuple)) else [tuple(shape)]


def with_batch(shape: tuple) -> tuple:
    """archlint's shape with the unknown sizes as the batch of 2: in the specs checked here every size
    but the batch is known, and a torch module that reads the batch as a sequence moves it elsewhere."""
    return tuple(BATCH if d is None else d for d in shape)


def walk_order(model) -> list:
    """The walked layers in an order where each comes after the layers it reads (file order when it can)."""
    ready, pending, order = set(model.spec.inputs), list(model.layers), []
    while pending:
        layer = next(layer for layer in pending if all(name in ready for name in layer.inputs))
        pending.remove(layer)
        order.append(layer)
        ready.add(layer.name)
    return order


def index_inputs(model) -> dict[str, int]:
    """Model inputs read by an Embedding -> the smallest vocabulary that reads them."""
    sizes: dict[str, int] = {}
    for layer in model.layers:
        if layer.spec.type == "Embedding":
            vocabulary = layer.spec.kwargs.get("input_dim") or layer.spec.kwargs.get("num_embeddings")
            for name in layer.inputs:
                if name in model.spec.inputs:
                    sizes[name] = min(vocabulary, sizes.get(name, vocabulary))
    return sizes


def sample_inputs(model, framework: str) -> dict:
    """A batch of 2 for every model input: integer ids for embeddings, floats otherwise."""
    import numpy as np

    rng = np.random.default_rng(0)
    ids = index_inputs(model)
    arrays = {}
    for name, shape in model.spec.inputs.items():
        full = (BATCH,) + tuple(BATCH if d is None else d for d in shape)  # an unknown length: 2, as with_batch
        arrays[name] = (rng.integers(0, ids[name], full).astype("int64" if framework == "pytorch" else "int32")
                        if name in ids else rng.standard_normal(full).astype("float32"))
    return arrays


def ordered_inputs(layer, order: tuple) -> list[str]:
    """The layer's input names in the framework's call order (a mapping by role is reordered; a missing
    optional role takes the one before it, a single query is self-attention)."""
    roles = layer.spec.roles
    if not roles:
        return list(layer.inputs)
    given = dict(zip(roles, layer.inputs))
    if list(given) == ["query"]:
        return [given["query"]]
    names = []
    for index, role in enumerate(order):
        names.append(given.get(role, names[index - 1] if index else None))
    return names


def _nested_kwargs(spec: dict, build) -> dict:
    return {k: (build(v) if isinstance(v, dict) and "type" in v else v)
            for k, v in spec.items() if k not in NESTED_RESERVED}


def keras_layer(spec: dict, name: str | None = None):
    """A Keras layer from a (possibly nested) layer mapping."""
    keras = import_keras()
    built = getattr(keras.layers, spec["type"])(**_nested_kwargs(spec, keras_layer), **({"name": name} if name else {}))
    if spec.get("trainable", True) is False:
        built.trainable = False
    return built


def keras_layer_rows(model) -> tuple[list[Row], list[list[tuple]]]:
    """(symbolic rows, the shapes of a forward pass on a batch of 2) for every layer of a Keras spec.
    A row's shape is the list of the layer's output shapes."""
    keras = import_keras()
    ids = index_inputs(model)
    tensors = {name: keras.Input(shape=tuple(shape), name=name, dtype="int32" if name in ids else "float32")
               for name, shape in model.spec.inputs.items()}
    built: dict[str, object] = {}
    rows, outputs = [], []
    for layer in walk_order(model):
        spec = {"type": layer.spec.type, **layer.spec.kwargs}
        if not layer.spec.trainable:
            spec["trainable"] = False
        module = built[layer.spec.shares] if layer.spec.shares else keras_layer(spec, layer.name)
        built[layer.name] = module
        args = [tensors[n] for n in ordered_inputs(layer, KERAS_ROLE_ORDER)]
        if layer.spec.type == "MultiHeadAttention":
            out = module(args[0], args[1] if len(args) > 1 else args[0], *args[2:])
        elif layer.spec.type in ("Attention", "AdditiveAttention"):
            out = module(args if len(args) > 1 else args * 2)
        else:
            out = module(args if len(args) > 1 else args[0])
        shapes = [tuple(t.shape) for t in (out if isinstance(out, (list, tuple)) else [out])]
        tensors[layer.name] = out[0] if isinstance(out, (list, tuple)) else out
        outputs.append(list(out) if isinstance(out, (list, tuple)) else [out])
        shared = bool(layer.spec.shares)
        rows.append(Row(layer.name, layer.spec.type, shapes, 0 if shared else _numel(module.trainable_weights),
                        0 if shared else _numel(module.non_trainable_weights)))
    net = keras.Model(list(tensors[n] for n in model.spec.inputs), [t for out in outputs for t in out])
    arrays = sample_inputs(model, "keras")
    values = net([arrays[n] for n in model.spec.inputs], training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    concrete, index = [], 0
    for out in outputs:
        concrete.append([tuple(v.shape) for v in values[index:index + len(out)]])
        index += len(out)
    return rows, concrete


def torch_module(spec: dict, input_shape: tuple | None = None):
    """A torch.nn module from a (possibly nested) layer mapping; input sizes left out are filled in."""
    import torch

    kwargs = _nested_kwargs(spec, torch_module)
    from archlint.layers.registry import lookup

    defaults = lookup("pytorch", spec["type"]).defaults
    for key, axis in TORCH_INPUT_SIZES.items():
        if key in defaults and kwargs.get(key) is None and input_shape is not None:
            kwargs[key] = input_shape[axis]
    module = getattr(torch.nn, spec["type"])(**kwargs)
    if spec.get("trainable", True) is False:
        for parameter in module.parameters():
            parameter.requires_grad_(False)
    return module


def _flatten(value) -> list:
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten(item)]
    return [] if value is None else [value]


def torch_layer_rows(model) -> list[Row]:
    """Rows from a forward pass on a batch of 2 (eval mode) for every layer of a PyTorch spec; a row's
    shape is the list of the module's output shapes (a tuple flattened, as archlint lists them)."""
    import torch

    arrays = sample_inputs(model, "pytorch")
    tensors = {name: torch.from_numpy(value) for name, value in arrays.items()}
    built: dict[str, object] = {}
    rows = []
    with torch.no_grad():
        for layer in walk_order(model):
            names = ordered_inputs(layer, TORCH_ROLE_ORDER.get(layer.spec.type, ()))
            args = [tensors[n] for n in names]
            kwargs = dict(layer.spec.kwargs)
            if layer.spec.type.startswith("torch."):
                function, params = getattr(torch, layer.spec.type.split(".", 1)[1]), 0
                out = function(args, **kwargs) if layer.spec.type in ("torch.cat", "torch.stack") else function(
                    *args, **kwargs)
                trainable = frozen = 0
            else:
                spec = {"type": layer.spec.type, **kwargs, "trainable": layer.spec.trainable}
                module = built[layer.spec.shares] if layer.spec.shares else torch_module(
                    spec, model.tensors[layer.inputs[0]].shape).eval()
                built[layer.name] = module
                if layer.spec.type == "MultiheadAttention" and len(args) == 1:
                    args = args * 3
                out = module(*args)
                params = [] if layer.spec.shares else list(module.parameters())
                trainable = sum(p.numel() for p in params if p.requires_grad)
                frozen = sum(p.numel() for p in params if not p.requires_grad)
            values = _flatten(out)
            tensors[layer.name] = values[0]
            rows.append(Row(layer.name, layer.spec.type, [tuple(v.shape) for v in values], trainable, frozen))
    return rows


def needs_layer_builder(model) -> bool:
    """Specs that graph_builders.py does not build: nested layers (wrappers, Transformer stacks), inputs
    by role, attention layers (self-attention from one input, Keras's list call)."""
    from archlint.layers.registry import lookup

    return any(layer.spec.roles or any(isinstance(v, dict) for v in layer.spec.kwargs.values())
               or getattr(lookup(model.spec.framework, layer.spec.type), "family", "") == "attention"
               for layer in model.layers)


def compare_with_framework(model) -> None:
    """Every layer's output shapes and trainable / non-trainable counts equal the framework's, and so do
    the totals (each layer's own weights: an `apply:` owns none)."""
    ours = [(layer.name, [tuple(s) for s in shape_list(layer.output.shape)], layer.trainable, layer.non_trainable)
            for layer in walk_order(model)]
    if model.spec.framework == "keras":
        symbolic, concrete = keras_layer_rows(model)
        assert ours == [(r.name, r.shape, r.trainable, r.non_trainable) for r in symbolic]
        assert [[with_batch(s) for s in shapes] for _, shapes, _, _ in ours] == concrete
    else:
        rows = torch_layer_rows(model)
        assert [(n, [with_batch(s) for s in shapes], t, f) for n, shapes, t, f in ours] == [
            (r.name, r.shape, r.trainable, r.non_trainable) for r in rows]
        symbolic = rows
    assert (model.trainable_params, model.non_trainable_params) == (
        sum(r.trainable for r in symbolic), sum(r.non_trainable for r in symbolic))
