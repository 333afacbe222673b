"""Attention, Transformer, recurrent, embedding and wrapper layers rebuilt in their frameworks.

Each spec below is built in Keras 3.15.1 (torch backend) or torch 2.13.0 from the spec itself
(builders.py: nested layers, inputs by role, integer ids for embeddings, tuple outputs flattened and the
first passed on) and compared layer by layer: every output shape and the trainable / non-trainable
counts must equal archlint's. The refused specs must be refused by both: archlint reports an error and
the framework raises while building or running a batch of 2. Warnings are allowed (W007 for
batch_first=False is on purpose in some cases).

Run with the frameworks installed (skipped otherwise):
    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck
"""

from __future__ import annotations

import os
import textwrap
import warnings

import pytest
from builders import compare_with_framework, keras_layer_rows, torch_layer_rows

from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck


def spec(framework: str, inputs: str, *layers: str) -> str:
    body = "".join(f"  - {layer}\n" for layer in layers)
    return f"archlint: 1\nframework: {framework}\n{inputs}\nlayers:\n{body}"


K, T = "keras", "pytorch"
ENC = "{type: TransformerEncoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, batch_first: true}"
DEC = "{type: TransformerDecoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, batch_first: true}"

VALID = {
    # Keras attention
    "keras-mha-self": spec(K, "input: [7, 4]", "{type: MultiHeadAttention, num_heads: 2, key_dim: 3}"),
    "keras-mha-qvk-list": spec(K, "inputs: {q: [7, 4], v: [5, 6], k: [5, 8]}",
                               "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 5, inputs: [q, v, k]}"),
    "keras-mha-roles": spec(K, "inputs: {q: [7, 4], v: [5, 6], k: [5, 8]}",
                            "{type: MultiHeadAttention, num_heads: 3, key_dim: 2, use_bias: false, output_shape: [2, 5], "
                            "inputs: {key: k, value: v, query: q}}"),
    "keras-mha-gate-rank4": spec(K, "input: [3, 6, 4]",
                                 "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, use_gate: true, attention_axes: 2}",
                                 "{type: Dense, units: 2}"),
    "keras-mha-unknown-length": spec(K, "inputs: {q: [null, 4], v: [null, 6]}",
                                     "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v]}"),
    "keras-attention": spec(K, "inputs: {q: [7, 4], v: [5, 6], k: [5, 4]}",
                            "{type: Attention, use_scale: true, inputs: [q, v, k]}",
                            "{type: AdditiveAttention, inputs: {query: attention, value: v}}"),
    "keras-attention-concat-self": spec(K, "input: [7, 4]", "{type: Attention, score_mode: concat}",
                                        "{type: AdditiveAttention, use_scale: false}"),
    # PyTorch attention and Transformer layers
    "torch-mha-self": spec(T, "input: [7, 8]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}",
                           "{type: Linear, out_features: 3}"),
    "torch-mha-kdim-vdim": spec(T, "inputs: {q: [7, 8], k: [5, 6], v: [5, 4]}",
                                "{type: MultiheadAttention, embed_dim: 8, num_heads: 4, batch_first: true, kdim: 6, "
                                "vdim: 4, add_bias_kv: true, add_zero_attn: true, inputs: {value: v, key: k, query: q}}"),
    "torch-mha-batch-first-false": spec(T, "input: [7, 8]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, "
                                        "bias: false}"),
    "torch-mha-unbatched": spec(T, "input: [8]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}"),
    "torch-encoder-layer": spec(T, "input: [7, 8]", ENC,
                                "{type: TransformerEncoderLayer, d_model: 8, nhead: 4, dim_feedforward: 0, bias: false, "
                                "norm_first: true, activation: gelu, batch_first: true}"),
    "torch-encoder-layer-default-size": spec(T, "input: [5, 16]",
                                             "{type: TransformerEncoderLayer, d_model: 16, nhead: 2, batch_first: true}"),
    "torch-decoder-layer": spec(T, "inputs: {t: [7, 8], m: [5, 8]}", DEC[:-1] + ", inputs: [t, m]}",
                                DEC[:-1] + ", bias: false, inputs: {memory: m, tgt: 0}}"),
    "torch-encoder-stack": spec(T, "input: [7, 8]", f"{{type: TransformerEncoder, encoder_layer: {ENC}, num_layers: 3, "
                                "norm: {type: LayerNorm, normalized_shape: 8}}"),
    "torch-encoder-stack-frozen-linear-norm": spec(
        T, "input: [7, 8]", f"{{type: TransformerEncoder, encoder_layer: {ENC[:-1]}, trainable: false}}, num_layers: 2, "
        "norm: {type: Linear, in_features: 8, out_features: 3}}"),
    "torch-decoder-stack": spec(T, "inputs: {t: [7, 8], m: [5, 8]}", f"{{type: TransformerDecoder, decoder_layer: {DEC}, "
                                "num_layers: 2, norm: {type: LayerNorm, normalized_shape: 8}, inputs: [t, m]}"),
    # Keras recurrent layers, wrappers and embeddings (archlint/layers/recurrent.py, wrappers.py, embedding.py)
    "keras-rnns": spec(K, "input: [7, 3]", "{type: SimpleRNN, units: 5, return_sequences: true}",
                       "{type: GRU, units: 4, return_sequences: true, reset_after: false}",
                       "{type: LSTM, units: 6, return_sequences: true, return_state: true}",
                       "{type: GRU, units: 3}"),
    "keras-bidirectional": spec(K, "input: [7, 3]",
                                "{type: Bidirectional, layer: {type: LSTM, units: 5, return_sequences: true}}",
                                "{type: Bidirectional, merge_mode: sum, layer: {type: GRU, units: 4}, "
                                "backward_layer: {type: GRU, units: 4, go_backwards: true}}"),
    "keras-time-distributed": spec(K, "input: [6, 5, 4]", "{type: TimeDistributed, layer: {type: Dense, units: 3}}",
                                   "{type: TimeDistributed, layer: {type: Flatten}}", "{type: LSTM, units: 2}"),
    "keras-embedding-lstm": spec(K, "input: [12]", "{type: Embedding, input_dim: 50, output_dim: 8}",
                                 "{type: LSTM, units: 4, return_sequences: true}",
                                 "{type: MultiHeadAttention, num_heads: 2, key_dim: 4}",
                                 "{type: GlobalAveragePooling1D}"),
    "keras-embedding-frozen": spec(K, "input: [3, 4]", "{type: Embedding, input_dim: 20, output_dim: 5, trainable: false}"),
    # PyTorch recurrent layers and embeddings
    "torch-rnns": spec(T, "input: [7, 3]", "{type: RNN, hidden_size: 5, batch_first: true, nonlinearity: relu}",
                       "{type: GRU, hidden_size: 4, num_layers: 2, bidirectional: true, batch_first: true}",
                       "{type: LSTM, hidden_size: 6, proj_size: 2, batch_first: true}",
                       "{type: LSTM, input_size: 2, hidden_size: 3, bias: false, batch_first: true}"),
    "torch-rnn-batch-first-false": spec(T, "input: [7, 3]", "{type: LSTM, hidden_size: 4, num_layers: 2}"),
    "torch-embedding-transformer": spec(T, "input: [12]", "{type: Embedding, num_embeddings: 50, embedding_dim: 8, "
                                        "padding_idx: -1}", ENC, "{type: GRU, hidden_size: 4, batch_first: true}",
                                        "{type: Linear, in_features: 4, out_features: 2}"),
    "torch-embedding-frozen": spec(T, "input: [3, 4]", "{type: Embedding, num_embeddings: 20, embedding_dim: 5, "
                                   "_freeze: true}"),
}

