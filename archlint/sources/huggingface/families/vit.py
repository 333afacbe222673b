"""ViT (`model_type` "vit"), counted as transformers 5.25.0 builds it.

Patch embeddings are a Conv2d (`num_channels` -> `hidden_size`, kernel = stride = `patch_size`),
with a `cls_token` and learned `position_embeddings` for `(image_size // patch_size)` patches per
axis plus the class token (both raw Parameters of `embeddings`, category "embeddings"); `image_size`
and `patch_size` may be pairs. Attention is `num_attention_heads * head_dim` wide with
`head_dim = hidden_size // num_attention_heads` (or a `head_dim` key, which ViTAttention reads when
the file sets it), so a head count that does not divide hidden_size is accepted by transformers;
`qkv_bias` covers q/k/v, the output projection always has a bias. The pooler (`pooler_output_size`
wide, default hidden_size) is in ViTModel only; ViTForImageClassification's classifier has
`num_labels` outputs (none when num_labels is 0); ViTForMaskedImageModeling adds a `mask_token` and
a 1x1 Conv2d decoder to `encoder_stride**2 * num_channels`. The extra `ALIASES` and `validate(cfg)`
are described in classic.py.
"""

from __future__ import annotations

from ..parts import Part
from .classic import architectures, head, linear, norm, num_labels, rebase

MODEL_TYPES = ("vit",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "vit": {
        "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "image_size": 224, "patch_size": 16,
        "num_channels": 3, "qkv_bias": True, "encoder_stride": 16, "pooler_output_size": None,
        "pooler_act": "tanh",
    },
}

ALIASES: dict[str, dict[str, str]] = {"vit": {}}

ACTIVATION_KEYS = {"vit": ("hidden_act",)}  # pooler_act too, where the class has the pooler (ViTModel)

ARCHITECTURES = architectures("ViT", ("base", "image_classification", "masked_image_modeling"))

DEFAULT_ARCHITECTURE = {"vit": "ViTModel"}


# Keys that take an integer or a [height, width] pair of integers (ViTConfig; CLIP's take one integer).
PAIR_KEYS = ("image_size", "patch_size")


def pair(value) -> tuple[int, int]:
    return (value[0], value[1]) if isinstance(value, (list, tuple)) else (value, value)


def patches(cfg: dict) -> int:
    (height, width), (ph, pw) = pair(cfg["image_size"]), pair(cfg["patch_size"])
    return (height // ph) * (width // pw)


def _head_dim(cfg: dict) -> int:
    given = cfg.get("head_dim")
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    return cfg["hidden_size"] // cfg["num_attention_heads"]


def base_parts(cfg: dict, pooler: bool = True, mask_token: bool = False) -> list[Part]:
    d, ffn, qkv_bias = cfg["hidden_size"], cfg["intermediate_size"], cfg["qkv_bias"]
    inner = cfg["num_attention_heads"] * _head_dim(cfg)
    ph, pw = pair(cfg["patch_size"])
    out = [Part("embeddings.cls_token", "Parameter", d, "embeddings")]
    if mask_token:
        out.append(Part("embeddings.mask_token", "Parameter", d, "embeddings"))
    out += [Part("embeddings.position_embeddings", "Parameter", (patches(cfg) + 1) * d, "embeddings"),
            Part("embeddings.patch_embeddings.projection", "Conv2d", cfg["num_channels"] * d * ph * pw + d,
                 "embeddings")]
    for i in range(cfg["num_hidden_layers"]):
        layer = f"layers.{i}"
        out += [Part(f"{layer}.attention.q_proj", "Linear", linear(d, inner, qkv_bias), "attention.q"),
                Part(f"{layer}.attention.k_proj", "Linear", linear(d, inner, qkv_bias), "attention.k"),
                Part(f"{layer}.attention.v_proj", "Linear", linear(d, inner, qkv_bias), "attention.v"),
                Part(f"{layer}.attention.o_proj", "Linear", linear(inner, d), "attention.o"),
                norm(f"{layer}.layernorm_before", d),
                norm(f"{layer}.layernorm_after", d),
                Part(f"{layer}.mlp.fc1", "Linear", linear(d, ffn), "mlp"),
                Part(f"{layer}.mlp.fc2", "Linear", linear(ffn, d), "mlp")]
    out.append(norm("layernorm", d))
    if pooler:
        width = cfg["pooler_output_size"] or d
        out.append(Part("pooler.dense", "Linear", linear(d, width), "other"))
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    d = cfg["hidden_size"]
    if kind == "base":
        return base_parts(cfg)
    if kind == "image_classification":
        labels = num_labels(cfg)
        return rebase(base_parts(cfg, pooler=False), "vit") + ([head("classifier", d, labels)] if labels > 0 else [])
    if kind == "masked_image_modeling":
        out_channels = cfg["encoder_stride"] ** 2 * cfg["num_channels"]
        return rebase(base_parts(cfg, pooler=False, mask_token=True), "vit") + [
            head("decoder.0", d, out_channels, cls="Conv2d")]
    raise ValueError(f"unknown architecture kind {kind!r}")


def patch_fits(cfg: dict, key_prefix: str = "") -> list[tuple[str, str]]:
    """A patch larger than the image fails the patch convolution at the first forward pass."""
    image, patch = cfg["image_size"], cfg["patch_size"]
    if isinstance(image, (int, list, tuple)) and isinstance(patch, (int, list, tuple)):
        try:
            (height, width), (ph, pw) = pair(image), pair(patch)
        except (IndexError, TypeError):
            return []
        if all(isinstance(v, int) for v in (height, width, ph, pw)) and (ph > height or pw > width):
            return [(f"{key_prefix}patch_size", f"patch_size {patch} is larger than image_size {image}: the patch "
                                                "convolution fails at the first forward pass")]
    return []


def validate(cfg: dict) -> list[tuple[str, str]]:
    d, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    found = []
    if isinstance(d, int) and isinstance(heads, int) and heads > 0 and _head_dim(cfg) == 0:
        found.append(("num_attention_heads", f"num_attention_heads={heads} is larger than hidden_size={d}: the head "
                                             "size is 0 (ViTAttention fails at construction)"))
    return found + patch_fits(cfg)
