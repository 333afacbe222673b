"""Layer, group, unit, instance and local response normalization; PReLU and the torch activations added
with them. Every value below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU):
the layer built and called on a batch of 2, or the constructor / forward error it raises.
"""

import pytest
from helpers import codes, layer_rows


def spec(layer: str, shape: str = "[4, 6]", framework: str = "keras") -> str:
    return f"archlint: 1\nframework: {framework}\ninput: {shape}\nlayers:\n  - {layer}\n"


def one(lint, layer, shape="[4, 6]", framework="keras"):
    result = lint(spec(layer, shape, framework))
    return codes(result), [row[1:] for row in layer_rows(result)]


KERAS_OK = [
    # (layer, input, trainable params) -- Keras 3.15.1 on (None, 4, 6) unless given
    ("{type: LayerNormalization}", "[4, 6]", 12),
    ("{type: LayerNormalization, axis: [1, 2]}", "[4, 6]", 48),
    ("{type: LayerNormalization, axis: [1, -1]}", "[4, 6]", 48),
    ("{type: LayerNormalization, center: false}", "[4, 6]", 6),
    ("{type: GroupNormalization}", "[4, 64]", 128),
    ("{type: GroupNormalization, groups: 3}", "[4, 6]", 12),
    ("{type: GroupNormalization, groups: -1}", "[4, 6]", 12),
    ("{type: GroupNormalization, groups: 2, axis: 1}", "[4, 6]", 8),
    ("{type: GroupNormalization, groups: 2}", "[6]", 12),
    ("{type: UnitNormalization, axis: [1, 2]}", "[4, 6]", 0),
    ("{type: PReLU}", "[4, 6]", 24),
    ("{type: PReLU, shared_axes: [1]}", "[4, 6]", 6),
    ("{type: PReLU, shared_axes: 1}", "[4, 6]", 6),
    ("{type: PReLU, shared_axes: [1, 2]}", "[4, 6, 3]", 3),
    ("{type: PReLU, shared_axes: [2]}", "[4, null]", 4),
]


@pytest.mark.parametrize("layer,shape,params", KERAS_OK)
def test_keras_counts(lint, layer, shape, params):
    found, rows = one(lint, layer, shape)
    assert found == []
    want = (None,) + tuple(None if n.strip() == "null" else int(n) for n in shape.strip("[]").split(","))
    assert rows == [(want, params, 0)]


@pytest.mark.parametrize("layer,shape,want", [
    # Keras 3.15.1: axis 3 of a rank-3 input -> IndexError; axis 0 -> gamma of shape (None,); a null
    # axis; [1, 1] -> "dim 1 appears multiple times"
    ("{type: LayerNormalization, axis: 3}", "[4, 6]", [("E002", 5, 38)]),
    ("{type: LayerNormalization, axis: 0}", "[4, 6]", [("E010", 5, 38)]),
    ("{type: LayerNormalization}", "[4, null]", [("E010", 5, 12)]),
    ("{type: LayerNormalization, axis: [1, 1]}", "[4, 6]", [("E002", 5, 38)]),
    # the torch backend's F.layer_norm path normalizes the trailing axes with the given axes' sizes:
    # Keras 3.15.1 fails on (2, 4, 6) with axis=1 (sizes [4] against [6]) and runs on (2, 4, 4) (W008)
    ("{type: LayerNormalization, axis: 1}", "[4, 6]", [("E002", 5, 38)]),
    ("{type: LayerNormalization, axis: 1}", "[4, 4]", [("W008", 5, 38)]),
    # deprecated, keeps gamma only (6 params)
    ("{type: LayerNormalization, rms_scaling: true}", "[4, 6]", [("W008", 5, 45)]),
    # "Number of groups (4) must be a multiple of the number of channels (6)"; 12 > 6 channels;
    # groups=0 and -2 refused; a list axis -> TypeError; a null channel axis
    ("{type: GroupNormalization, groups: 4}", "[4, 6]", [("E003", 5, 40)]),
    ("{type: GroupNormalization, groups: 12}", "[4, 6]", [("E003", 5, 40)]),
    ("{type: GroupNormalization, groups: 0}", "[4, 6]", [("E002", 5, 40)]),
    ("{type: GroupNormalization, groups: -2}", "[4, 6]", [("E002", 5, 40)]),
    ("{type: GroupNormalization, groups: 2, axis: [1]}", "[4, 6]", [("E002", 5, 49)]),
    ("{type: GroupNormalization, groups: 2}", "[4, null]", [("E010", 5, 12)]),
    ("{type: UnitNormalization, axis: 3}", "[4, 6]", [("E002", 5, 37)]),
    ("{type: UnitNormalization, axis: 0}", "[4, 6]", [("W008", 5, 37)]),
    # PReLU: shared_axes [3] -> "list assignment index out of range"; [0] shares the last axis (4 params);
    # a null axis that is not shared
    ("{type: PReLU, shared_axes: [3]}", "[4, 6]", [("E002", 5, 32)]),
    ("{type: PReLU, shared_axes: [0]}", "[4, 6]", [("W008", 5, 32)]),
    ("{type: PReLU}", "[4, null]", [("E010", 5, 12)]),
])
def test_keras_findings(lint, layer, shape, want):
    assert one(lint, layer, shape)[0] == want


