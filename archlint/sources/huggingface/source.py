"""What a converted config.json adds to the pipeline: its findings (located in the original file), the
config's dtype for the memory figures, the Hugging Face figures in `summary`, and their budgets."""

from __future__ import annotations

from dataclasses import dataclass

from archlint import rules
from archlint.sources.base import ORIGINAL, SourceHooks
from archlint.sources.huggingface.build import Converted
from archlint.sources.huggingface.figures import DTYPE_BYTES, lines


def config_dtype(data: dict) -> str | None:
    for key in ("dtype", "torch_dtype"):
        value = data.get(key)
        if isinstance(value, str):
            return value.removeprefix("torch.")
    return None


@dataclass
class HuggingFaceSource(SourceHooks):
    converted: Converted
    original: dict  # the file's data
    kind: str = "a Hugging Face config"
    dtype_source: str = "float32, the default"

    def annotate(self, spec) -> None:
        """The spec's dtype: --dtype or the configuration's, else the config's torch_dtype."""
        from archlint.memory import DTYPE_BYTES as SPEC_DTYPES

        spec.source = self
        given = config_dtype(self.original)
        if "dtype" in self.converted.data:
            self.dtype_source = "--dtype"
        elif given in SPEC_DTYPES:
            spec.dtype = given
            self.dtype_source = "torch_dtype" if "torch_dtype" in self.original else "dtype"

    def check(self, model, sink) -> None:
        for rule, message, where, hint in self.converted.findings:
            sink(rule, message, (ORIGINAL,) + tuple(where), hint)

    def figures(self, model) -> list[tuple[str, str, object]]:
        found = self.converted.figures()
        if found is None:
            return []
        out = lines(found, model.spec.dtype, self.dtype_source)
        if found.defaulted:
            resolved = self.converted.resolved
            out.append(("defaults_used", f"Defaults of {resolved.config_class} for absent keys: " + ", ".join(
                f"{key}={value!r}" for key, value in found.defaulted), dict(found.defaulted)))
        return out

    def check_budget(self, model, sink, budget, labels) -> None:
        """B100-B102: the KV cache, active parameters and FLOPs per token against their budgets."""
        found = self.converted.figures()
        if found is None:
            return
        itemsize = DTYPE_BYTES.get(model.spec.dtype, 4)
        kv = found.kv_at_context * itemsize if found.kv_at_context is not None else None
        active = found.active if found.active is not None else found.total
        flops = 2 * found.macs_per_token if found.macs_per_token is not None else None
        from archlint.budget import size_text

        for key, rule, actual, text, what in (
                ("kv_cache", rules.KV_CACHE_BUDGET, kv, size_text, f"KV cache at {found.context:,} tokens"),
                ("active_params", rules.ACTIVE_PARAMS_BUDGET, active, lambda v: f"{v:,}", "active parameters per token"),
                ("flops_per_token", rules.FLOPS_PER_TOKEN_BUDGET, flops, lambda v: f"{v:,}",
                 f"forward FLOPs per token at {found.context:,} tokens")):
            limit = getattr(budget, key, None)
            if limit is None or actual is None or actual <= limit:
                continue
            origin = f" set by {labels[key]}" if labels and key in labels else ""
            sink(rule, f"the {what} is {text(actual)}, over the budget of {text(limit)}{origin} by "
                 f"{text(actual - limit)}", () if labels else ("budget", key),
                 "fewer kv heads or layers, a sliding window, a shorter context (--seq-len), a smaller dtype, "
                 "or raise the budget")
