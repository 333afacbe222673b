"""Graph specs rebuilt in the real frameworks (graph_builders.py): every layer's output shape and
counts, and the totals, equal archlint's, for merges, functional steps, several inputs and outputs,
layers written before the layers they read, shared layers (`apply:`) and tied weights (`tie:`),
which the framework itself must count once.

    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck/test_crosscheck_graphs.py
"""

from __future__ import annotations

import pytest
from graph_builders import compare_graph, is_graph
from test_crosscheck_examples import require

pytestmark = pytest.mark.crosscheck

CASES = {
    # a Siamese tower: one Dense called on two inputs, then every Keras merge of the two results
    "keras_siamese_merges": """
        archlint: 1
        inputs: {a: [8], b: [8]}
        outputs: [sub, mul, avg, max, min, dot, cat, add]
        layers:
          - {name: tower, type: Dense, units: 4, inputs: [a]}
          - {name: tower_b, apply: tower, inputs: [b]}
          - {name: sub, type: Subtract, inputs: [tower, tower_b]}
          - {name: mul, type: Multiply, inputs: [tower, tower_b]}
          - {name: avg, type: Average, inputs: [tower, tower_b]}
          - {name: max, type: Maximum, inputs: [tower, tower_b]}
          - {name: min, type: Minimum, inputs: [tower, tower_b]}
          - {name: dot, type: Dot, axes: 1, inputs: [tower, tower_b]}
          - {name: cat, type: Concatenate, axis: 1, inputs: [tower, tower_b, a]}
          - {name: add, type: Add, inputs: [tower, tower_b, tower]}
    """,
    # a branch written before the layers it reads; a frozen layer; broadcasting Add
    "keras_out_of_order_frozen": """
        archlint: 1
        input: [6, 6, 3]
        outputs: [head]
        layers:
          - {name: head, type: Dense, units: 2, inputs: [joined]}
          - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, inputs: [input]}
          - {name: bn, type: BatchNormalization, trainable: false}
          - {name: pooled, type: GlobalAveragePooling2D}
          - {name: side, type: Dense, units: 4, inputs: [pooled]}
          - {name: joined, type: Add, inputs: [pooled, side]}
    """,
    # Keras tie: a Dense output projection that uses the Embedding's matrix, transposed
    "keras_tied_embedding": """
        archlint: 1
        input: [7]
        tie: {logits: embed}
        layers:
          - {name: embed, type: Embedding, input_dim: 100, output_dim: 16}
          - {name: logits, type: Dense, units: 100}
    """,
    # a Siamese torch module: one Linear applied twice, its outputs concatenated and stacked
    "torch_siamese": """
        archlint: 1
        framework: pytorch
        inputs: {a: [8], b: [8]}
        outputs: [cat, stack, sum]
        layers:
          - {name: tower, type: Linear, in_features: 8, out_features: 4, inputs: [a]}
          - {name: tower_b, apply: tower, inputs: [b]}
          - {name: cat, type: torch.cat, dim: 1, inputs: [tower, tower_b]}
          - {name: stack, type: torch.stack, dim: 1, inputs: [tower, tower_b]}
          - {name: sum, type: torch.add, alpha: 2, inputs: [tower, tower_b]}
    """,
    # every functional step between modules, with the spec's keywords
    "torch_functional_steps": """
        archlint: 1
        framework: pytorch
        input: [4, 6, 5]
        outputs: [mean, prod]
        layers:
          - {name: conv, type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1}
          - {name: perm, type: torch.permute, dims: [0, 2, 3, 1]}
          - {name: flat, type: torch.flatten, start_dim: 1, end_dim: 2}
          - {name: back, type: torch.reshape, shape: [-1, 5, 6, 8]}
          - {name: mean, type: torch.mean, dim: [1, 2], keepdim: true}
          - {name: gate, type: Linear, out_features: 8, inputs: [mean]}
          - {name: prod, type: torch.mul, inputs: [back, gate]}
    """,
    # torch weight tying, the same Parameter: an output Linear(16, 100) and its Embedding(100, 16)
    "torch_tied_embedding": """
        archlint: 1
        framework: pytorch
        input: [7]
        tie: {logits: embed}
        layers:
          - {name: embed, type: Embedding, num_embeddings: 100, embedding_dim: 16}
          - {name: logits, type: Linear, out_features: 100}
    """,
    # a decoder that reuses its encoder's matrix transposed (36 + 8 parameters)
    "torch_tied_transposed": """
        archlint: 1
        framework: pytorch
        input: [8]
        tie: {dec: enc}
        layers:
          - {name: enc, type: Linear, out_features: 4}
          - {name: dec, type: Linear, out_features: 8}
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_matches_framework(name, lint):
    result = lint(CASES[name])
    require(result.model.spec.framework)
    assert [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error] == []
    assert result.model.complete and is_graph(result.model)
    compare_graph(result.model)
