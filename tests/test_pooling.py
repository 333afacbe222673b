"""Pooling: shapes, counts and findings.

Every shape, count and error condition here was checked against Keras 3.15.1 (torch backend: the
symbolic output shape and a forward pass on a batch of 2) and torch 2.13.0 (a forward pass on a batch
of 2, parameters counted with `sum(p.numel() for p in m.parameters())`). None of these layers has a
weight, so every count is 0.
"""

import json

import pytest
from helpers import ROOT, codes, layer_rows

from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, known_types, lookup
from archlint.layers.windows import AxisWindow, first_padding_only_window, output_size


def keras(input_shape, *layers):
    return "archlint: 1\ninput: " + json.dumps(input_shape) + "\nlayers:\n" + "".join(
        f"  - {layer}\n" for layer in layers)


def torch(input_shape, *layers):
    return "archlint: 1\nframework: pytorch\ninput: " + json.dumps(input_shape) + "\nlayers:\n" + "".join(
        f"  - {layer}\n" for layer in layers)


def single(lint, text):
    result = lint(text)
    ((name, shape, trainable, non_trainable),) = layer_rows(result)
    assert (trainable, non_trainable) == (0, 0)
    return shape, codes(result)


# The first layer of `keras(...)`/`torch(...)` is on line 4 (5 for torch), its `{` at column 5, so the
# value of its `type` is at column 12.
K_LINE, T_LINE = 4, 5
TYPE = 12


def col(layer: str, key: str) -> int:
    """The column of `key`'s value in a layer written as the first of `keras(...)` / `torch(...)`."""
    return 5 + layer.index(f"{key}: ") + len(key) + 2


# Keras: MaxPooling / AveragePooling ------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    # defaults: pool_size 2 per axis, strides = pool_size, 'valid'
    ([6, 6, 3], "{type: MaxPooling2D}", (None, 3, 3, 3)),
    ([4, 6, 8, 2], "{type: MaxPooling3D}", (None, 2, 3, 4, 2)),
    ([8, 3], "{type: MaxPooling1D}", (None, 4, 3)),
    ([9, 9, 3], "{type: MaxPooling2D, pool_size: 3, strides: 1}", (None, 7, 7, 3)),
    ([5, 5, 3], "{type: MaxPooling2D, pool_size: 5}", (None, 1, 1, 3)),
    ([5, 5, 3], "{type: MaxPooling2D, pool_size: 3, strides: 2, padding: same}", (None, 3, 3, 3)),
    ([5, 5, 3], "{type: MaxPooling2D, pool_size: 6, padding: same}", (None, 1, 1, 3)),
    ([5, 5, 3], "{type: AveragePooling2D, pool_size: 2, padding: same}", (None, 3, 3, 3)),
    ([8, 8, 3], "{type: AveragePooling2D, pool_size: [2, 4]}", (None, 4, 2, 3)),
    ([4, 5, 6, 3], "{type: AveragePooling3D, pool_size: 2, strides: 1, padding: same}", (None, 4, 5, 6, 3)),
    ([3, 6, 8], "{type: MaxPooling2D, data_format: channels_first}", (None, 3, 3, 4)),
    ([None, None, 3], "{type: MaxPooling2D}", (None, None, None, 3)),
])
def test_keras_pooling_shapes(lint, input_shape, layer, shape):
    assert single(lint, keras(input_shape, layer)) == (shape, [])


def test_keras_strides_default_to_pool_size(lint):
    # AveragePooling1D(3) on 12 steps: strides 3 -> 4 steps; strides 2 -> 5 (12 - 3) // 2 + 1
    assert single(lint, keras([12, 3], "{type: AveragePooling1D, pool_size: 3}")) == ((None, 4, 3), [])
    assert single(lint, keras([12, 3], "{type: AveragePooling1D, pool_size: 3, strides: null}")) == (
        (None, 4, 3), [])
    assert lookup(KERAS, "MaxPooling2D").defaults["pool_size"] == (2, 2)
    assert lookup(KERAS, "AveragePooling2D").defaults["pool_size"] is REQUIRED


