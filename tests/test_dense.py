"""Dense and Linear: act on the last axis of any rank. Numbers checked against Keras 3.15.1 (torch
backend) and torch 2.13.0: forward-pass shapes on a batch of 2 and parameter counts."""

from helpers import codes, layer_rows


def test_dense_acts_on_the_last_axis(lint):
    # Keras 3.15.1: Dense(16) on (10, 32) gives (10, 16) with 528 params
    result = lint("""
        archlint: 1
        input: [10, 32]
        layers:
          - {type: Dense, units: 16}
          - {type: Dense, units: 4, use_bias: false}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("dense", (None, 10, 16), 528, 0), ("dense_1", (None, 10, 4), 64, 0)]


def test_dense_unknown_middle_axis_is_fine(lint):
    # Keras 3.15.1: Dense(3) on (None, 4) gives (None, None, 3)
    result = lint("""
        archlint: 1
        input: [null, 4]
        layers:
          - {type: Dense, units: 3}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("dense", (None, None, 3), 15, 0)]


def test_dense_unknown_last_axis_is_e010(lint):
    # Keras 3.15.1: 'Shapes used to initialize variables must be fully-defined'
    result = lint("""
        archlint: 1
        input: [4, null]
        layers:
          - {type: Dense, units: 3}
    """)
    assert codes(result) == [("E010", 5, 12)]
    assert "(None, 4, None)" in result.findings[0].message


def test_linear_any_rank(lint):
    # torch 2.13.0: Linear(32, 16) on (3, 10, 32) gives (3, 10, 16) with 528 params
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 10, 32]
        layers:
          - {type: Linear, in_features: 32, out_features: 16}
          - {type: Linear, out_features: 2, bias: false}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 3, 10, 16), 528, 0), ("1", (None, 3, 10, 2), 32, 0)]


def test_linear_in_features_mismatch(lint):
    # torch 2.13.0: 'mat1 and mat2 shapes cannot be multiplied (2x2048 and 512x10)'
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [2048]
        layers:
          - {type: Linear, in_features: 512, out_features: 10}
          - {type: Linear, in_features: 2048, out_features: 10, inputs: [input]}
    """)
    assert codes(result) == [("E007", 6, 33)]
    assert result.findings[0].message == "Linear expects 512 input features but receives 2048, input shape (None, 2048)"
    assert result.findings[0].hint == "set in_features: 2048, or fix the layer before it"
    assert layer_rows(result)[1] == ("1", (None, 10), 20490, 0)


def test_linear_unknown_last_axis_uses_in_features(lint):
    # PyTorch builds the weight from in_features alone; without it there is nothing to build from
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [5, null]
        layers:
          - {type: Linear, in_features: 8, out_features: 3}
          - {type: Linear, out_features: 3, inputs: [input]}
    """)
    assert codes(result) == [("E010", 7, 12)]
    assert layer_rows(result)[0] == ("0", (None, 5, 3), 27, 0)


def test_dense_lora_rank_counts(lint):
    # Keras 3.15.1: Dense(4, lora_rank=2) on 8 features: 28 trainable (bias 4 + lora_kernel_a 8*2 +
    # lora_kernel_b 2*4), 32 non-trainable (the frozen kernel); lora_rank=0 leaves LoRA off (36, 0); on a
    # frozen layer every weight is non-trainable (0, 60)
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 4, lora_rank: 2}
          - {type: Dense, units: 4, lora_rank: 0, inputs: [input]}
          - {type: Dense, units: 4, lora_rank: 2, trainable: false, inputs: [input]}
          - {type: Dense, units: 4, lora_rank: 2, use_bias: false, lora_alpha: 8, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("dense", (None, 4), 28, 32), ("dense_1", (None, 4), 36, 0),
                                  ("dense_2", (None, 4), 0, 60), ("dense_3", (None, 4), 24, 32)]


def test_dense_lora_refusals(lint):
    # Keras 3.15.1 refuses lora_rank=-2 ("Negative dimensions are not allowed") and lora with a
    # kernel_constraint ("Lora is incompatible with kernel constraints"); quantization_config stays W006
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 4, lora_rank: -2}
          - {type: Dense, units: 4, lora_rank: 2, kernel_constraint: non_neg, inputs: [input]}
          - {type: Dense, units: 4, kernel_constraint: non_neg, inputs: [input]}
          - {type: Dense, units: 4, quantization_config: {mode: int8}, inputs: [input]}
    """)
    assert [c for c, _, _ in codes(result)] == ["E002", "E002", "W006"]
    assert codes(result)[:2] == [("E002", 5, 40), ("E002", 6, 40)]
    assert "incompatible with kernel constraints" in result.findings[1].hint
