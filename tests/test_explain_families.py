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


def _explain(tmp_path, framework: str, inputs: str, layers: list[str]) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(f"archlint: 1\nframework: {framework}\n{inputs}\nlayers:\n" +
                    "".join(f"  - {layer}\n" for layer in layers), encoding="utf-8")
    result = lint_file(str(path))
    assert result.model.complete and not result.findings, result.findings
    return "\n".join(line for layer in result.model.layers for line in explain.explain_layer(result.model, layer))


def test_embedding_merge_and_reshape_in_keras(tmp_path):
    # Keras 3.15.1: Embedding(100, 8) on (None, 6) -> (None, 6, 8), 800 weights; Flatten -> 48
    text = _explain(tmp_path, "keras", "inputs: {ids: [6], side: [6, 4]}", [
        "{name: emb, type: Embedding, input_dim: 100, output_dim: 8, inputs: [ids]}",
        "{name: cat, type: Concatenate, inputs: [emb, side]}",
        "{name: flat, type: Flatten}",
        "{name: pad, type: Reshape, target_shape: [12, 6]}",
    ])
    assert text == """\
emb (Embedding): (None, 6) -> (None, 6, 8)
  shape: the ids' shape (None, 6) + (output_dim,) = (None, 6, 8)
  params = 100 * 8 (input_dim * output_dim) = 800
cat (Concatenate): (None, 6, 8) -> (None, 6, 12)
  axis 2: out = 8 + 4 = 12 (the inputs' sizes added)
  params = 0
flat (Flatten): (None, 6, 12) -> (None, 72)
  features: out = 6*12 = 72 (axes 1 to 2 flattened)
  params = 0
pad (Reshape): (None, 72) -> (None, 12, 6)
  shape: (None, 12, 6) (72 = 72 values per sample, as the input's)
  params = 0"""


def test_embedding_padding_upsampling_and_attention_in_pytorch(tmp_path):
    # torch 2.13.0: nn.Embedding(50, 8) 400 weights; nn.MultiheadAttention(8, 2): in_proj 3*8*8 + 24, out_proj
    # 8*8 + 8 = 288 weights; ZeroPad2d(1) and Upsample(scale_factor=2) on (4, 5, 5)
    text = _explain(tmp_path, "pytorch", "inputs: {ids: [6], image: [4, 5, 5]}", [
        "{name: emb, type: Embedding, num_embeddings: 50, embedding_dim: 8, inputs: [ids]}",
        "{name: att, type: MultiheadAttention, embed_dim: 8, num_heads: 2, batch_first: true, inputs: [emb]}",
        "{name: pad, type: ZeroPad2d, padding: 1, inputs: [image]}",
        "{name: up, type: Upsample, scale_factor: 2}",
        "{name: shuffle, type: PixelShuffle, upscale_factor: 2}",
    ])
    assert text == """\
emb (Embedding): (None, 6) -> (None, 6, 8)
  shape: the ids' shape (None, 6) + (embedding_dim,) = (None, 6, 8)
  params = 50 * 8 (num_embeddings * embedding_dim) = 400
att (MultiheadAttention): (None, 6, 8) -> (None, 6, 8)
  shape: the query's, with embed_dim features
  weights = 3*8*8 (in_proj, or q/k/v_proj with kdim/vdim) + 8*8 (out_proj), plus biases
  params = 3*8*8 + 3*8 + 8*8 + 8 = 288
  macs = 2*6*8*8 + 6*8*(8 + 8) + 2*6*6*8 (projections, then scores and weighted sum) = 2,112
pad (ZeroPad2d): (None, 4, 5, 5) -> (None, 4, 7, 7)
  height axis: out = 5 + 2 (padding) = 7
  width axis: out = 5 + 2 (padding) = 7
  params = 0
up (Upsample): (None, 4, 7, 7) -> (None, 4, 14, 14)
  height axis: out = 7 * 2 (scale) = 14
  width axis: out = 7 * 2 (scale) = 14
  params = 0
shuffle (PixelShuffle): (None, 4, 14, 14) -> (None, 1, 28, 28)
  channels: out = 4 / 4 (upscale_factor squared) = 1
  height axis: out = 14 * 2 (upscale) = 28
  width axis: out = 14 * 2 (upscale) = 28
  params = 0"""
    assert 2 * 6 * 8 * 8 + 6 * 8 * (8 + 8) + 2 * 6 * 6 * 8 == 2_112


def test_recurrent_and_depthwise_parameter_formulas_in_both_dialects(tmp_path):
    # Keras 3.15.1: GRU(4) on 3 features, reset_after: 3*4*(3 + 4) + 2*3*4 = 108; Bidirectional(LSTM(2))
    # on 8 features: 2 * (4*2*(8 + 2) + 4*2) = 176; DepthwiseConv2D(3, depth_multiplier=2) on 5 channels
    # 3*3*5*2 + 5*2 = 100
    keras = _explain(tmp_path, "keras", "inputs: {seq: [7, 3], image: [6, 6, 5]}", [
        "{name: gru, type: GRU, units: 4, return_sequences: true, inputs: [seq]}",
        "{name: bi, type: Bidirectional, layer: {type: LSTM, units: 2}, inputs: [gru]}",
        "{name: dw, type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2, inputs: [image]}",
    ])
    assert "  params = 3*4*(3 + 4) + 2*3*4 = 108" in keras
    assert "  params = 2 * (4*2*(4 + 2) + 1*4*2) (forward and backward) = 112" in keras
    assert "  channels: out = 5 * 2 (depth_multiplier) = 10" in keras
    assert "  params = 3*3*5*2 + 5*2 (depthwise kernel, bias) = 100" in keras
    # torch 2.13.0: nn.LSTM(3, 4, num_layers=2, bidirectional=True): layer 0 per direction
    # 4*4*(3 + 4) + 2*4*4 = 144, layer 1 per direction 4*4*(8 + 4) + 2*4*4 = 224: 2*144 + 2*224 = 736
    torch = _explain(tmp_path, "pytorch", "input: [7, 3]", [
        "{type: LSTM, hidden_size: 4, num_layers: 2, bidirectional: true, batch_first: true}"])
    assert "  params = 2 * (4*4*(3 + 4) + 2*4*4) + 2 * (4*4*(8 + 4) + 2*4*4) = 736" in torch
