"""GPT-NeoX (`model_type` "gpt_neox": Pythia, GPT-NeoX-20B), counted as transformers 5.25.0 builds it.

Rotary positions have no parameters (`rope_parameters`, legacy `rotary_pct`/`rotary_emb_base`, only
change which head dimensions rotate); `use_parallel_residual` changes the data flow, not the modules.
The fused `attention.query_key_value` is one Part in "attention.other" (see gpt2.py). The extra
`ALIASES` and `validate(cfg)` are described in gpt2.py.
"""

from __future__ import annotations

from ..parts import Part
from .gpt2 import decoder_task_head, divisible, layer_norm, linear, lm_head, odd_rotary, rebase

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

ARCHITECTURES = {
    "GPTNeoXModel": "base",
    "GPTNeoXForCausalLM": "causal_lm",
    "GPTNeoXForSequenceClassification": "sequence_classification",
    "GPTNeoXForTokenClassification": "token_classification",
    "GPTNeoXForQuestionAnswering": "question_answering",
}

DEFAULT_ARCHITECTURE = {"gpt_neox": "GPTNeoXForCausalLM"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


def base_parts(cfg: dict) -> list[Part]:
    d, ffn, bias = cfg["hidden_size"], cfg["intermediate_size"], cfg["attention_bias"]
    out = [Part("embed_in", "Embedding", cfg["vocab_size"] * d, "embeddings")]
    for i in range(cfg["num_hidden_layers"]):
        layer = f"layers.{i}"
        out += [Part(f"{layer}.input_layernorm", "LayerNorm", layer_norm(d), "norm"),
                Part(f"{layer}.post_attention_layernorm", "LayerNorm", layer_norm(d), "norm"),
                Part(f"{layer}.attention.query_key_value", "Linear", linear(d, 3 * d, bias), "attention.other"),
                Part(f"{layer}.attention.dense", "Linear", linear(d, d, bias), "attention.o"),
                Part(f"{layer}.mlp.dense_h_to_4h", "Linear", linear(d, ffn), "mlp"),
                Part(f"{layer}.mlp.dense_4h_to_h", "Linear", linear(ffn, d), "mlp")]
    out.append(Part("final_layer_norm", "LayerNorm", layer_norm(d), "norm"))
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    base = base_parts(cfg)
    if kind == "base":
        return base
    d, out = cfg["hidden_size"], rebase(base, "gpt_neox")
    if kind == "causal_lm":
        return out + [lm_head("lm_head", d, cfg["vocab_size"], cfg["tie_word_embeddings"], "gpt_neox.embed_in")]
    return out + decoder_task_head(kind, d, cfg)


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
