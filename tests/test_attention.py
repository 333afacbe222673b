"""Attention and Transformer layers: shapes (every output), counts, inputs by role, and findings.

Every value below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU): the layer
built on the inputs and called on a batch of 2 (a Keras symbolic call too), or the constructor /
forward error it raises. tests/crosscheck/test_attention_recurrent.py rebuilds the same kinds of
layers in the frameworks and compares them with archlint.
"""

import pytest
from helpers import codes, layer_rows


def spec(layers: str, inputs: str = "input: [7, 4]", framework: str = "keras") -> str:
    body = "".join(f"  - {line}\n" for line in layers.strip().splitlines())
    return f"archlint: 1\nframework: {framework}\n{inputs}\nlayers:\n{body}"


def torch(layers: str, inputs: str = "input: [7, 8]") -> str:
    return spec(layers, inputs, "pytorch")


TWO = "inputs: {q: [7, 4], v: [5, 6]}"
THREE = "inputs: {q: [7, 4], v: [5, 6], k: [5, 8]}"


def at(layer: str, key: str = "type", line: int = 5) -> tuple[int, int]:
    """(line, column) of the value of `key` in a layer written on one line after "  - "."""
    return line, 5 + layer.index(f"{key}: ") + len(key) + 2


def last(result):
    return layer_rows(result)[-1][1:]


# --- Keras MultiHeadAttention -------------------------------------------------------------------------

@pytest.mark.parametrize("layer,inputs,want", [
    # Keras 3.15.1: params = (Dq+1)*H*kd + (Dk+1)*H*kd + (Dv+1)*H*vd + (H*vd+1)*out
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3}", "input: [7, 4]", ((None, 7, 4), 118)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v]}", TWO, ((None, 7, 4), 142)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v, k]}", THREE, ((None, 7, 4), 154)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 5, inputs: [q, v, k]}", THREE, ((None, 7, 4), 198)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, use_bias: false, inputs: [q, v, k]}", THREE,
     ((None, 7, 4), 132)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, output_shape: 10, inputs: [q, v]}", TWO, ((None, 7, 10), 184)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, output_shape: [2, 5], inputs: [q, v]}", TWO,
     ((None, 7, 2, 5), 184)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, output_shape: 0, inputs: [q, v]}", TWO, ((None, 7, 4), 142)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, use_gate: true, inputs: [q, v]}", TWO, ((None, 7, 4), 172)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3}", "input: [3, 7, 4]", ((None, 3, 7, 4), 118)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 2}", "input: [3, 7, 4]",
     ((None, 3, 7, 4), 118)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v]}", "inputs: {q: [null, 4], v: [null, 6]}",
     ((None, None, 4), 142)),
    ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, sliding_window: 2, dropout: 1.0}", "input: [7, 4]",
     ((None, 7, 4), 118)),
])
def test_keras_mha_counts(lint, layer, inputs, want):
    result = lint(spec(layer, inputs))
    assert codes(result) == []
    assert last(result) == (want[0], want[1], 0)


def test_keras_mha_inputs_by_role_and_in_call_order(lint):
    # Keras's order is (query, value, key): [q, k, v] reads k (8 features) as the value and v (6) as the
    # key. Keras 3.15.1: mha(q, v, k) has 198 weights, mha(q, k, v) 206 (value_dim 5 differs from key_dim 3)
    by_list = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 5, inputs: [q, v, k]}", THREE))
    by_role = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 5, "
                        "inputs: {key: k, query: q, value: v}}", THREE))
    swapped = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 5, inputs: [q, k, v]}", THREE))
    assert codes(by_list) == codes(by_role) == codes(swapped) == []
    assert last(by_list) == last(by_role) == ((None, 7, 4), 198, 0)
    assert last(swapped) == ((None, 7, 4), 206, 0)


