"""Receptive field and effective stride of every layer in a convolutional path.

Per spatial axis, a tensor position sees `rf` consecutive input positions, and neighbouring positions
are `jump` input positions apart (the effective stride). A window of effective size k = d*(k-1)+1 and
stride s gives rf + (k-1)*jump and jump*s. A transposed convolution's output reads input positions at
most floor((k-1)/s) apart: rf + floor((k-1)/s)*jump and jump/s; nearest upsampling keeps rf, linear
adds one neighbour, cubic three, all dividing the jump by the factor. Layers acting on each position
(activations, normalization, dropout, padding and cropping, Keras Dense on the channels) keep both;
merges take the largest of their inputs. What the statistics of a normalization read is not counted
(the usual definition: the positions a layer's windows read). Any other layer (flatten, global or
adaptive pooling, dense over positions, recurrent, attention, resizing to a size) mixes every
position or changes what a position is: the path ends there (the layer has no receptive field).
Fractions keep the jump exact after upsampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

ELEMENTWISE_MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
                                "torch.add", "torch.mul", "torch.cat"})
IDENTITY_RESIZE = ("ZeroPadding", "Cropping", "ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad",
                   "Rescaling", "Normalization", "CenterCrop")


@dataclass(frozen=True)
class Field:
    rf: tuple  # per spatial axis
    jump: tuple  # per spatial axis (Fractions)
    source: str  # the model input the path starts at


def _ints(value, rank: int) -> tuple:
    return (value,) * rank if isinstance(value, int) else tuple(value)


def _apply(field: Field, k: tuple, s: tuple) -> Field:
    return Field(tuple(r + (kk - 1) * j for r, kk, j in zip(field.rf, k, field.jump)),
                 tuple(j * ss for j, ss in zip(field.jump, s)), field.source)


def _upsample(field: Field, factors: tuple, span: int) -> Field:
    return Field(tuple(r + span * j for r, j in zip(field.rf, field.jump)),
                 tuple(j / Fraction(f) for j, f in zip(field.jump, factors)), field.source)


def step(layer, inputs: list) -> Field | None:
    """The receptive field of a layer's output, from its inputs' (None: not in a convolutional path)."""
    kind, family, cfg = layer.spec.type, layer.family, layer.cfg or {}
    first = inputs[0] if inputs else None
    if family == "merge":
        if kind not in ELEMENTWISE_MERGES or any(f is None for f in inputs) or len({len(f.rf) for f in inputs}) != 1:
            return None
        return Field(tuple(max(axis) for axis in zip(*(f.rf for f in inputs))),
                     tuple(max(axis) for axis in zip(*(f.jump for f in inputs))), first.source)
    if first is None:
        return None
    rank = len(first.rf)
    if family in ("elementwise", "normalization"):
        return first
    if family == "dense":
        return first if kind == "Dense" else None  # torch Linear acts on the last axis: a spatial one
    if family in ("conv", "pooling"):
        window = layer.output.window  # None: global or adaptive pooling, a plugin's layer
        if window is None:
            return None
        k, s = window.effective, window.strides
        if window.transposed:
            return Field(tuple(r + ((kk - 1) // ss) * j for r, kk, ss, j in zip(first.rf, k, s, first.jump)),
                         tuple(j / ss for j, ss in zip(first.jump, s)), first.source)
        return _apply(first, k, s)
    if family == "resize":
        if kind.startswith(IDENTITY_RESIZE):
            return first
        if kind.startswith("UpSampling"):
            span = {"nearest": 0, "bilinear": 1, "linear": 1, "bicubic": 3}.get(cfg.get("interpolation", "nearest"))
            return None if span is None else _upsample(first, _ints(cfg["size"], rank), span)
        if kind == "Upsample" and cfg.get("scale_factor") is not None and cfg.get("size") is None:
            span = {"nearest": 0, "linear": 1, "bilinear": 1, "trilinear": 1, "bicubic": 3}.get(cfg.get("mode"))
            factors = _ints(cfg["scale_factor"], rank)
            if span is None or any(f != int(f) for f in factors):
                return None  # a fractional factor reads an irregular pattern
            return _upsample(first, tuple(int(f) for f in factors), span)
    return None


def compute(model) -> dict:
    """layer name -> Field (or None), over the walk's order; the model inputs start at rf 1, jump 1."""
    fields: dict = {}
    for name in model.spec.inputs:
        tensor = model.tensors.get(name)
        rank = len(tensor.shape) - 2 if tensor is not None else 0
        fields[name] = Field((1,) * rank, (Fraction(1),) * rank, name) if rank >= 1 else None
    for layer in model.order:
        if layer.output is None:
            fields[layer.name] = None
            continue
        try:
            fields[layer.name] = step(layer, [fields.get(n) for n in layer.inputs])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            fields[layer.name] = None  # an argument form these formulas do not read: no figure, no crash
    return fields


def largest(model, fields: dict) -> tuple[str, Field] | None:
    """The layer whose receptive field is the largest (by its product over the axes): the model's."""
    best = None
    for layer in model.order:
        field = fields.get(layer.name)
        if field is not None and field.rf and (best is None or _area(field) > _area(best[1])):
            best = (layer.name, field)
    return best


def _area(field: Field) -> int:
    out = 1
    for r in field.rf:
        out *= r
    return out


def number(value):
    """A jump for people and JSON: an int when whole, else a float (1/2 -> 0.5)."""
    return int(value) if value == int(value) else float(value)



AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def check(model, sink) -> None:
    """W028: a convolution reading a model input at full resolution (nothing windowed before it)
    whose window is larger than that input on an axis: padding lets it run, but every output position
    reads padding, a sign of a model designed for larger inputs than it is given."""
    from archlint import rules

    fields = None
    for layer in model.order:
        window = layer.output.window if layer.output is not None else None
        if window is None or layer.family != "conv" or window.transposed:
            continue
        fields = fields if fields is not None else _fields(model)
        source = fields.get(layer.inputs[0]) if layer.inputs else None
        after = fields.get(layer.name)
        tensor = model.tensors.get(layer.inputs[0]) if layer.inputs else None
        if source is None or after is None or tensor is None or any(r != 1 for r in source.rf):
            continue
        if any(d != 1 for d in window.dilation):
            continue  # a dilated window straddling a small input reads gaps of padding only: W004's finding
        sizes = tuple(tensor.shape[axis] for axis in window.axes)
        names = AXIS_NAMES.get(len(sizes), tuple(f"axis {i + 1}" for i in range(len(sizes))))
        short = [(name, rf, size) for name, rf, size in zip(names, after.rf, sizes)
                 if isinstance(size, int) and rf > size]
        if short:
            detail = ", ".join(f"{number(rf)} on the {name} axis, whose input has {size}" for name, rf, size in short)
            key = "pool_size" if "pool_size" in (layer.cfg or {}) else "kernel_size"
            where = layer.spec.where + ((key,) if key in layer.spec.kwargs else ("type",))
            sink(rules.INPUT_SMALLER_THAN_WINDOW,
                 f"{layer.name} ({layer.spec.type}) reads windows larger than its input: "
                 + ", ".join(f"{number(rf)} > {size} on the {name} axis" for name, rf, size in short),
                 where, f"{detail}; no windowed layer precedes it, and padding lets it run, but every output "
                 "position reads padding: give the model a larger input, or a smaller kernel for this input size")


def _fields(model) -> dict:
    from archlint import figures

    return figures.of(model).fields
