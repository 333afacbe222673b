"""Random Keras 3 models, serialised as Keras writes them, and archlint's reading compared with Keras's.

`models()` is a hypothesis strategy drawing a built Keras model: Sequential or functional, with layers
of archlint's Keras catalogue (keywords drawn by property_gen), keras.ops steps, preprocessing and
augmentation layers, branches merged again, a layer shared by two calls, nested models (Sequential or
functional, called once or twice, frozen or not), recurrent layers whose states are read
(`return_state=True`), masks from `Embedding(mask_zero=True)`, several inputs and outputs (lists or
dicts). A step Keras refuses while building is left out, so every drawn model is one Keras builds.

`compare(model)` writes the model with `to_json()` (and, on request, `model.save(...)` as `.keras`),
with and without the shapes the file records (`build_config`, `__keras_tensor__` shapes), lints each and
returns the disagreements: totals, trainable / non-trainable, each layer's counts and output shape.

`refusals()` draws a built model's config edited the ways users and stale files edit it (an input
shape, a layer's size, a wiring reference); `keras_refuses(text)` and archlint's verdict are compared.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from math import prod

from builders import import_keras, keras_layer
from helpers import strip_recorded_shapes as strip
from hypothesis import assume
from hypothesis import strategies as st
from property_gen import EXCLUDED_TYPES, GRAPH_ONLY, IDS_ONLY, layer, spatial_rank

from archlint.layers.registry import KERAS, REGISTRY, load_all
from archlint.lint import lint_file

warnings.filterwarnings("ignore")


def _catalogue() -> list[str]:
    """archlint's Keras layer classes drawn in chains (one float input): the property suite's, without
    the wrappers (drawn by `_recurrent` with their layers) and the classes that need image inputs."""
    load_all()
    return sorted(name for fw, name in REGISTRY if fw == KERAS and (fw, name) not in EXCLUDED_TYPES
                  and name not in GRAPH_ONLY[KERAS] and name not in IDS_ONLY and REGISTRY[(fw, name)].family
                  not in ("augmentation",) and name != "RandomCrop")


# ---------------------------------------------------------------- the steps of a model


def _try(function, *args):
    """Apply a step to Keras tensors; None when Keras refuses it (the step is left out)."""
    try:
        return function(*args)
    except Exception:  # noqa: BLE001 - any refusal by Keras leaves the step out
        return None


def _first(value):
    return value[0] if isinstance(value, (list, tuple)) else value


@st.composite
def _catalogue_step(draw, x):
    keras = import_keras()
    names = [n for n in _catalogue() if spatial_rank(n) in (None, len(x.shape) - 2)]
    if not draw(st.integers(0, 5)):
        names = _catalogue()
    name = draw(st.sampled_from(names))
    spec = draw(layer(KERAS, name, tuple(x.shape[1:])))
    built = _try(keras_layer, spec)
    if built is None:
        return None, None
    if draw(st.integers(0, 6)) == 0:
        built.trainable = False
    out = _try(built, x)
    if out is None or not isinstance(_first(out), keras.KerasTensor):
        return None, None
    return out, built


def _axis(draw, x, batch: bool = False) -> int:
    rank = len(x.shape)
    return draw(st.integers(0 if batch else 1, rank - 1))


@st.composite
def _op_step(draw, x):
    keras = import_keras()
    ops = keras.ops
    rank = len(x.shape)
    choices = [
        lambda: ops.relu(x), lambda: ops.sigmoid(x), lambda: ops.tanh(x), lambda: x * 2.0, lambda: 1.0 - x,
        lambda: ops.add(x, x), lambda: ops.maximum(x, 0.0), lambda: ops.square(x), lambda: ops.abs(x),
        lambda: ops.softmax(x, axis=-1),
        lambda: ops.mean(x, axis=_axis(draw, x), keepdims=draw(st.booleans())),
        lambda: ops.sum(x, axis=-1), lambda: ops.max(x, axis=_axis(draw, x)),
        lambda: ops.expand_dims(x, _axis(draw, x)),
        lambda: ops.reshape(x, (-1, prod(x.shape[1:]))),
        lambda: ops.concatenate([x, x], axis=-1),
        lambda: ops.stack([x, x], axis=1),
        lambda: ops.where(ops.greater(x, 0), x, 0.0),
        lambda: ops.cast(x, "float32"),
    ]
    if rank >= 3:
        perm = [0] + draw(st.permutations(list(range(1, rank))))
        choices += [lambda: ops.transpose(x, perm), lambda: x[:, 0], lambda: x[:, 1:],
                    lambda: ops.matmul(x, ops.swapaxes(x, -1, -2)) if hasattr(ops, "swapaxes") else x]
    if x.shape[-1] is not None and x.shape[-1] % 2 == 0:
        choices.append(lambda: ops.split(x, 2, axis=-1)[draw(st.integers(0, 1))])
    choice = draw(st.sampled_from(choices))
    return _try(choice), None


@st.composite
def _image_step(draw, x):
    layers = import_keras().layers
    makers = [lambda: layers.RandomFlip(draw(st.sampled_from(["horizontal", "vertical", "horizontal_and_vertical"]))),
              lambda: layers.RandomRotation(0.1), lambda: layers.RandomZoom(0.1), lambda: layers.RandomContrast(0.2),
              lambda: layers.RandomTranslation(0.1, 0.1), lambda: layers.RandomBrightness(0.1),
              lambda: layers.RandomCrop(draw(st.integers(1, 6)), draw(st.integers(1, 6))),
              lambda: layers.RandomGrayscale(), lambda: layers.RandomInvert(), lambda: layers.Solarization()]
    built = _try(draw(st.sampled_from(makers)))
    return (_try(built, x) if built is not None else None), built


def _simple_step(draw, x):
    layers = import_keras().layers
    built = draw(st.sampled_from([layers.ActivityRegularization(l1=0.01), layers.Identity(),
                                  layers.Dense(draw(st.integers(1, 6)))]))
    return _try(built, x), built


@st.composite
def _recurrent(draw, x):
    """A recurrent layer on a (batch, time, features) tensor, or a wrapper of one; its states read too."""
    layers = import_keras().layers
    kind = draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN"]))
    units = draw(st.integers(1, 6))
    sequences, state = draw(st.booleans()), draw(st.booleans())
    wrap = draw(st.sampled_from(["", "", "Bidirectional", "TimeDistributed"]))
    cell = getattr(layers, kind)(units, return_sequences=sequences or wrap == "TimeDistributed",
                                 return_state=state and wrap != "TimeDistributed")
    if wrap == "Bidirectional":
        backward = None
        if draw(st.integers(0, 3)) == 0:
            backward = getattr(layers, kind)(units, return_sequences=sequences, return_state=state,
                                             go_backwards=True)
        built = layers.Bidirectional(cell, backward_layer=backward,
                                     merge_mode=draw(st.sampled_from(["concat", "sum", "mul", "ave"])))
    elif wrap == "TimeDistributed":
        built = layers.TimeDistributed(layers.Dense(units))
    else:
        built = cell
    out = _try(built, x)
    if out is None:
        return None, [], None
    if isinstance(out, (list, tuple)):  # return_state: the states are read by a Dense each
        extra = [layers.Dense(draw(st.integers(1, 3)))(state_) for state_ in out[1:draw(st.integers(1, len(out)))]]
        return out[0], extra, built
    return out, [], built


@st.composite
def _nested(draw, x):
    """A nested model built on x's shape (Sequential or functional), called once or twice, maybe frozen."""
    keras = import_keras()
    inner_in = keras.Input(tuple(x.shape[1:]))
    y, steps = inner_in, 0
    for _ in range(draw(st.integers(1, 3))):
        out, _ = draw(_catalogue_step(y))
        if out is not None and not isinstance(out, (list, tuple)):
            y, steps = out, steps + 1
    if not steps:
        return None, []
    if draw(st.booleans()):
        inner = keras.Model(inner_in, y)
    else:
        inner = _try(lambda: keras.Sequential([keras.Input(tuple(x.shape[1:]))] + [
            keras.layers.deserialize(keras.layers.serialize(layer_)) for layer_ in keras.Model(inner_in, y).layers[1:]]))
        if inner is None:
            return None, []
    if draw(st.integers(0, 3)) == 0:
        inner.trainable = False
    first = _try(inner, x)
    if first is None:
        return None, []
    if draw(st.booleans()):  # a siamese second call, on another tensor of the same shape
        second = _try(inner, keras.ops.relu(x))
        if second is not None and tuple(second.shape) == tuple(first.shape):
            merged = _try(keras.layers.Add(), [first, second])
            if merged is not None:
                return merged, []
    return first, []


