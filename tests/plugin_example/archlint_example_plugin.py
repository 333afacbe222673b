"""An example archlint plugin: teaches archlint a custom Keras layer, `ScaleShift` (a learned scale and
shift per channel: 2 weights per channel, or 1 without the shift; the shape is unchanged)."""

from archlint import rules
from archlint.layers.registry import Output
from archlint.plugins import register_layer


def infer(call):
    channels = call.x.shape[-1]
    if channels is None:
        raise call.fail(rules.UNKNOWN_DIMENSION, "ScaleShift needs a known channel axis to build its weights")
    return Output(call.x.shape, trainable=channels * (2 if call.cfg["shift"] else 1))


def register():
    register_layer("keras", "ScaleShift", {"shift": True, "dtype": None}, infer,
                   properties={"shift": {"type": "boolean"}, "dtype": {"$ref": "#/definitions/dtype"}},
                   description="A learned scale and shift per channel (archlint_example_plugin).")
