"""Activations, dropout and noise: shapes, zero weights, and the arguments and inputs the frameworks refuse.

Every shape and every error condition below was checked against Keras 3.15.1 (torch backend) and
torch 2.13.0 (CPU), by building the layer and running a forward pass on a batched tensor (in training
mode for dropout and noise).
"""

import pytest
from helpers import codes, layer_rows

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REGISTRY, load_all

load_all()


def spec(layer: str, input: str = "[4, 6]", framework: str = "keras") -> str:
    """A one-layer spec; the layer's mapping starts at line 5, column 5."""
    return f"archlint: 1\nframework: {framework}\ninput: {input}\nlayers:\n  - {layer}\n"


def col(layer: str, key: str) -> int:
    """The column of `key`'s value in the layer's flow mapping, as written by `spec`."""
    return 5 + layer.index(f"{key}: ") + len(key) + 2


def rows(result):
    return [row[1:] for row in layer_rows(result)]


# The required keywords of each type, and an input of the rank it needs (without the batch axis).
REQUIRED_ARGS = {
    (KERAS, "Activation"): "activation: relu",
    (KERAS, "Dropout"): "rate: 0.5",
    (KERAS, "AlphaDropout"): "rate: 0.5",
    (KERAS, "GaussianDropout"): "rate: 0.5",
    (KERAS, "GaussianNoise"): "stddev: 0.1",
    (KERAS, "SpatialDropout1D"): "rate: 0.5",
    (KERAS, "SpatialDropout2D"): "rate: 0.5",
    (KERAS, "SpatialDropout3D"): "rate: 0.5",
    (PYTORCH, "Threshold"): "threshold: 0.1, value: 20",
    (PYTORCH, "Softmax"): "dim: -1",
    (PYTORCH, "LogSoftmax"): "dim: -1",
    (PYTORCH, "Softmin"): "dim: -1",
}
INPUTS = {"SpatialDropout1D": "[4, 6]", "SpatialDropout2D": "[4, 6, 2]", "SpatialDropout3D": "[4, 6, 2, 2]",
          "Dropout1d": "[4, 6]", "Dropout2d": "[4, 6, 2]", "Dropout3d": "[4, 6, 2, 2]", "Softmax2d": "[4, 6, 2]"}
SHAPE_PRESERVING = sorted(
    (fw, name) for (fw, name), t in REGISTRY.items() if t.family == "elementwise" and name not in ("GLU", "PReLU")
)


@pytest.mark.parametrize("framework,name", SHAPE_PRESERVING)
def test_shape_preserved_without_weights(lint, framework, name):
    args = REQUIRED_ARGS.get((framework, name))
    layer = f"{{type: {name}{', ' + args if args else ''}}}"
    shape = INPUTS.get(name, "[4, 6]")
    result = lint(spec(layer, shape, framework))
    assert codes(result) == []
    want = (None,) + tuple(int(n) for n in shape.strip("[]").split(","))
    assert rows(result) == [(want, 0, 0)]


def test_family_registers_the_brief_list():
    keras = {n for (fw, n), t in REGISTRY.items() if t.family == "elementwise" and fw == KERAS}
    torch = {n for (fw, n), t in REGISTRY.items() if t.family == "elementwise" and fw == PYTORCH}
    assert keras == set("Activation ReLU LeakyReLU Softmax ELU PReLU Dropout SpatialDropout1D SpatialDropout2D "
                        "SpatialDropout3D GaussianDropout GaussianNoise AlphaDropout".split())
    assert torch == set("ReLU ReLU6 GELU SiLU Sigmoid Tanh Softmax LogSoftmax Softmin LeakyReLU ELU SELU CELU Mish "
                        "Hardswish Hardsigmoid Hardtanh Softplus Softsign Tanhshrink Threshold LogSigmoid Identity GLU "
                        "Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout PReLU RReLU Hardshrink "
                        "Softshrink Softmax2d".split())
    # every activation of torch.nn.modules.activation.__all__ in torch 2.13.0 but MultiheadAttention (attention)


def test_trainable_false_changes_nothing(lint):
    result = lint(spec("{type: ReLU, trainable: false}"))
    assert codes(result) == [] and rows(result) == [((None, 4, 6), 0, 0)]


# Keras Activation


def test_keras_activation_unknown_name_suggests(lint):
    # Keras: ValueError Could not interpret activation function identifier: Relu
    layer = "{type: Activation, activation: Relu}"
    result = lint(spec(layer))
    assert codes(result) == [("E002", 5, col(layer, "activation"))] == [("E002", 5, 36)]
    assert result.findings[0].hint == "Keras: Could not interpret activation function identifier: Relu; did you mean 'relu'?"


