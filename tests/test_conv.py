"""Convolutions: shapes, counts and findings.

Every number here was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU): the
output shape of a forward pass on a batch of 2, `count_params()` / the sum of `parameters()`, and
whether the framework refuses (constructor error or forward-pass error).
"""

from helpers import codes, layer_rows


def test_seed_example_3_counts_140(lint):
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 5, kernel_size: 3, activation: relu}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d", (None, 8, 8, 5), 140, 0)]


def test_keras_shapes_and_counts(lint):
    # Keras 3.15.1: 'same' gives ceil(n / stride) for odd and even inputs alike; causal keeps the length
    # whatever the dilation; channels_first reads the channels on axis 1
    result = lint("""
        archlint: 1
        input: [7, 7, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, strides: 2, padding: same}
          - {type: Conv2D, filters: 6, kernel_size: 3, groups: 2, use_bias: false, padding: same}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d", (None, 4, 4, 16), 448, 0), ("conv2d_1", (None, 4, 4, 6), 432, 0)]
    result = lint("""
        archlint: 1
        input: [20, 4]
        layers:
          - {type: Conv1D, filters: 8, kernel_size: 3, dilation_rate: 2, padding: causal}
          - {type: Conv1D, filters: 8, kernel_size: 4, strides: 3, padding: causal}
    """)
    # causal pads 3 before: windows start at -3, 0, ..., 15 and the last step (19) is never read
    assert codes(result) == [("W001", 6, 57)]
    # (10, 4) -> (4, 8) with 136 params for the second layer alone, checked on a (10, 4) input;
    # here it reads (20, 8): ceil(20 / 3) = 7
    assert layer_rows(result) == [("conv1d", (None, 20, 8), 104, 0), ("conv1d_1", (None, 7, 8), 264, 0)]
    result = lint("""
        archlint: 1
        input: [3, 10, 12]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: [3, 5], data_format: channels_first}
    """)
    assert layer_rows(result) == [("conv2d", (None, 16, 8, 8), 736, 0)]
    result = lint("""
        archlint: 1
        input: [6, 6, 6, 4]
        layers:
          - {type: Conv3D, filters: 6, kernel_size: 3, groups: 2, use_bias: false}
    """)
    assert layer_rows(result) == [("conv3d", (None, 4, 4, 4, 6), 324, 0)]


def test_keras_unknown_spatial_sizes_stay_unknown(lint):
    # Keras 3.15.1: Conv2D(3, 3, strides=2, padding='same') on (None, 7, 3) gives (None, None, 4, 3)
    result = lint("""
        archlint: 1
        input: [null, 7, 3]
        layers:
          - {type: Conv2D, filters: 3, kernel_size: 3, strides: 2, padding: same}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d", (None, None, 4, 3), 84, 0)]


def test_keras_refusals(lint):
    # Keras 3.15.1 refuses each: output size 0 ('Computed output size would be zero or negative'),
    # 3 input channels for groups=2, 3 filters for groups=2, strides 2 with dilation_rate 2
    result = lint("""
        archlint: 1
        input: [2, 5, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3}
    """)
    assert codes(result) == [("E001", 5, 45)]
    assert "output size would be 0" in result.findings[0].message
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, groups: 2}
          - {type: Conv2D, filters: 3, kernel_size: 3, groups: 2, inputs: [input]}
          - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2, inputs: [input]}
    """)
    assert codes(result) == [("E003", 5, 56), ("E003", 6, 56), ("E005", 7, 75)]
    assert "receives 3 input channels" in result.findings[0].message
    assert "filters=3 is not divisible by groups=2" in result.findings[1].message


def test_keras_unknown_channels_is_e010(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, null]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3}
    """)
    assert codes(result) == [("E010", 5, 12)]


def test_torch_shapes_and_counts(lint):
    # torch 2.13.0: a one-element stride list is expanded to every axis; padding=3 with a 3x3 kernel
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 9, 9]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, stride: [2]}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 2, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 4, 4, 4), 112, 0), ("1", (None, 4, 11, 11), 112, 0)]


