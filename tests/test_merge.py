"""Merge layers and torch functional steps: shapes and findings.

Every shape and error condition below was checked against Keras 3.15.1 (torch backend, symbolic
keras.Input of the same shapes) and torch 2.13.0 (CPU, a batch of 2): the output shape, or the error
the framework raises (its words are quoted in the messages).
"""

from helpers import codes, layer_rows

KERAS_TWO = """
    archlint: 1
    inputs: {{a: {a}, b: {b}}}
    outputs: [m]
    layers:
      - {{name: m, type: {type}, inputs: [a, b]{extra}}}
"""


def keras_two(lint, type_, a, b, extra=""):
    return lint(KERAS_TWO.format(type=type_, a=a, b=b, extra=extra))


def test_keras_add_equal_and_broadcast_shapes(lint):
    # Keras 3.15.1: Add on (8, 8, 4) + (8, 8, 4) and (8, 8, 4) + (8, 8, 1) -> (None, 8, 8, 4)
    for b in ("[8, 8, 4]", "[8, 8, 1]"):
        result = keras_two(lint, "Add", "[8, 8, 4]", b)
        assert codes(result) == []
        assert layer_rows(result) == [("m", (None, 8, 8, 4), 0, 0)]


def test_keras_add_mismatch_names_both_shapes_and_their_layers(lint):
    # Keras 3.15.1: Inputs have incompatible shapes. Received shapes (8, 8, 4) and (4, 4, 4)
    result = keras_two(lint, "Add", "[8, 8, 4]", "[4, 4, 4]")
    assert codes(result) == [("E015", 6, 21)]
    assert result.findings[0].message == (
        "Add cannot combine a (None, 8, 8, 4) with b (None, 4, 4, 4): axis 1 differs")


def test_keras_subtract_takes_exactly_two(lint):
    # Keras 3.15.1: A `Subtract` layer should be called on exactly 2 inputs
    result = lint("""
        archlint: 1
        inputs: {a: [4], b: [4], c: [4]}
        layers:
          - {type: Subtract, inputs: [a, b, c]}
    """)
    assert codes(result) == [("E002", 5, 12)]
    assert result.findings[0].message == "Subtract takes 2 inputs, got 3"


def test_keras_concatenate(lint):
    # Keras 3.15.1: (8, 8, 4) ++ (8, 8, 6) -> (None, 8, 8, 10); axis=1: (8, 8, 4) ++ (2, 8, 4) -> (None, 10, 8, 4)
    result = keras_two(lint, "Concatenate", "[8, 8, 4]", "[8, 8, 6]")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 8, 8, 10), 0, 0)]
    result = keras_two(lint, "Concatenate", "[8, 8, 4]", "[2, 8, 4]", ", axis: 1")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 10, 8, 4), 0, 0)]


def test_keras_concatenate_mismatched_spatial_sizes(lint):
    # Keras 3.15.1: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis
    result = keras_two(lint, "Concatenate", "[8, 8, 4]", "[4, 4, 6]")
    assert codes(result) == [("E015", 6, 21)]
    assert "axis 1 differs" in result.findings[0].message


def test_keras_dot(lint):
    # Keras 3.15.1: Dot(axes=1) on (5,), (5,) -> (None, 1); axes=[2, 2] on (3, 5), (4, 5) -> (None, 3, 4);
    # Dot(axes=1) on (5,), (6,): Incompatible input shapes: axis values 5 (at axis 1) != 6 (at axis 1)
    result = keras_two(lint, "Dot", "[5]", "[5]", ", axes: 1")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 1), 0, 0)]
    result = keras_two(lint, "Dot", "[3, 5]", "[4, 5]", ", axes: [2, 2]")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 3, 4), 0, 0)]
    result = keras_two(lint, "Dot", "[5]", "[6]", ", axes: 1")
    assert codes(result) == [("E015", 6, 21)]
    assert "axis values 5 (at axis 1) != 6 (at axis 1)" in result.findings[0].message


TORCH = """
    archlint: 1
    framework: pytorch
    inputs: {{a: {a}, b: {b}}}
    outputs: [m]
    layers:
      - {{name: m, type: {type}, inputs: {inputs}{extra}}}
"""


