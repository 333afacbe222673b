"""Regenerate the generated Keras fixtures and their record in expected_generated.json.

Run with Keras 3 (the fixtures record 3.15.1) on any backend; archlint itself never imports Keras:
    KERAS_BACKEND=torch python tests/data/keras/generate.py
Each model is written with model.to_json() (or model.save for .keras archives), and Keras's own view
of every layer (output shape, count_params, trainable weights) is recorded as expected.json does.
"""

import json
import math
import os

import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))


def _shape(shape):
    return list(shape) if not isinstance(shape, list) else [list(s) for s in shape]


def record(model) -> dict:
    def count(weights):
        return int(sum(math.prod(w.shape) for w in weights))

    rows = []
    for layer in model.layers:
        # a shared layer has several outputs: its first call's, as Keras's summary shows it
        output = layer._inbound_nodes[0].outputs if len(layer._inbound_nodes) > 1 else layer.output
        output = output[0] if isinstance(output, (list, tuple)) and len(output) == 1 else output
        shape = [list(t.shape) for t in output] if isinstance(output, (list, tuple)) else list(output.shape)
        rows.append({"name": layer.name, "class": layer.__class__.__name__, "output_shape": shape,
                     "params": layer.count_params() if layer.built else 0,
                     "trainable_params": count(layer.trainable_weights)})
    out = model.outputs[0] if len(model.outputs) == 1 else model.outputs
    return {
        "keras_version": keras.__version__,
        "total_params": model.count_params(),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
        "output_shape": [list(t.shape) for t in out] if isinstance(out, (list, tuple)) else list(out.shape),
        "layers": rows,
    }


def models():
    apps = keras.applications
    yield "VGG16_notop_160", apps.VGG16(weights=None, include_top=False, input_shape=(160, 160, 3))
    yield "ResNet50_notop_avg_128", apps.ResNet50(weights=None, include_top=False, input_shape=(128, 128, 3),
                                                  pooling="avg")
    yield "MobileNetV2_035_96", apps.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3), classes=10)

    base = apps.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    base.trainable = False
    yield "frozen_backbone_sequential", keras.Sequential(
        [keras.Input((64, 64, 3)), base, layers.GlobalAveragePooling2D(), layers.Dense(10)], name="frozen_vgg")

    a = keras.Input((16,), name="left")
    b = keras.Input((16,), name="right")
    shared = layers.Dense(8, activation="relu", name="tower")
    merged = layers.Concatenate(name="both")([shared(a), shared(b)])
    yield "shared_layer_two_inputs", keras.Model([a, b], layers.Dense(1, name="score")(merged), name="siamese")

    x = keras.Input((32, 32, 3))
    y = layers.Conv2D(8, 3, name="stem")(x)
    y = layers.BatchNormalization(name="stem_bn", trainable=False)(y)
    y = layers.Lambda(lambda t: t * 2.0, output_shape=(30, 30, 8), name="double")(y)
    y = layers.Conv2D(4, 3, strides=2, name="head")(y)
    y = layers.Flatten()(y)
    yield "lambda_and_frozen_bn", keras.Model(x, layers.Dense(3, name="out")(y), name="with_lambda")

    yield "small_sequential", keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Conv2D(4, 5, activation="relu"), layers.MaxPooling2D(),
         layers.Dropout(0.25), layers.Flatten(), layers.Dense(10, activation="softmax")], name="mnist_small")


def main():
    expected = {}
    for name, model in models():
        with open(os.path.join(HERE, name + ".json"), "w") as handle:
            handle.write(model.to_json())
        expected[name] = record(model)
        if name == "small_sequential":  # a .keras archive too: weights of this model are a few KB
            model.save(os.path.join(HERE, name + ".keras"))
            expected[name + ".keras"] = expected[name]
    with open(os.path.join(HERE, "expected_generated.json"), "w") as handle:
        json.dump(expected, handle, indent=1)


if __name__ == "__main__":
    main()