def test_keras_mha_refusals(lint):
    # Keras 3.15.1: the constructor's ValueErrors, and build/call failures
    bad = [
        ("{type: MultiHeadAttention, num_heads: 0, key_dim: 3}", "input: [7, 4]", ("E002", "num_heads")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 0}", "input: [7, 4]", ("E002", "key_dim")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, value_dim: 0}", "input: [7, 4]", ("E002", "value_dim")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, dropout: 1.5}", "input: [7, 4]", ("E002", "dropout")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, sliding_window: 0}", "input: [7, 4]", ("E002", "sliding_window")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, output_shape: -1}", "input: [7, 4]", ("E002", "output_shape")),
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, flash_attention: true, dropout: 0.1}", "input: [7, 4]",
         ("E002", "flash_attention")),
        # "index 4 is out of bounds for axis 0 with size 4"
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 4}", "input: [7, 4]", ("E002", "attention_axes")),
        # rank 2: the softmax has no axis (tuple index out of range)
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3}", "input: [4]", ("E008", "type")),
        # "All dimensions of `value` and `key`, except the last one, must be equal"
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v, k]}",
         "inputs: {q: [7, 4], v: [5, 6], k: [6, 8]}", ("E015", "type")),
        # ranks differ: the einsum fails
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v]}", "inputs: {q: [3, 7, 4], v: [5, 6]}",
         ("E015", "type")),
        # axis 1 is not attended over (attention_axes=2) and differs: the einsum fails
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 2, inputs: [q, v]}",
         "inputs: {q: [3, 7, 4], v: [2, 5, 6]}", ("E015", "type")),
        # "Shapes used to initialize variables must be fully-defined"
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3}", "input: [7, null]", ("E010", "type")),
        # one input too many
        ("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v, k, k]}", THREE, ("E002", "type")),
    ]
    for layer, inputs, (code, key) in bad:
        result = lint(spec(layer, inputs))
        assert codes(result) == [(code, *at(layer, key))], layer


def test_keras_mha_neighbours_of_the_refusals_pass(lint):
    # Keras 3.15.1 accepts: every axis attended over by default, so (3, 7) and (2, 5) need not agree
    result = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: [q, v]}",
                       "inputs: {q: [3, 7, 4], v: [2, 5, 6]}"))
    assert codes(result) == [] and last(result) == ((None, 3, 7, 4), 142, 0)
    layer = "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 3}"
    result = lint(spec(layer, "input: [7, 4]"))
    assert codes(result) == [("W008", *at(layer, "attention_axes"))]  # axis 3 is accepted by Keras, but it is the feature axis


def test_keras_mha_warnings(lint):
    # Keras 3.15.1: attention_axes=0 on (7, 4) builds and runs (attending over the batch); flash attention
    # on the torch backend's CPU: "Flash attention is not supported with the provided inputs"
    layer = "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, attention_axes: 0}"
    result = lint(spec(layer))
    assert codes(result) == [("W008", *at(layer, "attention_axes"))]
    assert last(result) == ((None, 7, 4), 118, 0)
    layer = "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, flash_attention: true}"
    assert codes(lint(spec(layer))) == [("W008", *at(layer, "flash_attention"))]
    # output_shape [0]: Keras builds an empty output, (2, 7, 0), with 114 weights
    layer = "{type: MultiHeadAttention, num_heads: 2, key_dim: 3, output_shape: [0], inputs: [q, v]}"
    result = lint(spec(layer, TWO))
    assert codes(result) == [("W021", *at(layer, "output_shape"))]
    assert last(result) == ((None, 7, 0), 114, 0)


# --- Keras Attention / AdditiveAttention --------------------------------------------------------------

