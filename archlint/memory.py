"""Memory in bytes: the weights, the activations of an inference pass (a peak over a schedule), and a
training estimate. Every figure is for the spec's `dtype` (weights and activations alike) and, for
activations, its `batch_size`; docs/figures.md defines each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

from archlint.vocab import DTYPE_BYTES, OPTIMIZER_STATES


def elements(shape) -> int | None:
    """Values of one sample of a tensor (several outputs: their sum); None when a size is unknown."""
    if isinstance(shape, list):
        sizes = [elements(shape[0])] + [elements(_state(s)) for s in shape[1:]]
        return None if None in sizes else sum(sizes)
    rest = tuple(shape[1:])
    return prod(rest) if all(isinstance(s, int) for s in rest) else None


def _state(shape: tuple) -> tuple:
    """PyTorch's recurrent states (h_n, c_n) put layers x directions first and the batch second, as torch
    computes them: that unknown size is the batch, so one sample's values are the other axes'."""
    if len(shape) >= 2 and isinstance(shape[0], int) and shape[1] is None:
        return (None, shape[0]) + tuple(shape[2:])
    return shape


@dataclass
class Memory:
    itemsize: int
    batch_size: int
    optimizer: str
    param_memory: int = 0
    activation_memory: int | None = None  # the peak of the schedule
    peak_layer: str | None = None  # the layer running at the peak ("" for the inputs alone)
    peak_tensors: list = field(default_factory=list)  # (name, bytes) live at the peak, largest first
    training_memory: int | None = None
    training_parts: dict = field(default_factory=dict)  # weights, gradients, optimizer, activations
    live: dict = field(default_factory=dict)  # layer name -> bytes live while it runs
    output_bytes: dict = field(default_factory=dict)  # tensor name -> bytes (None: unknown)


def compute(model, dtype: str = "float32", batch_size: int = 1, optimizer: str = "adam") -> Memory:
    itemsize = DTYPE_BYTES[dtype]
    memory = Memory(itemsize, batch_size, optimizer)
    memory.param_memory = model.total_params * itemsize
    sizes: dict = {}
    for name in model.spec.inputs:
        tensor = model.tensors.get(name)
        sizes[name] = _bytes(tensor.shape if tensor else None, itemsize, batch_size)
    for layer in model.order:
        sizes[layer.name] = _bytes(layer.output.shape if layer.output else None, itemsize, batch_size)
    memory.output_bytes = sizes
    _schedule(model, sizes, memory)
    known = None not in sizes.values() and model.complete
    states = OPTIMIZER_STATES[optimizer]
    parts = {"weights": memory.param_memory, "gradients": model.trainable_params * itemsize,
             "optimizer": states * model.trainable_params * itemsize,
             "activations": sum(sizes.values()) if known else None}
    memory.training_parts = parts
    memory.training_memory = None if parts["activations"] is None else sum(parts.values())
    return memory


def _bytes(shape, itemsize: int, batch: int) -> int | None:
    count = elements(shape) if shape is not None else None
    return None if count is None else count * itemsize * batch


def _schedule(model, sizes: dict, memory: Memory) -> None:
    """Run the layers in the walk's order (topological, the file's order among ready layers). While a
    layer runs, its inputs, its outputs and every tensor a later layer or a model output still needs
    are held; a tensor is freed right after its last reader (a model output never is). Every layer
    writes a new tensor: no in-place operation, no view sharing its input's storage."""
    if not model.complete or None in sizes.values():
        return
    order = model.order
    last: dict = {name: -1 for name in sizes}
    for step, layer in enumerate(order):
        for name in layer.inputs:
            last[name] = step
    for name in model.outputs:
        last[name] = len(order)
    live = {name: sizes[name] for name in model.spec.inputs}
    peak, peak_at, peak_live = sum(live.values()), "", dict(live)
    for step, layer in enumerate(order):
        live[layer.name] = sizes[layer.name]
        held = sum(live.values())
        memory.live[layer.name] = held
        if held > peak:
            peak, peak_at, peak_live = held, layer.name, dict(live)
        for name in set(layer.inputs) | {layer.name}:
            if last.get(name, -1) <= step and name in live:
                del live[name]
    memory.activation_memory = peak
    memory.peak_layer = peak_at
    memory.peak_tensors = sorted(peak_live.items(), key=lambda item: -item[1])
