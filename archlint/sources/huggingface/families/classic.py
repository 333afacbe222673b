"""What the classic family modules (gpt2, gpt_neox, opt, bloom, falcon, bert, distilbert, t5, vit,
whisper, clip) share: their task classes' names, layer sizes, a transformer layer from a table of its
modules, the label count, the task heads, prefixing a base model's parts, and the `parts` of a
decoder-only family. A new classic family states its class-name prefix, its layer table and what is
really its own (embeddings, norms, extra heads).

Categories: a fused query/key/value projection (GPT-2's `attn.c_attn`, one Conv1D producing q, k and
v; GPT-NeoX's, BLOOM's and Falcon's `query_key_value`) is one module, so it is one Part in
"attention.other" (a Part has one category; splitting one module in three Parts would give three rows
for one `named_modules()` name). Learned position embeddings are "embeddings"; task heads (lm_head,
score, classifier, qa_outputs) are "head".

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

from collections.abc import Callable

from .. import layout
from ..layout import architectures, num_labels  # noqa: F401 (the one copy of each, for the classic modules)
from ..parts import Part

# The task classes of a classic decoder-only family (GPT-NeoX, BLOOM, Falcon)
DECODER_TASKS = ("base", "causal_lm", "sequence_classification", "token_classification", "question_answering")


def linear(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of nn.Linear / Conv1D / FalconLinear from n_in to n_out features: layout.linear, with a
    bias by default, as these families' projections have."""
    return layout.linear(n_in, n_out, bias)


def layer_norm(size: int, affine: bool = True, bias: bool = True) -> int:
    return (size * 2 if bias else size) if affine else 0


def norm(path: str, size: int, affine: bool = True) -> Part:
    """A LayerNorm of the base model."""
    return Part(path, "LayerNorm", layer_norm(size, affine), "norm")


def block(prefix: str, d: int, ffn: int, modules: tuple[tuple[str, str], ...], *, qkv: int | None = None,
          bias: bool = True, mlp_bias: bool | None = None, affine: bool = True, cls: str = "Linear") -> list[Part]:
    """One transformer layer: `modules` lists (name, role) in transformers' registration order, role one
    of q, k, v, o (d -> d), qkv (one fused d -> `qkv` projection, 3 * d by default), norm (LayerNorm(d)),
    up (d -> ffn), down (ffn -> d). `bias`: the attention projections have biases; `mlp_bias` the MLP's
    (default: as `bias`); `affine`: the norms have weights; `cls`: the projections' class."""
    mlp_bias = bias if mlp_bias is None else mlp_bias
    sizes = {"qkv": linear(d, 3 * d if qkv is None else qkv, bias), "up": linear(d, ffn, mlp_bias),
             "down": linear(ffn, d, mlp_bias)}
    out = []
    for name, role in modules:
        path = f"{prefix}.{name}"
        if role == "norm":
            out.append(norm(path, d, affine))
        else:
            category = "mlp" if role in ("up", "down") else "attention.other" if role == "qkv" else f"attention.{role}"
            out.append(Part(path, cls, sizes[role] if role in sizes else linear(d, d, bias), category))
    return out


def stack(prefix: str, count: int, d: int, ffn: int, modules: tuple[tuple[str, str], ...], **options) -> list[Part]:
    """`count` layers `prefix.0`, `prefix.1`, ... of the same table (block's options)."""
    return [part for i in range(count) for part in block(f"{prefix}.{i}", d, ffn, modules, **options)]


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


def encoder_task_head(kind: str, hidden: int, cfg: dict) -> list[Part]:
    """The heads the classic encoder families (BERT, RoBERTa, DistilBERT) build alike on their pooled or
    per-token output: `classifier` (one output per choice for multiple choice) and `qa_outputs`, whose
    width is num_labels."""
    if kind in ("sequence_classification", "token_classification"):
        return [head("classifier", hidden, num_labels(cfg))]
    if kind == "multiple_choice":
        return [head("classifier", hidden, 1)]
    if kind == "question_answering":
        return [head("qa_outputs", hidden, num_labels(cfg))]
    raise ValueError(f"unknown architecture kind {kind!r}")


def lm_head(path: str, hidden: int, vocab: int, tied: bool, embedding: str, bias: bool = False) -> Part:
    """An output projection onto the vocabulary, sharing the embedding's weight when tied (its bias,
    if any, stays its own)."""
    if tied:
        return Part(path, "Linear", vocab if bias else 0, "head", tied_to=embedding, base=False)
    return head(path, hidden, vocab, bias)


def decoder_parts(classes: dict[str, str], base_parts: Callable[[dict], list[Part]], prefix: str, embedding: str,
                  width: Callable[[dict], int] = lambda cfg: cfg["hidden_size"]):
    """The `parts(cfg, architecture)` of a classic decoder-only family: the base model alone, or under
    `prefix` with `lm_head` (its weight tied to the base model's `embedding` when tie_word_embeddings)
    or a decoder task head; `width` is what the heads read (the hidden size)."""

    def parts(cfg: dict, architecture: str) -> list[Part]:
        kind = classes.get(architecture, architecture)
        base = base_parts(cfg)
        if kind == "base":
            return base
        out = rebase(base, prefix)
        if kind == "causal_lm":
            return out + [lm_head("lm_head", width(cfg), cfg["vocab_size"], cfg["tie_word_embeddings"],
                                  f"{prefix}.{embedding}")]
        return out + decoder_task_head(kind, width(cfg), cfg)

    return parts


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
