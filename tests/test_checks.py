"""Cross-layer checks: read coverage (W001/W002), bias before batch normalization (W005), and the
`expect:` entries (E009). Shapes and read positions were checked against Keras 3.15.1 and torch 2.13.0
(the input positions a layer reads are those its gradient reaches)."""

import pytest
from helpers import DATA, codes, layer_rows

from archlint import checks
from archlint.layers.registry import Tensor
from archlint.lint import lint_file


def test_w001_truncated_input(lint):
    # Keras 3.15.1: Conv2D(4, 3, strides=2) on 8x8 gives 3x3 and never reads row 7 or column 7;
    # on 9x9 it gives 4x4 and reads everything
    result = lint("""
        archlint: 1
        input: [8, 9, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2}
    """)
    assert codes(result) == [("W001", 5, 57)]
    # issue 15: the message says what is lost, the hint why
    assert result.findings[0].message == "conv2d (Conv2D) never reads the last row of its input"
    assert result.findings[0].hint.startswith("its last window ends before the edge")
    assert layer_rows(result) == [("conv2d", (None, 3, 4, 4), 112, 0)]


def test_w001_counts_rows_and_columns(lint):
    # torch 2.13.0: Conv2d(1, 1, 4, stride=4) on 10x11 gives 2x2: windows read 0-7, so rows 8-9 and
    # columns 8-10 are never read
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [1, 10, 11]
        layers:
          - {type: Conv2d, out_channels: 1, kernel_size: 4, stride: 4}
    """)
    assert codes(result) == [("W001", 6, 61)]
    assert "never reads the last 2 rows and the last 3 columns" in result.findings[0].message
    assert layer_rows(result) == [("0", (None, 1, 2, 2), 17, 0)]


def test_no_w001_when_only_padding_is_dropped(lint):
    # torch 2.13.0: Conv2d(3, 4, 3, stride=2, padding=1) on 8x8 gives 4x4; the dropped row is padding
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 8, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, stride: 2, padding: 1}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 4, 4, 4), 112, 0)]


def test_no_w001_when_a_padding_layer_supplied_the_dropped_rows(lint):
    # A padding layer records its rows on the tensor (Tensor.padding); a stride that drops only those
    # drops no input. No padding layer is registered yet, so the walked tensor is given its padding here.
    found = []
    sink = lambda rule, message, where, hint="": found.append((rule.code, message))  # noqa: E731
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, name: reader}
    """)
    assert codes(result) == [("W001", 5, 57)]
    model = result.model  # Conv2D(4, 3, strides=2) on 10 rows reads rows 0-8, never row 9
    model.tensors["input"] = Tensor((None, 10, 10, 3), "input", {1: (0, 1), 2: (0, 1)})
    checks.check_coverage(model, sink)
    assert found == []  # the one unread row and column are the padding layer's


def test_w002_stride_skips_input(lint):
    # Keras 3.15.1: Conv2D(4, 1, strides=2) on 8x8 reads only even rows and columns
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 1, strides: 2}
    """)
    assert codes(result) == [("W002", 5, 57)]
    message = result.findings[0].message
    assert "never reads 4 of the 8 rows and columns of its input" in message
    assert result.findings[0].hint.startswith("its stride 2 is larger than its effective kernel 1")


def test_w002_dilation_gaps(lint):
    # torch 2.13.0: Conv1d(2, 2, 3, stride=2, dilation=2) on 11 steps gives 4 and never reads odd steps
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [2, 11]
        layers:
          - {type: Conv1d, out_channels: 2, kernel_size: 3, stride: 2, dilation: 2}
    """)
    assert codes(result) == [("W002", 6, 61)]
    assert "never reads 5 of the 11 steps of its input" in result.findings[0].message
    assert "its dilation 2 spaces the 3 taps" in result.findings[0].hint
    assert layer_rows(result) == [("0", (None, 2, 4), 14, 0)]


def test_no_w002_when_another_reader_covers_the_skipped_positions(lint):
    # ResNet-style downsampling: the 1x1 stride-2 shortcut skips odd rows, the 3x3 'same' main path
    # reading the same tensor reads them
    result = lint("""
        archlint: 1
        input: [16, 16, 8]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, padding: same, name: stem}
          - {type: Conv2D, filters: 32, kernel_size: 3, strides: 2, padding: same, inputs: [stem], name: main}
          - {type: Conv2D, filters: 32, kernel_size: 1, strides: 2, inputs: [stem], name: shortcut}
    """)
    # 16 rows: 'same' with stride 2 pads 0 before and 1 after, which is W003, not a coverage finding
    assert codes(result) == [("W003", 6, 70)]
    assert layer_rows(result)[1:] == [("main", (None, 8, 8, 32), 4640, 0), ("shortcut", (None, 8, 8, 32), 544, 0)]
    result = lint("""
        archlint: 1
        input: [16, 16, 8]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, padding: same, name: stem}
          - {type: Conv2D, filters: 32, kernel_size: 1, strides: 2, inputs: [stem], name: shortcut}
          - {type: Conv2D, filters: 32, kernel_size: 1, strides: 2, inputs: [stem], name: other}
    """)
    assert codes(result) == [("W002", 6, 58)]
    assert "(nor does any other layer reading it)" in result.findings[0].hint


