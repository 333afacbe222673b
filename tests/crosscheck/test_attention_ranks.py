"""Keras Attention, AdditiveAttention and MultiHeadAttention on a query, value and key of different ranks,
against Keras 3.15.1 (torch backend; issue 15 §3): every combination of ranks 2-4 (the key given or not),
with the value's features equal to the query's or not, built symbolically and run on a batch of 2.

Keras accepts a combination when the forward pass runs and computes the shape it records; archlint must
then give that shape without an error (W007 when the batch is read as positions), and an error otherwise:
where the forward pass fails, and where it computes another shape than the model records.

    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck/test_attention_ranks.py
"""

from __future__ import annotations

import itertools
import os
import warnings

import pytest

from archlint import yaml12
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

BATCH = 2
LAYERS = {
    "Attention": {"type": "Attention"},
    "Attention-concat": {"type": "Attention", "score_mode": "concat"},
    "AdditiveAttention": {"type": "AdditiveAttention"},
    "MultiHeadAttention": {"type": "MultiHeadAttention", "num_heads": 2, "key_dim": 4},
}


def shape(rank: int, positions: int, features: int) -> list[int]:
    return {2: [features], 3: [positions, features], 4: [3, positions, features]}[rank]


CASES = [(name, rq, rv, rk, dv) for name in LAYERS for rq, rv, rk in
         itertools.product((2, 3, 4), (2, 3, 4), (None, 2, 3, 4)) for dv in (6, 4)]


def keras_result(name, q, v, k):
    """('ok', output shape) when Keras runs it and computes the shape it records; (verdict, detail) else."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import numpy as np

    config = {key: value for key, value in LAYERS[name].items() if key != "type"}
    shapes = [q, v] + ([k] if k else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = getattr(keras.layers, LAYERS[name]["type"])(**config)
        call = (lambda xs: layer(*xs)) if name == "MultiHeadAttention" else layer
        try:
            symbolic = tuple(call([keras.Input(tuple(s)) for s in shapes]).shape)
            computed = tuple(call([np.ones((BATCH,) + tuple(s), "float32") for s in shapes]).shape)
        except Exception as exc:  # noqa: BLE001  (any refusal is the verdict)
            return "refused", f"{type(exc).__name__}: {str(exc)[:120]}"
    if computed[1:] != symbolic[1:]:
        return "differs", (symbolic, computed)
    return "ok", symbolic


def archlint_result(tmp_path, name, q, v, k):
    inputs = {"q": q, "v": v, **({"k": k} if k else {})}
    roles = {"query": "q", "value": "v", **({"key": "k"} if k else {})}
    layer = {"name": "attention", **LAYERS[name], "inputs": roles}
    path = tmp_path / "attention.yaml"
    path.write_text(yaml12.dump({"archlint": 1, "framework": "keras", "inputs": inputs, "layers": [layer]}),
                    encoding="utf-8")
    return lint_file(str(path))


def test_attention_rank_sweep_matches_keras(tmp_path):
    verdicts = {"ok": 0, "refused": 0, "differs": 0}
    wrong = []
    for name, rq, rv, rk, dv in CASES:
        q, v, k = shape(rq, 5, 4), shape(rv, 7, dv), shape(rk, 7, 4) if rk else None
        verdict, detail = keras_result(name, q, v, k)
        verdicts[verdict] += 1
        result = archlint_result(tmp_path, name, q, v, k)
        errors = [f.rule.code for f in result.findings if f.is_error]
        warned = sorted({f.rule.code for f in result.findings if not f.is_error} - {"W009"})
        if verdict != "ok":
            if not errors:
                wrong.append((name, q, v, k, verdict, detail, "archlint accepts"))
            continue
        batch_read = rq == 2 or (rv == 2 and (rk or rv) == 2 and rq > 2)
        shape_out = result.model.layers[0].output.shape if result.model and not errors else None
        if errors or warned != (["W007"] if batch_read else []) or tuple(shape_out)[1:] != tuple(detail)[1:]:
            wrong.append((name, q, v, k, detail, errors, warned, shape_out))
    assert wrong == []
    assert verdicts == {"ok": 53, "refused": 217, "differs": 18}, verdicts


# rank 4 with a middle axis of 1 or 3 on each side: Keras records the query's size and computes the broadcast
MIDDLE = [(name, mq, mv, mk) for name in LAYERS if name != "MultiHeadAttention"
          for mq, mv, mk in itertools.product((1, 3), (1, 3), (None, 1, 3))]


def test_attention_middle_axes_match_keras(tmp_path):
    verdicts = {"ok": 0, "refused": 0, "differs": 0}
    wrong = []
    for name, mq, mv, mk in MIDDLE:
        q, v, k = [mq, 5, 4], [mv, 7, 4], [mk, 7, 4] if mk else None
        verdict, detail = keras_result(name, q, v, k)
        verdicts[verdict] += 1
        result = archlint_result(tmp_path, name, q, v, k)
        errors = [f.rule.code for f in result.findings if f.is_error]
        if verdict != "ok":
            if not errors:
                wrong.append((name, q, v, k, verdict, detail))
        elif errors or tuple(result.model.layers[0].output.shape)[1:] != tuple(detail)[1:]:
            wrong.append((name, q, v, k, detail, errors))
    assert wrong == []
    assert verdicts == {"ok": 24, "refused": 0, "differs": 12}, verdicts