@pytest.mark.parametrize("layer,inputs,want", [
    # Keras 3.15.1: output (batch, Tq, value features); weights: scale (1), concat_score_weight (1), or
    # AdditiveAttention's scale (query features)
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", ((None, 7, 4), 0)),
    ("{type: Attention, use_scale: true, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", ((None, 7, 4), 1)),
    ("{type: Attention, score_mode: concat, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", ((None, 7, 4), 1)),
    ("{type: Attention, score_mode: concat, use_scale: true, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}",
     ((None, 7, 4), 2)),
    ("{type: Attention, inputs: [q, v, k]}", "inputs: {q: [7, 4], v: [5, 6], k: [5, 4]}", ((None, 7, 6), 0)),
    ("{type: Attention, score_mode: concat, inputs: [q, v]}", "inputs: {q: [7, 1], v: [5, 4]}", ((None, 7, 4), 1)),
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [3, 7, 4], v: [3, 5, 4]}", ((None, 3, 7, 4), 0)),
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [null, 4], v: [null, 4]}", ((None, None, 4), 0)),
    ("{type: Attention}", "input: [7, 4]", ((None, 7, 4), 0)),  # self-attention: Attention()([x, x])
    ("{type: AdditiveAttention, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", ((None, 7, 4), 4)),
    ("{type: AdditiveAttention, use_scale: false, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", ((None, 7, 4), 0)),
    ("{type: AdditiveAttention, inputs: [q, v]}", "inputs: {q: [7, 1], v: [5, 4]}", ((None, 7, 4), 1)),
    ("{type: AdditiveAttention, inputs: {query: q, value: v, key: k}}", "inputs: {q: [7, 4], v: [5, 6], k: [5, 1]}",
     ((None, 7, 6), 4)),
])
def test_keras_attention_counts(lint, layer, inputs, want):
    result = lint(spec(layer, inputs))
    assert codes(result) == []
    assert last(result) == (want[0], want[1], 0)


@pytest.mark.parametrize("layer,inputs,want", [
    # Keras 3.15.1 forward-pass failures (matmul / broadcast), and the build's variable error
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 6]}", "E015"),  # dot of 4 and 6 features
    ("{type: Attention, inputs: [q, v, k]}", "inputs: {q: [7, 4], v: [5, 4], k: [6, 4]}", "E015"),  # 6 vs 5 positions
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [3, 7, 4], v: [2, 5, 4]}", "E015"),
    ("{type: Attention, inputs: [q, v]}", "inputs: {q: [7, 4], v: [3, 5, 4]}", "E015"),
    ("{type: AdditiveAttention, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 6]}", "E015"),
    ("{type: AdditiveAttention, inputs: [q, v]}", "inputs: {q: [7, null], v: [5, null]}", "E010"),
    ("{type: Attention, dropout: 1.5, inputs: [q, v]}", "inputs: {q: [7, 4], v: [5, 4]}", "E002"),
    ("{type: Attention, inputs: [q, v, k, k]}", "inputs: {q: [7, 4], v: [5, 4], k: [5, 4]}", "E002"),
])
def test_keras_attention_refusals(lint, layer, inputs, want):
    assert [c[0] for c in codes(lint(spec(layer, inputs)))] == [want]


def test_attention_dropout_out_of_range(lint):
    # Keras 3.15.1: Attention and AdditiveAttention build with dropout 1.5 and fail when called with
    # training=True (dropout probability has to be between 0 and 1); -0.5 runs and drops nothing.
    # torch 2.13.0: MultiheadAttention(dropout=1.5) fails in training mode, -0.5 runs; a Transformer
    # layer's nn.Dropout refuses both when it is built
    qv = "inputs: {q: [7, 4], v: [5, 4]}"
    for layer in ("{type: AdditiveAttention, dropout: 1.5, inputs: [q, v]}", "{type: Attention, dropout: 1.5, inputs: [q, v]}"):
        assert codes(lint(spec(layer, qv))) == [("E002", *at(layer, "dropout"))]
    layer = "{type: AdditiveAttention, dropout: -0.5, inputs: [q, v]}"
    assert codes(lint(spec(layer, qv))) == [("W008", *at(layer, "dropout"))]
    layer = "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, dropout: -0.5}"
    result = lint(torch(layer))
    assert codes(result) == [("W008", *at(layer, "dropout"))] and last(result)[1] == 288
    layer = ENC + ", dropout: -0.5}"
    assert codes(lint(torch(layer))) == [("E002", *at(layer, "dropout"))]


