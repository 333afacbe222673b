"""Padding, cropping and resizing: shapes, counts and findings.

Every shape, count and error condition here was checked against Keras 3.15.1 (torch backend: the
symbolic output shape and a forward pass on a batch of 2; counts with count_params() after build)
and torch 2.13.0 (a forward pass on a batch of 2).
"""

import json

import pytest
from helpers import codes, layer_rows


def keras(input_shape, *layers):
    return "archlint: 1\ninput: " + json.dumps(input_shape) + "\nlayers:\n" + "".join(
        f"  - {layer}\n" for layer in layers)


def torch(input_shape, *layers):
    return "archlint: 1\nframework: pytorch\ninput: " + json.dumps(input_shape) + "\nlayers:\n" + "".join(
        f"  - {layer}\n" for layer in layers)


K_LINE, T_LINE = 4, 5  # the first layer's line in keras(...) / torch(...)
TYPE = 12  # the column of the first layer's `type` value


def col(layer: str, key: str) -> int:
    """The column of `key`'s value in a layer written as the first of `keras(...)` / `torch(...)`."""
    return 5 + layer.index(f"{key}: ") + len(key) + 2


def single(lint, text):
    result = lint(text)
    rows = layer_rows(result)
    return rows[0][1], rows[0][2:], codes(result)


# Keras ZeroPadding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    # Keras 3.15.1, symbolic and on a batch of 2
    ([5, 3], "{type: ZeroPadding1D}", (None, 7, 3)),
    ([5, 3], "{type: ZeroPadding1D, padding: [2, 3]}", (None, 10, 3)),
    ([5, 3], "{type: ZeroPadding1D, padding: 0}", (None, 5, 3)),
    ([5, 6, 3], "{type: ZeroPadding2D}", (None, 7, 8, 3)),
    ([5, 6, 3], "{type: ZeroPadding2D, padding: 3}", (None, 11, 12, 3)),
    ([5, 6, 3], "{type: ZeroPadding2D, padding: [1, 2]}", (None, 7, 10, 3)),
    ([5, 6, 3], "{type: ZeroPadding2D, padding: [[1, 2], [3, 4]]}", (None, 8, 13, 3)),
    ([5, 6, 3], "{type: ZeroPadding2D, padding: [[1, 2], 3]}", (None, 8, 12, 3)),
    ([3, 5, 6], "{type: ZeroPadding2D, padding: [[1, 2], [3, 4]], data_format: channels_first}", (None, 3, 8, 13)),
    ([2, 3, 4, 2], "{type: ZeroPadding3D}", (None, 4, 5, 6, 2)),
    ([2, 3, 4, 2], "{type: ZeroPadding3D, padding: [1, 2, 3]}", (None, 4, 7, 10, 2)),
    ([2, 3, 4, 2], "{type: ZeroPadding3D, padding: [[1, 2], [0, 1], [2, 0]]}", (None, 5, 4, 6, 2)),
    ([None, 3], "{type: ZeroPadding1D, padding: 2}", (None, None, 3)),
])
def test_keras_zero_padding_shapes(lint, input_shape, layer, shape):
    assert single(lint, keras(input_shape, layer)) == (shape, (0, 0), [])


def test_keras_zero_padding_errors(lint):
    # Keras 3.15.1: ZeroPadding1D(-1) and ZeroPadding2D((1, -1)) "must be ... >= 0"; ZeroPadding2D((1, 2, 3))
    # "`padding` should have two elements"; ZeroPadding1D([2]) "must be a tuple of 2 integers"
    for input_shape, layer in (([5, 3], "{type: ZeroPadding1D, padding: -1}"),
                               ([5, 6, 3], "{type: ZeroPadding2D, padding: [1, -1]}"),
                               ([5, 6, 3], "{type: ZeroPadding2D, padding: [1, 2, 3]}"),
                               ([5, 3], "{type: ZeroPadding1D, padding: [2]}")):
        assert codes(lint(keras(input_shape, layer))) == [("E002", K_LINE, col(layer, "padding"))], layer


