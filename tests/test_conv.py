"""Convolutions: shapes, counts and findings, with values checked against Keras 3 and PyTorch 2.13."""

from conftest import codes, layer_rows


def test_seed_example_3_counts_140(lint):
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        layers:
          - {type: Conv2D, filters: 5, kernel_size: 3, activation: relu}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("conv2d", (None, 8, 8, 5), 140, 0)]
