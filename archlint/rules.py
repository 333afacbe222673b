"""The rule catalogue: every finding archlint can emit, with a stable code and a kebab-case name.

Codes are a family letter and three digits: S syntax and schema, E errors (the framework would refuse
the model), W warnings (the framework accepts it but it is almost certainly a mistake), B budgets.
A code never changes meaning once released; retired codes are not reused.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str


RULES: dict[str, Rule] = {}


def _rule(code: str, name: str, severity: str, summary: str) -> Rule:
    rule = Rule(code, name, severity, summary)
    assert code not in RULES and all(r.name != name for r in RULES.values()), code
    RULES[code] = rule
    return rule


# S: reading the file and its schema
INVALID_SYNTAX = _rule("S001", "invalid-syntax", ERROR, "The file is not valid YAML or JSON.")
SCHEMA_VIOLATION = _rule("S002", "schema-violation", ERROR, "A value does not match the archlint schema.")
UNKNOWN_LAYER_TYPE = _rule("S003", "unknown-layer-type", ERROR, "The layer type is not known for this framework.")
UNKNOWN_KEYWORD = _rule("S004", "unknown-keyword", ERROR, "A layer keyword is not an argument of that layer.")
MISSING_MARKER = _rule(
    "S005", "missing-archlint-key", WARNING, "The file looks like a model spec but lacks the `archlint` key."
)
UNREADABLE_FILE = _rule("S006", "unreadable-file", ERROR, "The path does not exist or cannot be read.")
DUPLICATE_KEY = _rule("S007", "duplicate-key", ERROR, "A mapping has the same key twice.")
UNSAFE_TAG = _rule("S008", "unsupported-tag", ERROR, "A YAML tag that would construct an object.")
INPUT_TOO_LARGE = _rule("S009", "input-too-large", ERROR, "The file exceeds a size, depth or expansion limit.")
UNUSED_SUPPRESSION = _rule(
    "S010", "unused-suppression", WARNING, "An `# archlint: disable=` comment suppresses no finding."
)
INVALID_SUPPRESSION = _rule(
    "S011", "invalid-suppression", WARNING, "An `# archlint:` comment is malformed, misplaced or names no rule."
)

# E: the framework would refuse the model
OUTPUT_SIZE = _rule(
    "E001", "non-positive-output-size", ERROR, "The window is larger than the (padded) input: no output."
)
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
DECLARED_SIZE_MISMATCH = _rule(
    "E007", "declared-size-mismatch", ERROR, "A declared input size (in_channels, in_features, ...) is not the real one."
)
RANK_MISMATCH = _rule("E008", "rank-mismatch", ERROR, "The layer does not accept a tensor of this rank.")
EXPECTATION_FAILED = _rule("E009", "expectation-failed", ERROR, "An `expect:` on a layer does not hold.")
UNKNOWN_DIMENSION = _rule(
    "E010", "undefined-dimension", ERROR, "The layer needs a dimension that is unknown (null) to build its weights."
)
DUPLICATE_NAME = _rule("E011", "duplicate-name", ERROR, "Two layers (or a layer and an input) share a name.")
UNKNOWN_REFERENCE = _rule("E012", "unknown-reference", ERROR, "A layer reads a name that is no earlier layer or input.")
GRAPH_CYCLE = _rule("E013", "graph-cycle", ERROR, "Layers read each other in a cycle: the graph has no order.")
UNKNOWN_OUTPUT = _rule("E014", "unknown-output", ERROR, "A model output names no layer or input.")
MERGE_SHAPE_MISMATCH = _rule(
    "E015", "merge-shape-mismatch", ERROR, "A merge combines tensors whose shapes the framework cannot combine."
)
BLOCK_PARAMETER = _rule(
    "E016", "block-parameter-mismatch", ERROR, "A block use misses a required parameter or passes an unknown one."
)
INVALID_EXPRESSION = _rule("E017", "invalid-expression", ERROR, "A `${...}` expression is invalid or exceeds a bound.")
EXPANSION_LIMIT = _rule(
    "E018", "block-expansion-limit", ERROR, "A block uses itself, or the expansion exceeds the layer limit."
)
SHARED_WEIGHTS_MISMATCH = _rule(
    "E019", "shared-weights-mismatch", ERROR, "A shared layer or a weight tie does not fit the weights it reuses."
)
SINGLE_VALUE_NORMALIZATION = _rule(
    "E020", "single-value-normalization", ERROR,
    "The normalization sees a single value per channel: every training step fails.",
)
INTERNAL_ERROR = _rule("E900", "internal-error", ERROR, "archlint itself failed on this file: please report it.")

# W: accepted by the framework, almost certainly a mistake
TRUNCATED_INPUT = _rule(
    "W001", "truncated-input", WARNING, "The stride does not fit the input: the last rows or columns are never read."
)
SKIPPED_INPUT = _rule(
    "W002", "stride-skips-input", WARNING, "The stride exceeds the effective kernel: input positions are skipped."
)
ASYMMETRIC_PADDING = _rule(
    "W003", "asymmetric-same-padding", WARNING, "'same' padding with an odd total pads one side more than the other."
)
PADDING_ONLY_OUTPUT = _rule(
    "W004", "padding-only-output", WARNING, "Padding reaches the effective kernel: some outputs see only padding."
)
BIAS_BEFORE_NORM = _rule(
    "W005", "bias-before-batchnorm", WARNING, "A bias immediately followed by batch normalization is wasted."
)
UNMODELLED_KEYWORD = _rule(
    "W006", "unmodelled-keyword", WARNING, "A keyword changes the weights in a way archlint does not model."
)
INPUT_RANK_MISREAD = _rule(
    "W007", "input-rank-misread", WARNING,
    "The framework accepts this input rank only by reading its axes differently, or with a deprecation warning.",
)
SUSPICIOUS_ARGUMENT = _rule(
    "W008", "suspicious-layer-argument", WARNING, "The framework accepts this argument but it is almost certainly a mistake."
)

UNUSED_LAYER = _rule("W009", "unused-layer", WARNING, "A layer or model input reaches no model output.")
UNUSED_BLOCK = _rule("W010", "unused-block", WARNING, "A block is defined but never used.")

# Layer catalogue (issue 4: convolution variants)
EMPTY_OUTPUT = _rule(
    "W021", "empty-output", WARNING, "The output has size 0 on an axis: the framework computes an empty tensor."
)

# Keras model configs (issue 5)
INVALID_KERAS_CONFIG = _rule(
    "S020", "invalid-keras-config", ERROR, "A Keras model config archlint cannot read: damaged, edited or unsupported."
)
INVALID_KERAS_ARCHIVE = _rule(
    "S021", "invalid-keras-archive", ERROR, "A .keras archive that is not a valid zip, lacks config.json or is too large."
)
UNKNOWN_KERAS_LAYER = _rule(
    "W018", "unknown-keras-layer", WARNING,
    "A Keras layer class archlint does not know (custom, third-party, Lambda): its weights are not counted.",
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

# B: budgets
PARAMS_BUDGET = _rule("B001", "params-budget-exceeded", ERROR, "The model has more parameters than its budget.")
TRAINABLE_BUDGET = _rule(
    "B002", "trainable-params-budget-exceeded", ERROR, "The model has more trainable parameters than its budget."
)
# issue 9: compute, memory and per-layer budgets; receptive-field warnings
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
LAYER_PARAMS_BUDGET = _rule("B008", "layer-params-budget-exceeded", ERROR, "A layer has more parameters than `max_layer_params`.")
LAYER_MACS_BUDGET = _rule("B009", "layer-macs-budget-exceeded", ERROR, "A layer needs more MACs than `max_layer_macs`.")
SMALL_RECEPTIVE_FIELD = _rule(
    "W027", "small-receptive-field", WARNING, "The receptive field covers less of the input than `min_receptive_field`."
)
INPUT_SMALLER_THAN_WINDOW = _rule(
    "W028", "input-smaller-than-receptive-field", WARNING,
    "The input is smaller than the first windowed layer's receptive field: every output reads padding."
)

# issue 16: `archlint diff --fail-on-increase` (B020-B029 reserved for the diff gates)
COST_INCREASE = _rule(
    "B020", "cost-increase-exceeded", ERROR, "A change grows a figure (params, MACs, memory) more than `fail-on-increase` allows."
)


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
    "W106", "hf-unknown-architecture", WARNING, "`architectures` names a class archlint does not know for the model_type."
)
HF_SPECIAL_TOKEN = _rule(
    "W107", "hf-token-id-outside-vocab", WARNING, "A special token id (bos, eos, ...) is outside the vocabulary."
)
HF_DUPLICATE_KEY = _rule("W108", "hf-duplicate-key", WARNING, "config.json gives a key twice with different values.")
HF_UNCOUNTABLE = _rule("W109", "hf-uncountable", WARNING, "archlint cannot count the model of this config.")
HF_REFUSED = _rule(
    "E110", "hf-config-refused", ERROR, "transformers refuses this combination of values (config, model or forward pass)."
)
KV_CACHE_BUDGET = _rule("B100", "kv-cache-budget-exceeded", ERROR, "The KV cache at the context length exceeds its budget.")
ACTIVE_PARAMS_BUDGET = _rule(
    "B101", "active-params-budget-exceeded", ERROR, "The parameters a token goes through exceed their budget."
)
FLOPS_PER_TOKEN_BUDGET = _rule(
    "B102", "flops-per-token-budget-exceeded", ERROR, "The forward FLOPs per token exceed their budget."
)


def lookup(code_or_name: str) -> Rule | None:
    """Find a rule by its code (`E001`) or its name (`non-positive-output-size`)."""
    key = code_or_name.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    for rule in RULES.values():
        if rule.name == key.lower():
            return rule
    return None
