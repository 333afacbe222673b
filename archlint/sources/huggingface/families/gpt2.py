"""GPT-2 (`model_type` "gpt2"), counted as transformers 5.25.0 builds it, and the small helpers the
classic family modules (gpt2, gpt_neox, opt, bloom, falcon, bert, distilbert, t5, vit, whisper, clip)
share: layer sizes, the label count, the task heads, prefixing a base model's parts.

Categories: GPT-2's fused `attn.c_attn` (one Conv1D producing q, k and v) is one module, so it is
one Part in "attention.other" (a Part has one category; splitting one module in three Parts would
give three rows for one `named_modules()` name). The same holds for every fused query/key/value
projection of the classic families (GPT-NeoX, BLOOM, Falcon). Learned position embeddings are
"embeddings"; task heads (lm_head, score, classifier, qa_outputs) are "head".

`parts(cfg, architecture)` takes the class name or what it builds ("causal_lm", "masked_lm", ...).
Its `base=True` parts are the base model as the class holds it: BertForMaskedLM's BERT has no
pooler, so they can be smaller than AutoModel, which is `parts(cfg, "base")`.

Beyond the family-module contract of `parts.py`, each classic module also provides
- `ALIASES[model_type]`: the other names transformers' config class accepts for a key at
  construction (its `attribute_map`, e.g. GPT-2's `hidden_size` for `n_embd`);
- `DEFAULT_ARCHITECTURE`: without `architectures`, a decoder or encoder-decoder family counts its
  language-model class (as the decoder families of this package do), an encoder or vision family
  its base model (BertModel, ViTModel, CLIPModel);
- `PADDED_EMBEDDING = False` where the token embedding has no padding_idx, so that a pad_token_id
  outside the vocabulary is accepted by transformers (gpt2, gpt_neox, bloom, falcon, t5, clip);
- `ACTIVATION_KEYS[model_type]`: the keys whose value transformers looks up in ACT2FN (an unknown
  name fails at model construction); checking the names is left to the importer, which holds the
  list of activations;
- `validate(cfg) -> list[tuple[key, message]]`: what transformers itself refuses for the config, at
  config construction, model construction or a one-token forward pass, each verified on tiny configs
  (tests/crosscheck/test_hf_classic.py); the key is the config key to point at (dotted inside a
  sub-config: "vision_config.patch_size"). It reads only the keys it needs, skips a check when a
  value it needs has the wrong type (the importer reports types), and is independent of the class
  built, so refusals of one task class only (DistilBertForQuestionAnswering with num_labels != 2,
  GPT2DoubleHeadsModel with summary_type "attn") are not in it.
"""

from __future__ import annotations

from .. import layout
from ..layout import num_labels  # the one copy; re-exported for the classic modules
from ..parts import Part

MODEL_TYPES = ("gpt2",)

CONFIG_DEFAULTS: dict[str, dict[str, object]] = {
    "gpt2": {
        "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": None,
        "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
        "layer_norm_epsilon": 1e-05, "initializer_range": 0.02, "summary_type": "cls_index",
        "summary_use_proj": True, "summary_activation": None, "summary_proj_to_labels": True,
        "summary_first_dropout": 0.1, "scale_attn_weights": True, "use_cache": True, "bos_token_id": 50256,
        "eos_token_id": 50256, "pad_token_id": None, "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False, "add_cross_attention": False, "tie_word_embeddings": True,
    },
}

ALIASES = {"gpt2": {"hidden_size": "n_embd", "max_position_embeddings": "n_positions",
                    "num_attention_heads": "n_head", "num_hidden_layers": "n_layer"}}

ACTIVATION_KEYS = {"gpt2": ("activation_function",)}

ARCHITECTURES = {
    "GPT2Model": "base",
    "GPT2LMHeadModel": "causal_lm",
    "GPT2DoubleHeadsModel": "double_heads",
    "GPT2ForSequenceClassification": "sequence_classification",
    "GPT2ForTokenClassification": "token_classification",
    "GPT2ForQuestionAnswering": "question_answering",
}

DEFAULT_ARCHITECTURE = {"gpt2": "GPT2LMHeadModel"}

# Its token embedding has no padding_idx: a pad_token_id outside the vocabulary builds and runs (verified).
PADDED_EMBEDDING = False


# ---- helpers shared by the classic family modules ----

