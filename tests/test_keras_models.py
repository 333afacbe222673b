"""Keras 3 models of issue 17, read exactly: recurrent layers, Bidirectional and TimeDistributed configs,
nested models called twice, states read by tensor index, dict inputs and outputs, masks, keras.ops steps,
preprocessing layers. Every number is Keras 3.15.1's own (tests/data/keras/expected_models.json, written
by tests/data/keras/generate_models.py); each model is also read with its recorded shapes stripped."""

from __future__ import annotations

import json
import os

import pytest
from helpers import strip_recorded_shapes as strip

from archlint import rules
from archlint.lint import lint_file

DATA = os.path.join(os.path.dirname(__file__), "data", "keras")
with open(os.path.join(DATA, "expected_models.json")) as _handle:
    EXPECTED = json.load(_handle)


def _lint(tmp_path, name: str, stripped: bool):
    with open(os.path.join(DATA, "models", name + ".json")) as handle:
        data = json.load(handle)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(strip(data) if stripped else data, indent=1))
    return lint_file(str(path))


def _shape(value):
    return [list(s) for s in value] if isinstance(value, list) else list(value)


@pytest.mark.parametrize("stripped", [False, True], ids=["saved", "stripped"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_model_equals_what_keras_reports(tmp_path, name, stripped):
    want = EXPECTED[name]
    result = _lint(tmp_path, name, stripped)
    model = result.model
    assert [f"{f.rule.code} {f.message}" for f in result.findings] == []
    assert model.complete
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"])
    assert _shape(model.output_shape) == want["output_shape"]
    by_name = {layer.name: layer for layer in model.layers}
    for row in want["layers"]:
        if row["class"] == "InputLayer":
            continue
        if row["class"] in ("Functional", "Sequential"):
            inner = [layer for layer in model.layers if layer.name.startswith(row["name"] + ".")]
            assert sum(layer.params for layer in inner) == row["params"], row
            continue
        layer = by_name[row["name"]]
        assert (_shape(layer.output.shape), layer.params, layer.trainable) == (
            row["output_shape"], row["params"], row["trainable_params"]), row


def test_the_issue_numbers():
    """The minimal models of issue 17, as Keras counts them."""
    assert EXPECTED["lstm"]["total_params"] == 425
    assert EXPECTED["time_distributed"]["total_params"] == 15
    assert EXPECTED["bidirectional"]["total_params"] == 672


def test_a_state_read_by_index_is_one_output_of_the_layer(tmp_path):
    result = _lint(tmp_path, "seq2seq_states", False)
    names = [layer.name for layer in result.model.layers]
    assert names == ["encoder", "encoder:1", "encoder:2", "decoder", "dense_4"]
    states = [layer for layer in result.model.layers if layer.spec.type == "SelectOutput"]
    assert [(layer.output.shape, layer.params) for layer in states] == [((None, 16), 0), ((None, 16), 0)]
    assert result.model.layers[3].inputs == ["decoder_in", "encoder:1", "encoder:2"]


def test_a_nested_model_called_twice_applies_its_layers_again(tmp_path):
    model = _lint(tmp_path, "siamese_functional", False).model
    assert [(layer.name, layer.params) for layer in model.layers] == [
        ("tower.bottom", 25), ("tower.top", 18), ("tower.bottom@1", 0), ("tower.top@1", 0)]
    assert model.outputs == ["tower.top", "tower.top@1"]


def test_a_mask_is_no_input(tmp_path):
    model = _lint(tmp_path, "masked_embedding", False).model
    assert [layer.spec.type for layer in model.layers] == ["Embedding", "LSTM", "Dense"]
    assert model.layers[1].inputs == ["embedding"]


def test_ops_are_steps_with_their_arguments(tmp_path):
    model = _lint(tmp_path, "ops_mixed", True).model
    rows = [(layer.spec.type, layer.output.shape) for layer in model.layers]
    assert rows[:5] == [("ops.Split", [(None, 6, 2), (None, 6, 2)]), ("ops.Transpose", (None, 2, 6)),
                        ("SelectOutput", (None, 6, 2)), ("ops.Transpose", (None, 2, 6)),
                        ("ops.Concatenate", (None, 4, 6))]
    assert rows[5:] == [("ops.Reshape", (None, 6, 4)), ("ops.Matmul", (None, 4, 4)), ("ops.GetItem", (None, 4)),
                        ("ops.ExpandDims", (None, 1, 4)), ("ops.Multiply", (None, 1, 4)),
                        ("ops.Subtract", (None, 1, 4)), ("ops.Squeeze", (None, 4)), ("Dense", (None, 3))]
    subtract = next(layer for layer in model.layers if layer.spec.type == "ops.Subtract")
    assert subtract.spec.kwargs["args"] == [1.0, {"__tensor__": 0}]


# ---------------------------------------------------------------- E040: built for another input


def _sequential(tmp_path, input_shape, build_shape):
    data = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": input_shape}},
        {"class_name": "Dense", "config": {"name": "d", "units": 3}, "build_config": {"input_shape": build_shape}},
        {"class_name": "Dense", "config": {"name": "e", "units": 2}, "build_config": {"input_shape": [None, 3]}}]}}
    path = tmp_path / "m.json"
    text = json.dumps(data, indent=1)
    path.write_text(text)
    return lint_file(str(path)), text


