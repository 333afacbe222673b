"""The walk: apply every layer in order, propagating tensors and counting weights.

The walk is linear in the number of layers. A layer whose input could not be computed is skipped
silently (its cause is already reported), so one mistake gives one finding, not a cascade.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable

from archlint import rules
from archlint.layers.registry import REQUIRED, Call, Output, Stop, Tensor, lookup
from archlint.shapes import format_shape
from archlint.spec import LayerSpec, Spec

Sink = Callable[..., None]  # sink(rule, message, where, hint="")


@dataclass
class WalkedLayer:
    spec: LayerSpec
    inputs: list[str]  # names of the tensors it reads
    output: Output | None  # None when the layer could not be applied

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def params(self) -> int:
        return self.output.params if self.output else 0

    @property
    def trainable(self) -> int:
        return self.output.trainable if self.output else 0

    @property
    def non_trainable(self) -> int:
        return self.output.non_trainable if self.output else 0


@dataclass
class Model:
    spec: Spec
    layers: list[WalkedLayer]
    tensors: dict[str, Tensor | None]  # every named tensor: model inputs and layer outputs
    outputs: list[str]
    consumers: dict[str, list[WalkedLayer]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every layer could be applied, so the totals are exact."""
        return all(layer.output is not None for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(layer.trainable for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(layer.non_trainable for layer in self.layers)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def output_shape(self):
        shapes = [self.tensors[name].shape if self.tensors.get(name) else None for name in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes


def _config(layer: LayerSpec, defaults: dict) -> dict:
    cfg = {k: (None if v is REQUIRED else v) for k, v in defaults.items()}
    cfg.update(layer.kwargs)
    return cfg


def _check_unmodelled(layer: LayerSpec, unmodelled, sink: Sink) -> None:
    for key in unmodelled:
        if layer.kwargs.get(key) not in (None, 0, False):
            sink(
                rules.UNMODELLED_KEYWORD,
                f"{layer.type} `{key}={layer.kwargs[key]}` changes the layer's weights in a way archlint "
                "does not model yet: its parameter counts cannot be trusted",
                layer.where + (key,),
                "check the counts in the framework, or remove the keyword from the spec",
            )


def _check_expect(layer: LayerSpec, output: Output, sink: Sink) -> None:
    expect = layer.expect or {}
    where = layer.where + ("expect",)
    if "output_shape" in expect:
        want = tuple(expect["output_shape"])
        got = output.shape
        if isinstance(got, tuple) and len(want) == len(got) - 1:
            got = got[1:]  # written without the batch axis, like `input:`
        if isinstance(got, list) or tuple(got) != want:
            sink(rules.EXPECTATION_FAILED,
                 f"{layer.name} output shape is {format_shape(output.shape)}, expected {format_shape(want)}",
                 where + ("output_shape",), "update the expectation or fix the layers before it")
    for key, actual in (("params", output.params), ("trainable_params", output.trainable),
                        ("non_trainable_params", output.non_trainable)):
        if key in expect and expect[key] != actual:
            sink(rules.EXPECTATION_FAILED,
                 f"{layer.name} has {actual:,} {key.replace('_', ' ')}, expected {expect[key]:,}",
                 where + (key,), "update the expectation or fix the layer's arguments")




def _use_recorded(layer: LayerSpec, tensors: dict) -> None:
    """A layer that could not be computed still has an output when the file records it (Keras configs):
    later layers read that shape, while the layer itself stays uncomputed (the totals are a lower bound)."""
    if layer.recorded_shape is not None:
        tensors[layer.name] = Tensor(tuple(layer.recorded_shape), layer.name)


def walk(spec: Spec, sink: Sink) -> Model:
    tensors: dict[str, Tensor | None] = {
        name: Tensor((None,) + tuple(shape), name) for name, shape in spec.inputs.items()
    }
    walked: list[WalkedLayer] = []
    consumers: dict[str, list[WalkedLayer]] = {name: [] for name in tensors}
    previous = next(iter(spec.inputs))
    for layer in spec.layers:
        input_names = layer.inputs or [previous]
        previous = layer.name
        if layer.name in tensors:
            sink(rules.DUPLICATE_NAME, f"the name {layer.name!r} is used twice",
                 layer.where + ("name",), "give every layer a unique name")
        missing = [name for name in input_names if name not in tensors]
        for name in missing:
            close = difflib.get_close_matches(name, list(tensors), n=1)
            sink(rules.UNKNOWN_REFERENCE, f"{layer.name} reads {name!r}, which is not an earlier layer or input",
                 layer.where + ("inputs",), f"did you mean {close[0]!r}?" if close else "")
        entry = WalkedLayer(layer, input_names, None)
        walked.append(entry)
        tensors[layer.name] = None
        consumers[layer.name] = []
        for name in input_names:
            consumers.setdefault(name, []).append(entry)
        in_tensors = [tensors.get(name) for name in input_names]
        layer_type = lookup(spec.framework, layer.type)
        if not layer.valid or layer_type is None or any(t is None for t in in_tensors):
            _use_recorded(layer, tensors)
            continue  # an unknown type is a schema finding; a missing input is reported at its cause
        call = Call(layer.type, layer.name, spec.framework, _config(layer, layer_type.defaults),
                    frozenset(layer.kwargs), in_tensors, layer.where, sink)
        _check_unmodelled(layer, layer_type.unmodelled, sink)
        try:
            output = layer_type.infer(call)
        except Stop:
            _use_recorded(layer, tensors)
            continue
        if not layer.trainable:
            output.non_trainable += output.trainable
            output.trainable = 0
        entry.output = output
        shape = output.shape[0] if isinstance(output.shape, list) else output.shape
        tensors[layer.name] = Tensor(tuple(shape), layer.name, output.padding)
        _check_expect(layer, output, sink)
    outputs = spec.outputs or ([walked[-1].name] if walked else list(spec.inputs))
    return Model(spec, walked, tensors, outputs, consumers)
