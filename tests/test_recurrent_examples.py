"""The LSTM text classifier in both dialects (examples/lstm/), every layer's shape and count exact.

The numbers come from the frameworks: Keras 3.15.1 (torch backend) keras.Sequential of the same
layers on an int32 input of 200 ids, and torch 2.13.0 modules on a (2, 200) LongTensor, parameters
counted with `sum(p.numel() for p in module.parameters())`. The LSTMs differ by 512 = 4 * 128: torch
keeps two bias vectors (bias_ih_l0, bias_hh_l0), Keras one.
"""

from helpers import EXAMPLES, codes, layer_rows

from archlint.lint import lint_file


def test_lstm_keras_example():
    result = lint_file(str(EXAMPLES / "lstm" / "lstm_keras.yaml"))
    assert codes(result) == []
    assert layer_rows(result) == [
        ("embedding", (None, 200, 64), 640_000, 0),
        ("lstm", (None, 200, 128), 98_816, 0),  # 4 * 128 * (64 + 128 + 1)
        ("global_average_pooling1d", (None, 128), 0, 0),
        ("dense", (None, 5), 645, 0),
    ]
    assert result.model.total_params == 739_461


def test_lstm_torch_example():
    result = lint_file(str(EXAMPLES / "lstm" / "lstm_torch.yaml"))
    assert codes(result) == []
    assert layer_rows(result) == [
        ("0", (None, 200, 64), 640_000, 0),
        # (output, (h_n, c_n)): torch gives (2, 200, 128), (1, 2, 128), (1, 2, 128) for a batch of 2
        ("1", [(None, 200, 128), (1, None, 128), (1, None, 128)], 99_328, 0),  # 4 * 128 * (64 + 128 + 2)
        ("2", (None, 128), 0, 0),
        ("3", (None, 5), 645, 0),
    ]
    assert result.model.total_params == 739_973
