"""Every figure of a walked model beyond the parameter counts, computed once: MACs and FLOPs, memory,
receptive fields. Reports and budgets read them from here."""

from __future__ import annotations

from dataclasses import dataclass

from archlint import memory as memory_module
from archlint import receptive


@dataclass
class Figures:
    macs: int  # the sum over the layers whose MACs are known
    exact: bool  # every layer was computed and its MACs are known: `macs` is the model's, not a lower bound
    memory: memory_module.Memory
    fields: dict  # tensor name -> receptive.Field or None
    largest_field: tuple | None  # (layer name, Field): the model's receptive field

    @property
    def flops(self) -> int:
        return 2 * self.macs


def layer_macs(layer) -> int | None:
    return layer.output.macs if layer.output is not None else None


def of(model, dtype: str | None = None, batch_size: int | None = None, optimizer: str | None = None) -> Figures:
    """The model's figures for the spec's dtype, batch size and optimizer (cached on the model)."""
    spec = model.spec
    key = (dtype or spec.dtype, batch_size or spec.batch_size, optimizer or spec.optimizer)
    cache = model.__dict__.setdefault("_figures", {})
    if key not in cache:
        known = [layer_macs(layer) for layer in model.layers]
        fields = receptive.compute(model)
        cache[key] = Figures(sum(m for m in known if m is not None), model.complete and None not in known,
                             memory_module.compute(model, *key), fields, receptive.largest(model, fields))
    return cache[key]
