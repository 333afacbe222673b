"""Batch normalization: shapes, counts and findings.

Every count, shape and error condition below was checked against Keras 3.15.1 (torch backend) and
torch 2.13.0 (CPU): the model built layer for layer, forward pass on a batch of 2, or the constructor
/ forward error it raises.
"""

from helpers import codes, layer_rows

# --- Keras BatchNormalization ---------------------------------------------------------------------


def test_keras_bn_counts_gamma_beta_trainable_moving_stats_not(lint):
    # Keras 3.15.1: gamma, beta (16 + 16 trainable), moving_mean, moving_variance (32 non-trainable)
    result = lint("""
        archlint: 1
        input: [4, 4, 16]
        layers:
          - {type: BatchNormalization}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("batch_normalization", (None, 4, 4, 16), 32, 32)]


def test_keras_bn_center_and_scale_drop_beta_and_gamma(lint):
    # Keras 3.15.1: center=False keeps gamma only, scale=False beta only; the moving stats stay
    result = lint("""
        archlint: 1
        input: [4, 4, 16]
        layers:
          - {type: BatchNormalization, center: false}
          - {type: BatchNormalization, scale: false}
          - {type: BatchNormalization, center: false, scale: false}
    """)
    assert codes(result) == []
    assert [row[2:] for row in layer_rows(result)] == [(16, 32), (16, 32), (0, 32)]


def test_keras_bn_rank2_input(lint):
    # Keras 3.15.1: BatchNormalization after Dense, input (None, 16): 32 trainable, 32 non-trainable
    result = lint("""
        archlint: 1
        input: [16]
        layers:
          - {type: BatchNormalization}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("batch_normalization", (None, 16), 32, 32)]


def test_keras_bn_axis_picks_the_channel_size(lint):
    # Keras 3.15.1 on (None, 8, 4, 16): axis=1 and axis=-3 both normalize the size-8 axis
    result = lint("""
        archlint: 1
        input: [8, 4, 16]
        layers:
          - {type: BatchNormalization, axis: 1}
          - {type: BatchNormalization, axis: -3}
          - {type: BatchNormalization, axis: 3}
    """)
    assert codes(result) == []
    assert [row[1:] for row in layer_rows(result)] == [
        ((None, 8, 4, 16), 16, 16), ((None, 8, 4, 16), 16, 16), ((None, 8, 4, 16), 32, 32)]


def test_keras_bn_renorm_adds_three_non_trainable_weights_per_channel(lint):
    # Keras 3.15.1: renorm=True adds moving_stddev, renorm_mean, renorm_stddev: 32 trainable, 80 non-trainable
    result = lint("""
        archlint: 1
        input: [8, 8, 16]
        layers:
          - {type: BatchNormalization, renorm: true, renorm_clipping: {rmax: 3, rmin: 0.5, dmax: 5}}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("batch_normalization", (None, 8, 8, 16), 32, 80)]


def test_keras_bn_frozen_counts_everything_non_trainable(lint):
    # Keras 3.15.1: trainable=False on BatchNormalization reports 0 trainable and 64 non-trainable
    result = lint("""
        archlint: 1
        input: [8, 8, 16]
        layers:
          - {type: BatchNormalization, trainable: false}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("batch_normalization", (None, 8, 8, 16), 0, 64)]


def test_keras_bn_axis_list_is_refused(lint):
    # Keras 3.15.1: BatchNormalization(axis=[1, 2]) raises TypeError (the constructor calls int(axis)),
    # and so does a one-element list
    result = lint("""
        archlint: 1
        input: [8, 8, 16]
        layers:
          - {type: BatchNormalization, axis: [1, 2]}
          - {type: BatchNormalization, axis: [3], inputs: [input]}
    """)
    assert codes(result) == [("E002", 5, 38), ("E002", 6, 38)]
    assert "one int `axis`" in result.findings[0].message


