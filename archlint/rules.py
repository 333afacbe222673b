"""The rule catalogue: every finding archlint can emit, with a stable code and a kebab-case name.

This module is the one source of each rule's code, name, severity, summary, category and whether it is
on by default (with the reason); `archlint rules`, the SARIF driver, the header of each
`ruledocs/<CODE>.md` and `docs/rules.md` come from it (`python scripts/rules_reference.py` writes the
generated parts; a test checks that they did not drift).

Codes are a family letter and three digits: S syntax and schema, E errors (the framework would refuse
the model), W warnings (the framework accepts it but it is almost certainly a mistake), B budgets.
A code never changes meaning once released; retired codes are not reused. The definitions below are
grouped by what they are about; a rule added later is appended to the end with `_rule(code, name,
severity, summary)` and gets its family's category (and so is on by default) unless it says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# Categories. On by default: what a reviewer would act on in any model.
CORRECTNESS = "correctness"  # the framework refuses the model, or archlint cannot read the file
SUSPICIOUS = "suspicious"  # the framework accepts it, but it is almost certainly a mistake
BUDGET = "budget"  # the model exceeds a budget the user declared
# Off by default, selected by name (`--extend-select portability`, `extend-select = ["pedantic"]`)
PORTABILITY = "portability"  # only matters when weights or code move between frameworks
PEDANTIC = "pedantic"  # true, but idiomatic in the canonical models of the field
INFORMATIONAL = "informational"  # a fact about the model, not a mistake
OPT_IN = (PORTABILITY, PEDANTIC, INFORMATIONAL)
CATEGORIES = (CORRECTNESS, SUSPICIOUS, BUDGET) + OPT_IN

# Why a rule of a category is (or is not) on by default, unless the rule gives its own reason
CATEGORY_REASONS = {
    CORRECTNESS: "the framework refuses the model (or the file cannot be read as one): always acted on",
    SUSPICIOUS: "the framework accepts it, but a reviewer would ask for it to be changed in any model",
    BUDGET: "fires only against a budget the spec or configuration declares",
    PORTABILITY: "matters only when weights move between frameworks: opt-in (`--extend-select portability`)",
    PEDANTIC: "idiomatic in canonical models: opt-in (`--extend-select pedantic`)",
    INFORMATIONAL: "a fact, not a mistake: opt-in (`--extend-select informational`)",
}


class RuleDefinitionError(ValueError):
    """Two rules share a code or a name, or a code or category is malformed: raised at import."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    category: str = SUSPICIOUS
    default: bool = True  # on without any selection
    reason: str = ""  # why it is on (or off) by default

    @property
    def why_default(self) -> str:
        return self.reason or CATEGORY_REASONS[self.category]


RULES: dict[str, Rule] = {}
_NAMES: dict[str, str] = {}
_FAMILY_CATEGORY = {"S": CORRECTNESS, "E": CORRECTNESS, "W": SUSPICIOUS, "B": BUDGET}


def _rule(code: str, name: str, severity: str, summary: str, category: str | None = None,
          default: bool | None = None, reason: str = "") -> Rule:
    if not re.fullmatch(r"[SEWB][0-9]{3}", code) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise RuleDefinitionError(f"malformed rule code or name: {code} {name}")
    if severity not in (ERROR, WARNING):
        raise RuleDefinitionError(f"{code}: unknown severity {severity!r}")
    category = category or _FAMILY_CATEGORY[code[0]]
    if category not in CATEGORIES:
        raise RuleDefinitionError(f"{code}: unknown category {category!r}")
    if code in RULES or name in _NAMES:
        raise RuleDefinitionError(f"{code} {name}: the code or the name is taken ({RULES.get(code) or _NAMES[name]})")
    rule = Rule(code, name, severity, summary, category, category not in OPT_IN if default is None else default,
                reason)
    RULES[code] = rule
    _NAMES[name] = code
    return rule