@pytest.mark.parametrize("name", ["relu", "sparsemax", "hard_shrink", "linear", "null"])
def test_keras_activation_known_names_and_null(lint, name):
    # null is keras.activations.get(None) == linear
    result = lint(spec(f"{{type: Activation, activation: {name}}}"))
    assert codes(result) == [] and rows(result) == [((None, 4, 6), 0, 0)]


def test_keras_activation_threshold_needs_arguments(lint):
    # Keras: TypeError threshold() missing 2 required positional arguments on the forward pass
    assert codes(lint(spec("{type: Activation, activation: threshold}"))) == [("E002", 5, 36)]


def test_keras_activation_glu_halves_the_last_axis(lint):
    # Keras: Activation('glu') on (2, 4, 6) gives (2, 4, 3)
    result = lint(spec("{type: Activation, activation: glu}"))
    assert codes(result) == [] and rows(result) == [((None, 4, 3), 0, 0)]


def test_keras_activation_glu_odd_axis(lint):
    # Keras: RuntimeError Halving dimension must be even, but dimension 2 is size 5
    result = lint(spec("{type: Activation, activation: glu}", "[4, 5]"))
    assert codes(result) == [("E002", 5, 36)]


# Keras ReLU, LeakyReLU, ELU


@pytest.mark.parametrize("key", ["max_value", "negative_slope", "threshold"])
def test_keras_relu_negative_arguments(lint, key):
    # Keras: ValueError <key> of a ReLU layer cannot be (None or) a negative value
    layer = f"{{type: ReLU, {key}: -1}}"
    assert codes(lint(spec(layer))) == [("E002", 5, col(layer, key))]


def test_keras_relu_zero_arguments_are_valid(lint):
    # Keras accepts max_value=0, negative_slope=0, threshold=0
    assert codes(lint(spec("{type: ReLU, max_value: 0, negative_slope: 0, threshold: 0}"))) == []


def test_keras_leaky_relu_negative_slope(lint):
    # Keras: ValueError The negative_slope value of a Leaky ReLU layer cannot be None or negative value
    assert codes(lint(spec("{type: LeakyReLU, negative_slope: -0.1}"))) == [("E002", 5, 39)]
    assert codes(lint(spec("{type: LeakyReLU, negative_slope: 0}"))) == []


def test_keras_leaky_relu_deprecated_alpha_wins(lint):
    # Keras pops `alpha` and uses it as negative_slope (with a deprecation warning)
    assert codes(lint(spec("{type: LeakyReLU, negative_slope: 0.2, alpha: -1}"))) == [("E002", 5, 51)]
    assert codes(lint(spec("{type: LeakyReLU, negative_slope: -1, alpha: 0.2}"))) == []


def test_keras_elu_accepts_any_alpha(lint):
    # Keras ELU(alpha=-2) runs
    assert codes(lint(spec("{type: ELU, alpha: -2}"))) == []


# Keras Softmax


@pytest.mark.parametrize("axis", ["-1", "2", "-2", "[1, 2]", "1"])
def test_keras_softmax_axes_in_range(lint, axis):  # -3 is the batch axis: W008, tested below
    result = lint(spec(f"{{type: Softmax, axis: {axis}}}"))
    assert codes(result) == [] and rows(result) == [((None, 4, 6), 0, 0)]


@pytest.mark.parametrize("axis", ["3", "-4", "[1, 3]", "[1, 1]", "[1, -2]"])
def test_keras_softmax_bad_axes(lint, axis):
    # Keras (torch backend), forward pass on (2, 4, 6): IndexError Dimension out of range (expected to be
    # in range of [-3, 2], but got 3 / -4); RuntimeError dim 1 appears multiple times in the list of dims
    assert codes(lint(spec(f"{{type: Softmax, axis: {axis}}}"))) == [("E002", 5, 27)]


def test_keras_softmax_empty_axis_list_is_a_schema_error(lint):
    # Keras: IndexError list index out of range
    assert [c for c, _, _ in codes(lint(spec("{type: Softmax, axis: []}")))] == ["S002"]


# Keras dropout and noise


@pytest.mark.parametrize("layer,key", [
    ("{type: Dropout, rate: 1.5}", "rate"), ("{type: Dropout, rate: -0.1}", "rate"),
    ("{type: AlphaDropout, rate: 1.5}", "rate"), ("{type: GaussianDropout, rate: -0.1}", "rate"),
    ("{type: GaussianNoise, stddev: 1.5}", "stddev"), ("{type: SpatialDropout1D, rate: 2}", "rate"),
])
def test_keras_rate_outside_unit_interval(lint, layer, key):
    # Keras: ValueError Invalid value received for argument `rate` (`stddev`). Expected a float value
    # between 0 and 1.
    assert codes(lint(spec(layer))) == [("E002", 5, col(layer, key))]


