"""GPT-NeoX (`model_type` "gpt_neox": Pythia, GPT-NeoX-20B), counted as transformers 5.25.0 builds it.

Rotary positions have no parameters (`rope_parameters`, legacy `rotary_pct`/`rotary_emb_base`, only
change which head dimensions rotate); `use_parallel_residual` changes the data flow, not the modules.
The fused `attention.query_key_value` is one Part in "attention.other" (see classic.py). The extra
`ALIASES` and `validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import DECODER_TASKS, architectures, decoder_parts, divisible, norm, odd_rotary, stack

MODEL_TYPES = ("gpt_neox",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "gpt_neox": {
        "vocab_size": 50432, "hidden_size": 6144, "num_hidden_layers": 44, "num_attention_heads": 64,
        "intermediate_size": 24576, "hidden_act": "gelu", "attention_dropout": 0.0, "hidden_dropout": 0.0,
        "classifier_dropout": 0.1, "max_position_embeddings": 2048, "initializer_range": 0.02,
        "layer_norm_eps": 1e-05, "use_cache": True, "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": None,
        "tie_word_embeddings": False, "use_parallel_residual": True, "rope_parameters": None,
        "attention_bias": True, "is_decoder": False,
    },
}

ALIASES: dict[str, dict[str, str]] = {"gpt_neox": {}}

ACTIVATION_KEYS = {"gpt_neox": ("hidden_act",)}

ARCHITECTURES = architectures("GPTNeoX", DECODER_TASKS)

DEFAULT_ARCHITECTURE = {"gpt_neox": "GPTNeoXForCausalLM"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


# (name, role) of each module of a GPTNeoXLayer, in registration order (classic.block)
LAYER = (("input_layernorm", "norm"), ("post_attention_layernorm", "norm"), ("attention.query_key_value", "qkv"),
         ("attention.dense", "o"), ("mlp.dense_h_to_4h", "up"), ("mlp.dense_4h_to_h", "down"))


def base_parts(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    # attention_bias covers the attention projections; the MLP's always have biases
    return ([Part("embed_in", "Embedding", cfg["vocab_size"] * d, "embeddings")]
            + stack("layers", cfg["num_hidden_layers"], d, cfg["intermediate_size"], LAYER,
                    bias=cfg["attention_bias"], mlp_bias=True)
            + [norm("final_layer_norm", d)])


parts = decoder_parts(ARCHITECTURES, base_parts, "gpt_neox", "embed_in")


def rotary_fraction(cfg: dict) -> float:
    """`rope_parameters.partial_rotary_factor`, else the legacy `rotary_pct`, else GPTNeoXConfig's 0.25."""
    rope = cfg["rope_parameters"]
    if isinstance(rope, dict) and isinstance(rope.get("partial_rotary_factor"), (int, float)):
        return rope["partial_rotary_factor"]
    legacy = cfg.get("rotary_pct")
    return legacy if isinstance(legacy, (int, float)) else 0.25


def validate(cfg: dict) -> list[tuple[str, str]]:
    found = divisible(cfg, "hidden_size", "num_attention_heads")
    d, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    if found or not (isinstance(d, int) and isinstance(heads, int) and heads > 0):
        return found
    head_dim, fraction = d // heads, rotary_fraction(cfg)
    key = "rope_parameters" if isinstance(cfg["rope_parameters"], dict) else "hidden_size"
    return odd_rotary(head_dim, int(head_dim * fraction), key, f"partial_rotary_factor {fraction}")