# ---- Reading the file: syntax, schema, configuration comments
INVALID_SYNTAX = _rule("S001", "invalid-syntax", ERROR, "The file is not valid YAML or JSON.")
SCHEMA_VIOLATION = _rule("S002", "schema-violation", ERROR, "A value does not match the archlint schema.")
UNKNOWN_LAYER_TYPE = _rule("S003", "unknown-layer-type", ERROR, "The layer type is not known for this framework.")
UNKNOWN_KEYWORD = _rule("S004", "unknown-keyword", ERROR, "A layer keyword is not an argument of that layer.")
MISSING_MARKER = _rule(
    "S005", "missing-archlint-key", WARNING, "The file looks like a model spec but lacks the `archlint` key.",
    reason="a spec without the key is skipped silently, so its mistakes would go unreported",
)
UNREADABLE_FILE = _rule("S006", "unreadable-file", ERROR, "The path does not exist or cannot be read.")
DUPLICATE_KEY = _rule("S007", "duplicate-key", ERROR, "A mapping has the same key twice.")
UNSAFE_TAG = _rule("S008", "unsupported-tag", ERROR, "A YAML tag that would construct an object.")
INPUT_TOO_LARGE = _rule("S009", "input-too-large", ERROR, "The file exceeds a size, depth or expansion limit.")
UNUSED_SUPPRESSION = _rule(
    "S010", "unused-suppression", WARNING, "An `# archlint: disable=` comment suppresses no finding.",
    reason="a stale suppression would hide the next real finding on that line",
)
INVALID_SUPPRESSION = _rule(
    "S011", "invalid-suppression", WARNING, "An `# archlint:` comment is malformed, misplaced or names no rule.",
    reason="a malformed suppression suppresses nothing, which its author did not intend",
)

# ---- Importers: Keras model configs and archives
INVALID_KERAS_CONFIG = _rule(
    "S020", "invalid-keras-config", ERROR, "A Keras model config archlint cannot read: damaged, edited or unsupported."
)
INVALID_KERAS_ARCHIVE = _rule(
    "S021", "invalid-keras-archive", ERROR, "A .keras archive that is not a valid zip, lacks config.json "
    "or is too large."
)
UNKNOWN_KERAS_LAYER = _rule(
    "W018", "unknown-keras-layer", WARNING,
    "A Keras layer class archlint does not know (custom, third-party, Lambda): its weights are not counted.",
    reason="the counts and budgets are lower bounds from that layer on: a reviewer must know",
)
RECORDED_SHAPE_MISMATCH = _rule(
    "W019", "recorded-shape-mismatch", WARNING, "A shape the Keras file records differs from the computed one."
)
KERAS_BUILT_FOR_OTHER_INPUT = _rule(
    "E040", "keras-built-for-other-input", ERROR,
    "A Keras layer's recorded build shape needs other weights than the input it receives: Keras refuses the file.",
)
KERAS_NESTED_INPUT_MISMATCH = _rule(
    "E041", "keras-nested-input-mismatch", ERROR,
    "A nested Keras model is called on a tensor its input layer does not accept: Keras refuses the file.",
)
KERAS_STALE_BUILD = _rule(
    "W040", "keras-stale-build", WARNING,
    "A Keras layer's recorded build shape needs other weights than its input: Keras loads it, the forward pass fails.",
)

# ---- The model graph: names, references, order, blocks
DUPLICATE_NAME = _rule("E011", "duplicate-name", ERROR, "Two layers (or a layer and an input) share a name.")
UNKNOWN_REFERENCE = _rule("E012", "unknown-reference", ERROR, "A layer reads a name that is no earlier layer or input.")
GRAPH_CYCLE = _rule("E013", "graph-cycle", ERROR, "Layers read each other in a cycle: the graph has no order.")
UNKNOWN_OUTPUT = _rule("E014", "unknown-output", ERROR, "A model output names no layer or input.")
BLOCK_PARAMETER = _rule(
    "E016", "block-parameter-mismatch", ERROR, "A block use misses a required parameter or passes an unknown one."
)
INVALID_EXPRESSION = _rule("E017", "invalid-expression", ERROR, "A `${...}` expression is invalid or exceeds a bound.")
EXPANSION_LIMIT = _rule(
    "E018", "block-expansion-limit", ERROR, "A block uses itself, or the expansion exceeds the layer limit."
)
UNUSED_LAYER = _rule("W009", "unused-layer", WARNING, "A layer or model input reaches no model output.")
UNUSED_BLOCK = _rule("W010", "unused-block", WARNING, "A block is defined but never used.")