@st.composite
def _branch(draw, x):
    """x and a same-shaped branch of it merged (a residual Add, a Concatenate, a shared Dense on both)."""
    layers = import_keras().layers
    width = x.shape[-1]
    if width is None:
        return None
    kind = draw(st.sampled_from(["add", "concat", "shared"]))
    if kind == "shared":
        dense = layers.Dense(draw(st.integers(1, 4)))
        a, b = _try(dense, x), _try(dense, import_keras().ops.relu(x))
        return _try(layers.Concatenate(), [a, b]) if a is not None and b is not None else None
    side = _try(layers.Dense(width), x)
    if side is None:
        return None
    return _try(layers.Add() if kind == "add" else layers.Concatenate(), [x, side])


@st.composite
def models(draw):
    """A random Keras model Keras builds, and a short description of how it was drawn."""
    keras = import_keras()
    kind = draw(st.sampled_from(["functional", "functional", "functional", "sequential", "ids", "image"]))
    if kind == "sequential":
        return draw(_sequential())
    if kind == "ids":
        inputs = [keras.Input((draw(st.integers(2, 8)),), dtype="int32")]
        emb = keras.layers.Embedding(draw(st.integers(2, 30)), draw(st.integers(1, 6)), mask_zero=draw(st.booleans()))
        x = emb(inputs[0])
    else:
        rank = 3 if kind == "image" else draw(st.integers(1, 3))
        shape = tuple(draw(st.integers(2 if kind == "image" else 1, 8)) for _ in range(rank))
        inputs = [keras.Input(shape)]
        if draw(st.integers(0, 3)) == 0:
            inputs.append(keras.Input(shape))
        x = inputs[0]
        if len(inputs) > 1:
            x = keras.layers.Add()(inputs)
    extra_outputs: list = []
    for _ in range(draw(st.integers(1, 6))):
        roll = draw(st.integers(0, 19))
        extra: list = []
        if kind == "image" and roll < 4 and len(x.shape) == 4:
            out, _ = draw(_image_step(x))
        elif roll < 9:
            out, _ = draw(_catalogue_step(x))
        elif roll < 12:
            out, _ = draw(_op_step(x))
        elif roll < 14 and len(x.shape) == 3:
            out, extra, _ = draw(_recurrent(x))
        elif roll < 16:
            out, extra = draw(_nested(x))
        elif roll < 18:
            out = draw(_branch(x))
        else:
            out, _ = _simple_step(draw, x)
        if isinstance(out, (list, tuple)) and out and all(isinstance(t, keras.KerasTensor) for t in out):
            # several outputs (return_state, Bidirectional merge_mode=None, ops.split): the first goes on,
            # the others are read by a Dense each and become model outputs
            extra = extra + [_try(keras.layers.Dense(2), t) for t in out[1:]]
            extra = [t for t in extra if t is not None]
            out = out[0]
        if out is None or not isinstance(out, keras.KerasTensor):
            continue
        if any(n == 0 for n in out.shape[1:] if n is not None):
            continue  # empty tensors: what Keras does with them later is no part of the comparison
        x = out
        extra_outputs.extend(extra)
    if x is inputs[0] or any(x is i for i in inputs):
        x = keras.layers.Dense(2)(x)
    outputs = [x] + extra_outputs
    if draw(st.integers(0, 4)) == 0 and len(outputs) == 1 and len(inputs) == 1:
        model = keras.Model({"x": inputs[0]}, {"y": x})
    else:
        model = keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs if len(outputs) > 1 else outputs[0])
    assume(runs(model))
    return model