def test_keras_attention_rank_two_reads_the_batch_as_positions(lint):
    # Keras 3.15.1 accepts (None, 4) inputs: the scores are (batch, batch), the samples attend to each other
    result = lint(spec("{type: Attention, inputs: [q, v]}", "inputs: {q: [4], v: [4]}"))
    assert codes(result) == [("W007", 5, 12)]
    assert last(result) == ((None, 4), 0, 0)


# --- PyTorch MultiheadAttention -----------------------------------------------------------------------

@pytest.mark.parametrize("layer,inputs,want", [
    # torch 2.13.0, batch of 2: (attn_output, attn_weights averaged over heads); in_proj 3E^2 + 3E,
    # out_proj E^2 + E; separate q/k/v projections when kdim or vdim differ; bias_k, bias_v 2E
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}", "input: [7, 8]",
     ([(None, 7, 8), (None, 7, 7)], 288)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [5, 8], v: [5, 8]}", ([(None, 7, 8), (None, 7, 5)], 288)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, kdim: 6, vdim: 4, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [5, 6], v: [5, 4]}", ([(None, 7, 8), (None, 7, 5)], 240)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, kdim: 6, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [5, 6], v: [5, 8]}", ([(None, 7, 8), (None, 7, 5)], 272)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, bias: false}", "input: [7, 8]",
     ([(None, 7, 8), (None, 7, 7)], 256)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, add_bias_kv: true}", "input: [7, 8]",
     ([(None, 7, 8), (None, 7, 8)], 304)),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, add_zero_attn: true, add_bias_kv: true, "
     "bias: false}", "input: [7, 8]", ([(None, 7, 8), (None, 7, 9)], 272)),
])
def test_torch_mha_counts(lint, layer, inputs, want):
    result = lint(torch(layer, inputs))
    assert codes(result) == []
    assert last(result) == (want[0], want[1], 0)


def test_torch_mha_inputs_in_torchs_order_and_by_role(lint):
    # torch's order is (query, key, value): kdim=6 reads the second input
    inputs = "inputs: {q: [7, 8], k: [5, 6], v: [5, 4]}"
    head = "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, kdim: 6, vdim: 4, "
    by_list = lint(torch(head + "inputs: [q, k, v]}", inputs))
    by_role = lint(torch(head + "inputs: {value: v, query: q, key: k}}", inputs))
    assert codes(by_list) == codes(by_role) == []
    assert last(by_list) == last(by_role) == ([(None, 7, 8), (None, 7, 5)], 240, 0)
    # in Keras's order the key would be the 4-feature tensor: torch fails (E007 at kdim)
    assert codes(lint(torch(head + "inputs: [q, v, k]}", inputs))) == [("E007", *at(head, "kdim"))]


def test_torch_mha_batch_first_false_reads_the_batch_as_the_sequence(lint):
    # torch 2.13.0 on (2, 7, 8) with batch_first=False: output (2, 7, 8), weights (7, 2, 2): torch's batch
    # is axis 1 and its sequence axis 0
    result = lint(torch("{type: MultiheadAttention, embed_dim: 8, num_heads: 2}"))
    assert codes(result) == [("W007", 5, 12)]
    assert "set batch_first: true" in result.findings[0].hint
    assert last(result) == ([(None, 7, 8), (7, None, None)], 288, 0)
    layer = "{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: false}"
    assert codes(lint(torch(layer))) == [("W007", *at(layer, "batch_first"))]
    # unbatched: torch reads (7, 8) as one sequence; archlint's (None, 8) is read the same way
    result = lint(torch("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}", "input: [8]"))
    assert codes(result) == [("W007", 5, 12)]
    assert last(result) == ([(None, 8), (None, None)], 288, 0)


