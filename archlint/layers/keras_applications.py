"""The custom layers `keras.applications` models write into their configs, so that those models are
walked exactly: ConvNeXt's `LayerScale` and InceptionResNetV2's `CustomScaleLayer`.

- LayerScale(init_values, projection_dim): multiplies its input by a learned vector `gamma` of
  `projection_dim` values (its only weights), broadcast along the last axis: the last axis must be
  projection_dim or 1 (then the output takes projection_dim).
- CustomScaleLayer(scale): reads two tensors and returns `inputs[0] + inputs[1] * scale`, with NumPy
  broadcasting; no weights.
Observed in Keras 3.15.1 (torch backend).
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.keras_ops import broadcast
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, register
from archlint.shapes import format_shape


def layer_scale(call: Call) -> Output:
    dim, shape = call.cfg["projection_dim"], call.x.shape
    if not isinstance(dim, int) or dim < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"LayerScale `projection_dim={dim}` must be a positive size",
                        "projection_dim", hint="give the size of the last axis")
    if shape[-1] not in (dim, 1, None):
        raise call.fail(rules.MERGE_SHAPE_MISMATCH,
                        f"LayerScale multiplies {format_shape(shape)} by a vector of projection_dim={dim} values: the "
                        f"last axis ({shape[-1]}) cannot broadcast with it, so Keras fails when calling the layer",
                        "projection_dim", hint=f"set projection_dim: {shape[-1]}")
    return Output(shape[:-1] + (dim,), trainable=dim, macs=0)  # elementwise products count no MACs here


def custom_scale(call: Call) -> Output:
    if len(call.inputs) != 2:
        raise call.fail(rules.INVALID_ARGUMENT, f"CustomScaleLayer reads two tensors (inputs[0] + inputs[1] * scale), "
                        f"got {len(call.inputs)}", hint="call it on a list of two tensors")
    return Output(broadcast(call, [t.shape for t in call.inputs]), macs=0)


register(KERAS, "LayerScale", "keras_applications",
         {"init_values": REQUIRED, "projection_dim": REQUIRED, "dtype": None},
         layer_scale, schema={"init_values": {"type": "number", "description": "The initial value of gamma."},
                              "projection_dim": {"type": "integer", "description": "The size of gamma: the last axis."},
                              "dtype": {"$ref": "#/definitions/dtype"}},
         description="ConvNeXt's LayerScale (keras.applications): multiplies by a learned vector of projection_dim "
         "values.")
register(KERAS, "CustomScaleLayer", "keras_applications", {"scale": REQUIRED, "dtype": None}, custom_scale,
         schema={"scale": {"type": "number"}, "dtype": {"$ref": "#/definitions/dtype"}},
         description="InceptionResNetV2's CustomScaleLayer (keras.applications): inputs[0] + inputs[1] * scale; no "
         "weights.")
