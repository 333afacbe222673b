"""Recurrent layers and Keras wrappers: shapes (every output), counts and findings.

Every value below was checked against Keras 3.15.1 (torch backend) and torch 2.13.0 (CPU): the layer
built on the input and called on a batch of 2, or the constructor / forward error it raises.
"""

import pytest
from helpers import codes, layer_rows


def keras(layers: str, shape: str = "[7, 3]") -> str:
    return f"archlint: 1\ninput: {shape}\nlayers:\n" + "".join(f"  - {line}\n" for line in layers.strip().splitlines())


def torch(layers: str, shape: str = "[7, 3]") -> str:
    return "archlint: 1\nframework: pytorch\n" + keras(layers, shape).split("\n", 1)[1]


def rows(result):
    return [row[1:] for row in layer_rows(result)]


# --- Keras SimpleRNN / LSTM / GRU --------------------------------------------------------------------

@pytest.mark.parametrize("layer,want", [
    # Keras 3.15.1 on (None, 7, 3): units * (3 + units) * gates + bias
    ("{type: SimpleRNN, units: 5}", ((None, 5), 45)),
    ("{type: LSTM, units: 5}", ((None, 5), 180)),
    ("{type: GRU, units: 5}", ((None, 5), 150)),  # reset_after=True: bias (2, 15)
    ("{type: GRU, units: 5, reset_after: false}", ((None, 5), 135)),
    ("{type: GRU, units: 5, use_bias: false}", ((None, 5), 120)),
    ("{type: LSTM, units: 5, use_bias: false, go_backwards: true, unroll: true}", ((None, 5), 160)),
    ("{type: LSTM, units: 5, return_sequences: true, dropout: 1.5}", ((None, 7, 5), 180)),  # Keras clips dropout
])
def test_keras_rnn_counts(lint, layer, want):
    result = lint(keras(layer))
    assert codes(result) == []
    assert rows(result) == [(want[0], want[1], 0)]


def test_keras_return_state_lists_every_output_and_passes_the_first_on(lint):
    # Keras 3.15.1: LSTM(5, return_sequences=True, return_state=True) -> [(None, 7, 5), (None, 5), (None, 5)];
    # GRU(4) on its 5 features: 3 * 4 * (5 + 4) + 2 * 12 = 132
    result = lint(keras("""
{type: LSTM, units: 5, return_sequences: true, return_state: true, expect: {output_shape: [7, 5]}}
{type: GRU, units: 4, return_state: true}
{type: Dense, units: 2}
"""))
    assert codes(result) == []
    assert rows(result) == [([(None, 7, 5), (None, 5), (None, 5)], 180, 0), ([(None, 4), (None, 4)], 132, 0),
                            ((None, 2), 10, 0)]


def test_keras_rnn_time_axis_may_be_unknown_features_may_not(lint):
    # Keras 3.15.1: (None, None, 3) builds; (None, 7, None) fails ("Shapes used to initialize variables
    # must be fully-defined")
    assert rows(lint(keras("{type: LSTM, units: 5, return_sequences: true}", "[null, 3]"))) == [
        ((None, None, 5), 180, 0)]
    assert codes(lint(keras("{type: LSTM, units: 5}", "[7, null]"))) == [("E010", 4, 12)]


def test_keras_rnn_refuses(lint):
    # Keras 3.15.1: units=0 -> "expected a positive integer, got 0"; rank 2 and 4 -> "expected ndim=3"
    assert codes(lint(keras("{type: SimpleRNN, units: 0}"))) == [("E002", 4, 30)]
    result = lint(keras("{type: LSTM, units: 5}", "[3]"))
    assert codes(result) == [("E008", 4, 12)]
    assert "expected ndim=3, found ndim=2" in result.findings[0].hint
    assert codes(lint(keras("{type: GRU, units: 5}", "[2, 7, 3]"))) == [("E008", 4, 12)]


# --- Keras Bidirectional -------------------------------------------------------------------------------

@pytest.mark.parametrize("merge,shape", [
    # Keras 3.15.1, Bidirectional(LSTM(5, return_sequences=True), merge_mode=...) on (None, 7, 3): 360 params
    ("concat", (None, 7, 10)), ("sum", (None, 7, 5)), ("mul", (None, 7, 5)), ("ave", (None, 7, 5)),
    ("null", [(None, 7, 5), (None, 7, 5)]),
])
def test_bidirectional_merge_modes(lint, merge, shape):
    result = lint(keras(f"{{type: Bidirectional, merge_mode: {merge}, layer: {{type: LSTM, units: 5, "
                        "return_sequences: true}}"))
    assert codes(result) == []
    assert rows(result) == [(shape, 360, 0)]


