"""The classic Hugging Face family modules (gpt2, gpt_neox, opt, bloom, falcon, bert/roberta,
distilbert, t5, vit, whisper, clip): exact parameter counts for published hyper-parameters.

Every expected number below was measured with transformers 5.25.0 (torch 2.13.0, meta device):
`sum(p.numel() for p in model.parameters())` (tied tensors counted once) for the class named, and
for AutoModel (the base model); tests/crosscheck/test_hf_classic.py recomputes them from the library.
"""

from __future__ import annotations

import pytest

from archlint.sources.huggingface.families import (
    bert,
    bloom,
    clip,
    distilbert,
    falcon,
    gpt2,
    gpt_neox,
    opt,
    t5,
    vit,
    whisper,
)
from archlint.sources.huggingface.parts import CATEGORIES

FAMILIES = {module.__name__.rpartition(".")[2]: module for module in (
    gpt2, gpt_neox, opt, bloom, falcon, bert, distilbert, t5, vit, whisper, clip)}

# name: (family, model_type, class in `architectures`, hyper-parameters, total, AutoModel total)
PUBLISHED = {
    "gpt2": ("gpt2", "gpt2", "GPT2LMHeadModel", {}, 124_439_808, 124_439_808),
    "gpt2-medium": ("gpt2", "gpt2", "GPT2LMHeadModel", {"n_embd": 1024, "n_layer": 24, "n_head": 16},
                    354_823_168, 354_823_168),
    "pythia-160m": ("gpt_neox", "gpt_neox", "GPTNeoXForCausalLM", {
        "vocab_size": 50304, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
        "intermediate_size": 3072, "max_position_embeddings": 2048, "tie_word_embeddings": False},
        162_322_944, 123_689_472),
    "opt-125m": ("opt", "opt", "OPTForCausalLM", {
        "vocab_size": 50272, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
        "ffn_dim": 3072, "max_position_embeddings": 2048, "word_embed_proj_dim": 768},
        125_239_296, 125_239_296),
    "opt-350m": ("opt", "opt", "OPTForCausalLM", {
        "vocab_size": 50272, "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
        "ffn_dim": 4096, "max_position_embeddings": 2048, "word_embed_proj_dim": 512,
        "do_layer_norm_before": False},
        331_196_416, 331_196_416),
    "bloom-560m": ("bloom", "bloom", "BloomForCausalLM", {
        "vocab_size": 250880, "hidden_size": 1024, "n_layer": 24, "n_head": 16},
        559_214_592, 559_214_592),
    "falcon-7b": ("falcon", "falcon", "FalconForCausalLM", {}, 6_921_720_704, 6_921_720_704),
    "falcon-40b": ("falcon", "falcon", "FalconForCausalLM", {
        "vocab_size": 65024, "hidden_size": 8192, "num_hidden_layers": 60, "num_attention_heads": 128,
        "num_kv_heads": 8, "new_decoder_architecture": True, "parallel_attn": True, "bias": False},
        41_303_293_952, 41_303_293_952),
    "bert-base-uncased": ("bert", "bert", "BertModel", {}, 109_482_240, 109_482_240),
    "bert-base-uncased-mlm": ("bert", "bert", "BertForMaskedLM", {}, 109_514_298, 109_482_240),
    "roberta-base": ("bert", "roberta", "RobertaForMaskedLM", {
        "vocab_size": 50265, "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-05},
        124_697_433, 124_645_632),
    "distilbert-base-uncased": ("distilbert", "distilbert", "DistilBertForMaskedLM", {}, 66_985_530, 66_362_880),
    "t5-small": ("t5", "t5", "T5ForConditionalGeneration", {}, 60_506_624, 60_506_624),
    "t5-base": ("t5", "t5", "T5ForConditionalGeneration", {"d_model": 768, "d_ff": 3072, "num_heads": 12,
                                                           "num_layers": 12}, 222_903_552, 222_903_552),
    # T5 v1.1 / Flan-T5 files say tie_word_embeddings: false, yet T5Config 5.25.0 always ties lm_head
    "flan-t5-small": ("t5", "t5", "T5ForConditionalGeneration", {
        "d_model": 512, "d_ff": 1024, "d_kv": 64, "num_heads": 6, "num_layers": 8, "num_decoder_layers": 8,
        "feed_forward_proj": "gated-gelu", "tie_word_embeddings": False}, 60_511_616, 60_511_616),
    "vit-base-patch16-224": ("vit", "vit", "ViTForImageClassification", {"num_labels": 1000},
                             86_567_656, 86_389_248),
    "vit-base-patch16-224-in21k": ("vit", "vit", "ViTModel", {}, 86_389_248, 86_389_248),
    "whisper-tiny": ("whisper", "whisper", "WhisperForConditionalGeneration", {}, 37_760_640, 37_760_640),
    "whisper-base": ("whisper", "whisper", "WhisperForConditionalGeneration", {
        "d_model": 512, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 8,
        "decoder_attention_heads": 8, "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048}, 72_593_920, 72_593_920),
    "whisper-large-v3": ("whisper", "whisper", "WhisperForConditionalGeneration", {
        "d_model": 1280, "encoder_layers": 32, "decoder_layers": 32, "encoder_attention_heads": 20,
        "decoder_attention_heads": 20, "encoder_ffn_dim": 5120, "decoder_ffn_dim": 5120, "num_mel_bins": 128,
        "vocab_size": 51866}, 1_543_490_560, 1_543_490_560),
    "clip-vit-base-patch32": ("clip", "clip", "CLIPModel", {}, 151_277_313, 151_277_313),
    "clip-vit-large-patch14": ("clip", "clip", "CLIPModel", {
        "projection_dim": 768,
        "text_config": {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                        "projection_dim": 768},
        "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_attention_heads": 16,
                          "num_hidden_layers": 24, "patch_size": 14, "projection_dim": 768}},
        427_616_513, 427_616_513),
    "stable-diffusion-text-encoder": ("clip", "clip_text_model", "CLIPTextModel", {
        "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "projection_dim": 768},
        123_060_480, 123_060_480),
}


def filled(family: str, model_type: str, **values) -> dict:
    cfg = dict(FAMILIES[family].CONFIG_DEFAULTS[model_type])
    cfg.update(values)
    cfg["model_type"] = model_type
    return cfg


def total(parts) -> int:
    return sum(p.total for p in parts)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_totals(name):
    family, model_type, architecture, values, expected, expected_base = PUBLISHED[name]
    module, cfg = FAMILIES[family], filled(family, model_type, **values)
    parts = module.parts(cfg, architecture)
    assert total(parts) == expected
    assert total(module.parts(cfg, "base")) == expected_base


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parts_are_well_formed(name):
    family, model_type, architecture, values, _, _ = PUBLISHED[name]
    parts = FAMILIES[family].parts(filled(family, model_type, **values), architecture)
    paths = [p.path for p in parts]
    assert len(paths) == len(set(paths))
    assert {p.category for p in parts} <= set(CATEGORIES)
    for p in parts:
        if p.tied_to:
            assert p.tied_to in paths and p.tied_to != p.path


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_contract(family):
    module = FAMILIES[family]
    assert set(module.CONFIG_DEFAULTS) == set(module.MODEL_TYPES) == set(module.DEFAULT_ARCHITECTURE)
    for model_type, architecture in module.DEFAULT_ARCHITECTURE.items():
        assert architecture in module.ARCHITECTURES
        cfg = filled(family, model_type)
        assert module.validate(cfg) == []
        for name in module.ARCHITECTURES:
            assert total(module.parts(cfg, name)) > 0


def test_gpt2_anchor_and_its_tied_head():
    parts = gpt2.parts(filled("gpt2", "gpt2"), "GPT2LMHeadModel")
    assert total(parts) == 124_439_808
    lm_head = parts[-1]
    assert (lm_head.path, lm_head.params, lm_head.tied_to, lm_head.base) == ("lm_head", 0, "transformer.wte", False)
    assert [p.path for p in parts[:4]] == ["transformer.wte", "transformer.wpe", "transformer.h.0.ln_1",
                                           "transformer.h.0.attn.c_attn"]
    assert parts[3].cls == "Conv1D" and parts[3].category == "attention.other" and parts[3].params == 1_771_776
    # untied, the head is its own vocab_size x n_embd matrix (measured: 163,037,184)
    assert total(gpt2.parts(filled("gpt2", "gpt2", tie_word_embeddings=False), "GPT2LMHeadModel")) == 163_037_184


def test_classification_heads_follow_the_labels():
    # GPT2ForSequenceClassification with 5 labels in id2label (measured: 124,443,648); `num_labels`
    # wins over id2label's size, as PreTrainedConfig does.
    labels = {str(i): f"L{i}" for i in range(5)}
    assert total(gpt2.parts(filled("gpt2", "gpt2", id2label=labels), "GPT2ForSequenceClassification")) == 124_443_648
    assert total(gpt2.parts(filled("gpt2", "gpt2", id2label=labels, num_labels=3),
                            "GPT2ForSequenceClassification")) == 124_439_808 + 3 * 768
    # question answering heads of decoders always have 2 outputs (start, end)
    qa = gpt2.parts(filled("gpt2", "gpt2", num_labels=7), "GPT2ForQuestionAnswering")[-1]
    assert (qa.path, qa.params) == ("qa_outputs", 768 * 2 + 2)


def test_falcon_attention_variants():
    def qkv(**values):
        parts = falcon.parts(filled("falcon", "falcon", num_hidden_layers=1, **values), "FalconModel")
        return next(p.params for p in parts if p.path.endswith("query_key_value"))
    d, head_dim = 4544, 64
    assert qkv() == d * (d + 2 * head_dim)  # multi-query
    assert qkv(multi_query=False) == d * 3 * d
    assert qkv(new_decoder_architecture=True, num_kv_heads=8) == d * (2 * 8 + 71) * head_dim
    norms = [p.path for p in falcon.parts(filled("falcon", "falcon", num_hidden_layers=1, parallel_attn=False),
                                           "FalconModel") if p.cls == "LayerNorm"]
    assert norms == ["h.0.post_attention_layernorm", "h.0.input_layernorm", "ln_f"]


def test_opt_projections_and_final_norm():
    parts = {p.path: p for p in opt.parts(filled("opt", "opt", **PUBLISHED["opt-350m"][3]), "OPTForCausalLM")}
    assert parts["model.decoder.project_in"].params == 512 * 1024
    assert parts["model.decoder.project_out"].params == 1024 * 512
    assert "model.decoder.final_layer_norm" not in parts  # do_layer_norm_before: false
    assert parts["model.decoder.embed_positions"].params == (2048 + 2) * 1024


# (family, model_type, tiny hyper-parameters, the keys validate() names); each verdict was checked
# with transformers 5.25.0: it builds the model on CPU and runs a one-token forward pass exactly when
# no key is named (tests/crosscheck/test_hf_classic.py checks it again).
LM = {"vocab_size": 10, "num_hidden_layers": 1}
NEOX = {**LM, "intermediate_size": 8}
BERT = {**LM, "intermediate_size": 8, "max_position_embeddings": 8}
WHISPER = {"vocab_size": 10, "d_model": 8, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
           "decoder_attention_heads": 2, "encoder_ffn_dim": 8, "decoder_ffn_dim": 8, "num_mel_bins": 4,
           "max_source_positions": 4, "max_target_positions": 4, "pad_token_id": 1, "bos_token_id": 1,
           "eos_token_id": 1, "decoder_start_token_id": 1, "begin_suppress_tokens": None}
TEXT = {"vocab_size": 10, "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 8,
        "max_position_embeddings": 4}
VISION = {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 8,
          "image_size": 8, "patch_size": 4}
VIT = {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "image_size": 8,
       "patch_size": 4}
VALIDATE_CASES = [
    ("gpt2", "gpt2", {**LM, "n_positions": 8, "n_embd": 8, "n_head": 2}, []),
    ("gpt2", "gpt2", {**LM, "n_positions": 8, "n_embd": 10, "n_head": 4}, ["n_head"]),
    ("gpt2", "gpt2", {**LM, "n_positions": 8, "n_embd": 8, "n_head": 2, "pad_token_id": 20}, []),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 8, "num_attention_heads": 2}, []),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 10, "num_attention_heads": 4}, ["num_attention_heads"]),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 48, "num_attention_heads": 4}, []),  # rotary 3 of 12: fits
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 36, "num_attention_heads": 4, "rotary_pct": 1.0}, ["hidden_size"]),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 12, "num_attention_heads": 4, "rope_parameters": {
        "rope_type": "default", "rope_theta": 100.0, "partial_rotary_factor": 1.0}}, ["rope_parameters"]),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 4, "num_attention_heads": 4, "rotary_pct": 1.0}, []),
    ("gpt_neox", "gpt_neox", {**NEOX, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": 30}, []),
    ("opt", "opt", {**LM, "hidden_size": 8, "num_attention_heads": 2, "ffn_dim": 8, "max_position_embeddings": 8}, []),
    ("opt", "opt", {**LM, "hidden_size": 10, "num_attention_heads": 4, "ffn_dim": 8, "max_position_embeddings": 8},
     ["num_attention_heads"]),
    ("opt", "opt", {**LM, "hidden_size": 8, "num_attention_heads": 2, "ffn_dim": 8, "max_position_embeddings": 8,
                    "pad_token_id": 10}, ["pad_token_id"]),
    ("opt", "opt", {**LM, "hidden_size": 8, "num_attention_heads": 2, "ffn_dim": 8, "max_position_embeddings": 8,
                    "pad_token_id": -10}, []),
    ("opt", "opt", {**LM, "hidden_size": 8, "num_attention_heads": 2, "ffn_dim": 8, "max_position_embeddings": 8,
                    "pad_token_id": -11}, ["pad_token_id"]),
    ("bloom", "bloom", {"vocab_size": 10, "hidden_size": 8, "n_layer": 1, "n_head": 2}, []),
    ("bloom", "bloom", {"vocab_size": 10, "hidden_size": 10, "n_layer": 1, "n_head": 4}, ["n_head"]),
    ("bloom", "bloom", {"vocab_size": 10, "hidden_size": 8, "n_layer": 1, "n_head": 2, "pad_token_id": 30}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 10, "num_attention_heads": 4}, ["num_attention_heads"]),
    ("falcon", "falcon", {**LM, "hidden_size": 20, "num_attention_heads": 4}, ["hidden_size"]),  # config: odd head > 4
    ("falcon", "falcon", {**LM, "hidden_size": 20, "num_attention_heads": 4, "alibi": True}, ["hidden_size"]),
    ("falcon", "falcon", {**LM, "hidden_size": 12, "num_attention_heads": 4}, ["hidden_size"]),  # forward: odd head 3
    ("falcon", "falcon", {**LM, "hidden_size": 12, "num_attention_heads": 4, "alibi": True}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 4, "num_attention_heads": 4}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 20, "num_attention_heads": 4, "rope_parameters": {
        "rope_type": "default", "rope_theta": 100.0, "partial_rotary_factor": 0.5}}, ["hidden_size"]),
    ("falcon", "falcon", {**LM, "hidden_size": 20, "num_attention_heads": 4, "alibi": True, "rope_parameters": {
        "rope_type": "default", "rope_theta": 100.0, "partial_rotary_factor": 0.5}}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 24, "num_attention_heads": 4, "new_decoder_architecture": True,
                          "num_kv_heads": 3}, ["num_kv_heads"]),
    ("falcon", "falcon", {**LM, "hidden_size": 24, "num_attention_heads": 4, "new_decoder_architecture": True,
                          "num_kv_heads": 8}, ["num_kv_heads"]),
    ("falcon", "falcon", {**LM, "hidden_size": 24, "num_attention_heads": 4, "new_decoder_architecture": True,
                          "num_kv_heads": 2}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 24, "num_attention_heads": 4, "multi_query": False,
                          "num_kv_heads": 3}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "multi_query": False, "num_kv_heads": 1},
     ["num_kv_heads"]),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 4, "multi_query": False, "num_kv_heads": 2},
     ["num_kv_heads"]),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 4, "multi_query": False, "num_kv_heads": 3},
     []),
    ("falcon", "falcon", {**LM, "hidden_size": 2, "num_attention_heads": 2, "multi_query": False}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 4, "num_attention_heads": 4, "new_decoder_architecture": True,
                          "num_kv_heads": 2}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "new_decoder_architecture": True,
                          "parallel_attn": False}, ["parallel_attn"]),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "new_decoder_architecture": True,
                          "num_ln_in_parallel_attn": 1}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "new_decoder_architecture": True,
                          "num_ln_in_parallel_attn": 3}, ["num_ln_in_parallel_attn"]),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "num_ln_in_parallel_attn": 2},
     ["num_ln_in_parallel_attn"]),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "num_ln_in_parallel_attn": 3}, []),
    ("falcon", "falcon", {**LM, "hidden_size": 8, "num_attention_heads": 2, "parallel_attn": False,
                          "num_ln_in_parallel_attn": 2}, []),
    ("bert", "bert", {**BERT, "hidden_size": 8, "num_attention_heads": 2}, []),
    ("bert", "bert", {**BERT, "hidden_size": 10, "num_attention_heads": 4}, ["num_attention_heads"]),
    ("bert", "bert", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": 10}, ["pad_token_id"]),
    ("bert", "bert", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "add_cross_attention": True},
     ["add_cross_attention"]),
    ("bert", "bert", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "add_cross_attention": True,
                      "is_decoder": True}, []),
    ("bert", "bert", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "type_vocab_size": 0}, ["type_vocab_size"]),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2}, []),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "max_position_embeddings": 2},
     ["max_position_embeddings"]),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "max_position_embeddings": 3}, []),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": 8}, ["pad_token_id"]),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "max_position_embeddings": 5,
                         "pad_token_id": 4}, ["max_position_embeddings"]),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "max_position_embeddings": 6,
                         "pad_token_id": 4}, []),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": -1}, []),
    ("bert", "roberta", {**BERT, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": -2}, ["pad_token_id"]),
    ("distilbert", "distilbert", {"vocab_size": 10, "dim": 8, "n_layers": 1, "n_heads": 2, "hidden_dim": 8}, []),
    ("distilbert", "distilbert", {"vocab_size": 10, "dim": 10, "n_layers": 1, "n_heads": 4, "hidden_dim": 8},
     ["n_heads"]),
    ("distilbert", "distilbert", {"vocab_size": 10, "dim": 9, "n_layers": 1, "n_heads": 3, "hidden_dim": 8,
                                  "sinusoidal_pos_embds": True}, []),
    ("distilbert", "distilbert", {"vocab_size": 10, "dim": 8, "n_layers": 1, "n_heads": 2, "hidden_dim": 8,
                                  "pad_token_id": 12}, ["pad_token_id"]),
    ("t5", "t5", {"vocab_size": 10, "d_model": 8, "d_kv": 3, "num_heads": 3, "d_ff": 8, "num_layers": 1}, []),
    ("t5", "t5", {"vocab_size": 10, "d_model": 8, "d_kv": 4, "num_heads": 2, "d_ff": 8, "num_layers": 1,
                  "feed_forward_proj": "gated-gelu"}, []),
    ("t5", "t5", {"vocab_size": 10, "d_model": 8, "d_kv": 4, "num_heads": 2, "d_ff": 8, "num_layers": 1,
                  "feed_forward_proj": "gelu-gated"}, ["feed_forward_proj"]),
    ("t5", "t5", {"vocab_size": 10, "d_model": 8, "d_kv": 4, "num_heads": 2, "d_ff": 8, "num_layers": 1,
                  "pad_token_id": 12}, []),
    ("vit", "vit", VIT, []),
    ("vit", "vit", {**VIT, "hidden_size": 10, "num_attention_heads": 4}, []),  # 4 heads of 2, o_proj 8 -> 10
    ("vit", "vit", {**VIT, "hidden_size": 3, "num_attention_heads": 4}, ["num_attention_heads"]),
    ("vit", "vit", {**VIT, "image_size": 9}, []),
    ("vit", "vit", {**VIT, "image_size": 3}, ["patch_size"]),
    ("vit", "vit", {**VIT, "image_size": [8, 12], "patch_size": [4, 3]}, []),
    ("vit", "vit", {**VIT, "image_size": [8, 2], "patch_size": [4, 3]}, ["patch_size"]),
    ("whisper", "whisper", WHISPER, []),
    ("whisper", "whisper", {**WHISPER, "encoder_attention_heads": 3}, ["encoder_attention_heads"]),
    ("whisper", "whisper", {**WHISPER, "decoder_attention_heads": 3}, ["decoder_attention_heads"]),
    ("whisper", "whisper", {**WHISPER, "pad_token_id": 10}, ["pad_token_id"]),
    ("whisper", "whisper", {**WHISPER, "d_model": 2, "encoder_attention_heads": 1, "decoder_attention_heads": 1},
     ["d_model"]),
    ("whisper", "whisper", {**WHISPER, "d_model": 3, "encoder_attention_heads": 1, "decoder_attention_heads": 1},
     ["d_model"]),
    ("whisper", "whisper", {**WHISPER, "d_model": 4, "encoder_attention_heads": 1, "decoder_attention_heads": 1}, []),
    ("clip", "clip", {"text_config": TEXT, "vision_config": VISION, "projection_dim": 4}, []),
    ("clip", "clip", {"text_config": {**TEXT, "hidden_size": 10, "num_attention_heads": 4}, "vision_config": VISION},
     ["text_config.num_attention_heads"]),
    ("clip", "clip", {"text_config": TEXT, "vision_config": {**VISION, "num_attention_heads": 3}},
     ["vision_config.num_attention_heads"]),
    ("clip", "clip", {"text_config": TEXT, "vision_config": {**VISION, "image_size": 3}}, ["vision_config.patch_size"]),
    ("clip", "clip", {"text_config": TEXT, "vision_config": {**VISION, "image_size": 9}}, []),
    ("clip", "clip_vision_model", {**VISION, "image_size": [8, 8]}, ["image_size"]),
    ("clip", "clip_text_model", {**TEXT, "hidden_size": 6, "num_attention_heads": 4}, ["num_attention_heads"]),
]


@pytest.mark.parametrize("family,model_type,values,keys", VALIDATE_CASES)
def test_validate_names_the_key(family, model_type, values, keys):
    assert [key for key, _ in FAMILIES[family].validate(filled(family, model_type, **values))] == keys


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_validate_never_raises_on_wrong_values(family):
    # the importer reports wrong types itself; validate() must still return, whatever a key holds
    module = FAMILIES[family]
    for model_type in module.MODEL_TYPES:
        for key in module.CONFIG_DEFAULTS[model_type]:
            for value in (None, "x", -1, 0, 1.5, True, [1], [1, "a"], {}):
                assert isinstance(module.validate(filled(family, model_type, **{key: value})), list)


@pytest.mark.parametrize("family,model_type", [(f, t) for f in sorted(FAMILIES) for t in FAMILIES[f].MODEL_TYPES
                                               if "vocab_size" in FAMILIES[f].CONFIG_DEFAULTS[t]])
def test_padding_idx_refusal_follows_padded_embedding(family, model_type):
    # families whose token embedding takes pad_token_id as padding_idx refuse one outside the vocabulary
    module = FAMILIES[family]
    cfg = filled(family, model_type, vocab_size=10, pad_token_id=15)
    named = "pad_token_id" in [key for key, _ in module.validate(cfg)]
    assert named == getattr(module, "PADDED_EMBEDDING", True)


@pytest.mark.parametrize("cfg,labels", [
    ({}, 2),  # PreTrainedConfig's default
    ({"id2label": {"0": "a", "1": "b", "2": "c"}}, 3),
    ({"id2label": {}}, 0),  # an empty map is no labels: ViTForImageClassification then has no classifier
    ({"id2label": {"0": "a"}, "num_labels": 4}, 4),  # num_labels wins (transformers only warns)
    ({"num_labels": 0}, 0),
])
def test_num_labels_as_pretrained_config_derives_it(cfg, labels):
    assert gpt2.num_labels(cfg) == labels


def test_vit_without_labels_has_no_classifier():
    parts = vit.parts(filled("vit", "vit", id2label={}), "ViTForImageClassification")
    assert [p.path for p in parts if not p.base] == []
    assert total(parts) == 86_389_248 - 590_592  # ViTModel without its pooler
