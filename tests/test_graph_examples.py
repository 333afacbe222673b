"""The graph and block examples layer by layer: ResNet-50 (Keras dialect) against Keras's own record of
keras.applications.ResNet50 (tests/data/keras/expected.json), compared by Keras's layer names."""

from __future__ import annotations

import json

from helpers import DATA, EXAMPLES

from archlint.lint import lint_file
from archlint.report import model_json


def test_resnet50_every_layer_as_keras_records_it():
    want = json.loads((DATA / "keras" / "expected.json").read_text(encoding="utf-8"))["ResNet50"]
    path = EXAMPLES / "resnet" / "resnet50_keras.yaml"
    got = model_json(str(path), lint_file(str(path)).model)
    ours = {l["name"]: (l["type"], l["output_shape"], l["params"], l["trainable_params"]) for l in got["layers"]}
    keras = {l["name"]: (l["class"], l["output_shape"], l["params"], l["trainable_params"])
             for l in want["layers"] if l["class"] != "InputLayer"}
    assert len(ours) == len(keras) == 176
    assert ours == keras
    assert (got["total_params"], got["trainable_params"], got["non_trainable_params"], got["output_shape"]) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"], want["output_shape"])


def test_mobilenetv2_every_layer_as_keras_records_it():
    want = json.loads((DATA / "keras" / "expected.json").read_text(encoding="utf-8"))["MobileNetV2"]
    path = EXAMPLES / "mobilenet" / "mobilenetv2_keras.yaml"
    got = model_json(str(path), lint_file(str(path)).model)
    ours = [(l["name"], l["type"], l["output_shape"], l["params"], l["trainable_params"]) for l in got["layers"]]
    keras = [(l["name"], l["class"], l["output_shape"], l["params"], l["trainable_params"])
             for l in want["layers"] if l["class"] != "InputLayer"]
    assert len(ours) == len(keras) == 155
    assert ours == keras  # Keras's names in Keras's order (the blocks expand to the same sequence)
    assert (got["total_params"], got["trainable_params"], got["non_trainable_params"], got["output_shape"]) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"], want["output_shape"])
    assert (want["total_params"], want["trainable_params"], want["non_trainable_params"]) == (
        3_538_984, 3_504_872, 34_112)
    by_name = {l["name"]: l for l in got["layers"]}
    # the residual adds are where Keras puts them (10 blocks keep their shape), the stride-2 pads too
    assert sorted(n for n in by_name if n.endswith("_add")) == sorted(
        f"block_{i}_add" for i in (2, 4, 5, 7, 8, 9, 11, 12, 14, 15))
    assert by_name["block_1_pad"]["output_shape"] == [None, 113, 113, 96]


def test_resnet18_uses_torchvisions_names():
    model = lint_file(str(EXAMPLES / "resnet" / "resnet18_torch.yaml")).model
    names = [layer.name for layer in model.layers]
    assert names[:5] == ["conv1", "bn1", "relu", "maxpool", "layer1.0.conv1"]
    assert "layer2.0.downsample.0" in names and "layer2.1.downsample.0" not in names
    params = {layer.name: layer.params for layer in model.layers}
    # torchvision resnet18: layer2.0.downsample.0 is Conv2d(64, 128, 1, stride 2, bias=False), fc Linear(512, 1000)
    assert (params["layer2.0.downsample.0"], params["fc"]) == (8_192, 513_000)
