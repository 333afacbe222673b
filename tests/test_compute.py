"""Issue 9: MACs, FLOPs, memory and receptive fields, worked by hand, and the published totals.

Every expected value below is derived in its comment from the layer's arguments; the published totals
are torchvision's (resnet18 1.814 GMACs, resnet50 4.089, vgg16 15.47) and Keras's ResNet50 (3.858).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, codes

from archlint import figures
from archlint.cli import main
from archlint.layers.registry import lookup
from archlint.lint import lint_file


def macs(result) -> dict:
    return {layer.name: layer.output.macs for layer in result.model.layers}


def test_conv_grouped_transposed_dense_by_hand(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 10, 10]
        layers:
          - {name: conv, type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1}
          - {name: grouped, type: Conv2d, out_channels: 8, kernel_size: 3, groups: 4}
          - {name: depthwise, type: Conv2d, out_channels: 16, kernel_size: 3, groups: 8, dilation: 2}
          - {name: up, type: ConvTranspose2d, out_channels: 4, kernel_size: 2, stride: 2, groups: 2}
          - {name: flat, type: Flatten}
          - {name: fc, type: Linear, out_features: 10}
    """)
    assert codes(result) == []
    assert macs(result) == {
        "conv": 10 * 10 * 3 * 3 * 3 * 8,  # out positions x k x in_channels x out_channels: 21,600
        "grouped": 8 * 8 * 3 * 3 * (8 // 4) * 8,  # in_channels / groups = 2: 9,216
        "depthwise": 4 * 4 * 3 * 3 * 1 * 16,  # dilation 2: effective 5, out 4x4; 8/8 = 1 channel a group: 2,304
        "up": 4 * 4 * 2 * 2 * 16 * (4 // 2),  # transposed: *input* positions x k x in x out/groups: 2,048
        "flat": 0,
        "fc": 4 * 8 * 8 * 10,  # in_features x out_features: 2,560
    }


def test_keras_depthwise_separable_dense_on_positions_and_lora(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, 4]
        layers:
          - {name: dw, type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2}
          - {name: sep, type: SeparableConv2D, filters: 16, kernel_size: 3}
          - {name: dense, type: Dense, units: 5}
          - {name: lora, type: Dense, units: 3, lora_rank: 2}
    """)
    assert macs(result) == {
        "dw": 6 * 6 * 9 * 4 * 2,  # each of 4 channels with 2 kernels of 3x3 at 6x6 positions: 2,592
        "sep": 4 * 4 * (9 * 8 + 8 * 16),  # depthwise 9 x 8 then pointwise 8 x 16 at 4x4: 3,200
        "dense": 4 * 4 * 16 * 5,  # a Dense on (4, 4, 16) runs on 16 rows: 1,280
        "lora": 4 * 4 * 5 * 3 + 5 * 2 * 3,  # the kernel, plus merging A (5x2) @ B (2x3) once per call: 270
    }


def test_lstm_gru_over_the_sequence(lint):
    keras = lint("""
        archlint: 1
        input: [20, 16]
        layers:
          - {name: lstm, type: LSTM, units: 32, return_sequences: true}
          - {name: gru, type: GRU, units: 8}
    """)
    # per step: gates x units x (features + units); biases and element-wise gate products are not MACs
    assert macs(keras) == {"lstm": 20 * 4 * 32 * (16 + 32), "gru": 20 * 3 * 8 * (32 + 8)}
    torch = lint("""
        archlint: 1
        framework: pytorch
        input: [20, 16]
        layers:
          - {name: lstm, type: LSTM, hidden_size: 32, num_layers: 2, bidirectional: true, batch_first: true}
    """)
    # layer 1 reads 16 features, layer 2 both directions' 64; each direction its own weights
    assert macs(torch) == {"lstm": 20 * 2 * (4 * 32 * (16 + 32) + 4 * 32 * (64 + 32))}


def test_unknown_sequence_length_leaves_macs_unknown(lint):
    result = lint("""
        archlint: 1
        input: [null, 16]
        layers:
          - {name: lstm, type: LSTM, units: 32}
          - {name: head, type: Dense, units: 2}
    """)
    assert macs(result) == {"lstm": None, "head": 64}
    found = figures.of(result.model)
    assert (found.macs, found.exact) == (64, False)


@pytest.mark.skipif(lookup("pytorch", "MultiheadAttention") is None, reason="attention layers not registered")
def test_attention_includes_qk_and_attention_times_v(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        inputs: {q: [10, 32], kv: [6, 16]}
        layers:
          - {name: self, type: MultiheadAttention, embed_dim: 32, num_heads: 4, batch_first: true, inputs: [q]}
          - {name: cross, type: MultiheadAttention, embed_dim: 32, num_heads: 4, kdim: 16, vdim: 16,
             batch_first: true, inputs: [q, kv, kv]}
    """)
    assert macs(result) == {
        # q, k, v and output projections 4 x 10 x 32 x 32, QK^T and attention x V 2 x 10 x 10 x 32
        "self": 4 * 10 * 32 * 32 + 2 * 10 * 10 * 32,
        # q and out projections 2 x 10 x 32 x 32, k and v 2 x 6 x 16 x 32, QK^T and AV 2 x 10 x 6 x 32
        "cross": 2 * 10 * 32 * 32 + 2 * 6 * 16 * 32 + 2 * 10 * 6 * 32,
    }
    keras = lint("""
        archlint: 1
        input: [10, 32]
        layers:
          - {name: mha, type: MultiHeadAttention, num_heads: 2, key_dim: 8}
    """)
    # query, key, value projections 3 x 10 x 32 x (2 x 8); QK^T and AV 10 x 10 x 2 x (8 + 8); output 10 x 16 x 32
    assert macs(keras) == {"mha": 3 * 10 * 32 * 16 + 10 * 10 * 2 * 16 + 10 * 16 * 32}


@pytest.mark.parametrize("path, total, published", [
    ("resnet/resnet18_torch.yaml", 1_814_073_344, "1.814"),
    ("resnet/resnet50_torch.yaml", 4_089_184_256, "4.089"),
    ("vgg16/vgg16_torch.yaml", 15_470_264_320, "15.47"),
    ("vgg16/vgg16_keras.yaml", 15_470_264_320, "15.47"),
    ("resnet/resnet50_keras.yaml", 3_857_973_248, "3.858"),
])
def test_published_totals(path, total, published):
    model = lint_file(str(EXAMPLES / path)).model
    found = figures.of(model)
    assert found.exact and found.macs == total and found.flops == 2 * total
    digits = len(published.split(".")[1])
    assert f"{total / 1e9:.{digits}f}" == published


def test_receptive_fields_of_the_published_models():
    expected = {"vgg16/vgg16_torch.yaml": (212, 32), "resnet/resnet18_torch.yaml": (435, 32),
                "resnet/resnet50_torch.yaml": (427, 32), "resnet/resnet50_keras.yaml": (483, 32)}
    for path, (rf, stride) in expected.items():
        model = lint_file(str(EXAMPLES / path)).model
        _, field = figures.of(model).largest_field
        assert field.rf == (rf, rf) and field.jump == (stride, stride), path


def test_receptive_field_through_dilation_transpose_and_upsampling(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [1, 64, 64]
        layers:
          - {name: a, type: Conv2d, out_channels: 4, kernel_size: 3, stride: 2}
          - {name: b, type: Conv2d, out_channels: 4, kernel_size: 3, dilation: 2}
          - {name: p, type: MaxPool2d, kernel_size: 2}
          - {name: up, type: Upsample, scale_factor: 2, mode: bilinear}
          - {name: t, type: ConvTranspose2d, out_channels: 4, kernel_size: 4, stride: 2}
          - {name: g, type: AdaptiveAvgPool2d, output_size: 1}
    """)
    fields = figures.of(result.model).fields
    # a: 3, jump 2; b: effective 5 -> 3 + 4*2 = 11; p: 11 + 1*2 = 13, jump 4; up: one neighbour, 13 + 4 = 17,
    # jump 2; t: floor(3/2) = 1 input apart, 17 + 2 = 19, jump 1; global pooling ends the path
    assert [(fields[n].rf[0], fields[n].jump[0]) for n in "a b p up t".split()] == [
        (3, 2), (11, 2), (13, 4), (17, 2), (19, 1)]
    assert fields["g"] is None


def test_activation_peak_frees_tensors_after_their_last_reader(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [4, 8, 8]
        batch_size: 2
        dtype: float16
        optimizer: sgd_momentum
        layers:
          - {name: a, type: Conv2d, out_channels: 8, kernel_size: 1}
          - {name: b, type: ReLU}
          - {name: c, type: Conv2d, out_channels: 8, kernel_size: 1}
          - {name: s, type: torch.add, inputs: [a, c]}
    """)
    memory = figures.of(result.model).memory
    unit = 64 * 2 * 2  # 8x8 positions, batch 2, float16: 256 bytes a channel
    # input 4 channels, a/b/c/s 8 each. Live: a runs (in + a) = 12; b (a + b, input freed) = 16;
    # c (a + b + c) = 24; s (a + c + s, b freed after c) = 24
    assert memory.live == {"a": 12 * unit, "b": 16 * unit, "c": 24 * unit, "s": 24 * unit}
    assert (memory.activation_memory, memory.peak_layer) == (24 * unit, "c")
    params = result.model.total_params
    assert params == (4 * 8 + 8) + (8 * 8 + 8)  # a: 40, c: 72
    assert memory.param_memory == params * 2
    # training: weights, gradients and one momentum value per weight, and every tensor kept (4 + 4 x 8 channels)
    assert memory.training_parts == {"weights": params * 2, "gradients": params * 2, "optimizer": params * 2,
                                     "activations": (4 + 4 * 8) * unit}
    assert memory.training_memory == 3 * params * 2 + 36 * unit


BUDGETS = """
archlint: 1
framework: pytorch
input: [3, 10, 10]
budget: {macs: 20k, flops: 40k, param_memory: 0.8KB, activation_memory: 4KB, training_memory: 7KB,
         max_layer_params: 200, max_layer_macs: 20k, min_receptive_field: 0.5}
layers:
  - {type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1}
"""


def test_every_budget_at_its_key(lint):
    # 21,600 MACs, 43,200 FLOPs, 224 params = 896 bytes, peak 300 + 800 values = 4,400 bytes,
    # training 896 x 4 (weights, gradients, two Adam moments) + 4,400 = 7,984 bytes, rf 3 of 10
    result = lint(BUDGETS)
    assert codes(result) == [("B003", 5, 16), ("B004", 5, 28), ("B005", 5, 47), ("B006", 5, 73),
                             ("B007", 5, 95), ("W027", 6, 75), ("B008", 8, 12), ("B009", 8, 12)]
    messages = {f.rule.code: f.message for f in result.findings}
    hints = {f.rule.code: f.hint for f in result.findings}
    assert "21,600 MACs, 8.0% over the budget of 20,000 MACs" in messages["B003"]
    assert "over by 1,600 MACs" in hints["B003"]
    assert "896 bytes, 12.0% over the budget of 800 bytes" in messages["B005"]
    assert "4,400 bytes (4.30 KiB), 10.0% over the budget of 4,000 bytes" in messages["B006"]
    assert "weights 896 bytes, gradients 896 bytes, optimizer 1,792 bytes (1.75 KiB), activations 4,400 bytes" in \
        hints["B007"]
    assert "3x3 at 0" in messages["W027"] and "3 of 10 (30.0%)" in hints["W027"]


def test_budgets_from_the_command_line_and_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(BUDGETS.split("budget:")[0] + BUDGETS.split("min_receptive_field: 0.5}\n")[1])
    run = CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json", "--max-macs", "20k",
                                    "--max-param-memory", "0.8KB", "--dtype", "float16", "spec.yaml"])
    found = [(f["code"], f["hint"]) for f in json.loads(run.stdout)["findings"]]
    assert [code for code, _ in found] == ["B003"]  # float16: 448 bytes, within 800
    assert "set by --max-macs" in found[0][1]
    (tmp_path / "archlint.toml").write_text('batch-size = 2\n[budgets]\n"**" = {activation_memory = "8KB"}\n')
    run = CliRunner().invoke(main, ["check", "--output-format", "json", "spec.yaml"])
    found = json.loads(run.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("B006", 1, 1)]  # 8,800 bytes at batch 2
    assert "batch size 2" in found[0]["hint"]