@pytest.mark.parametrize("layer", ["{type: AlphaDropout, rate: 1}", "{type: GaussianDropout, rate: 1.0}"])
def test_keras_rate_one_fails_in_training(lint, layer):
    # Keras: AlphaDropout ZeroDivisionError 0.0 cannot be raised to a negative power; GaussianDropout
    # ZeroDivisionError float division by zero (training=True)
    assert codes(lint(spec(layer))) == [("E002", 5, col(layer, "rate"))]


@pytest.mark.parametrize("layer", ["{type: Dropout, rate: 1}", "{type: Dropout, rate: 0}",
                                   "{type: GaussianNoise, stddev: 1}", "{type: AlphaDropout, rate: 0.99}",
                                   "{type: SpatialDropout1D, rate: 0}"])
def test_keras_rates_at_the_bounds_are_accepted(lint, layer):
    # Keras runs all of these in training mode
    result = lint(spec(layer))
    assert [f.rule.severity for f in result.findings if f.is_error] == []
    assert rows(result) == [((None, 4, 6), 0, 0)]


@pytest.mark.parametrize("noise", ["[null, 1, 6]", "[1, 1, 6]", "[null, 1, 1]", "[null, 4, 6]", "[1, 6]",
                                   "[6]", "[null, 1, null]"])
@pytest.mark.parametrize("name", ["Dropout", "AlphaDropout"])
def test_keras_noise_shape_that_broadcasts(lint, name, noise):
    # Keras: Dropout and AlphaDropout with these noise shapes run on (2, 4, 6) with training=True
    assert codes(lint(spec(f"{{type: {name}, rate: 0.5, noise_shape: {noise}}}"))) == []


@pytest.mark.parametrize("noise", ["[null, 2, 6]", "[null, 4, 3]", "[2, 1]", "[null, 1, 6, 1]",
                                   "[0, 1, 6]", "[null, -1, 6]"])
def test_keras_noise_shape_that_does_not_broadcast(lint, noise):
    # Keras, training=True on (2, 4, 6): RuntimeError The expanded size of the tensor must match...;
    # ValueError Expected all dimensions to be positive integers or None
    assert codes(lint(spec(f"{{type: Dropout, rate: 0.5, noise_shape: {noise}}}"))) == [("E002", 5, 45)]


def test_keras_noise_shape_with_unknown_input_size(lint):
    # an unknown input size cannot be checked: accepted
    assert codes(lint(spec("{type: Dropout, rate: 0.5, noise_shape: [null, 3, 6]}", "[null, 6]"))) == []


@pytest.mark.parametrize("rank,good", [(1, "[4, 6]"), (2, "[4, 6, 2]"), (3, "[4, 6, 2, 2]")])
def test_keras_spatial_dropout_rank(lint, rank, good):
    # Keras: ValueError ... expected ndim=<rank + 2>, found ndim=... for every other rank
    assert codes(lint(spec(f"{{type: SpatialDropout{rank}D, rate: 0.5}}", good))) == []
    for other in ("[4]", "[4, 6]", "[4, 6, 2]", "[4, 6, 2, 2]", "[4, 6, 2, 2, 2]"):
        if other != good:
            assert codes(lint(spec(f"{{type: SpatialDropout{rank}D, rate: 0.5}}", other))) == [("E008", 5, 12)]


def test_keras_spatial_dropout_channels_first(lint):
    result = lint(spec("{type: SpatialDropout2D, rate: 0.5, data_format: channels_first}", "[3, 4, 5]"))
    assert codes(result) == [] and rows(result) == [((None, 3, 4, 5), 0, 0)]


def test_keras_spatial_dropout_takes_no_activity_regularizer(lint):
    # Keras: TypeError SpatialDropout1D.__init__() got an unexpected keyword argument 'activity_regularizer'
    layer = "{type: SpatialDropout1D, rate: 0.5, activity_regularizer: l2}"
    assert codes(lint(spec(layer))) == [("S004", 5, 5 + layer.index("activity_regularizer"))]
    assert codes(lint(spec("{type: Dropout, rate: 0.5, activity_regularizer: l2}"))) == []


# PyTorch


