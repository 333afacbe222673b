"""Embeddings: Keras Embedding and PyTorch Embedding, a lookup table of (vocabulary, dimension).

The input holds integer indices, of any rank; the output appends the embedding axis. Whether the
index values stay below the vocabulary size cannot be known from shapes, so what is checked is the
table itself: its sizes, and PyTorch's padding_idx range. Conditions were checked against Keras 3.15.1
(torch backend) and torch 2.13.0; tests/test_embedding.py holds the verified cases.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.lora import lora_split
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, register

KERAS_EMBEDDING_DEFAULTS = {
    "input_dim": REQUIRED,
    "output_dim": REQUIRED,
    "embeddings_initializer": "uniform",
    "embeddings_regularizer": None,
    "embeddings_constraint": None,
    "mask_zero": False,
    "weights": None,  # initial values: they do not change the table's shape
    "lora_rank": None,
    "lora_alpha": None,
    "quantization_config": None,
    "input_length": None,  # Keras 2's keyword: Keras 3 drops it with a deprecation warning
    "activity_regularizer": None,
    "dtype": None,
}

TORCH_EMBEDDING_DEFAULTS = {
    "num_embeddings": REQUIRED,
    "embedding_dim": REQUIRED,
    "padding_idx": None,
    "max_norm": None,
    "norm_type": 2.0,
    "scale_grad_by_freq": False,
    "sparse": False,
    # `_weight` (an initial tensor) cannot be written in a spec; `_freeze` makes the table non-trainable.
    "_freeze": False,
    "device": None,
    "dtype": None,
}


def keras_embedding(call: Call) -> Output:
    for key in ("input_dim", "output_dim"):
        value = call.cfg[key]
        if value < 1:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Embedding `{key}` must be positive: Keras refuses it", key,
                            hint=f"Keras: `{key}` must be a positive integer. Received: {key}={value}; input_dim is "
                                 "the vocabulary size (largest index + 1), output_dim the vector size")
    # lora_rank: the table is frozen and two low-rank factors train (Keras's Embedding.enable_lora)
    trainable, frozen = lora_split(call, call.cfg["input_dim"], call.cfg["output_dim"], "embeddings_constraint")
    return Output(call.x.shape + (call.cfg["output_dim"],), trainable=trainable, non_trainable=frozen)


def torch_embedding(call: Call) -> Output:
    count, dim = call.cfg["num_embeddings"], call.cfg["embedding_dim"]
    if count < 0 or dim < 0:
        key, value = ("num_embeddings", count) if count < 0 else ("embedding_dim", dim)
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Embedding `{key}={value}`: torch cannot create the weight", key,
                        hint=f"torch: Trying to create tensor with negative dimension {value}: [{count}, {dim}]; "
                        "num_embeddings is the vocabulary size (largest index + 1), embedding_dim the vector size")
    if count == 0:
        raise call.fail(rules.INVALID_ARGUMENT,
                        "Embedding `num_embeddings=0` has no rows: every lookup fails", "num_embeddings",
                        hint="torch: index_select(): self indexing axis dim should be positive; give the vocabulary "
                             "size (largest index + 1)")
    padding = call.cfg["padding_idx"]
    if padding is not None and not -count <= padding < count:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Embedding `padding_idx={padding}` is outside [-{count}, {count - 1}] for "
                        f"num_embeddings={count}: torch refuses it", "padding_idx",
                        hint="torch: Padding_idx must be within num_embeddings; padding_idx is a row of the table, "
                             "usually 0")
    if dim == 0:
        call.report(rules.EMPTY_OUTPUT, "Embedding embedding_dim=0: torch builds it and computes an empty tensor",
                    "embedding_dim", hint="give the vector size, e.g. embedding_dim: 64")
    table = count * dim
    frozen = bool(call.cfg["_freeze"])  # the weight is created with requires_grad = not _freeze
    return Output(call.x.shape + (dim,), trainable=0 if frozen else table, non_trainable=table if frozen else 0)


register(KERAS, "Embedding", "embedding", KERAS_EMBEDDING_DEFAULTS, keras_embedding,
         unmodelled=("quantization_config",))
register(PYTORCH, "Embedding", "embedding", TORCH_EMBEDDING_DEFAULTS, torch_embedding)
