"""Whisper (`model_type` "whisper"), counted as transformers 5.25.0 builds it.

The encoder reads `num_mel_bins` channels through two Conv1d (kernel 3; the second strides by 2),
category "embeddings" with the learned `max_source_positions` table; the decoder has token
embeddings and a learned `max_target_positions` table (WhisperPositionalEmbedding). In every
attention block `k_proj` has no bias while q/v/out do. `proj_out` (the LM head) shares the decoder's
token embeddings when `tie_word_embeddings` (the default). WhisperForAudioClassification is the
encoder with a `projector` to `classifier_proj_size` and a classifier, plus a `layer_weights`
parameter (encoder_layers + 1) when `use_weighted_layer_sum`. The extra `ALIASES` and
`validate(cfg)` are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import (
    architectures,
    divisible,
    head,
    linear,
    lm_head,
    norm,
    num_labels,
    padding_in_vocab,
    rebase,
)

MODEL_TYPES = ("whisper",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "whisper": {
        "is_encoder_decoder": True, "vocab_size": 51865, "num_mel_bins": 80, "encoder_layers": 4,
        "encoder_attention_heads": 6, "decoder_layers": 4, "decoder_attention_heads": 6,
        "decoder_ffn_dim": 1536, "encoder_ffn_dim": 1536, "encoder_layerdrop": 0.0, "decoder_layerdrop": 0.0,
        "decoder_start_token_id": 50257, "use_cache": True, "activation_function": "gelu", "d_model": 384,
        "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0, "init_std": 0.02,
        "scale_embedding": False, "max_source_positions": 1500, "max_target_positions": 448,
        "pad_token_id": 50256, "bos_token_id": 50256, "eos_token_id": 50256, "suppress_tokens": None,
        "begin_suppress_tokens": [220, 50256], "use_weighted_layer_sum": False, "classifier_proj_size": 256,
        "apply_spec_augment": False, "mask_time_prob": 0.05, "mask_time_length": 10, "mask_time_min_masks": 2,
        "mask_feature_prob": 0.0, "mask_feature_length": 10, "mask_feature_min_masks": 0,
        "median_filter_width": 7, "tie_word_embeddings": True,
    },
}

ALIASES = {"whisper": {"num_key_value_heads": "encoder_attention_heads",
                       "num_attention_heads": "encoder_attention_heads", "hidden_size": "d_model",
                       "num_hidden_layers": "encoder_layers"}}

ACTIVATION_KEYS = {"whisper": ("activation_function",)}

ARCHITECTURES = architectures("Whisper", ("base", "seq2seq_lm", "causal_lm", "audio_classification"))

DEFAULT_ARCHITECTURE = {"whisper": "WhisperForConditionalGeneration"}


def _attention(prefix: str, d: int) -> list[Part]:
    return [Part(f"{prefix}.k_proj", "Linear", linear(d, d, False), "attention.k"),
            Part(f"{prefix}.v_proj", "Linear", linear(d, d), "attention.v"),
            Part(f"{prefix}.q_proj", "Linear", linear(d, d), "attention.q"),
            Part(f"{prefix}.out_proj", "Linear", linear(d, d), "attention.o")]


def _mlp(prefix: str, d: int, ffn: int) -> list[Part]:
    return [Part(f"{prefix}.fc1", "Linear", linear(d, ffn), "mlp"),
            Part(f"{prefix}.fc2", "Linear", linear(ffn, d), "mlp"),
            norm(f"{prefix}.final_layer_norm", d)]


def encoder(cfg: dict) -> list[Part]:
    d, mel = cfg["d_model"], cfg["num_mel_bins"]
    out = [Part("encoder.conv1", "Conv1d", mel * d * 3 + d, "embeddings"),
           Part("encoder.conv2", "Conv1d", d * d * 3 + d, "embeddings"),
           Part("encoder.embed_positions", "Embedding", cfg["max_source_positions"] * d, "embeddings")]
    for i in range(cfg["encoder_layers"]):
        layer = f"encoder.layers.{i}"
        out += _attention(f"{layer}.self_attn", d)
        out.append(norm(f"{layer}.self_attn_layer_norm", d))
        out += _mlp(layer, d, cfg["encoder_ffn_dim"])
    out.append(norm("encoder.layer_norm", d))
    return out


def decoder(cfg: dict) -> list[Part]:
    d = cfg["d_model"]
    out = [Part("decoder.embed_tokens", "Embedding", cfg["vocab_size"] * d, "embeddings"),
           Part("decoder.embed_positions", "WhisperPositionalEmbedding", cfg["max_target_positions"] * d,
                "embeddings")]
    for i in range(cfg["decoder_layers"]):
        layer = f"decoder.layers.{i}"
        out += _attention(f"{layer}.self_attn", d)
        out.append(norm(f"{layer}.self_attn_layer_norm", d))
        out += _attention(f"{layer}.encoder_attn", d)
        out.append(norm(f"{layer}.encoder_attn_layer_norm", d))
        out += _mlp(layer, d, cfg["decoder_ffn_dim"])
    out.append(norm("decoder.layer_norm", d))
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    d, vocab, tied = cfg["d_model"], cfg["vocab_size"], cfg["tie_word_embeddings"]
    if kind == "base":
        return encoder(cfg) + decoder(cfg)
    if kind == "seq2seq_lm":
        return rebase(encoder(cfg) + decoder(cfg), "model") + [
            lm_head("proj_out", d, vocab, tied, "model.decoder.embed_tokens")]
    if kind == "causal_lm":
        return rebase(decoder(cfg), "model") + [lm_head("proj_out", d, vocab, tied, "model.decoder.embed_tokens")]
    if kind == "audio_classification":
        out = encoder(cfg)
        if cfg["use_weighted_layer_sum"]:
            out.append(Part("layer_weights", "Parameter", cfg["encoder_layers"] + 1, "head", base=False))
        proj = cfg["classifier_proj_size"]
        return out + [head("projector", d, proj), head("classifier", proj, num_labels(cfg))]
    raise ValueError(f"unknown architecture kind {kind!r}")


def validate(cfg: dict) -> list[tuple[str, str]]:
    found = (divisible(cfg, "d_model", "encoder_attention_heads") + divisible(cfg, "d_model", "decoder_attention_heads")
             + padding_in_vocab(cfg))
    d = cfg["d_model"]
    if isinstance(d, int) and not isinstance(d, bool) and 0 < d and (d % 2 or d == 2):
        # the encoder's positions are initialised with sinusoids of d_model / 2 frequencies spaced
        # log(10000) / (d_model / 2 - 1) apart
        found.append(("d_model", f"d_model={d}: the encoder's sinusoidal positions need an even d_model of at "
                                 "least 4 (building the model fails)"))
    return found
