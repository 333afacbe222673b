"""Transposed, depthwise and separable convolutions: shapes, counts and findings.

Every number here was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU): the output
shape of a forward pass on a batch of 2, the trainable / non-trainable weights, and whether the
framework refuses (constructor, build or forward-pass error).
"""

from helpers import codes, layer_rows


def test_keras_conv_transpose_shapes_and_counts(lint):
    # Keras 3.15.1: 'same' gives n*s, or (n-1)*s + k%2 + output_padding when output_padding is given
    # (5 -> 10 and 9); 'valid' gives (n-1)*s + max(k_eff, s) (k=1, s=3: 15), or + output_padding
    result = lint("""
        archlint: 1
        input: [5, 5, 3]
        layers:
          - {type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same}
          - {type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same, output_padding: 0, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d_transpose", (None, 10, 10, 2), 56, 0),
                                  ("conv2d_transpose_1", (None, 9, 9, 2), 56, 0)]
    result = lint("""
        archlint: 1
        input: [5, 3]
        layers:
          - {type: Conv1DTranspose, filters: 4, kernel_size: 4, strides: 2, output_padding: 1, use_bias: false}
          - {type: Conv1DTranspose, filters: 4, kernel_size: 3, dilation_rate: 2, inputs: [input]}
    """)
    assert layer_rows(result) == [("conv1d_transpose", (None, 13, 4), 48, 0), ("conv1d_transpose_1", (None, 9, 4), 40, 0)]
    result = lint("""
        archlint: 1
        input: [3, 4, 5, 2]
        layers:
          - {type: Conv3DTranspose, filters: 3, kernel_size: 2, strides: [1, 2, 3]}
    """)
    assert layer_rows(result) == [("conv3d_transpose", (None, 4, 8, 15, 3), 51, 0)]
    result = lint("""
        archlint: 1
        input: [3, 5, 5]
        layers:
          - {type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same, data_format: channels_first}
    """)
    assert layer_rows(result) == [("conv2d_transpose", (None, 2, 10, 10), 56, 0)]


def test_keras_conv_transpose_refusals(lint):
    # Keras 3.15.1 refuses output_padding >= strides, and strides > 1 with dilation_rate > 1
    result = lint("""
        archlint: 1
        input: [5, 3]
        layers:
          - {type: Conv1DTranspose, filters: 4, kernel_size: 3, strides: 2, output_padding: 2}
          - {type: Conv1DTranspose, filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2, inputs: [input]}
          - {type: Conv1DTranspose, filters: 4, kernel_size: 3, strides: 2, output_padding: 1, inputs: [input]}
    """)
    # the third is accepted: output_padding 1 with k=3, s=2 adds a last output no input reaches (W004)
    assert codes(result) == [("E002", 5, 85), ("E005", 6, 84), ("W004", 7, 66)]
    assert "must be strictly less than strides=[2]" in result.findings[0].message


def test_conv_transpose_w004_outputs_no_input_reaches(lint):
    # Keras 3.15.1: Conv2DTranspose(2, 1, strides=3) on 5x5 gives 15x15 (8 params): with a 1x1 kernel
    # only every third row and column receives an input value, the rest is the bias alone
    result = lint("""
        archlint: 1
        input: [5, 5, 3]
        layers:
          - {type: Conv2DTranspose, filters: 2, kernel_size: 1, strides: 3}
          - {type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 3, inputs: [input]}
    """)
    assert codes(result) == [("W004", 5, 66)]
    assert "10 of 15 outputs on the height and width axes hold only the bias" in result.findings[0].message
    assert "outputs 10 (1, 2, 4, 5, 7, 8, ...)" in result.findings[0].hint
    assert layer_rows(result)[0] == ("conv2d_transpose", (None, 15, 15, 2), 8, 0)


def test_torch_conv_transpose_shapes_and_counts(lint):
    # torch 2.13.0: out = (n-1)*s - 2p + d*(k-1) + output_padding + 1; weight in * out/groups * k
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [4, 5, 5]
        layers:
          - {type: ConvTranspose2d, out_channels: 6, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, groups: 2}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 6, 10, 10), 114, 0)]
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 5]
        layers:
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, dilation: 2, output_padding: 1, bias: false}
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, padding: 2, inputs: [input]}
    """)
    # output_padding 1 with stride 1 is accepted because it is smaller than the dilation; it adds a
    # trailing output no input reaches (W004)
    assert codes(result) == [("W004", 6, 12)]
    assert layer_rows(result) == [("0", (None, 2, 10), 18, 0), ("1", (None, 2, 3), 20, 0)]
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [2, 3, 3, 3]
        layers:
          - {type: ConvTranspose3d, out_channels: 4, kernel_size: [1, 2, 3], stride: [2, 1, 1]}
    """)
    assert layer_rows(result) == [("0", (None, 4, 5, 4, 5), 52, 0)]


def test_torch_conv_transpose_refusals(lint):
    # torch 2.13.0 refuses: output_padding 2 with stride 2 and dilation 1 ("output padding must be smaller
    # than either stride or dilation"), 3 in_channels for groups=3 with out_channels 2 ("out_channels must be
    # divisible by groups"), 3 in_channels for groups=2, padding_mode='reflect' ("Only "zeros" padding mode is
    # supported"), a negative padding
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 5]
        layers:
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, stride: 2, output_padding: 2}
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, groups: 3, inputs: [input]}
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, groups: 2, inputs: [input]}
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, padding_mode: reflect, inputs: [input]}
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, padding: -1, inputs: [input]}
          - {type: ConvTranspose1d, in_channels: 4, out_channels: 2, kernel_size: 3, inputs: [input]}
    """)
    assert [c for c, _, _ in codes(result)] == ["E002", "E003", "E003", "E002", "E002", "E007"]
    assert "smaller than either stride=[2] or dilation=[1]" in result.findings[0].message


