"""Keras masks (archlint/masks.py): which layers keep, make or drop the mask of an Embedding(mask_zero=True)
or a Masking, the Softmax that cannot broadcast it (E031) and the layers whose mask handling is not
modelled (W030). Every verdict below was observed on Keras 3.15.1 (torch backend), a batch of 2 ids
[[1, 2, 0, 0, 3, 0], ...]; tests/crosscheck/test_keras_mask_sweep.py sweeps them against Keras."""

from helpers import DATA, codes

from archlint import masks
from archlint.lint import lint_file

HEAD = """
    archlint: 1
    framework: keras
    input: [6]
    layers:
      - {type: Embedding, input_dim: 10, output_dim: 4, mask_zero: true}
"""


def _followed(result) -> dict:
    return masks.check_masks(result.model, lambda *a, **k: None)


def test_the_text_classifier_pattern_is_clean(lint):
    # Keras: LSTM(return_sequences=True) keeps the (None, 6) mask, GlobalAveragePooling1D reads and drops it
    result = lint(HEAD + """
      - {type: LSTM, units: 8, return_sequences: true}
      - {type: GlobalAveragePooling1D}
      - {type: Dense, units: 2, activation: softmax}
    """)
    assert codes(result) == []
    assert _followed(result) == {"embedding": (None, 6), "lstm": (None, 6)}


def test_a_softmax_on_one_score_per_step_fails_in_keras(lint):
    # Keras: ValueError The `mask` must be broadcastable to `inputs`. ... inputs.shape=(2, 6, 1), mask.shape=(2, 6)
    result = lint(HEAD + """
      - {type: Dense, units: 1}
      - {type: Softmax}
    """)
    assert codes(result) == [("E031", 9, 12)]
    finding = result.findings[0]
    assert finding.message == "softmax cannot broadcast the mask (None, 6) onto its input (None, 6, 1)"
    assert "Received: inputs.shape=(None, 6, 1), mask.shape=(None, 6)" in finding.hint
    assert "Activation('softmax')" in finding.hint


def test_a_softmax_whose_last_axis_is_the_steps_fails_but_at_batch_1_or_6(lint):
    # Keras: (2, 6, 6) with mask (2, 6) fails (the mask's batch 2 meets the 6 positions); batch 1 runs
    result = lint(HEAD + """
      - {type: Dense, units: 6}
      - {type: Softmax}
    """)
    assert codes(result) == [("E031", 9, 12)]
    assert result.findings[0].message.endswith("at a batch size other than 1 or 6")


def test_activation_softmax_ignores_the_mask_and_conv1d_drops_it(lint):
    # Keras: Activation('softmax') keeps the mask without reading it; Conv1D destroys it (a UserWarning)
    result = lint(HEAD + """
      - {type: Dense, units: 1, activation: softmax}
      - {type: Activation, activation: softmax}
      - {type: Conv1D, filters: 1, kernel_size: 1}
      - {type: Softmax}
    """)
    assert codes(result) == []
    assert _followed(result) == {"embedding": (None, 6), "dense": (None, 6), "activation": (None, 6)}


def test_masking_makes_a_mask_without_the_last_axis(lint):
    # Keras: Masking() on (None, 6, 4) -> mask (None, 6); a Bidirectional LSTM with sequences keeps it
    result = lint("""
        archlint: 1
        framework: keras
        input: [6, 4]
        layers:
          - {type: Masking}
          - {type: Bidirectional, layer: {type: LSTM, units: 3, return_sequences: true}}
          - {type: Softmax}
    """)
    assert codes(result) == [("E031", 8, 12)]
    assert _followed(result) == {"masking": (None, 6), "bidirectional": (None, 6), "softmax": (None, 6)}


def test_a_mask_reaching_an_unmodelled_layer_is_marked(lint):
    # Keras 3.15.1 runs these; how Subtract and a Concatenate along the steps handle the mask is not modelled
    result = lint(HEAD + """
      - {type: Dense, units: 4}
      - {type: Subtract, inputs: [embedding, dense]}
      - {type: Concatenate, axis: 1, inputs: [embedding, embedding]}
    """)
    assert codes(result) == [("W030", 9, 12), ("W030", 10, 12)]
    assert result.findings[0].message == "subtract (Subtract) receives a Keras mask (None, 6), not modelled"


def test_pytorch_has_no_masks(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [6]
        layers:
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, padding_idx: 0}
          - {type: Softmax, dim: -1}
    """)
    assert codes(result) == []
    assert _followed(result) == {}


def test_keras_json_imports_follow_the_same_masks():
    # written by Keras 3.15.1's to_json(): Embedding(mask_zero=True) -> Dense(1) -> Softmax, and -> Subtract
    failing = lint_file(str(DATA / "keras" / "masks" / "softmax_after_mask.json"))
    assert codes(failing) == [("E031", 1, 2518)]
    marked = lint_file(str(DATA / "keras" / "masks" / "subtract_after_mask.json"))
    assert codes(marked) == [("W030", 1, 2207)]
    clean = lint_file(str(DATA / "keras" / "models" / "masked_embedding.json"))  # Embedding -> LSTM -> Dense
    assert codes(clean) == []


def test_attention_outputs_the_querys_mask(lint):
    # Keras: MultiHeadAttention(query=q, value=masked ids) has no output mask; the Softmax after it runs
    result = lint("""
        archlint: 1
        framework: keras
        inputs: {ids: [6], q: [3, 4]}
        layers:
          - {type: Embedding, input_dim: 10, output_dim: 4, mask_zero: true, inputs: [ids]}
          - {type: MultiHeadAttention, num_heads: 2, key_dim: 4, inputs: {value: embedding, query: q}}
          - {type: Dense, units: 1}
          - {type: Softmax}
    """)
    assert codes(result) == []
    assert _followed(result) == {"embedding": (None, 6)}