def test_keras_average_pooling_requires_pool_size(lint):
    # Keras 3.15: AveragePooling2D.__init__() missing 1 required positional argument: 'pool_size'
    result = lint(keras([6, 6, 3], "{type: AveragePooling2D}"))
    assert [code for code, _, _ in codes(result)] == ["S002"]


def test_keras_odd_size_leaves_the_last_row_unread_w001(lint):
    # MaxPooling2D() on 5x5 -> (None, 2, 2, 3): row and column 4 are never read
    shape, found = single(lint, keras([5, 5, 3], "{type: MaxPooling2D}"))
    assert shape == (None, 2, 2, 3)
    assert found == [("W001", K_LINE, TYPE)]
    # MaxPooling1D() on 7 steps -> 3; MaxPooling3D() on 4x5x6 -> 2x2x3 (depth 5 is odd)
    assert single(lint, keras([7, 3], "{type: MaxPooling1D}")) == ((None, 3, 3), [("W001", K_LINE, TYPE)])
    assert single(lint, keras([4, 5, 6, 2], "{type: MaxPooling3D}")) == (
        (None, 2, 2, 3, 2), [("W001", K_LINE, TYPE)])
    # a pool 3 / stride 2 'valid' on 6 -> 2 reads 0..4 only; the finding points at `strides`
    layer = "{type: MaxPooling2D, pool_size: 3, strides: 2}"
    assert single(lint, keras([6, 6, 3], layer)) == ((None, 2, 2, 3), [("W001", K_LINE, col(layer, "strides"))])
    # AveragePooling1D(3, 2) on 10 steps -> 4 reads 0..8
    layer = "{type: AveragePooling1D, pool_size: 3, strides: 2}"
    assert single(lint, keras([10, 3], layer)) == ((None, 4, 3), [("W001", K_LINE, col(layer, "strides"))])


def test_keras_same_pooling_reads_everything_and_has_no_w003(lint):
    # 3x3 stride 2 'same' on 5 pads 1 and 1; 2x2 stride 2 'same' on 5 pads 0 and 1 (odd: no W003, see
    # pooling.py: pooling has no weights and Keras never mixes the padding into a value)
    assert single(lint, keras([5, 5, 3], "{type: MaxPooling2D, pool_size: 3, strides: 2, padding: same}")) == (
        (None, 3, 3, 3), [])
    assert single(lint, keras([5, 5, 3], "{type: MaxPooling2D, padding: same}")) == ((None, 3, 3, 3), [])


def test_keras_stride_beyond_pool_skips_input_w002(lint):
    # MaxPooling2D(2, strides=3) on 8 -> 3: positions 2 and 5 are skipped
    layer = "{type: MaxPooling2D, pool_size: 2, strides: 3}"
    assert single(lint, keras([8, 8, 3], layer)) == ((None, 3, 3, 3), [("W002", K_LINE, col(layer, "strides"))])
    assert single(lint, keras([9, 9, 3], "{type: MaxPooling2D, pool_size: 3, strides: 3}")) == (
        (None, 3, 3, 3), [])


def test_keras_pool_larger_than_input_e001(lint):
    # Keras: "Computed output size would be zero or negative" for pool 6 on 5; pool 5 fits
    layer = "{type: MaxPooling2D, pool_size: 6}"
    result = lint(keras([5, 5, 3], layer))
    assert codes(result) == [("E001", K_LINE, col(layer, "pool_size"))]
    assert "pool window of effective size 6 does not fit the input's height axis of 5" in (
        result.findings[0].message)
    assert single(lint, keras([5, 5, 3], "{type: MaxPooling2D, pool_size: 6, padding: same}")) == (
        (None, 1, 1, 3), [])