def torch_layer(lint, type_, a, b="[1]", extra="", inputs="[a, b]"):
    return lint(TORCH.format(type=type_, a=a, b=b, extra=extra, inputs=inputs))


def test_torch_add_broadcasts(lint):
    # torch 2.13.0: torch.add((2, 4, 8, 8), (2, 4, 1, 1)) -> (2, 4, 8, 8)
    result = torch_layer(lint, "torch.add", "[4, 8, 8]", "[4, 1, 1]")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 4, 8, 8), 0, 0)]


def test_torch_add_mismatch(lint):
    # torch 2.13.0: The size of tensor a (4) must match the size of tensor b (8) at non-singleton dimension 1
    result = torch_layer(lint, "torch.mul", "[4, 8, 8]", "[8, 8, 8]")
    assert codes(result) == [("E015", 7, 21)]
    assert "The size of tensor a (4) must match the size of tensor b (8) at non-singleton dimension 1" in \
        result.findings[0].hint


def test_torch_cat(lint):
    # torch 2.13.0: cat([(2, 4, 8, 8), (2, 6, 8, 8)], dim=1) -> (2, 10, 8, 8); with (2, 6, 4, 4): Sizes of tensors
    # must match except in dimension 1. Expected size 8 but got size 4 for tensor number 1 in the list.
    result = torch_layer(lint, "torch.cat", "[4, 8, 8]", "[6, 8, 8]", ", dim: 1")
    assert codes(result) == [] and layer_rows(result) == [("m", (None, 10, 8, 8), 0, 0)]
    result = torch_layer(lint, "torch.cat", "[4, 8, 8]", "[6, 4, 4]", ", dim: 1")
    assert codes(result) == [("E015", 7, 21)]
    assert "Expected size 8 but got size 4 for tensor number 1 in the list" in result.findings[0].hint


def test_torch_cat_dim_out_of_range(lint):
    # torch 2.13.0: Dimension out of range (expected to be in range of [-2, 1], but got 2)
    result = torch_layer(lint, "torch.cat", "[4]", "[4]", ", dim: 2")
    assert codes(result) == [("E002", 7, 53)]
    assert "expected to be in range of [-2, 1], but got 2" in result.findings[0].hint


def test_torch_stack_flatten_reshape_permute_mean(lint):
    # torch 2.13.0, a batch of 2: stack([(2, 4), (2, 4)], dim=1) -> (2, 2, 4); flatten((2, 4, 8, 8), 1) ->
    # (2, 256); reshape(-1, 256) -> (2, 256); permute((2, 4, 8, 6), (0, 2, 3, 1)) -> (2, 8, 6, 4);
    # mean(dim=[2, 3]) -> (2, 4); keepdim -> (2, 4, 1, 1); mean() -> ()
    result = torch_layer(lint, "torch.stack", "[4]", "[4]", ", dim: 1")
    assert layer_rows(result) == [("m", (None, 2, 4), 0, 0)]
    for type_, extra, shape in (
        ("torch.flatten", ", start_dim: 1", (None, 256)),
        ("torch.reshape", ", shape: [-1, 256]", (None, 256)),
        ("torch.permute", ", dims: [0, 2, 3, 1]", (None, 8, 8, 4)),
        ("torch.mean", ", dim: [2, 3]", (None, 4)),
        ("torch.mean", ", dim: [2, 3], keepdim: true", (None, 4, 1, 1)),
        ("torch.mean", "", ()),
    ):
        result = torch_layer(lint, type_, "[4, 8, 8]", extra=extra, inputs="[a]")
        assert [f.rule.code for f in result.findings if f.rule.code != "W009"] == [], type_
        assert layer_rows(result) == [("m", shape, 0, 0)], type_


def test_torch_reshape_and_permute_errors(lint):
    # torch 2.13.0: shape '[-1, 7]' is invalid for input of size 512 (batch 2); permute with a repeated dim
    result = torch_layer(lint, "torch.reshape", "[4, 8, 8]", extra=", shape: [2, 7]", inputs="[a]")
    assert [c for c in codes(result) if c[0] == "E002"] == [("E002", 7, 56)]
    result = torch_layer(lint, "torch.permute", "[4, 8, 8]", extra=", dims: [0, 1, 1, 2]", inputs="[a]")
    assert [c for c in codes(result) if c[0] == "E002"] == [("E002", 7, 55)]
    assert "repeats a dimension" in result.findings[0].message or "repeats a dimension" in result.findings[1].message