def test_keras_prelu_axis_zero_shares_the_last_axis(lint):
    # Keras 3.15.1: shared_axes=[0] on (None, 4, 6) -> alpha (4, 1): 4 params; [-1] -> alpha (1, 6): 6
    assert one(lint, "{type: PReLU, shared_axes: [0]}")[1] == [((None, 4, 6), 4, 0)]
    assert one(lint, "{type: PReLU, shared_axes: [-1]}")[1] == [((None, 4, 6), 6, 0)]


TORCH_OK = [
    # (layer, input, trainable params) -- torch 2.13.0
    ("{type: LayerNorm, normalized_shape: 6}", "[4, 6]", 12),
    ("{type: LayerNorm, normalized_shape: [4, 6]}", "[4, 6]", 48),
    ("{type: LayerNorm, normalized_shape: 6, elementwise_affine: false}", "[4, 6]", 0),
    ("{type: LayerNorm, normalized_shape: 6, bias: false}", "[4, 6]", 6),
    ("{type: GroupNorm, num_groups: 2, num_channels: 6}", "[6, 5]", 12),
    ("{type: GroupNorm, num_groups: 2}", "[6]", 12),
    ("{type: GroupNorm, num_groups: 2, num_channels: 6, affine: false}", "[6, 5]", 0),
    ("{type: GroupNorm, num_groups: 2, num_channels: 6, bias: false}", "[6, 5, 5, 5, 5]", 6),
    ("{type: InstanceNorm1d, num_features: 6}", "[6, 5]", 0),
    ("{type: InstanceNorm1d, num_features: 6, affine: true}", "[6, 5]", 12),
    ("{type: InstanceNorm1d, affine: true, track_running_stats: true}", "[6, 5]", 12),  # stats are buffers
    ("{type: InstanceNorm1d, num_features: 6, affine: true, bias: false}", "[6, 5]", 6),
    ("{type: InstanceNorm2d, num_features: 6}", "[6, 5, 5]", 0),
    ("{type: InstanceNorm3d}", "[6, 5, 5, 5]", 0),
    ("{type: LocalResponseNorm, size: 2}", "[6, 5]", 0),
    ("{type: LocalResponseNorm, size: 2}", "[6, 5, 5, 5]", 0),
    ("{type: PReLU}", "[6, 5]", 1),
    ("{type: PReLU, num_parameters: 6}", "[6, 5]", 6),
    ("{type: PReLU, num_parameters: 6}", "[6]", 6),
    ("{type: RReLU}", "[6]", 0),
    ("{type: Hardshrink, lambd: -1}", "[6]", 0),
    ("{type: Softshrink, lambd: 0}", "[6]", 0),
    ("{type: Softmax2d}", "[6, 5, 5]", 0),
]


@pytest.mark.parametrize("layer,shape,params", TORCH_OK)
def test_torch_counts(lint, layer, shape, params):
    found, rows = one(lint, layer, shape, "pytorch")
    assert found == []
    want = (None,) + tuple(int(n) for n in shape.strip("[]").split(","))
    assert rows == [(want, params, 0)]