def runs(model) -> bool:
    """Keras runs the model on a batch of 2 (zeros): a model it builds symbolically but cannot run (a
    Resizing of a rank-2 tensor: 'tuple index out of range') is no model, and archlint refuses it."""
    import numpy as np

    feeds = [np.zeros((2,) + tuple(1 if n is None else n for n in t.shape[1:]), dtype=t.dtype) for t in model.inputs]
    try:
        model(feeds if len(feeds) > 1 else feeds[0])
    except Exception:  # noqa: BLE001 - any failure of the forward pass
        return False
    return True


@st.composite
def _sequential(draw):
    """A Sequential model: its layers drawn on functional tensors, then copied fresh from their configs."""
    keras = import_keras()
    shape = tuple(draw(st.integers(2, 8)) for _ in range(draw(st.integers(1, 3))))
    x, chosen = keras.Input(shape), []
    for _ in range(draw(st.integers(1, 5))):
        out, built = draw(_catalogue_step(x)) if draw(st.integers(0, 4)) else _simple_step(draw, x)
        if out is None or isinstance(out, (list, tuple)) or built is None:
            continue
        if any(n == 0 for n in out.shape[1:] if n is not None):
            continue
        x = out
        chosen.append(built)
    fresh = [keras.layers.deserialize(keras.layers.serialize(built)) for built in chosen] or [keras.layers.Flatten()]
    for copy_, built in zip(fresh, chosen):
        copy_.trainable = built.trainable
    model = keras.Sequential([keras.Input(shape)] + fresh)
    assume(runs(model))
    return model


