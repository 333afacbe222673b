"""Budgets a spec declares, checked against the walked model: parameters (B001, B002), compute
(B003 MACs, B004 FLOPs), memory (B005 weights, B006 peak activations, B007 training), per-layer
limits (B008, B009) and the receptive field's lower bound (W027).

`check_budget` runs, for each key of `vocab.BUDGET_KEYS` with a limit, the function the key names:
by default the function of this module named like the key, called as
`function(model, sink, key, limit, labels)`.
"""

from __future__ import annotations

from importlib import import_module

from archlint import receptive, rules, vocab
from archlint.quantities import size_text
from archlint.walk import Model, Sink


def _largest(model: Model, attribute: str, count: int = 3) -> str:
    ranked = sorted(model.layers, key=lambda layer: getattr(layer, attribute), reverse=True)
    parts = [f"{layer.label} {getattr(layer, attribute):,}" for layer in ranked[:count] if getattr(layer, attribute)]
    return ", ".join(parts)


def _largest_macs(model: Model, count: int = 3) -> str:
    ranked = sorted((layer for layer in model.layers if layer.output and layer.output.macs),
                    key=lambda layer: layer.output.macs, reverse=True)
    return ", ".join(f"{layer.label} {layer.output.macs:,}" for layer in ranked[:count])


def check_budget(model: Model, sink: Sink, budget=None, labels: dict | None = None) -> None:
    """The spec's own budget, or `budget` (a spec.Budget) declared elsewhere, each key named by `labels`
    (e.g. {"params": "--max-params"}): findings then name it and point at the top of the file."""
    budget = budget if budget is not None else model.spec.budget
    for key in vocab.BUDGET_KEYS.values():
        limit = getattr(budget, key.name)
        if limit is not None:
            module, function = key.checker
            getattr(import_module(module), function)(model, sink, key, limit, labels)


def _source(key: vocab.BudgetKey, labels: dict | None) -> str:
    return f" set by {labels[key.name]}" if labels and key.name in labels else ""


def _where(key: vocab.BudgetKey, labels: dict | None) -> tuple:
    return () if labels else ("budget", key.name)


def _excess(actual: int, limit: int, text, key, labels, details: str) -> tuple[str, str]:
    """'10.0% over the budget of 4,000 bytes' for the finding line; the excess, where the limit comes from and
    the details (what the figure assumes, its largest parts) start the hint."""
    over = f"{100 * (actual - limit) / limit:.1f}% over" if limit else "over"
    source = f"the budget is set by {labels[key.name]}; " if labels and key.name in labels else ""
    return f"{over} the budget of {text(limit)}", f"{source}over by {text(actual - limit)}; {details}"


def _over(model: Model, sink: Sink, key, limit, labels, rule, what: str, actual: int, exact: bool, text,
          details: str, hint: str) -> None:
    """A whole-model figure over its limit."""
    if actual <= limit:
        return
    over, why = _excess(actual, limit, text, key, labels, details)
    sink(rule, f"the model {what}{'' if exact else ' at least'} {text(actual)}, {over}", _where(key, labels),
         f"{why}: {hint}")


_PARAMS_HINT = ("shrink the largest layers (fewer units or filters, a global pooling before the dense head), "
                "or raise the budget")
_COMPUTE_HINT = ("reduce the largest layers' work (fewer filters, a stride or pooling earlier, depthwise-separable "
                 "convolutions), or raise the budget")


def _params(model: Model, sink: Sink, key, limit, labels, rule, actual: int, attribute: str) -> None:
    if actual <= limit:
        return
    lower = "" if model.complete else " at least"
    over, why = _excess(actual, limit, lambda v: f"{v:,}", key, labels, f"largest: {_largest(model, attribute)}")
    sink(rule, f"the model has{lower} {actual:,} {key.label}, {over}", _where(key, labels), f"{why}: {_PARAMS_HINT}")


def params(model: Model, sink: Sink, key, limit, labels) -> None:
    _params(model, sink, key, limit, labels, rules.PARAMS_BUDGET, model.total_params, "params")


def trainable_params(model: Model, sink: Sink, key, limit, labels) -> None:
    _params(model, sink, key, limit, labels, rules.TRAINABLE_BUDGET, model.trainable_params, "trainable")


def macs(model: Model, sink: Sink, key, limit, labels) -> None:
    from archlint import figures

    found = figures.of(model)
    _over(model, sink, key, limit, labels, rules.MACS_BUDGET, "needs", found.macs, found.exact,
          lambda v: f"{v:,} MACs", f"largest: {_largest_macs(model)}", _COMPUTE_HINT)


