"""Issue 15: default layer names. PyTorch specs name an unnamed layer as `nn.Sequential` names its child
(its index, dotted through blocks; tests/crosscheck/test_crosscheck_names.py compares them with torch's
`named_modules()`); Keras specs keep Keras's automatic names."""

from __future__ import annotations

import json

from click.testing import CliRunner
from helpers import codes

from archlint.cli import main

SEQUENCE = """
    archlint: 1
    framework: {framework}
    input: {shape}
    layers:
      - {{type: {conv}, {width}: 4, kernel_size: 3}}
      - {{type: ReLU}}
      - {{type: {conv}, {width}: 4, kernel_size: 3}}
      - {{type: ReLU}}
"""


def names(result) -> list[str]:
    return [layer.name for layer in result.model.layers]


def test_a_torch_sequence_is_named_by_index(lint):
    result = lint(SEQUENCE.format(framework="pytorch", shape="[3, 8, 8]", conv="Conv2d", width="out_channels"))
    assert codes(result) == []
    assert names(result) == ["0", "1", "2", "3"]
    assert [layer.spec.named for layer in result.model.layers] == [False] * 4
    assert [layer.inputs for layer in result.model.layers] == [["input"], ["0"], ["1"], ["2"]]


def test_keras_names_are_unchanged(lint):
    result = lint(SEQUENCE.format(framework="keras", shape="[8, 8, 3]", conv="Conv2D", width="filters"))
    assert codes(result) == []
    assert names(result) == ["conv2d", "re_lu", "conv2d_1", "re_lu_1"]


BLOCKS = """
    archlint: 1
    framework: {framework}
    input: [3, 8, 8]
    blocks:
      res:
        layers:
          - {{type: Conv2d, out_channels: 3, kernel_size: 3, padding: 1}}
          - {{name: act, type: ReLU}}
          - {{type: torch.add, inputs: [input, act]}}
    layers:
      - {{type: Conv2d, out_channels: 3, kernel_size: 1}}
      - {{block: res, repeat: 2}}
      - {{block: res, repeat: 2, name: stage}}
      - {{block: res}}
      - {{type: Flatten}}
"""


def test_torch_blocks_and_repeats_are_dotted_indices(lint):
    result = lint(BLOCKS.format(framework="pytorch"))
    assert codes(result) == []
    assert names(result) == [
        "0",
        "1.0.0", "1.0.act", "1.0.2", "1.1.0", "1.1.act", "1.1.2",  # an unnamed use: its index, copies from 0
        "stage.0.0", "stage.0.act", "stage.0.2", "stage.1.0", "stage.1.act", "stage.1.2",
        "3.0", "3.act", "3.2",  # without repeat: one nested Sequential
        "4",
    ]
    by_name = {layer.name: layer for layer in result.model.layers}
    assert by_name["1.1.0"].inputs == ["1.0.2"] and by_name["stage.0.0"].inputs == ["1.1.2"]
    assert by_name["1.0.2"].inputs == ["0", "1.0.act"]
    # a name holding an index the spec did not write is not matched by name in a diff
    assert [by_name[n].spec.named for n in ("1.0.act", "stage.0.act", "stage.0.0", "3.act")] == [
        False, True, False, False]


def test_keras_repeats_still_count_from_one(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        blocks:
          res:
            layers:
              - {type: Conv2D, filters: 3, kernel_size: 3, padding: same}
              - {name: act, type: ReLU}
              - {type: Add, inputs: [input, act]}
        layers:
          - {type: Conv2D, filters: 3, kernel_size: 1}
          - {block: res, repeat: 2}
          - {block: res, name: stage}
    """)
    assert codes(result) == []
    assert names(result) == ["conv2d", "res.1.conv2d", "res.1.act", "res.1.add", "res.2.conv2d", "res.2.act",
                             "res.2.add", "stage.conv2d", "stage.act", "stage.add"]


def test_named_and_unnamed_layers_mix_by_position(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        layers:
          - {name: stem, type: Linear, out_features: 8}
          - {type: ReLU}
          - {name: head, type: Linear, out_features: 2}
          - {type: Softmax, dim: 1}
    """)
    assert codes(result) == []
    assert names(result) == ["stem", "1", "head", "3"]


def test_when_false_takes_no_index_and_an_error_keeps_its_index(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        vars: {deep: false}
        layers:
          - {type: Linear, out_features: 8}
          - {type: Linear, out_features: 8, when: "${deep}"}
          - {type: Linear, out_features: "${missing}"}
          - {type: ReLU, inputs: [0]}
    """)
    assert [f.rule.code for f in result.findings] == ["E017"]  # ${missing}: the entry is not built
    assert names(result) == ["0", "1", "2"]
    assert result.model.layers[2].inputs == ["0"]


def test_integer_names_and_references_are_read_as_text(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        outputs: [3, 1]
        layers:
          - {type: Linear, out_features: 8}
          - {type: ReLU}
          - {name: 7, type: Linear, out_features: 8, inputs: [0]}
          - {type: torch.add, inputs: [1, 7]}
    """)
    assert codes(result) == []
    assert names(result) == ["0", "1", "7", "3"]
    assert result.model.layers[3].inputs == ["1", "7"] and result.model.outputs == ["3", "1"]
    assert result.model.layers[2].spec.named


def test_keras_integer_references_stay_schema_errors(lint):
    result = lint("""
        archlint: 1
        input: [8]
        layers:
          - {type: Dense, units: 8}
          - {type: ReLU, inputs: [0]}
    """)
    assert codes(result) == [("S002", 6, 27)]  # at the 0: names are strings


def test_a_written_name_that_is_another_layers_index_is_e011_at_the_name(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        layers:
          - {name: "2", type: Linear, out_features: 8}
          - {type: ReLU}
          - {type: Linear, out_features: 2}
    """)
    assert codes(result) == [("E011", 6, 12)]  # at "2", not at the third layer
    assert result.findings[0].message == "the name '2' is used twice: another layer has it already"
    later = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        layers:
          - {type: Linear, out_features: 8}
          - {type: ReLU, name: "0"}
    """)
    assert codes(later) == [("E011", 7, 24)]


def test_a_finding_names_the_fourth_layer_3(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        layers:
          - {type: Linear, out_features: 8}
          - {type: ReLU}
          - {type: Linear, out_features: 8}
          - {type: torch.add, inputs: [2, nope]}
    """)
    assert codes(result) == [("E012", 9, 31)]
    assert result.findings[0].message.startswith("3 (torch.add) reads 'nope'")


def test_explain_and_json_outputs_use_the_index(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("archlint: 1\nframework: pytorch\ninput: [8]\nlayers:\n"
                    "  - {type: Linear, out_features: 4}\n  - {type: ReLU}\n  - {type: Linear, out_features: 2}\n")
    runner = CliRunner()
    explained = runner.invoke(main, ["explain", "--isolated", "--layer", "2", str(path)])
    assert explained.exit_code == 0 and explained.output.splitlines()[2] == "2 (Linear): (None, 4) -> (None, 2)"
    summary = json.loads(runner.invoke(main, ["summary", "--isolated", "--format", "json", str(path)]).output)
    model = summary["models"][0]
    assert model["activation_peak_layer"] == "0"
    assert [(layer["name"], layer["inputs"]) for layer in model["layers"]] == [
        ("0", ["input"]), ("1", ["0"]), ("2", ["1"])]
