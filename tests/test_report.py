"""Reporters: the finding lines, the JSON shapes and the Keras-style summary table, as exact text."""

from __future__ import annotations

import json

from conftest import EXAMPLES

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
        "layers": [
            {"name": "conv2d", "type": "Conv2d", "inputs": ["input"], "output_shape": [None, 2, 6, 6],
             "params": 56, "trainable_params": 0},
            {"name": "flatten", "type": "Flatten", "inputs": ["conv2d"], "output_shape": [None, 72],
             "params": 0, "trainable_params": 0},
            {"name": "linear", "type": "Linear", "inputs": ["flatten"], "output_shape": [None, 5],
             "params": 365, "trainable_params": 365},
        ],
    }


def test_every_rule_code_is_unique_and_well_formed():
    import re

    assert all(re.fullmatch(r"[SEWB][0-9]{3}", code) for code in rules.RULES)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name) for rule in rules.RULES.values())
    assert rules.lookup("e900") is rules.INTERNAL_ERROR and rules.lookup("unknown-keyword") is rules.UNKNOWN_KEYWORD
    assert rules.lookup("nope") is None