def test_keras_bn_axis_out_of_range(lint):
    # Keras 3.15.1 on a rank-4 input: axis=4 and axis=-5 raise IndexError (tuple index out of range);
    # axis=3 and axis=-3 are valid
    result = lint("""
        archlint: 1
        input: [8, 8, 16]
        layers:
          - {type: BatchNormalization, axis: 4}
          - {type: BatchNormalization, axis: -5, inputs: [input]}
          - {type: BatchNormalization, axis: 3, inputs: [input]}
    """)
    assert codes(result) == [("E002", 5, 38), ("E002", 6, 38)]
    assert "valid axes are -4 to 3" in result.findings[0].hint
    assert layer_rows(result)[2][2:] == (32, 32)


def test_keras_bn_on_the_batch_axis_or_an_unknown_axis_is_undefined(lint):
    # Keras 3.15.1: axis=0 / axis=-4 (the batch) and axis=2 on (None, 8, None, 16) raise ValueError
    # "Shapes used to initialize variables must be fully-defined"; axis=-1 there is fine (32, 32)
    result = lint("""
        archlint: 1
        input: [8, null, 16]
        layers:
          - {type: BatchNormalization, axis: 0}
          - {type: BatchNormalization, axis: -4, inputs: [input]}
          - {type: BatchNormalization, axis: 2, inputs: [input]}
          - {type: BatchNormalization, inputs: [input]}
    """)
    assert codes(result) == [("E010", 5, 38), ("E010", 6, 38), ("E010", 7, 38)]
    assert "batch axis" in result.findings[0].message
    assert layer_rows(result)[3] == ("batch_normalization_3", (None, 8, None, 16), 32, 32)


def test_keras_bn_unknown_channels_points_at_type_when_axis_not_written(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, null]
        layers:
          - {type: BatchNormalization}
    """)
    assert codes(result) == [("E010", 5, 12)]


def test_keras_bn_renorm_clipping_checked_only_with_renorm(lint):
    # Keras 3.15.1 with renorm=True: unknown keys, rmax < rmin and dmax < 0 raise ValueError in the
    # constructor; with renorm=False the same dict is accepted
    result = lint("""
        archlint: 1
        input: [16]
        layers:
          - {type: BatchNormalization, renorm: true, renorm_clipping: {foo: 1}}
          - {type: BatchNormalization, renorm: true, renorm_clipping: {rmax: 1, rmin: 2}, inputs: [input]}
          - {type: BatchNormalization, renorm: true, renorm_clipping: {dmax: -1}, inputs: [input]}
          - {type: BatchNormalization, renorm: false, renorm_clipping: {foo: 1}, inputs: [input]}
          - {type: BatchNormalization, renorm: true, renorm_clipping: {rmax: 2, rmin: 2, dmax: 0}, inputs: [input]}
    """)
    assert codes(result) == [("E002", 5, 63), ("E002", 6, 63), ("E002", 7, 63)]
    assert "['foo']" in result.findings[0].message
    assert [row[2:] for row in layer_rows(result)[3:]] == [(32, 32), (32, 80)]


def test_keras_bn_unknown_keyword(lint):
    result = lint("""
        archlint: 1
        input: [16]
        layers:
          - {type: BatchNormalization, eps: 0.001}
    """)
    assert [c[0] for c in codes(result)] == ["S004"]


# --- PyTorch BatchNorm1d/2d/3d ------------------------------------------------------------------------


def test_torch_bn2d_counts_weight_and_bias_buffers_are_not_parameters(lint):
    # torch 2.13.0: BatchNorm2d(16) has 32 parameters (weight, bias); running_mean, running_var and
    # num_batches_tracked are buffers
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 8, 8]
        layers:
          - {type: BatchNorm2d}
          - {type: BatchNorm2d, num_features: 16}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 16, 8, 8), 32, 0),
                                  ("1", (None, 16, 8, 8), 32, 0)]


def test_torch_bn_affine_and_bias(lint):
    # torch 2.13.0: affine=False -> 0 parameters; bias=False (keyword-only) -> the weight only (16);
    # affine=False with bias=False -> 0; track_running_stats=False keeps the 32 parameters
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 8, 8]
        layers:
          - {type: BatchNorm2d, affine: false}
          - {type: BatchNorm2d, bias: false}
          - {type: BatchNorm2d, affine: false, bias: false}
          - {type: BatchNorm2d, track_running_stats: false}
    """)
    assert codes(result) == []
    assert [row[2:] for row in layer_rows(result)] == [(0, 0), (16, 0), (0, 0), (32, 0)]


