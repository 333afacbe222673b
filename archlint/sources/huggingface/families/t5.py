"""T5 (`model_type` "t5": T5, T5 v1.1, Flan-T5), counted as transformers 5.25.0 builds it.

One `shared` token embedding (V x d_model) serves the encoder, the decoder and the LM head: in
5.25.0 T5Config always sets `tie_word_embeddings` to True (a false value in the file only turns off
the decoder output scaling of T5 v1.1), so `encoder.embed_tokens`, `decoder.embed_tokens` and
`lm_head` are tied Parts with no parameters of their own. Attention projections have no bias and are
`num_heads * d_kv` wide, which need not equal `d_model` (allowed by transformers: T5's own
`validate` has no head check). Relative position bias (`relative_attention_bias`, an Embedding of
`relative_attention_num_buckets x num_heads`, category "attention.other") exists in block 0 of the
encoder and of the decoder only. `feed_forward_proj` "gated-<act>" gives the gated MLP
(`wi_0`, `wi_1`, `wo`), else `wi`, `wo`; norms are T5LayerNorm (a weight only). `num_decoder_layers`
defaults to `num_layers`. The extra `ALIASES` and `validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import architectures, head, linear, num_labels

MODEL_TYPES = ("t5",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "t5": {
        "is_encoder_decoder": True, "vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048,
        "num_layers": 6, "num_decoder_layers": None, "num_heads": 8, "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128, "dropout_rate": 0.1, "layer_norm_epsilon": 1e-06,
        "initializer_factor": 1.0, "feed_forward_proj": "relu", "use_cache": True, "pad_token_id": 0,
        "eos_token_id": 1, "classifier_dropout": 0.0, "is_decoder": False,
        # not a keyword of T5Config.__init__, but read by it (see above); its default
        "tie_word_embeddings": True,
    },
}

ALIASES = {"t5": {"hidden_size": "d_model", "num_attention_heads": "num_heads", "num_hidden_layers": "num_layers",
                  "head_dim": "d_kv"}}

ACTIVATION_KEYS = {"t5": ("feed_forward_proj",)}  # the activation is the part after "gated-"

ARCHITECTURES = architectures("T5", ("base", "seq2seq_lm", "sequence_classification", "token_classification",
                                     "question_answering"), T5EncoderModel="encoder")

DEFAULT_ARCHITECTURE = {"t5": "T5ForConditionalGeneration"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


def _attention(prefix: str, cfg: dict, relative_bias: bool) -> list[Part]:
    d, inner = cfg["d_model"], cfg["num_heads"] * cfg["d_kv"]
    out = [Part(f"{prefix}.q", "Linear", linear(d, inner, False), "attention.q"),
           Part(f"{prefix}.k", "Linear", linear(d, inner, False), "attention.k"),
           Part(f"{prefix}.v", "Linear", linear(d, inner, False), "attention.v"),
           Part(f"{prefix}.o", "Linear", linear(inner, d, False), "attention.o")]
    if relative_bias:
        out.append(Part(f"{prefix}.relative_attention_bias", "Embedding",
                        cfg["relative_attention_num_buckets"] * cfg["num_heads"], "attention.other"))
    return out


def _feed_forward(prefix: str, cfg: dict) -> list[Part]:
    d, ffn = cfg["d_model"], cfg["d_ff"]
    names = ("wi_0", "wi_1") if cfg["feed_forward_proj"].split("-")[0] == "gated" else ("wi",)
    return ([Part(f"{prefix}.DenseReluDense.{name}", "Linear", linear(d, ffn, False), "mlp") for name in names]
            + [Part(f"{prefix}.DenseReluDense.wo", "Linear", linear(ffn, d, False), "mlp"),
               Part(f"{prefix}.layer_norm", "T5LayerNorm", d, "norm")])


def _stack(name: str, cfg: dict, layers: int, decoder: bool, shared: str) -> list[Part]:
    d = cfg["d_model"]
    out = [Part(f"{name}.embed_tokens", "Embedding", 0, "embeddings", tied_to=shared)]
    for i in range(layers):
        block = f"{name}.block.{i}.layer"
        out += _attention(f"{block}.0.SelfAttention", cfg, relative_bias=i == 0)
        out.append(Part(f"{block}.0.layer_norm", "T5LayerNorm", d, "norm"))
        if decoder:
            out += _attention(f"{block}.1.EncDecAttention", cfg, relative_bias=False)
            out.append(Part(f"{block}.1.layer_norm", "T5LayerNorm", d, "norm"))
        out += _feed_forward(f"{block}.{2 if decoder else 1}", cfg)
    out.append(Part(f"{name}.final_layer_norm", "T5LayerNorm", d, "norm"))
    return out


def _model(cfg: dict, prefix: str = "", decoder: bool = True) -> list[Part]:
    shared = f"{prefix}shared"
    decoder_layers = cfg["num_decoder_layers"] if cfg["num_decoder_layers"] is not None else cfg["num_layers"]
    out = [Part(shared, "Embedding", cfg["vocab_size"] * cfg["d_model"], "embeddings")]
    out += _stack(f"{prefix}encoder", cfg, cfg["num_layers"], False, shared)
    if decoder:
        out += _stack(f"{prefix}decoder", cfg, decoder_layers, True, shared)
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    d = cfg["d_model"]
    if kind == "base":
        return _model(cfg)
    if kind == "encoder":
        return _model(cfg, decoder=False)
    if kind == "seq2seq_lm":
        return _model(cfg) + [Part("lm_head", "Linear", 0, "head", tied_to="shared", base=False)]
    if kind == "question_answering":
        return _model(cfg) + [head("qa_outputs", d, num_labels(cfg))]
    if kind == "sequence_classification":
        return _model(cfg, "transformer.") + [head("classification_head.dense", d, d),
                                              head("classification_head.out_proj", d, num_labels(cfg))]
    if kind == "token_classification":
        return _model(cfg, "transformer.", decoder=False) + [head("classifier", d, num_labels(cfg))]
    raise ValueError(f"unknown architecture kind {kind!r}")


def validate(cfg: dict) -> list[tuple[str, str]]:
    proj = cfg["feed_forward_proj"]
    if isinstance(proj, str):
        act = proj.split("-")
        if len(act) > 1 and act[0] != "gated" or len(act) > 2:
            return [("feed_forward_proj", f'feed_forward_proj "{proj}" is neither "<activation>" nor '
                                          '"gated-<activation>" (T5Config refuses it)')]
    return []
