"""The spec model: counts, Keras-style default names, and what a layer entry becomes."""

from __future__ import annotations

import pytest

from archlint.spec import build, snake_case


@pytest.mark.parametrize("class_name, name", [
    ("Conv2D", "conv2d"), ("Dense", "dense"), ("BatchNormalization", "batch_normalization"),
    ("MaxPooling2D", "max_pooling2d"), ("GlobalAveragePooling1D", "global_average_pooling1d"),
    ("Conv2DTranspose", "conv2d_transpose"), ("ReLU", "re_lu"), ("PReLU", "p_re_lu"), ("Conv2d", "conv2d"),
    ("BatchNorm2d", "batch_norm2d"), ("Linear", "linear"),
])
def test_snake_case_is_keras_naming(class_name, name):
    # as keras.src.utils.naming.to_snake_case names layers: ReLU -> re_lu
    assert snake_case(class_name) == name


def spec(layers, **top):
    return {"archlint": 1, "input": [8, 8, 3], "layers": layers, **top}


def test_default_names_count_per_type_and_skip_explicit_names():
    built = build("a.yaml", spec([
        {"type": "Conv2D", "filters": 2, "kernel_size": 3},
        {"type": "Conv2D", "name": "conv2d_1", "filters": 2, "kernel_size": 3},
        {"type": "Conv2D", "filters": 2, "kernel_size": 3},
        {"type": "Dense", "units": 3},
        {"type": "Conv2D", "filters": 2, "kernel_size": 3},
    ]))
    assert [(layer.name, layer.named) for layer in built.layers] == [
        ("conv2d", False), ("conv2d_1", True), ("conv2d_2", False), ("dense", False), ("conv2d_3", False)]


def test_layer_entry_fields():
    built = build("a.yaml", spec([
        {"type": "Dense", "units": 3, "use_bias": False, "name": "head", "inputs": ["input"],
         "expect": {"params": 9}, "trainable": False},
    ], framework="keras", name="m", outputs=["head"], budget={"params": "2k", "trainable_params": 100}))
    layer = built.layers[0]
    assert (layer.type, layer.name, layer.kwargs, layer.where) == ("Dense", "head", {"units": 3, "use_bias": False},
                                                                   ("layers", 0))
    assert (layer.inputs, layer.expect, layer.trainable, layer.valid) == (["input"], {"params": 9}, False, True)
    assert (built.path, built.name, built.framework, built.inputs, built.outputs) == (
        "a.yaml", "m", "keras", {"input": (8, 8, 3)}, ["head"])
    assert (built.budget.params, built.budget.trainable_params) == (2000, 100)


def test_defaults_of_the_spec():
    built = build("a.yaml", spec([{"type": "Dense", "units": 3}]))
    assert (built.name, built.framework, built.outputs, built.budget.params) == ("", "keras", None, None)
    assert built.layers[0].trainable is True


def test_invalid_layers_keep_their_place_and_only_well_formed_parts():
    built = build("a.yaml", spec([
        {"type": "Dense", "units": "x", "name": 3, "inputs": "input", "expect": {"params": "x"}},
        {"filters": 3},
        {"type": "Dense", "units": 3},
    ]), invalid_layers={0, 1})
    assert [(layer.type, layer.name, layer.inputs, layer.expect, layer.valid) for layer in built.layers] == [
        ("Dense", "dense", None, None, False), ("?", "layer", None, None, False),
        ("Dense", "dense_1", None, None, True)]