@pytest.mark.parametrize("layer,inputs,want", [
    # torch 2.13.0: constructor errors, forward assertions
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 3, batch_first: true}", "input: [7, 8]", ("E002", "num_heads")),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 0, batch_first: true}", "input: [7, 8]", ("E002", "num_heads")),
    ("{type: MultiheadAttention, embed_dim: 0, num_heads: 1, batch_first: true}", "input: [7, 8]", ("E002", "embed_dim")),
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, dropout: 1.5}", "input: [7, 8]",
     ("E002", "dropout")),
    # "was expecting embedding dimension of 8, but got 6"
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}", "input: [7, 6]", ("E007", "embed_dim")),
    # "key shape torch.Size([5, 2, 6]) does not match value shape torch.Size([5, 2, 8])": kdim is embed_dim
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [5, 6], v: [5, 8]}", ("E007", "type")),
    # key 5 positions, value 6
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [5, 8], v: [6, 8]}", ("E015", "type")),
    # "For batched (3-D) `query`, expected `key` and `value` to be 3-D"
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k, v]}",
     "inputs: {q: [7, 8], k: [8], v: [8]}", ("E015", "type")),
    # "query should be unbatched 2D or batched 3D tensor but received 4-D query tensor"
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true}", "input: [3, 7, 8]", ("E008", "type")),
    # forward() missing 1 required positional argument: 'value'
    ("{type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k]}",
     "inputs: {q: [7, 8], k: [5, 8]}", ("E002", "type")),
])
def test_torch_mha_refusals(lint, layer, inputs, want):
    assert codes(lint(torch(layer, inputs))) == [(want[0], *at(layer, want[1]))]


# --- PyTorch Transformer layers -----------------------------------------------------------------------

ENC = "{type: TransformerEncoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, batch_first: true"
DEC = "{type: TransformerDecoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, batch_first: true"
TGT_MEM = "inputs: {t: [7, 8], m: [5, 8]}"


@pytest.mark.parametrize("layer,inputs,want", [
    # torch 2.13.0: attention 4E^2 + 4E, linear1 E*F + F, linear2 F*E + E, LayerNorms 2E each (E without bias)
    (ENC + "}", "input: [7, 8]", 600),
    (ENC + ", bias: false}", "input: [7, 8]", 528),
    (ENC + ", norm_first: true, activation: gelu}", "input: [7, 8]", 600),
    ("{type: TransformerEncoderLayer, d_model: 8, nhead: 2, batch_first: true}", "input: [7, 8]", 35_144),
    (DEC + ", inputs: [t, m]}", TGT_MEM, 904),
    (DEC + ", bias: false, inputs: {memory: m, tgt: t}}", TGT_MEM, 792),
    ("{type: TransformerDecoderLayer, d_model: 8, nhead: 2, batch_first: true, inputs: [t, m]}", TGT_MEM, 35_448),
])
def test_transformer_layer_counts(lint, layer, inputs, want):
    result = lint(torch(layer, inputs))
    assert codes(result) == []
    assert last(result) == ((None, 7, 8), want, 0)


def test_transformer_layer_without_feed_forward_units(lint):
    # torch 2.13.0 builds dim_feedforward=0 (328 parameters, output (2, 7, 8)): linear1 computes an empty
    # tensor and only linear2's bias is added, W021 as Linear's out_features=0 (issue 15)
    result = lint(torch(ENC.replace("dim_feedforward: 16", "dim_feedforward: 0") + "}", "input: [7, 8]"))
    assert codes(result) == [("W021", 5, 76)]
    assert last(result) == ((None, 7, 8), 328, 0)


