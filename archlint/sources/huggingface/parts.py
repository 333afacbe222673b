"""What a Hugging Face family module returns: the modules transformers builds for a config, each with
its exact parameter count, named as `model.named_modules()` names them.

A family module (`families/<name>.py`) declares

    MODEL_TYPES: tuple[str, ...]                 # the `model_type` values it reads
    CONFIG_DEFAULTS: dict[str, dict[str, object]]  # per model_type: the config class's own keys and
                                                 # defaults, as transformers' config class has them
    ARCHITECTURES: dict[str, str]                # class name in `architectures` -> what it builds
                                                 # ("base", "causal_lm", "sequence_classification", ...)
    DEFAULT_ARCHITECTURE: dict[str, str]         # per model_type: the class used when `architectures` is absent
    def parts(cfg: dict, architecture: str) -> list[Part]

`cfg` has every key of CONFIG_DEFAULTS[model_type] filled in (the file's value, else the default), and
`model_type`. The family modules live in `families/`, one file per family: llama (llama, mistral, qwen2,
qwen3, gemma, gemma2, gemma3_text, phi3), moe (mixtral, qwen2_moe, qwen3_moe), deepseek (deepseek_v2,
deepseek_v3), gpt2, gpt_neox, opt, bloom, falcon, bert (bert, roberta), distilbert, t5, vit, whisper,
clip. Identical
modules are counted, not listed one by one: the routed experts of one layer are one Part with `count`
equal to the number of experts; each decoder layer is listed (a few dozen), so names match
transformers' and the summary can fold them.
"""

from __future__ import annotations

from dataclasses import dataclass

# The categories of the per-category breakdown, in the order it is printed.
CATEGORIES = ("embeddings", "attention.q", "attention.k", "attention.v", "attention.o", "attention.other",
              "mlp", "experts", "shared_experts", "router", "norm", "head", "other")


@dataclass(frozen=True)
class Part:
    path: str  # transformers' module path: "model.layers.0.self_attn.q_proj", "lm_head"
    cls: str  # the module's class as transformers names it: "Linear", "Embedding", "LlamaRMSNorm"
    params: int  # parameters of one instance (0 for a module whose weight is tied to another's)
    category: str  # one of CATEGORIES
    count: int = 1  # identical instances counted once each (routed experts)
    tied_to: str = ""  # the path of the module whose weight this one shares (counted there, once)
    base: bool = True  # part of the base model (AutoModel); False for the task head (lm_head, classifier)

    @property
    def total(self) -> int:
        return self.params * self.count
