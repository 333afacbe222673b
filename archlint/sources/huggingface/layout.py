"""Building blocks the family modules share: the parameter counts of torch's modules as transformers
uses them, and the decoder pieces several families have in common (attention projections, gated MLPs,
causal-LM heads). Counts are exact: `nn.Linear(i, o, bias)` holds i*o (+o) parameters."""

from __future__ import annotations

from archlint.sources.huggingface.parts import Part


def linear(in_features: int, out_features: int, bias: bool = False) -> int:
    return in_features * out_features + (out_features if bias else 0)


def attention(prefix: str, hidden: int, heads: int, kv_heads: int, head_dim: int, *, qkv_bias: bool = False,
              o_bias: bool = False) -> list[Part]:
    """q/k/v/o projections of grouped-query attention (kv_heads == heads: multi-head; 1: multi-query)."""
    return [Part(f"{prefix}.q_proj", "Linear", linear(hidden, heads * head_dim, qkv_bias), "attention.q"),
            Part(f"{prefix}.k_proj", "Linear", linear(hidden, kv_heads * head_dim, qkv_bias), "attention.k"),
            Part(f"{prefix}.v_proj", "Linear", linear(hidden, kv_heads * head_dim, qkv_bias), "attention.v"),
            Part(f"{prefix}.o_proj", "Linear", linear(heads * head_dim, hidden, o_bias), "attention.o")]


def gated_mlp(prefix: str, hidden: int, intermediate: int, category: str = "mlp", bias: bool = False) -> list[Part]:
    """gate_proj, up_proj and down_proj (SwiGLU / GeGLU)."""
    return [Part(f"{prefix}.gate_proj", "Linear", linear(hidden, intermediate, bias), category),
            Part(f"{prefix}.up_proj", "Linear", linear(hidden, intermediate, bias), category),
            Part(f"{prefix}.down_proj", "Linear", linear(intermediate, hidden, bias), category)]


def norm(path: str, cls: str, size: int) -> Part:
    return Part(path, cls, size, "norm")


def lm_head(hidden: int, vocab: int, tied: bool, embedding: str = "model.embed_tokens") -> Part:
    """`lm_head`, its weight shared with the input embedding when tied (counted there, once)."""
    return Part("lm_head", "Linear", 0 if tied else linear(hidden, vocab), "head", tied_to=embedding if tied else "",
                base=False)


# What a task class builds -> the suffix transformers gives its class after the family's prefix
# ("Bloom" + "ForCausalLM"); a class named otherwise (GPT2LMHeadModel) is given by its name.
TASK_CLASSES = {
    "base": "Model",
    "causal_lm": "ForCausalLM",
    "masked_lm": "ForMaskedLM",
    "seq2seq_lm": "ForConditionalGeneration",
    "pretraining": "ForPreTraining",
    "next_sentence_prediction": "ForNextSentencePrediction",
    "sequence_classification": "ForSequenceClassification",
    "multiple_choice": "ForMultipleChoice",
    "token_classification": "ForTokenClassification",
    "question_answering": "ForQuestionAnswering",
    "image_classification": "ForImageClassification",
    "masked_image_modeling": "ForMaskedImageModeling",
    "audio_classification": "ForAudioClassification",
}


def architectures(prefix: str, kinds: tuple[str, ...], **own: str) -> dict[str, str]:
    """A family's ARCHITECTURES: `prefix` + the usual suffix of each kind (TASK_CLASSES), and the
    classes named otherwise, `own` (class name -> kind)."""
    return {f"{prefix}{TASK_CLASSES[kind]}": kind for kind in kinds} | own


def decoder_classes(prefixes: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A decoder family module's ARCHITECTURES and DEFAULT_ARCHITECTURE, from its class prefix per
    model_type: each type's causal LM (the default), base model and classifiers."""
    kinds = ("causal_lm", "base", "sequence_classification", "token_classification")
    return ({name: kind for prefix in prefixes.values() for name, kind in architectures(prefix, kinds).items()},
            {model_type: f"{prefix}{TASK_CLASSES['causal_lm']}" for model_type, prefix in prefixes.items()})


def decoder_layer_class(prefixes: dict[str, str]):
    """A family module's `layer_class`: its decoder layers' class, "<Prefix>DecoderLayer"."""
    return lambda cfg: f"{prefixes[cfg['model_type']]}DecoderLayer"


def experts_per_token(cfg: dict) -> int:
    """A mixture-of-experts family module's `experts_per_token`: the routed experts a token goes through."""
    return cfg["num_experts_per_tok"]


def num_labels(cfg: dict) -> int:
    """The label count as PreTrainedConfig derives it: `num_labels` when given (an integer, not a
    boolean), else the size of `id2label` (an empty one means no labels: a 0-wide classifier), else 2.
    The one copy, for the decoder and the classic family modules alike."""
    given = cfg.get("num_labels")
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    id2label = cfg.get("id2label")
    return len(id2label) if isinstance(id2label, dict) else 2


class Attention:
    """What one decoder layer's attention caches and computes per token, for the KV-cache and FLOPs figures.

    `cached`: values the cache keeps per token (keys and values of every kv head; for multi-head latent
    attention the compressed latent and the shared rotary key); `window`: the tokens a sliding-window
    layer attends to (None: all), its cache keeping the last window - 1; `score_macs`: MACs per attended token
    (heads x (qk + v dims))."""

    __slots__ = ("cached", "window", "score_macs")

    def __init__(self, cached: int, window: int | None, score_macs: int):
        self.cached, self.window, self.score_macs = cached, window, score_macs

    def __eq__(self, other) -> bool:
        return isinstance(other, Attention) and (self.cached, self.window, self.score_macs) == \
            (other.cached, other.window, other.score_macs)

    def __repr__(self) -> str:
        return f"Attention(cached={self.cached}, window={self.window}, score_macs={self.score_macs})"
