"""Keras masks against Keras 3.15.1 (torch backend; issue 15 §3): an `Embedding(mask_zero=True)` or a
`Masking` followed by each layer class archlint models that may receive a mask, built symbolically and run
on a batch of 2 (ids and values with masked steps).

For every case archlint's verdict must equal Keras's (an error exactly where the forward pass fails) and
the mask archlint follows must have the shape Keras attaches to the output (none where Keras drops it),
in the native dialect and for the model's Keras JSON. The cases archlint marks (W030) are listed apart:
there archlint must say so.

    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck/test_keras_mask_sweep.py
"""

from __future__ import annotations

import os
import warnings

import pytest

from archlint import masks, yaml12
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

BATCH, STEPS = 2, 6


def _d(units, name=None):
    return {"type": "Dense", "units": units, **({"name": name} if name else {})}


def _rnn(kind, seq):
    return {"type": kind, "units": 3, "return_sequences": seq}


# each case: the layers after the mask source (named "src"), in order; `inputs` names earlier layers
CASES = {
    "Dense": [_d(3)],
    "Dense1-Softmax": [_d(1), {"type": "Softmax"}],
    "Softmax": [{"type": "Softmax"}],
    "Softmax-axis1": [{"type": "Softmax", "axis": 1}],
    "Dense6-Softmax": [_d(STEPS), {"type": "Softmax"}],
    "Dense1-Activation-softmax": [_d(1), {"type": "Activation", "activation": "softmax"}],
    "Activation": [{"type": "Activation", "activation": "relu"}],
    "Conv1D": [{"type": "Conv1D", "filters": 3, "kernel_size": 3}],
    "Conv1D-Dense1-Softmax": [{"type": "Conv1D", "filters": 3, "kernel_size": 1}, _d(1), {"type": "Softmax"}],
    "MaxPooling1D": [{"type": "MaxPooling1D", "pool_size": 2}],
    "AveragePooling1D": [{"type": "AveragePooling1D", "pool_size": 2}],
    "LayerNormalization": [{"type": "LayerNormalization"}],
    "BatchNormalization": [{"type": "BatchNormalization"}],
    "Dropout": [{"type": "Dropout", "rate": 0.1}],
    "Add": [_d(4, "d"), {"type": "Add", "inputs": ["src", "d"]}],
    "Multiply": [_d(4, "d"), {"type": "Multiply", "inputs": ["src", "d"]}],
    "Concatenate": [_d(3, "d"), {"type": "Concatenate", "inputs": ["src", "d"]}],
    "Attention": [{"type": "Attention", "inputs": ["src", "src"]}],
    "MultiHeadAttention": [{"type": "MultiHeadAttention", "num_heads": 2, "key_dim": 4,
                            "inputs": {"query": "src", "value": "src"}}],
    "LSTM": [_rnn("LSTM", False)],
    "LSTM-sequences": [_rnn("LSTM", True)],
    "GRU": [_rnn("GRU", False)],
    "GRU-sequences-Dense1-Softmax": [_rnn("GRU", True), _d(1), {"type": "Softmax"}],
    "SimpleRNN": [_rnn("SimpleRNN", False)],
    "Bidirectional": [{"type": "Bidirectional", "layer": _rnn("LSTM", False)}],
    "Bidirectional-sequences": [{"type": "Bidirectional", "layer": _rnn("LSTM", True)}],
    "TimeDistributed": [{"type": "TimeDistributed", "layer": _d(3)}],
    "Flatten-Dense": [{"type": "Flatten"}, _d(2)],
    "Reshape": [{"type": "Reshape", "target_shape": [STEPS * 4]}],
    "GlobalAveragePooling1D-Dense": [{"type": "GlobalAveragePooling1D"}, _d(2)],
    "GlobalMaxPooling1D": [{"type": "GlobalMaxPooling1D"}],
    "Permute-Softmax": [{"type": "Permute", "dims": [2, 1]}, {"type": "Softmax"}],
    "Cropping1D": [{"type": "Cropping1D", "cropping": 1}],
    "ZeroPadding1D": [{"type": "ZeroPadding1D", "padding": 1}],
    "UpSampling1D": [{"type": "UpSampling1D", "size": 2}],
    "LSTM-sequences-GlobalAveragePooling1D-Dense": [_rnn("LSTM", True), {"type": "GlobalAveragePooling1D"},
                                                    _d(2)],
}
# masks reaching layers whose mask handling archlint does not model: W030 on that layer
MARKED = {
    "Subtract": ([_d(4, "d"), {"type": "Subtract", "inputs": ["src", "d"]}], "l1 (Subtract)"),
    "Maximum": ([_d(4, "d"), {"type": "Maximum", "inputs": ["src", "d"]}], "l1 (Maximum)"),
    "Concatenate-steps": ([{"type": "Concatenate", "axis": 1, "inputs": ["src", "src"]}], "l0 (Concatenate)"),
}
SOURCES = {
    "Embedding": ([STEPS], {"type": "Embedding", "input_dim": 10, "output_dim": 4, "mask_zero": True}),
    "Masking": ([STEPS, 4], {"type": "Masking"}),
}