def test_bidirectional_return_state_gives_both_directions_states(lint):
    # Keras 3.15.1: [(None, 10), h_f, c_f, h_b, c_b], each (None, 5)
    result = lint(keras("{type: Bidirectional, layer: {type: LSTM, units: 5, return_state: true}}"))
    assert rows(result) == [([(None, 10)] + [(None, 5)] * 4, 360, 0)]


def test_bidirectional_backward_layer(lint):
    # Keras 3.15.1: a GRU backward: 180 + 150; an LSTM(6) backward: 180 + 240 and a (2, 11) tensor
    # (Keras's symbolic shape says (None, 10); archlint follows the tensor)
    result = lint(keras("""
{type: Bidirectional, layer: {type: LSTM, units: 5}, backward_layer: {type: GRU, units: 5, go_backwards: true}}
{type: Bidirectional, layer: {type: LSTM, units: 5}, backward_layer: {type: LSTM, units: 6, go_backwards: true}, inputs: [input]}
"""))
    assert codes(result) == []
    assert rows(result) == [((None, 10), 330, 0), ((None, 11), 420, 0)]


def test_bidirectional_refusals(lint):
    # Keras 3.15.1: "Forward layer and backward layer should have different `go_backwards` value";
    # "... expected to have the same value for attribute "return_sequences""; Bidirectional(Dense) fails
    # (go_backwards); merge_mode='sum' of 5 and 6 units fails in the forward pass
    result = lint(keras("""
{type: Bidirectional, layer: {type: LSTM, units: 5}, backward_layer: {type: LSTM, units: 5}}
{type: Bidirectional, layer: {type: LSTM, units: 5, return_sequences: true}, backward_layer: {type: LSTM, units: 5, go_backwards: true}, inputs: [input]}
{type: Bidirectional, layer: {type: Dense, units: 5}, inputs: [input]}
{type: Bidirectional, merge_mode: sum, layer: {type: GRU, units: 5}, backward_layer: {type: GRU, units: 6, go_backwards: true}, inputs: [input]}
{type: Bidirectional, layer: {type: SimpleRNN, units: 1, go_backwards: true}, inputs: [input]}
"""))
    # each at the nested mapping it is about: backward_layer.type, backward_layer.type, layer, backward_layer;
    # the last (found by the property cross-check): a wrapped layer that goes backwards is copied with
    # go_backwards=True, so both directions run backwards, which Keras refuses
    assert codes(result) == [("E002", 4, 81), ("E002", 5, 105), ("E002", 6, 34), ("E002", 7, 90), ("E002", 8, 34)]
    assert "both directions run backwards" in result.findings[-1].message


def test_nested_layer_findings_point_inside_it(lint):
    # the nested mapping is checked against its own definition: an unknown keyword, a bad value
    result = lint(keras("""
{type: Bidirectional, layer: {type: LSTM, unitz: 5}}
{type: TimeDistributed, layer: {type: Dense, units: 0}, inputs: [input]}
{type: TimeDistributed, layer: {type: Conv2d, filters: 3}, inputs: [input]}
"""))
    # `unitz` for the required `units` is one finding, at the misspelling (issue 15)
    assert [(f.rule.code, f.line, f.column) for f in result.findings] == [
        ("S002", 4, 47), ("S002", 5, 57), ("S003", 6, 43)]
    assert result.findings[0].hint == "did you mean `units`?"


# --- Keras TimeDistributed -----------------------------------------------------------------------------

def test_time_distributed(lint):
    # Keras 3.15.1: Dense(5) on (None, 7, 3) -> (None, 7, 5), 20; Conv2D(4, 3) on (None, 7, 8, 8, 3) ->
    # (None, 7, 6, 6, 4), 112; Dense on (None, None, 3) -> (None, None, 5)
    assert rows(lint(keras("{type: TimeDistributed, layer: {type: Dense, units: 5}}"))) == [((None, 7, 5), 20, 0)]
    assert rows(lint(keras("{type: TimeDistributed, layer: {type: Conv2D, filters: 4, kernel_size: 3}}",
                           "[7, 8, 8, 3]"))) == [((None, 7, 6, 6, 4), 112, 0)]
    assert rows(lint(keras("{type: TimeDistributed, layer: {type: Dense, units: 5, trainable: false}}",
                           "[null, 3]"))) == [((None, None, 5), 0, 20)]


def test_time_distributed_needs_a_time_axis(lint):
    # Keras 3.15.1: "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions"
    result = lint(keras("{type: TimeDistributed, layer: {type: Dense, units: 5}}", "[3]"))
    assert codes(result) == [("E008", 4, 12)]


