"""BLOOM (`model_type` "bloom"), counted as transformers 5.25.0 builds it.

ALiBi positions have no parameters; the token embeddings are followed by their own
`word_embeddings_layernorm`; the MLP is always 4 x hidden_size wide. The fused
`self_attention.query_key_value` is one Part in "attention.other" (see gpt2.py). The extra `ALIASES`
(including the legacy `n_embed`, which BloomConfig still reads) and `validate(cfg)` are described in
gpt2.py.
"""

from __future__ import annotations

from ..parts import Part
from .gpt2 import decoder_task_head, divisible, layer_norm, linear, lm_head, rebase

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

ARCHITECTURES = {
    "BloomModel": "base",
    "BloomForCausalLM": "causal_lm",
    "BloomForSequenceClassification": "sequence_classification",
    "BloomForTokenClassification": "token_classification",
    "BloomForQuestionAnswering": "question_answering",
}

DEFAULT_ARCHITECTURE = {"bloom": "BloomForCausalLM"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


def base_parts(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    out = [Part("word_embeddings", "Embedding", cfg["vocab_size"] * d, "embeddings"),
           Part("word_embeddings_layernorm", "LayerNorm", layer_norm(d), "norm")]
    for i in range(cfg["n_layer"]):
        h = f"h.{i}"
        out += [Part(f"{h}.input_layernorm", "LayerNorm", layer_norm(d), "norm"),
                Part(f"{h}.self_attention.query_key_value", "Linear", linear(d, 3 * d), "attention.other"),
                Part(f"{h}.self_attention.dense", "Linear", linear(d, d), "attention.o"),
                Part(f"{h}.post_attention_layernorm", "LayerNorm", layer_norm(d), "norm"),
                Part(f"{h}.mlp.dense_h_to_4h", "Linear", linear(d, 4 * d), "mlp"),
                Part(f"{h}.mlp.dense_4h_to_h", "Linear", linear(4 * d, d), "mlp")]
    out.append(Part("ln_f", "LayerNorm", layer_norm(d), "norm"))
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    base = base_parts(cfg)
    if kind == "base":
        return base
    d, out = cfg["hidden_size"], rebase(base, "transformer")
    if kind == "causal_lm":
        return out + [lm_head("lm_head", d, cfg["vocab_size"], cfg["tie_word_embeddings"],
                              "transformer.word_embeddings")]
    return out + decoder_task_head(kind, d, cfg)


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "hidden_size", "n_head")