@pytest.mark.parametrize("layer, key", [
    ("{type: MaxPooling2D, pool_size: 0}", "pool_size"),  # Keras: values {0} do not satisfy `value > 0`
    ("{type: MaxPooling2D, pool_size: [2, 0]}", "pool_size"),
    ("{type: MaxPooling2D, pool_size: [2, 2, 2]}", "pool_size"),  # must be a tuple of 2 integers
    ("{type: MaxPooling2D, strides: 0}", "strides"),  # accepted by the constructor, ZeroDivisionError on call
    ("{type: MaxPooling2D, strides: [2]}", "strides"),
])
def test_keras_invalid_sizes_e002(lint, layer, key):
    assert codes(lint(keras([6, 6, 3], layer))) == [("E002", K_LINE, col(layer, key))]


def test_keras_rank_mismatch_e008(lint):
    # Keras: "expected ndim=4, found ndim=3"
    assert codes(lint(keras([5, 3], "{type: MaxPooling2D}"))) == [("E008", K_LINE, TYPE)]
    assert codes(lint(keras([5, 5, 3], "{type: MaxPooling1D}"))) == [("E008", K_LINE, TYPE)]
    assert codes(lint(keras([6, 3], "{type: MaxPooling1D}"))) == []


# Keras: global pooling -------------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    ([5, 5, 3], "{type: GlobalAveragePooling2D}", (None, 3)),
    ([5, 5, 3], "{type: GlobalAveragePooling2D, keepdims: true}", (None, 1, 1, 3)),
    ([3, 5, 6], "{type: GlobalAveragePooling2D, data_format: channels_first, keepdims: true}", (None, 3, 1, 1)),
    ([3, 5, 6], "{type: GlobalMaxPooling2D, data_format: channels_first}", (None, 3)),
    ([5, 3], "{type: GlobalMaxPooling1D}", (None, 3)),
    ([5, 3], "{type: GlobalAveragePooling1D, keepdims: true}", (None, 1, 3)),
    ([5, 4, 3, 2], "{type: GlobalMaxPooling3D}", (None, 2)),
    ([2, 3, 4, 5], "{type: GlobalAveragePooling3D, keepdims: true}", (None, 1, 1, 1, 5)),
    ([None, None, 16], "{type: GlobalMaxPooling2D}", (None, 16)),
])
def test_keras_global_pooling(lint, input_shape, layer, shape):
    assert single(lint, keras(input_shape, layer)) == (shape, [])


def test_keras_global_pooling_rank_mismatch_e008(lint):
    assert codes(lint(keras([5, 3], "{type: GlobalMaxPooling2D}"))) == [("E008", K_LINE, TYPE)]
    assert codes(lint(keras([5, 5, 3], "{type: GlobalAveragePooling1D}"))) == [("E008", K_LINE, TYPE)]


def test_global_pooling_reads_what_a_stride_would_skip(lint):
    # the global pooling reads every position, so the 1x1/2 Conv2D sharing its input is not flagged
    text = keras([5, 5, 3], "{type: Conv2D, filters: 4, kernel_size: 1, strides: 2}",
                 "{type: GlobalAveragePooling2D, inputs: [input]}")
    assert codes(lint(text)) == []


