"""The classic Hugging Face families (gpt2, gpt_neox, opt, bloom, falcon, bert/roberta, distilbert, t5,
vit, whisper, clip) through the importer: a published config.json, written as its model repository
writes it (the class's own key names: GPT-2's `n_layer`, T5's `num_layers`), checked and summarised
end to end with the exact totals transformers 5.25.0 builds (tests/test_hf_families_classic.py and
tests/crosscheck/test_hf_classic.py measure the same numbers on the meta device)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from archlint.cli import main
from archlint.lint import lint_file

# name: (config.json as published, total of the class in `architectures`, its base model without the head:
# the body the class holds, so BertForMaskedLM's and ViTForImageClassification's have no pooler)
PUBLISHED = {
    "gpt2": ({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 768, "n_head": 12,
              "n_layer": 12, "vocab_size": 50257, "n_positions": 1024, "n_ctx": 1024,
              "activation_function": "gelu_new"}, 124_439_808, 124_439_808),
    "bert-base-uncased": ({"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 768,
                           "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                           "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2,
                           "pad_token_id": 0, "hidden_act": "gelu"}, 109_482_240, 109_482_240),
    "t5-small": ({"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "d_model": 512,
                  "d_ff": 2048, "d_kv": 64, "num_heads": 8, "num_layers": 6, "vocab_size": 32128,
                  "feed_forward_proj": "relu", "pad_token_id": 0, "eos_token_id": 1,
                  "decoder_start_token_id": 0}, 60_506_624, 60_506_624),
    "whisper-tiny": ({"model_type": "whisper", "architectures": ["WhisperForConditionalGeneration"],
                      "d_model": 384, "encoder_layers": 4, "decoder_layers": 4, "encoder_attention_heads": 6,
                      "decoder_attention_heads": 6, "encoder_ffn_dim": 1536, "decoder_ffn_dim": 1536,
                      "vocab_size": 51865, "num_mel_bins": 80, "activation_function": "gelu"},
                     37_760_640, 37_760_640),
    "clip-vit-base-patch32": ({"model_type": "clip", "architectures": ["CLIPModel"], "projection_dim": 512,
                               "text_config": {"hidden_size": 512, "num_hidden_layers": 12},
                               "vision_config": {"hidden_size": 768, "num_hidden_layers": 12, "patch_size": 32}},
                              151_277_313, 151_277_313),
    "vit-base-patch16-224": ({"model_type": "vit", "architectures": ["ViTForImageClassification"],
                              "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                              "intermediate_size": 3072, "image_size": 224, "patch_size": 16,
                              "id2label": {str(i): f"class {i}" for i in range(1000)}}, 86_567_656, 85_798_656),
    "bloom-560m": ({"model_type": "bloom", "architectures": ["BloomForCausalLM"], "hidden_size": 1024,
                    "n_layer": 24, "n_head": 16, "vocab_size": 250880}, 559_214_592, 559_214_592),
    "opt-125m": ({"model_type": "opt", "architectures": ["OPTForCausalLM"], "hidden_size": 768,
                  "num_hidden_layers": 12, "num_attention_heads": 12, "ffn_dim": 3072, "vocab_size": 50272,
                  "max_position_embeddings": 2048, "word_embed_proj_dim": 768, "pad_token_id": 1},
                 125_239_296, 125_239_296),
    "pythia-160m": ({"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "hidden_size": 768,
                     "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                     "vocab_size": 50304, "max_position_embeddings": 2048, "tie_word_embeddings": False},
                    162_322_944, 123_689_472),
    "distilbert-base-uncased": ({"model_type": "distilbert", "architectures": ["DistilBertForMaskedLM"],
                                 "dim": 768, "n_layers": 6, "n_heads": 12, "hidden_dim": 3072,
                                 "vocab_size": 30522, "activation": "gelu", "pad_token_id": 0},
                                66_985_530, 66_362_880),
    "roberta-base": ({"model_type": "roberta", "architectures": ["RobertaForMaskedLM"], "hidden_size": 768,
                      "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                      "vocab_size": 50265, "max_position_embeddings": 514, "type_vocab_size": 1,
                      "layer_norm_eps": 1e-05, "pad_token_id": 1}, 124_697_433, 124_055_040),
    "stable-diffusion-text-encoder": ({"model_type": "clip_text_model", "architectures": ["CLIPTextModel"],
                                       "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                                       "projection_dim": 768, "num_hidden_layers": 12},
                                      123_060_480, 123_060_480),
    # clip-vit-large-patch14's vision tower as its own config (measured: CLIPVisionModelWithProjection, meta device)
    "clip-vit-large-patch14-vision": ({"model_type": "clip_vision_model",
                                       "architectures": ["CLIPVisionModelWithProjection"], "hidden_size": 1024,
                                       "intermediate_size": 4096, "num_attention_heads": 16,
                                       "num_hidden_layers": 24, "patch_size": 14, "projection_dim": 768},
                                      303_966_208, 303_179_776),
}


# GPT-2's published config.json still writes `n_ctx`, which GPT2Config 5.25 no longer takes (no module reads it).
EXPECTED_FINDINGS = {"gpt2": [("W100", 1)]}


def write(tmp_path, data) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_config_checks_clean_and_counts_exactly(name, tmp_path):
    data, expected, base = PUBLISHED[name]
    path = write(tmp_path, data)
    result = lint_file(path)
    assert [(f.rule.code, f.message.count("`n_ctx`")) for f in result.findings] == EXPECTED_FINDINGS.get(name, [])
    assert result.model.total_params == expected
    model = json.loads(CliRunner().invoke(main, ["summary", "--isolated", "--format", "json", path]).stdout)["models"][0]
    assert (model["total_params"], model["params_base_model"]) == (expected, base)


def test_an_uncountable_config_is_never_silent(tmp_path, monkeypatch):
    """A config the checks find uncountable without an error says so (W109), never a bare 0 with exit 0."""
    from archlint.sources.huggingface import checks

    monkeypatch.setattr(checks, "check_layer_types", lambda resolved, data, report: False)
    result = lint_file(write(tmp_path, PUBLISHED["gpt2"][0]))
    assert [(f.rule.code, f.line) for f in result.findings if f.rule.code != "W100"] == [("W109", 2)]


@pytest.mark.parametrize("value, code", [("12", "E100"), (12.0, "E100"), (None, "E100"), (-1, "E101"),
                                         (0, "W102"), (10**9, "S009")])
def test_the_layer_count_is_read_under_the_class_key(value, code, tmp_path):
    data = dict(PUBLISHED["gpt2"][0], n_layer=value)
    codes = {f.rule.code for f in lint_file(write(tmp_path, data)).findings} - {"W100"}
    assert codes == {code}


def test_a_sub_config_layer_count_is_checked(tmp_path):
    data = json.loads(json.dumps(PUBLISHED["clip-vit-base-patch32"][0]))
    data["vision_config"]["num_hidden_layers"] = 10**9
    result = lint_file(write(tmp_path, data))
    assert [(f.rule.code, f.line) for f in result.findings] == [("S009", 13)]


TINY_BERT = {"model_type": "bert", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 1,
             "intermediate_size": 64, "vocab_size": 100}


def located(tmp_path, data) -> list[tuple[str, int, int]]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # one line: the column is the value's, after its key
    text = path.read_text(encoding="utf-8")
    return [(f.rule.code, f.line, f.column, re.search(r'"[^"]+"(?=\s*:\s*$)', text[:f.column - 1]).group())
            for f in lint_file(str(path)).findings]


@pytest.mark.parametrize("data, code, key", [
    ({"model_type": "gpt2", "n_embd": 64, "n_head": 5, "n_layer": 1, "vocab_size": 100, "bos_token_id": 0,
      "eos_token_id": 0}, "E102", '"n_head"'),
    ({"model_type": "gpt2", "hidden_size": 64, "num_attention_heads": 5, "n_layer": 1, "vocab_size": 100,
      "bos_token_id": 0, "eos_token_id": 0}, "E102", '"num_attention_heads"'),
    (dict(TINY_BERT, add_cross_attention=True), "E110", '"add_cross_attention"'),
    ({"model_type": "t5", "d_model": 8, "num_heads": 2, "d_kv": 4, "d_ff": 8, "num_layers": 1, "vocab_size": 10,
      "feed_forward_proj": "gated-gelu-new"}, "E110", '"feed_forward_proj"'),
    ({"model_type": "falcon", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 100,
      "new_decoder_architecture": True, "num_kv_heads": 3, "bos_token_id": 0, "eos_token_id": 0}, "E103",
     '"num_kv_heads"'),
])
def test_a_family_refusal_is_an_error_at_its_key(data, code, key, tmp_path):
    assert [(c, k) for c, _, _, k in located(tmp_path, data)] == [(code, key)]


def test_a_sub_config_refusal_points_into_the_sub_config(tmp_path):
    data = {"model_type": "clip", "vision_config": {"hidden_size": 64, "num_attention_heads": 5}}
    path = write(tmp_path, data)
    assert [(f.rule.code, f.line) for f in lint_file(path).findings] == [("E102", 5)]


def test_an_empty_id2label_is_no_labels_for_every_family():
    from archlint.sources.huggingface import layout
    from archlint.sources.huggingface.families import gpt2

    assert gpt2.num_labels is layout.num_labels  # one copy
    assert [layout.num_labels(cfg) for cfg in ({"id2label": {}}, {}, {"num_labels": 3, "id2label": {}},
                                               {"num_labels": True}, {"id2label": {"0": "a", "1": "b", "2": "c"}})] \
        == [0, 2, 3, 2, 3]


def test_an_empty_id2label_gives_a_zero_wide_llama_classifier(tmp_path):
    data = {"model_type": "llama", "architectures": ["LlamaForSequenceClassification"], "hidden_size": 64,
            "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "num_hidden_layers": 2,
            "vocab_size": 1000, "id2label": {}}
    with_labels = lint_file(write(tmp_path, dict(data, id2label={"0": "a", "1": "b"}))).model.total_params
    assert lint_file(write(tmp_path, data)).model.total_params == with_labels - 2 * 64


@pytest.mark.parametrize("model_type, pad, codes", [
    ("bert", 100, ["E106"]), ("bert", -101, ["E106"]), ("bert", -100, ["W107"]), ("bert", 99, []),
    ("gpt2", 100, ["W107"]), ("gpt2", -101, ["W107"]),  # GPT-2's embedding has no padding_idx: it builds
])
def test_the_pad_token_follows_the_embedding(model_type, pad, codes, tmp_path):
    data = (dict(TINY_BERT, pad_token_id=pad) if model_type == "bert" else
            {"model_type": "gpt2", "n_embd": 64, "n_head": 4, "n_layer": 1, "vocab_size": 100, "bos_token_id": 0,
             "eos_token_id": 0, "pad_token_id": pad})
    assert [c for c, *_ in located(tmp_path, data)] == codes


@pytest.mark.parametrize("data, key", [
    ({"model_type": "falcon", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 100,
      "bos_token_id": 0, "eos_token_id": 0, "activation": "gelu_nwe"}, '"activation"'),
    ({"model_type": "distilbert", "dim": 64, "n_heads": 4, "n_layers": 1, "hidden_dim": 64, "vocab_size": 100,
      "activation": "relu3"}, '"activation"'),
    ({"model_type": "t5", "d_model": 8, "num_heads": 2, "d_kv": 4, "d_ff": 8, "num_layers": 1, "vocab_size": 10,
      "feed_forward_proj": "gated-gleu"}, '"feed_forward_proj"'),
    ({"model_type": "t5", "d_model": 8, "num_heads": 2, "d_kv": 4, "d_ff": 8, "num_layers": 1, "vocab_size": 10,
      "feed_forward_proj": "swiglu"}, '"feed_forward_proj"'),
])
def test_an_unknown_activation_is_read_from_the_family_keys(data, key, tmp_path):
    assert [(c, k) for c, _, _, k in located(tmp_path, data)] == [("E108", key)]


@pytest.mark.parametrize("proj", ["gated-gelu", "relu", "gated-silu", "gelu_new"])
def test_t5_activations_transformers_knows_pass(proj, tmp_path):
    data = {"model_type": "t5", "d_model": 8, "num_heads": 2, "d_kv": 4, "d_ff": 8, "num_layers": 1, "vocab_size": 10,
            "feed_forward_proj": proj}
    assert located(tmp_path, data) == []


@pytest.mark.parametrize("image, patch, codes", [([8, 12], [4, 3], []), (8, [4, 4], []), ([8, 12, 3], 4, ["E100"]),
                                                 ([8, "12"], 4, ["E100"])])
def test_vit_sizes_take_a_height_width_pair(image, patch, codes, tmp_path):
    data = {"model_type": "vit", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
            "intermediate_size": 8, "image_size": image, "patch_size": patch}
    result = lint_file(write(tmp_path, data))
    assert [f.rule.code for f in result.findings] == codes
    if image == [8, 12]:
        assert result.model.total_params == 928  # ViTModel, transformers 5.25 on the meta device


def test_clip_sizes_take_one_integer(tmp_path):
    data = {"model_type": "clip_vision_model", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
            "intermediate_size": 8, "image_size": [8, 8], "patch_size": 4}
    assert [f.rule.code for f in lint_file(write(tmp_path, data)).findings] == ["E100"]


def test_a_repeated_layer_is_located_at_the_layer_count_the_file_names(tmp_path):
    from archlint.sources import load

    path = write(tmp_path, PUBLISHED["gpt2"][0])
    document = load(path)
    index = next(i for i, layer in enumerate(document.data["layers"]) if layer["name"] == "transformer.h.0-11")
    line = open(path, encoding="utf-8").read().splitlines().index(' "n_layer": 12,') + 1
    assert document.position(("layers", index))[0] == line
