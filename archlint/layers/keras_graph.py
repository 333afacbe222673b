"""Steps of a Keras functional graph that are not layers a user writes: one output of a layer with
several outputs.

A Keras config reads the states of `LSTM(return_state=True)` as tensors 1 and 2 of the layer's call
(`keras_history: ["lstm", 0, 1]`). archlint's walk hands the next layer the first output of a layer, so
the importer writes each later output it reads as a `SelectOutput` entry: the producer's keywords
(`layer`), applied to the producer's inputs, keeping output `index`. The producer's weights and
findings are counted and reported at the producer; this entry adds none.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, Stop, lookup, register
from archlint.shapes import format_shape


def _quiet(*args, **kwargs) -> None:
    """The producer's findings are reported at the producer."""


def select_output(call: Call) -> Output:
    spec, index = call.cfg["layer"], call.cfg["index"]
    layer_type = lookup(call.framework, spec.get("type", ""))
    if layer_type is None:
        raise Stop()  # an unknown producer: reported at the producer (W018)
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    cfg = {k: (None if v is REQUIRED else v) for k, v in layer_type.defaults.items()}
    cfg.update(kwargs)
    inner = Call(spec["type"], call.name, call.framework, cfg, frozenset(kwargs), call.inputs, call.where, _quiet,
                 call.roles)
    shape = layer_type.infer(inner).shape  # Stop when the producer failed: reported there
    shapes = shape if isinstance(shape, list) else [shape]
    if len(shapes) == 1 and index == 1 and spec["type"] in ATTENTION:
        shapes.append(_scores(call, spec))  # called with return_attention_scores=True
    if not 0 <= index < len(shapes):
        raise call.fail(rules.INVALID_KERAS_CONFIG,
                        f"{call.name} reads output {index} of a {spec['type']} with {len(shapes)} output"
                        f"{'s' if len(shapes) != 1 else ''}: Keras refuses the file (the tensor does not exist)",
                        "index", hint="the config is damaged or edited: keras_history is [layer, node, tensor index]")
    return Output(shapes[index], macs=0)


# Attention layers called with return_attention_scores=True (a call argument, not a config keyword)
ATTENTION = ("MultiHeadAttention", "Attention", "AdditiveAttention")


def _scores(call: Call, spec: dict) -> tuple:
    """The attention scores: (batch, heads, query steps, value steps) for MultiHeadAttention on
    sequences, (batch, query steps, value steps) for Attention and AdditiveAttention."""
    query = call.inputs[0].shape
    value = call.inputs[1].shape if len(call.inputs) > 1 else query
    if len(query) != 3 or len(value) != 3 or spec.get("attention_axes") not in (None, 1, -2, [1], [-2]):
        raise call.fail(rules.UNKNOWN_KERAS_LAYER,
                        f"{call.name} reads the attention scores of a {spec['type']} on {format_shape(query)}: "
                        "archlint models them for sequences (batch, steps, features) with the default "
                        "attention_axes only", "index", hint="check the shapes in Keras")
    if spec["type"] == "MultiHeadAttention":
        return (query[0], spec["num_heads"], query[1], value[1])
    return (query[0], query[1], value[1])


register(KERAS, "SelectOutput", "reshape", {"layer": REQUIRED, "index": REQUIRED}, select_output,
         schema={"layer": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}},
                           "description": "The producer's type and keywords, as a nested layer mapping."},
                 "index": {"type": "integer", "minimum": 0,
                           "description": "Which output: 1 is the first state of an LSTM with return_state."}},
         description="One output of a layer with several outputs (written by the Keras importer for a "
         "keras_history tensor index above 0); counts no weights.")
