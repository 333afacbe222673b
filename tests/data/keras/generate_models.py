"""Regenerate the Keras 3 models of issue 17 (recurrent layers, wrappers, nested models called twice,
states read by index, dict inputs and outputs, masks, keras.ops steps, preprocessing layers) and their
record in expected_models.json, written by Keras itself.

    KERAS_BACKEND=torch python tests/data/keras/generate_models.py
"""

import json
import os

import keras
from generate import record
from keras import layers, ops

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")


def models():
    yield "lstm", keras.Sequential([keras.Input((10, 4)), layers.LSTM(8), layers.Dense(1)])
    yield "gru_simple_rnn", keras.Sequential([keras.Input((10, 4)), layers.GRU(8, return_sequences=True),
                                              layers.SimpleRNN(3)])
    yield "time_distributed", keras.Sequential([keras.Input((10, 4)), layers.TimeDistributed(layers.Dense(3))])
    yield "bidirectional", keras.Sequential([keras.Input((10, 4)), layers.Bidirectional(layers.GRU(8))])
    yield "bidirectional_backward_layer", keras.Sequential([keras.Input((10, 4)), layers.Bidirectional(
        layers.LSTM(5, return_sequences=True), backward_layer=layers.LSTM(5, go_backwards=True, return_sequences=True),
        merge_mode="sum"), layers.Flatten(), layers.Dense(2)])

    tower = keras.Sequential([keras.Input((4,)), layers.Dense(3)], name="tower")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    yield "siamese_sequential", keras.Model([a, b], layers.Subtract()([tower(a), tower(b)]))

    x = keras.Input((4,))
    inner = keras.Model(x, layers.Dense(3, name="top")(layers.Dense(5, name="bottom")(x)), name="tower")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    yield "siamese_functional", keras.Model([a, b], [inner(a), inner(b)])

    encoder_in = keras.Input((None, 7), name="encoder_in")
    _, h, c = layers.LSTM(16, return_state=True, name="encoder")(encoder_in)
    decoder_in = keras.Input((None, 9), name="decoder_in")
    out = layers.LSTM(16, return_sequences=True, name="decoder")(decoder_in, initial_state=[h, c])
    yield "seq2seq_states", keras.Model([encoder_in, decoder_in], layers.Dense(9, activation="softmax")(out))

    x = keras.Input((4,), name="x")
    yield "dict_inputs_outputs", keras.Model({"x": x}, {"y": layers.Dense(2, name="y")(x)})

    ids = keras.Input((10,), dtype="int32")
    embedded = layers.Embedding(50, 8, mask_zero=True)(ids)
    yield "masked_embedding", keras.Model(ids, layers.Dense(1)(layers.LSTM(4)(embedded)))

    x = keras.Input((10, 4))
    y = ops.mean(ops.relu(layers.Dense(6)(x)), axis=1)
    yield "ops_relu_mean", keras.Model(x, layers.Dense(2)(y))

    x = keras.Input((6, 4))
    left, right = ops.split(x, 2, axis=-1)
    y = ops.concatenate([ops.transpose(left, (0, 2, 1)), ops.transpose(right, (0, 2, 1))], axis=1)
    y = ops.matmul(y, ops.reshape(x, (-1, 6, 4)))
    y = 1.0 - ops.expand_dims(y[:, 0], 1) * 2.0
    yield "ops_mixed", keras.Model(x, layers.Dense(3)(ops.squeeze(y, 1)))

    yield "augmentation", keras.Sequential([
        keras.Input((32, 32, 3)), layers.RandomFlip(), layers.RandomRotation(0.1), layers.RandomZoom(0.1),
        layers.RandomContrast(0.2), layers.RandomCrop(24, 24), layers.Conv2D(4, 3)])
    yield "activity_regularization", keras.Sequential([keras.Input((4,)), layers.Dense(3),
                                                       layers.ActivityRegularization(l1=0.01)])

    query = keras.Input((5, 8))
    keep = keras.Input((5, 5), dtype="bool")
    attended = layers.MultiHeadAttention(2, 4)(query, query, attention_mask=keep)
    yield "attention_mask", keras.Model([query, keep], attended)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, model in models():
        with open(os.path.join(OUT, name + ".json"), "w") as handle:
            handle.write(model.to_json())
        expected[name] = record(model)
    with open(os.path.join(HERE, "expected_models.json"), "w") as handle:
        json.dump(expected, handle, indent=1)


if __name__ == "__main__":
    main()
