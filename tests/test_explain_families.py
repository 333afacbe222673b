"""`archlint explain` on one layer of every registered type (issue 15): a shape line, a parameter formula
that evaluates to the counted parameters for every type with weights, a MAC formula that evaluates to the
counted MACs where the family has one; and exact texts for a few families in both dialects."""

from __future__ import annotations

import ast
import operator
import re

import pytest

from archlint import explain
from archlint.layers.registry import KERAS, PYTORCH, REGISTRY, REQUIRED, load_all
from archlint.lint import lint_file
from archlint.yaml12 import dump

load_all()

# A value for each keyword some type requires; (framework, type) entries where one type reads it otherwise
REQUIRED_VALUES = {
    "activation": "relu", "axes": 1, "axis": 1, "axis1": 1, "axis2": 2, "factor": 0.1, "filters": 4,
    "kernel_size": 3, "height": 4, "width": 4, "height_factor": 0.1, "width_factor": 0.1,
    "indices_or_sections": 2, "init_values": 0.1, "input_dim": 10, "output_dim": 4, "n": 2,
    "newshape": [-1], "num_heads": 2, "key_dim": 4, "pool_size": 2, "rate": 0.5, "scale": 0.5, "stddev": 0.1,
    "units": 3, "x_min": 0.0, "x_max": 1.0, "d_model": 8, "nhead": 2, "num_layers": 2, "dim": 1,
    "unflattened_size": [2, 4], "downscale_factor": 2, "embed_dim": 8, "hidden_size": 3, "normalized_shape": 8,
    "num_embeddings": 10, "embedding_dim": 4, "num_groups": 2, "out_channels": 4, "out_features": 3,
    "output_size": 2, "padding": 1, "value": 0.0, "size": 2, "threshold": 0.1, "upscale_factor": 2,
}
SPECIAL = {
    (KERAS, "Permute"): {"dims": [2, 1]},
    (KERAS, "Reshape"): {"target_shape": [8, 6]},
    (KERAS, "LayerScale"): {"projection_dim": 8},
    (KERAS, "GroupNormalization"): {"groups": 4},
    (PYTORCH, "Upsample"): {"scale_factor": 2},
    (KERAS, "TimeDistributed"): {"layer": {"type": "Dense", "units": 3}},
    (KERAS, "Bidirectional"): {"layer": {"type": "LSTM", "units": 3, "return_sequences": True}},
    (PYTORCH, "torch.permute"): {"dims": [0, 2, 1]},
    (PYTORCH, "torch.reshape"): {"shape": [-1, 48]},
    (PYTORCH, "Unflatten"): {"dim": 2, "unflattened_size": [2, 4]},
    (PYTORCH, "TransformerEncoder"): {"encoder_layer": {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2,
                                                        "dim_feedforward": 16, "batch_first": True}},
    (PYTORCH, "TransformerDecoder"): {"decoder_layer": {"type": "TransformerDecoderLayer", "d_model": 8, "nhead": 2,
                                                        "dim_feedforward": 16, "batch_first": True}},
    (PYTORCH, "TransformerEncoderLayer"): {"dim_feedforward": 16, "batch_first": True},
    (PYTORCH, "TransformerDecoderLayer"): {"dim_feedforward": 16, "batch_first": True},
    (PYTORCH, "MultiheadAttention"): {"batch_first": True},
    (PYTORCH, "GLU"): {"dim": -1},
    (PYTORCH, "LayerNorm"): {"normalized_shape": 8},
}
# Types a spec cannot hold on its own: the Keras importer writes them (one output of another layer's call;
# keras.ops functions that take their operands as a list or an index argument)
NOT_IN_SPECS = {(KERAS, "SelectOutput"), (KERAS, "ops.Concatenate"), (KERAS, "ops.Stack"), (KERAS, "ops.GetItem")}
TWO_INPUTS = {
    KERAS: {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Attention",
            "AdditiveAttention", "ops.Add", "ops.Subtract", "ops.Multiply", "ops.Divide", "ops.TrueDivide",
            "ops.FloorDivide", "ops.Mod", "ops.Power", "ops.Maximum", "ops.Minimum", "ops.Equal", "ops.NotEqual",
            "ops.Greater", "ops.GreaterEqual", "ops.Less", "ops.LessEqual", "ops.LogicalAnd", "ops.LogicalOr",
            "ops.LogicalXor", "ops.Arctan2", "ops.Hypot", "ops.Matmul", "CustomScaleLayer"},
    PYTORCH: {"torch.add", "torch.mul", "torch.cat", "torch.stack", "TransformerDecoderLayer", "TransformerDecoder"},
}
THREE_INPUTS = {(KERAS, "ops.Where")}


