"""Dense decoder-only families with rotary positions: llama, mistral, qwen2, qwen3, gemma, gemma2,
gemma3_text, phi3. Their layers are pre-norm blocks of grouped-query attention and a gated MLP; the
differences are biases, q/k norms, the Gemma sandwich norms, Phi-3's fused projections, and which
layers attend through a sliding window."""

from __future__ import annotations

from dataclasses import replace

from archlint.sources.huggingface.layout import (
    Attention,
    attention,
    decoder_classes,
    decoder_layer_class,
    gated_mlp,
    linear,
    lm_head,
    norm,
    num_labels,
)
from archlint.sources.huggingface.parts import Part

MODEL_TYPES = ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3")

# The config classes' own keys and defaults (transformers 5.25: LlamaConfig, MistralConfig, ...).
CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "llama": {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "hidden_act": "silu",
        "max_position_embeddings": 2048, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "pad_token_id": None, "bos_token_id": 1, "eos_token_id": 2, "pretraining_tp": 1,
        "tie_word_embeddings": False, "rope_parameters": None, "attention_bias": False,
        "attention_dropout": 0.0, "mlp_bias": False, "head_dim": None,
    },
    "mistral": {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": None, "hidden_act": "silu",
        "max_position_embeddings": 131072, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "pad_token_id": None, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False,
        "rope_parameters": None, "sliding_window": 4096, "attention_dropout": 0.0,
    },
    "qwen2": {
        "vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32, "hidden_act": "silu",
        "max_position_embeddings": 32768, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "tie_word_embeddings": False, "rope_parameters": None, "use_sliding_window": False,
        "sliding_window": 4096, "max_window_layers": 28, "layer_types": None, "attention_dropout": 0.0,
        "pad_token_id": None, "bos_token_id": None, "eos_token_id": None,
    },
    "qwen3": {
        "vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 128, "hidden_act": "silu",
        "max_position_embeddings": 32768, "initializer_range": 0.02, "rms_norm_eps": 1e-06, "use_cache": True,
        "tie_word_embeddings": False, "rope_parameters": None, "attention_bias": False,
        "use_sliding_window": False, "sliding_window": 4096, "max_window_layers": 28, "layer_types": None,
        "attention_dropout": 0.0, "pad_token_id": None, "bos_token_id": None, "eos_token_id": None,
    },
    "gemma": {
        "vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576, "num_hidden_layers": 28,
        "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256,
        "hidden_act": "gelu_pytorch_tanh", "max_position_embeddings": 8192, "initializer_range": 0.02,
        "rms_norm_eps": 1e-06, "use_cache": True, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2,
        "tie_word_embeddings": True, "rope_parameters": None, "attention_bias": False,
        "attention_dropout": 0.0, "use_bidirectional_attention": None,
    },
    "gemma2": {
        "vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
        "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 8192, "initializer_range": 0.02,
        "rms_norm_eps": 1e-06, "use_cache": True, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2,
        "tie_word_embeddings": True, "rope_parameters": None, "attention_bias": False,
        "attention_dropout": 0.0, "query_pre_attn_scalar": 256, "sliding_window": 4096, "layer_types": None,
        "final_logit_softcapping": 30.0, "attn_logit_softcapping": 50.0, "use_bidirectional_attention": None,
    },
    "gemma3_text": {
        "vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
        "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 131072, "initializer_range": 0.02,
        "rms_norm_eps": 1e-06, "use_cache": True, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2,
        "tie_word_embeddings": True, "rope_parameters": None, "attention_bias": False,
        "attention_dropout": 0.0, "query_pre_attn_scalar": 256, "sliding_window": 4096, "layer_types": None,
        "final_logit_softcapping": None, "attn_logit_softcapping": None, "use_bidirectional_attention": False,
    },
    "phi3": {
        "vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "resid_pdrop": 0.0, "embd_pdrop": 0.0,
        "attention_dropout": 0.0, "hidden_act": "silu", "max_position_embeddings": 4096,
        "original_max_position_embeddings": 4096, "initializer_range": 0.02, "rms_norm_eps": 1e-05,
        "use_cache": True, "tie_word_embeddings": False, "rope_parameters": None, "bos_token_id": 1,
        "eos_token_id": 32000, "pad_token_id": 32000, "sliding_window": None,
    },
}

# The class prefix transformers gives each family's modules (LlamaRMSNorm, Gemma3DecoderLayer).
CONFIG_CLASS = {"llama": "LlamaConfig", "mistral": "MistralConfig", "qwen2": "Qwen2Config", "qwen3": "Qwen3Config",
                "gemma": "GemmaConfig", "gemma2": "Gemma2Config", "gemma3_text": "Gemma3TextConfig",
                "phi3": "Phi3Config"}