# ---- Layer arguments the framework refuses, or accepts suspiciously
INVALID_ARGUMENT = _rule(
    "E002", "invalid-layer-argument", ERROR, "A size, stride or dilation is zero, negative or of the wrong length."
)
GROUPS_MISMATCH = _rule("E003", "groups-mismatch", ERROR, "`groups` does not divide the input or output channels.")
SAME_PADDING_STRIDE = _rule(
    "E004", "same-padding-with-stride", ERROR, "PyTorch refuses padding='same' for strided convolutions."
)
STRIDE_WITH_DILATION = _rule(
    "E005", "strides-with-dilation", ERROR, "Keras refuses strides > 1 together with dilation_rate > 1."
)
POOL_PADDING = _rule("E006", "pool-padding-too-large", ERROR, "PyTorch pooling padding exceeds half the kernel.")
EXPECTATION_FAILED = _rule("E009", "expectation-failed", ERROR, "An `expect:` on a layer does not hold.")
SUSPICIOUS_ARGUMENT = _rule(
    "W008", "suspicious-layer-argument", WARNING, "The framework accepts this argument "
    "but it is almost certainly a mistake."
)

# ---- Shapes: what a layer receives and produces
OUTPUT_SIZE = _rule(
    "E001", "non-positive-output-size", ERROR, "The window is larger than the (padded) input: no output."
)
DECLARED_SIZE_MISMATCH = _rule(
    "E007", "declared-size-mismatch", ERROR, "A declared input size (in_channels, in_features, ...) "
    "is not the real one."
)
RANK_MISMATCH = _rule("E008", "rank-mismatch", ERROR, "The layer does not accept a tensor of this rank.")
UNKNOWN_DIMENSION = _rule(
    "E010", "undefined-dimension", ERROR, "The layer needs a dimension that is unknown (null) to build its weights."
)
MERGE_SHAPE_MISMATCH = _rule(
    "E015", "merge-shape-mismatch", ERROR, "A merge combines tensors whose shapes the framework cannot combine."
)
SINGLE_VALUE_NORMALIZATION = _rule(
    "E020", "single-value-normalization", ERROR,
    "The normalization sees a single value per channel: every training step fails.",
)
TENSOR_TOO_LARGE = _rule(
    "E030", "tensor-too-large", ERROR, "A PyTorch tensor has more bytes than a 64-bit size counts: "
    "torch cannot create it."
)
INPUT_RANK_MISREAD = _rule(
    "W007", "input-rank-misread", WARNING,
    "The framework accepts this input rank only by reading its axes differently, or with a deprecation warning.",
)
EMPTY_OUTPUT = _rule(
    "W021", "empty-output", WARNING, "The output has size 0 on an axis: the framework computes an empty tensor."
)

# ---- What the windows read: coverage, padding, receptive fields
TRUNCATED_INPUT = _rule(
    "W001", "truncated-input", WARNING, "The stride does not fit the input: the last rows or columns are never read.",
    PEDANTIC, reason="flooring drops a trailing row on odd sizes in canonical models (the Keras CIFAR-10 CNN pools "
    "13 to 6); opt-in (`--extend-select pedantic`)",
)
SKIPPED_INPUT = _rule(
    "W002", "stride-skips-input", WARNING, "The stride exceeds the effective kernel: input positions are skipped.",
    reason="three quarters of the input never read is worth a reviewer's question even where it is deliberate "
    "(ResNet v1's stride-2 1x1 convolutions, which v1.5 moved): suppress it with the reason there",
)
ASYMMETRIC_PADDING = _rule(
    "W003", "asymmetric-same-padding", WARNING, "'same' padding with an odd total pads one side more than the other.",
    PORTABILITY, reason="every strided 'same' convolution on an even size pads one side more in Keras; it matters "
    "only when weights move to PyTorch: opt-in (`--extend-select portability`)",
)
PADDING_ONLY_OUTPUT = _rule(
    "W004", "padding-only-output", WARNING, "Padding reaches the effective kernel: some outputs see only padding."
)
INPUT_SMALLER_THAN_WINDOW = _rule(
    "W028", "input-smaller-than-receptive-field", WARNING,
    "The input is smaller than the first windowed layer's receptive field: every output reads padding."
)

