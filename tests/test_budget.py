"""Budgets (B001/B002) and a canonical network that must draw no finding.

VGG16's 138,357,544 parameters are what keras.applications.VGG16(weights=None) counts in Keras 3.15.1.
"""

from helpers import codes

VGG16 = """
    archlint: 1
    input: [224, 224, 3]
    budget: {params: BUDGET}
    layers:
      - {type: Conv2D, filters: 64, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 64, kernel_size: 3, padding: same, activation: relu}
      - {type: MaxPooling2D, pool_size: 2}
      - {type: Conv2D, filters: 128, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 128, kernel_size: 3, padding: same, activation: relu}
      - {type: MaxPooling2D, pool_size: 2}
      - {type: Conv2D, filters: 256, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 256, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 256, kernel_size: 3, padding: same, activation: relu}
      - {type: MaxPooling2D, pool_size: 2}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: MaxPooling2D, pool_size: 2}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: Conv2D, filters: 512, kernel_size: 3, padding: same, activation: relu}
      - {type: MaxPooling2D, pool_size: 2, expect: {output_shape: [7, 7, 512]}}
      - {type: Flatten}
      - {type: Dense, units: 4096, activation: relu}
      - {type: Dense, units: 4096, activation: relu}
      - {type: Dense, units: 1000, activation: softmax}
"""


def test_vgg16_draws_no_finding_and_counts_138m(lint):
    result = lint(VGG16.replace("BUDGET", "138357544"))
    assert codes(result) == []
    assert result.model.total_params == 138_357_544
    assert result.model.trainable_params == 138_357_544


def test_b001_params_budget_as_int_and_suffix(lint):
    for budget in ("100000000", "100M", "100.0M"):
        result = lint(VGG16.replace("BUDGET", budget))
        assert codes(result) == [("B001", 4, 18)]
        assert result.findings[0].message == (
            "the model has 138,357,544 parameters, 38.4% over the budget of 100,000,000")


def test_b002_trainable_budget(lint):
    result = lint("""
        archlint: 1
        input: [32, 32, 3]
        budget: {params: 700k, trainable_params: "3.5k"}
        layers:
          - {type: Conv2D, filters: 32, kernel_size: 3, padding: same}
          - {type: Conv2D, filters: 64, kernel_size: 3, padding: same}
          - {type: Flatten}
          - {type: Dense, units: 10, trainable: false}
    """)
    # Keras 3.15.1: 896 + 18,496 trainable, 655,370 frozen in the Dense
    assert codes(result) == [("B002", 4, 42)]
    assert result.findings[0].message == (
        "the model has 19,392 trainable parameters, 454.1% over the budget of 3,500")


def test_within_budget_no_finding(lint):
    result = lint("""
        archlint: 1
        input: [10, 10, 3]
        budget: {params: 140, trainable_params: 140}
        layers:
          - {type: Conv2D, filters: 5, kernel_size: 3}
    """)
    assert codes(result) == []