def _named(layers: list) -> list:
    """The layers named l0, l1, ... unless the case names them (to wire them)."""
    return [{**entry, "name": entry.get("name", f"l{i}")} for i, entry in enumerate(layers)]


def _keras_layer(keras, entry: dict):
    config = {k: v for k, v in entry.items() if k not in ("type", "inputs", "name")}
    for key in ("layer",):
        if key in config:
            config[key] = _keras_layer(keras, config[key])
    return getattr(keras.layers, entry["type"])(name=entry.get("name"), **config)


def keras_result(source: str, layers: list):
    """(error or None, the output's mask shape or None, the model's JSON)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import numpy as np

    shape, first = SOURCES[source]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = keras.Input(tuple(shape), dtype="int32" if source == "Embedding" else "float32")
        tensors = {"src": _keras_layer(keras, {**first, "name": "src"})(inp)}
        x = tensors["src"]
        for entry in _named(layers):
            layer = _keras_layer(keras, entry)
            wired = entry.get("inputs")
            if isinstance(wired, dict):
                x = layer(**{role: tensors[name] for role, name in wired.items()})
            elif wired:
                x = layer([tensors[name] for name in wired])
            else:
                x = layer(x)
            tensors[entry["name"]] = x
        model = keras.Model(inp, x)
        mask = getattr(x, "_keras_mask", None)
        if source == "Embedding":
            data = np.tile(np.array([[1, 2, 0, 0, 3, 0]], "int32"), (BATCH, 1))
        else:
            data = np.random.default_rng(0).random((BATCH, STEPS, 4)).astype("float32")
            data[:, 2] = 0
        try:
            model(data)
        except Exception as exc:  # noqa: BLE001  (any refusal is the verdict)
            return f"{type(exc).__name__}: {str(exc)[:160]}", None, model.to_json()
    return None, None if mask is None else tuple(mask.shape), model.to_json()


def archlint_results(tmp_path, source: str, layers: list, keras_json: str):
    """The native spec's result and the Keras JSON's, with the mask each follows to the last layer."""
    shape, first = SOURCES[source]
    native = tmp_path / "masks.yaml"
    native.write_text(yaml12.dump({"archlint": 1, "framework": "keras", "input": shape,
                                   "layers": [{**first, "name": "src"}] + _named(layers)}), encoding="utf-8")
    imported = tmp_path / "masks.json"
    imported.write_text(keras_json, encoding="utf-8")
    results = []
    for path in (native, imported):
        result = lint_file(str(path))
        followed = masks.check_masks(result.model, lambda *a, **k: None) if result.model else {}
        last = result.model.order[-1].name if result.model else None
        results.append((result, followed.get(last)))
    return results


def test_mask_sweep_matches_keras(tmp_path):
    counts = {"cases": 0, "refused": 0, "masked": 0}
    wrong = []
    for source in SOURCES:
        for name, layers in CASES.items():
            error, mask, keras_json = keras_result(source, layers)
            counts["cases"] += 1
            counts["refused"] += error is not None
            counts["masked"] += mask is not None
            for result, followed in archlint_results(tmp_path, source, layers, keras_json):
                codes = sorted({f.rule.code for f in result.findings})
                errors = [c for c in codes if c.startswith("E")]
                if (errors == ["E031"]) != (error is not None) or (error is None and errors) or "W030" in codes:
                    wrong.append((source, name, error, codes))
                elif error is None and followed != mask:
                    wrong.append((source, name, "mask", mask, followed))
    assert wrong == []
    assert counts == {"cases": 72, "refused": 10, "masked": 28}, counts


def test_masks_archlint_does_not_model_are_marked(tmp_path):
    wrong = []
    for source in SOURCES:
        for name, (layers, marked) in MARKED.items():
            _, _, keras_json = keras_result(source, layers)
            for result, _ in archlint_results(tmp_path, source, layers, keras_json):
                w030 = [f for f in result.findings if f.rule.code == "W030"]
                if len(w030) != 1 or marked not in w030[0].message:
                    wrong.append((source, name, [f"{f.rule.code} {f.message}" for f in result.findings]))
    assert wrong == []