# ---- Weights: what is counted, shared or wasted
SHARED_WEIGHTS_MISMATCH = _rule(
    "E019", "shared-weights-mismatch", ERROR, "A shared layer or a weight tie does not fit the weights it reuses."
)
BIAS_BEFORE_NORM = _rule(
    "W005", "bias-before-batchnorm", WARNING, "A bias immediately followed by batch normalization is wasted.",
    reason="the bias is subtracted again: parameters that never matter (ResNet v1's Keras code has them; still waste)",
)
UNMODELLED_KEYWORD = _rule(
    "W006", "unmodelled-keyword", WARNING, "A keyword changes the weights in a way archlint does not model.",
    reason="the counts and budgets cannot be trusted for that layer: a reviewer must know",
)

# ---- Budgets
PARAMS_BUDGET = _rule("B001", "params-budget-exceeded", ERROR, "The model has more parameters than its budget.")
TRAINABLE_BUDGET = _rule(
    "B002", "trainable-params-budget-exceeded", ERROR, "The model has more trainable parameters than its budget."
)
MACS_BUDGET = _rule("B003", "macs-budget-exceeded", ERROR, "The model needs more multiply-accumulates than its budget.")
FLOPS_BUDGET = _rule("B004", "flops-budget-exceeded", ERROR, "The model needs more FLOPs (2 x MACs) than its budget.")
PARAM_MEMORY_BUDGET = _rule(
    "B005", "param-memory-budget-exceeded", ERROR, "The model's weights take more bytes than its budget."
)
ACTIVATION_MEMORY_BUDGET = _rule(
    "B006", "activation-memory-budget-exceeded", ERROR, "The peak activation memory of inference exceeds its budget."
)
TRAINING_MEMORY_BUDGET = _rule(
    "B007", "training-memory-budget-exceeded", ERROR, "The estimated training memory exceeds its budget."
)
LAYER_PARAMS_BUDGET = _rule(
    "B008", "layer-params-budget-exceeded", ERROR, "A layer has more parameters than `max_layer_params`."
)
LAYER_MACS_BUDGET = _rule("B009", "layer-macs-budget-exceeded", ERROR, "A layer needs more MACs than `max_layer_macs`.")
SMALL_RECEPTIVE_FIELD = _rule(
    "W027", "small-receptive-field", WARNING,
    "The receptive field covers less of the input than `min_receptive_field`.",
    BUDGET,
)
# `archlint diff --fail-on-increase` (B020-B029 reserved for the diff gates)
COST_INCREASE = _rule(
    "B020", "cost-increase-exceeded", ERROR, "A change grows a figure (params, MACs, memory) "
    "more than `fail-on-increase` allows."
)

# ---- archlint itself
INTERNAL_ERROR = _rule("E900", "internal-error", ERROR, "archlint itself failed on this file: please report it.")

# ---- Rules added later are appended here (see the module docstring)


def categories() -> tuple[str, ...]:
    """The category names, usable as rule selectors (`--extend-select portability`)."""
    return CATEGORIES