PREFIX = {"llama": "Llama", "mistral": "Mistral", "qwen2": "Qwen2", "qwen3": "Qwen3", "gemma": "Gemma",
          "gemma2": "Gemma2", "gemma3_text": "Gemma3", "phi3": "Phi3"}
ARCHITECTURES, DEFAULT_ARCHITECTURE = decoder_classes(PREFIX)
ARCHITECTURES["Gemma3TextModel"] = "base"


def head_dim(cfg: dict) -> int:
    """`head_dim` when the file (or the class's default) gives one, else hidden_size // num_attention_heads."""
    given = cfg.get("head_dim")
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    return cfg["hidden_size"] // cfg["num_attention_heads"]


def kv_heads(cfg: dict) -> int:
    kv = cfg.get("num_key_value_heads")
    return kv if isinstance(kv, int) else cfg["num_attention_heads"]


def layer_types(cfg: dict) -> list[str]:
    """"sliding_attention" or "full_attention" for each layer, as the config class derives them and
    transformers' cache reads them: a `layer_types` list, else every layer sliding when the config has a
    `sliding_window` (DynamicCache reads the attribute whatever the family, even one its attention
    ignores, as a stray `sliding_window` key in a Llama config)."""
    count, model_type = cfg["num_hidden_layers"], cfg["model_type"]
    if isinstance(cfg.get("layer_types"), list):
        return list(cfg["layer_types"])
    if model_type in ("qwen2", "qwen3"):
        window = cfg["sliding_window"] if cfg.get("use_sliding_window") else None
        return ["sliding_attention" if window is not None and i >= cfg["max_window_layers"] else "full_attention"
                for i in range(count)]
    if model_type == "gemma2":
        return ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(count)]
    if model_type == "gemma3_text":
        pattern = cfg.get("sliding_window_pattern", 6)
        pattern = pattern if isinstance(pattern, int) and pattern > 0 else 6
        return ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(count)]
    return ["sliding_attention" if isinstance(cfg.get("sliding_window"), int) else "full_attention"] * count


def window(cfg: dict) -> int | None:
    size = cfg.get("sliding_window")
    if cfg["model_type"] == "gemma3_text" and cfg.get("use_bidirectional_attention") and isinstance(size, int):
        return size // 2 + 1  # Gemma3TextConfig halves it for bidirectional attention
    return size if isinstance(size, int) else None


def parts(cfg: dict, architecture: str) -> list[Part]:
    model_type = cfg["model_type"]
    prefix = PREFIX[model_type]
    rms = f"{prefix}RMSNorm"
    hidden, vocab, layers = cfg["hidden_size"], cfg["vocab_size"], cfg["num_hidden_layers"]
    heads, kv, dim = cfg["num_attention_heads"], kv_heads(cfg), head_dim(cfg)
    inter = cfg["intermediate_size"]
    scaled = model_type.startswith("gemma")
    embedding = f"{prefix}TextScaledWordEmbedding" if scaled else "Embedding"
    out: list[Part] = [Part("model.embed_tokens", embedding, vocab * hidden, "embeddings")]
    for index in range(layers):
        at = f"model.layers.{index}"
        if model_type == "phi3":
            out += [Part(f"{at}.self_attn.o_proj", "Linear", linear(heads * dim, hidden), "attention.o"),
                    Part(f"{at}.self_attn.qkv_proj", "Linear", linear(hidden, (heads + 2 * kv) * dim),
                         "attention.other"),
                    Part(f"{at}.mlp.gate_up_proj", "Linear", linear(hidden, 2 * inter), "mlp"),
                    Part(f"{at}.mlp.down_proj", "Linear", linear(inter, hidden), "mlp")]
        else:
            bias = bool(cfg.get("attention_bias"))
            out += attention(f"{at}.self_attn", hidden, heads, kv, dim, qkv_bias=bias or model_type == "qwen2",
                             o_bias=bias and model_type != "qwen2")
            if model_type in ("qwen3", "gemma3_text"):
                out += [norm(f"{at}.self_attn.q_norm", rms, dim), norm(f"{at}.self_attn.k_norm", rms, dim)]
            out += gated_mlp(f"{at}.mlp", hidden, inter, bias=model_type == "llama" and bool(cfg.get("mlp_bias")))
        out += [norm(f"{at}.input_layernorm", rms, hidden), norm(f"{at}.post_attention_layernorm", rms, hidden)]
        if model_type in ("gemma2", "gemma3_text"):
            out += [norm(f"{at}.pre_feedforward_layernorm", rms, hidden),
                    norm(f"{at}.post_feedforward_layernorm", rms, hidden)]
    return finish(out, cfg, architecture, rms)


