"""The figures people ask of a config.json, computed from the family's Parts: totals (embedding,
non-embedding, base model), the per-category breakdown, weight bytes, the KV cache, the parameters a
token goes through (mixture of experts) and the forward FLOPs per token.

Conventions (docs/huggingface.md): a weight used once per token costs one multiply-accumulate (a bias
too), embeddings (lookups) and norms cost none, a tied head costs its embedding's matrix, a routed
expert layer costs `experts_per_token` experts; attention adds heads x (qk + v head dims) MACs per
attended token. FLOPs = 2 x MACs. "Per token" is one new token at the given context length (a decode
step with that many tokens cached)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.sources.huggingface.parts import CATEGORIES

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "float64": 8, "float8_e4m3fn": 1,
               "float8_e5m2": 1}


def part_macs(part, by_path: dict, top_k: int | None) -> int:
    """MACs of one token through a Part (all its instances, or the top-k of routed experts)."""
    if part.category in ("embeddings", "norm"):
        return 0
    if part.tied_to:
        tied = by_path.get(part.tied_to)
        return tied.params if tied is not None else 0
    count = min(top_k, part.count) if part.category == "experts" and top_k is not None else part.count
    return part.params * count


@dataclass
class HFFigures:
    total: int
    base: int
    embedding: int
    categories: dict  # category -> params, in CATEGORIES order, nonzero only
    active: int | None  # per token, for a mixture of experts
    top_k: int | None
    kv_per_token: int | None  # cached values per token, summed over the layers (no dtype)
    kv_at_context: int | None  # cached values at `context` tokens
    macs_per_token: int | None  # one new token at `context`
    context: int
    defaulted: list = field(default_factory=list)

    @property
    def non_embedding(self) -> int:
        return self.total - self.embedding


def compute(part_list, attention, top_k: int | None, context: int, defaulted: list) -> HFFigures:
    by_path = {part.path: part for part in part_list}
    categories = {name: 0 for name in CATEGORIES}
    for part in part_list:
        categories[part.category if part.category in categories else "other"] += part.total
    total = sum(categories.values())
    base = sum(part.total for part in part_list if part.base)
    active = None
    if any(part.category == "experts" for part in part_list) and top_k is not None:
        active = total - sum(part.params * (part.count - min(top_k, part.count))
                             for part in part_list if part.category == "experts")
    kv_token = kv_context = macs = None
    if attention is not None:
        kv_token = sum(layer.cached for layer in attention)
        # a sliding-window layer's cache (DynamicSlidingWindowLayer) keeps the last window - 1 tokens: the
        # next token attends to them and itself
        kv_context = sum(layer.cached * (min(context, layer.window - 1) if layer.window else context)
                         for layer in attention)
        weights = sum(part_macs(part, by_path, top_k) for part in part_list)
        macs = weights + sum(layer.score_macs * (min(context, layer.window) if layer.window else context)
                             for layer in attention)
    return HFFigures(total, base, categories["embeddings"], {k: v for k, v in categories.items() if v},
                     active, top_k, kv_token, kv_context, macs, context, defaulted)


def size(count: int) -> str:
    from archlint.budget import size_text

    return size_text(count)


def lines(figures: HFFigures, dtype: str, dtype_source: str) -> list[tuple[str, str, object]]:
    """(json key, text, json value) for each figure, in the order the summary prints them."""
    itemsize = DTYPE_BYTES.get(dtype, 4)
    total = figures.total or 1
    out = [("params_total", f"Parameters: {figures.total:,} (embedding {figures.embedding:,}, non-embedding "
            f"{figures.non_embedding:,})", figures.total),
           ("params_base_model", f"Base model (without the head): {figures.base:,}", figures.base),
           ("params_embedding", "", figures.embedding),
           ("params_non_embedding", "", figures.non_embedding)]
    breakdown = ", ".join(f"{name} {count:,} ({100 * count / total:.1f}%)"
                          for name, count in figures.categories.items())
    out.append(("params_by_category", f"By category: {breakdown}", dict(figures.categories)))
    out.append(("weight_bytes", f"Weights in {dtype} ({dtype_source}): {size(figures.total * itemsize)}",
                figures.total * itemsize))
    if figures.active is not None:
        out.append(("active_params_per_token", f"Active parameters per token ({figures.top_k} routed experts per "
                    f"layer): {figures.active:,} ({100 * figures.active / total:.1f}% of the total)", figures.active))
    if figures.kv_per_token is not None:
        per_token = size(figures.kv_per_token * itemsize)
        out.append(("kv_cache_bytes_per_token", f"KV cache ({dtype}): {per_token} per token",
                    figures.kv_per_token * itemsize))
        at_context = size(figures.kv_at_context * itemsize)
        out.append(("kv_cache_bytes", f"KV cache at {figures.context:,} tokens: {at_context}",
                    figures.kv_at_context * itemsize))
    if figures.macs_per_token is not None:
        out.append(("flops_per_token", f"Forward FLOPs per token at {figures.context:,} tokens of context: "
                    f"{2 * figures.macs_per_token:,}", 2 * figures.macs_per_token))
    out.append(("context_length", "", figures.context))
    return out