def test_torch_reshape_with_minus_one_checks_the_element_count_as_torch_does(lint):
    # torch 2.13.0, a batch of 1: reshape((1, 20), [-1, 7]) -> shape '[-1, 7]' is invalid for input of size 20;
    # [3, -1] and [-1, 0] likewise; [-1, 5] -> (4, 5); [4, -1] -> (4, 5). A batch of B gives 20 * B elements,
    # a multiple of the given sizes for every B exactly when 20 is.
    for shape, said in (("[-1, 7]", "shape '[-1, 7]' is invalid for input of size 20"),
                        ("[3, -1]", "shape '[3, -1]' is invalid for input of size 20"),
                        ("[-1, 0]", "shape '[-1, 0]' is invalid for input of size 20")):
        result = torch_layer(lint, "torch.reshape", "[20]", extra=f", shape: {shape}", inputs="[a]")
        errors = [f for f in result.findings if f.rule.code == "E002"]
        assert [(f.line, f.column) for f in errors] == [(7, 56)], shape
        rest = 7 if "7" in shape else 3 if "3" in shape else 0
        assert errors[0].message == (f"torch.reshape shape={shape} is invalid for an input of (None, 20): 20 elements "
                                     f"per sample are not a multiple of {rest}")
        assert errors[0].hint.startswith(f"torch, a batch of 1: {said}; make the given sizes multiply to a divisor")
    for shape, out, found in (("[-1, 5]", (None, 5), []), ("[4, -1]", (4, None), ["W029"]),
                              ("[-1, 20]", (None, 20), [])):
        result = torch_layer(lint, "torch.reshape", "[20]", extra=f", shape: {shape}", inputs="[a]")
        assert [f.rule.code for f in result.findings if f.rule.code != "W009"] == found, shape
        assert layer_rows(result) == [("m", out, 0, 0)], shape


def test_torch_reshape_of_a_known_element_count(lint):
    # torch 2.13.0: mean() of a batch is a 0-d tensor of 1 element: reshape(-1) -> (1,); reshape([-1, 2]) ->
    # shape '[-1, 2]' is invalid for input of size 1
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [4]
        layers:
          - {type: torch.mean}
          - {type: torch.reshape, shape: [-1]}
          - {type: torch.reshape, shape: [-1, 2], inputs: [0]}  # the first layer, as nn.Sequential names it
    """)
    assert codes(result) == [("E002", 8, 34)]
    assert result.findings[0].message == ("torch.reshape shape=[-1, 2] is invalid for an input of (): 1 element is "
                                          "not a multiple of 2")
    assert result.findings[0].hint.startswith("torch: shape '[-1, 2]' is invalid for input of size 1; ")
    assert [row[:2] for row in layer_rows(result)[:2]] == [("0", ()), ("1", (1,))]


def test_torch_mean_keepdim_needs_dim(lint):
    # torch 2.13.0: torch.mean(x, keepdim=True) is a TypeError (no overload takes keepdim without dim);
    # dim=None with keepdim=True keeps every axis as 1 (found by the property cross-check)
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3]
        layers:
          - {type: torch.mean, keepdim: true}
          - {type: torch.mean, dim: null, keepdim: true, inputs: [input]}
    """)
    assert codes(result) == [("E002", 6, 33)]  # at keepdim
    assert layer_rows(result)[1][:2] == ("1", (1, 1))


