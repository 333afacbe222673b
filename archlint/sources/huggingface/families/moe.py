"""Mixture-of-experts decoders: mixtral, qwen2_moe, qwen3_moe. The routed experts of a layer are one
module in transformers 5 (`mlp.experts`, fused gate/up and down weights of every expert): counted here
as one Part per expert times the number of experts, never instantiated one by one."""

from __future__ import annotations

from archlint.sources.huggingface.families.llama import finish, head_dim, kv_heads
from archlint.sources.huggingface.layout import (
    Attention,
    attention,
    decoder_classes,
    decoder_layer_class,
    experts_per_token,  # noqa: F401 - this family's hook
    gated_mlp,
    linear,
    norm,
)
from archlint.sources.huggingface.parts import Part

MODEL_TYPES = ("mixtral", "qwen2_moe", "qwen3_moe")

# The config classes' own keys and defaults (transformers 5.25: MixtralConfig, Qwen2MoeConfig, Qwen3MoeConfig).
CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "mixtral": {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": None, "hidden_act": "silu",
        "max_position_embeddings": 131072, "initializer_range": 0.02, "rms_norm_eps": 1e-05, "use_cache": True,
        "pad_token_id": None, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False,
        "sliding_window": None, "attention_dropout": 0.0, "num_experts_per_tok": 2, "num_local_experts": 8,
        "output_router_logits": False, "router_aux_loss_coef": 0.001, "router_jitter_noise": 0.0,
        "rope_parameters": None,
    },
    "qwen2_moe": {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 24,
        "num_attention_heads": 16, "num_key_value_heads": 16, "hidden_act": "silu",
        "max_position_embeddings": 32768, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "tie_word_embeddings": False, "rope_parameters": None, "use_sliding_window": False,
        "sliding_window": 4096, "max_window_layers": 28, "attention_dropout": 0.0, "decoder_sparse_step": 1,
        "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632, "num_experts_per_tok": 4,
        "num_experts": 60, "norm_topk_prob": False, "output_router_logits": False,
        "router_aux_loss_coef": 0.001, "mlp_only_layers": None, "qkv_bias": True, "layer_types": None,
        "pad_token_id": None, "bos_token_id": None, "eos_token_id": None,
    },
    "qwen3_moe": {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24,
        "num_attention_heads": 32, "num_key_value_heads": 4, "hidden_act": "silu",
        "max_position_embeddings": 32768, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "tie_word_embeddings": False, "rope_parameters": None, "attention_bias": False,
        "use_sliding_window": False, "sliding_window": 4096, "attention_dropout": 0.0,
        "decoder_sparse_step": 1, "moe_intermediate_size": 768, "num_experts_per_tok": 8, "num_experts": 128,
        "norm_topk_prob": False, "output_router_logits": False, "router_aux_loss_coef": 0.001,
        "mlp_only_layers": None, "pad_token_id": None, "bos_token_id": None, "eos_token_id": None,
    },
}
# Other names the config classes accept for a key (their `attribute_map`).
ALIASES = {"mixtral": {"num_experts": "num_local_experts"}, "qwen3_moe": {"num_local_experts": "num_experts"},
           "qwen2_moe": {}}

CONFIG_CLASS = {"mixtral": "MixtralConfig", "qwen2_moe": "Qwen2MoeConfig", "qwen3_moe": "Qwen3MoeConfig"}
PREFIX = {"mixtral": "Mixtral", "qwen2_moe": "Qwen2Moe", "qwen3_moe": "Qwen3Moe"}
ARCHITECTURES, DEFAULT_ARCHITECTURE = decoder_classes(PREFIX)


def experts(cfg: dict) -> int:
    return cfg["num_local_experts"] if cfg["model_type"] == "mixtral" else cfg["num_experts"]


def sparse(cfg: dict, index: int) -> bool:
    """Whether layer `index` routes to experts (Qwen: `mlp_only_layers`, `decoder_sparse_step`)."""
    if cfg["model_type"] == "mixtral":
        return True
    only = cfg.get("mlp_only_layers") or []
    return index not in only and experts(cfg) > 0 and (index + 1) % cfg["decoder_sparse_step"] == 0


