"""DeepSeek-V2 and -V3: multi-head latent attention (queries through an optional low-rank `q_lora_rank`,
keys and values from a shared `kv_lora_rank` latent plus a rotary key shared by every head) and
mixture-of-experts layers after the first `first_k_dense_replace` dense ones, with shared experts.
The cache keeps the compressed latent and the rotary key: kv_lora_rank + qk_rope_head_dim per token."""

from __future__ import annotations

from archlint.sources.huggingface.families.llama import finish
from archlint.sources.huggingface.layout import (
    Attention,
    decoder_classes,
    decoder_layer_class,
    experts_per_token,  # noqa: F401 - this family's hook
    gated_mlp,
    linear,
    norm,
)
from archlint.sources.huggingface.parts import Part

MODEL_TYPES = ("deepseek_v2", "deepseek_v3")

# The config classes' own keys and defaults (transformers 5.25: DeepseekV2Config, DeepseekV3Config).
CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "deepseek_v2": {
        "vocab_size": 102400, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "hidden_act": "silu",
        "max_position_embeddings": 2048, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "pad_token_id": None, "bos_token_id": 1, "eos_token_id": 2, "pretraining_tp": 1,
        "tie_word_embeddings": False, "rope_parameters": None, "attention_bias": False,
        "attention_dropout": 0.0, "mlp_bias": False, "head_dim": None, "first_k_dense_replace": 0,
        "kv_lora_rank": 512, "q_lora_rank": 1536, "n_group": None, "n_routed_experts": 64,
        "output_router_logits": False, "n_shared_experts": 2, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
        "routed_scaling_factor": 1.0, "topk_group": None, "topk_method": "greedy", "norm_topk_prob": False,
        "v_head_dim": 128, "num_experts_per_tok": None, "moe_intermediate_size": 1407,
    },
    "deepseek_v3": {
        "vocab_size": 129280, "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
        "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128, "n_shared_experts": 1,
        "n_routed_experts": 256, "output_router_logits": False, "routed_scaling_factor": 2.5,
        "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "v_head_dim": 128,
        "qk_nope_head_dim": 128, "n_group": 8, "topk_group": 4, "num_experts_per_tok": 8,
        "first_k_dense_replace": 3, "norm_topk_prob": True, "hidden_act": "silu",
        "max_position_embeddings": 4096, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "pad_token_id": None, "bos_token_id": 0, "eos_token_id": 1, "pretraining_tp": 1,
        "tie_word_embeddings": False, "rope_parameters": None, "rope_interleave": True,
        "attention_bias": False, "attention_dropout": 0.0, "num_nextn_predict_layers": 1,
    },
}
ALIASES = {"deepseek_v2": {"num_experts": "n_routed_experts"},
           "deepseek_v3": {"num_local_experts": "n_routed_experts", "num_mtp_layers": "num_nextn_predict_layers"}}
# (DeepSeek-V3's multi-token-prediction layers, num_nextn_predict_layers, are not built by transformers.)

CONFIG_CLASS = {"deepseek_v2": "DeepseekV2Config", "deepseek_v3": "DeepseekV3Config"}
PREFIX = {"deepseek_v2": "DeepseekV2", "deepseek_v3": "DeepseekV3"}
ARCHITECTURES, DEFAULT_ARCHITECTURE = decoder_classes(PREFIX)


def qk_head_dim(cfg: dict) -> int:
    return cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]


def parts(cfg: dict, architecture: str) -> list[Part]:
    model_type = cfg["model_type"]
    prefix = PREFIX[model_type]
    rms = f"{prefix}RMSNorm"
    hidden, vocab, heads = cfg["hidden_size"], cfg["vocab_size"], cfg["num_attention_heads"]
    q_rank, kv_rank, rope = cfg["q_lora_rank"], cfg["kv_lora_rank"], cfg["qk_rope_head_dim"]
    v_dim, bias = cfg["v_head_dim"], bool(cfg.get("attention_bias"))
    mlp_bias = model_type == "deepseek_v2" and bool(cfg.get("mlp_bias"))
    routed, expert = cfg["n_routed_experts"], cfg["moe_intermediate_size"]
    out: list[Part] = [Part("model.embed_tokens", "Embedding", vocab * hidden, "embeddings")]
    for index in range(cfg["num_hidden_layers"]):
        at = f"model.layers.{index}.self_attn"
        if q_rank is None:
            out.append(Part(f"{at}.q_proj", "Linear", linear(hidden, heads * qk_head_dim(cfg)), "attention.q"))
        else:
            out += [Part(f"{at}.q_a_proj", "Linear", linear(hidden, q_rank, bias), "attention.q"),
                    norm(f"{at}.q_a_layernorm", rms, q_rank),
                    Part(f"{at}.q_b_proj", "Linear", linear(q_rank, heads * qk_head_dim(cfg)), "attention.q")]
        out += [Part(f"{at}.kv_a_proj_with_mqa", "Linear", linear(hidden, kv_rank + rope, bias), "attention.k"),
                norm(f"{at}.kv_a_layernorm", rms, kv_rank),
                Part(f"{at}.kv_b_proj", "Linear", linear(kv_rank, heads * (cfg["qk_nope_head_dim"] + v_dim)),
                     "attention.v"),
                Part(f"{at}.o_proj", "Linear", linear(heads * v_dim, hidden, bias), "attention.o")]
        at = f"model.layers.{index}"
        if index >= cfg["first_k_dense_replace"]:
            out += [Part(f"{at}.mlp.experts", f"{prefix}Experts", 3 * expert * hidden, "experts", count=routed),
                    Part(f"{at}.mlp.gate", f"{prefix}TopkRouter", routed * hidden, "router")]
            out += gated_mlp(f"{at}.mlp.shared_experts", hidden, expert * cfg["n_shared_experts"], "shared_experts",
                             mlp_bias)
        else:
            out += gated_mlp(f"{at}.mlp", hidden, cfg["intermediate_size"], bias=mlp_bias)
        out += [norm(f"{at}.input_layernorm", rms, hidden), norm(f"{at}.post_attention_layernorm", rms, hidden)]
    return finish(out, cfg, architecture, rms)