def _types():
    found = []
    for (framework, name), layer_type in sorted(REGISTRY.items()):
        module = getattr(layer_type.infer, "func", layer_type.infer).__module__
        if module.startswith("archlint.layers.") and (framework, name) not in NOT_IN_SPECS:
            found.append((framework, name))
    return found


def _input(framework: str, family: str, rank: int | None, name: str) -> list[int]:
    if family == "embedding":
        return [5]
    if rank:
        return [4] + [8] * rank if framework == PYTORCH else [8] * rank + [4]
    if family in ("recurrent", "attention") or name in ("RepeatVector",):
        return [8] if name == "RepeatVector" else [6, 8]
    return [8, 8] if name in ("GroupNorm", "InstanceNorm1d", "Softmax2d", "LocalResponseNorm") else [6, 8]


def spec_for(framework: str, name: str) -> dict:
    layer_type = REGISTRY[(framework, name)]
    entry = {"type": name}
    special = SPECIAL.get((framework, name), {})
    for key, default in layer_type.defaults.items():
        if default is REQUIRED:
            entry[key] = special.get(key, REQUIRED_VALUES.get(key))
    entry.update(special)
    shape = _input(framework, layer_type.family, layer_type.rank, name)
    if name == "GroupNorm":
        entry["num_channels"] = shape[0]
    if name in ("Softmax2d", "LocalResponseNorm", "InstanceNorm2d"):
        shape = [4, 8, 8]
    if name in ("Dropout1d", "InstanceNorm1d"):
        shape = [4, 8]
    if name in ("PixelShuffle", "PixelUnshuffle", "Upsample"):
        shape = [8, 4, 4]
    if layer_type.family == "augmentation" or name == "RandomCrop":
        shape = [8, 8, 3]
    spec = {"archlint": 1, "framework": framework}
    count = 3 if (framework, name) in THREE_INPUTS else 2 if name in TWO_INPUTS[framework] else 1
    if count == 1:
        spec["input"] = shape
    else:
        spec["inputs"] = {f"x{i}": shape[::-1] if name == "ops.Matmul" and i else shape for i in range(count)}
        entry["inputs"] = [f"x{i}" for i in range(count)]
    spec["layers"] = [entry]
    return spec


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(formula: str) -> float:
    """The arithmetic of a printed formula, its named parts ("(weight, bias)", "output positions") left out."""
    text = formula
    while True:
        stripped = re.sub(r"\([^()]*[A-Za-z_][^()]*\)", "", text)
        if stripped == text:
            break
        text = stripped
    text = re.sub(r"[A-Za-z_]+", "", text)

    def value(node):
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](value(node.left), value(node.right))
        raise ValueError(f"not arithmetic: {formula!r}")

    return value(ast.parse(text.strip(), mode="eval"))


def _explained(tmp_path, framework: str, name: str):
    path = tmp_path / "spec.yaml"
    path.write_text(dump(spec_for(framework, name)), encoding="utf-8")
    result = lint_file(str(path))
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    assert result.model is not None and result.model.complete and not errors, (name, errors)
    layer = result.model.layers[-1]
    return layer, explain.explain_layer(result.model, layer)


@pytest.mark.parametrize("framework,name", _types())
def test_every_registered_type_is_explained(tmp_path, framework, name):
    layer, lines = _explained(tmp_path, framework, name)
    body = [line.strip() for line in lines[1:]]
    assert any(" out = " in line or line.startswith("shape: ") for line in body), lines
    params = [line for line in body if line.startswith("params = ")]
    assert len(params) == 1, lines
    parts = params[0].split(" = ")
    if layer.params:
        assert len(parts) == 3, lines  # params = <formula> = <total>
        assert evaluate(parts[1]) == layer.params == int(parts[2].replace(",", "")), lines
    macs = [line for line in body if line.startswith("macs = ")]
    if layer.output.macs:
        assert len(macs) == 1, lines
        parts = macs[0].split(" = ")
        if len(parts) == 3:
            assert evaluate(parts[1]) == layer.output.macs, lines
    else:
        assert macs == [], lines