@pytest.mark.parametrize("dim,shape", [("-1", (None, 4, 3)), ("2", (None, 4, 3)), ("1", (None, 2, 6)),
                                       ("-2", (None, 2, 6))])
def test_torch_glu_halves_its_dim(lint, dim, shape):
    # torch: GLU(dim)(ones(2, 4, 6)).shape
    result = lint(spec(f"{{type: GLU, dim: {dim}}}", framework="pytorch"))
    assert codes(result) == [] and rows(result) == [(shape, 0, 0)]


def test_torch_glu_default_dim_and_unknown_size(lint):
    result = lint(spec("{type: GLU}", "[4, null]", "pytorch"))
    assert codes(result) == [] and rows(result) == [((None, 4, None), 0, 0)]


def test_torch_glu_odd_size(lint):
    # torch: RuntimeError Halving dimension must be even, but dimension 2 is size 5
    result = lint(spec("{type: GLU}", "[4, 5]", "pytorch"))
    assert codes(result) == [("E002", 5, 12)]
    assert "dimension 2 is size 5" in result.findings[0].hint
    assert codes(lint(spec("{type: GLU, dim: 1}", "[3, 6]", "pytorch"))) == [("E002", 5, 22)]


@pytest.mark.parametrize("dim", ["3", "-4"])
def test_torch_glu_dim_out_of_range(lint, dim):
    # torch: IndexError Dimension out of range (expected to be in range of [-3, 2], but got 3)
    assert codes(lint(spec(f"{{type: GLU, dim: {dim}}}", framework="pytorch"))) == [("E002", 5, 22)]


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax", "Softmin"])
def test_torch_softmax_dim_range(lint, name):
    # torch: IndexError Dimension out of range (expected to be in range of [-3, 2], but got 3 / -4)
    for dim in ("3", "-4"):
        layer = f"{{type: {name}, dim: {dim}}}"
        assert codes(lint(spec(layer, framework="pytorch"))) == [("E002", 5, col(layer, "dim"))]
    for dim in ("2", "-2", "1"):  # -3 is the batch axis: W008, tested below
        assert codes(lint(spec(f"{{type: {name}, dim: {dim}}}", framework="pytorch"))) == []


def test_torch_softmax_implicit_dim_keeps_the_shape(lint):
    # torch accepts dim=None (deprecation warning) and keeps the shape
    result = lint(spec("{type: Softmax}", "[4, 6, 2]", "pytorch"))
    assert [f for f in result.findings if f.is_error] == []
    assert rows(result) == [((None, 4, 6, 2), 0, 0)]


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                  "FeatureAlphaDropout"])
def test_torch_dropout_p_range(lint, name):
    # torch: ValueError dropout probability has to be between 0 and 1, but got 1.5 / -0.1
    shape = INPUTS.get(name, "[4, 6]")
    for p in ("1.5", "-0.1"):
        layer = f"{{type: {name}, p: {p}}}"
        assert codes(lint(spec(layer, shape, "pytorch"))) == [("E002", 5, col(layer, "p"))]
    for p in ("0", "1", "0.5"):
        assert [f for f in lint(spec(f"{{type: {name}, p: {p}}}", shape, "pytorch")).findings if f.is_error] == []


@pytest.mark.parametrize("shape", ["[4]", "[4, 6, 2]", "[4, 6, 2, 2]"])
def test_torch_dropout1d_rank_errors(lint, shape):
    # torch: RuntimeError dropout1d: Expected 2D or 3D input, but received a 2D/4D/5D input
    # (archlint's ranks include the batch axis: input [4] is the 2D (N, 4))
    if shape == "[4]":
        result = lint(spec("{type: Dropout1d}", shape, "pytorch"))  # 2D is accepted, read as unbatched (C, L)
        assert [f for f in result.findings if f.is_error] == []
        return
    assert codes(lint(spec("{type: Dropout1d}", shape, "pytorch"))) == [("E008", 5, 12)]


@pytest.mark.parametrize("name,shape", [("Dropout2d", "[4]"), ("Dropout2d", "[4, 6]"), ("Dropout2d", "[4, 6, 2, 2]"),
                                        ("Dropout3d", "[4]"), ("Dropout3d", "[4, 6]"), ("Dropout3d", "[4, 6, 2]"),
                                        ("Dropout3d", "[4, 6, 2, 2, 2]")])
def test_torch_dropout2d_3d_other_ranks_run(lint, name, shape):
    # torch runs these (with a deprecation warning for ranks other than 3/4 and 4/5) and keeps the shape
    result = lint(spec(f"{{type: {name}}}", shape, "pytorch"))
    assert [f for f in result.findings if f.is_error] == []
    assert rows(result) == [((None,) + tuple(int(n) for n in shape.strip("[]").split(",")), 0, 0)]