def test_keras_zero_padding_rank(lint):
    # Keras 3.15.1: "expected ndim=4, found ndim=3"
    result = lint(keras([5, 3], "{type: ZeroPadding2D}"))
    assert codes(result) == [("E008", K_LINE, TYPE)]
    assert "expected ndim=4, found ndim=3" in result.findings[0].hint


def test_keras_zero_padding_negative_int_crops_with_a_warning(lint):
    # Keras 3.15.1 (torch backend): ZeroPadding2D(-1) on (5, 6, 3) gives (3, 4, 3); TF and JAX refuse it
    layer = "{type: ZeroPadding2D, padding: -1}"
    assert single(lint, keras([5, 6, 3], layer)) == ((None, 3, 4, 3), (0, 0), [("W008", K_LINE, col(layer, "padding"))])


def test_resnet_stem_padding_truncation_is_no_w001(lint):
    # Keras ResNet50's stem: ZeroPadding2D(3) + Conv2D(7, strides 2, valid) on 224 gives 112 and never
    # reads the last padded row, which is padding: no finding
    result = lint(keras([224, 224, 3], "{type: ZeroPadding2D, padding: 3}",
                        "{type: Conv2D, filters: 64, kernel_size: 7, strides: 2}"))
    assert codes(result) == []
    assert layer_rows(result)[1][1] == (None, 112, 112, 64)


def test_without_the_padding_layer_the_same_truncation_is_w001(lint):
    # the neighbour: 230 rows of real input, and the same conv drops the last one
    result = lint(keras([230, 230, 3], "{type: Conv2D, filters: 64, kernel_size: 7, strides: 2}"))
    assert [c for c, _, _ in codes(result)] == ["W001"]


def test_padding_then_1x1_conv_is_w004(lint):
    # ZeroPadding2D(3) then a 1x1 conv: its first and last 3 outputs per axis are computed from padding alone
    result = lint(keras([8, 8, 3], "{type: ZeroPadding2D, padding: 3}", "{type: Conv2D, filters: 4, kernel_size: 1}"))
    assert codes(result) == [("W004", K_LINE + 1, TYPE)]
    assert "plus 3 before and 3 after from the padding layer before it" in result.findings[0].hint


def test_padding_then_3x3_conv_is_fine(lint):
    result = lint(keras([8, 8, 3], "{type: ZeroPadding2D, padding: 1}", "{type: Conv2D, filters: 4, kernel_size: 3}"))
    assert codes(result) == []


def test_padding_info_accumulates_and_cropping_removes_it(lint):
    result = lint(keras([8, 8, 3], "{type: ZeroPadding2D, padding: 1}", "{type: ZeroPadding2D, padding: [[2, 0], 1]}",
                        "{type: Cropping2D, cropping: [[1, 2], 0]}"))
    model = result.model
    assert model.tensors["zero_padding2d"].padding == {1: (1, 1), 2: (1, 1)}
    assert model.tensors["zero_padding2d_1"].padding == {1: (3, 1), 2: (2, 2)}
    assert model.tensors["cropping2d"].padding == {1: (2, 0), 2: (2, 2)}


# Keras Cropping -------------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    # Keras 3.15.1, symbolic and on a batch of 2
    ([5, 3], "{type: Cropping1D}", (None, 3, 3)),
    ([5, 3], "{type: Cropping1D, cropping: [0, 4]}", (None, 1, 3)),
    ([5, 6, 3], "{type: Cropping2D}", (None, 5, 6, 3)),
    ([5, 6, 3], "{type: Cropping2D, cropping: [[1, 2], 2]}", (None, 2, 2, 3)),
    ([3, 5, 6], "{type: Cropping2D, cropping: 2, data_format: channels_first}", (None, 3, 1, 2)),
    ([4, 5, 6, 2], "{type: Cropping3D}", (None, 2, 3, 4, 2)),
    ([None, 6, 3], "{type: Cropping2D, cropping: 2}", (None, None, 2, 3)),
])
def test_keras_cropping_shapes(lint, input_shape, layer, shape):
    assert single(lint, keras(input_shape, layer)) == (shape, (0, 0), [])