# ---------------------------------------------------------------- fixed structures

STRUCTURES: dict = {}  # name -> a function building a Keras model: graph shapes the draws reach rarely


def structure(function):
    STRUCTURES[function.__name__] = function
    return function


@structure
def nested_multi_io_twice():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    a, b = keras.Input((4,)), keras.Input((4,))
    inner = keras.Model([a, b], [L.Dense(3)(a), L.Dense(2)(L.Concatenate()([a, b]))], name="inner")
    x, y = keras.Input((4,)), keras.Input((4,))
    o1, o2 = inner([x, y])
    p1, p2 = inner([y, x])
    return keras.Model([x, y], [L.Add()([o1, p1]), o2, p2])


@structure
def shared_lstm_states():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    lstm = L.LSTM(3, return_state=True)
    x, y = keras.Input((5, 4)), keras.Input((5, 4))
    _, h1, c1 = lstm(x)
    _, h2, c2 = lstm(y)
    return keras.Model([x, y], L.Concatenate()([h1, c2]))


@structure
def nested_in_nested():
    keras = import_keras()
    L, ops = keras.layers, keras.ops  # noqa: N806
    i = keras.Input((6,))
    inner = keras.Model(i, L.Dense(4)(i), name="inner")
    j = keras.Input((6,))
    mid = keras.Model(j, L.Dense(2)(inner(j)), name="mid")
    mid.layers[1].trainable = False
    x = keras.Input((6,))
    return keras.Model(x, [mid(x), mid(ops.relu(x))])


@structure
def td_conv():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    return keras.Sequential([keras.Input((3, 8, 8, 2)), L.TimeDistributed(L.Conv2D(4, 3)), L.TimeDistributed(L.GlobalAveragePooling2D()), L.GRU(2)])