def test_a_first_layer_built_for_another_input_is_e040_at_its_record(tmp_path):
    # Keras 3.15.1: "Input 0 ... of layer 'd' is incompatible with the layer: expected axis -1 of input
    # shape to have value 4, but received input with shape (None, 5)"
    result, text = _sequential(tmp_path, [None, 5], [None, 4])
    [finding] = result.findings
    assert finding.rule is rules.KERAS_BUILT_FOR_OTHER_INPUT and finding.is_error
    assert finding.message == "d (Dense) was built for input (None, 4) but receives (None, 5)"
    line = text.splitlines()[finding.line - 1]
    assert line.strip() == '"input_shape": [' and line[finding.column - 1:] == "["


def test_a_record_that_needs_the_same_weights_is_no_error(tmp_path):
    # Keras 3.15.1 loads a Dense built for (None, 4) called on (None, 7, 4): its kernel fits
    result, _ = _sequential(tmp_path, [None, 7, 4], [None, 4])
    assert not [f for f in result.findings if f.is_error]


def test_a_layer_without_an_input_check_built_for_another_input_is_w040(tmp_path):
    # Keras 3.15.1 loads an LSTM built for 4 features called on 5 (it has no input spec); the forward
    # pass fails on its kernel
    data = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 3, 5]}},
        {"class_name": "LSTM", "config": {"name": "r", "units": 2}, "build_config": {"input_shape": [None, 3, 4]}}]}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    [finding] = lint_file(str(path)).findings
    assert finding.rule is rules.KERAS_STALE_BUILD and not finding.is_error
    assert "built for input (None, 3, 4) but receives (None, 3, 5)" in finding.message


def test_a_nested_model_called_on_another_shape_is_e041(tmp_path):
    # Keras 3.15.1: "Input 0 ... of layer 'inner' is incompatible with the layer: expected shape=(None, 4),
    # found shape=(None, 5)", also with no shape recorded anywhere
    inner = {"class_name": "Functional", "name": "inner", "config": {
        "name": "inner", "layers": [
            {"class_name": "InputLayer", "name": "i", "config": {"name": "i", "batch_shape": [None, 4]},
             "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [
                {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["i", 0, 0]}}],
                 "kwargs": {}}]}],
        "input_layers": [["i", 0, 0]], "output_layers": [["d", 0, 0]]},
        "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}],
                           "kwargs": {}}]}
    data = {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [None, 5]},
         "inbound_nodes": []}, inner], "input_layers": [["x", 0, 0]], "output_layers": [["inner", 1, 0]]}}
    path = tmp_path / "m.json"
    text = json.dumps(data, indent=1)
    path.write_text(text)
    [finding] = lint_file(str(path)).findings
    assert finding.rule is rules.KERAS_NESTED_INPUT_MISMATCH and finding.is_error
    assert finding.message.startswith("the nested model 'inner' takes inputs of shape (None, 4) but is called on "
                                      "(None, 5)")
    assert text.splitlines()[finding.line - 1].strip() == '"batch_shape": ['