@pytest.mark.parametrize("input_shape, layer", [
    # Keras 3.15.1 refuses a cropping that leaves nothing: "`cropping` parameter of `Cropping1D` layer must be
    # smaller than the input length" / "Values in `cropping` argument should be smaller than the corresponding
    # spatial dimension of the input"
    ([5, 3], "{type: Cropping1D, cropping: [2, 3]}"),
    ([5, 6, 3], "{type: Cropping2D, cropping: [[1, 2], 3]}"),
    ([4, 5, 6, 2], "{type: Cropping3D, cropping: 2}"),
])
def test_keras_cropping_that_leaves_nothing_is_e001(lint, input_shape, layer):
    assert codes(lint(keras(input_shape, layer))) == [("E001", K_LINE, col(layer, "cropping"))]


def test_keras_cropping_negative_is_e002(lint):
    # Keras 3.15.1: Cropping2D(-1) "`cropping` cannot be negative"
    layer = "{type: Cropping2D, cropping: -1}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("E002", K_LINE, col(layer, "cropping"))]


# Keras UpSampling, Resizing, CenterCrop, Rescaling ------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    ([5, 3], "{type: UpSampling1D, size: 3}", (None, 15, 3)),
    ([5, 6, 3], "{type: UpSampling2D, size: [2, 3]}", (None, 10, 18, 3)),
    ([5, 6, 3], "{type: UpSampling2D, interpolation: bilinear}", (None, 10, 12, 3)),
    ([3, 5, 6], "{type: UpSampling2D, size: [2, 3], data_format: channels_first}", (None, 3, 10, 18)),
    ([2, 3, 4, 3], "{type: UpSampling3D, size: [1, 2, 3]}", (None, 2, 6, 12, 3)),
    ([None, 6, 3], "{type: UpSampling2D}", (None, None, 12, 3)),
    ([5, 6, 3], "{type: Resizing, height: 7, width: 9}", (None, 7, 9, 3)),
    ([3, 5, 6], "{type: Resizing, height: 7, width: 9, data_format: channels_first}", (None, 3, 7, 9)),
    ([5, 6, 3], "{type: Resizing, height: 7, width: 9, crop_to_aspect_ratio: true}", (None, 7, 9, 3)),
    ([5, 6, 3], "{type: CenterCrop, height: 3, width: 4}", (None, 3, 4, 3)),
    ([5, 6, 3], "{type: CenterCrop, height: 7, width: 9}", (None, 7, 9, 3)),  # larger: Keras resizes up
    ([5, 6, 3], "{type: Rescaling, scale: 0.00392156862745098}", (None, 5, 6, 3)),
    ([5, 6, 3], "{type: Rescaling, scale: [1.0, 2.0, 3.0], offset: -1.0}", (None, 5, 6, 3)),
])
def test_keras_resizing_shapes(lint, input_shape, layer, shape):
    assert single(lint, keras(input_shape, layer)) == (shape, (0, 0), [])


def test_keras_upsampling_errors(lint):
    # Keras 3.15.1: UpSampling1D(0) "Argument `size` should be a positive integer"; UpSampling2D(0) "value > 0"
    for input_shape, layer in (([5, 3], "{type: UpSampling1D, size: 0}"), ([5, 6, 3], "{type: UpSampling2D, size: 0}")):
        assert codes(lint(keras(input_shape, layer))) == [("E002", K_LINE, col(layer, "size"))]


def test_keras_backend_only_interpolation_is_w008(lint):
    # Keras 3.15.1 on torch: "Resizing with Lanczos interpolation is not supported by the PyTorch backend"
    layer = "{type: UpSampling2D, interpolation: lanczos3}"
    assert single(lint, keras([5, 6, 3], layer)) == ((None, 10, 12, 3), (0, 0), [("W008", K_LINE, col(layer, "interpolation"))])
    layer = "{type: Resizing, height: 4, width: 4, interpolation: area}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("W008", K_LINE, col(layer, "interpolation"))]