def head(cfg: dict, architecture: str, hidden: int, vocab: int) -> list[Part]:
    """The task head of the decoder families (shared with moe and deepseek). The base class (LlamaModel)
    has no head, and its modules are named without the `model.` its task classes hold it under."""
    if architecture == "base":
        return []
    if architecture == "causal_lm":
        return [lm_head(hidden, vocab, bool(cfg.get("tie_word_embeddings")))]
    if architecture == "sequence_classification":
        return [Part("score", "Linear", linear(hidden, num_labels(cfg)), "head", base=False)]
    if architecture == "token_classification":
        return [Part("score", "Linear", linear(hidden, num_labels(cfg), True), "head", base=False)]
    return []


def finish(out: list[Part], cfg: dict, architecture: str, rms: str) -> list[Part]:
    """The final norm and the task head after the decoder layers, named as the class names them."""
    out.append(norm("model.norm", rms, cfg["hidden_size"]))
    return rooted(out, architecture) + head(cfg, architecture, cfg["hidden_size"], cfg["vocab_size"])


def rooted(parts: list[Part], architecture: str) -> list[Part]:
    """The base class's module names: `embed_tokens`, `layers.0...` instead of `model.embed_tokens`."""
    if architecture != "base":
        return parts
    return [replace(part, path=part.path.removeprefix("model.")) for part in parts]


layer_class = decoder_layer_class(PREFIX)


def attention_layers(cfg: dict) -> list[Attention]:
    """Per layer: what the KV cache keeps per token, and the attention's MACs per attended token."""
    heads, kv, dim, size = cfg["num_attention_heads"], kv_heads(cfg), head_dim(cfg), window(cfg)
    return [Attention(2 * kv * dim, size if kind == "sliding_attention" else None, 2 * heads * dim)
            for kind in layer_types(cfg)]


# The config classes whose validation refuses a hidden_size that is not a multiple of the head count
# (the others build and run: their head_dim is hidden_size // heads and o_proj maps back).
VALIDATES_HEADS = frozenset({"llama", "gemma2", "gemma3_text", "deepseek_v2"})


def check_heads(cfg: dict, report, rotary_dim: int | None) -> bool:
    """E102, E103 and E104, shared by the decoder families. False when the model cannot be counted."""
    from archlint import rules

    hidden, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg.get("num_key_value_heads")
    model_type = cfg["model_type"]
    if heads == 0:
        # the classes that neither validate nor derive head_dim from the head count run with no heads
        runs = model_type == "deepseek_v3" or (model_type in ("mistral", "mixtral") and isinstance(
            cfg.get("head_dim"), int))
        if not runs:
            report(rules.HF_NON_POSITIVE_SIZE, "`num_attention_heads` is 0: transformers cannot build a model with "
                   "it", "num_attention_heads", "a positive head count")
        return runs
    if model_type.startswith("deepseek") and isinstance(kv, int) and kv > 0 and heads // kv != 1:
        report(rules.HF_KV_HEADS_DIVIDE_HEADS, f"`num_key_value_heads` ({kv}) differs from `num_attention_heads` "
               f"({heads}): DeepSeek's first forward pass fails", "num_key_value_heads",
               "its attention expands keys and values to every head from the latent, then repeats them again by "
               f"heads // kv heads ({heads // kv}): use {heads} (or leave it out)")
    if model_type.startswith("deepseek"):
        kv = None  # MLA does not group the query heads: only the repeat above matters
    if model_type in VALIDATES_HEADS and hidden % heads:
        report(rules.HF_HEADS_DIVIDE_HIDDEN, f"`hidden_size` ({hidden}) is not a multiple of `num_attention_heads` "
               f"({heads}): {cfg['model_type']}'s config class refuses it", "hidden_size",
               f"a head count that divides {hidden}, or a hidden size that is a multiple of {heads}")
    if isinstance(kv, int) and kv > 0 and heads % kv:
        report(rules.HF_KV_HEADS_DIVIDE_HEADS, f"`num_attention_heads` ({heads}) is not a multiple of "
               f"`num_key_value_heads` ({kv})", "num_key_value_heads",
               "the model builds, but the first forward pass fails when the key/value heads are repeated for the "
               f"query heads: use a kv head count that divides {heads} (1 for multi-query, {heads} for multi-head "
               "attention)")
    if rotary_dim is not None and rotary_dim > 4 and rotary_dim % 2:
        report(rules.HF_HEAD_DIM, f"the rotary dimension is {rotary_dim}, odd: the config class refuses it (RoPE "
               "rotates pairs of dimensions)", "head_dim" if cfg["model_type"] not in ("deepseek_v2", "deepseek_v3")
               else "qk_rope_head_dim", "an even head size")
    return True


CHECKS_HEADS = True


def check(cfg: dict, report) -> bool:
    given = cfg.get("head_dim")
    rotary = given if isinstance(given, int) else None
    if rotary is None and cfg["model_type"] in ("llama", "mistral"):
        rotary = cfg["hidden_size"] // cfg["num_attention_heads"]  # the class sets head_dim from it
    return check_heads(cfg, report, rotary)
