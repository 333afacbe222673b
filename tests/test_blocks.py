"""Blocks: parameters, expressions, `repeat:`, `when:`, hierarchical names, and every block finding
(E016-E018, W010) at the use site or in the block's definition, naming the use site."""

from helpers import DATA, codes, layer_rows

from archlint import blocks
from archlint.lint import lint_file


def findings(path):
    result = lint_file(str(DATA / path))
    return [(f.rule.code, f.line, f.column, f.message) for f in result.findings]


BOTTLENECK = """
    archlint: 1
    input: [8, 8, 16]
    vars: {width: 4}
    blocks:
      bottleneck:
        params: {filters: null, stride: 1, project: false}
        layers:
          - {name: c1, type: Conv2D, filters: "${filters}", kernel_size: 1, strides: "${stride}", use_bias: false}
          - {name: bn, type: BatchNormalization}
          - {name: c2, type: Conv2D, filters: "${filters * 4}", kernel_size: 3, padding: same}
          - {name: shortcut, type: Conv2D, filters: "${filters * 4}", kernel_size: 1, strides: "${stride}",
             inputs: [input], when: "${project}"}
          - {name: add, type: Add, inputs: [c2, "${'shortcut' if project else 'input'}"]}
    layers:
      - {block: bottleneck, with: {filters: "${width}", project: true}, name: stage1}
      - {block: bottleneck, with: {filters: "${width}"}, repeat: 2, name: stage2}
      - {type: GlobalAveragePooling2D}
"""


def test_expansion_names_wiring_and_counts(lint):
    result = lint(BOTTLENECK)
    assert codes(result) == []
    rows = layer_rows(result)
    # Keras 3.15.1 counts: Conv2D 1x1 16->4 without bias 64; BN(4) 8 + 8; Conv2D 3x3 4->16 592; 1x1 16->16 272;
    # in the repeats the shortcut is dropped (project false) and Add reads the block's input
    assert [r[0] for r in rows] == [
        "stage1.c1", "stage1.bn", "stage1.c2", "stage1.shortcut", "stage1.add",
        "stage2.1.c1", "stage2.1.bn", "stage2.1.c2", "stage2.1.add",
        "stage2.2.c1", "stage2.2.bn", "stage2.2.c2", "stage2.2.add", "global_average_pooling2d"]
    assert rows[:5] == [("stage1.c1", (None, 8, 8, 4), 64, 0), ("stage1.bn", (None, 8, 8, 4), 8, 8),
                        ("stage1.c2", (None, 8, 8, 16), 592, 0), ("stage1.shortcut", (None, 8, 8, 16), 272, 0),
                        ("stage1.add", (None, 8, 8, 16), 0, 0)]
    inputs = {layer.name: layer.inputs for layer in result.model.layers}
    assert inputs["stage1.c1"] == ["input"]
    assert inputs["stage1.shortcut"] == ["input"]
    assert inputs["stage2.1.c1"] == ["stage1.add"]
    assert inputs["stage2.1.add"] == ["stage2.1.c2", "stage1.add"]
    assert inputs["stage2.2.add"] == ["stage2.2.c2", "stage2.1.add"]
    assert result.model.output_shape == (None, 16)


def test_a_use_name_is_the_blocks_output(lint):
    result = lint("""
        archlint: 1
        input: [4]
        outputs: [head]
        blocks:
          mlp: {params: {units: 8}, layers: [{type: Dense, units: "${units}"}, {type: Dense, units: "${units}"}]}
        layers:
          - {block: mlp, name: body}
          - {name: side, type: Dense, units: 2, inputs: [input]}
          - {name: head, type: Concatenate, inputs: [body, side]}
    """)
    assert codes(result) == []
    assert result.model.layers[-1].inputs == ["body.dense_1", "side"]
    assert layer_rows(result)[-1] == ("head", (None, 10), 0, 0)


def test_multi_input_block_with_a_separator(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        inputs: {x: [4, 8, 8], skip: [2, 8, 8]}
        blocks:
          up:
            inputs: [low, skip]
            layers:
              - {name: cat, type: torch.cat, dim: 1, inputs: [low, skip]}
              - {name: conv, type: Conv2d, out_channels: 3, kernel_size: 1}
        layers:
          - {block: up, name: dec1, separator: _, inputs: [x, skip]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("dec1_cat", (None, 6, 8, 8), 0, 0), ("dec1_conv", (None, 3, 8, 8), 21, 0)]


def test_missing_and_unknown_parameters_at_the_use_site():
    assert findings("block-missing-parameter.yaml") == [
        ("E016", 9, 13, "block 'unit' needs parameter 'filters'"),
        ("E016", 10, 48, "block 'unit' has no parameter 'kernal'")]


def test_expression_error_at_the_value_naming_the_use_site():
    assert findings("block-bad-expression.yaml") == [
        ("E017", 8, 33, "cannot evaluate '${filters * widht}': unknown name 'widht' (known: filters, width) "
         "(in u1)")]


def test_layer_finding_inside_a_block_points_at_the_definition_and_names_the_use():
    assert findings("block-layer-error.yaml") == [
        ("E005", 7, 102, "Conv2D has strides=[2, 2] with dilation_rate=[2, 2], which Keras refuses (in stage1)")]


def test_a_block_that_uses_itself():
    assert findings("block-recursive.yaml") == [
        ("E018", 10, 17, "block 'a' uses itself (a -> b -> a) (in top.b)")]


def test_huge_repeat_stops_at_the_limit():
    assert findings("block-huge-repeat.yaml") == [
        ("E018", 9, 9, f"the blocks expand to more than {blocks.MAX_LAYERS:,} layers (in ten.50)")]


def test_unused_block():
    assert findings("block-unused.yaml") == [("W010", 4, 3, "block 'unit' is defined but never used")]


def test_repeat_must_be_a_positive_integer(lint):
    result = lint("""
        archlint: 1
        input: [4]
        vars: {n: 0}
        blocks: {one: {layers: [{type: Dense, units: 2}]}}
        layers:
          - {block: one, repeat: "${n}"}
    """)
    assert codes(result) == [("E017", 7, 26)]
    assert result.findings[0].message == "`repeat` must be a positive integer, got 0"
