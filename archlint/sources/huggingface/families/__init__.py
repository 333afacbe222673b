"""The family registry: every supported `model_type` and the module (in this package) that counts it.

Family modules are imported only for the model_type a file names. A module that is not present is
treated as an unsupported model_type (reported with the supported ones), so a partial installation
degrades to a warning, never a crash.

Besides the contract of `parts.py`, a family module may define (all optional):
    ALIASES: dict[model_type, dict[alias, key]]      # other names its config class accepts (attribute_map)
    def layer_class(cfg) -> str                      # the class of its repeated blocks ("LlamaDecoderLayer")
    def attention_layers(cfg) -> list[layout.Attention]  # per decoder layer: KV cache and score MACs
    def experts_per_token(cfg) -> int                # routed experts each token goes through (MoE)
    def check(cfg, report) -> bool | None            # what transformers refuses for this family; False:
                                                     # the config cannot be counted. report(rule, message,
                                                     # key, hint) locates a finding at the config key.
    CONFIG_CLASS: dict[model_type, str]              # "LlamaConfig", named in messages
    def unused_keys(cfg) -> set[str]                 # sizes no module of this config reads (not checked)
    CHECKS_HEADS = True                              # its `check` judges num_attention_heads == 0 itself
    PADDED_EMBEDDING = False                         # its token embedding has no padding_idx (E106 is off)
    ACTIVATION_KEYS: dict[model_type, tuple[str]]   # the keys looked up in ACT2FN (E108)
    def validate(cfg) -> list[tuple[key, message]]  # refusals, reported as E102/E103/E104/E106/E110
    PAIR_KEYS: tuple[str]                            # integer keys that also take a [height, width] pair
"""

from __future__ import annotations

import importlib
from types import ModuleType

# model_type -> module name, in the order the documentation lists them
MODULES: dict[str, str] = {
    "llama": "llama", "mistral": "llama", "qwen2": "llama", "qwen3": "llama", "gemma": "llama",
    "gemma2": "llama", "gemma3_text": "llama", "phi3": "llama",
    "mixtral": "moe", "qwen2_moe": "moe", "qwen3_moe": "moe",
    "deepseek_v2": "deepseek", "deepseek_v3": "deepseek",
    "gpt2": "gpt2", "gpt_neox": "gpt_neox", "opt": "opt", "bloom": "bloom", "falcon": "falcon",
    "bert": "bert", "roberta": "bert", "distilbert": "distilbert", "t5": "t5", "vit": "vit",
    "whisper": "whisper", "clip": "clip", "clip_text_model": "clip", "clip_vision_model": "clip",
}


def module(model_type: str) -> ModuleType | None:
    """The family module of `model_type`, or None when the type is unknown or its module is not installed."""
    name = MODULES.get(model_type)
    if name is None:
        return None
    try:
        found = importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        return None
    return found if model_type in getattr(found, "MODEL_TYPES", ()) else None


def supported() -> list[str]:
    """The model types whose family module is present."""
    return [model_type for model_type in MODULES if module(model_type) is not None]


def model_type_of(class_name: str) -> str | None:
    """The model_type of a class named in `architectures`, for a file without `model_type`: the type
    whose default class shares the longest prefix before `For`/`Model` with it (Qwen2MoeForCausalLM is
    qwen2_moe, not qwen2), among the types whose module knows the class."""
    best, length = None, 0
    for model_type in MODULES:
        family = module(model_type)
        if family is None or class_name not in family.ARCHITECTURES:
            continue
        default = family.DEFAULT_ARCHITECTURE[model_type]
        stem = (default.split("For")[0] if "For" in default
                else default.removesuffix("LMHeadModel").removesuffix("Model"))
        if class_name.startswith(stem) and len(stem) > length:
            best, length = model_type, len(stem)
    return best
