"""The classic Hugging Face family modules against transformers 5.25.0 itself.

For each family: the published configs of tests/test_hf_families_classic.py and hypothesis-drawn
tiny valid configs are built by transformers on the meta device (no weights, no downloads), for every
class the family module names in ARCHITECTURES, and compared with the module's Parts:
- the total (tied tensors counted once) equals the deduplicated `sum(p.numel() for p in
  model.parameters())`;
- the base parts (`base=True`) equal the base model the class holds (`model.<base_model_prefix>`,
  or the whole model when the class is itself the base), and `parts(cfg, "base")` equals AutoModel's
  total;
- module by module: `model.named_parameters()` grouped by the module that holds them (a leaf
  module by its path, a parameter held by a module with children, such as ViT's `cls_token`, by
  its own name) equals the Parts' paths and counts.
`validate(cfg)` is compared with whether transformers builds the model and runs a forward pass on
tiny CPU configs.

Run with transformers installed (skipped otherwise):
    python -m pytest -q -m crosscheck tests/crosscheck/test_hf_classic.py
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.crosscheck

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
transformers.logging.set_verbosity_error()
warnings.filterwarnings("ignore")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_hf_families_classic import FAMILIES, PUBLISHED, VALIDATE_CASES  # noqa: E402

# model_type -> the transformers config class
CONFIG_CLASSES = {
    "gpt2": "GPT2Config", "gpt_neox": "GPTNeoXConfig", "opt": "OPTConfig", "bloom": "BloomConfig",
    "falcon": "FalconConfig", "bert": "BertConfig", "roberta": "RobertaConfig",
    "distilbert": "DistilBertConfig", "t5": "T5Config", "vit": "ViTConfig", "whisper": "WhisperConfig",
    "clip": "CLIPConfig", "clip_text_model": "CLIPTextConfig", "clip_vision_model": "CLIPVisionConfig",
}


# classes that refuse any other label count at construction
TWO_LABELS_ONLY = {"DistilBertForQuestionAnswering"}


def architectures(module, model_type: str) -> list[str]:
    """The classes of ARCHITECTURES that read this model_type's config class."""
    config_class = getattr(transformers, CONFIG_CLASSES[model_type])
    return [name for name in module.ARCHITECTURES if getattr(transformers, name).config_class is config_class]


def build(class_name: str, config):
    with torch.device("meta"):
        return getattr(transformers, class_name)(config)


def grouped(model) -> dict[str, int]:
    """Deduplicated parameters by the module holding them (leaf) or by their own name."""
    out: dict[str, int] = {}
    for name, param in model.named_parameters():
        owner, _, _ = name.rpartition(".")
        key = owner if not any(True for _ in model.get_submodule(owner).children()) else name
        out[key] = out.get(key, 0) + param.numel()
    return out


def part_groups(parts) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in parts:
        if p.total:
            out[p.path] = out.get(p.path, 0) + p.total
    return out


def check_names_and_ties(model, parts) -> None:
    """Every Part names a module of the model (or, for cls "Parameter", a parameter) of the class it
    says, and a tied Part's weight is the very tensor of the module it is tied to."""
    for part in parts:
        if part.cls == "Parameter":
            owner, _, name = part.path.rpartition(".")
            assert isinstance(getattr(model.get_submodule(owner), name), torch.nn.Parameter), part.path
            continue
        found = model.get_submodule(part.path)
        assert type(found).__name__ == part.cls, (part.path, type(found).__name__)
        if part.tied_to:
            assert found.weight is model.get_submodule(part.tied_to).weight, part.path


def deduplicated(module) -> int:
    return sum(p.numel() for p in module.parameters())


def filled(module, model_type: str, kwargs: dict) -> dict:
    cfg = dict(module.CONFIG_DEFAULTS[model_type])
    cfg.update(kwargs)
    cfg["model_type"] = model_type
    return cfg