def test_keras_resizing_errors(lint):
    # Keras 3.15.1 (torch backend) at call: "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be
    # `True`"; height 0: "Input and output sizes should be greater than 0"
    layer = "{type: Resizing, height: 7, width: 9, crop_to_aspect_ratio: true, pad_to_aspect_ratio: true}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("E002", K_LINE, col(layer, "pad_to_aspect_ratio"))]
    layer = "{type: Resizing, height: 0, width: 9}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("E002", K_LINE, col(layer, "height"))]


def test_keras_center_crop_zero_is_w008_and_negative_e002(lint):
    # Keras 3.15.1: CenterCrop(0, 4) gives (None, 0, 4, 3); CenterCrop(-1, 4) fails symbolically
    layer = "{type: CenterCrop, height: 0, width: 4}"
    assert single(lint, keras([5, 6, 3], layer)) == ((None, 0, 4, 3), (0, 0), [("W008", K_LINE, col(layer, "height"))])
    layer = "{type: CenterCrop, height: -1, width: 4}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("E002", K_LINE, col(layer, "height"))]


def test_keras_image_layers_rank(lint):
    # Keras 3.15.1: Resizing(7, 9) on (None, 5, 6) reads one unbatched image and gives (7, 9, 6); on a
    # rank-5 input it fails ("Expected image tensor to have rank 3 (single image) or 4")
    result = lint(keras([5, 6], "{type: Resizing, height: 7, width: 9}"))
    assert codes(result) == [("W007", K_LINE, TYPE)]
    assert layer_rows(result)[0][1] == (7, 9, 6)
    assert codes(lint(keras([2, 5, 6, 3], "{type: CenterCrop, height: 3, width: 4}"))) == [("E008", K_LINE, TYPE)]


def test_keras_rescaling_broadcast(lint):
    # Keras 3.15.1: Rescaling([1., 2.]) on (5, 6, 3) fails at call: "The size of tensor a (3) must match ... (2)"
    layer = "{type: Rescaling, scale: [1.0, 2.0]}"
    assert codes(lint(keras([5, 6, 3], layer))) == [("E002", K_LINE, col(layer, "scale"))]


# Keras Normalization ---------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, non_trainable", [
    # Keras 3.15.1 count_params() after build (the same after adapt): mean and variance of the kept axes
    # plus a scalar count; none with constant mean and variance; invert changes nothing
    ([5, 6, 3], "{type: Normalization}", 7),
    ([5, 6, 3], "{type: Normalization, invert: true}", 7),
    ([5, 6, 3], "{type: Normalization, axis: null}", 3),
    ([5, 6, 3], "{type: Normalization, axis: [1, 2]}", 61),
    ([5, 6, 3], "{type: Normalization, axis: -3}", 11),
    ([4], "{type: Normalization}", 9),
    ([5, None, 3], "{type: Normalization}", 7),
    ([5, 6, 3], "{type: Normalization, mean: 0.5, variance: 2.0}", 0),
    ([5, 6, 3], "{type: Normalization, mean: [0.5, 1, 2], variance: [2.0, 1, 1]}", 0),
])
def test_keras_normalization_counts(lint, input_shape, layer, non_trainable):
    shape, counts, found = single(lint, keras(input_shape, layer))
    assert (shape, counts, found) == ((None,) + tuple(input_shape), (0, non_trainable), [])