layer_class = decoder_layer_class(PREFIX)


def attention_layers(cfg: dict) -> list[Attention]:
    """The latent cache: kv_lora_rank + qk_rope_head_dim values per token, as transformers' cache keeps them
    (the keys and values of every head are expanded from it at each step)."""
    from archlint.sources.huggingface.families.llama import layer_types

    heads = cfg["num_attention_heads"]
    cached = cfg["kv_lora_rank"] + cfg["qk_rope_head_dim"]
    size = cfg.get("sliding_window")  # not DeepSeek's, but transformers' cache reads it (llama.layer_types)
    return [Attention(cached, size if kind == "sliding_attention" and isinstance(size, int) else None,
                      heads * (qk_head_dim(cfg) + cfg["v_head_dim"])) for kind in layer_types(cfg)]


CHECKS_HEADS = True


def unused_keys(cfg: dict) -> set[str]:
    """intermediate_size sizes the dense layers only."""
    return {"intermediate_size"} if cfg["first_k_dense_replace"] <= 0 else set()


def check(cfg: dict, report) -> bool:
    from archlint import rules
    from archlint.sources.huggingface.families.llama import check_heads

    # DeepseekV3Config validates a head_dim the file gives before replacing it with qk_rope_head_dim;
    # DeepseekV2Config replaces it first
    given = cfg.get("head_dim") if cfg["model_type"] == "deepseek_v3" else None
    if check_heads(cfg, report, given if isinstance(given, int) else cfg["qk_rope_head_dim"]) is False:
        return False
    if cfg["model_type"] == "deepseek_v2":
        # DeepSeek-V2 rotates through torch.view_as_complex, which needs the rotary slice at an even offset
        for key in ("qk_nope_head_dim", "kv_lora_rank"):
            if cfg[key] % 2:
                report(rules.HF_HEAD_DIM, f"`{key}` is {cfg[key]}, odd: DeepSeek-V2 views the rotary part that "
                       "follows it as complex numbers, and the first forward pass fails on the odd offset", key,
                       "an even size")
    top_k, count = cfg.get("num_experts_per_tok"), cfg["n_routed_experts"]
    if cfg["num_hidden_layers"] <= cfg["first_k_dense_replace"]:
        return True  # no layer routes
    if isinstance(top_k, int) and top_k > count:
        report(rules.HF_TOP_K, f"`num_experts_per_tok` ({top_k}) is larger than `n_routed_experts` ({count})",
               "num_experts_per_tok", "the first forward pass fails when the router picks its top experts: use at "
               f"most {count} experts per token")
    groups, chosen = cfg.get("n_group"), cfg.get("topk_group")
    grouped = cfg["model_type"] == "deepseek_v3" or cfg.get("topk_method") == "group_limited_greedy"
    if grouped and isinstance(groups, int) and groups > 0:
        if count % groups:
            report(rules.HF_TOP_K, f"`n_routed_experts` ({count}) is not a multiple of `n_group` ({groups}): the "
                   "router cannot split the experts into groups in the first forward pass", "n_group",
                   f"a group count that divides {count}")
        elif cfg["model_type"] == "deepseek_v3" and count // groups < 2:
            report(rules.HF_TOP_K, f"{count // groups} expert per group (`n_routed_experts` {count} / `n_group` "
                   f"{groups}): the first forward pass fails", "n_group",
                   "DeepSeek-V3's router scores each group by its top 2 experts; at least 2 experts per group")
        if isinstance(chosen, int) and chosen > groups:
            report(rules.HF_TOP_K, f"`topk_group` ({chosen}) is larger than `n_group` ({groups}): the first forward "
                   "pass fails when the router picks its top groups", "topk_group", f"at most {groups} groups")
    return True
