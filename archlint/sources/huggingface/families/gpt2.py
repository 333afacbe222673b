"""GPT-2 (`model_type` "gpt2"), counted as transformers 5.25.0 builds it.

Its fused `attn.c_attn` (one Conv1D producing q, k and v) is one Part in "attention.other"
(classic.py). `add_cross_attention` adds a cross-attention block (`crossattention.c_attn` producing
k and v, `q_attn`) and its norm to every layer. GPT2DoubleHeadsModel adds a multiple-choice summary
to the language model. The extra `ALIASES` and `validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import (
    architectures,
    block,
    decoder_parts,
    divisible,
    head,
    norm,
    num_labels,  # noqa: F401 (the one copy, importable from the first classic module as before)
)

MODEL_TYPES = ("gpt2",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "gpt2": {
        "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": None,
        "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
        "layer_norm_epsilon": 1e-05, "initializer_range": 0.02, "summary_type": "cls_index",
        "summary_use_proj": True, "summary_activation": None, "summary_proj_to_labels": True,
        "summary_first_dropout": 0.1, "scale_attn_weights": True, "use_cache": True, "bos_token_id": 50256,
        "eos_token_id": 50256, "pad_token_id": None, "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False, "add_cross_attention": False, "tie_word_embeddings": True,
    },
}

ALIASES = {"gpt2": {"hidden_size": "n_embd", "max_position_embeddings": "n_positions",
                    "num_attention_heads": "n_head", "num_hidden_layers": "n_layer"}}

ACTIVATION_KEYS = {"gpt2": ("activation_function",)}

ARCHITECTURES = architectures("GPT2", ("base", "sequence_classification", "token_classification",
                                        "question_answering"),
                              GPT2LMHeadModel="causal_lm", GPT2DoubleHeadsModel="double_heads")

DEFAULT_ARCHITECTURE = {"gpt2": "GPT2LMHeadModel"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


# (name, role) of each module of a GPT2Block, in registration order (classic.block); every
# projection is a Conv1D with a bias
ATTENTION = (("ln_1", "norm"), ("attn.c_attn", "qkv"), ("attn.c_proj", "o"), ("ln_2", "norm"))
CROSS_ATTENTION = (("crossattention.c_attn", "qkv"), ("crossattention.q_attn", "q"), ("crossattention.c_proj", "o"),
                   ("ln_cross_attn", "norm"))
MLP = (("mlp.c_fc", "up"), ("mlp.c_proj", "down"))


def base_parts(cfg: dict) -> list[Part]:
    d, vocab = cfg["n_embd"], cfg["vocab_size"]
    inner = cfg["n_inner"] if cfg["n_inner"] is not None else 4 * d
    out = [Part("wte", "Embedding", vocab * d, "embeddings"),
           Part("wpe", "Embedding", cfg["n_positions"] * d, "embeddings")]
    for i in range(cfg["n_layer"]):
        h = f"h.{i}"
        out += block(h, d, inner, ATTENTION, cls="Conv1D")
        if cfg["add_cross_attention"]:  # its c_attn projects keys and values only
            out += block(h, d, inner, CROSS_ATTENTION, qkv=2 * d, cls="Conv1D")
        out += block(h, d, inner, MLP, cls="Conv1D")
    out.append(norm("ln_f", d))
    return out


_decoder_parts = decoder_parts(ARCHITECTURES, base_parts, "transformer", "wte", width=lambda cfg: cfg["n_embd"])


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    if kind != "double_heads":
        return _decoder_parts(cfg, kind)
    out, d = _decoder_parts(cfg, "causal_lm"), cfg["n_embd"]
    if cfg["summary_use_proj"]:
        # GPT2DoubleHeadsModel sets num_labels = 1 before building its multiple-choice summary.
        out.append(head("multiple_choice_head.summary", d, 1 if cfg["summary_proj_to_labels"] else d))
    return out


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "n_embd", "n_head")
