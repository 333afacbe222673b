"""BERT and RoBERTa (`model_type` "bert", "roberta"), counted as transformers 5.25.0 builds them.

Learned absolute positions and token types ("embeddings"); separate query/key/value Linears. The
pooler (`pooler.dense`, category "other": it belongs to the base model, not to a task head) exists
in the base model and only in the task classes that read it: BERT's pre-training, next-sentence,
sequence-classification and multiple-choice classes, RoBERTa's multiple-choice class. So the base
parts of, say, BertForMaskedLM are the encoder without pooler, and AutoModel (BertModel) is larger
by the pooler. The masked-LM decoder shares the word embeddings' weight and its bias is the
prediction head's own `bias` parameter when `tie_word_embeddings` (the default); untied, the decoder
is a full Linear with its own bias and the `bias` parameter remains. `add_cross_attention` (with
`is_decoder`) adds a cross-attention block to every layer. The extra `ALIASES` and `validate(cfg)`
are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import (
    architectures,
    divisible,
    encoder_task_head,
    head,
    layer_norm,
    linear,
    norm,
    num_labels,
    padding_in_vocab,
    rebase,
)

MODEL_TYPES = ("bert", "roberta")

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "bert": {
        "vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
        "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0, "use_cache": True,
        "classifier_dropout": None, "is_decoder": False, "add_cross_attention": False, "bos_token_id": None,
        "eos_token_id": None, "tie_word_embeddings": True,
    },
    "roberta": {
        "vocab_size": 50265, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
        "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 1, "bos_token_id": 0,
        "eos_token_id": 2, "use_cache": True, "classifier_dropout": None, "is_decoder": False,
        "add_cross_attention": False, "tie_word_embeddings": True,
    },
}

ALIASES: dict[str, dict[str, str]] = {"bert": {}, "roberta": {}}

ACTIVATION_KEYS = {"bert": ("hidden_act",), "roberta": ("hidden_act",)}

ARCHITECTURES = (architectures("Bert", ("base", "masked_lm", "pretraining", "next_sentence_prediction",
                                       "sequence_classification", "multiple_choice", "token_classification",
                                       "question_answering"), BertLMHeadModel="causal_lm")
                 | architectures("Roberta", ("base", "masked_lm", "causal_lm", "sequence_classification",
                                          "multiple_choice", "token_classification", "question_answering")))

DEFAULT_ARCHITECTURE = {"bert": "BertModel", "roberta": "RobertaModel"}

# The task classes whose base model keeps its pooler, per model_type.
_POOLED = {"bert": {"base", "pretraining", "next_sentence_prediction", "sequence_classification", "multiple_choice"},
           "roberta": {"base", "multiple_choice"}}


def _embeddings(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    word = Part("embeddings.word_embeddings", "Embedding", cfg["vocab_size"] * d, "embeddings")
    position = Part("embeddings.position_embeddings", "Embedding", cfg["max_position_embeddings"] * d, "embeddings")
    token_type = Part("embeddings.token_type_embeddings", "Embedding", cfg["type_vocab_size"] * d, "embeddings")
    embeddings_norm = norm("embeddings.LayerNorm", d)
    if cfg["model_type"] == "roberta":
        return [word, token_type, embeddings_norm, position]
    return [word, position, token_type, embeddings_norm]


def _attention(prefix: str, d: int) -> list[Part]:
    return [Part(f"{prefix}.self.query", "Linear", linear(d, d), "attention.q"),
            Part(f"{prefix}.self.key", "Linear", linear(d, d), "attention.k"),
            Part(f"{prefix}.self.value", "Linear", linear(d, d), "attention.v"),
            Part(f"{prefix}.output.dense", "Linear", linear(d, d), "attention.o"),
            norm(f"{prefix}.output.LayerNorm", d)]


def base_parts(cfg: dict, pooler: bool = True) -> list[Part]:
    d, ffn = cfg["hidden_size"], cfg["intermediate_size"]
    out = _embeddings(cfg)
    for i in range(cfg["num_hidden_layers"]):
        layer = f"encoder.layer.{i}"
        out += _attention(f"{layer}.attention", d)
        if cfg["add_cross_attention"]:
            out += _attention(f"{layer}.crossattention", d)
        out += [Part(f"{layer}.intermediate.dense", "Linear", linear(d, ffn), "mlp"),
                Part(f"{layer}.output.dense", "Linear", linear(ffn, d), "mlp"),
                norm(f"{layer}.output.LayerNorm", d)]
    if pooler:
        out.append(Part("pooler.dense", "Linear", linear(d, d), "other"))
    return out


def _mlm_head(cfg: dict, prefix: str, embedding: str) -> list[Part]:
    """BertLMPredictionHead (under `cls.predictions`) or RobertaLMHead (`lm_head`)."""
    d, vocab, tied = cfg["hidden_size"], cfg["vocab_size"], cfg["tie_word_embeddings"]
    decoder = (Part(f"{prefix}.decoder", "Linear", 0, "head", tied_to=embedding, base=False) if tied
               else head(f"{prefix}.decoder", d, vocab))
    bias = Part(f"{prefix}.bias", "Parameter", vocab, "head", base=False)
    if cfg["model_type"] == "roberta":
        return [bias, head(f"{prefix}.dense", d, d),
                Part(f"{prefix}.layer_norm", "LayerNorm", layer_norm(d), "head", base=False), decoder]
    return [bias, head(f"{prefix}.transform.dense", d, d),
            Part(f"{prefix}.transform.LayerNorm", "LayerNorm", layer_norm(d), "head", base=False), decoder]


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    model_type = cfg["model_type"]
    base = base_parts(cfg, pooler=kind in _POOLED[model_type])
    if kind == "base":
        return base
    d, out = cfg["hidden_size"], rebase(base, model_type)
    embedding = f"{model_type}.embeddings.word_embeddings"
    if kind in ("masked_lm", "causal_lm", "pretraining"):
        out += _mlm_head(cfg, "lm_head" if model_type == "roberta" else "cls.predictions", embedding)
        if kind == "pretraining":
            out.append(head("cls.seq_relationship", d, 2))
        return out
    if kind == "next_sentence_prediction":
        return out + [head("cls.seq_relationship", d, 2)]
    if kind == "sequence_classification" and model_type == "roberta":
        return out + [head("classifier.dense", d, d), head("classifier.out_proj", d, num_labels(cfg))]
    return out + encoder_task_head(kind, d, cfg)


def validate(cfg: dict) -> list[tuple[str, str]]:
    found = divisible(cfg, "hidden_size", "num_attention_heads") + padding_in_vocab(cfg)
    pad, positions = cfg["pad_token_id"], cfg["max_position_embeddings"]
    if cfg["model_type"] == "roberta" and not found and isinstance(pad, int) and isinstance(positions, int):
        # RoBERTa's position embeddings use the padding id as their padding_idx too, and number the
        # tokens from pad_token_id + 1
        found += padding_in_vocab(cfg, vocab_key="max_position_embeddings")
        if not found and pad < -1:
            found.append(("pad_token_id", f"pad_token_id={pad}: RoBERTa numbers positions from pad_token_id + 1 = "
                                          f"{pad + 1}, a negative position (the first forward pass fails)"))
        elif not found and positions <= pad + 1:
            found.append(("max_position_embeddings", f"max_position_embeddings={positions} leaves no position for "
                                                     f"a token: RoBERTa numbers positions from pad_token_id + 1 = "
                                                     f"{pad + 1} (the first forward pass fails)"))
    if isinstance(cfg["type_vocab_size"], int) and cfg["type_vocab_size"] < 1:
        found.append(("type_vocab_size", "type_vocab_size must be at least 1: the forward pass looks up token "
                                         "type 0 by default"))
    if cfg["add_cross_attention"] and not cfg["is_decoder"]:
        found.append(("add_cross_attention", "add_cross_attention needs is_decoder: true (an encoder "
                                             "refuses cross attention when built)"))
    return found