def test_torch_bn_frozen(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 8, 8]
        layers:
          - {type: BatchNorm2d, trainable: false}
    """)
    assert layer_rows(result) == [("0", (None, 16, 8, 8), 0, 32)]


def test_torch_bn_num_features_mismatch(lint):
    # torch 2.13.0: BatchNorm2d(8) on (2, 16, 8, 8) raises "running_mean should contain 16 elements not 8";
    # with affine=True, track_running_stats=False: "weight should contain 16 elements not 8"
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 8, 8]
        layers:
          - {type: BatchNorm2d, num_features: 8}
          - {type: BatchNorm2d, num_features: 8, track_running_stats: false, inputs: [input]}
          - {type: BatchNorm2d, num_features: 8, affine: false, inputs: [input]}
    """)
    assert codes(result) == [("E007", 6, 39), ("E007", 7, 39), ("E007", 8, 39)]
    assert result.findings[0].message.startswith(
        "BatchNorm2d expects 8 features (num_features=8) but receives 16 channels")


def test_torch_bn_num_features_unused_without_affine_or_running_stats(lint):
    # torch 2.13.0: BatchNorm2d(8, affine=False, track_running_stats=False) runs on (2, 16, 8, 8), and so
    # does num_features=-1; with affine on, -1 fails creating the weight ("negative dimension -1")
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 8, 8]
        layers:
          - {type: BatchNorm2d, num_features: 8, affine: false, track_running_stats: false}
          - {type: BatchNorm2d, num_features: -1, affine: false, track_running_stats: false}
          - {type: BatchNorm2d, num_features: -1}
    """)
    assert codes(result) == [("E002", 8, 39)]
    assert [row[2:] for row in layer_rows(result)[:2]] == [(0, 0), (0, 0)]


def test_torch_bn1d_accepts_rank_2_and_3(lint):
    # torch 2.13.0: BatchNorm1d(16) on (2, 16) and on (2, 16, 5): 32 parameters each
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 5]
        layers:
          - {type: BatchNorm1d}
          - {type: Flatten}
          - {type: BatchNorm1d}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 16, 5), 32, 0), ("1", (None, 80), 0, 0),
                                  ("2", (None, 80), 160, 0)]


def test_torch_bn_rank_mismatch(lint):
    # torch 2.13.0: "expected 2D or 3D input (got 4D input)", "expected 4D input (got 3D input)",
    # "expected 5D input (got 4D input)"
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 5, 5]
        layers:
          - {type: BatchNorm1d}
          - {type: BatchNorm3d, inputs: [input]}
          - {type: BatchNorm2d, inputs: [input]}
          - {type: Flatten, start_dim: 2}
          - {type: BatchNorm2d}
    """)
    assert codes(result) == [("E008", 6, 12), ("E008", 7, 12), ("E008", 10, 12)]
    messages = [f.hint for f in result.findings]  # torch's words lead the hint
    assert "expected 2D or 3D input (got 4D input)" in messages[0]
    assert "expected 5D input (got 4D input)" in messages[1]
    assert "expected 4D input (got 3D input)" in messages[2]


def test_torch_bn3d(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16, 4, 4, 4]
        layers:
          - {type: BatchNorm3d, num_features: 16}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 16, 4, 4, 4), 32, 0)]