@structure
def mha_kwargs():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    q = keras.Input((5, 8))
    v = keras.Input((7, 8))
    m = keras.Input((5, 7), dtype="bool")
    return keras.Model([q, v, m], L.MultiHeadAttention(2, 4)(query=q, value=v, key=v, attention_mask=m))


@structure
def mha_scores():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    q = keras.Input((5, 8))
    out, scores = L.MultiHeadAttention(2, 4)(q, q, return_attention_scores=True)
    return keras.Model(q, [out, L.Flatten()(scores)])


@structure
def output_is_input():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    x = keras.Input((4,))
    return keras.Model(x, [x, L.Dense(2)(x)])


@structure
def masked_bidi_nested():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    ids = keras.Input((6,), dtype="int32")
    e = L.Embedding(20, 4, mask_zero=True)(ids)
    s = keras.Sequential([keras.Input((6, 4)), L.Bidirectional(L.LSTM(3, return_sequences=True))], name="seq")
    return keras.Model(ids, L.GlobalAveragePooling1D()(s(e)))


@structure
def frozen_sequential_in_functional():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    s = keras.Sequential([keras.Input((4,)), L.Dense(3), L.BatchNormalization()], name="s")
    s.trainable = False
    x = keras.Input((4,))
    return keras.Model(x, L.Dense(1)(s(x)))


@structure
def bidi_states():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    x = keras.Input((5, 4))
    out = L.Bidirectional(L.GRU(3, return_state=True))(x)
    return keras.Model(x, [out[0], L.Dense(2)(out[1]), L.Dense(2)(out[2])])


@structure
def bidi_none():
    keras = import_keras()
    L = keras.layers  # noqa: N806
    x = keras.Input((5, 4))
    f, b = L.Bidirectional(L.LSTM(3), merge_mode=None)(x)
    return keras.Model(x, L.Subtract()([f, b]))


# ---------------------------------------------------------------- Keras's view and archlint's


def _size(weights) -> int:
    return sum(prod(tuple(w.shape)) for w in weights)


def _shape(value):
    if isinstance(value, dict):
        return [_shape(v) for v in value.values()]
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, type(None))):
        return [_shape(v) for v in value]
    return tuple(value.shape) if hasattr(value, "shape") else tuple(value)


def truth(model) -> tuple[int, int, dict]:
    """Keras's counts: (trainable, non-trainable, {layer: (output shape, trainable, non-trainable, nested)})."""
    keras = import_keras()
    rows = {}
    for layer_ in getattr(model, "operations", None) or model.layers:  # the layers and the keras.ops steps
        if type(layer_).__name__ == "InputLayer":
            continue
        nodes = getattr(layer_, "_inbound_nodes", [])
        shape = _shape(nodes[0].outputs) if nodes else None
        if isinstance(shape, list) and len(shape) == 1:
            shape = shape[0]
        rows[layer_.name] = (shape, _size(getattr(layer_, "trainable_weights", ())),
                             _size(getattr(layer_, "non_trainable_weights", ())),
                             isinstance(layer_, keras.Model))
    return _size(model.trainable_weights), _size(model.non_trainable_weights), rows


def _archlint_shape(shape):
    return [tuple(s) for s in shape] if isinstance(shape, list) else tuple(shape)