def test_torch_reshape_folding_rows_into_the_batch_and_back(lint):
    # torch 2.13.0, a batch of 3: (3, 8, 4) -> [-1, 4] -> (24, 4); Linear -> (24, 16); [-1, 8, 16] -> (3, 8, 16);
    # [-1, 64] on (24, 16) -> (6, 64): two rows of 64 per sample, silent; [3, 16] on 128 per sample: refused
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8, 4]
        layers:
          - {name: fold, type: torch.reshape, shape: [-1, 4]}
          - {name: linear, type: Linear, in_features: 4, out_features: 16}
          - {name: unfold, type: torch.reshape, shape: [-1, 8, 16]}
          - {name: pairs, type: torch.reshape, shape: [-1, 64], inputs: [linear]}
          - {name: wrong, type: torch.reshape, shape: [3, 16], inputs: [linear]}
    """)
    assert [(f.rule.code, f.line, f.column) for f in result.findings if f.rule.code != "W009"] == [("E002", 10, 47)]
    assert result.findings[-1].message == ("torch.reshape shape=[3, 16] holds 48 elements, not a multiple of the 128 "
                                           "per sample: no batch size fits")
    assert result.findings[-1].hint.startswith("the input is (None, 16) (8 rows per sample); ")
    assert [(row[0], row[1]) for row in layer_rows(result)[:4]] == [
        ("fold", (None, 4)), ("linear", (None, 16)), ("unfold", (None, 8, 16)), ("pairs", (None, 64))]
    assert [result.model.tensors[name].rows for name in ("fold", "linear", "unfold", "pairs")] == [8, 8, 1, 2]


def test_torch_reshape_mixing_samples_is_w029(lint):
    # torch 2.13.0: [1, -1, 4] on (B, 8, 4) -> (1, 8B, 4), every sample in one row; [4, 48] on (6, 8, 4) -> (4, 48),
    # rows across samples; [2, 16] on (1, 8, 4) -> (2, 16), a sample in two rows: silent (the batch is fixed to 1)
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [8, 4]
        layers:
          - {name: a, type: torch.reshape, shape: [1, -1, 4]}
          - {name: b, type: torch.reshape, shape: [4, 48], inputs: [input]}
          - {name: c, type: torch.reshape, shape: [2, 16], inputs: [input]}
          - {name: d, type: torch.reshape, shape: [-1, 2], inputs: [a]}
    """)
    found = [(f.rule.code, f.line, f.column, f.message) for f in result.findings if f.rule.code != "W009"]
    assert found == [
        ("W029", 6, 43, "torch.reshape shape=[1, -1, 4] mixes samples: axis 0 is always 1, the batch goes into axis 1"),
        ("W029", 7, 43, "torch.reshape shape=[4, 48] mixes samples: samples of 32 elements share rows of 48"),
    ]
    assert [(row[0], row[1]) for row in layer_rows(result)] == [
        ("a", (1, None, 4)), ("b", (None, 48)), ("c", (None, 16)), ("d", (None, 2))]
    # after a mixing reshape the rows per sample are unknown: no second finding about the batch
    assert [result.model.tensors[n].rows for n in "abcd"] == [
        None, None, 2, None]


def test_batch_rows_through_flatten_cat_and_broadcasting(lint):
    # torch 2.13.0, a batch of 3: flatten() of (3, 8, 4) -> (96,); reshape [-1, 8, 4] -> (3, 8, 4): silent;
    # cat([(24, 4), (3, 4)], dim=1) -> "Sizes of tensors must match except in dimension 1"; add likewise
    result = lint("""
        archlint: 1
        framework: pytorch
        inputs: {x: [8, 4], y: [4]}
        layers:
          - {name: flat, type: torch.flatten, inputs: [x]}
          - {name: back, type: torch.reshape, shape: [-1, 8, 4]}
          - {name: fold, type: torch.reshape, shape: [-1, 4], inputs: [x]}
          - {name: joined, type: torch.cat, dim: 1, inputs: [fold, y]}
          - {name: summed, type: torch.add, inputs: [fold, y]}
    """)
    found = [(f.rule.code, f.line, f.message) for f in result.findings if f.rule.code != "W009"]
    assert [f[:2] for f in found] == [("E015", 9), ("E015", 10)]
    assert found[0][2].endswith("axis 0 holds 8 and 1 rows per sample")
    assert result.findings[0].hint.startswith("torch: sizes of tensors must match except in dimension 1; they differ "
                                              "for every batch size above 1")
    assert [result.model.tensors[n].rows for n in ("flat", "back", "fold")] == [32, 1, 8]
