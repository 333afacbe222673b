"""The vocabularies: every set of names a spec, a configuration file or the command line accepts,
each listed once here. The CLI choices and options (`cli.py`), the configuration checker
(`config.py`), the output formats (`formats/`) and the schema's enums (`scripts/sync_schema.py`,
checked by a test) are derived from these tables. Input formats are the importers of
`archlint.sources` (`sources.INPUT_FORMATS`).

This module imports nothing heavy: the command line reads it to build its options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archlint.quantities import BYTES_PATTERN, COUNT_PATTERN, parse_bytes, parse_count, parse_fraction

# ---------------------------------------------------------------- frameworks, dtypes, optimizers

FRAMEWORKS = {
    "keras": "Keras 3 semantics, channels-last.",
    "pytorch": "torch.nn semantics, channels-first.",
}
DEFAULT_FRAMEWORK = "keras"

# dtype -> bytes of one value, for the memory figures (issue 9)
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
DEFAULT_DTYPE = "float32"

# Values the optimizer keeps per trainable weight: SGD none, SGD with momentum its velocity, Adam and
# AdamW the first and second moments (as torch.optim and keras.optimizers keep them).
OPTIMIZER_STATES = {"sgd": 0, "sgd_momentum": 1, "adam": 2, "adamw": 2}
DEFAULT_OPTIMIZER = "adam"

# ---------------------------------------------------------------- output formats

# `check --output-format`: format name -> the module of archlint.formats that renders it (imported
# only when chosen, to keep start-up lean)
CHECK_FORMATS = {
    "full": "text", "concise": "text", "json": "json_formats", "json-lines": "json_formats",
    "sarif": "sarif", "github": "github", "gitlab": "json_formats", "junit": "junit",
}
PEOPLE_FORMATS = ("full", "concise")  # the others are for machines: only they go to stdout uncoloured
SUMMARY_FORMATS = ("full", "json", "markdown")  # `summary --output-format`
RULES_FORMATS = ("full", "json")  # `rules --output-format`
DIFF_FORMATS = ("full", "json", "markdown")  # `diff --output-format` (issue 16)
GRAPH_FORMATS = ("dot", "mermaid", "svg", "png")  # `graph --output-format`: svg and png drawn by Graphviz

# ---------------------------------------------------------------- budget keys


@dataclass(frozen=True)
class Units:
    parse: Callable[[Any], Any]  # the written value -> the limit, or None when it is not one of these units
    expected: str  # what a wrong value should have been, in error messages
    schema: dict  # the JSON Schema of a value
    click_type: type = str  # what the command line converts the option's text to before `parse`


UNITS = {
    "count": Units(parse_count, "a count (an int, or 25k, 3.5M, 7B)", {"$ref": "#/definitions/count"}),
    "bytes": Units(parse_bytes, "a byte size (an int, or 512KB, 1.5MiB, 2GB)", {"$ref": "#/definitions/byte_size"}),
    "fraction": Units(parse_fraction, "a fraction in (0, 1]",
                      {"type": "number", "exclusiveMinimum": 0, "maximum": 1}, float),
}
# the schema's definitions of the units' written forms, generated from the parsers' own patterns
UNIT_DEFINITIONS = {
    "count": {
        "description": "A count: an integer, or a decimal with a k, M, G (or B, billions) or T suffix (25k, 3.5M, 7B).",
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": COUNT_PATTERN}],
    },
    "byte_size": {
        "description": "A size in bytes: an integer, or a decimal with B, k/KB, M/MB, G/GB, T/TB (powers of 1000) or "
                       "KiB, MiB, GiB, TiB (powers of 1024): 512MB, 1.5GiB.",
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": BYTES_PATTERN}],
    },
}


@dataclass(frozen=True)
class BudgetKey:
    """One budget: a key of a spec's `budget:` and of the configuration's `budgets` tables, and a
    command-line option. Adding a budget is one BudgetKey in BUDGET_KEYS; its check is the function
    `check` names (default: `archlint.budget.<name>`), called as check(model, sink, key, limit, labels)."""

    name: str
    units: str  # a key of UNITS
    label: str  # what it limits, as findings and docs name it
    help: str  # one line: the option's --help, the schema's description
    check: str = ""  # "module:function"; "" for archlint.budget's function named like the key

    @property
    def option(self) -> str:
        """--max-<name>, or the key itself when it already says max or min (--max-layer-params)."""
        name = self.name if self.name.startswith(("max_", "min_")) else "max_" + self.name
        return "--" + name.replace("_", "-")

    @property
    def parse(self) -> Callable[[Any], Any]:
        return UNITS[self.units].parse

    @property
    def checker(self) -> tuple[str, str]:
        module, _, function = (self.check or f"archlint.budget:{self.name}").partition(":")
        return module, function


BUDGET_KEYS = {key.name: key for key in (
    BudgetKey("params", "count", "parameters", "The model's parameters (25k, 3.5M)."),
    BudgetKey("trainable_params", "count", "trainable parameters", "The model's trainable parameters."),
    BudgetKey("macs", "count", "MACs", "Multiply-accumulates for one sample (25M, 4.1G)."),
    BudgetKey("flops", "count", "FLOPs", "FLOPs for one sample: 2 x MACs."),
    BudgetKey("param_memory", "bytes", "weight memory", "Bytes of the weights in `dtype` (512KB, 1.5MiB, 2GB)."),
    BudgetKey("activation_memory", "bytes", "activation memory",
              "Peak bytes of the activations of an inference pass at `batch_size`."),
    BudgetKey("training_memory", "bytes", "training memory",
              "Estimated bytes of a training step: weights, gradients, optimizer state, activations kept."),
    BudgetKey("max_layer_params", "count", "parameters of a layer", "A limit for every layer's parameters."),
    BudgetKey("max_layer_macs", "count", "MACs of a layer", "A limit for every layer's MACs."),
    BudgetKey("min_receptive_field", "fraction", "receptive field",
              "Warn (W027) when the largest receptive field covers less than this fraction of the input on a "
              "spatial axis."),
    # issue 12: figures of a Hugging Face config, checked by its importer's hooks
    BudgetKey("kv_cache", "bytes", "KV cache", "Bytes of the KV cache at the context length (Hugging Face "
              "configs; --seq-len, else max_position_embeddings).", "archlint.sources.huggingface.source:kv_cache"),
    BudgetKey("active_params", "count", "active parameters", "Parameters one token goes through: routed experts "
              "count top-k (Hugging Face configs).", "archlint.sources.huggingface.source:active_params"),
    BudgetKey("flops_per_token", "count", "FLOPs per token", "Forward FLOPs of one token at the context length "
              "(Hugging Face configs).", "archlint.sources.huggingface.source:flops_per_token"),
)}