# PyTorch: MaxPool / AvgPool --------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    ([3, 6, 6], "{type: MaxPool2d, kernel_size: 2}", (None, 3, 3, 3)),
    ([4, 9], "{type: MaxPool1d, kernel_size: 3}", (None, 4, 3)),
    ([2, 4, 6, 8], "{type: MaxPool3d, kernel_size: 2}", (None, 2, 2, 3, 4)),
    ([2, 4, 5, 6], "{type: MaxPool3d, kernel_size: [2, 3, 3], stride: 1, padding: [1, 1, 0]}", (None, 2, 5, 5, 4)),
    ([64, 112, 112], "{type: MaxPool2d, kernel_size: 3, stride: 2, padding: 1}", (None, 64, 56, 56)),  # ResNet stem
    ([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, stride: 1, dilation: 2}", (None, 3, 5, 5)),
    ([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, stride: 1, dilation: 2, padding: 1}", (None, 3, 7, 7)),
    ([3, 9, 9], "{type: MaxPool2d, kernel_size: 10, padding: 1}", (None, 3, 1, 1)),
    ([4, 10], "{type: AvgPool1d, kernel_size: 3, stride: 2, padding: 1}", (None, 4, 5)),
    ([6, 28, 28], "{type: AvgPool2d, kernel_size: 2}", (None, 6, 14, 14)),
    ([3, 9, 9], "{type: AvgPool2d, kernel_size: 4, padding: 2}", (None, 3, 3, 3)),
    ([3, 9, 9], "{type: AvgPool2d, kernel_size: 10, padding: 1}", (None, 3, 1, 1)),
    ([3, 9, 9, 9], "{type: AvgPool3d, kernel_size: 9, stride: 1, padding: 1}", (None, 3, 3, 3, 3)),
    # torch reads a one-element list as a single int on every axis
    ([3, 5, 5], "{type: AvgPool2d, kernel_size: [2], padding: 1}", (None, 3, 3, 3)),
    ([2, 7], "{type: MaxPool1d, kernel_size: 2, stride: [1]}", (None, 2, 6)),
    ([3, None, 8], "{type: MaxPool2d, kernel_size: 2}", (None, 3, None, 4)),
])
def test_torch_pooling_shapes(lint, input_shape, layer, shape):
    assert single(lint, torch(input_shape, layer)) == (shape, [])


def test_torch_stride_defaults_to_kernel_size(lint):
    assert single(lint, torch([3, 12], "{type: AvgPool1d, kernel_size: 3}")) == ((None, 3, 4), [])
    assert single(lint, torch([3, 12], "{type: AvgPool1d, kernel_size: 3, stride: null}")) == ((None, 3, 4), [])


@pytest.mark.parametrize("input_shape, layer, shape", [
    # ceil_mode rounds up: 6 -> 3 instead of 2 for 3/2, 5 -> 3 instead of 2 for 2/2
    ([3, 6, 6], "{type: MaxPool2d, kernel_size: 3, stride: 2, ceil_mode: true}", (None, 3, 3, 3)),
    ([3, 5, 5], "{type: MaxPool2d, kernel_size: 2, ceil_mode: true}", (None, 3, 3, 3)),
    ([2, 4, 6, 8], "{type: AvgPool3d, kernel_size: 2, ceil_mode: true}", (None, 2, 2, 3, 4)),
    ([3, 9], "{type: AvgPool1d, kernel_size: 3, stride: 2, ceil_mode: true}", (None, 3, 4)),
    ([3, 7, 7], "{type: AvgPool2d, kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, "
                "count_include_pad: false, divisor_override: 4}", (None, 3, 4, 4)),
    # ... but the last window must start inside the input or the left padding: 5 + 2*1 - 2 = 5, so
    # rounding up would give 4 windows, the 4th starting at 6 = 5 + 1, in the right padding: torch gives 3
    ([1, 5], "{type: MaxPool1d, kernel_size: 2, stride: 2, padding: 1, ceil_mode: true}", (None, 1, 3)),
])
def test_torch_ceil_mode(lint, input_shape, layer, shape):
    assert single(lint, torch(input_shape, layer)) == (shape, [])


