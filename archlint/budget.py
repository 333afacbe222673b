"""Budgets a spec declares, checked against the walked model: parameters (B001, B002), compute
(B003 MACs, B004 FLOPs), memory (B005 weights, B006 peak activations, B007 training), per-layer
limits (B008, B009) and the receptive field's lower bound (W027)."""

from __future__ import annotations

from archlint import receptive, rules
from archlint.walk import Model, Sink


def _largest(model: Model, attribute: str, count: int = 3) -> str:
    ranked = sorted(model.layers, key=lambda layer: getattr(layer, attribute), reverse=True)
    parts = [f"{layer.name} {getattr(layer, attribute):,}" for layer in ranked[:count] if getattr(layer, attribute)]
    return ", ".join(parts)


def size_text(count: int) -> str:
    """Bytes, exactly and in the binary unit people read: 25,690,112 bytes (24.50 MiB)."""
    if count < 1024:
        return f"{count:,} bytes"
    value, unit = count / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{count:,} bytes ({value:.2f} {unit})"


def _largest_macs(model: Model, count: int = 3) -> str:
    ranked = sorted((layer for layer in model.layers if layer.output and layer.output.macs),
                    key=lambda layer: layer.output.macs, reverse=True)
    return ", ".join(f"{layer.name} {layer.output.macs:,}" for layer in ranked[:count])


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
    if any(getattr(budget, key, None) is not None for key in _FIGURES):
        _check_figures(model, sink, budget, labels)
    if model.spec.source is not None:  # issue 12: budgets on an importer's own figures (KV cache, ...)
        model.spec.source.check_budget(model, sink, budget, labels)


_FIGURES = ("macs", "flops", "param_memory", "activation_memory", "training_memory", "max_layer_params",
            "max_layer_macs", "min_receptive_field")


def _check_figures(model: Model, sink: Sink, budget, labels: dict | None) -> None:
    from archlint import figures as figures_module

    figures = figures_module.of(model)
    memory = figures.memory

    def source(key: str) -> str:
        return f" set by {labels[key]}" if labels and key in labels else ""

    def where(key: str) -> tuple:
        return () if labels else ("budget", key)

    def over(rule, key: str, what: str, actual: int, exact: bool, text, largest: str, hint: str) -> None:
        limit = getattr(budget, key)
        if limit is None or actual <= limit:
            return
        excess = actual - limit
        percent = f"{100 * excess / limit:.1f}%" if limit else "all of it"
        sink(rule, f"the model {what}{'' if exact else ' at least'} {text(actual)}, over the budget of {text(limit)}"
             f"{source(key)} by {text(excess)} ({percent}); {largest}", where(key), hint)

    compute_hint = ("reduce the largest layers' work (fewer filters, a stride or pooling earlier, depthwise-separable "
                    "convolutions), or raise the budget")
    largest = f"largest: {_largest_macs(model)}"
    over(rules.MACS_BUDGET, "macs", "needs", figures.macs, figures.exact, lambda v: f"{v:,} MACs", largest,
         compute_hint)
    over(rules.FLOPS_BUDGET, "flops", "needs", figures.flops, figures.exact, lambda v: f"{v:,} FLOPs",
         largest + " MACs (2 FLOPs each)", compute_hint)
    dtype = f"{model.spec.dtype}, {memory.itemsize} byte{'s' if memory.itemsize > 1 else ''} a value"
    over(rules.PARAM_MEMORY_BUDGET, "param_memory", f"weights take ({dtype})", memory.param_memory, model.complete,
         size_text, f"largest: {_largest(model, 'params')} parameters",
         "shrink the largest layers, or a smaller dtype (float16, bfloat16, int8), or raise the budget")
    if memory.activation_memory is not None:
        live = ", ".join(f"{name} {size_text(size)}" for name, size in memory.peak_tensors[:3])
        at = f"while {memory.peak_layer} runs" if memory.peak_layer else "at the inputs"
        over(rules.ACTIVATION_MEMORY_BUDGET, "activation_memory",
             f"holds at its peak ({at}; batch size {memory.batch_size}, {dtype})", memory.activation_memory, True,
             size_text, f"largest tensors then: {live}",
             "downsample earlier, use fewer channels at high resolution, a smaller batch size or dtype, "
             "or raise the budget")
    if memory.training_memory is not None:
        parts = ", ".join(f"{name} {size_text(size)}" for name, size in memory.training_parts.items())
        over(rules.TRAINING_MEMORY_BUDGET, "training_memory",
             f"needs to train (batch size {memory.batch_size}, {memory.optimizer}, {dtype})", memory.training_memory,
             True, size_text, f"of which {parts}",
             "a smaller batch size, an optimizer with less state (sgd), freezing layers, or raise the budget")
    _per_layer(model, sink, budget, labels, source)
    _receptive(model, sink, budget, labels, figures, source)


def _per_layer(model: Model, sink: Sink, budget, labels, source) -> None:
    for key, rule, what in (("max_layer_params", rules.LAYER_PARAMS_BUDGET, "parameters"),
                            ("max_layer_macs", rules.LAYER_MACS_BUDGET, "MACs")):
        limit = getattr(budget, key)
        if limit is None:
            continue
        for layer in model.layers:
            actual = layer.params if key == "max_layer_params" else (layer.output.macs if layer.output else None)
            if actual is None or actual <= limit:
                continue
            at = () if labels else layer.spec.where + (("name",) if layer.spec.named else ("type",))
            sink(rule, f"{layer.name} ({layer.spec.type}) has {actual:,} {what}, over the per-layer budget of "
                 f"{limit:,}{source(key)} by {actual - limit:,}", at,
                 "split the layer, shrink it (fewer units or filters, a bottleneck), or raise the budget")


def _receptive(model: Model, sink: Sink, budget, labels, figures, source) -> None:
    """W027: the largest receptive field covers less than `min_receptive_field` of the input on an axis."""
    fraction = budget.min_receptive_field
    if fraction is None or figures.largest_field is None:
        return
    name, field = figures.largest_field
    tensor = model.tensors.get(field.source)
    if tensor is None:
        return
    channels_last = model.spec.framework == "keras"
    sizes = tensor.shape[1:-1] if channels_last else tensor.shape[2:]
    short = [(rf, size) for rf, size in zip(field.rf, sizes) if isinstance(size, int) and rf < fraction * size]
    if not short:
        return
    spans = "x".join(str(receptive.number(rf)) for rf in field.rf)
    shares = ", ".join(f"{receptive.number(rf)} of {size} ({float(100 * rf / size):.1f}%)" for rf, size in short)
    sink(rules.SMALL_RECEPTIVE_FIELD,
         f"the largest receptive field, {spans} at {name}, covers less than the {100 * fraction:g}% "
         f"`min_receptive_field`{source('min_receptive_field')} of the input: {shares}",
         () if labels else ("budget", "min_receptive_field"),
         "add downsampling (strides, pooling) or larger or dilated kernels, or lower min_receptive_field")
