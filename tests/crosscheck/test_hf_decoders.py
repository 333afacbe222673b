"""The decoder families of the Hugging Face importer against transformers 5.25: published configs and
hypothesis-drawn tiny ones counted exactly (total, base model, every module), and archlint's
error/no-error verdict equal to whether transformers constructs the config, builds the model and runs a
forward pass.

Run with transformers installed (skipped otherwise):
    HF_HUB_OFFLINE=1 python -m pytest -q -m crosscheck tests/crosscheck/test_hf_decoders.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hf_harness import (
    archlint_counts,
    archlint_errors,
    archlint_figure,
    transformers,
    transformers_cache_bytes,
    transformers_counts,
    transformers_verdict,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.crosscheck

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "huggingface"
DECODERS = ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3", "mixtral", "qwen2_moe",
            "qwen3_moe", "deepseek_v2", "deepseek_v3")
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json")
                       if json.loads(p.read_text()).get("model_type") in DECODERS)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_published_configs_count_as_transformers_builds_them(name):
    transformers()  # skipped without it
    config = json.loads((EXAMPLES / name).read_text())
    total, base, modules = archlint_counts(config)
    expected_total, expected_base, expected_modules = transformers_counts(config)
    assert (total, base) == (expected_total, expected_base)
    assert modules == expected_modules


@st.composite
def tiny(draw, model_type: str) -> dict:
    """A valid tiny config of `model_type` (every size small, every optional feature drawn)."""
    kv = draw(st.integers(1, 3))
    heads = kv * draw(st.integers(1, 3))
    head_dim = draw(st.sampled_from([2, 4, 6, 8]))
    config = {"model_type": model_type, "vocab_size": draw(st.integers(8, 40)), "hidden_size": heads * head_dim,
              "intermediate_size": draw(st.integers(1, 24)), "num_hidden_layers": draw(st.integers(1, 3)),
              "num_attention_heads": heads, "num_key_value_heads": kv, "max_position_embeddings": 64,
              "pad_token_id": None, "bos_token_id": 0, "eos_token_id": 1}
    if model_type in ("qwen3", "gemma", "gemma2", "gemma3_text", "llama", "mistral") and draw(st.booleans()):
        config["head_dim"] = draw(st.sampled_from([2, 4, 6, 8]))
    if model_type in ("llama", "qwen3", "gemma", "gemma2", "gemma3_text", "qwen3_moe", "deepseek_v2", "deepseek_v3"):
        config["attention_bias"] = draw(st.booleans())
    if model_type in ("llama", "deepseek_v2"):
        config["mlp_bias"] = draw(st.booleans())
    if model_type == "qwen2_moe":
        config["qkv_bias"] = draw(st.booleans())
    config["tie_word_embeddings"] = draw(st.booleans())
    if model_type in ("mixtral", "qwen2_moe", "qwen3_moe"):
        experts = draw(st.integers(1, 4))
        config["num_local_experts" if model_type == "mixtral" else "num_experts"] = experts
        config["num_experts_per_tok"] = draw(st.integers(1, experts))
        if model_type != "mixtral":
            config["moe_intermediate_size"] = draw(st.integers(1, 12))
            config["decoder_sparse_step"] = draw(st.integers(1, 2))
            config["mlp_only_layers"] = draw(st.lists(st.integers(0, 2), max_size=2, unique=True))
        if model_type == "qwen2_moe":
            config["shared_expert_intermediate_size"] = draw(st.integers(1, 12))
    if model_type.startswith("deepseek"):
        config["num_key_value_heads"] = heads  # MLA runs with as many kv heads only (E103 otherwise)
        groups = draw(st.integers(1, 2))
        experts = groups * draw(st.integers(2, 3))
        config.update({"n_routed_experts": experts, "n_group": groups, "topk_group": draw(st.integers(1, groups)),
                       "num_experts_per_tok": draw(st.integers(1, experts)), "moe_intermediate_size": draw(st.integers(1, 12)),
                       "n_shared_experts": draw(st.integers(1, 2)), "first_k_dense_replace": draw(st.integers(0, 2)),
                       "kv_lora_rank": draw(st.sampled_from([2, 4, 6])), "q_lora_rank": draw(st.sampled_from([None, 3, 8])),
                       "qk_rope_head_dim": draw(st.sampled_from([2, 4])), "qk_nope_head_dim": draw(st.sampled_from([2, 4, 6])),
                       "v_head_dim": draw(st.integers(1, 6))})
    architecture = draw(st.sampled_from(["causal", "base", "sequence"]))
    prefix = {"llama": "Llama", "mistral": "Mistral", "qwen2": "Qwen2", "qwen3": "Qwen3", "gemma": "Gemma",
              "gemma2": "Gemma2", "gemma3_text": "Gemma3", "phi3": "Phi3", "mixtral": "Mixtral", "qwen2_moe": "Qwen2Moe",
              "qwen3_moe": "Qwen3Moe", "deepseek_v2": "DeepseekV2", "deepseek_v3": "DeepseekV3"}[model_type]
    suffix = {"causal": "ForCausalLM", "base": "Model", "sequence": "ForSequenceClassification"}[architecture]
    if model_type == "gemma3_text" and architecture == "base":
        suffix = "TextModel"
    if model_type == "gemma3_text" and architecture == "sequence":
        suffix = "ForCausalLM"
    config["architectures"] = [prefix + suffix]
    if architecture == "sequence":
        config["id2label"] = {str(i): f"L{i}" for i in range(draw(st.integers(1, 4)))}
    return config


@pytest.mark.parametrize("model_type", DECODERS)
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_drawn_tiny_configs_count_as_transformers_builds_them(model_type, data):
    config = data.draw(tiny(model_type))
    accepted, why = transformers_verdict(config)
    errors = archlint_errors(config)
    assert accepted == (not errors), (config, why, errors)
    if accepted:
        total, base, modules = archlint_counts(config)
        assert (total, base, modules) == transformers_counts(config), config


# One change each to a valid tiny config: archlint must report an error exactly when transformers refuses.
MUTATIONS = {
    "hidden not a multiple of heads": {"hidden_size": 10, "num_attention_heads": 4, "num_key_value_heads": 2},
    "kv heads do not divide heads": {"num_attention_heads": 6, "num_key_value_heads": 4, "hidden_size": 24},
    "kv heads above heads": {"num_attention_heads": 2, "num_key_value_heads": 4, "hidden_size": 8},
    "odd head_dim": {"head_dim": 7},
    "pad outside vocab": {"pad_token_id": 64},
    "negative pad": {"pad_token_id": -1},
    "eos outside vocab": {"eos_token_id": 64},
    "unknown activation": {"hidden_act": "swiglu", "hidden_activation": "swiglu"},
    "unknown rope type": {"rope_scaling": {"rope_type": "lineer", "factor": 2.0}},
    "rope without factor": {"rope_scaling": {"rope_type": "linear"}},
    "rope yarn": {"rope_scaling": {"rope_type": "yarn", "factor": 2.0}},
    "rope llama3 missing": {"rope_scaling": {"rope_type": "llama3", "factor": 8.0}},
    "hidden as string": {"hidden_size": "16"},
    "layers as float": {"num_hidden_layers": 2.0},
    "zero heads": {"num_attention_heads": 0},
    "zero vocab": {"vocab_size": 0},
    "negative intermediate": {"intermediate_size": -1},
    "zero intermediate": {"intermediate_size": 0},
    "zero layers": {"num_hidden_layers": 0},
    "rope theta zero": {"rope_theta": 0.0},
    "top-k above experts": {"num_experts_per_tok": 9},
    "typo": {"num_attention_head": 8},
    "null hidden": {"hidden_size": None},
    "bool layers": {"num_hidden_layers": True},
    "float eps as int": {"rms_norm_eps": 1},
    "odd nope dim": {"qk_nope_head_dim": 3},
    "odd latent": {"kv_lora_rank": 5},
    "one expert per group": {"n_group": 4, "topk_group": 1},
    "groups not dividing experts": {"n_group": 3},
    "topk_group above groups": {"n_group": 2, "topk_group": 3},
    "dense layers only": {"first_k_dense_replace": 2, "num_experts_per_tok": 9},
    "mlp_only_layers not a list": {"mlp_only_layers": 5},
    "mlp_only_layers of strings": {"mlp_only_layers": ["a"]},
    "layer_types of one layer": {"layer_types": ["full_attention"]},
}


@pytest.mark.parametrize("model_type", DECODERS)
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_verdicts_equal_transformers(model_type, mutation):
    config = {"model_type": model_type, "vocab_size": 64, "hidden_size": 16, "intermediate_size": 24,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4,
              "max_position_embeddings": 64, "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 1,
              "num_local_experts": 4, "num_experts": 4, "n_routed_experts": 4, "num_experts_per_tok": 2,
              "moe_intermediate_size": 8, "shared_expert_intermediate_size": 8, "n_group": 1, "topk_group": 1,
              "kv_lora_rank": 6, "q_lora_rank": 8, "qk_rope_head_dim": 4, "qk_nope_head_dim": 4, "v_head_dim": 4}
    if model_type.startswith("deepseek"):
        config["num_key_value_heads"] = config["num_attention_heads"]  # MLA runs with as many kv heads only
    config.update(MUTATIONS[mutation])
    accepted, why = transformers_verdict(config)
    errors = archlint_errors(config)
    assert accepted == (not errors), (why, errors)


@pytest.mark.parametrize("model_type", DECODERS)
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data(), tokens=st.integers(1, 12))
def test_kv_cache_bytes_equal_what_transformers_caches(model_type, data, tokens):
    """The KV cache after a forward pass over `tokens` tokens (float32), sliding windows drawn too."""
    config = data.draw(tiny(model_type))
    config["architectures"] = config["architectures"][0:1]
    config["architectures"][0] = config["architectures"][0].replace("TextModel", "ForCausalLM").replace(
        "ForSequenceClassification", "ForCausalLM")
    if config["architectures"][0].endswith("Model"):
        config["architectures"][0] = config["architectures"][0][:-len("Model")] + "ForCausalLM"
    if model_type in ("mistral", "mixtral", "phi3", "gemma2", "gemma3_text") or data.draw(st.booleans()):
        config["sliding_window"] = data.draw(st.integers(2, 8))
        if model_type in ("qwen2", "qwen3", "qwen2_moe", "qwen3_moe"):
            config["use_sliding_window"] = True
            config["max_window_layers"] = data.draw(st.integers(0, 3))
    config["torch_dtype"] = "float32"
    if archlint_errors(config):
        return
    assert archlint_figure(config, "kv_cache_bytes", seq_len=tokens) == transformers_cache_bytes(config, tokens), config