# issue 12: Hugging Face config.json (archlint.sources.huggingface); codes E100-E129, W100-W129, B100-B109
HF_WRONG_TYPE = _rule("E100", "hf-wrong-type", ERROR, "A config key's JSON value has a type its config class refuses.")
HF_NON_POSITIVE_SIZE = _rule("E101", "hf-non-positive-size", ERROR, "A size in the config is zero or negative.")
HF_HEADS_DIVIDE_HIDDEN = _rule(
    "E102", "hf-heads-not-dividing-hidden", ERROR, "`hidden_size` is not a multiple of `num_attention_heads`."
)
HF_KV_HEADS_DIVIDE_HEADS = _rule(
    "E103", "hf-kv-heads-not-dividing-heads", ERROR, "`num_attention_heads` is not a multiple of `num_key_value_heads`."
)
HF_HEAD_DIM = _rule("E104", "hf-head-dim-inconsistent", ERROR, "The attention head size cannot be built or run.")
HF_TOP_K = _rule("E105", "hf-top-k-above-experts", ERROR, "`num_experts_per_tok` is larger than the number of experts.")
HF_PAD_TOKEN = _rule(
    "E106", "hf-pad-token-outside-vocab", ERROR, "`pad_token_id` is not an index of the token embedding."
)
HF_ROPE_SCALING = _rule(
    "E107", "hf-invalid-rope-scaling", ERROR, "`rope_scaling` names an unknown type or lacks a field its type requires."
)
HF_ACTIVATION = _rule("E108", "hf-unknown-activation", ERROR, "The activation function is not one transformers knows.")
HF_LAYER_TYPES = _rule(
    "E109", "hf-invalid-layer-types", ERROR, "`layer_types` has an unknown entry or not one entry per layer."
)
HF_UNKNOWN_KEY = _rule("W100", "hf-unknown-key", WARNING, "A config key its config class does not read.")
HF_SLIDING_WINDOW = _rule(
    "W101", "hf-sliding-window-beyond-context", WARNING, "`sliding_window` is larger than `max_position_embeddings`."
)
HF_NO_LAYERS = _rule("W102", "hf-no-layers", WARNING, "`num_hidden_layers` is 0: the model has no layers.")
HF_ZERO_ROPE_THETA = _rule("W103", "hf-zero-rope-theta", WARNING, "`rope_theta` is 0: every rotary frequency is 0.")
HF_TIE_WITHOUT_HEAD = _rule(
    "W104", "hf-tie-without-head", WARNING, "`tie_word_embeddings` is set but the class built has no head to tie."
)
HF_UNSUPPORTED = _rule("W105", "hf-unsupported-model-type", WARNING, "archlint does not count this `model_type`.")
HF_UNKNOWN_ARCHITECTURE = _rule(
    "W106", "hf-unknown-architecture", WARNING, "`architectures` names a class archlint does not know "
    "for the model_type."
)
HF_SPECIAL_TOKEN = _rule(
    "W107", "hf-token-id-outside-vocab", WARNING, "A special token id (bos, eos, ...) is outside the vocabulary."
)
HF_DUPLICATE_KEY = _rule("W108", "hf-duplicate-key", WARNING, "config.json gives a key twice with different values.")
HF_UNCOUNTABLE = _rule("W109", "hf-uncountable", WARNING, "archlint cannot count the model of this config.")
HF_REFUSED = _rule(
    "E110", "hf-config-refused", ERROR,
    "transformers refuses this combination of values (config, model or forward pass)."
)
KV_CACHE_BUDGET = _rule(
    "B100", "kv-cache-budget-exceeded", ERROR, "The KV cache at the context length exceeds its budget."
)
ACTIVE_PARAMS_BUDGET = _rule(
    "B101", "active-params-budget-exceeded", ERROR, "The parameters a token goes through exceed their budget."
)
FLOPS_PER_TOKEN_BUDGET = _rule(
    "B102", "flops-per-token-budget-exceeded", ERROR, "The forward FLOPs per token exceed their budget."
)


# Ultralytics model YAMLs (issue 13): what ultralytics' parse_model and the forward pass refuse, and what
# builds but is almost certainly not what the author meant
YOLO_FROM_RANGE = _rule("E130", "yolo-from-out-of-range", ERROR,
                        "A row's `from` names no earlier row (out of range, itself, or a later row).")
YOLO_FROM_TYPE = _rule("E131", "yolo-from-type", ERROR,
                       "A multi-input module (Concat, a head) has an int `from`, or a one-input module a list.")
YOLO_CONCAT_SIZES = _rule("E132", "yolo-concat-size-mismatch", ERROR,
                          "A Concat joins feature maps of different spatial sizes.")
YOLO_CHANNEL_MISMATCH = _rule("E133", "yolo-channel-mismatch", ERROR,
                              "A module is built for a channel count its input does not have.")
YOLO_UNKNOWN_MODULE = _rule("E134", "yolo-unknown-module", ERROR,
                            "A row names a module neither ultralytics nor torch.nn has.")
YOLO_NOT_IMPORTABLE = _rule("E135", "yolo-module-not-importable", ERROR,
                            "A module ultralytics ships but parse_model cannot resolve (KeyError).")
