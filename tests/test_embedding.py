"""Embedding in both dialects: shapes, counts and findings.

Every value below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU): the layer
built and called on a batch of 2 integer tensors, or the constructor / forward error it raises.
"""

from helpers import codes, layer_rows


def test_keras_embedding_appends_the_vector_axis_at_any_rank(lint):
    # Keras 3.15.1: Embedding(10, 4) on (None, 2, 3) -> (None, 2, 3, 4), 40 params
    result = lint("""
        archlint: 1
        input: [2, 3]
        layers:
          - {type: Embedding, input_dim: 10, output_dim: 4, mask_zero: true}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("embedding", (None, 2, 3, 4), 40, 0)]


def test_keras_embedding_on_a_single_index(lint):
    # Keras 3.15.1: Embedding(1000, 8) on (None, 1), frozen: 8000 non-trainable
    result = lint("""
        archlint: 1
        input: [1]
        layers:
          - {type: Embedding, input_dim: 1000, output_dim: 8, trainable: false}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("embedding", (None, 1, 8), 0, 8000)]


def test_keras_embedding_non_positive_sizes_are_refused(lint):
    # Keras 3.15.1: ValueError `input_dim` must be a positive integer. Received: input_dim=0
    result = lint("""
        archlint: 1
        input: [7]
        layers:
          - {type: Embedding, input_dim: 0, output_dim: 4}
          - {type: Embedding, input_dim: 10, output_dim: 0}
    """)
    # at input_dim; the first layer's output is still (None, 7, 4) (issue 15: every mistake in one run),
    # so the second layer's own mistake is reported too, at output_dim
    assert codes(result) == [("E002", 5, 34), ("E002", 6, 50)]
    assert "Received: input_dim=0" in result.findings[0].hint


def test_keras_embedding_lora_freezes_the_table(lint):
    # Keras 3.15.1: Embedding(10, 4, lora_rank=2) has 28 trainable weights (lora_embeddings_a (10, 2) and
    # lora_embeddings_b (2, 4)) and the 40 of the table frozen; with an embeddings_constraint, enable_lora
    # raises (found by the property cross-check, which drew lora_rank on Embedding)
    result = lint("""
        archlint: 1
        input: [7]
        layers:
          - {type: Embedding, input_dim: 10, output_dim: 4, lora_rank: 2}
          - {type: Embedding, input_dim: 10, output_dim: 4, lora_rank: 0, inputs: [input]}
          - {type: Embedding, input_dim: 10, output_dim: 4, lora_rank: 2, embeddings_constraint: non_neg,
             inputs: [input]}
    """)
    assert codes(result) == [("E002", 7, 64)]
    assert layer_rows(result)[:2] == [("embedding", (None, 7, 4), 28, 40), ("embedding_1", (None, 7, 4), 40, 0)]
    assert "embeddings_constraint" in result.findings[0].message
    # the merged table A @ B is 10 x 2 x 4 products on every call
    assert [layer.output.macs for layer in result.model.layers[:2]] == [80, 0]


def test_torch_embedding_counts_and_shapes(lint):
    # torch 2.13.0: Embedding(10, 4) on a (2, 7) LongTensor -> (2, 7, 4), 40 params; _freeze=True: 40 frozen
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [7]
        layers:
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, padding_idx: -10, max_norm: 1.0}
          - {type: Linear, out_features: 3}
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, _freeze: true, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("0", (None, 7, 4), 40, 0), ("1", (None, 7, 3), 15, 0),
                                  ("2", (None, 7, 4), 0, 40)]


def test_torch_padding_idx_range(lint):
    # torch 2.13.0: padding_idx 9 and -10 are accepted for num_embeddings=10; 10 and -11 raise
    # AssertionError('Padding_idx must be within num_embeddings')
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [7]
        layers:
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, padding_idx: 9}
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, padding_idx: 10, inputs: [input]}
          - {type: Embedding, num_embeddings: 10, embedding_dim: 4, padding_idx: -11, inputs: [input]}
    """)
    assert codes(result) == [("E002", 7, 74), ("E002", 8, 74)]
    assert "outside [-10, 9]" in result.findings[0].message


def test_torch_embedding_sizes(lint):
    # torch 2.13.0: num_embeddings=-1 -> negative dimension; 0 -> every lookup fails (index_select);
    # embedding_dim=0 is accepted (empty vectors): W021, as Linear's out_features=0 (issue 15)
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [7]
        layers:
          - {type: Embedding, num_embeddings: -1, embedding_dim: 4}
          - {type: Embedding, num_embeddings: 0, embedding_dim: 4, inputs: [input]}
          - {type: Embedding, num_embeddings: 10, embedding_dim: 0, inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 39), ("E002", 7, 39), ("W021", 8, 58)]
    assert layer_rows(result)[2] == ("2", (None, 7, 0), 0, 0)