def test_time_distributed_reports_the_inner_layers_errors_inside_it(lint):
    # Conv2D with kernel 9 on 8x8 steps: E001 at the nested kernel_size
    result = lint(keras("{type: TimeDistributed, layer: {type: Conv2D, filters: 4, kernel_size: 9}}",
                        "[7, 8, 8, 3]"))
    assert codes(result) == [("E001", 4, 76)]


# --- PyTorch RNN / LSTM / GRU ------------------------------------------------------------------------

@pytest.mark.parametrize("layer,shape,count", [
    # torch 2.13.0 on a (2, 7, 3) batch; shapes with the batch as None
    ("{type: LSTM, input_size: 3, hidden_size: 5, batch_first: true}",
     [(None, 7, 5), (1, None, 5), (1, None, 5)], 200),
    ("{type: GRU, hidden_size: 5, batch_first: true, num_layers: 2, bidirectional: true}",
     [(None, 7, 10), (4, None, 5)], 810),
    ("{type: LSTM, hidden_size: 5, batch_first: true, proj_size: 2, num_layers: 2, bidirectional: true}",
     [(None, 7, 4), (4, None, 2), (4, None, 5)], 640),
    ("{type: LSTM, hidden_size: 5, batch_first: true, bias: false}", [(None, 7, 5), (1, None, 5), (1, None, 5)], 160),
    ("{type: RNN, hidden_size: 5, batch_first: true, nonlinearity: relu, num_layers: 2, dropout: 0.5}",
     [(None, 7, 5), (2, None, 5)], 110),
])
def test_torch_rnn_counts_and_outputs(lint, layer, shape, count):
    result = lint(torch(layer))
    assert codes(result) == []
    assert rows(result) == [(shape, count, 0)]


def test_torch_batch_first_false_reads_the_batch_as_time(lint):
    # torch 2.13.0: RNN(3, 5) on (2, 7, 3) with batch_first=False: output (2, 7, 5), h_n (1, 7, 5)
    result = lint(torch("{type: RNN, hidden_size: 5}"))
    assert codes(result) == [("W007", 5, 12)]
    assert rows(result) == [([(None, 7, 5), (1, 7, 5)], 50, 0)]
    assert "set batch_first: true" in result.findings[0].hint
    assert codes(lint(torch("{type: RNN, hidden_size: 5, batch_first: false}"))) == [("W007", 5, 46)]


def test_torch_rank2_is_one_unbatched_sequence(lint):
    # torch 2.13.0: LSTM(3, 5) on (2, 3): output (2, 5), h_n and c_n (1, 5)
    result = lint(torch("{type: LSTM, hidden_size: 5, batch_first: true}", "[3]"))
    assert codes(result) == [("W007", 5, 12)]
    assert rows(result) == [([(None, 5), (1, 5), (1, 5)], 200, 0)]


def test_torch_rnn_refusals(lint):
    # torch 2.13.0: input.size(-1) must be equal to input_size. Expected 4, got 3; 4D input; dropout
    # outside [0, 1]; proj_size >= hidden_size; hidden_size and num_layers must be greater than zero
    result = lint(torch("""
{type: LSTM, input_size: 4, hidden_size: 5, batch_first: true}
{type: LSTM, hidden_size: 5, batch_first: true, dropout: 1.5, inputs: [input]}
{type: LSTM, hidden_size: 5, batch_first: true, proj_size: 5, inputs: [input]}
{type: GRU, hidden_size: 0, batch_first: true, inputs: [input]}
{type: RNN, hidden_size: 5, batch_first: true, num_layers: 0, inputs: [input]}
"""))
    assert codes(result) == [("E007", 5, 30), ("E002", 6, 62), ("E002", 7, 64), ("E002", 8, 30), ("E002", 9, 64)]
    assert "Expected 4, got 3" in result.findings[0].hint
    assert codes(lint(torch("{type: GRU, hidden_size: 5, batch_first: true}", "[2, 7, 3]"))) == [("E008", 5, 12)]


def test_torch_dropout_with_one_layer_is_a_warning(lint):
    # torch 2.13.0 warns: "dropout option adds dropout after all but last recurrent layer"
    result = lint(torch("{type: GRU, hidden_size: 5, batch_first: true, dropout: 0.5}"))
    assert codes(result) == [("W008", 5, 61)]


def test_torch_schema_refuses_what_the_constructor_refuses(lint):
    # torch 2.13.0: GRU(proj_size=2) -> "proj_size argument is only supported for LSTM"; nonlinearity='sigmoid'
    result = lint(torch("""
{type: GRU, hidden_size: 5, proj_size: 2}
{type: RNN, hidden_size: 5, nonlinearity: sigmoid, inputs: [input]}
"""))
    assert [f.rule.code for f in result.findings] == ["S004", "S002"]
