"""Hugging Face config.json as archlint input: recognition, exact counts and figures, folding, checks at
the key's line:column, budgets, and the command line. Every count here equals transformers 5.25's
(tests/crosscheck/test_hf_decoders.py compares each module on the meta device); the figures follow the
conventions of docs/huggingface.md and are worked out by hand in the comments."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from archlint.cli import main
from archlint.lint import lint_file
from archlint.sources import huggingface
from archlint.sources.huggingface import families

HF = EXAMPLES / "huggingface"
TINY = {"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,
        "intermediate_size": 128, "num_hidden_layers": 2, "vocab_size": 1000}


def write(tmp_path, data, name="config.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1), encoding="utf-8")
    return str(path)


def findings(path: str, **settings) -> list[tuple[str, int, int]]:
    return [(f.rule.code, f.line, f.column) for f in lint_file(path, settings=settings).findings]


def summary(*args) -> dict:
    result = CliRunner().invoke(main, ["summary", "--isolated", "--format", "json", *args])
    return json.loads(result.stdout)["models"][0]


# ------------------------------------------------------------------ recognition and the registry

@pytest.mark.parametrize("data, expected", [
    ({"model_type": "llama"}, True),
    ({"architectures": ["LlamaForCausalLM"]}, True),
    ({"architectures": ["GPT2LMHeadModel"]}, True),
    ({"architectures": ["not a class"]}, False),
    ({"archlint": 1, "model_type": "llama"}, False),  # a native spec
    ({"class_name": "Sequential", "config": {}}, False),  # a Keras config
    ([{"model_type": "llama"}], False),
    ({"model_type": ""}, False),
])
def test_recognise(data, expected):
    assert huggingface.recognise(data) is expected


def test_the_registry_names_all_27_model_types_and_treats_a_missing_module_as_unsupported():
    assert len(families.MODULES) == 27  # the 25, and CLIP's two towers on their own
    assert families.module("llama").__name__.endswith(".llama")
    assert families.module("deepseek_v3").__name__.endswith(".deepseek")
    assert families.module("mamba") is None
    assert {"llama", "mixtral", "deepseek_v3"} <= set(families.supported())


@pytest.mark.parametrize("class_name, model_type", [
    ("Qwen2MoeForCausalLM", "qwen2_moe"), ("Qwen2ForCausalLM", "qwen2"), ("Gemma3ForCausalLM", "gemma3_text"),
    ("DeepseekV3ForCausalLM", "deepseek_v3"), ("MistralModel", "mistral"), ("NoSuchForCausalLM", None),
    ("CLIPTextModel", "clip_text_model"), ("CLIPVisionModelWithProjection", "clip_vision_model"), ("CLIPModel", "clip")])
def test_a_config_without_model_type_is_read_by_its_class(class_name, model_type):
    assert families.model_type_of(class_name) == model_type


def test_unsupported_model_type_is_a_warning_naming_the_supported_ones(tmp_path):
    path = write(tmp_path, {"model_type": "mamba", "hidden_size": 768})
    result = lint_file(path)
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [("W105", 2, 16)]
    assert "llama" in result.findings[0].hint and result.model is None


def test_forcing_the_format_on_a_list_is_an_error(tmp_path):
    path = write(tmp_path, "[1, 2]")
    assert findings(path) == []  # not recognised: not a spec
    result = lint_file(path, input_format="huggingface")
    assert [f.rule.code for f in result.findings] == ["E100"]


# ------------------------------------------------------------------ counts, names, folding

def test_llama_3_8b_counts_categories_and_figures():
    model = summary(str(HF / "llama-3-8b.json"))
    assert model["total_params"] == 8_030_261_248
    assert model["params_base_model"] == 7_504_924_672  # LlamaModel: without lm_head
    assert model["params_embedding"] == 525_336_576 and model["params_non_embedding"] == 7_504_924_672
    assert model["params_by_category"] == {
        "embeddings": 525_336_576, "attention.q": 536_870_912, "attention.k": 134_217_728,
        "attention.v": 134_217_728, "attention.o": 536_870_912, "mlp": 5_637_144_576, "norm": 266_240,
        "head": 525_336_576}
    assert model["weight_bytes"] == 8_030_261_248 * 2  # torch_dtype bfloat16
    # 32 layers x (keys + values) x 8 kv heads x 128 x 2 bytes, at max_position_embeddings 8192
    assert model["kv_cache_bytes_per_token"] == 32 * 2 * 8 * 128 * 2 == 131_072
    assert model["kv_cache_bytes"] == 131_072 * 8192
    assert [(layer["name"], layer["type"]) for layer in model["layers"]] == [
        ("model.embed_tokens", "torch.nn.Embedding"), ("model.layers.0-31", "LlamaDecoderLayer"),
        ("model.norm", "LlamaRMSNorm"), ("lm_head", "torch.nn.Linear")]


def test_seq_len_and_dtype_change_the_cache():
    model = summary("--seq-len", "1024", "--dtype", "float32", str(HF / "llama-3-8b.json"))
    assert model["kv_cache_bytes"] == 32 * 2 * 8 * 128 * 4 * 1024
    assert model["weight_bytes"] == 8_030_261_248 * 4 and model["context_length"] == 1024


def test_unfold_lists_every_decoder_layer():
    model = summary("--unfold", str(HF / "llama-2-7b.json"))
    names = [layer["name"] for layer in model["layers"]]
    assert names[1:3] == ["model.layers.0", "model.layers.1"] and len(names) == 35
    assert model["total_params"] == 6_738_415_616


def test_tiny_llama_tied_head_and_flops_per_token():
    model = summary(str(HF / "tiny-llama.json"))
    assert model["total_params"] == 154_944  # lm_head shares the embedding: counted once
    # per layer: q 64x64 + k 64x32 + v 64x32 + o 64x64 + MLP 3x64x172 = 45,312 MACs; 2 layers; the tied
    # head 64,000; attention 2 x 4 heads x 16 = 128 MACs per cached token, 256 tokens, 2 layers
    assert model["flops_per_token"] == 2 * (2 * 45_312 + 64_000 + 2 * 128 * 256) == 440_320
    assert model["weight_bytes"] == 154_944 * 4


def test_mistral_sliding_window_caches_the_window_only():
    model = summary(str(HF / "mistral-7b.json"))
    assert model["total_params"] == 7_241_732_096
    # 32,768 positions, a window of 4,096: the cache keeps the last 4,095 tokens (transformers'
    # DynamicSlidingWindowLayer), the next token attends to them and itself
    assert model["kv_cache_bytes"] == 32 * 2 * 8 * 128 * 2 * 4095


def test_mixtral_active_parameters():
    model = summary(str(HF / "mixtral-8x7b.json"))
    # 8 experts of 3 x 4096 x 14336 per layer, 2 of them active: 6 x 176,160,768 x 32 layers inactive
    assert model["active_params_per_token"] == 46_702_792_704 - 6 * 3 * 4096 * 14336 * 32 == 12_879_925_248
    assert model["params_by_category"]["experts"] == 8 * 3 * 4096 * 14336 * 32
    assert model["params_by_category"]["router"] == 8 * 4096 * 32


def test_deepseek_v3_latent_cache_experts_and_folding():
    model = summary(str(HF / "deepseek-v3.json"))
    assert model["total_params"] == 671_026_404_352
    # the cache keeps the 512-wide latent and the 64-wide rotary key per layer: 61 x 576 x 2 bytes a token
    assert model["kv_cache_bytes_per_token"] == 61 * 576 * 2
    assert model["kv_cache_bytes"] == 61 * 576 * 2 * 163_840
    # 58 MoE layers x 248 inactive experts x 3 x 7168 x 2048
    assert model["active_params_per_token"] == 671_026_404_352 - 58 * 248 * 3 * 7168 * 2048 == 37_552_282_624
    assert [layer["name"] for layer in model["layers"]] == [
        "model.embed_tokens", "model.layers.0-2", "model.layers.3-60", "model.norm", "lm_head"]


def test_base_model_class_is_named_without_model_prefix(tmp_path):
    path = write(tmp_path, dict(TINY, architectures=["LlamaModel"]))
    model = summary(path)
    assert [layer["name"] for layer in model["layers"]] == ["embed_tokens", "layers.0-1", "norm"]
    assert model["total_params"] == model["params_base_model"] == 1000 * 64 + 2 * (
        64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128 + 2 * 64) + 64


def test_sequence_classifier_sized_by_id2label(tmp_path):
    path = write(tmp_path, dict(TINY, architectures=["LlamaForSequenceClassification"],
                                id2label={"0": "neg", "1": "pos", "2": "neutral"}))
    model = summary(path)
    assert model["layers"][-1]["name"] == "score" and model["layers"][-1]["params"] == 64 * 3


def test_summary_full_and_markdown_show_the_figures():
    runner = CliRunner()
    full = runner.invoke(main, ["summary", "--isolated", str(HF / "mixtral-8x7b.json")]).stdout
    assert "model.layers.0-31 (MixtralDecoderLayer)" in full
    assert "Active parameters per token (2 routed experts per layer): 12,879,925,248" in full
    assert "Defaults of MixtralConfig for absent keys:" in full
    markdown = runner.invoke(main, ["summary", "--isolated", "--format", "markdown", str(HF / "tiny-llama.json")])
    assert "KV cache at 256 tokens: 131,072 bytes (128.00 KiB)" in markdown.stdout


def test_check_verbose_names_the_defaults_used():
    result = CliRunner().invoke(main, ["check", "--isolated", "-v", str(HF / "tiny-llama.json")])
    assert "tiny-llama.json: Defaults of LlamaConfig for absent keys: hidden_act='silu'," in result.stderr


def test_explain_lists_the_modules_and_the_defaults_used():
    result = CliRunner().invoke(main, ["explain", "--isolated", str(HF / "tiny-qwen3-moe.json")])
    assert result.exit_code == 0
    assert "    mlp.experts (Qwen3MoeExperts) [experts]: 6,144 x 8 = 49,152" in result.stdout  # 3 x 64 x 32 each
    assert "  params = 3 x 62,112 = 186,336" in result.stdout
    assert "Defaults of Qwen3MoeConfig for absent keys: hidden_act='silu'," in result.stdout


# ------------------------------------------------------------------ checks at the key

def test_num_key_value_head_typo_says_what_it_costs(tmp_path):
    data = json.loads((HF / "llama-3-8b.json").read_text())
    data["num_key_value_head"] = data.pop("num_key_value_heads")
    result = lint_file(write(tmp_path, data))
    (finding,) = result.findings
    assert (finding.rule.code, finding.line, finding.column) == ("W100", 19, 24)
    assert "did you mean `num_key_value_heads`" in finding.message
    assert "8,835,567,616 parameters instead of 8,030,261,248" in finding.hint and "+805,306,368" in finding.hint
    assert result.model.total_params == 8_835_567_616  # what transformers builds with the typo


def test_every_mistake_in_one_run_each_at_its_key(tmp_path):
    text = ('{"model_type": "llama", "hidden_size": 66, "num_attention_heads": 4, "num_key_value_heads": 3,\n'
            ' "intermediate_size": 128, "num_hidden_layers": 2, "vocab_size": 1000, "pad_token_id": 1000,\n'
            ' "hidden_act": "swiglu", "rope_scaling": {"rope_type": "linear"}, "eos_token_id": -5}')
    assert findings(write(tmp_path, text)) == [
        ("E102", 1, 40), ("E103", 1, 93), ("E106", 2, 88), ("E108", 3, 16), ("E107", 3, 42), ("W107", 3, 83)]


def test_valid_neighbours_draw_nothing():
    for name in ("llama-2-7b.json", "llama-3-8b.json", "mistral-7b.json", "mixtral-8x7b.json", "deepseek-v3.json",
                 "tiny-llama.json", "tiny-qwen3-moe.json"):
        assert findings(str(HF / name)) == [], name


def test_errors_leave_no_counts_and_no_cascade(tmp_path):
    result = lint_file(write(tmp_path, dict(TINY, hidden_size="64")))
    assert [f.rule.code for f in result.findings] == ["E100"]
    assert result.model is not None and not result.model.complete


def test_duplicate_key_with_another_value_is_read_as_transformers_reads_it(tmp_path):
    text = json.dumps(TINY)[:-1] + ', "num_hidden_layers": 4}'
    result = lint_file(write(tmp_path, text))
    assert [f.rule.code for f in result.findings] == ["W108"]
    assert "2 then 4" in result.findings[0].message
    assert result.model.spec.layers[1].kwargs["layers"] == 4  # the last value, as json.load keeps it


def test_same_duplicate_value_is_not_reported(tmp_path):
    text = json.dumps(TINY)[:-1] + ', "num_hidden_layers": 2}'
    assert findings(write(tmp_path, text)) == []


def test_tie_on_a_base_class(tmp_path):
    path = write(tmp_path, dict(TINY, architectures=["LlamaModel"], tie_word_embeddings=True))
    assert [code for code, _, _ in findings(path)] == ["W104"]


def test_unknown_architecture_counts_the_default_class(tmp_path):
    path = write(tmp_path, dict(TINY, architectures=["LlamaForCausalLMM"]))
    result = lint_file(path)
    assert [f.rule.code for f in result.findings] == ["W106"] and result.model.spec.name == "LlamaForCausalLM"


def test_intermediate_size_is_not_checked_where_no_module_reads_it(tmp_path):
    data = {"model_type": "qwen3_moe", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,
            "intermediate_size": -1, "num_hidden_layers": 2, "vocab_size": 1000, "num_experts": 4,
            "num_experts_per_tok": 2}
    assert findings(write(tmp_path, data)) == []
    data["mlp_only_layers"] = [1]
    assert [code for code, _, _ in findings(write(tmp_path, data))] == ["E101"]


def test_deepseek_checks(tmp_path):
    base = {"model_type": "deepseek_v3", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 4,
            "num_hidden_layers": 2, "vocab_size": 1000, "n_routed_experts": 4, "num_experts_per_tok": 2,
            "first_k_dense_replace": 1, "n_group": 2, "topk_group": 1}
    assert findings(write(tmp_path, base)) == []
    assert [c for c, _, _ in findings(write(tmp_path, dict(base, n_group=4)))] == ["E105"]  # 1 expert per group
    assert [c for c, _, _ in findings(write(tmp_path, dict(base, num_key_value_heads=2)))] == ["E103"]
    assert findings(write(tmp_path, dict(base, num_key_value_heads=3))) == []  # 4 // 3 == 1: runs


# ------------------------------------------------------------------ budgets

def test_budgets_from_the_command_line():
    runner = CliRunner()
    args = ["check", "--isolated", "--output-format", "json", str(HF / "mixtral-8x7b.json")]
    out = runner.invoke(main, args[:4] + ["--max-kv-cache", "4GiB", "--max-active-params", "12B",
                                          "--max-flops-per-token", "40G", "--max-params", "47B"] + args[4:])
    codes = [f["code"] for f in json.loads(out.stdout)["findings"]]
    assert codes == ["B101", "B102"] and out.exit_code == 1  # the cache is exactly 4 GiB: within
    out = runner.invoke(main, args[:4] + ["--max-kv-cache", "4000MiB"] + args[4:])
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["code"] == "B100" and "4,294,967,296 bytes" in finding["message"]


def test_budgets_from_the_configuration(tmp_path):
    config = tmp_path / "archlint.toml"
    # the cache of 2 layers x 2 x 2 kv heads x 16 x 4 bytes at LlamaConfig's 2,048 positions: 512 KiB
    config.write_text('[budgets]\n"*.json" = {kv_cache = "500KiB", active_params = "100k"}\n')
    path = write(tmp_path, dict(TINY))
    out = CliRunner().invoke(main, ["check", "--config", str(config), "--output-format", "json", path])
    assert [f["code"] for f in json.loads(out.stdout)["findings"]] == ["B100", "B101"]


# ------------------------------------------------------------------ a family module plugs in as is

def test_a_family_module_with_only_the_contract_plugs_in(tmp_path, monkeypatch):
    """A module with the parts.py contract only (no optional hooks), an encoder with a classifier: the
    conversion, folding and figures are generic over its Parts."""
    import sys
    import types

    from archlint.sources.huggingface.parts import Part

    def parts(cfg, architecture):
        h, layers = cfg["hidden_size"], cfg["num_hidden_layers"]
        out = [Part("enc.embeddings.word_embeddings", "Embedding", cfg["vocab_size"] * h, "embeddings"),
               Part("enc.embeddings.position_embeddings", "Embedding", 16 * h, "embeddings"),
               Part("enc.embeddings.LayerNorm", "LayerNorm", 2 * h, "norm")]
        for i in range(layers):
            out += [Part(f"enc.encoder.layer.{i}.attention.query", "Linear", h * h + h, "attention.q"),
                    Part(f"enc.encoder.layer.{i}.output.dense", "Linear", h * h + h, "mlp")]
        return out + [Part("classifier", "Linear", h * 3 + 3, "head", base=False)]

    fake = types.ModuleType("archlint.sources.huggingface.families.fakeenc")
    fake.MODEL_TYPES = ("fakeenc",)
    fake.CONFIG_DEFAULTS = {"fakeenc": {"vocab_size": 100, "hidden_size": 8, "num_hidden_layers": 3,
                                        "pad_token_id": 0}}
    fake.ARCHITECTURES = {"FakeEncForSequenceClassification": "sequence_classification", "FakeEncModel": "base"}
    fake.DEFAULT_ARCHITECTURE = {"fakeenc": "FakeEncModel"}
    fake.parts = parts
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setitem(families.MODULES, "fakeenc", "fakeenc")
    path = write(tmp_path, {"model_type": "fakeenc", "architectures": ["FakeEncForSequenceClassification"],
                            "num_hidden_layer": 3})
    result = lint_file(path)
    assert [f.rule.code for f in result.findings] == ["W100"]  # a typo: did you mean num_hidden_layers
    model = summary(path)
    assert [(layer["name"], layer["type"], layer["params"]) for layer in model["layers"]] == [
        ("enc.embeddings.word_embeddings", "torch.nn.Embedding", 800), ("enc.embeddings.position_embeddings", "torch.nn.Embedding", 128),
        ("enc.embeddings.LayerNorm", "torch.nn.LayerNorm", 16), ("enc.encoder.layer.0-2", "Module", 3 * 2 * 72),
        ("classifier", "torch.nn.Linear", 27)]
    assert model["params_base_model"] == model["total_params"] - 27 and "kv_cache_bytes" not in model


def test_a_stray_sliding_window_is_read_by_the_cache(tmp_path):
    """LlamaConfig has no sliding_window and Llama's attention ignores it, but transformers' DynamicCache
    reads the attribute: every layer keeps its last 7 tokens (the cross-check compares with the cache)."""
    path = write(tmp_path, dict(TINY, sliding_window=8, max_position_embeddings=64))
    result = lint_file(path)
    (finding,) = result.findings
    assert finding.rule.code == "W100" and "keeps only the last sliding_window - 1 tokens" in finding.hint
    # 2 layers x (keys + values) x 2 kv heads x 16 x 4 bytes x 7 tokens
    assert summary(path)["kv_cache_bytes"] == 2 * 2 * 2 * 16 * 4 * 7


def test_values_of_the_wrong_type_the_fuzzer_found_are_findings_not_internal_errors(tmp_path):
    # a string where BERT takes an int size: E100 at the key, and nothing counted from it (it was E900)
    bert = json.loads((EXAMPLES / "huggingface" / "bert-base.json").read_text())
    path = write(tmp_path, dict(bert, type_vocab_size="nan"))
    assert [code for code, _, _ in findings(path)] == ["E100"]
    assert findings(path)[0][1:] == (15, 21)  # the value of `type_vocab_size` in the file written
    # a rope type that is a mapping, not a name: E107 at the type (it was E900: unhashable)
    llama = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64,
             "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100,
             "rope_scaling": {"rope_type": {"factor": 8.0}, "factor": 8.0}}
    assert [code for code, _, _ in findings(write(tmp_path, llama))] == ["E107"]


@pytest.mark.parametrize("config", [
    {"model_type": "qwen2_moe", "num_hidden_layers": 2**62},  # Qwen's unused-key check looked at every layer
    {"model_type": "qwen3_moe", "num_hidden_layers": 2**63},
    {"model_type": "deepseek_v3", "num_hidden_layers": 2**62},
    {"model_type": "gemma2", "num_hidden_layers": 2**62},
    {"model_type": "whisper", "decoder_layers": 2**62},
    {"model_type": "clip", "text_config": {"num_hidden_layers": 2**62}},
])
def test_a_huge_layer_count_is_refused_before_any_layer_is_visited(tmp_path, config):
    # the fuzzer's extremes: before the fix, a family's own check iterated over range(num_hidden_layers)
    assert [code for code, _, _ in findings(write(tmp_path, config))] == ["S009"]