def compare(module, model_type: str, kwargs: dict, classes=None) -> None:
    config_class = getattr(transformers, CONFIG_CLASSES[model_type])
    cfg = filled(module, model_type, kwargs)
    for class_name in classes or architectures(module, model_type):
        config = config_class(**kwargs)
        if class_name in TWO_LABELS_ONLY and config.num_labels != 2:
            with pytest.raises(ValueError):
                build(class_name, config)
            continue
        # a fresh config per class: GPT2DoubleHeadsModel sets num_labels = 1 on the one it is given
        model = build(class_name, config)
        parts = module.parts(cfg, class_name)
        assert part_groups(parts) == grouped(model), class_name
        check_names_and_ties(model, parts)
        assert sum(p.total for p in parts) == deduplicated(model), class_name
        inner = getattr(model, model.base_model_prefix, None)
        if isinstance(inner, torch.nn.Module):
            base_total = deduplicated(inner)
        else:  # the class holds its base model's modules itself (T5ForQuestionAnswering): all but the heads
            heads = {p.path.split(".")[0] for p in parts if not p.base}
            base_total = sum(p.numel() for n, p in model.named_parameters() if n.split(".")[0] not in heads)
        assert sum(p.total for p in parts if p.base) == base_total, class_name
    with torch.device("meta"):
        auto = transformers.AutoModel.from_config(config_class(**kwargs))
    assert sum(p.total for p in module.parts(cfg, "base")) == deduplicated(auto), type(auto).__name__


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_configs_match_transformers(name):
    family, model_type, class_name, kwargs, total, base_total = PUBLISHED[name]
    module = FAMILIES[family]
    config = getattr(transformers, CONFIG_CLASSES[model_type])(**kwargs)
    model = build(class_name, config)
    assert deduplicated(model) == total
    with torch.device("meta"):
        assert deduplicated(transformers.AutoModel.from_config(config)) == base_total
    compare(module, model_type, kwargs)


# ---- tiny valid configs, drawn ----

HEAD_DIMS = st.integers(1, 8)


def heads_and_width(max_heads=4, head_dims=HEAD_DIMS):
    return st.tuples(st.integers(1, max_heads), head_dims).map(lambda t: (t[0], t[0] * t[1]))


# rotary families refuse odd head sizes above 4 when the whole head rotates
ROTARY_HEAD_DIMS = st.sampled_from([1, 2, 3, 4, 6, 8])


labels = st.one_of(st.just({}), st.integers(1, 5).map(lambda n: {"num_labels": n}),
                   st.integers(1, 4).map(lambda n: {"id2label": {str(i): f"L{i}" for i in range(n)}}))
labels_or_none = st.one_of(labels, st.just({"num_labels": 0}), st.just({"id2label": {}}))


@st.composite
def gpt2_configs(draw):
    heads, d = draw(heads_and_width())
    return {"vocab_size": draw(st.integers(1, 40)), "n_positions": draw(st.integers(1, 20)), "n_embd": d,
            "n_head": heads, "n_layer": draw(st.integers(0, 3)),
            "n_inner": draw(st.one_of(st.none(), st.integers(1, 20))),
            "add_cross_attention": draw(st.booleans()), "tie_word_embeddings": draw(st.booleans()),
            "summary_use_proj": draw(st.booleans()), "summary_proj_to_labels": draw(st.booleans()),
            **draw(labels)}