def test_torch_padding_modes(lint):
    # torch 2.13.0 pads with F.pad for these modes: reflect needs padding < size (3 on a size of 4 works,
    # on 3 it is refused), circular needs padding <= size (3 on 3 works, on 2 it is refused), and a
    # negative padding crops: Conv1d(k=3, padding=-1, reflect) on length 10 gives 6
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 3]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: [3, 2], padding_mode: reflect}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 3, padding_mode: reflect, inputs: [input]}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 3, padding_mode: circular, inputs: [input]}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 9, padding_mode: replicate, inputs: [input]}
    """)
    assert codes(result) == [("E002", 7, 62)]
    assert "pads the width axis by 3" in result.findings[0].message
    assert "smaller than the input, 3" in result.findings[0].message
    assert [row[1] for row in layer_rows(result)] == [(None, 4, 8, 5), None, (None, 4, 8, 7), (None, 4, 20, 19)]
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 2, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 3, padding_mode: circular}
    """)
    assert codes(result) == [("E002", 6, 62)]
    assert "no larger than the input, 2" in result.findings[0].message
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [2, 10]
        layers:
          - {type: Conv1d, out_channels: 4, kernel_size: 3, padding: -1, padding_mode: reflect}
          - {type: Conv1d, out_channels: 4, kernel_size: 3, padding: -1, inputs: [input]}
    """)
    assert codes(result) == [("E002", 7, 62)]
    assert layer_rows(result)[0] == ("0", (None, 4, 6), 28, 0)


def test_torch_one_element_padding_list_with_padding_mode_is_refused(lint):
    # torch 2.13.0: 'Padding size 2 is not supported for 4D input tensor' from F.pad
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [1, 6, 6]
        layers:
          - {type: Conv2d, out_channels: 1, kernel_size: 3, padding: [1], padding_mode: reflect}
          - {type: Conv2d, out_channels: 1, kernel_size: 3, padding: [1], inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 62)]
    assert layer_rows(result)[1] == ("1", (None, 1, 6, 6), 10, 0)


def test_torch_same_with_padding_mode_and_one_element_dilation_pads_first_axis_only(lint):
    # torch 2.13.0: Conv2d(1, 1, 3, padding='same', padding_mode='reflect', dilation=[2]) on 8x8 gives 8x4
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [1, 8, 8]
        layers:
          - {type: Conv2d, out_channels: 1, kernel_size: 3, padding: same, padding_mode: reflect, dilation: [2]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 1, 8, 4), 10, 0)]


def test_torch_refusals(lint):
    # torch 2.13.0: 'negative padding is not supported'; 'in_channels must be divisible by groups';
    # 'out_channels must be divisible by groups'; "padding='same' is not supported for strided
    # convolutions"; 'Kernel size can't be greater than actual input size' (5 on 4 rows)
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [6, 4, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: -1}
          - {type: Conv2d, out_channels: 8, kernel_size: 3, groups: 4, inputs: [input]}
          - {type: Conv2d, out_channels: 6, kernel_size: 3, groups: 4, in_channels: 8, inputs: [input]}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, stride: 2, padding: same, inputs: [input]}
          - {type: Conv2d, out_channels: 4, kernel_size: 5, inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 62), ("E003", 7, 61), ("E007", 8, 77), ("E004", 9, 73), ("E001", 10, 50)]


def test_torch_in_channels_mismatch_message(lint):
    # torch 2.13.0: 'expected input[2, 128, 8, 8] to have 64 channels, but got 128 channels instead'
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [128, 8, 8]
        layers:
          - {type: Conv2d, in_channels: 64, out_channels: 8, kernel_size: 3}
    """)
    assert codes(result) == [("E007", 6, 33)]
    assert result.findings[0].message.startswith("Conv2d expects 64 input channels (in_channels=64) but receives 128")