@pytest.mark.parametrize("n, k, s, p, d, ceil, want", [
    # torch 2.13 nn.MaxPool1d output lengths (an exhaustive sweep over n <= 10, k <= 5, s <= 4, p <= 3,
    # d <= 3 agreed with windows.output_size everywhere; these are a sample)
    (5, 2, 2, 1, 1, True, 3), (5, 2, 2, 1, 1, False, 3), (6, 3, 2, 0, 1, True, 3), (6, 3, 2, 0, 1, False, 2),
    # (10, 4, 3, 2): 10 + 4 - 4 = 10 would round up to 5 windows, the 5th starting at 12 = 10 + 2: 4
    (7, 3, 3, 1, 1, True, 3), (10, 4, 3, 2, 1, True, 4), (10, 4, 3, 2, 1, False, 4), (9, 3, 4, 1, 2, True, 3),
    (9, 3, 4, 1, 2, False, 2), (4, 2, 3, 1, 1, True, 2), (1, 1, 4, 0, 1, True, 1), (8, 5, 4, 2, 1, True, 3),
])
def test_output_size_matches_torch(n, k, s, p, d, ceil, want):
    assert output_size(n, p, p, d * (k - 1) + 1, s, ceil) == want


def test_torch_return_indices_gives_two_outputs(lint):
    # nn.MaxPool2d(3, 2, 1, return_indices=True) -> (values, indices), both (2, 3, 5, 5); the next layer
    # reads the values
    text = torch([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, stride: 2, padding: 1, return_indices: true}",
                 "{type: AdaptiveAvgPool2d, output_size: 1}")
    result = lint(text)
    assert codes(result) == []
    assert layer_rows(result) == [("0", [(None, 3, 5, 5), (None, 3, 5, 5)], 0, 0),
                                  ("1", (None, 3, 1, 1), 0, 0)]


def test_torch_odd_size_w001_and_ceil_mode_fix(lint):
    assert single(lint, torch([3, 5, 5], "{type: MaxPool2d, kernel_size: 2}")) == (
        (None, 3, 2, 2), [("W001", T_LINE, TYPE)])
    assert single(lint, torch([3, 5, 5], "{type: MaxPool2d, kernel_size: 2, ceil_mode: true}")) == (
        (None, 3, 3, 3), [])
    layer = "{type: MaxPool2d, kernel_size: 3, stride: 2}"
    assert single(lint, torch([3, 6, 6], layer)) == ((None, 3, 2, 2), [("W001", T_LINE, col(layer, "stride"))])


def test_torch_stride_beyond_kernel_w002(lint):
    layer = "{type: MaxPool2d, kernel_size: 2, stride: 3}"
    assert single(lint, torch([3, 8, 8], layer)) == ((None, 3, 3, 3), [("W002", T_LINE, col(layer, "stride"))])