@st.composite
def gpt_neox_configs(draw):
    heads, d = draw(heads_and_width())
    return {"vocab_size": draw(st.integers(1, 40)), "hidden_size": d, "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(0, 3)), "intermediate_size": draw(st.integers(1, 20)),
            "attention_bias": draw(st.booleans()), "use_parallel_residual": draw(st.booleans()),
            "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


@st.composite
def opt_configs(draw):
    heads, d = draw(heads_and_width())
    vocab = draw(st.integers(2, 40))
    return {"vocab_size": vocab, "hidden_size": d, "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(0, 3)), "ffn_dim": draw(st.integers(1, 20)),
            "max_position_embeddings": draw(st.integers(1, 20)),
            "word_embed_proj_dim": draw(st.one_of(st.none(), st.integers(1, 12))),
            "do_layer_norm_before": draw(st.booleans()), "_remove_final_layer_norm": draw(st.booleans()),
            "enable_bias": draw(st.booleans()), "layer_norm_elementwise_affine": draw(st.booleans()),
            "pad_token_id": draw(st.integers(0, vocab - 1)), "tie_word_embeddings": draw(st.booleans()),
            **draw(labels)}


@st.composite
def bloom_configs(draw):
    heads, d = draw(heads_and_width())
    return {"vocab_size": draw(st.integers(1, 40)), "hidden_size": d, "n_head": heads,
            "n_layer": draw(st.integers(0, 3)), "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


@st.composite
def falcon_configs(draw):
    heads, d = draw(heads_and_width(head_dims=ROTARY_HEAD_DIMS))
    kv = draw(st.sampled_from([k for k in range(1, heads + 1) if heads % k == 0]))
    return {"vocab_size": draw(st.integers(1, 40)), "hidden_size": d, "num_attention_heads": heads,
            "num_kv_heads": draw(st.sampled_from([None, kv])), "num_hidden_layers": draw(st.integers(0, 3)),
            "new_decoder_architecture": draw(st.booleans()), "multi_query": draw(st.booleans()),
            "parallel_attn": draw(st.booleans()), "num_ln_in_parallel_attn": draw(st.sampled_from([None, 1, 2])),
            "bias": draw(st.booleans()), "alibi": draw(st.booleans()),
            "ffn_hidden_size": draw(st.one_of(st.none(), st.integers(1, 20))),
            "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


@st.composite
def bert_configs(draw):
    heads, d = draw(heads_and_width())
    vocab, positions = draw(st.integers(2, 40)), draw(st.integers(2, 20))
    decoder = draw(st.booleans())
    return {"vocab_size": vocab, "hidden_size": d, "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(0, 3)), "intermediate_size": draw(st.integers(1, 20)),
            "max_position_embeddings": positions, "type_vocab_size": draw(st.integers(1, 3)),
            "pad_token_id": draw(st.integers(0, min(vocab, positions) - 1)), "is_decoder": decoder,
            "add_cross_attention": decoder and draw(st.booleans()),
            "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


@st.composite
def distilbert_configs(draw):
    heads, d = draw(heads_and_width())
    vocab = draw(st.integers(2, 40))
    return {"vocab_size": vocab, "dim": d, "n_heads": heads, "n_layers": draw(st.integers(0, 3)),
            "hidden_dim": draw(st.integers(1, 20)), "max_position_embeddings": draw(st.integers(1, 20)),
            "pad_token_id": draw(st.integers(0, vocab - 1)),
            "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


@st.composite
def t5_configs(draw):
    vocab = draw(st.integers(2, 40))
    return {"vocab_size": vocab, "d_model": draw(st.integers(1, 16)), "d_kv": draw(st.integers(1, 8)),
            "num_heads": draw(st.integers(1, 4)), "d_ff": draw(st.integers(1, 20)),
            "num_layers": draw(st.integers(0, 3)), "num_decoder_layers": draw(st.one_of(st.none(), st.integers(0, 3))),
            "relative_attention_num_buckets": draw(st.integers(1, 8)),
            "feed_forward_proj": draw(st.sampled_from(["relu", "gelu_new", "gated-gelu", "gated-silu"])),
            "tie_word_embeddings": draw(st.booleans()), **draw(labels)}


def sizes():
    return st.one_of(st.integers(1, 12), st.tuples(st.integers(1, 12), st.integers(1, 12)).map(list))


@st.composite
def vit_configs(draw):
    d = draw(st.integers(1, 16))
    image, patch = draw(sizes()), draw(sizes())
    extra = draw(st.one_of(st.just({}), st.integers(1, 6).map(lambda n: {"head_dim": n})))
    return {"hidden_size": d, "num_attention_heads": draw(st.integers(1, d)),
            "num_hidden_layers": draw(st.integers(0, 3)), "intermediate_size": draw(st.integers(1, 20)),
            "image_size": image, "patch_size": patch, "num_channels": draw(st.integers(1, 4)),
            "qkv_bias": draw(st.booleans()), "encoder_stride": draw(st.integers(1, 4)),
            "pooler_output_size": draw(st.one_of(st.none(), st.integers(1, 10))), **extra, **draw(labels_or_none)}


@st.composite
def whisper_configs(draw):
    heads, d = draw(heads_and_width())
    decoder_heads = draw(st.sampled_from([h for h in range(1, d + 1) if d % h == 0 and h <= 4]))
    vocab = draw(st.integers(2, 40))
    return {"vocab_size": vocab, "d_model": d, "encoder_attention_heads": heads,
            "decoder_attention_heads": decoder_heads, "encoder_layers": draw(st.integers(0, 2)),
            "decoder_layers": draw(st.integers(0, 2)), "encoder_ffn_dim": draw(st.integers(1, 20)),
            "decoder_ffn_dim": draw(st.integers(1, 20)), "num_mel_bins": draw(st.integers(1, 8)),
            "max_source_positions": draw(st.integers(1, 8)), "max_target_positions": draw(st.integers(1, 8)),
            "pad_token_id": draw(st.integers(0, vocab - 1)), "use_weighted_layer_sum": draw(st.booleans()),
            "classifier_proj_size": draw(st.integers(1, 8)), "tie_word_embeddings": draw(st.booleans()),
            **draw(labels)}


@st.composite
def clip_text_configs(draw):
    heads, d = draw(heads_and_width())
    return {"vocab_size": draw(st.integers(1, 40)), "hidden_size": d, "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(0, 2)), "intermediate_size": draw(st.integers(1, 20)),
            "max_position_embeddings": draw(st.integers(1, 10)), "projection_dim": draw(st.integers(1, 10))}


@st.composite
def clip_vision_configs(draw):
    heads, d = draw(heads_and_width())
    return {"hidden_size": d, "num_attention_heads": heads, "num_hidden_layers": draw(st.integers(0, 2)),
            "intermediate_size": draw(st.integers(1, 20)), "num_channels": draw(st.integers(1, 4)),
            "image_size": draw(st.integers(1, 12)), "patch_size": draw(st.integers(1, 12)),
            "projection_dim": draw(st.integers(1, 10))}


@st.composite
def clip_configs(draw):
    return {"text_config": draw(clip_text_configs()), "vision_config": draw(clip_vision_configs()),
            "projection_dim": draw(st.integers(1, 10)), **draw(labels_or_none)}


DRAWN = {
    ("t5", "t5"): t5_configs(),
    ("vit", "vit"): vit_configs(),
    ("whisper", "whisper"): whisper_configs(),
    ("clip", "clip"): clip_configs(),
    ("clip", "clip_text_model"): clip_text_configs(),
    ("clip", "clip_vision_model"): clip_vision_configs(),
    ("bloom", "bloom"): bloom_configs(),
    ("falcon", "falcon"): falcon_configs(),
    ("bert", "bert"): bert_configs(),
    ("bert", "roberta"): bert_configs(),
    ("distilbert", "distilbert"): distilbert_configs(),
    ("gpt2", "gpt2"): gpt2_configs(),
    ("gpt_neox", "gpt_neox"): gpt_neox_configs(),
    ("opt", "opt"): opt_configs(),
}


@pytest.mark.parametrize("family,model_type", sorted(DRAWN))
def test_drawn_configs_match_transformers(family, model_type):
    module = FAMILIES[family]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(DRAWN[family, model_type])
    def run(kwargs):
        compare(module, model_type, kwargs)

    run()


# ---- validate(cfg) against whether transformers builds and runs the model ----

def pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def one_token_inputs(model_type: str, config) -> dict:
    """The smallest forward pass: one token that is not the padding id, one image of the configured size,
    the mel frames Whisper's encoder expects."""
    def ids(vocab):
        pad = getattr(config, "pad_token_id", None)
        return torch.tensor([[next(i for i in range(vocab) if i != pad)]])

    if model_type == "vit":
        return {"pixel_values": torch.randn(1, config.num_channels, *pair(config.image_size))}
    if model_type == "clip_vision_model":
        return {"pixel_values": torch.randn(1, config.num_channels, config.image_size, config.image_size)}
    if model_type == "clip":
        vision = config.vision_config
        return {"pixel_values": torch.randn(1, vision.num_channels, vision.image_size, vision.image_size),
                "input_ids": ids(config.text_config.vocab_size)}
    if model_type == "t5":
        return {"input_ids": ids(config.vocab_size), "decoder_input_ids": ids(config.vocab_size)}
    if model_type == "whisper":
        return {"input_features": torch.randn(1, config.num_mel_bins, 2 * config.max_source_positions),
                "decoder_input_ids": ids(config.vocab_size)}
    return {"input_ids": ids(config.vocab_size)}


def transformers_accepts(model_type: str, kwargs: dict) -> bool:
    try:
        config = getattr(transformers, CONFIG_CLASSES[model_type])(**kwargs)
        model = transformers.AutoModel.from_config(config).eval()
        with torch.no_grad():
            model(**one_token_inputs(model_type, config))
    except Exception:  # noqa: BLE001 - any refusal, at config or model construction or in the forward pass
        return False
    return True


@pytest.mark.parametrize("family,model_type,values,keys", VALIDATE_CASES)
def test_validate_verdict_matches_transformers(family, model_type, values, keys):
    module = FAMILIES[family]
    found = module.validate(filled(module, model_type, values))
    assert (found == []) == transformers_accepts(model_type, values), found


# tiny configs drawn without regard to validity: validate() must agree with transformers on each
small = st.integers(1, 12)


@st.composite
def any_gpt2(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "n_positions": 4, "n_embd": draw(small), "n_head": draw(st.integers(1, 5)),
            "n_layer": 1, "pad_token_id": draw(st.integers(-15, 15))}


@st.composite
def any_gpt_neox(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(st.integers(1, 24)),
            "num_attention_heads": draw(st.integers(1, 5)), "num_hidden_layers": 1, "intermediate_size": 4,
            "rotary_pct": draw(st.sampled_from([0.25, 0.5, 1.0]))}


@st.composite
def any_falcon(draw):
    rope = draw(st.sampled_from([None, {"rope_type": "default", "rope_theta": 100.0, "partial_rotary_factor": 0.5}]))
    return {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(st.integers(1, 24)),
            "num_attention_heads": draw(st.integers(1, 5)), "num_kv_heads": draw(st.integers(1, 5)),
            "num_hidden_layers": 1, "new_decoder_architecture": draw(st.booleans()),
            "multi_query": draw(st.booleans()), "alibi": draw(st.booleans()), "parallel_attn": draw(st.booleans()),
            "num_ln_in_parallel_attn": draw(st.sampled_from([None, 1, 2])), **({"rope_parameters": rope} if rope else {})}


@st.composite
def any_bert(draw):
    decoder = draw(st.booleans())
    return {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(small),
            "num_attention_heads": draw(st.integers(1, 5)), "num_hidden_layers": 1, "intermediate_size": 4,
            "max_position_embeddings": draw(st.integers(1, 6)), "type_vocab_size": draw(st.integers(0, 2)),
            "pad_token_id": draw(st.integers(-12, 12)), "is_decoder": decoder,
            "add_cross_attention": draw(st.booleans())}


@st.composite
def any_vit(draw):
    return {"hidden_size": draw(small), "num_attention_heads": draw(st.integers(1, 6)), "num_hidden_layers": 1,
            "intermediate_size": 4, "image_size": draw(sizes().filter(lambda v: v != 1)), "patch_size": draw(sizes())}


@st.composite
def any_clip_vision(draw):
    return {"hidden_size": draw(small), "num_attention_heads": draw(st.integers(1, 5)), "num_hidden_layers": 1,
            "intermediate_size": 4, "image_size": draw(st.integers(2, 10)), "patch_size": draw(st.integers(1, 10))}


@st.composite
def any_opt(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(small), "num_attention_heads": draw(st.integers(1, 5)),
            "num_hidden_layers": 1, "ffn_dim": 4, "max_position_embeddings": 4,
            "word_embed_proj_dim": draw(st.one_of(st.none(), small)), "pad_token_id": draw(st.integers(-12, 12)),
            "do_layer_norm_before": draw(st.booleans())}


@st.composite
def any_bloom(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(small), "n_head": draw(st.integers(1, 5)),
            "n_layer": 1, "pad_token_id": draw(st.integers(-12, 12))}


@st.composite
def any_distilbert(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "dim": draw(small), "n_heads": draw(st.integers(1, 5)), "n_layers": 1,
            "hidden_dim": 4, "max_position_embeddings": 4, "pad_token_id": draw(st.integers(-12, 12)),
            "sinusoidal_pos_embds": draw(st.booleans())}


@st.composite
def any_t5(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "d_model": draw(small), "d_kv": draw(st.integers(1, 4)),
            "num_heads": draw(st.integers(1, 4)), "d_ff": 4, "num_layers": 1, "pad_token_id": draw(st.integers(-12, 12)),
            "feed_forward_proj": draw(st.sampled_from(["relu", "gated-gelu", "gelu-gated", "gated-relu-x", "relu-relu"]))}


@st.composite
def any_whisper(draw):
    return {"vocab_size": draw(st.integers(2, 10)), "d_model": draw(small), "encoder_layers": 1, "decoder_layers": 1,
            "encoder_attention_heads": draw(st.integers(1, 4)), "decoder_attention_heads": draw(st.integers(1, 4)),
            "encoder_ffn_dim": 4, "decoder_ffn_dim": 4, "num_mel_bins": 2, "max_source_positions": 2,
            "max_target_positions": 2, "pad_token_id": draw(st.integers(-12, 12)), "bos_token_id": 0, "eos_token_id": 0,
            "decoder_start_token_id": 0, "begin_suppress_tokens": None}


@st.composite
def any_clip(draw):
    text = {"vocab_size": draw(st.integers(2, 10)), "hidden_size": draw(small),
            "num_attention_heads": draw(st.integers(1, 4)), "num_hidden_layers": 1, "intermediate_size": 4,
            "max_position_embeddings": 2}
    return {"text_config": text, "vision_config": draw(any_clip_vision()), "projection_dim": 4}


ANY = {
    ("opt", "opt"): any_opt(),
    ("bloom", "bloom"): any_bloom(),
    ("distilbert", "distilbert"): any_distilbert(),
    ("t5", "t5"): any_t5(),
    ("whisper", "whisper"): any_whisper(),
    ("clip", "clip"): any_clip(),
    ("gpt2", "gpt2"): any_gpt2(),
    ("gpt_neox", "gpt_neox"): any_gpt_neox(),
    ("falcon", "falcon"): any_falcon(),
    ("bert", "bert"): any_bert(),
    ("bert", "roberta"): any_bert(),
    ("vit", "vit"): any_vit(),
    ("clip", "clip_vision_model"): any_clip_vision(),
}


@pytest.mark.parametrize("family,model_type", sorted(ANY))
def test_drawn_verdicts_match_transformers(family, model_type):
    module = FAMILIES[family]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ANY[family, model_type])
    def run(kwargs):
        found = module.validate(filled(module, model_type, kwargs))
        assert (found == []) == transformers_accepts(model_type, kwargs), found

    run()


def test_clip_legacy_config_dicts_win():
    # configs saved by older transformers carry text_config_dict / vision_config_dict beside text_config /
    # vision_config; CLIPConfig lets the *_dict values win
    compare(FAMILIES["clip"], "clip", {
        "text_config": {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4},
        "text_config_dict": {"hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 2},
        "vision_config": {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4,
                          "image_size": 8, "patch_size": 4},
        "vision_config_dict": {"patch_size": 2, "intermediate_size": 6}, "projection_dim": 4})