def test_w005_bias_before_batchnorm(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, padding: same}
          - {type: BatchNormalization}
          - {type: Conv2D, filters: 16, kernel_size: 3, padding: same, use_bias: false}
          - {type: BatchNormalization}
    """)
    assert codes(result) == [("W005", 5, 12)]
    assert "16 wasted parameters" in result.findings[0].message


def test_e009_expectations(lint):
    # conv2d: (None, 8, 8, 5) with 140 params (Keras 3.15.1), so every expectation of the first layer holds
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - type: Conv2D
            filters: 5
            kernel_size: 3
            expect: {output_shape: [8, 8, 5], params: 140, trainable_params: 140, non_trainable_params: 0}
          - type: Conv2D
            filters: 5
            kernel_size: 3
            expect: {output_shape: [null, 6, 6, 5], params: 230}
          - type: Conv2D
            filters: 5
            kernel_size: 3
            expect: {output_shape: [null, 4, 4, 6], params: 231}
          - type: Conv2D
            filters: 5
            kernel_size: 1
            trainable: false
            expect: {output_shape: [4, 4, 6], trainable_params: 30, non_trainable_params: 0}
    """)
    assert codes(result) == [("E009", 16, 28), ("E009", 16, 53), ("E009", 21, 28), ("E009", 21, 57),
                             ("E009", 21, 83)]
    assert [f.message for f in result.findings] == [
        "conv2d_2 output shape is (None, 4, 4, 5), expected (None, 4, 4, 6)",
        "conv2d_2 has 230 params, expected 231",
        "conv2d_3 output shape is (None, 4, 4, 5), expected (4, 4, 6)",
        "conv2d_3 has 0 trainable params, expected 30",
        "conv2d_3 has 30 non trainable params, expected 0",
    ]


# Each broken spec in tests/data is named after the rule it triggers; the comment at its top quotes the
# framework's refusal (Keras 3.15.1 / torch 2.13.0), checked by building the same model.
BROKEN = {
    "E001-non-positive-output-size.yaml": [("E001", 6, 45, "output size would be 0")],
    "E002-invalid-layer-argument.yaml": [("E002", 10, 63, "PyTorch needs it smaller than the input, 4")],
    "E003-groups-mismatch.yaml": [("E003", 6, 62, "receives 3 input channels, which groups=2 does not divide")],
    "E004-same-padding-with-stride.yaml": [("E004", 6, 74, "(stride=[2, 2])")],
    "E005-strides-with-dilation.yaml": [("E005", 5, 76, "strides=[2] with dilation_rate=[4]")],
    "E007-declared-size-mismatch.yaml": [("E007", 6, 33, "Linear expects 512 input features but receives 2048")],
    "W002-stride-skips-input.yaml": [("W002", 6, 58, "never reads 16 of the 32 rows and columns")],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_specs(name):
    result = lint_file(str(DATA / name))
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [e[:3] for e in BROKEN[name]]
    for finding, expected in zip(result.findings, BROKEN[name]):
        assert expected[3] in finding.message
    assert name.startswith(result.findings[0].rule.code + "-" + result.findings[0].rule.name)


def test_w005_not_when_an_activation_sits_between_bias_and_norm(lint):
    # Keras applies `activation` after adding the bias: relu(x + b) is not undone by the normalization
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 4, activation: relu}
          - {type: BatchNormalization}
    """)
    assert codes(result) == []


def test_w005_linear_activation_still_wastes_the_bias(lint):
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 4, activation: linear}
          - {type: BatchNormalization}
    """)
    assert codes(result) == [("W005", 5, 12)]  # at the Dense layer's type


def test_w005_not_before_a_frozen_keras_batch_normalization(lint):
    # Keras runs a frozen BatchNormalization in inference mode (moving statistics), so the trainable bias
    # before it still shifts the output
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 4}
          - {type: BatchNormalization, trainable: false}
    """)
    assert codes(result) == []