@pytest.mark.parametrize("layer,inputs,want", [
    # torch 2.13.0
    (ENC + ", activation: tanh}", "input: [7, 8]", ("E002", "activation")),  # activation should be relu/gelu, not tanh
    (ENC.replace("nhead: 2", "nhead: 3") + "}", "input: [7, 8]", ("E002", "nhead")),  # must be divisible
    (ENC.replace("dim_feedforward: 16", "dim_feedforward: -1") + "}", "input: [7, 8]", ("E002", "dim_feedforward")),
    (ENC + ", dropout: 1.5}", "input: [7, 8]", ("E002", "dropout")),
    (ENC + "}", "input: [7, 6]", ("E007", "d_model")),  # passed-in embed_dim 8 didn't match last dim of query 6
    (ENC + "}", "input: [3, 7, 8]", ("E008", "type")),
    (DEC + ", inputs: [t, m]}", "inputs: {t: [7, 8], m: [5, 6]}", ("E007", "d_model")),  # mat1 and mat2 shapes
    (DEC + ", inputs: [t]}", "inputs: {t: [7, 8]}", ("E002", "type")),  # missing 'memory'
    (DEC + ", inputs: [t, m]}", "inputs: {t: [7, 8], m: [8]}", ("E015", "type")),
])
def test_transformer_layer_refusals(lint, layer, inputs, want):
    assert codes(lint(torch(layer, inputs))) == [(want[0], *at(layer, want[1]))]


def test_transformer_layers_with_batch_first_false(lint):
    # torch 2.13.0: an encoder layer runs on (2, 7, 8) either way (W007); a decoder layer with
    # batch_first=False on tgt (2, 7, 8) and memory (2, 5, 8) reads batches of 7 and 5 and fails
    # ("shape '[2, 14, 4]' is invalid for input of size 80"); with 7 and 7 it runs
    result = lint(torch("{type: TransformerEncoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16}"))
    assert codes(result) == [("W007", 5, 12)] and last(result) == ((None, 7, 8), 600, 0)
    failed = lint(torch("{type: TransformerDecoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, inputs: [t, m]}",
                        TGT_MEM))
    assert codes(failed) == [("E015", 5, 12), ("W007", 5, 12)]
    same = lint(torch("{type: TransformerDecoderLayer, d_model: 8, nhead: 2, dim_feedforward: 16, inputs: [t, m]}",
                      "inputs: {t: [7, 8], m: [7, 8]}"))
    assert codes(same) == [("W007", 5, 12)]
    unbatched = lint(torch(ENC + "}", "input: [8]"))
    assert codes(unbatched) == [("W007", 5, 12)] and last(unbatched) == ((None, 8), 600, 0)


@pytest.mark.parametrize("stack,want", [
    # torch 2.13.0: TransformerEncoder deep-copies its layer num_layers times (the layer passed in is not
    # itself a submodule), then applies norm
    ("num_layers: 1", ((None, 7, 8), 600)),
    ("num_layers: 3", ((None, 7, 8), 1800)),
    ("num_layers: 2, norm: {type: LayerNorm, normalized_shape: 8}", ((None, 7, 8), 1216)),
    ("num_layers: 2, norm: {type: Linear, in_features: 8, out_features: 3}", ((None, 7, 3), 1227)),
    ("num_layers: 2, norm: null, enable_nested_tensor: false", ((None, 7, 8), 1200)),
])
def test_transformer_encoder_stack(lint, stack, want):
    result = lint(torch(f"{{type: TransformerEncoder, encoder_layer: {ENC}}}, {stack}}}"))
    assert codes(result) == []
    assert last(result) == (want[0], want[1], 0)