def flops(model: Model, sink: Sink, key, limit, labels) -> None:
    from archlint import figures

    found = figures.of(model)
    _over(model, sink, key, limit, labels, rules.FLOPS_BUDGET, "needs", found.flops, found.exact,
          lambda v: f"{v:,} FLOPs", f"largest: {_largest_macs(model)} MACs (2 FLOPs each)", _COMPUTE_HINT)


def _dtype(model: Model, memory) -> str:
    return f"{model.spec.dtype}, {memory.itemsize} byte{'s' if memory.itemsize > 1 else ''} a value"


def param_memory(model: Model, sink: Sink, key, limit, labels) -> None:
    from archlint import figures

    memory = figures.of(model).memory
    _over(model, sink, key, limit, labels, rules.PARAM_MEMORY_BUDGET, "weights take",
          memory.param_memory, model.complete, size_text,
          f"{_dtype(model, memory)}; largest: {_largest(model, 'params')} parameters",
          "shrink the largest layers, or a smaller dtype (float16, bfloat16, int8), or raise the budget")


def activation_memory(model: Model, sink: Sink, key, limit, labels) -> None:
    from archlint import figures

    memory = figures.of(model).memory
    if memory.activation_memory is None:
        return
    live = ", ".join(f"{model.label(name)} {size_text(size)}" for name, size in memory.peak_tensors[:3])
    at = f"while {model.label(memory.peak_layer)} runs" if memory.peak_layer else "at the inputs"
    _over(model, sink, key, limit, labels, rules.ACTIVATION_MEMORY_BUDGET,
          "holds at its peak", memory.activation_memory, True, size_text,
          f"{at}, batch size {memory.batch_size}, {_dtype(model, memory)}; largest tensors then: {live}",
          "downsample earlier, use fewer channels at high resolution, a smaller batch size or dtype, "
          "or raise the budget")


def training_memory(model: Model, sink: Sink, key, limit, labels) -> None:
    from archlint import figures

    memory = figures.of(model).memory
    if memory.training_memory is None:
        return
    parts = ", ".join(f"{name} {size_text(size)}" for name, size in memory.training_parts.items())
    _over(model, sink, key, limit, labels, rules.TRAINING_MEMORY_BUDGET,
          "needs to train", memory.training_memory, True, size_text,
          f"batch size {memory.batch_size}, {memory.optimizer}, {_dtype(model, memory)}; of which {parts}",
          "a smaller batch size, an optimizer with less state (sgd), freezing layers, or raise the budget")


def _per_layer(model: Model, sink: Sink, key, limit, labels, rule, what: str, figure) -> None:
    for layer in model.layers:
        actual = figure(layer)
        if actual is None or actual <= limit:
            continue
        at = () if labels else layer.spec.where + (("name",) if layer.spec.named else ("type",))
        sink(rule, f"{layer.name} ({layer.spec.type}) has {actual:,} {what}, over the per-layer budget of "
             f"{limit:,}{_source(key, labels)} by {actual - limit:,}", at,
             "split the layer, shrink it (fewer units or filters, a bottleneck), or raise the budget")


def max_layer_params(model: Model, sink: Sink, key, limit, labels) -> None:
    _per_layer(model, sink, key, limit, labels, rules.LAYER_PARAMS_BUDGET, "parameters", lambda layer: layer.params)


def max_layer_macs(model: Model, sink: Sink, key, limit, labels) -> None:
    _per_layer(model, sink, key, limit, labels, rules.LAYER_MACS_BUDGET, "MACs",
               lambda layer: layer.output.macs if layer.output else None)


def min_receptive_field(model: Model, sink: Sink, key, fraction, labels) -> None:
    """W027: the largest receptive field covers less than `min_receptive_field` of the input on an axis."""
    from archlint import figures

    found = figures.of(model)
    if found.largest_field is None:
        return
    name, field = found.largest_field
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
    at = model.label(name)
    sink(rules.SMALL_RECEPTIVE_FIELD,
         f"the largest receptive field, {spans} at {at}, covers less than {100 * fraction:g}% of the input",
         _where(key, labels),
         f"`min_receptive_field`{_source(key, labels)} is {100 * fraction:g}%, the field covers {shares}: add "
         "downsampling (strides, pooling) or larger or dilated kernels, or lower min_receptive_field")
