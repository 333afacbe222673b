"""Falcon (`model_type` "falcon"), counted as transformers 5.25.0 builds it.

The fused `self_attention.query_key_value` (one FalconLinear, one Part in "attention.other", see
classic.py) is as wide as the attention variant makes it: with `new_decoder_architecture` (Falcon-40B,
180B) `(2 * num_kv_heads + num_attention_heads) * head_dim`; else with `multi_query` (Falcon-7B)
`hidden_size + 2 * head_dim`; else `3 * hidden_size`. `bias` covers every projection.
`parallel_attn: false` gives each layer `post_attention_layernorm` and `input_layernorm`; a parallel
layer has `ln_attn` and `ln_mlp` when `num_ln_in_parallel_attn` is 2 (its default under
`new_decoder_architecture`), else one `input_layernorm`. Rotary or ALiBi (`alibi`) positions have no
parameters. `ffn_hidden_size` defaults to 4 x hidden_size. The extra `ALIASES` (including the legacy
`n_embed`) and `validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import DECODER_TASKS, architectures, decoder_parts, divisible, norm, odd_rotary, stack

MODEL_TYPES = ("falcon",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "falcon": {
        "vocab_size": 65024, "hidden_size": 4544, "num_hidden_layers": 32, "num_attention_heads": 71,
        "num_ln_in_parallel_attn": None, "layer_norm_epsilon": 1e-05, "initializer_range": 0.02,
        "use_cache": True, "hidden_dropout": 0.0, "attention_dropout": 0.0, "num_kv_heads": None,
        "alibi": False, "new_decoder_architecture": False, "multi_query": True, "parallel_attn": True,
        "bias": False, "max_position_embeddings": 2048, "rope_parameters": None, "bos_token_id": 11,
        "eos_token_id": 11, "pad_token_id": None, "ffn_hidden_size": None, "activation": "gelu",
        "tie_word_embeddings": True,
    },
}

ALIASES = {"falcon": {"n_embed": "hidden_size"}}

ACTIVATION_KEYS = {"falcon": ("activation",)}

ARCHITECTURES = architectures("Falcon", DECODER_TASKS)

DEFAULT_ARCHITECTURE = {"falcon": "FalconForCausalLM"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


def _kv_heads(cfg: dict) -> int:
    return cfg["num_kv_heads"] if cfg["num_kv_heads"] is not None else cfg["num_attention_heads"]


def _qkv_width(cfg: dict) -> int:
    d, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    head_dim = d // heads
    if cfg["new_decoder_architecture"]:
        return (2 * _kv_heads(cfg) + heads) * head_dim
    if cfg["multi_query"]:
        return d + 2 * head_dim
    return 3 * d


def _parallel_norms(cfg: dict) -> object:
    """num_ln_in_parallel_attn, 2 by default under new_decoder_architecture."""
    n_ln = cfg["num_ln_in_parallel_attn"]
    return 2 if n_ln is None and cfg["new_decoder_architecture"] else n_ln


def _norm_names(cfg: dict) -> list[str]:
    if not cfg["parallel_attn"]:
        return ["post_attention_layernorm", "input_layernorm"]
    return ["ln_attn", "ln_mlp"] if _parallel_norms(cfg) == 2 else ["input_layernorm"]


def base_parts(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    ffn = cfg["ffn_hidden_size"] if cfg["ffn_hidden_size"] is not None else 4 * d
    # a FalconDecoderLayer registers its projections, then its norms (classic.block)
    layer = (("self_attention.query_key_value", "qkv"), ("self_attention.dense", "o"), ("mlp.dense_h_to_4h", "up"),
             ("mlp.dense_4h_to_h", "down"), *((name, "norm") for name in _norm_names(cfg)))
    return ([Part("word_embeddings", "Embedding", cfg["vocab_size"] * d, "embeddings")]
            + stack("h", cfg["num_hidden_layers"], d, ffn, layer, qkv=_qkv_width(cfg), bias=cfg["bias"],
                    cls="FalconLinear")
            + [norm("ln_f", d)])


parts = decoder_parts(ARCHITECTURES, base_parts, "transformer", "word_embeddings")


def _norm_layout(cfg: dict) -> list[tuple[str, str]]:
    """The layer norms a FalconDecoderLayer builds (see _norm_names) and those its forward pass reads must be
    the same: under new_decoder_architecture only the parallel layout with 1 or 2 norms runs; otherwise
    a parallel layer with num_ln_in_parallel_attn 2 builds ln_attn/ln_mlp but reads input_layernorm."""
    n_ln, new, parallel = _parallel_norms(cfg), cfg["new_decoder_architecture"], cfg["parallel_attn"]
    if new and not parallel:
        return [("parallel_attn", "new_decoder_architecture needs parallel_attn: true (the sequential layer "
                                  "fails at the first forward pass)")]
    if new and n_ln not in (1, 2):
        return [("num_ln_in_parallel_attn", f"num_ln_in_parallel_attn={n_ln}: new_decoder_architecture runs "
                                            "with 1 or 2 (the first forward pass fails)")]
    if not new and parallel and n_ln == 2:
        return [("num_ln_in_parallel_attn", "num_ln_in_parallel_attn=2 needs new_decoder_architecture: true (the "
                                            "layer builds ln_attn/ln_mlp but its forward pass reads "
                                            "input_layernorm)")]
    return []


def _heads(cfg: dict) -> list[tuple[str, str]]:
    found = divisible(cfg, "hidden_size", "num_attention_heads")
    d, heads, rope = cfg["hidden_size"], cfg["num_attention_heads"], cfg["rope_parameters"]
    if found or not (isinstance(d, int) and isinstance(heads, int) and heads > 0):
        return found
    # FalconConfig validates its RoPE parameters even under ALiBi: a fully rotated head of odd size
    # above 4 is refused at config construction.
    head_dim = d // heads
    partial = rope.get("partial_rotary_factor", 1.0) if isinstance(rope, dict) else 1.0
    if head_dim > 4 and head_dim % 2 and isinstance(partial, (int, float)) and int(head_dim * partial) == head_dim:
        found.append(("hidden_size", f"the head size hidden_size / num_attention_heads = {head_dim} is odd: "
                                     "RoPE needs an even rotary dimension (FalconConfig refuses it, even with alibi)"))
    elif not cfg["alibi"]:
        # Falcon's rotary embedding turns the whole head, whatever partial_rotary_factor says
        found += odd_rotary(head_dim, head_dim, "hidden_size", "Falcon rotates the whole head unless alibi")
    kv = cfg["num_kv_heads"]
    if not isinstance(kv, int) or isinstance(kv, bool) or kv <= 0:
        return found
    if cfg["new_decoder_architecture"] and heads % kv:
        found.append(("num_kv_heads", f"num_attention_heads={heads} is not divisible by num_kv_heads={kv} "
                                      "(new_decoder_architecture groups the query heads by key/value head; the "
                                      "first forward pass fails)"))
    elif not cfg["new_decoder_architecture"] and not cfg["multi_query"] and heads // kv > 1:
        # multi-head attention projects a key and a value per head whatever num_kv_heads says, but the
        # attention still repeats them heads // num_kv_heads times
        found.append(("num_kv_heads", f"num_kv_heads={kv} with multi_query false and no new_decoder_architecture: "
                                      f"keys and values are projected for all {heads} heads, then repeated "
                                      f"{heads // kv} times (the first forward pass fails); leave num_kv_heads "
                                      "out, or set it to num_attention_heads"))
    return found


def validate(cfg: dict) -> list[tuple[str, str]]:
    return _heads(cfg) + _norm_layout(cfg)