def test_transformer_encoder_refusals_point_inside(lint):
    # torch 2.13.0: num_layers 0 -> IndexError; a Linear as encoder_layer -> no attribute 'self_attn';
    # LayerNorm(6) on 8 features -> "expected input with shape [*, 6]"
    layer = f"{{type: TransformerEncoder, encoder_layer: {ENC}}}, num_layers: 0}}"
    assert codes(lint(torch(layer))) == [("E002", *at(layer, "num_layers"))]
    layer = "{type: TransformerEncoder, encoder_layer: {type: Linear, in_features: 8, out_features: 8}, num_layers: 2}"
    assert codes(lint(torch(layer))) == [("E002", *at(layer, "encoder_layer"))]
    layer = f"{{type: TransformerEncoder, encoder_layer: {ENC}}}, num_layers: 2, norm: {{type: LayerNorm, normalized_shape: 6}}}}"
    assert codes(lint(torch(layer))) == [("E007", *at(layer, "normalized_shape"))]
    # the nested layer's own findings, inside it
    layer = "{type: TransformerEncoder, encoder_layer: {type: TransformerEncoderLayer, d_model: 8, nhead: 3}, num_layers: 2}"
    assert codes(lint(torch(layer))) == [("E002", *at(layer, "nhead"))]
    layer = "{type: TransformerEncoder, encoder_layer: {type: TransformerEncoderLayer, d_model: 8, nhead: 2}, num_layers: 2}"
    assert codes(lint(torch(layer))) == [("W007", 5, 5 + layer.index("TransformerEncoderLayer"))]


def test_transformer_decoder_stack(lint):
    # torch 2.13.0: TransformerDecoder(TransformerDecoderLayer(8, 2, 16, batch_first=True), 2, norm=LayerNorm(8))
    # on tgt (2, 7, 8), memory (2, 5, 8): (2, 7, 8), 2 * 904 + 16 = 1824
    result = lint(torch(f"{{type: TransformerDecoder, decoder_layer: {DEC}}}, num_layers: 2, "
                        "norm: {type: LayerNorm, normalized_shape: 8}, inputs: [t, m]}", TGT_MEM))
    assert codes(result) == []
    assert last(result) == ((None, 7, 8), 1824, 0)
    result = lint(torch(f"{{type: TransformerDecoder, decoder_layer: {DEC}, trainable: false}}, num_layers: 2, "
                        "inputs: {tgt: t, memory: m}}", TGT_MEM))
    assert last(result) == ((None, 7, 8), 0, 1808)


# --- inputs by role: the spec model, blocks and the walk -----------------------------------------------