def parts(cfg: dict, architecture: str) -> list[Part]:
    model_type = cfg["model_type"]
    prefix = PREFIX[model_type]
    rms = f"{prefix}RMSNorm"
    hidden, vocab = cfg["hidden_size"], cfg["vocab_size"]
    heads, kv = cfg["num_attention_heads"], kv_heads(cfg)
    dim = head_dim(cfg) if model_type != "mixtral" or cfg.get("head_dim") else hidden // heads
    count = experts(cfg)
    expert = cfg["intermediate_size"] if model_type == "mixtral" else cfg["moe_intermediate_size"]
    out: list[Part] = [Part("model.embed_tokens", "Embedding", vocab * hidden, "embeddings")]
    for index in range(cfg["num_hidden_layers"]):
        at = f"model.layers.{index}"
        bias = model_type == "qwen3_moe" and bool(cfg.get("attention_bias"))
        out += attention(f"{at}.self_attn", hidden, heads, kv, dim,
                         qkv_bias=bool(cfg.get("qkv_bias")) if model_type == "qwen2_moe" else bias, o_bias=bias)
        if model_type == "qwen3_moe":
            out += [norm(f"{at}.self_attn.q_norm", rms, dim), norm(f"{at}.self_attn.k_norm", rms, dim)]
        if sparse(cfg, index):
            out += [Part(f"{at}.mlp.gate", f"{prefix}TopKRouter", count * hidden, "router"),
                    Part(f"{at}.mlp.experts", f"{prefix}Experts", 3 * expert * hidden, "experts", count=count)]
            if model_type == "qwen2_moe":
                out += gated_mlp(f"{at}.mlp.shared_expert", hidden, cfg["shared_expert_intermediate_size"],
                                 "shared_experts")
                out.append(Part(f"{at}.mlp.shared_expert_gate", "Linear", linear(hidden, 1), "router"))
        else:
            out += gated_mlp(f"{at}.mlp", hidden, cfg["intermediate_size"])
        out += [norm(f"{at}.input_layernorm", rms, hidden), norm(f"{at}.post_attention_layernorm", rms, hidden)]
    return finish(out, cfg, architecture, rms)


layer_class = decoder_layer_class(PREFIX)


def attention_layers(cfg: dict) -> list[Attention]:
    hidden, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], kv_heads(cfg)
    dim = head_dim(cfg) if cfg["model_type"] != "mixtral" or cfg.get("head_dim") else hidden // heads
    model_type, size = cfg["model_type"], cfg.get("sliding_window")
    if isinstance(cfg.get("layer_types"), list):  # the cache reads the attribute (llama.layer_types)
        kinds = cfg["layer_types"]
    elif model_type == "mixtral":
        kinds = ["sliding_attention" if isinstance(size, int) else "full_attention"] * cfg["num_hidden_layers"]
    elif model_type == "qwen2_moe":
        use = bool(cfg.get("use_sliding_window"))
        kinds = cfg["layer_types"] if isinstance(cfg.get("layer_types"), list) else [
            "sliding_attention" if (i + 1) % 2 and i < cfg["max_window_layers"] and use else "full_attention"
            for i in range(cfg["num_hidden_layers"])]
    else:
        kinds = ["sliding_attention" if cfg.get("use_sliding_window") and isinstance(size, int) else "full_attention"
                 ] * cfg["num_hidden_layers"]
    return [Attention(2 * kv * dim, size if kind == "sliding_attention" and isinstance(size, int) else None,
                      2 * heads * dim) for kind in kinds]


CHECKS_HEADS = True


def unused_keys(cfg: dict) -> set[str]:
    """Qwen's intermediate_size sizes the dense layers only (mlp_only_layers, decoder_sparse_step)."""
    if cfg["model_type"] == "mixtral" or not all(sparse(cfg, i) for i in range(cfg["num_hidden_layers"])):
        return set()
    return {"intermediate_size"}


def check(cfg: dict, report) -> bool:
    from archlint import rules
    from archlint.sources.huggingface.families.llama import check_heads

    given = cfg.get("head_dim")
    if check_heads(cfg, report, given if isinstance(given, int) else None) is False:
        return False
    key = "num_local_experts" if cfg["model_type"] == "mixtral" else "num_experts"
    top_k, count = cfg.get("num_experts_per_tok"), experts(cfg)
    if isinstance(top_k, int) and top_k > count and any(sparse(cfg, i) for i in range(cfg["num_hidden_layers"])):
        report(rules.HF_TOP_K, f"`num_experts_per_tok` ({top_k}) is larger than `{key}` ({count})",
               "num_experts_per_tok", "the first forward pass fails when the router picks its top experts: use at "
               f"most {count} experts per token")
    return True