@pytest.mark.parametrize("input_shape, layer, code, key", [
    # Keras 3.15.1: "both `mean` and `variance` must be set"; "All `axis` values must be in the range
    # [-ndim, ndim)"; "All `axis` values to be kept must have a known shape"; constants of the wrong length
    # fail to broadcast at build
    ([5, 6, 3], "{type: Normalization, mean: 0.5}", "E002", "mean"),
    ([5, 6, 3], "{type: Normalization, axis: 4}", "E002", "axis"),
    ([5, 6, 3], "{type: Normalization, axis: 0}", "E010", "axis"),
    ([5, 6, None], "{type: Normalization}", "E010", None),
    ([5, 6, 3], "{type: Normalization, mean: [0.5, 1], variance: [2.0, 1]}", "E002", "mean"),
])
def test_keras_normalization_errors(lint, input_shape, layer, code, key):
    assert codes(lint(keras(input_shape, layer))) == [(code, K_LINE, col(layer, key) if key else TYPE)]


# PyTorch pads ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    # torch 2.13.0 on a batch of 2
    ([3, 5], "{type: ZeroPad1d, padding: 2}", (None, 3, 9)),
    ([3, 5], "{type: ZeroPad1d, padding: [1, 2]}", (None, 3, 8)),
    ([3, 5], "{type: ZeroPad1d, padding: -2}", (None, 3, 1)),
    ([3, 5], "{type: ZeroPad1d, padding: [-5, 1]}", (None, 3, 1)),
    ([3, 5, 6], "{type: ZeroPad2d, padding: [1, 2, 3, 4]}", (None, 3, 12, 9)),
    ([3, 5, 6], "{type: ZeroPad2d, padding: [1, 2]}", (None, 3, 5, 9)),  # F.pad pads the last axis only
    ([3, 4, 5, 6], "{type: ZeroPad3d, padding: [1, 2, 3, 4, 5, 6]}", (None, 3, 15, 12, 9)),
    ([3, 5, 6], "{type: ConstantPad2d, padding: 2, value: 0.5}", (None, 3, 9, 10)),
    ([3, 5, 6], "{type: ConstantPad2d, padding: -1, value: 0.5}", (None, 3, 3, 4)),
    ([3, 5], "{type: ReflectionPad1d, padding: 4}", (None, 3, 13)),
    ([3, 5], "{type: ReflectionPad1d, padding: [-4, 4]}", (None, 3, 5)),
    ([3, 5], "{type: ReflectionPad1d, padding: [2, -6]}", (None, 3, 1)),
    ([3, 5, 6], "{type: ReflectionPad2d, padding: [5, 5, 4, 4]}", (None, 3, 13, 16)),
    ([3, 4, 5, 6], "{type: ReflectionPad3d, padding: [5, 5, 4, 4, 3, 3]}", (None, 3, 10, 13, 16)),
    ([3, 5], "{type: ReplicationPad1d, padding: 10}", (None, 3, 25)),
    ([3, 5], "{type: ReplicationPad1d, padding: [-6, 3]}", (None, 3, 2)),
    ([3, 4, 5, 6], "{type: ReplicationPad3d, padding: [1, 2, 3, 4, 5, 6]}", (None, 3, 15, 12, 9)),
])
def test_torch_pad_shapes(lint, input_shape, layer, shape):
    assert single(lint, torch(input_shape, layer)) == (shape, (0, 0), [])


@pytest.mark.parametrize("input_shape, layer, code", [
    # torch 2.13.0: "narrow(): length must be non-negative" (a crop larger than the axis)
    ([3, 5], "{type: ZeroPad1d, padding: [-3, -3]}", "E001"),
    ([3, 5], "{type: ZeroPad1d, padding: [-6, 2]}", "E001"),
    # "Padding length must be divisible by 2"
    ([3, 5, 6], "{type: ConstantPad2d, padding: [1, 2, 3], value: 0}", "E002"),
    # "Padding size should be less than the corresponding input dimension"
    ([3, 5], "{type: ReflectionPad1d, padding: 5}", "E002"),
    ([3, 5, 6], "{type: ReflectionPad2d, padding: [5, 5, 5, 4]}", "E002"),
    ([3, 4, 5, 6], "{type: ReflectionPad3d, padding: [5, 5, 4, 4, 4, 3]}", "E002"),
    # "input (W: 5) is too small. Calculated output W: 0"
    ([3, 5], "{type: ReflectionPad1d, padding: [-3, -2]}", "E001"),
    ([3, 5], "{type: ReplicationPad1d, padding: [-4, -1]}", "E001"),
])
def test_torch_pad_errors(lint, input_shape, layer, code):
    assert codes(lint(torch(input_shape, layer))) == [(code, T_LINE, col(layer, "padding"))]