def test_torch_unknown_channels_use_in_channels(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [null, 8, 8]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3}
          - {type: Conv2d, out_channels: 8, kernel_size: 3, inputs: [input]}
    """)
    assert codes(result) == [("E010", 7, 12)]
    assert layer_rows(result)[0] == ("0", (None, 8, 6, 6), 224, 0)


def test_w003_keras_same_stride_2_on_even_input(lint):
    # Keras pads 3x3 'same' stride 2 on 8 rows by 1 in total (0 before, 1 after); on 7 rows by 2 (1, 1)
    result = lint("""
        archlint: 1
        input: [8, 7, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, strides: 2, padding: same}
    """)
    assert codes(result) == [("W003", 5, 70)]
    message = result.findings[0].message
    assert "pads the height axis by 1 (0 before, 1 after)" in message
    assert "with stride 2 on a size of 8" in result.findings[0].hint
    assert layer_rows(result) == [("conv2d", (None, 4, 4, 16), 448, 0)]


def test_w003_not_for_odd_kernel_stride_1_or_odd_input(lint):
    result = lint("""
        archlint: 1
        input: [7, 7, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, strides: 2, padding: same}
          - {type: Conv2D, filters: 16, kernel_size: 3, padding: same}
    """)
    assert codes(result) == []


def test_w003_torch_same_even_kernel(lint):
    # torch 2.13.0: Conv2d(3, 4, 2, padding='same') keeps 8x8 and pads 0 before, 1 after
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 8, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 2, padding: same}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: same}
    """)
    assert codes(result) == [("W003", 6, 62)]
    assert "the effective kernel 2 is even" in result.findings[0].hint
    assert layer_rows(result)[0] == ("0", (None, 4, 8, 8), 52, 0)


def test_w004_padding_only_output(lint):
    # torch 2.13.0: padding=3 with a 3x3 kernel gives 12x12, whose first and last rows and columns are
    # the bias alone; padding=2 gives 10x10 with every output touching the input
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 8, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 3}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 2, inputs: [input]}
          - {type: Conv2d, out_channels: 4, kernel_size: 3, padding: 3, padding_mode: replicate, inputs: [input]}
    """)
    assert codes(result) == [("W004", 6, 62)]
    message = result.findings[0].message
    assert "the first and the last of its 12 outputs on the height and width axes see only padding" in message
    assert "width axes" in message
    assert result.findings[0].hint == ("it pads 3 before and 3 after on the height axis, and the padding on a side "
                                       "reaches the effective kernel size 3: pad at most 2 on each side")


def test_w004_dilated_kernel_straddles_the_input(lint):
    # Keras 3.15.1: Conv2D(4, 4, dilation_rate=2, padding='same') on 1x1: every tap lands in padding
    result = lint("""
        archlint: 1
        input: [1, 1, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 4, dilation_rate: 2, padding: same}
    """)
    assert [c for c, _, _ in codes(result)] == ["W001", "W004"]
    assert codes(result)[1] == ("W004", 5, 75)
    assert "effective size 7" in result.findings[1].hint
    assert layer_rows(result) == [("conv2d", (None, 1, 1, 4), 196, 0)]


def test_keras_conv_lora_rank_counts(lint):
    # Keras 3.15.1: Conv2D(4, 3, lora_rank=2) on 3 channels: 66 trainable (bias 4 + lora_kernel_a
    # 3*3*3*2 + lora_kernel_b 2*4) and 108 non-trainable (the kernel); with groups=2 on 4 channels 48
    # and 72; Conv3D(4, 3, lora_rank=3, use_bias=False) on 3 channels 255 and 324
    result = lint("""
        archlint: 1
        input: [9, 9, 4]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, lora_rank: 2, groups: 2}
          - {type: Conv2D, filters: 4, kernel_size: 3, lora_rank: null, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d", (None, 7, 7, 4), 48, 72), ("conv2d_1", (None, 7, 7, 4), 148, 0)]
    result = lint("""
        archlint: 1
        input: [9, 9, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, lora_rank: 2}
    """)
    assert layer_rows(result) == [("conv2d", (None, 7, 7, 4), 66, 108)]
    result = lint("""
        archlint: 1
        input: [5, 5, 5, 3]
        layers:
          - {type: Conv3D, filters: 4, kernel_size: 3, lora_rank: 3, use_bias: false}
          - {type: Conv3D, filters: 4, kernel_size: 3, lora_rank: -1, inputs: [input]}
          - {type: Conv3D, filters: 4, kernel_size: 3, lora_rank: 1, kernel_constraint: non_neg, inputs: [input]}
    """)
    # Keras 3.15.1 refuses a negative rank and lora with a kernel_constraint
    assert codes(result) == [("E002", 6, 59), ("E002", 7, 59)]
    assert layer_rows(result)[0] == ("conv3d", (None, 3, 3, 3, 4), 255, 324)
