"""The spec model: a validated document as typed dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# Keys of a layer entry that belong to archlint, not to the layer's constructor.
# `trainable` is both: Keras's own keyword, and archlint's way to freeze a PyTorch module.
RESERVED_LAYER_KEYS = frozenset({"type", "name", "inputs", "expect", "trainable"})

_COUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKMGT]?)\s*$")
_SCALE = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def parse_count(value: Any) -> int | None:
    """25000, "25k", "3.5M", "1.2G" -> an int (decimal suffixes); None when not a count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        match = _COUNT.match(value)
        if match:
            try:
                return int(Decimal(match.group(1)) * _SCALE[match.group(2)])
            except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
                return None
    return None


def snake_case(class_name: str) -> str:
    """Keras's automatic layer names: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


@dataclass
class LayerSpec:
    type: str
    name: str
    kwargs: dict  # the constructor's keyword arguments as written
    where: tuple  # path of the entry in the document, e.g. ("layers", 3)
    inputs: list[str] | None = None
    expect: dict | None = None
    trainable: bool = True
    named: bool = False  # whether the spec gave the name
    valid: bool = True  # False when the entry failed its schema check: the walk skips it
    # The output shape a converted Keras file records for the layer: the walk goes on with it where it
    # cannot compute the layer (an unknown class), so one unknown layer does not stop the whole walk.
    recorded_shape: tuple | None = None


@dataclass
class Budget:
    params: int | None = None
    trainable_params: int | None = None


@dataclass
class Spec:
    path: str
    name: str
    framework: str
    inputs: dict[str, tuple]  # model input name -> one sample's shape (no batch axis)
    layers: list[LayerSpec]
    outputs: list[str] | None = None
    budget: Budget = field(default_factory=Budget)


def build(path: str, data: dict, invalid_layers: set[int] = frozenset()) -> Spec:
    """Turn schema-checked data into a Spec; names are given Keras-style defaults.

    Layers listed in `invalid_layers` failed their own schema check: they keep their place (so names
    and positions stay right) but are marked invalid, and the walk does not apply them.
    """
    framework = data.get("framework", "keras")
    inputs = {"input": tuple(data["input"])}
    explicit = {entry["name"] for entry in data["layers"] if isinstance(entry.get("name"), str)}
    counters: dict[str, int] = {}
    layers = []
    for index, entry in enumerate(data["layers"]):
        kwargs = {k: v for k, v in entry.items() if k not in RESERVED_LAYER_KEYS}
        # A layer that failed its schema check may hold anything: keep only well-formed parts.
        layer_type = entry.get("type") if isinstance(entry.get("type"), str) else "?"
        name = entry.get("name") if isinstance(entry.get("name"), str) else None
        layer_inputs = entry.get("inputs")
        if not (isinstance(layer_inputs, list) and all(isinstance(i, str) for i in layer_inputs)):
            layer_inputs = None
        expect = entry.get("expect") if index not in invalid_layers else None
        if name is None:
            base = snake_case(layer_type) or "layer"
            while True:
                count = counters.get(base, 0)
                counters[base] = count + 1
                name = base if count == 0 else f"{base}_{count}"
                if name not in explicit:
                    break
        layers.append(
            LayerSpec(
                type=layer_type,
                name=name,
                kwargs=kwargs,
                where=("layers", index),
                inputs=layer_inputs,
                expect=expect,
                trainable=entry.get("trainable", True) is not False,
                named="name" in entry,
                valid=index not in invalid_layers,
            )
        )
    budget_data = data.get("budget") or {}
    budget = Budget(parse_count(budget_data.get("params")), parse_count(budget_data.get("trainable_params")))
    return Spec(path, str(data.get("name", "")), framework, inputs, layers, data.get("outputs"), budget)
