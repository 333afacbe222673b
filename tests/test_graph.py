"""Graphs: named inputs and outputs, branches and merges, shared layers and tied weights, and every
graph finding (E011-E015, E019, W009) with its position, message and hint.

Counts checked against the frameworks: Keras 3.15.1 counts a Dense(4) called on two 8-feature inputs
once (36 parameters, outputs [(None, 4), (None, 4)]); torch 2.13.0 counts a decoder that reuses its
encoder's Linear(8, 4) weight (transposed) as 36 + 8 = 44 parameters, and an output Linear(16, 100)
whose weight is an Embedding(100, 16)'s as 1,700 (the embedding's 1,600 and the bias).
"""

from helpers import DATA, codes, layer_rows

from archlint.lint import lint_file


def findings(path):
    result = lint_file(str(DATA / path))
    return [(f.rule.code, f.line, f.column, f.message, f.hint) for f in result.findings]


# --- valid graphs --------------------------------------------------------------------------------

def test_two_inputs_two_outputs_and_a_concatenation(lint):
    result = lint("""
        archlint: 1
        inputs: {image: [8, 8, 3], features: {shape: [5], dtype: float32}}
        outputs: [class, score]
        layers:
          - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, inputs: [image]}
          - {name: pool, type: GlobalAveragePooling2D}
          - {name: joined, type: Concatenate, inputs: [pool, features]}
          - {name: class, type: Dense, units: 3, activation: softmax}
          - {name: score, type: Dense, units: 1, inputs: [joined]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [
        ("conv", (None, 6, 6, 4), 112, 0), ("pool", (None, 4), 0, 0), ("joined", (None, 9), 0, 0),
        ("class", (None, 3), 30, 0), ("score", (None, 1), 10, 0)]
    assert result.model.output_shape == [(None, 3), (None, 1)]
    assert [layer.inputs for layer in result.model.layers][2] == ["pool", "features"]


def test_layers_may_read_later_layers_the_order_is_the_graphs(lint):
    result = lint("""
        archlint: 1
        input: [4]
        outputs: [out]
        layers:
          - {name: out, type: Dense, units: 2, inputs: [hidden]}
          - {name: hidden, type: Dense, units: 3, inputs: [input]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("out", (None, 2), 8, 0), ("hidden", (None, 3), 15, 0)]


def test_a_shared_layer_counts_its_weights_once(lint):
    # Keras 3.15.1: Dense(4) applied to two (None, 8) inputs: 36 parameters in all
    result = lint("""
        archlint: 1
        inputs: {a: [8], b: [8]}
        outputs: [tower, tower_b]
        layers:
          - {name: tower, type: Dense, units: 4, inputs: [a]}
          - {name: tower_b, apply: tower, inputs: [b]}
    """)
    assert codes(result) == []
    assert layer_rows(result) == [("tower", (None, 4), 36, 0), ("tower_b", (None, 4), 0, 0)]
    assert result.model.total_params == 36


def test_tied_weights_count_once(lint):
    # torch 2.13.0: enc = Linear(8, 4), decoder F.linear(h, enc.weight.t(), bias): 44 parameters
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        tie: {dec: enc}
        layers:
          - {name: enc, type: Linear, out_features: 4}
          - {name: dec, type: Linear, out_features: 8}
    """)
    assert codes(result) == []
    assert result.model.total_params == 44
    assert layer_rows(result) == [("enc", (None, 4), 36, 0), ("dec", (None, 8), 8, 0)]


def test_a_tie_of_different_sizes(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8]
        tie: {dec: enc}
        layers:
          - {name: enc, type: Linear, out_features: 4}
          - {name: dec, type: Linear, out_features: 5}
    """)
    assert codes(result) == [("E019", 5, 12)]
    assert result.findings[0].message == "dec cannot reuse the weight matrix of enc: dec's has 20 values, enc's 32"


# --- the broken variants in tests/data -----------------------------------------------------------

def test_residual_add_across_a_stride_2_block_without_projection():
    assert findings("graph-residual-without-projection.yaml") == [
        ("E015", 8, 23, "Add cannot combine conv_b (None, 16, 16, 64) with input (None, 33, 33, 64): axis 1 differs",
         "Keras: Inputs have incompatible shapes; make the shapes equal (a 1x1 convolution or pooling on one "
         "branch), or broadcast from a size of 1")]


def test_concatenation_of_mismatched_spatial_sizes():
    assert findings("graph-concat-mismatch.yaml") == [
        ("E015", 10, 24, "torch.cat cannot combine mid (None, 16, 32, 32) with enc (None, 16, 64, 64): dimension 2 "
         "differs", "torch: Sizes of tensors must match except in dimension 1. Expected size 32 but got size 64 for "
         "tensor number 1 in the list; crop, pad or resample one input so the other dimensions agree")]


def test_dangling_reference_with_did_you_mean():
    assert findings("graph-dangling-reference.yaml") == [
        ("E012", 5, 48, "out reads 'hiden', which is no layer or input of the model", "did you mean 'hidden'?")]


def test_cycle():
    assert findings("graph-cycle.yaml") == [
        ("E013", 4, 47, "the layers read each other in a cycle: a -> c -> b -> a", "each reads the next, so no "
         "order can compute them: break the cycle, one of these layers must read an earlier tensor")]


def test_model_output_that_is_not_a_layer():
    assert findings("graph-unknown-output.yaml") == [
        ("E014", 3, 19, "the model output 'probs' is no layer or input of the model",
         "outputs name layers (by their `name:`), block uses or model inputs")]


def test_unused_input_and_the_end_of_a_dead_branch():
    assert findings("graph-unused-branch.yaml") == [
        ("W009", 2, 29, "the model input 'extra' reaches no model output (head)", "connect it to a layer, or remove it"),
        ("W009", 6, 12, "side2 (Dense) reaches no model output (head)",
         "list it in `outputs:`, read it from a later layer, or remove it")]


def test_duplicate_names():
    assert findings("graph-duplicate-name.yaml") == [
        ("E011", 5, 12, "the name 'dense' is used twice: another layer has it already", "give every layer a unique name"),
        ("E011", 6, 12, "the name 'input' is used twice: a model input has it already", "give every layer a unique name")]


def test_shared_layer_applied_to_another_shape():
    assert findings("graph-shared-mismatch.yaml") == [
        ("E019", 8, 43, "tower_b applies tower to (None, 16), but tower was built for (None, 8)", "on this input it "
         "would need 68 weights, not its 36: a shared layer must be applied to inputs of the shape it was built for")]


def test_without_outputs_a_side_branch_is_not_reported(lint):
    # the last layer is the default output; a branch nothing reads may be a result too, so no W009
    result = lint("""
        archlint: 1
        input: [4]
        layers:
          - {name: side, type: Dense, units: 2}
          - {name: main, type: Dense, units: 3, inputs: [input]}
    """)
    assert codes(result) == []


def test_both_input_and_inputs(lint):
    result = lint("""
        archlint: 1
        input: [4]
        inputs: {a: [4]}
        layers:
          - {type: Dense, units: 2}
    """)
    assert codes(result) == [("S002", 4, 1)]
