"""The family registry: every supported `model_type` and the module (in this package) that counts it.

Family modules are imported only for the model_type a file names. A module that is not present is
treated as an unsupported model_type (reported with the supported ones), so a partial installation
degrades to a warning, never a crash.

Besides the contract of `parts.py`, a family module may define (all optional):
    ALIASES: dict[model_type, dict[alias, key]]      # other names its config class accepts (attribute_map)
    def layer_class(cfg) -> str                      # the class of its repeated blocks ("LlamaDecoderLayer")
    def attention_layers(cfg) -> list[layout.Attention]  # per decoder layer: KV cache and score MACs
    def experts_per_token(cfg) -> int                # routed experts each token goes through (MoE)
    def check(cfg, report) -> None                   # what transformers refuses for this family
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
    "whisper": "whisper", "clip": "clip",
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


def architecture_types() -> dict[str, str]:
    """Class name in `architectures` -> model_type, over the present modules (for recognising a file
    whose `model_type` is missing)."""
    found: dict[str, str] = {}
    for model_type in MODULES:
        family = module(model_type)
        if family is None:
            continue
        for name in family.ARCHITECTURES:
            if family.DEFAULT_ARCHITECTURE.get(model_type, "")[:4] == name[:4] or name.startswith(
                    family.DEFAULT_ARCHITECTURE.get(model_type, "").split("For")[0]):
                found.setdefault(name, model_type)
    return found
