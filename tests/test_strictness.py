"""As strict as the frameworks, no stricter (issue 15, item 3): Keras lower-cases `data_format` and a
convolution's `padding`; activation names are the frameworks' own; the Keras 2 `input_shape` habit."""

from __future__ import annotations

import textwrap

import pytest

from archlint.lint import lint_file


def findings(tmp_path, text: str) -> list[tuple[str, int, int, str, str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return [(f.rule.code, f.line, f.column, f.message, f.hint) for f in lint_file(str(path)).findings]


# Keras 3.15.1 (torch backend): Conv1D/2D/3D, their Transpose, Depthwise and Separable variants build with
# padding "SAME" or "Valid" and any data_format case; MaxPooling2D(padding="SAME") fails when called
# ("Argument `padding` must be either 'valid' or 'same'. Received: padding=SAME")
@pytest.mark.parametrize("layer", [
    "{type: Conv2D, filters: 4, kernel_size: 3, padding: SAME, expect: {output_shape: [null, 8, 8, 4]}}",
    "{type: Conv2D, filters: 4, kernel_size: 3, padding: Valid, expect: {output_shape: [null, 6, 6, 4]}}",
    "{type: Conv2DTranspose, filters: 4, kernel_size: 3, strides: 2, padding: SAME, "
    "expect: {output_shape: [null, 16, 16, 4]}}",
    "{type: SeparableConv2D, filters: 4, kernel_size: 3, padding: Same, expect: {output_shape: [null, 8, 8, 4]}}",
    "{type: Conv2D, filters: 4, kernel_size: 3, data_format: Channels_First, expect: {output_shape: [null, 4, 6, 1]}}",
    "{type: MaxPooling2D, pool_size: 2, data_format: CHANNELS_LAST, expect: {output_shape: [null, 4, 4, 3]}}",
])
def test_keras_accepts_these_cases(tmp_path, layer):
    assert findings(tmp_path, f"archlint: 1\ninput: [8, 8, 3]\nlayers:\n  - {layer}\n") == []


def test_keras_pooling_padding_is_case_sensitive(tmp_path):
    assert findings(tmp_path, "archlint: 1\ninput: [8, 8, 3]\nlayers:\n  - {type: MaxPooling2D, padding: SAME}\n") == [
        ("S002", 4, 35, '`padding` must be one of "valid", "same", got "SAME"',
         'did you mean "same"?')]


def test_keras_activation_names(tmp_path):
    # keras.activations.get("rellu"): "Could not interpret activation function identifier: rellu"; "Relu" too
    assert findings(tmp_path, """
        archlint: 1
        input: [4]
        layers:
          - {type: Dense, units: 3, activation: rellu}
          - {type: Dense, units: 3, activation: Relu}
          - {type: Dense, units: 3, activation: hard_silu, inputs: [input]}
          - {type: Dense, units: 3, activation: gelu, inputs: [input]}
          - {type: Activation, activation: sparsemax, inputs: [input]}
    """) == [("E002", 4, 41, "Dense `activation` 'rellu' is not a Keras activation",
              "Keras: Could not interpret activation function identifier: rellu; did you mean 'relu'?"),
             ("E002", 5, 41, "Dense `activation` 'Relu' is not a Keras activation",
              "Keras: Could not interpret activation function identifier: Relu; did you mean 'relu'?")]


def test_torch_transformer_activation_names(tmp_path):
    # torch 2.13.0: "activation should be relu/gelu, not tanh"
    result = findings(tmp_path, """
        archlint: 1
        framework: pytorch
        input: [10, 16]
        layers:
          - {type: TransformerEncoderLayer, d_model: 16, nhead: 2, activation: tanh, batch_first: true}
    """)
    assert [r[:3] for r in result] == [("E002", 5, 72)]


def test_input_shape_points_to_input(tmp_path):
    result = findings(tmp_path, "archlint: 1\ninput_shape: [784]\nlayers:\n"
                                "  - {type: Dense, units: 10, input_shape: [784]}\n")
    assert result == [
        ("S002", 2, 1, "`input_shape` is not a key of the spec, which requires `input`", "did you mean `input`?"),
        ("S004", 4, 30, "`input_shape` is not an argument of Dense",
         "the model's input shape is the spec's `input:` (without the batch axis), e.g. `input: [784]`")]


def test_torch_linear_of_zero_features_builds(tmp_path):
    # torch 2.13.0: nn.Linear(4, 0)(torch.zeros(1, 4)).shape == (1, 0), with a UserWarning only
    path = tmp_path / "spec.yaml"
    path.write_text("archlint: 1\nframework: pytorch\ninput: [4]\nlayers:\n"
                    "  - {type: Linear, in_features: 4, out_features: 0}\n")
    result = lint_file(str(path))
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [("W021", 5, 50)]
    assert result.model.output_shape == (None, 0) and result.model.total_params == 0