def test_torch_conv_transpose_cropped_inputs_and_empty_output(lint):
    # torch 2.13.0: ConvTranspose1d(3, 2, 3, padding=3) on length 5 gives length 1: the first and last
    # inputs reach only cropped positions (W001); kernel 1 with padding 1 on length 2 gives an empty
    # output (accepted: W021); on length 1 the size would be -1 and torch refuses (E001)
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 5]
        layers:
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 3, padding: 3}
    """)
    assert codes(result) == [("W001", 6, 71)]
    assert "the first and the last of its 5 input positions on the length axis" in result.findings[0].message
    assert layer_rows(result) == [("0", (None, 2, 1), 20, 0)]
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 2]
        layers:
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 1, padding: 1}
    """)
    assert codes(result) == [("W021", 6, 71)]
    assert layer_rows(result) == [("0", (None, 2, 0), 8, 0)]
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 1]
        layers:
          - {type: ConvTranspose1d, out_channels: 2, kernel_size: 1, padding: 1}
    """)
    assert codes(result) == [("E001", 6, 71)]


def test_keras_conv_transpose_empty_output(lint):
    # Keras 3.15.1: Conv1DTranspose(2, 2, strides=2, padding='same', output_padding=0) on length 1 builds
    # and runs, giving (None, 0, 2) with 14 params
    result = lint("""
        archlint: 1
        input: [1, 3]
        layers:
          - {type: Conv1DTranspose, filters: 2, kernel_size: 2, strides: 2, padding: same, output_padding: 0}
    """)
    assert codes(result) == [("W021", 5, 78)]
    assert layer_rows(result) == [("conv1d_transpose", (None, 0, 2), 14, 0)]


def test_keras_depthwise_and_separable(lint):
    # Keras 3.15.1: depthwise weights k*C*depth_multiplier + bias C*depth_multiplier; separable adds the
    # pointwise C*depth_multiplier*filters and a bias of filters; strides 2 with dilation 2 is accepted here
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        layers:
          - {type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2, strides: 2, padding: same}
          - {type: SeparableConv2D, filters: 5, kernel_size: 3, depth_multiplier: 2, strides: 2, dilation_rate: 2, inputs: [input]}
    """)
    assert [c for c, _, _ in codes(result)] == ["W003"]  # 'same' with stride 2 on 8 pads 0 before, 1 after
    assert layer_rows(result) == [("depthwise_conv2d", (None, 4, 4, 6), 60, 0),
                                  ("separable_conv2d", (None, 2, 2, 5), 89, 0)]
    result = lint("""
        archlint: 1
        input: [10, 4]
        layers:
          - {type: DepthwiseConv1D, kernel_size: 3, depth_multiplier: 3, use_bias: false}
          - {type: SeparableConv1D, filters: 6, kernel_size: 3, padding: same, use_bias: false, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("depthwise_conv1d", (None, 8, 12), 36, 0), ("separable_conv1d", (None, 10, 6), 36, 0)]
    result = lint("""
        archlint: 1
        input: [3, 8, 8]
        layers:
          - {type: DepthwiseConv2D, kernel_size: 3, data_format: channels_first}
    """)
    assert layer_rows(result) == [("depthwise_conv2d", (None, 3, 6, 6), 30, 0)]


def test_keras_depthwise_refusals(lint):
    # Keras 3.15.1: a 3x3 kernel on 2x2 ("Computed output size would be zero or negative"); 'causal' is
    # refused by DepthwiseConv1D (a schema error here: the keyword's values are 'valid' and 'same')
    result = lint("""
        archlint: 1
        input: [2, 2, 3]
        layers:
          - {type: DepthwiseConv2D, kernel_size: 3}
    """)
    assert codes(result) == [("E001", 5, 42)]
    result = lint("""
        archlint: 1
        input: [10, 4]
        layers:
          - {type: DepthwiseConv1D, kernel_size: 3, padding: causal}
    """)
    assert [c for c, _, _ in codes(result)] == ["S002"]


def test_torch_depthwise_through_groups(lint):
    # torch 2.13.0: Conv2d(4, 8, 3, groups=4) is depthwise with multiplier 2: 8*1*9 + 8 = 80; out_channels 6
    # is refused for groups=4
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [4, 6, 6]
        layers:
          - {type: Conv2d, out_channels: 8, kernel_size: 3, groups: 4}
          - {type: Conv2d, out_channels: 6, kernel_size: 3, groups: 4, inputs: [input]}
    """)
    assert codes(result) == [("E003", 7, 61)]
    assert layer_rows(result)[0] == ("0", (None, 8, 4, 4), 80, 0)