YOLO_MISSING_NC = _rule("E136", "yolo-missing-nc", ERROR, "The file gives no `nc` (number of classes) for its head.")
YOLO_MISSING_KPT = _rule("E137", "yolo-missing-kpt-shape", ERROR, "A Pose head without `kpt_shape`.")
YOLO_HEAD_NOT_LAST = _rule("E138", "yolo-head-not-last", ERROR, "An output head is not the last row.")
YOLO_STRIDE = _rule("E139", "yolo-imgsz-not-divisible", ERROR,
                    "The image size is not a multiple of the model's largest stride.")
YOLO_ARGUMENT_TYPE = _rule("E140", "yolo-argument-type", ERROR,
                           "A row's repeats, arguments or `from` have the wrong type.")
YOLO_UNKNOWN_SCALE = _rule("E141", "yolo-unknown-scale", ERROR, "The chosen scale is not in `scales`.")
YOLO_MODULE_ERROR = _rule("E142", "yolo-module-error", ERROR,
                          "A module cannot be built or run with its arguments and inputs.")
YOLO_BUILD_PROBE = _rule("E143", "yolo-build-probe-failure", ERROR,
                         "The model fails in the 256x256 forward pass ultralytics runs while building it.")
YOLO_ROW_MALFORMED = _rule("E144", "yolo-row-malformed", ERROR,
                           "A row is not [from, repeats, module, args], or the file is not a model YAML.")
YOLO_INDEX_COMMENT = _rule("W130", "yolo-index-comment-mismatch", WARNING,
                           "A `# N-P3/8` row comment no longer matches its row number.")
YOLO_FROM_SKIPS = _rule("W131", "yolo-from-skips-layer", WARNING,
                        "A `from` reads a row that a later row of the same resolution refines.")
YOLO_CONCAT_TWICE = _rule("W132", "yolo-concat-same-row", WARNING, "A Concat reads the same row twice.")
YOLO_UNREAD_ROW = _rule("W133", "yolo-unread-row", WARNING, "No later row reads a row's output.")
YOLO_REPEATED_CHANNEL_CHANGE = _rule("W134", "yolo-repeated-channel-change", WARNING,
                                     "Repeats on a module that changes channels (each copy gets the same arguments).")
YOLO_NOT_MODELLED = _rule("W135", "yolo-module-not-modelled", WARNING,
                          "archlint does not model a module: the rows after it are not computed.")
YOLO_CHANNEL_DESYNC = _rule("W136", "yolo-channel-desync", WARNING,
                            "A torch module changes channels that parse_model keeps counting as unchanged.")
YOLO_SCALE_GUESSED = _rule("W137", "yolo-scale-guessed", WARNING,
                           "No scale given: ultralytics builds the first of `scales`.")


# issue 15 §3: what the frameworks accept that archlint modelled too strictly or not at all (W029-W034)
RESHAPE_MIXES_SAMPLES = _rule(
    "W029", "reshape-mixes-samples", WARNING,
    "A torch.reshape puts elements of several samples in one row of the batch axis: torch runs it, the model "
    "then mixes samples.",
    reason="no row of a batch may hold two samples: every later layer and the loss then read them as one; folding "
    "whole rows of one sample into the batch (`x.reshape(-1, features)`) stays silent",
)
KERAS_MASK_UNMODELLED = _rule(
    "W030", "keras-mask-unmodelled", WARNING,
    "A Keras mask reaches a layer whose handling of masks archlint does not model.",
    reason="Keras hands the mask of Embedding(mask_zero=True) or Masking to every later layer on its own, and a "
    "layer that cannot broadcast it fails only in the forward pass: where archlint cannot say, it says so",
)
KERAS_MASK_NOT_BROADCASTABLE = _rule(
    "E031", "keras-mask-not-broadcastable", ERROR,
    "A Keras Softmax receives a mask it cannot broadcast onto its input: the forward pass fails.",
)


def lookup(code_or_name: str) -> Rule | None:
    """Find a rule by its code (`E001`) or its name (`non-positive-output-size`)."""
    key = code_or_name.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    code = _NAMES.get(key.lower())
    return RULES[code] if code else None
