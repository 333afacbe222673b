"""DistilBERT (`model_type` "distilbert"), counted as transformers 5.25.0 builds it.

Learned positions (with `sinusoidal_pos_embds` the same Embedding, filled with fixed values: still
parameters), no token types, no pooler. The masked-LM `vocab_projector` shares the word embeddings'
weight when `tie_word_embeddings` (the default) and keeps its own bias, so its Part counts the
bias only. The extra `ALIASES` and `validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import (
    architectures,
    block,
    divisible,
    encoder_task_head,
    head,
    layer_norm,
    lm_head,
    norm,
    padding_in_vocab,
    rebase,
)

MODEL_TYPES = ("distilbert",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "distilbert": {
        "vocab_size": 30522, "max_position_embeddings": 512, "sinusoidal_pos_embds": False, "n_layers": 6,
        "n_heads": 12, "dim": 768, "hidden_dim": 3072, "dropout": 0.1, "attention_dropout": 0.1,
        "activation": "gelu", "initializer_range": 0.02, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
        "pad_token_id": 0, "eos_token_id": None, "bos_token_id": None, "tie_word_embeddings": True,
    },
}

ALIASES = {"distilbert": {"hidden_size": "dim", "num_attention_heads": "n_heads", "num_hidden_layers": "n_layers"}}

ACTIVATION_KEYS = {"distilbert": ("activation",)}

ARCHITECTURES = architectures("DistilBert", ("base", "masked_lm", "sequence_classification", "multiple_choice",
                                             "token_classification", "question_answering"))

DEFAULT_ARCHITECTURE = {"distilbert": "DistilBertModel"}


LAYER = (("attention.q_lin", "q"), ("attention.k_lin", "k"), ("attention.v_lin", "v"), ("attention.out_lin", "o"),
         ("sa_layer_norm", "norm"), ("ffn.lin1", "up"), ("ffn.lin2", "down"), ("output_layer_norm", "norm"))


def base_parts(cfg: dict) -> list[Part]:
    d, ffn = cfg["dim"], cfg["hidden_dim"]
    out = [Part("embeddings.word_embeddings", "Embedding", cfg["vocab_size"] * d, "embeddings"),
           Part("embeddings.position_embeddings", "Embedding", cfg["max_position_embeddings"] * d, "embeddings"),
           norm("embeddings.LayerNorm", d)]
    for i in range(cfg["n_layers"]):
        out += block(f"transformer.layer.{i}", d, ffn, LAYER)
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    base = base_parts(cfg)
    if kind == "base":
        return base
    d, out = cfg["dim"], rebase(base, "distilbert")
    if kind == "masked_lm":
        return out + [head("vocab_transform", d, d),
                      Part("vocab_layer_norm", "LayerNorm", layer_norm(d), "head", base=False),
                      lm_head("vocab_projector", d, cfg["vocab_size"], cfg["tie_word_embeddings"],
                              "distilbert.embeddings.word_embeddings", bias=True)]
    if kind in ("sequence_classification", "multiple_choice"):  # through a pre_classifier
        out.append(head("pre_classifier", d, d))
    return out + encoder_task_head(kind, d, cfg)


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "dim", "n_heads") + padding_in_vocab(cfg)
