"""Flatten: shapes and findings.

Every shape and error below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU):
the layer applied to a batch of 2, or the error it raises.
"""

from helpers import codes, layer_rows

from archlint.layers.registry import KERAS, Call, Tensor, lookup

# --- Keras Flatten ----------------------------------------------------------------------------------


def test_keras_flatten_multiplies_the_non_batch_axes(lint):
    # Keras 3.15.1: Flatten on (None, 2, 3, 4) gives (None, 24), with either data_format
    result = lint("""
        archlint: 1
        input: [2, 3, 4]
        layers:
          - {type: Flatten}
          - {type: Flatten, data_format: channels_first, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("flatten", (None, 24), 0, 0), ("flatten_1", (None, 24), 0, 0)]


def test_keras_flatten_rank2_is_unchanged(lint):
    # Keras 3.15.1: Flatten on (None, 3) gives (None, 3)
    result = lint("""
        archlint: 1
        input: [3]
        layers:
          - {type: Flatten}
    """)
    assert layer_rows(result) == [("flatten", (None, 3), 0, 0)]


def test_keras_flatten_unknown_axis_gives_unknown_size(lint):
    # Keras 3.15.1: Flatten on (None, None, 4) gives (None, None); the Dense after it cannot be built
    result = lint("""
        archlint: 1
        input: [null, 4]
        layers:
          - {type: Flatten}
          - {type: Dense, units: 2}
    """)
    assert codes(result) == [("E010", 6, 12)]
    assert layer_rows(result)[0] == ("flatten", (None, None), 0, 0)


def test_keras_flatten_batch_only_input_gets_one_feature():
    # Keras 3.15.1: Flatten on a (batch,) tensor gives (batch, 1). No Keras layer here makes a
    # rank-1 tensor from a spec's input, so the rule is called directly.
    found = []
    call = Call("Flatten", "flatten", KERAS, {"data_format": None, "dtype": None}, frozenset(),
                [Tensor((None,), "x")], ("layers", 0), lambda *args: found.append(args))
    assert lookup(KERAS, "Flatten").infer(call).shape == (None, 1)
    assert found == []


def test_keras_flatten_unknown_keyword(lint):
    result = lint("""
        archlint: 1
        input: [3, 4]
        layers:
          - {type: Flatten, start_dim: 1}
    """)
    assert [c[0] for c in codes(result)] == ["S004"]


# --- PyTorch Flatten ----------------------------------------------------------------------------------


def test_torch_flatten_default_and_ranges(lint):
    # torch 2.13.0 on (2, 3, 4, 5): Flatten() -> (2, 60); (2, -1) -> (2, 3, 20); (-3, -2) -> (2, 12, 5);
    # (1, 1) and (-1, 3) leave the shape as it is
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 5]
        layers:
          - {type: Flatten}
          - {type: Flatten, start_dim: 2, inputs: [input]}
          - {type: Flatten, start_dim: -3, end_dim: -2, inputs: [input]}
          - {type: Flatten, start_dim: 1, end_dim: 1, inputs: [input]}
          - {type: Flatten, start_dim: -1, end_dim: 3, inputs: [input]}
    """)
    assert codes(result) == []
    assert [row[1] for row in layer_rows(result)] == [
        (None, 60), (None, 3, 20), (None, 12, 5), (None, 3, 4, 5), (None, 3, 4, 5)]


def test_torch_flatten_unknown_size(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, null, 5]
        layers:
          - {type: Flatten}
          - {type: Flatten, start_dim: 3, inputs: [input]}
    """)
    assert [row[1] for row in layer_rows(result)] == [(None, None), (None, 3, None, 5)]


def test_torch_flatten_dims_out_of_range(lint):
    # torch 2.13.0 on (2, 3, 4, 5): start_dim=4 and end_dim=-5 raise IndexError "Dimension out of range
    # (expected to be in range of [-4, 3], but got 4)" / "... but got -5"; start_dim is checked first
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 5]
        layers:
          - {type: Flatten, start_dim: 4}
          - {type: Flatten, end_dim: -5, inputs: [input]}
          - {type: Flatten, start_dim: 7, end_dim: -9, inputs: [input]}
          - {type: Flatten, start_dim: -4, end_dim: 3, inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 32), ("E002", 7, 30), ("E002", 8, 32)]
    assert "expected to be in range of [-4, 3], but got 4" in result.findings[0].hint
    assert "but got -5" in result.findings[1].hint
    assert "but got 7" in result.findings[2].hint
    assert layer_rows(result)[3][1] == (None,)  # the batch merged in: torch gives (120,)


def test_torch_flatten_start_after_end(lint):
    # torch 2.13.0 on (2, 3, 4, 5): (2, 1), (-1, -2) and (3, 0) raise RuntimeError "flatten() has invalid
    # args: start_dim cannot come after end_dim"; (2, -2) is the same axis twice and is fine
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 5]
        layers:
          - {type: Flatten, start_dim: 2, end_dim: 1}
          - {type: Flatten, start_dim: -1, end_dim: -2, inputs: [input]}
          - {type: Flatten, end_dim: 0, inputs: [input]}
          - {type: Flatten, start_dim: 2, end_dim: -2, inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 32), ("E002", 7, 32), ("E002", 8, 30)]
    assert "start_dim cannot come after end_dim" in result.findings[0].hint
    assert layer_rows(result)[3][1] == (None, 3, 4, 5)


def test_torch_flatten_of_a_batch_only_tensor(lint):
    # torch 2.13.0: Flatten(0) on (2, 3, 4, 5) gives (120,); Flatten() on that rank-1 tensor raises
    # "Dimension out of range (expected to be in range of [-1, 0], but got 1)", Flatten(0) keeps it
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 5]
        layers:
          - {type: Flatten, start_dim: 0}
          - {type: Flatten, start_dim: 0, name: again}
          - {type: Flatten}
    """)
    assert codes(result) == [("E002", 8, 12)]
    assert "[-1, 0], but got 1" in result.findings[0].hint
    assert [row[1] for row in layer_rows(result)[:2]] == [(None,), (None,)]


