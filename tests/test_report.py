"""Reporters: the finding lines, the JSON shapes and the Keras-style summary table, as exact text."""

from __future__ import annotations

import json

from helpers import EXAMPLES

from archlint import report, rules
from archlint.findings import Finding
from archlint.lint import lint_file

EXAMPLE3 = '''\
Model: "seed-example-3"
__________________________________________________________________
 Layer (type)                  Output Shape               Param #
==================================================================
 conv2d (Conv2D)               (None, 8, 8, 5)                140
==================================================================
Total params: 140 (560.00 B)
Trainable params: 140 (560.00 B)
Non-trainable params: 0 (0.00 B)
Output shape: (None, 8, 8, 5)'''


def test_summary_of_seed_example_3_in_keras_style():
    result = lint_file(str(EXAMPLES / "seed" / "example3.yaml"))
    assert report.format_summary("examples/seed/example3.yaml", result.model) == EXAMPLE3


def test_summary_with_thousands_separators_and_non_trainable_weights(lint):
    result = lint("""
        archlint: 1
        name: frozen
        input: [32, 32, 3]
        layers:
          - {type: Conv2D, filters: 64, kernel_size: 3, use_bias: false, trainable: false}
          - {type: BatchNormalization}
          - {type: Flatten}
          - {type: Dense, units: 10}
    """)
    assert result.findings == []
    assert report.format_summary("frozen.yaml", result.model) == '''\
Model: "frozen"
______________________________________________________________________________
 Layer (type)                              Output Shape               Param #
==============================================================================
 conv2d (Conv2D)                           (None, 30, 30, 64)           1,728
______________________________________________________________________________
 batch_normalization (BatchNormalization)  (None, 30, 30, 64)             256
______________________________________________________________________________
 flatten (Flatten)                         (None, 57600)                    0
______________________________________________________________________________
 dense (Dense)                             (None, 10)                 576,010
==============================================================================
Total params: 577,994 (2.20 MB)
Trainable params: 576,138 (2.20 MB)
Non-trainable params: 1,856 (7.25 KB)
Output shape: (None, 10)'''


def test_summary_of_a_branching_model_lists_inputs_and_connections(lint):
    result = lint("""
        archlint: 1
        name: branches
        input: [8, 8, 3]
        layers:
          - {type: Conv2D, name: a, filters: 4, kernel_size: 3, padding: same}
          - {type: Conv2D, name: b, inputs: [input], filters: 4, kernel_size: 3}
    """)
    assert report.format_summary("b.yaml", result.model) == '''\
Model: "branches"
______________________________________________________________________________________
 Layer (type)                  Output Shape               Param #  Connected to
======================================================================================
 input (InputLayer)            (None, 8, 8, 3)                  0  -
______________________________________________________________________________________
 a (Conv2D)                    (None, 8, 8, 4)                112  input
______________________________________________________________________________________
 b (Conv2D)                    (None, 6, 6, 4)                112  input
======================================================================================
Total params: 224 (896.00 B)
Trainable params: 224 (896.00 B)
Non-trainable params: 0 (0.00 B)
Output shape: (None, 6, 6, 4)'''


def test_summary_of_an_incomplete_model_says_the_total_is_a_lower_bound(lint):
    result = lint("""
        archlint: 1
        input: [4, 4, 1]
        layers:
          - {type: Conv2D, filters: 2, kernel_size: 3}
          - {type: Conv2D, filters: 2, kernel_size: 9}
    """)
    lines = report.format_summary("x.yaml", result.model).splitlines()
    assert lines[0] == 'Model: "x.yaml"'  # no name: the path
    assert lines[6] == " conv2d_1 (Conv2D)             ?                                ?"
    assert lines[8:] == [
        "Total params: 20 (80.00 B) (lower bound: some layers could not be computed)",
        "Trainable params: 20 (80.00 B)",
        "Non-trainable params: 0 (0.00 B)",
        "Output shape: ?",
    ]


def test_memory_sizes_as_keras_prints_them():
    assert [report._bytes(n) for n in (0, 255, 256, 262_144, 268_435_456)] == [
        "0.00 B", "1020.00 B", "1.00 KB", "1.00 MB", "1.00 GB"]


FINDINGS = [
    Finding(rules.UNKNOWN_KEYWORD, "`bias` is not an argument of Dense", "a.yaml", 4, 29, "did you mean `use_bias`?"),
    Finding(rules.UNREADABLE_FILE, "cannot read b.yaml: No such file or directory", "b.yaml", 0, 0),
]