@pytest.mark.parametrize("layer,shape,want", [
    # torch 2.13.0: "Given normalized_shape=[4], expected input with shape [*, 4]"; longer than the input;
    # [] refused; a negative size; covering the batch works only for that batch size
    ("{type: LayerNorm, normalized_shape: 4}", "[4, 6]", [("E007", 5, 41)]),
    ("{type: LayerNorm, normalized_shape: [3, 2, 4, 6]}", "[4, 6]", [("E007", 5, 41)]),
    ("{type: LayerNorm, normalized_shape: []}", "[4, 6]", [("E002", 5, 41)]),
    ("{type: LayerNorm, normalized_shape: [-1]}", "[6]", [("E002", 5, 41)]),
    ("{type: LayerNorm, normalized_shape: [2, 4, 6]}", "[4, 6]", [("W008", 5, 41)]),
    # "num_channels (6) must be divisible by num_groups (4)"; weight of 6 against 8 channels; without
    # affine only the group division matters; num_groups 0 / -2
    ("{type: GroupNorm, num_groups: 4, num_channels: 6}", "[6, 5]", [("E003", 5, 35)]),
    ("{type: GroupNorm, num_groups: 2, num_channels: 6}", "[8, 5]", [("E007", 5, 52)]),
    ("{type: GroupNorm, num_groups: 2, num_channels: 6, affine: false}", "[8, 5]", [("W008", 5, 52)]),
    ("{type: GroupNorm, num_groups: 3, num_channels: 6, affine: false}", "[8, 5]", [("E003", 5, 35), ("W008", 5, 52)]),
    ("{type: GroupNorm, num_groups: 0}", "[6, 5]", [("E002", 5, 35)]),
    ("{type: GroupNorm, num_groups: -2}", "[6, 5]", [("E002", 5, 35)]),
    # InstanceNorm: 4D into InstanceNorm1d; unbatched readings; a mismatch with affine is an error, without
    # it a warning; a single spatial element fails in training
    ("{type: InstanceNorm1d}", "[6, 5, 5]", [("E008", 5, 12)]),
    ("{type: InstanceNorm1d}", "[6]", [("W007", 5, 12)]),
    ("{type: InstanceNorm2d, num_features: 6}", "[6, 5]", [("W007", 5, 12)]),
    ("{type: InstanceNorm3d}", "[6, 5, 5, 5, 5]", [("E008", 5, 12)]),
    ("{type: InstanceNorm1d, num_features: 7, affine: true}", "[6, 5]", [("E007", 5, 42)]),
    ("{type: InstanceNorm1d, num_features: 7}", "[6, 5]", [("W008", 5, 42)]),
    ("{type: InstanceNorm1d, num_features: 6}", "[6, 1]", [("E020", 5, 12)]),
    ("{type: InstanceNorm2d, num_features: 6}", "[6, 1, 1]", [("E020", 5, 12)]),
    # LocalResponseNorm: "Expected 3D or higher dimensionality input"; size 0
    ("{type: LocalResponseNorm, size: 2}", "[6]", [("E008", 5, 12)]),
    ("{type: LocalResponseNorm, size: 0}", "[6, 5]", [("E002", 5, 37)]),
    # PReLU: "Mismatch of parameter numbers and input channel size. Found parameter numbers = 5 and channel
    # size = 6."; a rank-1 input has channel size 1; a negative count
    ("{type: PReLU, num_parameters: 5}", "[6, 5]", [("E007", 5, 35)]),
    ("{type: PReLU, num_parameters: 0}", "[6]", [("E007", 5, 35)]),
    ("{type: PReLU, num_parameters: -1}", "[6]", [("E002", 5, 35)]),
    # RReLU lower > upper; Softshrink lambd < 0; Softmax2d on rank 2
    ("{type: RReLU, lower: 0.5, upper: 0.2}", "[6]", [("E002", 5, 26)]),
    ("{type: Softshrink, lambd: -1}", "[6]", [("E002", 5, 31)]),
    ("{type: Softmax2d}", "[6]", [("E008", 5, 12)]),
    ("{type: Softmax2d}", "[6, 5]", [("W007", 5, 12)]),
])
def test_torch_findings(lint, layer, shape, want):
    assert one(lint, layer, shape, "pytorch")[0] == want


def test_instance_norm_after_a_biased_conv_is_w005(lint):
    # InstanceNorm2d subtracts each channel's mean per sample: the conv's bias is wasted
    result = lint(spec("{type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {type: InstanceNorm2d}", "[3, 8, 8]",
                       "pytorch"))
    assert codes(result) == [("W005", 5, 12)]  # at the Conv2d (its `bias` is not written)
    result = lint(spec("{type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {type: GroupNorm, num_groups: 2}",
                       "[3, 8, 8]", "pytorch"))
    assert codes(result) == []  # groups of 2 channels: only the group mean of the bias is removed
