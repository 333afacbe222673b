"""BLOOM (`model_type` "bloom"), counted as transformers 5.25.0 builds it.

ALiBi positions have no parameters; the token embeddings are followed by their own
`word_embeddings_layernorm`; the MLP is always 4 x hidden_size wide. The fused
`self_attention.query_key_value` is one Part in "attention.other" (see classic.py). The extra `ALIASES`
(including the legacy `n_embed`, which BloomConfig still reads) and `validate(cfg)` are described in
classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import DECODER_TASKS, architectures, decoder_parts, divisible, norm, stack

MODEL_TYPES = ("bloom",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "bloom": {
        "vocab_size": 250880, "hidden_size": 64, "n_layer": 2, "n_head": 8, "layer_norm_epsilon": 1e-05,
        "initializer_range": 0.02, "use_cache": True, "bos_token_id": 1, "eos_token_id": 2,
        "pad_token_id": None, "apply_residual_connection_post_layernorm": False, "hidden_dropout": 0.0,
        "attention_dropout": 0.0, "pretraining_tp": 1, "slow_but_exact": False, "tie_word_embeddings": True,
    },
}

ALIASES = {"bloom": {"num_hidden_layers": "n_layer", "num_attention_heads": "n_head", "n_embed": "hidden_size"}}

ACTIVATION_KEYS = {"bloom": ()}  # BloomGelu, not configurable

ARCHITECTURES = architectures("Bloom", DECODER_TASKS)

DEFAULT_ARCHITECTURE = {"bloom": "BloomForCausalLM"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


# (name, role) of each module of a BloomBlock, in registration order (classic.block)
LAYER = (("input_layernorm", "norm"), ("self_attention.query_key_value", "qkv"), ("self_attention.dense", "o"),
         ("post_attention_layernorm", "norm"), ("mlp.dense_h_to_4h", "up"), ("mlp.dense_4h_to_h", "down"))


def base_parts(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    return ([Part("word_embeddings", "Embedding", cfg["vocab_size"] * d, "embeddings"),
             norm("word_embeddings_layernorm", d)]
            + stack("h", cfg["n_layer"], d, 4 * d, LAYER) + [norm("ln_f", d)])


parts = decoder_parts(ARCHITECTURES, base_parts, "transformer", "word_embeddings")


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "hidden_size", "n_head")