def test_format_full():
    assert report.format_full(FINDINGS) == (
        "a.yaml:4:29: S004 [error] `bias` is not an argument of Dense\n"
        "  hint: did you mean `use_bias`?\n"
        "b.yaml:0:0: S006 [error] cannot read b.yaml: No such file or directory"
    )
    assert report.format_full([]) == ""


def test_format_json_exact_shape():
    assert json.loads(report.format_json(FINDINGS)) == {"findings": [
        {"path": "a.yaml", "line": 4, "column": 29, "code": "S004", "name": "unknown-keyword", "severity": "error",
         "message": "`bias` is not an argument of Dense", "hint": "did you mean `use_bias`?"},
        {"path": "b.yaml", "line": 0, "column": 0, "code": "S006", "name": "unreadable-file", "severity": "error",
         "message": "cannot read b.yaml: No such file or directory", "hint": ""},
    ]}
    assert json.loads(report.format_json([])) == {"findings": []}


def test_model_json_exact_shape(lint):
    result = lint("""
        archlint: 1
        name: m
        framework: pytorch
        input: [3, 8, 8]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 2, kernel_size: 3, trainable: false}
          - {type: Flatten}
          - {type: Linear, in_features: 72, out_features: 5}
    """)
    assert result.findings == []
    assert report.model_json("m.yaml", result.model) == {
        "path": "m.yaml", "name": "m", "framework": "pytorch",
        "total_params": 421, "trainable_params": 365, "non_trainable_params": 56,
        "output_shape": [None, 5],
        # issue 9, by hand (float32, batch 1, adam): MACs 6*6*27*2 = 1,944 and 72*5 = 360; tensors of
        # 192 (input), 72, 72 and 5 values; the peak while layer 0 runs, input and its output: 4*(192+72);
        # training: weights 4*421, gradients and two Adam moments 3*4*365, every tensor 4*341
        "dtype": "float32", "batch_size": 1, "optimizer": "adam", "macs": 2304, "flops": 4608,
        "param_memory": 1684, "activation_memory": 1056, "activation_peak_layer": "0",
        "training_memory": 7428,
        "training_memory_parts": {"weights": 1684, "gradients": 1460, "optimizer": 2920, "activations": 1364},
        "receptive_field": [3, 3], "effective_stride": [1, 1], "receptive_field_layer": "0",
        "layers": [
            {"name": "0", "type": "Conv2d", "inputs": ["input"], "output_shape": [None, 2, 6, 6],
             "params": 56, "trainable_params": 0, "macs": 1944, "flops": 3888, "param_memory": 224,
             "activation_memory": 288, "live_memory": 1056, "training_memory": 512,
             "receptive_field": [3, 3], "effective_stride": [1, 1]},
            {"name": "1", "type": "Flatten", "inputs": ["0"], "output_shape": [None, 72],
             "params": 0, "trainable_params": 0, "macs": 0, "flops": 0, "param_memory": 0,
             "activation_memory": 288, "live_memory": 576, "training_memory": 288,
             "receptive_field": None, "effective_stride": None},
            {"name": "2", "type": "Linear", "inputs": ["1"], "output_shape": [None, 5],
             "params": 365, "trainable_params": 365, "macs": 360, "flops": 720, "param_memory": 1460,
             "activation_memory": 20, "live_memory": 308, "training_memory": 1460 + 3 * 1460 + 20,
             "receptive_field": None, "effective_stride": None},
        ],
    }


def test_every_rule_code_is_unique_and_well_formed():
    import re

    assert all(re.fullmatch(r"[SEWB][0-9]{3}", code) for code in rules.RULES)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name) for rule in rules.RULES.values())
    assert rules.lookup("e900") is rules.INTERNAL_ERROR and rules.lookup("unknown-keyword") is rules.UNKNOWN_KEYWORD
    assert rules.lookup("nope") is None


# ---------------------------------------------------------------- Markdown summary and explain

from click.testing import CliRunner  # noqa: E402

from archlint.cli import main  # noqa: E402


