"""Flatten: shapes and findings.

Every shape and error below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU):
the layer applied to a batch of 2, or the error it raises.
"""

from conftest import codes, layer_rows

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
    assert "expected to be in range of [-4, 3], but got 4" in result.findings[0].message
    assert "but got -5" in result.findings[1].message
    assert "but got 7" in result.findings[2].message
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
    assert "start_dim cannot come after end_dim" in result.findings[0].message
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
    assert "[-1, 0], but got 1" in result.findings[0].message
    assert [row[1] for row in layer_rows(result)[:2]] == [(None,), (None,)]
