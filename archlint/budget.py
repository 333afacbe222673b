"""Budgets a spec declares, checked against the walked model."""

from __future__ import annotations

from archlint import rules
from archlint.walk import Model, Sink


def _largest(model: Model, attribute: str, count: int = 3) -> str:
    ranked = sorted(model.layers, key=lambda layer: getattr(layer, attribute), reverse=True)
    parts = [f"{layer.name} {getattr(layer, attribute):,}" for layer in ranked[:count] if getattr(layer, attribute)]
    return ", ".join(parts)


def check_budget(model: Model, sink: Sink, budget=None, labels: dict | None = None) -> None:
    """The spec's own budget, or `budget` (a spec.Budget) declared elsewhere, each key named by `labels`
    (e.g. {"params": "--max-params"}): findings then name it and point at the top of the file."""
    budget = budget if budget is not None else model.spec.budget
    for key, limit, actual, attribute, rule in (
        ("params", budget.params, model.total_params, "params", rules.PARAMS_BUDGET),
        ("trainable_params", budget.trainable_params, model.trainable_params, "trainable", rules.TRAINABLE_BUDGET),
    ):
        if limit is None or actual <= limit:
            continue
        excess = actual - limit
        percent = f"{100 * excess / limit:.1f}%" if limit else "all of it"
        what = {"params": "parameters", "trainable_params": "trainable parameters"}[key]
        lower = "" if model.complete else " at least"
        sink(
            rule,
            f"the model has{lower} {actual:,} {what}, over the budget of {limit:,}"
            f"{f' set by {labels[key]}' if labels else ''} by {excess:,} ({percent}); "
            f"largest: {_largest(model, attribute)}",
            () if labels else ("budget", key),
            "shrink the largest layers (fewer units or filters, a global pooling before the dense head), "
            "or raise the budget",
        )