def test_torch_pad_rank(lint):
    # torch 2.13.0: ReflectionPad1d on (2, 3, 5, 6) "Padding size 2 is not supported for 4D input tensor";
    # ZeroPad3d on (2, 5) "Padding length should be less than or equal to two times the input dimension"
    assert codes(lint(torch([3, 5, 6], "{type: ReflectionPad1d, padding: 1}"))) == [("E008", T_LINE, TYPE)]
    assert codes(lint(torch([5], "{type: ZeroPad3d, padding: 1}"))) == [("E008", T_LINE, TYPE)]


def test_torch_zero_pad_reaching_the_batch_is_w007(lint):
    # torch 2.13.0: ZeroPad2d(1) on (2, 5) pads the batch axis too: (4, 7)
    layer = "{type: ZeroPad2d, padding: 1}"
    assert single(lint, torch([5], layer)) == ((None, 7), (0, 0), [("W007", T_LINE, col(layer, "padding"))])


def test_torch_zero_pad_to_an_empty_axis_is_w008(lint):
    # torch 2.13.0: ZeroPad1d((-3, -2)) on (2, 3, 5) gives (2, 3, 0)
    layer = "{type: ZeroPad1d, padding: [-3, -2]}"
    assert single(lint, torch([3, 5], layer)) == ((None, 3, 0), (0, 0), [("W008", T_LINE, col(layer, "padding"))])


def test_torch_zero_pad_then_1x1_conv_is_w004_and_reflection_is_not(lint):
    result = lint(torch([3, 8, 8], "{type: ZeroPad2d, padding: 2}", "{type: Conv2d, out_channels: 4, kernel_size: 1}"))
    assert codes(result) == [("W004", T_LINE + 1, TYPE)]
    result = lint(torch([3, 8, 8], "{type: ReflectionPad2d, padding: 2}",
                        "{type: Conv2d, out_channels: 4, kernel_size: 1}"))
    assert codes(result) == []


# PyTorch Upsample, PixelShuffle, PixelUnshuffle ------------------------------------------------------------

@pytest.mark.parametrize("input_shape, layer, shape", [
    # torch 2.13.0: floor(n * scale_factor) in double precision
    ([3, 5, 6], "{type: Upsample, scale_factor: 2}", (None, 3, 10, 12)),
    ([3, 5, 7], "{type: Upsample, scale_factor: 1.5}", (None, 3, 7, 10)),
    ([3, 5, 7], "{type: Upsample, scale_factor: 0.3}", (None, 3, 1, 2)),
    ([3, 10], "{type: Upsample, scale_factor: 0.7}", (None, 3, 7)),
    ([3, 100], "{type: Upsample, scale_factor: 0.29}", (None, 3, 28)),
    ([3, 10], "{type: Upsample, scale_factor: 1.1}", (None, 3, 11)),
    ([3, 5, 7], "{type: Upsample, scale_factor: [2, 3]}", (None, 3, 10, 21)),
    ([3, 5, 7], "{type: Upsample, size: 9}", (None, 3, 9, 9)),
    ([3, 5, 7], "{type: Upsample, size: [9, 4], mode: bilinear, align_corners: true}", (None, 3, 9, 4)),
    ([3, 2, 5, 7], "{type: Upsample, scale_factor: 2, mode: trilinear}", (None, 3, 4, 10, 14)),
    ([3, 5], "{type: Upsample, scale_factor: 2, mode: linear}", (None, 3, 10)),
    ([3, 5, 7], "{type: Upsample, scale_factor: 1.7, mode: nearest-exact}", (None, 3, 8, 11)),
    ([8, 3, 4], "{type: PixelShuffle, upscale_factor: 2}", (None, 2, 6, 8)),
    ([2, 8, 3, 4], "{type: PixelShuffle, upscale_factor: 2}", (None, 2, 2, 6, 8)),
    ([2, 4, 6], "{type: PixelUnshuffle, downscale_factor: 2}", (None, 8, 2, 3)),
])
def test_torch_upsample_shapes(lint, input_shape, layer, shape):
    assert single(lint, torch(input_shape, layer)) == (shape, (0, 0), [])