def test_torch_gelu_approximate(lint):
    # torch: RuntimeError approximate argument must be either none or tanh.
    assert codes(lint(spec("{type: GELU, approximate: tanh}", framework="pytorch"))) == []
    result = lint(spec("{type: GELU, approximate: Tanh}", framework="pytorch"))
    assert codes(result) == [("S002", 5, 31)]
    assert result.findings[0].hint == 'did you mean "tanh"?'


@pytest.mark.parametrize("layer,key", [
    ("{type: Hardtanh, min_val: 1, max_val: 1}", "max_val"), ("{type: Hardtanh, min_val: 2}", "min_val"),
    ("{type: Hardtanh, max_val: -1}", "max_val"), ("{type: Hardtanh, min_value: 2}", "min_value"),
    ("{type: Hardtanh, min_val: 0, max_value: 0}", "max_value"),
])
def test_torch_hardtanh_bounds(lint, layer, key):
    # torch: AssertionError max_val (1) must be greater than min_val (1); min_value/max_value override
    assert codes(lint(spec(layer, framework="pytorch"))) == [("E002", 5, col(layer, key))]


def test_torch_hardtanh_valid(lint):
    # torch: Hardtanh(min_val=0, min_value=-3) clamps at -3 (the deprecated alias wins)
    assert codes(lint(spec("{type: Hardtanh, min_val: 5, min_value: -3}", framework="pytorch"))) == []
    assert codes(lint(spec("{type: Hardtanh, min_val: 0, max_val: 6}", framework="pytorch"))) == []


def test_torch_celu_alpha_zero(lint):
    # torch: RuntimeError ZeroDivisionError: alpha cannot be 0 for CELU (forward); ELU(0) runs
    assert codes(lint(spec("{type: CELU, alpha: 0}", framework="pytorch"))) == [("E002", 5, 25)]
    assert codes(lint(spec("{type: CELU, alpha: -1}", framework="pytorch"))) == []
    assert codes(lint(spec("{type: ELU, alpha: 0}", framework="pytorch"))) == []


def test_torch_threshold_requires_both(lint):
    # torch: TypeError Threshold.__init__() missing 2 required positional arguments: 'threshold' and 'value'
    assert [c for c, _, _ in codes(lint(spec("{type: Threshold, threshold: 0.1}", framework="pytorch")))] == ["S002"]


def test_torch_identity_ignores_arguments(lint):
    # torch: Identity(5, foo=3) runs and returns its input
    result = lint(spec("{type: Identity, foo: 3}", framework="pytorch"))
    assert codes(result) == [] and rows(result) == [((None, 4, 6), 0, 0)]


def test_torch_sigmoid_takes_no_arguments(lint):
    # torch: TypeError Tanh.__init__() got an unexpected keyword argument 'foo'
    assert codes(lint(spec("{type: Tanh, foo: 1}", framework="pytorch"))) == [("S004", 5, 18)]


def test_elementwise_passes_unknown_sizes_through(lint):
    result = lint(spec("{type: Softmax, axis: 1}", "[null, 6]"))
    assert codes(result) == [] and rows(result) == [((None, None, 6), 0, 0)]


# Warnings for what the frameworks accept but is almost certainly a mistake.


@pytest.mark.parametrize("name,shape", [("Dropout1d", "[4]"), ("Dropout2d", "[4, 6]"), ("Dropout2d", "[4]"),
                                        ("Dropout3d", "[4, 6, 2]"), ("Dropout3d", "[4, 6]")])
def test_torch_feature_dropout_misread_ranks_warn(lint, name, shape):
    code = rules.INPUT_RANK_MISREAD.code
    assert codes(lint(spec(f"{{type: {name}}}", shape, "pytorch"))) == [(code, 5, 12)]


@pytest.mark.parametrize("layer,framework,key", [
    ("{type: Dropout, rate: 1}", "keras", "rate"), ("{type: Dropout, p: 1}", "pytorch", "p"),
    ("{type: Softmax, axis: 0}", "keras", "axis"), ("{type: Softmax, dim: 0}", "pytorch", "dim"),
    ("{type: GLU, dim: 0}", "pytorch", "dim"), ("{type: Softmax}", "pytorch", "type"),
])
def test_suspicious_arguments_warn(lint, layer, framework, key):
    code = rules.SUSPICIOUS_ARGUMENT.code
    assert codes(lint(spec(layer, framework=framework))) == [(code, 5, col(layer, key))]
