"""The Transformer encoder example (examples/transformer/), every layer's shape and count exact.

The numbers come from torch 2.13.0: the same modules (nn.Embedding(10000, 64), nn.TransformerEncoder(
nn.TransformerEncoderLayer(64, 4, 256, 0.1, batch_first=True), 2, norm=nn.LayerNorm(64)), mean over
dim 1, nn.Linear(64, 5)) on a (2, 128) LongTensor, parameters counted with
`sum(p.numel() for p in module.parameters())`: 640,000 + 100,096 + 325 = 740,421.
"""

from helpers import EXAMPLES, codes, layer_rows

from archlint.lint import lint_file


def test_transformer_encoder_torch_example():
    result = lint_file(str(EXAMPLES / "transformer" / "transformer_encoder_torch.yaml"))
    assert codes(result) == []
    assert layer_rows(result) == [
        ("0", (None, 128, 64), 640_000, 0),
        # two deep copies of a 49,984-parameter layer, and the final LayerNorm's 128
        ("1", (None, 128, 64), 100_096, 0),
        ("2", (None, 64), 0, 0),
        ("3", (None, 5), 325, 0),
    ]
    assert result.model.total_params == 740_421
    assert result.model.trainable_params == 740_421


def test_transformer_encoder_example_with_batch_first_false_is_w007(tmp_path):
    # torch 2.13.0 runs the same model with batch_first=False on (2, 128, 64) and returns (2, 128, 64),
    # attending over the batch axis instead of the sequence: archlint keeps the shape and warns, inside
    # the nested encoder_layer, where the fix goes
    text = (EXAMPLES / "transformer" / "transformer_encoder_torch.yaml").read_text(encoding="utf-8")
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace("batch_first: true", "batch_first: false"), encoding="utf-8")
    result = lint_file(str(path))
    assert [(f.rule.code, f.line) for f in result.findings] == [("W007", 16)]
    assert result.model.total_params == 740_421
