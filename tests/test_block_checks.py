"""The cross-layer checks (W001/W002 read coverage, W005 bias before normalization) on layers expanded
from a block: the finding points at the line of the block's definition and names the use site, as
the findings of a single layer do (walk.sink_for_layer)."""

from helpers import codes


def messages(result):
    return [(f.rule.code, f.line, f.column, f.message) for f in result.findings]


def test_truncation_inside_a_block_names_the_use_site(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        blocks:
          down:
            layers:
              - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, strides: 2}
        layers:
          - {block: down, name: stage1}
    """)
    assert messages(result) == [
        ("W001", 7, 73, "stage1.conv (Conv2D) never reads the last row and the last column of its input")]  # the derivation is in the hint (issue 15)


def test_skipping_inside_a_repeated_block_names_each_copy(lint):
    # Conv1D kernel 1, stride 2 on 8 steps: steps 1, 3, 5, 7 are never read, in each copy of the repeat
    result = lint("""
        archlint: 1
        input: [16, 2]
        blocks:
          skip:
            layers:
              - {type: Conv1D, filters: 2, kernel_size: 1, strides: 2}
        layers:
          - {block: skip, name: s, repeat: 2}
    """)
    assert [(code, line) for code, line, _ in codes(result)] == [("W002", 7), ("W002", 7)]
    assert [f.hint.rsplit(" (in ", 1)[1] for f in result.findings] == [
        "s.1, block skip used at line 9)", "s.2, block skip used at line 9)"]


def test_bias_before_batchnorm_inside_a_block_names_the_use_site(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 8, 8]
        blocks:
          conv_bn:
            params: {channels: null}
            layers:
              - {name: conv, type: Conv2d, out_channels: "${channels}", kernel_size: 3, padding: 1}
              - {name: bn, type: BatchNorm2d}
        layers:
          - {block: conv_bn, name: enc1, with: {channels: 8}}
    """)
    assert messages(result) == [
        ("W005", 9, 28, "enc1.conv adds a bias that enc1.bn subtracts again: 8 wasted parameters")]


def test_outside_a_block_no_use_site_is_named(lint):
    result = lint("""
        archlint: 1
        input: [8, 8, 3]
        layers:
          - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, strides: 2}
          - {type: BatchNormalization}
    """)
    assert [f.rule.code for f in result.findings] == ["W005", "W001"]  # both on the conv line: the type comes before the strides
    assert not any("block" in f.message for f in result.findings)
