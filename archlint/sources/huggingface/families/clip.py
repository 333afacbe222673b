"""CLIP (`model_type` "clip", and its towers on their own: "clip_text_model", e.g. the text encoder
of Stable Diffusion, and "clip_vision_model"), counted as transformers 5.25.0 builds them.

CLIPModel holds `text_model` and `vision_model`, each configured by its sub-config (`text_config`,
`vision_config`: CLIPTextConfig / CLIPVisionConfig defaults, updated by the file's dict and then by
the legacy `text_config_dict` / `vision_config_dict`, which CLIPConfig still reads and lets win),
the bias-free `visual_projection` and `text_projection` to the top-level `projection_dim` (the
towers' own `projection_dim` only serves the *WithProjection classes), and the scalar `logit_scale`
parameter; CLIPModel is its own base model (AutoModel), so all of it is `base`. Projections and
logit_scale are category "other". The text tower has learned token and position embeddings; the
vision tower a bias-free Conv2d patch embedding, a `class_embedding` parameter and
`(image_size // patch_size) ** 2 + 1` learned positions, with `pre_layrnorm` (transformers' spelling)
and `post_layernorm`. The extra `ALIASES` and `validate(cfg)` are described in classic.py; a key inside
a sub-config is named with a dot ("vision_config.num_attention_heads").
"""

from __future__ import annotations

from ..parts import Part
from .classic import block, divisible, head, linear, norm, num_labels, rebase
from .vit import patch_fits

MODEL_TYPES = ("clip", "clip_text_model", "clip_vision_model")

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "clip": {
        "text_config": None, "vision_config": None, "projection_dim": 512, "logit_scale_init_value": 2.6592,
        "initializer_factor": 1.0,
    },
    "clip_text_model": {
        "vocab_size": 49408, "hidden_size": 512, "intermediate_size": 2048, "projection_dim": 512,
        "num_hidden_layers": 12, "num_attention_heads": 8, "max_position_embeddings": 77,
        "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05, "attention_dropout": 0.0,
        "initializer_range": 0.02, "initializer_factor": 1.0, "pad_token_id": 1, "bos_token_id": 49406,
        "eos_token_id": 49407,
    },
    "clip_vision_model": {
        "hidden_size": 768, "intermediate_size": 3072, "projection_dim": 512, "num_hidden_layers": 12,
        "num_attention_heads": 12, "num_channels": 3, "image_size": 224, "patch_size": 32,
        "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05, "attention_dropout": 0.0,
        "initializer_range": 0.02, "initializer_factor": 1.0,
    },
}

ALIASES: dict[str, dict[str, str]] = {"clip": {}, "clip_text_model": {}, "clip_vision_model": {}}

ACTIVATION_KEYS = {"clip": (), "clip_text_model": ("hidden_act",), "clip_vision_model": ("hidden_act",)}

ARCHITECTURES = {
    "CLIPModel": "base",
    "CLIPForImageClassification": "image_classification",
    "CLIPTextModel": "base",
    "CLIPTextModelWithProjection": "text_with_projection",
    "CLIPVisionModel": "base",
    "CLIPVisionModelWithProjection": "vision_with_projection",
}

DEFAULT_ARCHITECTURE = {"clip": "CLIPModel", "clip_text_model": "CLIPTextModel",
                        "clip_vision_model": "CLIPVisionModel"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


def tower_config(cfg: dict, tower: str) -> dict:
    """A CLIPModel's `text` or `vision` sub-config with its class defaults filled in."""
    out = dict(CONFIG_DEFAULTS[f"clip_{tower}_model"])
    for key in (f"{tower}_config", f"{tower}_config_dict"):
        if isinstance(cfg.get(key), dict):
            out.update(cfg[key])
    return out


LAYER = (("self_attn.k_proj", "k"), ("self_attn.v_proj", "v"), ("self_attn.q_proj", "q"),
         ("self_attn.out_proj", "o"), ("layer_norm1", "norm"), ("mlp.fc1", "up"), ("mlp.fc2", "down"),
         ("layer_norm2", "norm"))


def _encoder(cfg: dict) -> list[Part]:
    d, ffn = cfg["hidden_size"], cfg["intermediate_size"]
    return [part for i in range(cfg["num_hidden_layers"])
            for part in block(f"encoder.layers.{i}", d, ffn, LAYER)]


def text_parts(cfg: dict) -> list[Part]:
    d = cfg["hidden_size"]
    return ([Part("embeddings.token_embedding", "Embedding", cfg["vocab_size"] * d, "embeddings"),
             Part("embeddings.position_embedding", "Embedding", cfg["max_position_embeddings"] * d, "embeddings")]
            + _encoder(cfg) + [norm("final_layer_norm", d)])


def vision_parts(cfg: dict) -> list[Part]:
    d, patch = cfg["hidden_size"], cfg["patch_size"]
    positions = (cfg["image_size"] // patch) ** 2 + 1
    return ([Part("embeddings.class_embedding", "Parameter", d, "embeddings"),
             Part("embeddings.patch_embedding", "Conv2d", cfg["num_channels"] * d * patch * patch, "embeddings"),
             Part("embeddings.position_embedding", "Embedding", positions * d, "embeddings"),
             norm("pre_layrnorm", d)]
            + _encoder(cfg) + [norm("post_layernorm", d)])


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    model_type = cfg["model_type"]
    if model_type == "clip_text_model":
        out = text_parts(cfg)
        if kind == "text_with_projection":
            projection = head("text_projection", cfg["hidden_size"], cfg["projection_dim"], False)
            return rebase(out, "text_model") + [projection]
        return out
    if model_type == "clip_vision_model":
        out = vision_parts(cfg)
        if kind == "vision_with_projection":
            return rebase(out, "vision_model") + [
                head("visual_projection", cfg["hidden_size"], cfg["projection_dim"], False)]
        return out
    text, vision = tower_config(cfg, "text"), tower_config(cfg, "vision")
    if kind == "image_classification":
        labels = num_labels(cfg)
        return rebase(vision_parts(vision), "vision_model") + (
            [head("classifier", vision["hidden_size"], labels)] if labels > 0 else [])
    projection = cfg["projection_dim"]
    return (rebase(text_parts(text), "text_model") + rebase(vision_parts(vision), "vision_model")
            + [Part("visual_projection", "Linear", linear(vision["hidden_size"], projection, False), "other"),
               Part("text_projection", "Linear", linear(text["hidden_size"], projection, False), "other"),
               Part("logit_scale", "Parameter", 1, "other")])


def _vision_sizes(cfg: dict) -> list[tuple[str, str]]:
    for key in ("image_size", "patch_size"):
        if not isinstance(cfg[key], int):
            return [(key, f"{key} must be one number: CLIPVisionEmbeddings computes (image_size // patch_size) ** 2 "
                          "at construction")]
    return patch_fits(cfg)


def _tower(cfg: dict, tower: str) -> list[tuple[str, str]]:
    found = divisible(cfg, "hidden_size", "num_attention_heads")
    return found + (_vision_sizes(cfg) if tower == "vision" else [])


def validate(cfg: dict) -> list[tuple[str, str]]:
    if cfg["model_type"] != "clip":
        return _tower(cfg, "text" if cfg["model_type"] == "clip_text_model" else "vision")
    return [(f"{tower}_config.{key}", message)
            for tower in ("text", "vision") for key, message in _tower(tower_config(cfg, tower), tower)]
