"""A finding names a layer by its label (LayerSpec.label): a PyTorch default index name is followed by the
layer's type (`0 (Conv2d)`), since a bare index says nothing; a written name, or a Keras default name
(`conv2d_1`), is shown as it is. Names themselves (summary rows, JSON, graph ids) stay bare."""

from __future__ import annotations

from helpers import codes


def messages(result) -> list[tuple[str, str, str]]:
    return [(f.rule.code, f.message, f.hint) for f in result.findings]


def test_bias_before_norm_names_default_layers_with_their_type(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3}
          - {type: BatchNorm2d, num_features: 8}
    """)
    assert messages(result) == [(
        "W005", "0 (Conv2d) adds a bias that 1 (BatchNorm2d) subtracts again: 8 wasted parameters",
        "1 (BatchNorm2d) subtracts each channel's mean: set bias: false on 0 (Conv2d)")]
    # the names are unchanged: only the prose says the type
    assert [layer.name for layer in result.model.layers] == ["0", "1"]


def test_merge_mismatch_names_its_default_named_inputs(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3}
          - {type: Conv2d, in_channels: 3, out_channels: 4, kernel_size: 5, inputs: [input]}
          - {type: torch.cat, dim: 1, inputs: [0, 1]}
    """)
    assert codes(result) == [("E015", 8, 12)]
    assert result.findings[0].message == ("torch.cat cannot combine 0 (Conv2d) (None, 8, 30, 30) with 1 (Conv2d) "
                                          "(None, 4, 28, 28): dimension 2 differs")


def test_a_shape_error_names_the_default_named_layer_before(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [5, 12]
        layers:
          - {type: Linear, in_features: 12, out_features: 8}
          - {type: TransformerEncoderLayer, d_model: 16, nhead: 2, batch_first: true}
    """)
    assert codes(result) == [("E007", 7, 46)]
    assert result.findings[0].message == ("TransformerEncoderLayer expects 16 features in the input (d_model=16) "
                                          "but it has 8: 0 (Linear) (None, 5, 8)")


def test_blocks_and_written_names_in_a_torch_spec(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        blocks:
          cb:
            layers:
              - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3}
              - {name: bn, type: BatchNorm2d, num_features: 8}
        layers:
          - {block: cb}
          - {name: conv, type: Conv2d, in_channels: 8, out_channels: 8, kernel_size: 3}
          - {name: norm, type: BatchNorm2d, num_features: 8, expect: {params: 8}}
    """)
    assert messages(result) == [
        ("W005", "0.0 (Conv2d) adds a bias that 0.bn subtracts again: 8 wasted parameters",
         "0.bn (BatchNorm2d) subtracts each channel's mean: set bias: false on 0.0 (Conv2d) "
         "(in 0, block cb used at line 11)"),
        ("W005", "conv adds a bias that norm subtracts again: 8 wasted parameters",
         "norm (BatchNorm2d) subtracts each channel's mean: set bias: false on conv"),
        ("E009", "norm has 16 params, expected 8", "update the expectation or fix the layer's arguments"),
    ]


def test_expectations_and_the_largest_layers_name_default_layers_with_their_type(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [16]
        budget: {params: 100}
        layers:
          - {type: Linear, in_features: 16, out_features: 8, expect: {output_shape: [4]}}
          - {type: ReLU}
          - {type: Linear, in_features: 8, out_features: 2}
    """)
    found = {f.rule.code: f for f in result.findings}
    assert found["E009"].message == "0 (Linear) output shape is (None, 8), expected (4,)"
    assert found["B001"].hint.startswith("over by 54; largest: 0 (Linear) 136, 2 (Linear) 18: ")


def test_keras_messages_are_unchanged(lint):
    result = lint("""
        archlint: 1
        framework: keras
        input: [32, 32, 3]
        layers:
          - {type: Conv2D, filters: 8, kernel_size: 3}
          - {type: BatchNormalization}
          - {name: side, type: Conv2D, filters: 4, kernel_size: 5, inputs: [input]}
          - {type: Concatenate, inputs: [batch_normalization, side]}
    """)
    assert messages(result) == [
        ("W005", "conv2d adds a bias that batch_normalization subtracts again: 8 wasted parameters",
         "batch_normalization (BatchNormalization) subtracts each channel's mean: set use_bias: false on conv2d"),
        ("E015", "Concatenate cannot combine batch_normalization (None, 30, 30, 8) with side (None, 28, 28, 4): "
                 "axis 1 differs",
         "every axis but the concatenation axis (-1) must be equal; crop, pad or resample one input so the other "
         "axes agree"),
    ]


def test_a_cycle_and_a_tie_name_default_layers_with_their_type(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        tie: {2: 0}
        layers:
          - {type: Linear, in_features: 8, out_features: 4}
          - {type: Linear, in_features: 4, out_features: 4}
          - {type: Linear, in_features: 4, out_features: 5}
          - {type: ReLU, inputs: [4]}
          - {type: ReLU, inputs: [3]}
    """)
    assert [(f.rule.code, f.message) for f in result.findings] == [
        ("E019", "2 (Linear) cannot reuse the weight matrix of 0 (Linear): 2's has 20 values, 0's 32"),
        ("E013", "the layers read each other in a cycle: 3 (ReLU) -> 4 (ReLU) -> 3 (ReLU)"),
    ]


def test_memory_and_receptive_field_budgets_name_default_layers_with_their_type(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [1, 64, 64]
        budget: {activation_memory: 1KB, min_receptive_field: 0.5}
        layers:
          - {type: Conv2d, in_channels: 1, out_channels: 8, kernel_size: 3}
          - {type: ReLU}
          - {type: Conv2d, in_channels: 8, out_channels: 8, kernel_size: 3}
    """)
    found = {f.rule.code: f for f in result.findings}
    assert "; while 1 (ReLU) runs, " in found["B006"].hint
    assert found["B006"].hint.endswith("largest tensors then: 0 (Conv2d) 123,008 bytes (120.12 KiB), 1 (ReLU) "
                                       "123,008 bytes (120.12 KiB): downsample earlier, use fewer channels at high "
                                       "resolution, a smaller batch size or dtype, or raise the budget")
    assert found["W027"].message == "the largest receptive field, 5x5 at 2 (Conv2d), covers less than 50% of the input"