REFUSED = {
    "keras-mha-key-value-lengths": spec(K, "inputs: {q: [7, 4], v: [5, 6], k: [6, 8]}",
                                        "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v, k]}"),
    "keras-mha-rank-2": spec(K, "input: [4]", "{type: MultiHeadAttention, num_heads: 2, key_dim: 3}"),
    "keras-mha-dropout": spec(K, "input: [7, 4]", "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, dropout: 1.5}"),
    "keras-mha-non-attention-axis": spec(K, "inputs: {q: [3, 7, 4], v: [2, 5, 6]}",
                                         "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 2, "
                                         "inputs: [q, v]}"),
    "keras-attention-dot-features": spec(K, "inputs: {q: [7, 4], v: [5, 6]}", "{type: Attention, inputs: [q, v]}"),
    "keras-additive-features": spec(K, "inputs: {q: [7, 4], v: [5, 6]}", "{type: AdditiveAttention, inputs: [q, v]}"),
    "keras-attention-key-positions": spec(K, "inputs: {q: [7, 4], v: [5, 4], k: [6, 4]}",
                                          "{type: Attention, inputs: [q, v, k]}"),
    "torch-mha-divisible": spec(T, "input: [7, 8]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 3, "
                                "batch_first: true}"),
    "torch-mha-embed-dim": spec(T, "input: [7, 6]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, "
                                "batch_first: true}"),
    "torch-mha-key-value": spec(T, "inputs: {q: [7, 8], k: [5, 8], v: [6, 8]}",
                                "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, "
                                "inputs: [q, k, v]}"),
    "torch-mha-rank-4": spec(T, "input: [3, 7, 8]", "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, "
                             "batch_first: true}"),
    "torch-encoder-activation": spec(T, "input: [7, 8]", ENC[:-1] + ", activation: tanh}"),
    "torch-encoder-d-model": spec(T, "input: [7, 6]", ENC),
    "torch-decoder-memory-features": spec(T, "inputs: {t: [7, 8], m: [5, 6]}", DEC[:-1] + ", inputs: [t, m]}"),
    "torch-decoder-batch-first-false": spec(T, "inputs: {t: [7, 8], m: [5, 8]}",
                                            "{type: TransformerDecoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, "
                                            "inputs: [t, m]}"),
    "torch-encoder-stack-norm": spec(T, "input: [7, 8]", f"{{type: TransformerEncoder, encoder_layer: {ENC}, "
                                     "num_layers: 2, norm: {type: LayerNorm, normalized_shape: 6}}"),
    "torch-lstm-input-size": spec(T, "input: [7, 3]", "{type: LSTM, input_size: 4, hidden_size: 5, batch_first: true}"),
    "torch-lstm-proj-size": spec(T, "input: [7, 3]", "{type: LSTM, hidden_size: 5, proj_size: 5, batch_first: true}"),
    "keras-rnn-rank": spec(K, "input: [3]", "{type: LSTM, units: 5}"),
}


def walked(tmp_path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = lint_file(str(path))
    framework = result.model.spec.framework if result.model else "keras"
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        pytest.importorskip("keras")
    pytest.importorskip("torch")
    return result


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_specs_match_the_framework(tmp_path, name):
    result = walked(tmp_path, VALID[name])
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    assert not errors
    assert result.model is not None and result.model.complete
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor and dropout notes
        compare_with_framework(result.model)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_specs_are_refused_by_the_framework(tmp_path, name):
    result = walked(tmp_path, REFUSED[name])
    assert any(f.is_error for f in result.findings), [f.rule.code for f in result.findings]
    rows = keras_layer_rows if result.model.spec.framework == "keras" else torch_layer_rows
    with warnings.catch_warnings(), pytest.raises(Exception):  # noqa: B017  (any refusal counts)
        warnings.simplefilter("ignore")
        rows(result.model)


def test_there_are_cases_for_every_attention_layer():
    from archlint.layers.registry import REGISTRY

    attention = {name for (_, name), t in REGISTRY.items() if t.family == "attention"}
    written = " ".join(VALID.values())
    assert all(f"type: {name}" in written for name in attention)