def linear(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of nn.Linear / Conv1D / FalconLinear from n_in to n_out features: layout.linear, with a
    bias by default, as these families' projections have."""
    return layout.linear(n_in, n_out, bias)


def layer_norm(size: int, affine: bool = True, bias: bool = True) -> int:
    return (size * 2 if bias else size) if affine else 0


def encoder_layer(prefix: str, d: int, ffn: int, layout: tuple[tuple[str, str], ...]) -> list[Part]:
    """One post-2017 encoder layer whose Linears all have biases: `layout` lists (name, role) in
    transformers' registration order, role one of q, k, v, o (d -> d), norm (LayerNorm(d)),
    up (d -> ffn), down (ffn -> d)."""
    sizes = {"up": linear(d, ffn), "down": linear(ffn, d), "norm": layer_norm(d)}
    out = []
    for name, role in layout:
        if role == "norm":
            out.append(Part(f"{prefix}.{name}", "LayerNorm", sizes["norm"], "norm"))
        else:
            category = "mlp" if role in ("up", "down") else f"attention.{role}"
            out.append(Part(f"{prefix}.{name}", "Linear", sizes.get(role, linear(d, d)), category))
    return out


def rebase(parts: list[Part], prefix: str) -> list[Part]:
    """A base model's parts as they sit in a task class under `prefix` ("transformer", "bert")."""
    return [Part(f"{prefix}.{p.path}" if p.path else prefix, p.cls, p.params, p.category, p.count,
                 f"{prefix}.{p.tied_to}" if p.tied_to else "", p.base) for p in parts]


def head(path: str, n_in: int, n_out: int, bias: bool = True, cls: str = "Linear") -> Part:
    return Part(path, cls, linear(n_in, n_out, bias), "head", base=False)


def decoder_task_head(kind: str, hidden: int, cfg: dict) -> list[Part]:
    """The heads every classic decoder-only family builds the same way: `score` without bias,
    `classifier`, and `qa_outputs` with two outputs (start and end), whatever num_labels says."""
    if kind == "sequence_classification":
        return [head("score", hidden, num_labels(cfg), bias=False)]
    if kind == "token_classification":
        return [head("classifier", hidden, num_labels(cfg))]
    if kind == "question_answering":
        return [head("qa_outputs", hidden, 2)]
    raise ValueError(f"unknown architecture kind {kind!r}")


def lm_head(path: str, hidden: int, vocab: int, tied: bool, embedding: str, bias: bool = False) -> Part:
    """An output projection onto the vocabulary, sharing the embedding's weight when tied (its bias,
    if any, stays its own)."""
    if tied:
        return Part(path, "Linear", vocab if bias else 0, "head", tied_to=embedding, base=False)
    return head(path, hidden, vocab, bias)


def divisible(cfg: dict, size_key: str, heads_key: str) -> list[tuple[str, str]]:
    size, heads = cfg[size_key], cfg[heads_key]
    if isinstance(size, int) and isinstance(heads, int) and heads > 0 and size % heads:
        return [(heads_key, f"{size_key}={size} is not divisible by {heads_key}={heads}")]
    return []


def odd_rotary(head_dim: int, rotary: int, key: str, why: str) -> list[tuple[str, str]]:
    """Rotary embeddings build cos/sin for 2 * ceil(rotary / 2) dimensions: an odd rotary width still
    fits when part of the head is left unrotated, and a 1-wide head broadcasts, but a whole odd head
    wider than 1 fails at the first forward pass (verified on tiny models)."""
    if rotary % 2 and rotary == head_dim and head_dim > 1:
        return [(key, f"the head size {head_dim} is odd and rotated whole ({why}): RoPE rotates pairs of "
                      "dimensions, the first forward pass fails")]
    return []


def padding_in_vocab(cfg: dict, key: str = "pad_token_id", vocab_key: str = "vocab_size") -> list[tuple[str, str]]:
    """nn.Embedding(vocab, d, padding_idx=pad) refuses pad outside [-vocab, vocab) at construction."""
    pad, vocab = cfg.get(key), cfg[vocab_key]
    if isinstance(pad, int) and isinstance(vocab, int) and not -vocab <= pad < vocab:
        return [(key, f"{key}={pad} is outside the embedding of {vocab_key}={vocab} (nn.Embedding refuses "
                      "a padding_idx outside it)")]
    return []


# ---- GPT-2 ----

def _attention(prefix: str, d: int, cross: bool) -> list[Part]:
    if cross:
        return [Part(f"{prefix}.c_attn", "Conv1D", linear(d, 2 * d), "attention.other"),
                Part(f"{prefix}.q_attn", "Conv1D", linear(d, d), "attention.q"),
                Part(f"{prefix}.c_proj", "Conv1D", linear(d, d), "attention.o")]
    return [Part(f"{prefix}.c_attn", "Conv1D", linear(d, 3 * d), "attention.other"),
            Part(f"{prefix}.c_proj", "Conv1D", linear(d, d), "attention.o")]


def base_parts(cfg: dict) -> list[Part]:
    d, vocab = cfg["n_embd"], cfg["vocab_size"]
    inner = cfg["n_inner"] if cfg["n_inner"] is not None else 4 * d
    out = [Part("wte", "Embedding", vocab * d, "embeddings"),
           Part("wpe", "Embedding", cfg["n_positions"] * d, "embeddings")]
    for i in range(cfg["n_layer"]):
        h = f"h.{i}"
        out.append(Part(f"{h}.ln_1", "LayerNorm", layer_norm(d), "norm"))
        out += _attention(f"{h}.attn", d, cross=False)
        out.append(Part(f"{h}.ln_2", "LayerNorm", layer_norm(d), "norm"))
        if cfg["add_cross_attention"]:
            out += _attention(f"{h}.crossattention", d, cross=True)
            out.append(Part(f"{h}.ln_cross_attn", "LayerNorm", layer_norm(d), "norm"))
        out += [Part(f"{h}.mlp.c_fc", "Conv1D", linear(d, inner), "mlp"),
                Part(f"{h}.mlp.c_proj", "Conv1D", linear(inner, d), "mlp")]
    out.append(Part("ln_f", "LayerNorm", layer_norm(d), "norm"))
    return out


def parts(cfg: dict, architecture: str) -> list[Part]:
    kind = ARCHITECTURES.get(architecture, architecture)
    base = base_parts(cfg)
    if kind == "base":
        return base
    d, out = cfg["n_embd"], rebase(base, "transformer")
    if kind in ("causal_lm", "double_heads"):
        out.append(lm_head("lm_head", d, cfg["vocab_size"], cfg["tie_word_embeddings"], "transformer.wte"))
        if kind == "double_heads" and cfg["summary_use_proj"]:
            # GPT2DoubleHeadsModel sets num_labels = 1 before building its multiple-choice summary.
            out.append(head("multiple_choice_head.summary", d, 1 if cfg["summary_proj_to_labels"] else d))
        return out
    return out + decoder_task_head(kind, d, cfg)


def validate(cfg: dict) -> list[tuple[str, str]]:
    return divisible(cfg, "n_embd", "n_head")