def test_roles_inside_a_block(lint):
    # a block's layer names its inputs by role; the block's own input and local names resolve as in a list
    result = lint("""
        archlint: 1
        framework: pytorch
        inputs: {tgt: [7, 8], mem: [5, 8]}
        blocks:
          cross:
            inputs: [x, memory]
            layers:
              - {name: attend, type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true,
                 inputs: {query: x, key: memory, value: memory}}
        layers:
          - {block: cross, name: c1, inputs: [tgt, mem]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("c1.attend", [(None, 7, 8), (None, 7, 5)], 288, 0)]


def test_roles_are_refused_where_they_mean_nothing(lint):
    result = lint("""
        archlint: 1
        inputs: {a: [4], b: [4]}
        layers:
          - {type: Add, inputs: {x: a, y: b}}
    """)
    assert codes(result) == [("E002", 5, 25)]
    assert "takes its inputs as a list" in result.findings[0].message
    result = lint("""
        archlint: 1
        inputs: {a: [4], b: [4]}
        blocks:
          pair:
            inputs: [x, y]
            layers:
              - {type: Add, inputs: [x, y]}
        layers:
          - {block: pair, inputs: {x: a, y: b}}
    """)
    assert codes(result) == [("E016", 10, 27)]


def test_unknown_and_missing_roles(lint):
    two = "inputs: {q: [7, 4], v: [5, 6]}"
    result = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: {query: q, values: v}}", two))
    assert codes(result) == [("E002", 5, 12)]
    assert "no input named 'values'" in result.findings[0].message
    # key alone without a value: Keras needs the value
    result = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: {query: q, key: v}}", two))
    assert codes(result) == [("E002", 5, 12)]
    # a query alone is self-attention, as one input in a list is
    result = lint(spec("{type: MultiHeadAttention, num_heads: 2, key_dim: 3, inputs: {query: q}}", two))
    assert last(result) == ((None, 7, 4), 118, 0)


def test_keras_config_with_attention_called_by_keyword():
    # tests/data/attention/mha_keyword_call_keras.json is Keras 3.15.1's model.to_json() of
    # MultiHeadAttention(2, 3, value_dim=5)(value=v, key=k, query=q) and the same layer called (q, v, k):
    # Keras counts 198 for both; the config lists the keyword call's tensors as value, key, query
    from helpers import DATA

    from archlint.lint import lint_file

    result = lint_file(str(DATA / "attention" / "mha_keyword_call_keras.json"))
    assert codes(result) == []
    assert [(r[0], r[1:]) for r in layer_rows(result)] == [
        ("mha_kw", ((None, 7, 4), 198, 0)), ("mha_pos", ((None, 7, 4), 198, 0))]


def test_keras_attention_over_a_rank_2_key_and_value(lint):
    # Keras 3.15.1 (torch backend), a batch of 2: Attention()([q (2, 3, 5, 4), v (2, 4)]) -> (2, 3, 5, 4), the
    # scores (2, 3, 5, 2): every query attends to the batch's samples; the shape Keras records, so W007
    result = lint(spec("{type: Attention, inputs: {query: q, value: v}}", "inputs: {q: [3, 5, 4], v: [4]}"))
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [("W007", 5, 12)]
    assert "reads the rank-2 value (None, 4) as (positions, features)" in result.findings[0].message
    assert last(result) == ((None, 3, 5, 4), 0, 0)


def test_keras_attention_ranks_it_cannot_combine(lint):
    # Keras 3.15.1: a rank-2 query with a rank-3 value records (None, 6) and computes (2, 2, 6); a rank-3 query
    # with a rank-4 value fails ("The size of tensor a (2) must match the size of tensor b (3) at non-singleton
    # dimension 1")
    result = lint(spec("{type: AdditiveAttention, inputs: {query: q, value: v}}", "inputs: {q: [6], v: [7, 6]}"))
    assert [f.rule.code for f in result.findings] == ["E015"]
    assert result.findings[0].message.endswith("query rank 2, value rank 3")
    assert result.findings[0].hint.startswith(
        "Keras records the output as (None, 6) but computes (batch, batch, 6): the query's batch becomes the "
        "positions that attend; ")
    result = lint(spec("{type: Attention, inputs: {query: q, value: v}}", "inputs: {q: [5, 4], v: [3, 7, 4]}"))
    assert [f.rule.code for f in result.findings] == ["E015"]
    assert "a batch axis meets an axis of positions, and the forward pass fails" in result.findings[0].hint


def test_keras_attention_query_axis_of_1_against_a_larger_value_axis(lint):
    # Keras 3.15.1: Attention()([q (2, 1, 5, 4), v (2, 3, 7, 4)]) records (None, 1, 5, 4) and computes (2, 3, 5, 4);
    # the other way round, q (2, 3, 5, 4) with v (2, 1, 7, 4), records and computes (2, 3, 5, 4)
    result = lint(spec("{type: Attention, inputs: {query: q, value: v}}", "inputs: {q: [1, 5, 4], v: [3, 7, 4]}"))
    assert [f.rule.code for f in result.findings] == ["E015"]
    assert result.findings[0].message.endswith("axis 1 is 1 in the query and 3 in the key")
    assert result.findings[0].hint.startswith("Keras records the query's 1 but computes 3")
    result = lint(spec("{type: Attention, inputs: {query: q, value: v}}", "inputs: {q: [3, 5, 4], v: [1, 7, 4]}"))
    assert codes(result) == [] and last(result) == ((None, 3, 5, 4), 0, 0)
