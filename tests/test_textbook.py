"""The textbook models of the field check clean with the default rules (issue 15, item 2), with the
parameter counts their tutorials print."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archlint.cli import main

TEXTBOOK = Path(__file__).resolve().parent / "data" / "textbook"

PARAMS = {  # as the tutorials print them (Keras model.summary(), or summed from each torch layer's weights)
    "cifar-cnn-keras": 122_570,  # TensorFlow CNN tutorial
    "cifar-cnn-torch": 62_006,  # PyTorch "Training a Classifier"
    "toy-resnet-keras": 223_242,  # Keras functional API guide
    "imdb-bilstm-keras": 2_757_761,  # Keras example "Bidirectional LSTM on IMDB"
    "lstm-classifier-torch": 2_758_785,  # 2,560,000 + 2 x 99,328 + 129
    "transformer-classifier-torch": 3_353_346,  # 2,560,000 + 4 x 198,272 + 258
    "unet-keras": 56_994,
}


def test_textbook_models_check_clean_by_default():
    result = CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json", str(TEXTBOOK)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


def test_textbook_models_have_their_published_counts():
    result = CliRunner().invoke(main, ["summary", "--isolated", "--format", "json", str(TEXTBOOK)])
    assert {m["name"]: m["total_params"] for m in json.loads(result.stdout)["models"]} == PARAMS