def disagreements(path: str, want: tuple) -> list[str]:
    """What archlint says about the file at `path` that differs from Keras's `truth`."""
    trainable, frozen, rows = want
    result = lint_file(path)
    problems = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error or f.rule.code in ("W018", "W019")]
    model = result.model
    if model is None:
        return problems + ["no model"]
    if not model.complete:
        problems.append("not every layer computed: " + ", ".join(layer_.name for layer_ in model.layers
                                                                 if layer_.output is None))
    if (model.trainable_params, model.non_trainable_params) != (trainable, frozen):
        problems.append(f"totals {model.trainable_params}/{model.non_trainable_params}, Keras {trainable}/{frozen}")
    by_name = {layer_.name: layer_ for layer_ in model.layers}
    for name, (shape, t, n, nested) in rows.items():
        if nested:
            inner = [layer_ for layer_ in model.layers if layer_.name.startswith(name + ".")]
            got = (sum(x.trainable for x in inner), sum(x.non_trainable for x in inner))
            if got != (t, n):
                problems.append(f"nested {name}: {got[0]}/{got[1]}, Keras {t}/{n}")
            continue
        ours = by_name.get(name)
        if ours is None:
            if t or n:
                problems.append(f"{name}: not converted")
            continue  # a step read only as a mask (the NotEqual of Embedding(mask_zero=True)) is left out
        if ours.output is None:
            continue  # reported above
        if (ours.trainable, ours.non_trainable) != (t, n):
            problems.append(f"{name}: {ours.trainable}/{ours.non_trainable}, Keras {t}/{n}")
        if shape is not None and _archlint_shape(ours.output.shape) != shape:
            problems.append(f"{name}: shape {ours.output.shape}, Keras {shape}")
    return problems


def compare(model, archive: bool = False) -> dict[str, list[str]]:
    """{variant: disagreements} over the JSON, the JSON without recorded shapes and (archive) the .keras."""
    want = truth(model)
    data = json.loads(model.to_json())
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        variants = {"json": data, "stripped": strip(data)}
        for variant, content in variants.items():
            path = os.path.join(tmp, f"{variant}.json")
            with open(path, "w") as handle:
                json.dump(content, handle, indent=1)
            found[variant] = disagreements(path, want)
        if archive:
            path = os.path.join(tmp, "model.keras")
            model.save(path)
            found["keras"] = disagreements(path, want)
    return found


# ---------------------------------------------------------------- edited configs


def _layers(data: dict) -> list:
    return data["config"]["layers"]


@st.composite
def edits(draw, model):
    """(edited config text, what was edited) for a built model: the edits people and stale files make."""
    data = json.loads(model.to_json())
    layers_ = _layers(data)
    kind = draw(st.sampled_from(["input", "size", "size", "reference"]))
    if kind == "input":
        inputs = [entry for entry in layers_ if entry["class_name"] == "InputLayer"]
        entry = draw(st.sampled_from(inputs))
        shape = entry["config"]["batch_shape"]
        axis = draw(st.integers(1, len(shape) - 1)) if len(shape) > 1 else 0
        if shape[axis] is None:
            return None
        shape[axis] += draw(st.sampled_from([-1, 1, 3])) if shape[axis] > 1 else 1
        what = f"input {entry['config']['name']} axis {axis}"
    elif kind == "size":
        sized = [(entry, key) for entry in layers_ for key in ("units", "filters", "output_dim")
                 if isinstance(entry.get("config", {}).get(key), int)]
        if not sized:
            return None
        entry, key = draw(st.sampled_from(sized))
        entry["config"][key] += draw(st.sampled_from([1, 2]))
        what = f"{entry['config'].get('name')}.{key}"
    else:
        tensors = []

        def visit(value):
            if isinstance(value, dict):
                if value.get("class_name") == "__keras_tensor__":
                    tensors.append(value["config"])
                    return
                for item in value.values():
                    visit(item)
            elif isinstance(value, list):
                for item in value:
                    visit(item)

        visit([entry.get("inbound_nodes") for entry in layers_])
        if not tensors:
            return None
        tensor = draw(st.sampled_from(tensors))
        tensor["keras_history"][0] += "_missing"
        what = "a keras_history reference"
    return json.dumps(data, indent=1), what


def keras_refuses(text: str) -> str | None:
    """Keras's verdict on a config: None when it loads, else the error."""
    keras = import_keras()
    try:
        keras.models.model_from_json(text)
    except Exception as exc:  # noqa: BLE001 - any refusal counts
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def archlint_refuses(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "edited.json")
        with open(path, "w") as handle:
            handle.write(text)
        return [f"{f.rule.code} {f.message}" for f in lint_file(path).findings if f.is_error]
