"""What transformers refuses in a config.json (errors: the config class, the model's constructor or the
first forward pass fails) and what it accepts silently but is almost certainly a mistake (warnings).

Every verdict was observed with transformers 5.25 on tiny configs (tests/crosscheck/test_hf_decoders.py
keeps them equal). Findings are located at the key that decides them: `report(rule, message, key, hint)`
with `key` a path in the original file."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from archlint import rules
from archlint.sources.huggingface.resolve import Resolved, known_keys, parts, total

Report = Callable[..., None]

# Activation names transformers' ACT2FN knows (transformers 5.25, activations.py).
ACTIVATIONS = ("gelu", "gelu_10", "gelu_accurate", "gelu_fast", "gelu_new", "gelu_python", "gelu_python_tanh",
               "gelu_pytorch_tanh", "hardswish", "laplace", "leaky_relu", "linear", "mish", "prelu", "quick_gelu",
               "relu", "relu2", "relu6", "sigmoid", "silu", "sqrtsoftplus", "swish", "tanh", "xielu")
ACTIVATION_KEYS = ("hidden_act", "hidden_activation", "activation_function")

# rope_scaling / rope_parameters: the types transformers knows, and the fields each requires in the file
# (original_max_position_embeddings and rope_theta are filled in from the config when absent).
ROPE_REQUIRED = {"default": (), "linear": ("factor",), "dynamic": ("factor",), "yarn": ("factor",),
                 "longrope": ("short_factor", "long_factor"),
                 "llama3": ("factor", "low_freq_factor", "high_freq_factor"),
                 "proportional": ()}

# Config classes that do not read the legacy `rope_scaling` key (their rope_parameters are per layer type).
ROPE_SCALING_IGNORED = frozenset({"gemma3_text"})
# Keys that hold an int or null whatever their default (None defaults say nothing of the type).
INT_OR_NULL = frozenset({"num_key_value_heads", "head_dim", "sliding_window", "q_lora_rank", "n_group", "topk_group",
                         "num_experts_per_tok", "pad_token_id", "bos_token_id", "decoder_start_token_id",
                         "sep_token_id"})
NULLABLE = INT_OR_NULL | {"rope_parameters", "rope_scaling", "layer_types", "mlp_only_layers", "eos_token_id",
                          "use_bidirectional_attention", "final_logit_softcapping", "attn_logit_softcapping"}
# The entries transformers 5.25 allows in `layer_types` (configuration_utils.ALLOWED_ATTN_LAYER_TYPES).
LAYER_TYPES = ("full_attention", "sliding_attention", "chunked_attention", "window_attention", "indexed_attention",
               "compressed_sparse_attention", "heavily_compressed_attention", "minimax_m3_sparse", "conv", "moe",
               "hybrid", "hybrid_sliding", "reference_sliding_attention", "linear_attention")
# Keys that hold a list (or null): `mlp_only_layers` of layer indices, `layer_types` of names.
LISTS = {"mlp_only_layers": int, "layer_types": str}
# Sizes a module is built from: zero or negative is refused (or, for the layer count, warned about).
SIZES = ("vocab_size", "hidden_size", "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size",
         "moe_intermediate_size", "num_local_experts", "num_experts", "n_routed_experts", "num_experts_per_tok",
         "kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim",
         "shared_expert_intermediate_size", "decoder_sparse_step", "max_position_embeddings")
# Sizes that may be 0 (an empty MLP builds and runs; 0 shared experts are none).
ZERO_ALLOWED = frozenset({"intermediate_size", "moe_intermediate_size", "shared_expert_intermediate_size",
                          "n_shared_experts", "max_position_embeddings"})
# Keys transformers' cache reads from any config (cache_utils.get_layer_types_and_kwargs), read or not by
# the config class and the attention.
CACHE_KEYS = ("sliding_window", "layer_types")
# Layer counts, under their common names (a family's ALIASES gives its own): the encoder's (or the only
# stack's), and an encoder-decoder's decoder count (null: the encoder's).
LAYER_KEYS = ("num_hidden_layers", "num_decoder_layers", "decoder_layers")
MAX_LAYERS = 100_000  # more decoder layers than any model: refused before anything is counted


def where(resolved: Resolved, data: dict, key: str) -> tuple:
    """The path of `key` in the file: the key itself, the alias the file used for it, else `model_type`."""
    if key in data:
        return (key,)
    for alias, target in resolved.aliased.items():
        if target == key:
            return (alias,)
    return ("model_type",)


def _type_name(kind) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string", list: "a list"}[kind]


def _json_name(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def expected_type(key: str, default):
    if key in INT_OR_NULL:
        return int
    if key in LISTS:
        return list
    for kind in (bool, int, float, str):
        if isinstance(default, kind):
            return kind
    return None


def check_types(resolved: Resolved, data: dict, report: Report) -> set[str]:
    """E100 for values of the wrong JSON type; returns the keys that were wrong (not used for counting)."""
    wrong = set()
    defaults = resolved.family.CONFIG_DEFAULTS[resolved.model_type]
    for given, value in data.items():
        key = resolved.aliased.get(given, given)
        if key not in defaults and key not in INT_OR_NULL:
            continue
        if key in LISTS and isinstance(value, list) and not all(
                isinstance(item, LISTS[key]) and not isinstance(item, bool) for item in value):
            wrong.add(key)
            report(rules.HF_WRONG_TYPE, f"`{given}` is a list with an entry that is not {_type_name(LISTS[key])}: "
                   "the config cannot be constructed", (given,), f"a list of {_type_name(LISTS[key])}s")
            continue
        kind = expected_type(key, defaults.get(key))
        if kind is None:
            continue
        if key in getattr(resolved.family, "PAIR_KEYS", ()) and isinstance(value, list) and len(value) == 2 and all(
                isinstance(item, int) and not isinstance(item, bool) for item in value):
            continue  # [height, width]
        if value is None:
            if key in NULLABLE or defaults.get(key) is None:
                continue
        elif kind is float and isinstance(value, float):
            continue  # an integer (1 for 1.0) is refused: the config classes check types strictly
        elif kind is int and key == "eos_token_id" and isinstance(value, list):
            continue
        elif isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            continue
        wrong.add(key)
        report(rules.HF_WRONG_TYPE,
               f"`{given}` is {_json_name(value)} ({value!r}), but {resolved.config_class} takes {_type_name(kind)}"
               f"{' or null' if key in NULLABLE else ''}",
               (given,), f"the config cannot be constructed: write {_type_name(kind)}" + (
                   f", e.g. {defaults.get(key)!r}" if defaults.get(key) is not None else ""))
    return wrong


def _int(cfg: dict, key: str) -> int | None:
    value = cfg.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def class_key(resolved: Resolved, key: str) -> str:
    """The config class's own name for a common key: GPT-2's `n_layer` for `num_hidden_layers` (ALIASES)."""
    return getattr(resolved.family, "ALIASES", {}).get(resolved.model_type, {}).get(key, key)


def layer_counts(resolved: Resolved) -> list[tuple[tuple, str, object]]:
    """(path in the file, name, value) of every layer count the class builds from: `num_hidden_layers`
    under the class's own name (`n_layer`, T5's `num_layers`, Whisper's `encoder_layers`), the decoder's
    count of an encoder-decoder (null: as many as the encoder), and the count inside each sub-config
    (CLIP's `text_config`, `vision_config`)."""
    defaults = resolved.family.CONFIG_DEFAULTS[resolved.model_type]
    out = []
    for common in LAYER_KEYS:
        key = class_key(resolved, common)
        if key in defaults and not (common != "num_hidden_layers" and resolved.cfg.get(key) is None):
            out.append((None, key, resolved.cfg.get(key)))
    for key in defaults:
        sub = resolved.cfg.get(key)
        if key.endswith("_config") and isinstance(sub, dict) and "num_hidden_layers" in sub:
            out.append(((key, "num_hidden_layers"), f"{key}.num_hidden_layers", sub["num_hidden_layers"]))
    return out


def layers_bounded(resolved: Resolved) -> bool:
    """Every layer count is an integer of at most MAX_LAYERS: only then may a family's code look at the
    layers one by one (a count written as 2**62 is refused, not walked)."""
    return all(isinstance(value, int) and not isinstance(value, bool) and value <= MAX_LAYERS
               for _, _, value in layer_counts(resolved))


def check_sizes(resolved: Resolved, data: dict, report: Report, wrong: set[str]) -> bool:
    """E101 for non-positive sizes and W102 for no layers; False when the sizes cannot be counted.
    Sizes are read under the class's own key names (ALIASES). A family module may name the keys no
    module of the config reads (`unused_keys(cfg)`: any value is accepted) and check the head count
    itself (`CHECKS_HEADS`: some classes run with 0 heads)."""
    cfg, countable = resolved.cfg, True
    unused_of = getattr(resolved.family, "unused_keys", None)
    try:
        unused = unused_of(cfg) if unused_of is not None and not wrong and layers_bounded(resolved) else set()
    except (TypeError, ArithmeticError, KeyError, ValueError):
        unused = set()
    if getattr(resolved.family, "CHECKS_HEADS", False):
        unused = set(unused) | {"num_attention_heads"} if _int(cfg, "num_attention_heads") == 0 else unused
    defaults = resolved.family.CONFIG_DEFAULTS[resolved.model_type]
    sizes = dict.fromkeys(class_key(resolved, key) for key in SIZES)
    for key in sizes:  # a key the class does not take is W100's, whatever its value
        if key not in cfg or key in wrong or key in unused or (key not in defaults and key not in INT_OR_NULL):
            continue
        value = _int(cfg, key)
        if value is None:
            if cfg.get(key) is not None:
                countable = False
                report(rules.HF_WRONG_TYPE, f"`{key}` is {_json_name(cfg[key])} ({cfg[key]!r}), not an integer: "
                       "the config cannot be counted", where(resolved, data, key), f"a positive integer `{key}`")
            continue
        if value < 0 or (value == 0 and key not in ZERO_ALLOWED):
            countable = False
            report(rules.HF_NON_POSITIVE_SIZE, f"`{key}` is {value}: transformers cannot build a model with it",
                   where(resolved, data, key), f"a positive `{key}`")
    for path, key, value in layer_counts(resolved):
        path = path or where(resolved, data, key)
        if key in wrong:
            countable = False
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            report(rules.HF_WRONG_TYPE, f"`{key}` is {_json_name(value)} ({value!r}), not a number of layers: "
                   "the config cannot be counted", path, "an integer number of layers")
            countable = False
        elif value < 0:
            report(rules.HF_NON_POSITIVE_SIZE, f"`{key}` is {value}", path, "a positive number of layers")
            countable = False
        elif value == 0:
            report(rules.HF_NO_LAYERS, f"`{key}` is 0: the model is its embedding, final norm and head only", path,
                   "give the number of layers")
        elif value > MAX_LAYERS:
            report(rules.INPUT_TOO_LARGE, f"`{key}` is {value:,}: archlint counts at most {MAX_LAYERS:,} layers",
                   path, "check the value")
            countable = False
    return countable and not (wrong & set(sizes))


def activation_keys(resolved: Resolved) -> tuple[str, ...]:
    """The keys whose value transformers looks up in ACT2FN: the family's ACTIVATION_KEYS (Falcon's and
    DistilBERT's `activation`, T5's `feed_forward_proj`), else those of ACTIVATION_KEYS its class takes."""
    own = getattr(resolved.family, "ACTIVATION_KEYS", {}).get(resolved.model_type)
    if own is not None:
        return tuple(own)
    return tuple(key for key in ACTIVATION_KEYS if key in resolved.family.CONFIG_DEFAULTS[resolved.model_type])


def check_activation(resolved: Resolved, data: dict, report: Report) -> None:
    for key in activation_keys(resolved):
        value = resolved.cfg.get(key)
        if not isinstance(value, str):
            continue
        name = value
        if key == "feed_forward_proj":  # T5: "<activation>" or "gated-<activation>"; other forms are E110
            name = value.removeprefix("gated-")
            if "-" in name:
                continue
        if name not in ACTIVATIONS:
            close = difflib.get_close_matches(name, ACTIVATIONS, n=1)
            report(rules.HF_ACTIVATION, f"`{key}` is {value!r}, whose activation {name!r} transformers' ACT2FN does "
                   "not know" if name != value else f"`{key}` is {value!r}, which transformers' ACT2FN does not know",
                   where(resolved, data, key), "building the model fails with a KeyError: " + (
                       f"did you mean {close[0]!r}?" if close else f"one of {', '.join(ACTIVATIONS)}"))


def check_rope(resolved: Resolved, data: dict, report: Report) -> None:
    """E107 for rope_scaling/rope_parameters; W103 for a rope_theta of 0."""
    for key in ("rope_scaling", "rope_parameters"):
        if key == "rope_scaling" and resolved.model_type in ROPE_SCALING_IGNORED:
            continue
        block = data.get(key)
        if not isinstance(block, dict) or not block:
            continue
        entries = [((key,), block)]
        if all(isinstance(value, dict) or value is None for value in block.values()) and \
                "rope_type" not in block and "type" not in block:
            entries = [((key, name), value) for name, value in block.items() if isinstance(value, dict)]
        for path, entry in entries:
            kind = entry.get("rope_type", entry.get("type", "default"))
            field = "rope_type" if "rope_type" in entry else "type"
            if not isinstance(kind, str) or kind not in ROPE_REQUIRED:
                close = difflib.get_close_matches(str(kind), ROPE_REQUIRED, n=1)
                report(rules.HF_ROPE_SCALING, f"`{key}` has type {kind!r}, which transformers does not know",
                       path + (field,), "building the model fails (KeyError in ROPE_INIT_FUNCTIONS): " + (
                           f"did you mean {close[0]!r}?" if close else f"one of {', '.join(ROPE_REQUIRED)}"))
                continue
            missing = [name for name in ROPE_REQUIRED[kind] if name not in entry]
            if missing:
                report(rules.HF_ROPE_SCALING, f"`{key}` of type {kind!r} lacks {', '.join(f'`{m}`' for m in missing)}: "
                       "the config cannot be constructed", path, f"add {', '.join(missing)} to the block")
            theta = entry.get("rope_theta")
            if isinstance(theta, (int, float)) and not isinstance(theta, bool) and theta == 0:
                report(rules.HF_ZERO_ROPE_THETA,
                       "`rope_theta` is 0: every rotary frequency is 0 (or NaN), so positions "
                       "are not encoded", path + ("rope_theta",), "the base of the rotary frequencies, e.g. 10000.0")
    theta = data.get("rope_theta")
    if isinstance(theta, (int, float)) and not isinstance(theta, bool) and theta == 0:
        report(rules.HF_ZERO_ROPE_THETA, "`rope_theta` is 0: every rotary frequency is 0 (or NaN), so positions are "
               "not encoded", ("rope_theta",), "the base of the rotary frequencies, e.g. 10000.0")


def check_tokens(resolved: Resolved, data: dict, report: Report) -> None:
    """E106: a pad token outside the vocabulary (nn.Embedding refuses the padding_idx); W107: other
    special tokens outside it (transformers only logs a warning, generation then fails)."""
    vocab = _int(resolved.cfg, "vocab_size")
    if vocab is None or vocab <= 0:
        return
    for key in ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id", "sep_token_id"):
        values = resolved.cfg.get(key)
        for index, value in enumerate(values if isinstance(values, list) else [values]):
            if not isinstance(value, int) or isinstance(value, bool) or 0 <= value < vocab:
                continue
            path = where(resolved, data, key) + ((index,) if isinstance(values, list) else ())
            # nn.Embedding takes a padding_idx in [-vocab, vocab); a family without one accepts any id
            padded = getattr(resolved.family, "PADDED_EMBEDDING", True)
            if key == "pad_token_id" and padded and not -vocab <= value < vocab:
                report(rules.HF_PAD_TOKEN, f"`pad_token_id` is {value}, outside the vocabulary of {vocab:,} tokens",
                       path, f"nn.Embedding refuses it as padding_idx when the model is built: use a token id below "
                       f"vocab_size ({vocab:,}), or null")
            else:
                report(rules.HF_SPECIAL_TOKEN, f"`{key}` is {value}, outside the vocabulary of {vocab:,} tokens",
                       path, "transformers accepts the config, but the token cannot be embedded or generated: use a "
                       f"token id below vocab_size ({vocab:,})")


def check_sliding_window(resolved: Resolved, data: dict, report: Report) -> None:
    window, context = _int(resolved.cfg, "sliding_window"), _int(resolved.cfg, "max_position_embeddings")
    if "sliding_window" not in resolved.family.CONFIG_DEFAULTS[resolved.model_type]:
        return
    if "sliding_window" in data and window and context and window > context:
        report(rules.HF_SLIDING_WINDOW, f"`sliding_window` ({window:,}) is larger than `max_position_embeddings` "
               f"({context:,})", ("sliding_window",), "no sequence is long enough for the window to matter: use the "
               "window size the model was trained with, at most max_position_embeddings (or null)")


def check_unknown_keys(resolved: Resolved, data: dict, report: Report, countable: bool) -> None:
    """W100: a key the config class does not read, with a close key and what its default costs."""
    known = known_keys(resolved)
    own = list(resolved.family.CONFIG_DEFAULTS[resolved.model_type])
    for key, value in data.items():
        if key in known or key.startswith("_"):
            continue
        if key in CACHE_KEYS and value is not None:
            report(rules.HF_UNKNOWN_KEY, f"`{key}` is not a key of {resolved.config_class}, but transformers' cache "
                   "reads it", (key,),
                   "its attention ignores it, but DynamicCache keeps only the last sliding_window - 1 tokens of the "
                   "layers it marks, so generation silently attends through a window; remove it, unless the model "
                   "was trained with that window")
            continue
        close = difflib.get_close_matches(key, own, n=1, cutoff=0.8)
        if not close:
            report(rules.HF_UNKNOWN_KEY, f"`{key}` is not a key of {resolved.config_class}", (key,),
                   "transformers keeps it as an attribute that no module of the model reads: remove it, or check the "
                   "spelling against the config class's documentation")
            continue
        target = close[0]
        default = resolved.family.CONFIG_DEFAULTS[resolved.model_type][target]
        taken = data[target] if target in data else default
        # the finding line says what is wrong; what transformers does with it, and what it costs, is the hint's
        why = f"transformers keeps it as an attribute no module reads, and `{target}` "
        why += (f"is {taken!r} as the file gives it" if target in data
                else f"takes the class's default {default!r}")
        if target not in data and default == value and type(default) is type(value):
            why += ", the value written, so the counts do not change"
        difference = _difference(resolved, target, value) if countable and target not in data else None
        if difference:
            before, after = difference
            change = after - before
            why += (f", so the model has {before:,} parameters instead of {after:,} with {target}={value!r} "
                    f"({'+' if before > after else '-'}{abs(change):,})")
        report(rules.HF_UNKNOWN_KEY, f"`{key}` is not a key of {resolved.config_class} (did you mean `{target}`?)",
               (key,), f"{why}: rename `{key}` to `{target}`")


def _difference(resolved: Resolved, key: str, value) -> tuple[int, int] | None:
    """(total as the file is read, total with `key` set to `value`), or None when either cannot be counted."""
    if not isinstance(value, type(resolved.family.CONFIG_DEFAULTS[resolved.model_type][key]) or ()) and not (
            key in INT_OR_NULL and isinstance(value, int)):
        return None
    try:
        before = total(parts(resolved))
        after = total(parts(resolved, dict(resolved.cfg, **{key: value})))
    except (ArithmeticError, TypeError, KeyError, ValueError, IndexError):
        return None
    return (before, after) if before != after else None


def check_tie(resolved: Resolved, data: dict, report: Report, part_list) -> None:
    if data.get("tie_word_embeddings") is True and not any(part.tied_to for part in part_list):
        report(rules.HF_TIE_WITHOUT_HEAD, f"`tie_word_embeddings` is true, but {resolved.architecture_class} has no "
               "output head to tie", ("tie_word_embeddings",), "no weight can be the token embedding's, so the setting "
               "does nothing: remove it, or name a class with a language-model head in `architectures`")


def check_layer_types(resolved: Resolved, data: dict, report: Report) -> bool:
    """E109: every config class validates a `layer_types` attribute, its own key or not."""
    types = data.get("layer_types")
    if types is None:
        return True
    allowed = LAYER_TYPES
    if not isinstance(types, list):
        return False
    for index, kind in enumerate(types):
        if kind not in allowed:
            report(rules.HF_LAYER_TYPES, f"`layer_types` entry {kind!r} is not one transformers knows: the config "
                   "cannot be constructed", ("layer_types", index), f"one of {', '.join(allowed)}")
            return False
    layers = _int(resolved.cfg, "num_hidden_layers")
    if layers is not None and layers != len(types):
        report(rules.HF_LAYER_TYPES,
               f"`layer_types` has {len(types)} entries for {layers} layers: the config cannot be "
               "constructed", ("layer_types",), "one entry per layer")
        return False
    return True


def refusal_rule(key: str, message: str):
    """The rule of a refusal a classic family's `validate(cfg)` gives as (key, message): the specific rule
    where one says it (heads not dividing the width, kv heads, the head size, the padding index), else
    E110, transformers refuses the combination."""
    name = key.rpartition(".")[2]
    if "not divisible" in message:
        return rules.HF_KV_HEADS_DIVIDE_HEADS if "kv" in name else rules.HF_HEADS_DIVIDE_HIDDEN
    if "head size" in message:
        return rules.HF_HEAD_DIM
    if name == "pad_token_id" and "outside the embedding" in message:
        return rules.HF_PAD_TOKEN
    return rules.HF_REFUSED


def check_validate(resolved: Resolved, data: dict, report: Report, wrong: set[str]) -> None:
    """The refusals of a classic family module's `validate(cfg) -> [(key, message)]`, each located at
    its key (as the file names it; "vision_config.patch_size" inside a sub-config); none at a key whose
    type E100 already reports."""
    validate = getattr(resolved.family, "validate", None)
    if validate is None:
        return
    try:
        found = validate(resolved.cfg)
    except (TypeError, ArithmeticError, KeyError, ValueError, AttributeError):
        return  # a value of the wrong type: reported by check_types
    for key, message in found:
        if key in wrong:
            continue
        path = where(resolved, data, key) if "." not in key else tuple(key.split("."))
        report(refusal_rule(key, message), message, path,
               f"transformers refuses the config: change `{key}` (or the value it is checked against)")


def run(resolved: Resolved, data: dict, report: Report) -> bool:
    """Every check that does not need the counts; True when the config can be counted. A finding two
    checks reach at the same key (E106 from check_tokens and a family's validate) is reported once."""
    seen: set = set()
    given = report

    def report(rule, message, path=(), hint=""):
        if (rule.code, tuple(path)) not in seen:
            seen.add((rule.code, tuple(path)))
            given(rule, message, path, hint)

    wrong = check_types(resolved, data, report)
    # a value of the wrong type is refused when the config is constructed (E100): nothing to count
    countable = check_sizes(resolved, data, report, wrong) and not wrong
    check_activation(resolved, data, report)
    check_rope(resolved, data, report)
    check_tokens(resolved, data, report)
    check_sliding_window(resolved, data, report)
    countable = check_layer_types(resolved, data, report) and countable
    bounded = layers_bounded(resolved)  # the family's own checks may visit every layer
    if bounded:
        check_validate(resolved, data, report, wrong)
    family_check = getattr(resolved.family, "check", None) if bounded else None
    if family_check is not None:
        try:  # the family's checks read the sizes they need; one that is wrong is reported above
            verdict = family_check(resolved.cfg, lambda rule, message, key, hint="": report(
                rule, message, where(resolved, data, key) if isinstance(key, str) else key, hint))
        except (TypeError, ArithmeticError, KeyError, ValueError):
            verdict = False
        countable = countable and verdict is not False
    check_unknown_keys(resolved, data, report, countable)
    return countable