@pytest.mark.parametrize("input_shape, layer, code, key", [
    # torch 2.13.0 messages: "Input and output sizes should be greater than 0"
    ([3, 5, 7], "{type: Upsample, scale_factor: 0.1}", "E001", "scale_factor"),
    ([3, 5, 7], "{type: Upsample, size: 0}", "E001", "size"),
    # "only one of size or scale_factor should be defined" / "either size or scale_factor should be defined"
    ([3, 5, 7], "{type: Upsample, size: 9, scale_factor: 2}", "E002", "scale_factor"),
    ([3, 5, 7], "{type: Upsample}", "E002", None),
    ([3, 5, 7], "{type: Upsample, scale_factor: 0}", "E002", "scale_factor"),
    # "align_corners option can only be set with the interpolating modes"
    ([3, 5, 7], "{type: Upsample, scale_factor: 2, align_corners: false}", "E002", "align_corners"),
    # "Input and output must have the same number of spatial dimensions"
    ([3, 5, 7], "{type: Upsample, size: [9]}", "E002", "size"),
    # "Got 4D input, but linear mode needs 3D input"
    ([3, 5, 7], "{type: Upsample, scale_factor: 2, mode: linear}", "E008", "mode"),
    # "recompute_scale_factor is not meaningful with an explicit size"
    ([3, 5, 7], "{type: Upsample, size: 4, recompute_scale_factor: true}", "E002", "recompute_scale_factor"),
    # "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor"
    ([6, 3, 4], "{type: PixelShuffle, upscale_factor: 2}", "E002", "upscale_factor"),
    ([8, 3, 4], "{type: PixelShuffle, upscale_factor: 0}", "E002", "upscale_factor"),
    # "pixel_unshuffle expects height to be divisible by downscale_factor"
    ([2, 5, 6], "{type: PixelUnshuffle, downscale_factor: 2}", "E002", "downscale_factor"),
    ([2, 4, 5], "{type: PixelUnshuffle, downscale_factor: 2}", "E002", "downscale_factor"),
    ([8, 3], "{type: PixelShuffle, upscale_factor: 2}", "E008", None),
])
def test_torch_upsample_errors(lint, input_shape, layer, code, key):
    assert codes(lint(torch(input_shape, layer))) == [(code, T_LINE, col(layer, key) if key else TYPE)]


def test_torch_pixel_layers_on_rank_3_read_one_unbatched_sample(lint):
    # torch 2.13: PixelUnshuffle(2) on (2, 4, 4) gives (8, 2, 2), the batch axis playing the channels (W007);
    # PixelShuffle(2) needs those "channels" (the batch) divisible by 4, so it fails for most batch sizes
    # (E008), while PixelShuffle(1) runs on anything (W007)
    result = lint(torch([4, 4], "{type: PixelUnshuffle, downscale_factor: 2}"))
    assert codes(result) == [("W007", T_LINE, TYPE)]
    assert result.model.layers[0].output.shape == (None, 2, 2)
    assert codes(lint(torch([4, 4], "{type: PixelShuffle, upscale_factor: 1}"))) == [("W007", T_LINE, TYPE)]
    assert codes(lint(torch([4, 4], "{type: PixelShuffle, upscale_factor: 2}"))) == [("E008", T_LINE, TYPE)]
