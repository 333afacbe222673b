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

    def notes(self, model) -> list[str]:
        return [text for key, text, _ in self.figures(model) if key == "defaults_used"]

    def explain(self, model, layer) -> list[str]:
        """The transformers modules a converted layer stands for, each with its parameters."""
        parts, count = self.converted.entries.get(layer.name, ((), 1))
        if not parts or (count == 1 and len(parts) == 1 and not parts[0].tied_to):
            return []  # one module: the layer is it
        prefix = layer.name.rsplit(".", 1)[0] + "." if count > 1 else layer.name + "."
        lines = [f"  {count} identical layers, each:" if count > 1 else "  modules:"]
        for part in parts:
            name = part.path[len(prefix):].split(".", 1)[-1] if count > 1 else part.path[len(prefix):] or part.path
            shared = f" (shares {part.tied_to}: counted there)" if part.tied_to else ""
            times = f" x {part.count} = {part.total:,}" if part.count > 1 else ""
            lines.append(f"    {name or part.path} ({part.cls}) [{part.category}]: {part.params:,}{times}{shared}")
        if count > 1:
            each = sum(p.total for p in parts)
            lines.append(f"  params = {count} x {each:,} = {count * each:,}")
        return lines

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


# The checks of the budget keys kv_cache, active_params and flops_per_token (vocab.BUDGET_KEYS), called as
# check(model, sink, key, limit, labels): only a model converted from a Hugging Face config has the figures.
def _figures(model):
    source = model.spec.source
    return source.converted.figures() if isinstance(source, HuggingFaceSource) else None


def _hint(what: str) -> str:
    return f"{what}, or raise the budget"


def kv_cache(model, sink, key, limit, labels) -> None:
    from archlint.budget import _over, size_text

    found = _figures(model)
    if found is None or found.kv_at_context is None:
        return
    actual = found.kv_at_context * DTYPE_BYTES.get(model.spec.dtype, 4)
    _over(model, sink, key, limit, labels, rules.KV_CACHE_BUDGET, f"caches at {found.context:,} tokens "
          f"({model.spec.dtype})", actual, True, size_text, f"{size_text(actual // found.context)} a token",
          _hint("fewer kv heads or layers, a sliding window, a shorter context (--seq-len), a smaller dtype"))


def active_params(model, sink, key, limit, labels) -> None:
    from archlint.budget import _over

    found = _figures(model)
    if found is None:
        return
    actual = found.active if found.active is not None else found.total
    detail = (f"{found.top_k} routed experts per token" if found.active is not None
              else "a dense model: every parameter")
    _over(model, sink, key, limit, labels, rules.ACTIVE_PARAMS_BUDGET, "runs each token through", actual, True,
          lambda v: f"{v:,} parameters", detail, _hint("fewer or smaller experts per token, fewer layers"))


def flops_per_token(model, sink, key, limit, labels) -> None:
    from archlint.budget import _over

    found = _figures(model)
    if found is None or found.macs_per_token is None:
        return
    _over(model, sink, key, limit, labels, rules.FLOPS_PER_TOKEN_BUDGET,
          f"needs per token at {found.context:,} tokens of context", 2 * found.macs_per_token, True,
          lambda v: f"{v:,} FLOPs", "2 x the weights a token goes through and its attention scores",
          _hint("fewer active parameters, a shorter context (--seq-len), a sliding window"))