@pytest.mark.parametrize("input_shape, layer", [
    # torch: "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3"
    ([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, padding: 2}"),
    ([3, 9], "{type: MaxPool1d, kernel_size: 1, padding: 1}"),  # "padding should be at most half of kernel size"
    ([3, 9, 9], "{type: AvgPool2d, kernel_size: 4, padding: [2, 3]}"),
    ([3, 9, 9, 9], "{type: AvgPool3d, kernel_size: 2, padding: 2}"),
    # the dilation does not count: effective kernel 5, yet padding 2 is refused
    ([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, dilation: 2, padding: 2}"),
])
def test_torch_pool_padding_over_half_kernel_e006(lint, input_shape, layer):
    assert codes(lint(torch(input_shape, layer))) == [("E006", T_LINE, col(layer, "padding"))]


def test_torch_pool_padding_of_half_kernel_is_fine(lint):
    assert single(lint, torch([3, 8, 8], "{type: MaxPool2d, kernel_size: 3, padding: 1}")) == ((None, 3, 3, 3), [])
    assert single(lint, torch([3, 9, 9], "{type: MaxPool2d, kernel_size: 2, padding: 1}")) == ((None, 3, 5, 5), [])


def test_torch_pool_e006_message(lint):
    result = lint(torch([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, dilation: 2, padding: 2}"))
    assert result.findings[0].message == (
        "MaxPool2d padding=2 on the height axis is more than half of kernel_size=3, which PyTorch refuses")


def test_torch_kernel_larger_than_input_e001(lint):
    # torch: "Given input size: (3x9x9). Calculated output size: (3x0x0). Output size is too small"
    layer = "{type: MaxPool2d, kernel_size: 10}"
    assert codes(lint(torch([3, 9, 9], layer))) == [("E001", T_LINE, col(layer, "kernel_size"))]
    # dilation 5: effective kernel 11 on 9
    layer = "{type: MaxPool2d, kernel_size: 3, dilation: 5}"
    assert codes(lint(torch([3, 9, 9], layer))) == [("E001", T_LINE, col(layer, "kernel_size"))]
    # dilation 4: effective kernel 9 fits (its taps 0, 4 and 8 skip the rest: W002)
    assert single(lint, torch([3, 9, 9], "{type: MaxPool2d, kernel_size: 3, dilation: 4}")) == (
        (None, 3, 1, 1), [("W002", T_LINE, TYPE)])


def test_torch_avgpool3d_needs_the_unpadded_input_e001(lint):
    # torch: "input image (T: 9 H: 9 W: 9) smaller than kernel size (kT: 9 kH: 10 kW: 9)", although
    # 9 + 2 padding would fit the kernel; AvgPool2d has no such check (last case)
    layer = "{type: AvgPool3d, kernel_size: [9, 10, 9], padding: 1}"
    result = lint(torch([3, 9, 9, 9], layer))
    assert codes(result) == [("E001", T_LINE, col(layer, "kernel_size"))]
    assert "larger than the height axis of size 9" in result.findings[0].message
    assert single(lint, torch([3, 9, 9, 9], "{type: AvgPool3d, kernel_size: 9, stride: 1, padding: 1}")) == (
        (None, 3, 3, 3, 3), [])
    assert single(lint, torch([3, 9, 9], "{type: AvgPool2d, kernel_size: 10, padding: 1}")) == ((None, 3, 1, 1), [])


@pytest.mark.parametrize("layer, key", [
    ("{type: MaxPool2d, kernel_size: 0}", "kernel_size"),  # "stride should not be zero" (stride = kernel_size)
    ("{type: MaxPool2d, kernel_size: 2, stride: 0}", "stride"),
    ("{type: MaxPool2d, kernel_size: 2, dilation: 0}", "dilation"),  # "dilation should be greater than zero"
    ("{type: AvgPool2d, kernel_size: 2, padding: -1}", "padding"),  # "pad must be non-negative"
    # "kernel_size must either be a single int, or a tuple of two ints"
    ("{type: MaxPool2d, kernel_size: [2, 2, 2]}", "kernel_size"),
    ("{type: MaxPool2d, kernel_size: 2, padding: [0, 0, 0]}", "padding"),
    ("{type: AvgPool2d, kernel_size: 2, divisor_override: 0}", "divisor_override"),  # "divisor must be not zero"
])
def test_torch_invalid_arguments_e002(lint, layer, key):
    assert codes(lint(torch([3, 9, 9], layer))) == [("E002", T_LINE, col(layer, key))]


def test_torch_unbatched_rank_is_a_misread_w007(lint):
    # torch 2.13: nn.MaxPool2d(2) on a (2, 4, 4) tensor runs as one unbatched sample and gives (2, 2, 2):
    # the batch axis plays the channels. It runs, so it is a warning with torch's shape, not an error.
    result = lint(torch([4, 4], "{type: MaxPool2d, kernel_size: 2}"))
    assert codes(result) == [("W007", T_LINE, TYPE)]
    assert "unbatched" in result.findings[0].message and "unbatched" in result.findings[0].hint
    assert layer_rows(result) == [("0", (None, 2, 2), 0, 0)]
    result = lint(torch([5, 5], "{type: AdaptiveAvgPool2d, output_size: 1}"))
    assert codes(result) == [("W007", T_LINE, TYPE)]
    assert layer_rows(result) == [("0", (None, 1, 1), 0, 0)]


def test_torch_rank_mismatch_e008(lint):
    # torch: "non-empty 3D or 4D (batch mode) tensor expected for input" for a rank-5 tensor
    assert codes(lint(torch([2, 3, 5, 5], "{type: MaxPool2d, kernel_size: 2}"))) == [("E008", T_LINE, TYPE)]
    assert codes(lint(torch([3, 5, 5], "{type: AvgPool1d, kernel_size: 2}"))) == [("E008", T_LINE, TYPE)]


def test_torch_dilated_window_of_padding_only_w004(lint):
    # nn.MaxPool1d(2, stride=1, padding=1, dilation=5) on 4: one output, whose taps at -1 and 4 are both
    # padding: torch returns -inf (and no W001 besides). With dilation 2 every window reads the input.
    layer = "{type: MaxPool1d, kernel_size: 2, stride: 1, padding: 1, dilation: 5}"
    assert single(lint, torch([1, 4], layer)) == ((None, 1, 1), [("W004", T_LINE, col(layer, "padding"))])
    assert single(lint, torch([1, 4], "{type: MaxPool1d, kernel_size: 2, stride: 1, padding: 1, dilation: 2}")) == (
        (None, 1, 4), [])


def test_first_padding_only_window():
    w = AxisWindow(axis=2, n=4, k=2, s=1, d=5, before=1, after=1, out=1)
    assert first_padding_only_window(w) == 0
    assert first_padding_only_window(AxisWindow(2, 4, 2, 1, 3, 0, 0, 1)) is None
    # rows a padding layer added count as padding: taps 0 and 3 both miss the input [1, 3) when the
    # padding layer added one row at each end, but tap 3 reads input when it added only the first
    assert first_padding_only_window(AxisWindow(2, 4, 2, 1, 3, 0, 0, 1), head=1, tail=1) == 0
    assert first_padding_only_window(AxisWindow(2, 4, 2, 1, 3, 0, 0, 1), head=1) is None


# PyTorch: adaptive pooling ---------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    ([4, 10], "{type: AdaptiveAvgPool1d, output_size: 3}", (None, 4, 3)),
    ([512, 7, 9], "{type: AdaptiveAvgPool2d, output_size: 1}", (None, 512, 1, 1)),
    ([3, 5, 6], "{type: AdaptiveAvgPool2d, output_size: [2, null]}", (None, 3, 2, 6)),
    ([3, 5, 6, 7], "{type: AdaptiveAvgPool3d, output_size: [3, null, 2]}", (None, 3, 3, 6, 2)),
    ([4, 5], "{type: AdaptiveMaxPool1d, output_size: 8}", (None, 4, 8)),  # larger than the input: fine
    ([4, 5], "{type: AdaptiveMaxPool1d, output_size: [3]}", (None, 4, 3)),
    ([3, 5, 6, 7], "{type: AdaptiveMaxPool3d, output_size: 2}", (None, 3, 2, 2, 2)),
    ([3, None, None], "{type: AdaptiveAvgPool2d, output_size: [7, null]}", (None, 3, 7, None)),
    # AdaptiveAvgPool2d/3d to all ones is a mean over the last axes and takes extra leading axes
    ([2, 3, 5, 5], "{type: AdaptiveAvgPool2d, output_size: 1}", (None, 2, 3, 1, 1)),
    ([2, 3, 4, 5, 6], "{type: AdaptiveAvgPool3d, output_size: [1, 1, 1]}", (None, 2, 3, 1, 1, 1)),
])
def test_torch_adaptive_pooling(lint, input_shape, layer, shape):
    assert single(lint, torch(input_shape, layer)) == (shape, [])


def test_torch_adaptive_pooling_to_size_0_is_empty(lint):
    # torch 2.13.0 builds AdaptiveAvgPool2d(0) and computes (2, 3, 0, 0): an empty tensor, W021 (issue 15)
    assert single(lint, torch([3, 5, 6], "{type: AdaptiveAvgPool2d, output_size: 0}")) == (
        (None, 3, 0, 0), [("W021", 5, 44)])


def test_torch_adaptive_max_return_indices(lint):
    assert single(lint, torch([3, 5, 6], "{type: AdaptiveMaxPool2d, output_size: [4, 4], return_indices: true}")) == (
        [(None, 3, 4, 4), (None, 3, 4, 4)], [])


@pytest.mark.parametrize("input_shape, layer", [
    ([3, 9, 9], "{type: AdaptiveAvgPool2d, output_size: null}"),  # documented, yet "NoneType has no len()"
    ([3, 9], "{type: AdaptiveAvgPool1d, output_size: null}"),
    ([3, 9], "{type: AdaptiveMaxPool1d, output_size: [null]}"),  # "must be tuple of ints"
    ([3, 9, 9], "{type: AdaptiveAvgPool2d, output_size: [2]}"),  # "output_size must be 2": no broadcast
    ([3, 9, 9], "{type: AdaptiveMaxPool2d, output_size: -1}"),  # "negative dimension -1"
    ([3, 9, 9, 9], "{type: AdaptiveAvgPool3d, output_size: [2, 2]}"),
])
def test_torch_adaptive_invalid_output_size_e002(lint, input_shape, layer):
    assert codes(lint(torch(input_shape, layer))) == [("E002", T_LINE, col(layer, "output_size"))]


def test_torch_adaptive_rank_mismatch_e008(lint):
    # only the all-ones average takes extra leading axes; AdaptiveMaxPool2d on rank 5:
    # "adaptive_max_pool2d(): Expected 3D or 4D tensor"; AdaptiveAvgPool2d(2): "Expected 3D or 4D tensor"
    assert codes(lint(torch([2, 3, 5, 5], "{type: AdaptiveMaxPool2d, output_size: 1}"))) == [("E008", T_LINE, TYPE)]
    assert codes(lint(torch([2, 3, 5, 5], "{type: AdaptiveAvgPool2d, output_size: 2}"))) == [("E008", T_LINE, TYPE)]
    assert codes(lint(torch([5], "{type: AdaptiveAvgPool2d, output_size: 1}"))) == [("E008", T_LINE, TYPE)]


# Registry and schema ---------------------------------------------------------------------------------------

POOLING = {
    KERAS: [f"{kind}{r}D" for r in (1, 2, 3) for kind in
            ("MaxPooling", "AveragePooling", "GlobalMaxPooling", "GlobalAveragePooling")],
    PYTORCH: [f"{kind}{r}d" for r in (1, 2, 3) for kind in ("MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool")],
}
COMMON = {"type", "name", "inputs", "expect", "trainable"}


@pytest.mark.parametrize("framework", [KERAS, PYTORCH])
def test_every_pooling_type_is_registered_and_in_the_schema(framework):
    schema = json.loads((ROOT / "schemas" / "archlint.schema.json").read_text(encoding="utf-8"))
    for name in POOLING[framework]:
        assert name in known_types(framework)
        layer_type = lookup(framework, name)
        assert layer_type.family == "pooling"
        definition = schema["definitions"][f"{framework}.{name}"]
        assert set(definition["properties"]) == set(layer_type.defaults) | COMMON, name
        required = {key for key, value in layer_type.defaults.items() if value is REQUIRED}
        assert set(definition["required"]) == required | {"type"}, name
        assert name in schema["definitions"][f"{framework}_layer"]["properties"]["type"]["enum"]


def test_divisor_override_only_in_2d_and_3d():
    # torch 2.13: AvgPool1d(kernel_size, stride, padding, ceil_mode, count_include_pad)
    assert "divisor_override" not in lookup(PYTORCH, "AvgPool1d").defaults
    assert lookup(PYTORCH, "AvgPool2d").defaults["divisor_override"] is None
