"""Every independent mistake in one run, each once at its own line:column, and none of their consequences
(issue 15, item 1): after an error the walk goes on with the output sizes still determined."""

from __future__ import annotations

import textwrap

from archlint.lint import lint_file


def findings(tmp_path, text: str) -> list[tuple[str, int, int]]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return [(f.rule.code, f.line, f.column) for f in lint_file(str(path)).findings]


def test_a_wrong_declared_size_does_not_hide_a_later_one(tmp_path):
    # the Conv2d's output is (16, 30, 30) whatever in_channels says: the Linear's 500 is a second mistake
    assert findings(tmp_path, """
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {type: Conv2d, in_channels: 8, out_channels: 16, kernel_size: 3}
          - {type: ReLU}
          - {type: Flatten}
          - {type: Linear, in_features: 500, out_features: 10}
    """) == [("E007", 5, 33), ("E007", 8, 33)]


def test_three_invalid_arguments_in_one_spec(tmp_path):
    # strides 0: the output's channels (8) are known, its sizes are not; the Dense reads an unknown
    # flattened size, which is the first error's consequence (no E010)
    assert findings(tmp_path, """
        archlint: 1
        input: [28, 28, 1]
        layers:
          - {type: Conv2D, filters: 8, kernel_size: 3, strides: 0}
          - {type: Dropout, rate: -0.5}
          - {type: Conv2D, filters: 8, kernel_size: -3}
          - {type: Flatten}
          - {type: Dense, units: 10}
    """) == [("E002", 4, 57), ("E002", 5, 27), ("E002", 6, 45)]


def test_a_schema_error_does_not_stop_the_walk(tmp_path):
    # `padding: valdi` leaves the first output's sizes unknown but its 8 channels known: the 1x1 Conv2d
    # after it declares 4 (E007); the Linear's in_features cannot be judged (a consequence), its dropout can
    assert findings(tmp_path, """
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3, padding: valdi}
          - {type: Conv2d, in_channels: 4, out_channels: 8, kernel_size: 1}
          - {type: Flatten}
          - {type: Linear, in_features: 100, out_features: 10}
          - {type: Dropout, p: 1.5}
    """) == [("S002", 5, 78), ("E007", 6, 33), ("E002", 9, 24)]


def test_missing_and_misspelt_keyword_are_one_finding(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent("""\
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {type: Conv2d, in_channels: 3, out_channels: 16, kernal_size: 3}
          - {type: BatchNorm2d, num_features: 32}
          - {type: Flatten}
          - {type: Linear, in_features: 100, out_features: 10}
    """))
    result = lint_file(str(path))
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [("S004", 5, 54), ("E007", 6, 39)]
    first = result.findings[0]
    assert first.message == "`kernal_size` is not an argument of Conv2d, which requires `kernel_size`"
    assert first.hint == "did you mean `kernel_size`?"


def test_five_mistakes_in_a_keras_model(tmp_path):
    assert findings(tmp_path, """
        archlint: 1
        input: [32, 32, 3]
        layers:
          - {type: Conv2D, filters: 32, kernel_size: 3, padding: sane}
          - {type: MaxPooling2D, pool_size: 0}
          - {type: Conv2D, filters: 64, kernel_size: 3, groups: 5}
          - {type: Flatten}
          - {type: Dense, units: -4}
          - {type: Dropout, rate: 2}
          - {type: Dense, units: 10}
    """) == [("S002", 4, 58), ("E002", 5, 37), ("E003", 6, 57), ("S002", 8, 26), ("E002", 9, 27)]


def test_a_recovered_layer_is_not_a_result(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("archlint: 1\ninput: [4, 4, 1]\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 9}\n"
                    "  - {type: Flatten}\n  - {type: Dense, units: 3, expect: {output_shape: [null, 4]}}\n")
    result = lint_file(str(path))
    assert [f.rule.code for f in result.findings] == ["E001"]  # the expect: after it is not judged
    assert result.model.output_shape is None
    assert [layer.output for layer in result.model.layers] == [None, None, None]
