"""A config.json read as transformers reads it: the config class's defaults for absent keys, the
aliases its class accepts, and which keys are unknown to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

# Keys every config class takes (PreTrainedConfig's own), the legacy names transformers 5 still converts
# (rope_theta and rope_scaling into rope_parameters, torch_dtype into dtype), and the metadata the Hub and
# the generation, quantization and tokenizer code write into config.json: read by other code, not a typo.
COMMON_KEYS = frozenset({
    "architectures", "model_type", "transformers_version", "_name_or_path", "output_hidden_states",
    "output_attentions", "return_dict", "dtype", "torch_dtype", "chunk_size_feed_forward", "is_encoder_decoder",
    "id2label", "label2id", "num_labels", "problem_type", "tie_word_embeddings", "bos_token_id", "eos_token_id",
    "pad_token_id", "sep_token_id", "decoder_start_token_id", "rope_theta", "rope_scaling", "rope_parameters",
    "partial_rotary_factor", "use_cache", "auto_map", "quantization_config", "tokenizer_class", "prefix",
    "task_specific_params", "finetuning_task", "is_decoder", "add_cross_attention", "cross_attention_hidden_size",
    "tie_encoder_decoder", "pruned_heads", "torchscript", "use_bfloat16", "attn_implementation",
    "_attn_implementation", "max_length", "min_length", "do_sample", "early_stopping", "num_beams",
    "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty",
    "length_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids",
    "num_return_sequences", "output_scores", "return_dict_in_generate", "forced_bos_token_id",
    "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens",
    "begin_suppress_tokens", "generation_config", "use_return_dict", "head_dim", "sliding_window_pattern",
})


@dataclass
class Resolved:
    model_type: str
    family: ModuleType
    cfg: dict  # every key of the class's defaults (the file's value, else the default), the file's others, model_type
    architecture_class: str  # the class counted: architectures[0], else the family's default class
    architecture: str  # what it builds: "causal_lm", "base", ...
    defaulted: list[str] = field(default_factory=list)  # the class's keys the file leaves out
    aliased: dict[str, str] = field(default_factory=dict)  # key in the file -> the class's key it sets

    @property
    def config_class(self) -> str:
        classes = getattr(self.family, "CONFIG_CLASS", {})
        return classes.get(self.model_type, f"the `{self.model_type}` config class")


def resolve(data: dict, family: ModuleType, model_type: str) -> Resolved:
    defaults = family.CONFIG_DEFAULTS[model_type]
    aliases = getattr(family, "ALIASES", {}).get(model_type, {})
    cfg = dict(defaults)
    aliased = {}
    for key, value in data.items():
        target = aliases.get(key, key)
        if target != key:
            aliased[key] = target
        cfg[target] = value
    cfg["model_type"] = model_type
    defaulted = [key for key in defaults if key not in data and key not in aliased.values()]
    classes = data.get("architectures")
    given = classes[0] if isinstance(classes, list) and classes and isinstance(classes[0], str) else None
    name = given if given in family.ARCHITECTURES else family.DEFAULT_ARCHITECTURE[model_type]
    return Resolved(model_type, family, cfg, name, family.ARCHITECTURES[name], defaulted, aliased)


def known_keys(resolved: Resolved) -> set[str]:
    family, model_type = resolved.family, resolved.model_type
    aliases = getattr(family, "ALIASES", {}).get(model_type, {})
    return set(family.CONFIG_DEFAULTS[model_type]) | set(aliases) | COMMON_KEYS


def parts(resolved: Resolved, cfg: dict | None = None) -> list:
    return resolved.family.parts(cfg if cfg is not None else resolved.cfg, resolved.architecture)


def total(part_list) -> int:
    return sum(part.total for part in part_list)