def test_summary_markdown_of_seed_example_3(monkeypatch):
    from helpers import ROOT

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["summary", "--output-format", "markdown", "examples/seed/example3.yaml"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == '''\
### seed-example-3

`examples/seed/example3.yaml` (keras)

| Layer (type) | Output Shape | Param # |
|:--|:--|--:|
| conv2d (Conv2D) | (None, 8, 8, 5) | 140 |

**Total params:** 140 (560.00 B)  
**Trainable params:** 140 (560.00 B)  
**Non-trainable params:** 0 (0.00 B)  
**Output shape:** (None, 8, 8, 5)
'''


def test_summary_markdown_escapes_table_syntax(lint):
    result = lint("""
        archlint: 1
        name: "a|b <c>"
        input: [4]
        layers:
          - {name: "x|y", type: Dense, units: 2}
    """)
    text = report.format_markdown("m.yaml", result.model)
    assert text.startswith("### a\\|b &lt;c>\n")
    assert "| x\\|y (Dense) | (None, 2) | 10 |" in text


SEED3_EXPLAINED = '''\
Model "seed-example-3" (keras), inputs: input (None, 10, 10, 3)

conv2d (Conv2D): (None, 10, 10, 3) -> (None, 8, 8, 5)
  height axis: out = floor((10 + 2*0 - 1*(3-1) - 1) / 1) + 1 = 8
  width axis: out = floor((10 + 2*0 - 1*(3-1) - 1) / 1) + 1 = 8
  channels: out = filters = 5
  params = (3*3*3 + 1) * 5 = 140
  macs = 8*8 output positions * 3*3 kernel * 3 in * 5 out channels = 8,640

Total params: 140 (trainable 140, non-trainable 0)
'''


def test_explain_seed_example_3_as_the_seed_document_derives_it():
    result = CliRunner().invoke(main, ["explain", str(EXAMPLES / "seed" / "example3.yaml")])
    assert (result.exit_code, result.stdout) == (0, SEED3_EXPLAINED)


def test_explain_torch_pooling_dense_batchnorm_and_frozen_layers(lint):
    result = lint("""
        archlint: 1
        name: t
        framework: pytorch
        input: [3, 9, 9]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, stride: 2, padding: 1, bias: false}
          - {type: BatchNorm2d, trainable: false}
          - {type: MaxPool2d, kernel_size: 2, ceil_mode: true}
          - {type: Flatten}
          - {type: Linear, out_features: 2}
    """)
    from archlint import explain

    assert explain.explain(result.model) == '''\
Model "t" (pytorch), inputs: input (None, 3, 9, 9)

0 (Conv2d): (None, 3, 9, 9) -> (None, 4, 5, 5)
  height axis: out = floor((9 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 5
  width axis: out = floor((9 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 5
  channels: out = out_channels = 4
  params = 3*3*3 * 4 = 108
  macs = 5*5 output positions * 3*3 kernel * 3 in * 4 out channels = 2,700

1 (BatchNorm2d): (None, 4, 5, 5) -> (None, 4, 5, 5)
  shape: unchanged
  params = 2 * 4 (weight, bias; running_mean and running_var are buffers) = 8
  non-trainable: all of them, the layer is frozen (trainable: false)

2 (MaxPool2d): (None, 4, 5, 5) -> (None, 4, 3, 3)
  height axis: out = ceil((5 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 3
  width axis: out = ceil((5 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 3
  params = 0

3 (Flatten): (None, 4, 3, 3) -> (None, 36)
  features: out = 4*3*3 = 36 (axes 1 to 3 flattened)
  params = 0

4 (Linear): (None, 36) -> (None, 2)
  features: out = out_features = 2
  params = (36 + 1) * 2 = 74
  macs = 36 * 2 (in * out features) = 72

Total params: 190 (trainable 182, non-trainable 8)'''


def test_explain_one_layer_and_unknown_layer(tmp_path):
    path = EXAMPLES / "seed" / "example3.yaml"
    result = CliRunner().invoke(main, ["explain", str(path), "--layer", "conv2d"])
    assert result.stdout == SEED3_EXPLAINED.split("\n\nTotal")[0] + "\n"
    bad = CliRunner().invoke(main, ["explain", str(path), "--layer", "conv2"])
    assert (bad.exit_code, bad.stderr.splitlines()[0]) == (
        2, f"archlint: error: no layer named 'conv2' in {path} (did you mean 'conv2d'?)")
    broken = tmp_path / "b.yaml"
    broken.write_text("archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2, bias: 1}\n")
    failed = CliRunner().invoke(main, ["explain", str(broken)])
    assert failed.exit_code == 1 and "S004 [error]" in failed.stderr


def test_every_derivation_of_the_examples_agrees_with_the_layer_rules():
    """explain prints a formula only when its value is the rule's: no example may fall back."""
    from archlint import explain
    from archlint.layers.registry import lookup

    paths = sorted(EXAMPLES.rglob("*.yaml"))
    assert paths
    for path in paths:
        result = lint_file(str(path))
        if result.model is None:
            continue
        for layer in result.model.layers:
            if lookup(result.model.spec.framework, layer.spec.type).infer.__module__.startswith("archlint.sources."):
                continue  # an importer's own layer types (an Ultralytics row's Conv is no nn.Conv2d)
            for line in explain.explain_layer(result.model, layer)[1:]:
                text = line.strip()
                if " axis: out = " in text:
                    assert text.count("=") == 2, (path, layer.name, text)
                if text.startswith("params = ") and layer.spec.type.lower().startswith(
                        ("conv", "dense", "linear", "batchnorm")):
                    assert text.count("=") == 2, (path, layer.name, text)


def test_explain_derives_transposed_convolutions(tmp_path):
    """Every transposed-convolution case of both frameworks gets its formula (the value equals the rule's,
    else explain would print the bare number): Keras 'same'/'valid' with and without output_padding,
    dilation, PyTorch padding, output_padding, dilation and groups."""
    from archlint import explain

    cases = {
        "keras": ("input: [7, 5, 4]", [
            "{type: Conv2DTranspose, filters: 3, kernel_size: 3, strides: 2, padding: same}",
            "{type: Conv2DTranspose, filters: 3, kernel_size: [2, 3], strides: [3, 1]}",
            "{type: Conv2DTranspose, filters: 2, kernel_size: 4, strides: 2, padding: same, output_padding: 1}",
            "{type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, output_padding: 1, use_bias: false}",
            "{type: Conv2DTranspose, filters: 2, kernel_size: 3, dilation_rate: 2}"]),
        "pytorch": ("input: [4, 7, 5]", [
            "{type: ConvTranspose2d, out_channels: 6, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}",
            "{type: ConvTranspose2d, out_channels: 4, kernel_size: [2, 3], stride: [2, 1], groups: 2, bias: false}",
            "{type: ConvTranspose2d, out_channels: 2, kernel_size: 3, dilation: 2, padding: [0, 2]}"]),
    }
    lines = []
    for framework, (inputs, layers) in cases.items():
        for i, entry in enumerate(layers):
            path = tmp_path / f"{framework}{i}.yaml"
            path.write_text(f"archlint: 1\nframework: {framework}\n{inputs}\nlayers:\n  - {entry}\n")
            model = lint_file(str(path)).model
            assert model.complete, entry
            lines += [(entry, line.strip()) for line in explain.explain_layer(model, model.layers[0])[1:]
                      if " axis: out = " in line or "params = " in line]
    assert len(lines) == 8 * 3
    assert [(entry, text) for entry, text in lines if text.count("=") != 2] == []
    # one of each by value: Keras 'valid' extends to max(k_eff, stride), PyTorch crops 2*padding
    assert ("{type: Conv2DTranspose, filters: 3, kernel_size: [2, 3], strides: [3, 1]}",
            "height axis: out = (7 - 1)*3 + max(1*(2-1) + 1, 3) = 21") in lines
    assert lines[15][1] == "height axis: out = (7 - 1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 14"


def test_summary_tables_never_print_control_characters(lint):
    # a hostile layer name (an ESC sequence would retitle or clear the terminal) is shown as U+FFFD
    from archlint.report import format_markdown, format_summary

    result = lint('''
        archlint: 1
        name: "evil\\e]0;pwned\\a"
        input: [4]
        layers:
          - {type: Dense, units: 2, name: "d\\e[2J\\nx"}
    ''')
    for text in (format_summary("spec.yaml", result.model), format_markdown("spec.yaml", result.model)):
        assert "\x1b" not in text and "\x07" not in text
        assert "d\ufffd[2J x (Dense)" in text


def test_explain_recurrent_and_transformer_give_formulas_not_unchanged():
    """Issue 15: a bidirectional LSTM of 2 x 64 on 128 features is not "unchanged"; its weights and MACs
    formulas are shown, with the values filled in (checked against the totals)."""
    from pathlib import Path

    from archlint.explain import explain
    from archlint.lint import lint_file

    data = Path(__file__).resolve().parent / "data" / "textbook"
    text = explain(lint_file(str(data / "lstm_torch.yaml")).model)
    assert "shape: unchanged" not in text
    assert "features: out = 2 * hidden_size = 128 (both directions concatenated)" in text
    assert "weights per direction of layer 0 = 4*64*(128 + 64) + 2*4*64" in text
    assert "macs = 4 (layers x directions) * 200 steps * 4 gates * 64 * (128 + 64) = 39,321,600" in text
    assert 4 * 200 * 4 * 64 * (128 + 64) == 39_321_600
    assert "macs = 200 positions * 128 * 1 (in * out features) = 25,600" in text
    text = explain(lint_file(str(data / "cifar_cnn_keras.yaml")).model)
    assert "macs = 30*30 output positions * 3*3 kernel * 3 in * 32 out channels = 777,600" in text