def test_torch_bn_unknown_channels(lint):
    # without num_features the weight cannot be sized; num_features gives it; affine=False needs none
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [null, 8, 8]
        layers:
          - {type: BatchNorm2d}
          - {type: BatchNorm2d, num_features: 16, inputs: [input]}
          - {type: BatchNorm2d, affine: false, inputs: [input]}
    """)
    assert codes(result) == [("E010", 6, 12)]
    assert [row[2:] for row in layer_rows(result)[1:]] == [(32, 0), (0, 0)]


# --- W005: a bias right before batch normalization ----------------------------------------------------


def test_w005_keras_conv_bias_before_bn(lint):
    # Keras 3.15.1: Conv2D(16, 3) on (10, 10, 3) has 448 parameters, 16 of them the bias
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3}
          - {type: BatchNormalization}
    """)
    assert codes(result) == [("W005", 5, 12)]
    assert "16 wasted parameters" in result.findings[0].message
    assert layer_rows(result) == [("conv2d", (None, 8, 8, 16), 448, 0),
                                  ("batch_normalization", (None, 8, 8, 16), 32, 32)]


def test_w005_keras_points_at_use_bias_when_written(lint):
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, use_bias: true}
          - {type: BatchNormalization, axis: -1}
    """)
    assert codes(result) == [("W005", 5, 59)]


def test_w005_not_without_bias_or_on_another_axis(lint):
    # use_bias=False: nothing wasted (Keras 3.15.1: 432 parameters); BN over axis 1 (the height)
    # does not remove a per-channel bias
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 16, kernel_size: 3, use_bias: false}
          - {type: BatchNormalization}
          - {type: Conv2D, filters: 16, kernel_size: 3}
          - {type: BatchNormalization, axis: 1}
    """)
    assert codes(result) == []
    assert layer_rows(result)[0][2] == 432


def test_w005_keras_dense_before_bn(lint):
    # Keras 3.15.1: Dense(32) on (None, 16) has 544 parameters, 32 of them the bias
    result = lint("""
        archlint: 1
        input: [16]
        layers:
          - {type: Dense, units: 32}
          - {type: BatchNormalization}
    """)
    assert codes(result) == [("W005", 5, 12)]
    assert "32 wasted parameters" in result.findings[0].message


def test_w005_torch_conv_before_bn2d(lint):
    # torch 2.13.0: Conv2d(3, 16, 3) has 448 parameters, 16 of them the bias
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 10, 10]
        layers:
          - {type: Conv2d, out_channels: 16, kernel_size: 3}
          - {type: BatchNorm2d}
          - {type: Conv2d, out_channels: 16, kernel_size: 3, bias: false}
          - {type: BatchNorm2d}
    """)
    assert codes(result) == [("W005", 6, 12)]
    assert "16 wasted parameters" in result.findings[0].message
    assert [row[2] for row in layer_rows(result)] == [448, 32, 2304, 32]


def test_w005_torch_linear_before_bn1d(lint):
    # torch 2.13.0: Linear(16, 32) has 544 parameters; on (N, F) its bias varies along BatchNorm1d's
    # channel axis. On (N, 4, 16) the bias runs along the last axis, not BatchNorm1d's axis 1.
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16]
        layers:
          - {type: Linear, out_features: 32, bias: true}
          - {type: BatchNorm1d}
    """)
    assert codes(result) == [("W005", 6, 44)]
    assert "32 wasted parameters" in result.findings[0].message
    neighbour = lint("""
        archlint: 1
        framework: pytorch
        input: [4, 16]
        layers:
          - {type: Linear, out_features: 32}
          - {type: BatchNorm1d}
    """)
    assert codes(neighbour) == []
    assert layer_rows(neighbour) == [("0", (None, 4, 32), 544, 0), ("1", (None, 4, 32), 8, 0)]
