"""OPT (`model_type` "opt"), counted as transformers 5.25.0 builds it.

Learned positions (`OPTLearnedPositionalEmbedding`, `max_position_embeddings + 2` rows: OPT offsets
position ids by 2). When `word_embed_proj_dim` differs from `hidden_size` (OPT-350m), the token
embeddings and every head are `word_embed_proj_dim` wide, with `project_in`/`project_out` (no bias)
around the decoder. The final layer norm exists only when `do_layer_norm_before` and not
`_remove_final_layer_norm`; `layer_norm_elementwise_affine: false` leaves the norms without
parameters; `enable_bias` covers the attention and MLP projections. The extra `ALIASES` and
`validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import architectures, decoder_parts, divisible, linear, norm, padding_in_vocab, stack

MODEL_TYPES = ("opt",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "opt": {
        "vocab_size": 50272, "hidden_size": 768, "num_hidden_layers": 12, "ffn_dim": 3072,
        "max_position_embeddings": 2048, "do_layer_norm_before": True, "_remove_final_layer_norm": False,
        "word_embed_proj_dim": None, "dropout": 0.1, "attention_dropout": 0.0, "num_attention_heads": 12,
        "activation_function": "relu", "layerdrop": 0.0, "init_std": 0.02, "use_cache": True,
        "pad_token_id": 1, "bos_token_id": 2, "eos_token_id": 2, "enable_bias": True,
        "layer_norm_elementwise_affine": True, "tie_word_embeddings": True,
    },
}

ALIASES: dict[str, dict[str, str]] = {"opt": {}}

ACTIVATION_KEYS = {"opt": ("activation_function",)}

ARCHITECTURES = architectures("OPT", ("base", "causal_lm", "sequence_classification", "question_answering"))

DEFAULT_ARCHITECTURE = {"opt": "OPTForCausalLM"}


def _width(cfg: dict) -> int:
    return cfg["word_embed_proj_dim"] if cfg["word_embed_proj_dim"] is not None else cfg["hidden_size"]


# (name, role) of each module of an OPTDecoderLayer, in registration order (classic.block)
LAYER = (("self_attn.k_proj", "k"), ("self_attn.v_proj", "v"), ("self_attn.q_proj", "q"), ("self_attn.out_proj", "o"),
         ("self_attn_layer_norm", "norm"), ("fc1", "up"), ("fc2", "down"), ("final_layer_norm", "norm"))


def base_parts(cfg: dict) -> list[Part]:
    d, affine = cfg["hidden_size"], cfg["layer_norm_elementwise_affine"]
    width = _width(cfg)
    out = [Part("decoder.embed_tokens", "Embedding", cfg["vocab_size"] * width, "embeddings"),
           Part("decoder.embed_positions", "OPTLearnedPositionalEmbedding",
                (cfg["max_position_embeddings"] + 2) * d, "embeddings")]
    if width != d:
        out += [Part("decoder.project_out", "Linear", linear(d, width, False), "other"),
                Part("decoder.project_in", "Linear", linear(width, d, False), "other")]
    if cfg["do_layer_norm_before"] and not cfg["_remove_final_layer_norm"]:
        out.append(norm("decoder.final_layer_norm", d, affine))
    return out + stack("decoder.layers", cfg["num_hidden_layers"], d, cfg["ffn_dim"], LAYER, bias=cfg["enable_bias"],
                       affine=affine)


parts = decoder_parts(ARCHITECTURES, base_parts, "model", "decoder.embed_tokens", width=_width)


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "hidden_size", "num_attention_heads") + padding_in_vocab(cfg)