# --- Keras Reshape, Permute, RepeatVector; PyTorch Unflatten -------------------------------------------
# Checked against Keras 3.15.1 (torch backend; symbolic and a batch of 2) and torch 2.13.0.

import json  # noqa: E402

import pytest  # noqa: E402


def spec(framework, input_shape, layer):
    return (f"archlint: 1\nframework: {framework}\ninput: {json.dumps(input_shape)}\nlayers:\n  - {layer}\n")


def key_col(layer, key):
    return 5 + layer.index(f"{key}: ") + len(key) + 2


@pytest.mark.parametrize("framework, input_shape, layer, shape", [
    ("keras", [6, 4], "{type: Reshape, target_shape: [3, 8]}", (None, 3, 8)),
    ("keras", [6, 4], "{type: Reshape, target_shape: [-1, 8]}", (None, 3, 8)),
    ("keras", [6, 4], "{type: Reshape, target_shape: [-1]}", (None, 24)),
    ("keras", [None, 4], "{type: Reshape, target_shape: [-1, 2]}", (None, None, 2)),
    ("keras", [None, 4], "{type: Reshape, target_shape: [2, 2]}", (None, 2, 2)),  # unknown: not checked
    ("keras", [2, 3, 4], "{type: Permute, dims: [3, 1, 2]}", (None, 4, 2, 3)),
    ("keras", [5], "{type: RepeatVector, n: 3}", (None, 3, 5)),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [3, 4]}", (None, 3, 4, 5)),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [3, -1]}", (None, 3, 4, 5)),
    ("pytorch", [12, 6], "{type: Unflatten, dim: -1, unflattened_size: [2, 3]}", (None, 12, 2, 3)),
    ("pytorch", [12, 6], "{type: Unflatten, dim: 1, unflattened_size: [-1]}", (None, 12, 6)),
])
def test_reshape_shapes(lint, framework, input_shape, layer, shape):
    result = lint(spec(framework, input_shape, layer))
    assert codes(result) == []
    assert layer_rows(result)[0][1:] == (shape, 0, 0)


@pytest.mark.parametrize("framework, input_shape, layer, code, key", [
    # Keras: "The total size of the tensor must be unchanged"; "There must be at most one unknown dimension";
    # "must be a non-negative integer, or `-1`"
    ("keras", [6, 4], "{type: Reshape, target_shape: [5, 5]}", "E002", "target_shape"),
    ("keras", [6, 4], "{type: Reshape, target_shape: [-1, 5]}", "E002", "target_shape"),
    ("keras", [6, 4], "{type: Reshape, target_shape: [0, 24]}", "E002", "target_shape"),
    ("keras", [6, 4], "{type: Reshape, target_shape: [-1, -1]}", "E002", "target_shape"),
    ("keras", [6, 4], "{type: Reshape, target_shape: [-2, -12]}", "E002", "target_shape"),
    # "The set of indices in `dims` must be consecutive and start from 1"; "expected ndim=3, found ndim=4"
    ("keras", [2, 3, 4], "{type: Permute, dims: [3, 1, 1]}", "E002", "dims"),
    ("keras", [2, 3, 4], "{type: Permute, dims: [0, 1, 2]}", "E002", "dims"),
    ("keras", [2, 3, 4], "{type: Permute, dims: [2, 1]}", "E008", "dims"),
    # "Argument `n` should be a positive integer"; "expected ndim=2, found ndim=3"
    ("keras", [5], "{type: RepeatVector, n: 0}", "E002", "n"),
    ("keras", [5, 2], "{type: RepeatVector, n: 3}", "E008", None),
    # torch: "Provided sizes [5, 2] don't multiply up to the size of dim 1 (12)"; two -1 / -2 fail;
    # "sizes must be non-empty"; "Dimension out of range (expected to be in range of [-3, 2], but got 3)"
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [5, 2]}", "E002", "unflattened_size"),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [5, -1]}", "E002", "unflattened_size"),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [-1, -1]}", "E002", "unflattened_size"),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [-2, -6]}", "E002", "unflattened_size"),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: [0, -1]}", "E002", "unflattened_size"),
    ("pytorch", [12, 5], "{type: Unflatten, dim: 1, unflattened_size: []}", "E002", "unflattened_size"),
    ("pytorch", [12, 6], "{type: Unflatten, dim: 3, unflattened_size: [2, 3]}", "E002", "dim"),
])
def test_reshape_errors(lint, framework, input_shape, layer, code, key):
    line = 5
    assert codes(lint(spec(framework, input_shape, layer))) == [(code, line, key_col(layer, key) if key else 12)]


def test_unflatten_of_the_batch_axis_is_w008(lint):
    # torch 2.13.0: Unflatten(0, (2, 1)) on (2, 12, 6) gives (2, 1, 12, 6): it depends on the batch size
    layer = "{type: Unflatten, dim: 0, unflattened_size: [-1, 1]}"
    result = lint(spec("pytorch", [12, 6], layer))
    assert codes(result) == [("W008", 5, key_col(layer, "dim"))]
    assert layer_rows(result)[0][1] == (None, 1, 12, 6)