def test_config_rejects_bad_values(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(BUDGETS)
    for text, error in (('dtype = "float64"\n', "`dtype` must be one of"),
                        ('[budgets]\n"**" = {param_memory = "1XB"}\n', "is not a byte size")):
        (tmp_path / "archlint.toml").write_text(text)
        run = CliRunner().invoke(main, ["check", "spec.yaml"])
        assert run.exit_code == 2 and error in run.stderr


def test_w028_input_smaller_than_the_first_window(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 4, 4]
        layers:
          - {type: Conv2d, out_channels: 8, kernel_size: 7, padding: 3}
          - {type: Conv2d, out_channels: 8, kernel_size: 5, padding: 2}
    """)
    assert codes(result) == [("W028", 6, 50)]  # the second reads at rf 7 already: not "the first"


def test_summary_json_and_columns():
    path = str(EXAMPLES / "resnet/resnet18_torch.yaml")
    run = CliRunner().invoke(main, ["summary", "--isolated", "--format", "json", path])
    (model,) = json.loads(run.stdout)["models"]
    for key in ("macs", "flops", "param_memory", "activation_memory", "training_memory", "receptive_field"):
        assert key in model and all(key in layer for layer in model["layers"])
    assert (model["macs"], model["flops"], model["param_memory"]) == (1_814_073_344, 3_628_146_688, 46_758_048)
    assert (model["receptive_field"], model["effective_stride"]) == ([435, 435], [32, 32])
    fc = model["layers"][-1]
    assert (fc["macs"], fc["param_memory"], fc["activation_memory"]) == (512_000, 513_000 * 4, 4000)
    assert sum(layer["macs"] for layer in model["layers"]) == model["macs"]
    run = CliRunner().invoke(main, ["summary", "--isolated", "--columns", "params,macs,macs%", path])
    assert run.exit_code == 0
    assert "Total MACs: 1,814,073,344; FLOPs (2 x MACs): 3,628,146,688" in run.stdout
    assert " fc (Linear)" in run.stdout and "512,000" in run.stdout
    bad = CliRunner().invoke(main, ["summary", "--columns", "params,mac", path])
    assert bad.exit_code == 2 and "unknown column 'mac'" in bad.stderr


def test_keras_wrappers(lint):
    result = lint("""
        archlint: 1
        input: [10, 16]
        layers:
          - {name: bi, type: Bidirectional, layer: {type: LSTM, units: 8, return_sequences: true}}
          - {name: td, type: TimeDistributed, layer: {type: Dense, units: 4}}
    """)
    # both directions: 10 steps x 2 x 4 x 8 x (16 + 8); the Dense on each of 10 steps: 10 x 16 x 4
    assert macs(result) == {"bi": 10 * 2 * 4 * 8 * 24, "td": 10 * 16 * 4}


def test_transformer_encoder_example():
    model = lint_file(str(EXAMPLES / "transformer/transformer_encoder_torch.yaml")).model
    # per layer: projections 4 x 128 x 64 x 64, QK^T and AV 2 x 128 x 128 x 64, feed-forward 2 x 128 x 64 x 256
    per_layer = 4 * 128 * 64 * 64 + 2 * 128 * 128 * 64 + 2 * 128 * 64 * 256
    assert macs(type("R", (), {"model": model})) == {"0": 0, "1": 2 * per_layer,
                                                      "2": 0, "3": 64 * 5}
