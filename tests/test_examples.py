"""The shipped examples: exact totals, output shapes and findings, as archlint reports them.

Every number here was computed by the framework itself, not by archlint:
- Keras numbers come from Keras 3.15.1 (keras.applications.VGG16 and the seed models are recorded in
  tests/data/keras/expected.json, a copy of the fixtures Keras produced; LeNet-5 and the audio model
  were built as keras.Sequential and summarised);
- PyTorch numbers come from PyTorch 2.13 (the same modules built in plain torch, parameters counted
  with `sum(p.numel() for p in model.parameters())`, shapes from a forward pass).
tests/crosscheck/ rebuilds every example in the frameworks and checks the same numbers layer by layer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import DATA, EXAMPLES

from archlint.cli import main
from archlint.lint import discover, lint_file

KERAS_DATA = DATA / "keras"

# path under examples/ -> (total, trainable, non-trainable, output shape as the JSON summary writes it)
TOTALS = {
    # ultralytics 8.4.190 built from the same files (model.info(): parameters, gradients; the DFL conv frozen)
    "yolo/tiny-detector.yaml": (611686, 611670, 16, [None, 7, 8000]),
    "yolo/yolo11n-like.yaml": (2624080, 2624064, 16, [None, 84, 8400]),
    "yolo/yolov8n-like.yaml": (3157200, 3157184, 16, [None, 84, 8400]),
    "yolo/tiny-rtdetr.yaml": (721029, 721029, 0, [None, 100, 6]),  # RTDETRDetectionModel: (boxes, 6) in eval
    # Keras 3.15.1, expected.json "seed_example{1,2,3}_sequential"
    "seed/example1.yaml": (10, 10, 0, [None, 8, 8, 1]),
    "seed/example2.yaml": (50, 50, 0, [None, 8, 8, 5]),
    "seed/example3.yaml": (140, 140, 0, [None, 8, 8, 5]),
    # PyTorch 2.13: nn.Sequential(nn.Conv2d(c_in, c_out, 3), nn.ReLU()), a batch of 2 in
    "seed/torch/example1.yaml": (10, 10, 0, [None, 1, 8, 8]),
    "seed/torch/example2.yaml": (50, 50, 0, [None, 5, 8, 8]),
    "seed/torch/example3.yaml": (140, 140, 0, [None, 5, 8, 8]),
    # Keras 3.15.1, expected.json "VGG16" (keras.applications.VGG16, include_top, 224x224x3)
    "vgg16/vgg16_keras.yaml": (138_357_544, 138_357_544, 0, [None, 1000]),
    # PyTorch 2.13: torchvision's vgg16 layout built in plain torch
    "vgg16/vgg16_torch.yaml": (138_357_544, 138_357_544, 0, [None, 1000]),
    # Keras 3.15.1 (average or max pooling alike) and PyTorch 2.13
    "lenet5/lenet5_keras.yaml": (61_706, 61_706, 0, [None, 10]),
    "lenet5/lenet5_torch.yaml": (61_706, 61_706, 0, [None, 10]),
    # Keras 3.15.1: the BatchNormalization moving mean and variance are the 896 non-trainable weights
    "audio/conv1d_keras.yaml": (135_436, 134_540, 896, [None, 12]),
    # Keras 3.15.1 and PyTorch 2.13 (tests/test_recurrent_examples.py has every layer): torch's LSTM
    # keeps two bias vectors, 512 parameters more
    "lstm/lstm_keras.yaml": (739_461, 739_461, 0, [None, 5]),
    "lstm/lstm_torch.yaml": (739_973, 739_973, 0, [None, 5]),
    # Graphs and blocks: torchvision's resnet18 count; Keras 3.15.1 expected.json "ResNet50" (every layer
    # compared in tests/test_graph_examples.py); the U-Net and the two-input model built by hand in
    # torch 2.13.0 and Keras 3.15.1
    "resnet/resnet18_torch.yaml": (11_689_512, 11_689_512, 0, [None, 1000]),
    "resnet/resnet50_keras.yaml": (25_636_712, 25_583_592, 53_120, [None, 1000]),
    # torchvision's resnet50 count (issue 9; the crosscheck rebuilds it in plain torch)
    "resnet/resnet50_torch.yaml": (25_557_032, 25_557_032, 0, [None, 1000]),
    "unet/unet_torch.yaml": (450_210, 450_210, 0, [None, 2, 128, 128]),
    "multi_input/image_tabular_keras.yaml": (7_070, 7_050, 20, [[None, 5], [None, 1]]),
    # PyTorch 2.13: Embedding, TransformerEncoder (2 layers and a LayerNorm), mean, Linear (every layer in
    # tests/test_attention_examples.py)
    "transformer/transformer_encoder_torch.yaml": (740_421, 740_421, 0, [None, 5]),
    # Keras 3.15.1, expected.json "MobileNetV2" (keras.applications.MobileNetV2, alpha 1.0, include_top,
    # 224x224x3; every layer compared in tests/test_graph_examples.py): the 34,112 non-trainable weights are
    # the moving statistics of its 52 BatchNormalization layers
    "mobilenet/mobilenetv2_keras.yaml": (3_538_984, 3_504_872, 34_112, [None, 1000]),
    # Keras 3.15.1 (keras.Sequential of the same layers) and torch 2.13.0 (nn.Sequential): the Keras model
    # has a 3x3 Conv2D after its last transposed convolution, the torch one ends on the ConvTranspose2d
    "autoencoder/conv_autoencoder_keras.yaml": (3_217, 3_217, 0, [None, 28, 28, 1]),
    "autoencoder/conv_autoencoder_torch.yaml": (2_633, 2_633, 0, [None, 1, 28, 28]),
    # issue 12: Hugging Face config.json files, counted as transformers 5.25 builds the class in
    # `architectures` on the meta device (tied weights once; tests/crosscheck/test_hf_decoders.py compares
    # every module). The output is (batch, max_position_embeddings, vocab_size).
    "huggingface/llama-2-7b.json": (6_738_415_616, 6_738_415_616, 0, [None, 4096, 32000]),
    "huggingface/llama-3-8b.json": (8_030_261_248, 8_030_261_248, 0, [None, 8192, 128256]),
    "huggingface/mistral-7b.json": (7_241_732_096, 7_241_732_096, 0, [None, 32768, 32000]),
    "huggingface/mixtral-8x7b.json": (46_702_792_704, 46_702_792_704, 0, [None, 32768, 32000]),
    "huggingface/deepseek-v3.json": (671_026_404_352, 671_026_404_352, 0, [None, 163840, 129280]),
    "huggingface/tiny-llama.json": (154_944, 154_944, 0, [None, 256, 1000]),
    "huggingface/tiny-qwen3-moe.json": (351_424, 351_424, 0, [None, 512, 1000]),
}
# BertModel (bert-base-uncased): 109,482,240 in transformers; counted by the bert family module, which
# lands separately: until it is installed the example is W105 (unsupported model_type).
_HF_BERT = "huggingface/bert-base.json"

# path under examples/ -> the rule codes of the findings archlint reports, in order. Every example is
# written to draw none: a warning added here must be true and explained, here and in the example.
FINDINGS: dict[str, list[str]] = {path: [] for path in TOTALS}
# Keras's ResNet-50 as it is: a bias before every BatchNormalization (W005, 53 convolutions), and two 1x1
# stride-2 convolutions that skip 3 of 4 positions at the start of stages 3-5 (W002); see the example
FINDINGS["resnet/resnet50_keras.yaml"] = ["W005"] * 4 + ["W002"] * 3 + ["W005"] * 49
# Keras's MobileNetV2 as it is: its first convolution (Conv1, 3x3, stride 2, padding='same' on 224) pads 0
# rows before and 1 after, off-centre (W003, TensorFlow-style 'same'), which its weights were trained with;
# see the example
FINDINGS["mobilenet/mobilenetv2_keras.yaml"] = ["W003"]


def example_paths() -> list[str]:
    return sorted(Path(p).relative_to(EXAMPLES).as_posix() for p in discover([str(EXAMPLES)]))


def summary_json(path: Path) -> dict:
    result = CliRunner().invoke(main, ["summary", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    (model,) = json.loads(result.stdout)["models"]
    return model


def _bert_counted() -> bool:
    from archlint.sources.huggingface import families

    return families.module("bert") is not None


def test_every_example_is_listed():
    assert example_paths() == sorted([*TOTALS, _HF_BERT])


@pytest.mark.parametrize("name", sorted(TOTALS))
def test_example_totals_and_output_shape(name):
    model = summary_json(EXAMPLES / name)
    total, trainable, non_trainable, output_shape = TOTALS[name]
    assert (model["total_params"], model["trainable_params"], model["non_trainable_params"]) == (
        total, trainable, non_trainable)
    assert model["output_shape"] == output_shape
    assert None not in [layer["output_shape"] for layer in model["layers"]]  # every layer was computed


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_example_findings(name):
    result = lint_file(str(EXAMPLES / name))
    assert [(f.rule.code, f.message) for f in result.findings if f.rule.code not in FINDINGS[name]] == []
    assert [f.rule.code for f in result.findings] == FINDINGS[name]
    assert result.model is not None and result.model.complete


def test_check_examples_folder_passes():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES)])
    assert result.exit_code == 0, result.output


def test_check_examples_shows_only_the_unsuppressed_warnings():
    # issue 15: the shipped examples check clean with the default rules. resnet50_keras.yaml suppresses
    # its 53 W005 and its 3 W002 (design choices of Keras's ResNet50 v1, explained there); MobileNetV2's
    # one W003 is a portability rule, opt-in: shown with `--select ALL`
    result = CliRunner().invoke(main, ["check", "--output-format", "json", str(EXAMPLES)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []
    result = CliRunner().invoke(main, ["check", "--select", "ALL", "--output-format", "json", str(EXAMPLES)])
    found = [(Path(f["path"]).name, f["code"]) for f in json.loads(result.stdout)["findings"]]
    pending = [] if _bert_counted() else [("bert-base.json", "W105")]
    assert found == pending + [("mobilenetv2_keras.yaml", "W003")]


def test_every_suppression_in_the_examples_says_why():
    comments = [line.split("# archlint:", 1)[1] for path in sorted(EXAMPLES.rglob("*.yaml"))
                for line in path.read_text(encoding="utf-8").splitlines() if "# archlint:" in line]
    assert comments  # resnet50_keras.yaml has two
    for comment in comments:
        selector, _, reason = comment.strip().partition(" ")
        assert selector.startswith(("disable=", "disable-file=")) and len(reason.split()) >= 4, comment


def test_fixtures_are_the_shared_ones_when_present():
    """tests/data/keras is a copy of the shared fixtures; when the shared folder is there, they agree."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "keras"
    if not shared.is_dir():
        pytest.skip("no shared fixtures next to this checkout (a user's clone has none)")
    for original in sorted(shared.glob("*.json")):
        assert (KERAS_DATA / original.name).read_bytes() == original.read_bytes(), original.name


def recorded(key: str) -> dict:
    return json.loads((KERAS_DATA / "expected.json").read_text(encoding="utf-8"))[key]


def test_vgg16_keras_every_layer_as_keras_records_it():
    want = recorded("VGG16")
    got = summary_json(EXAMPLES / "vgg16" / "vgg16_keras.yaml")
    layers = [layer for layer in want["layers"] if layer["class"] != "InputLayer"]
    assert [(l["name"], l["type"], l["output_shape"], l["params"], l["trainable_params"]) for l in got["layers"]] == [
        (l["name"], l["class"], l["output_shape"], l["params"], l["trainable_params"]) for l in layers
    ]
    assert (got["total_params"], got["trainable_params"], got["non_trainable_params"], got["output_shape"]) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"], want["output_shape"])


# The keyword arguments Keras's VGG16 config records, and the spec keyword each corresponds to.
_CONFIG_KEYS = {
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate"),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "Dense": ("units", "activation", "use_bias"),
    "Flatten": (),
}


def _as_list(value, rank):
    return list(value) if isinstance(value, (list, tuple)) else [value] * rank


def test_vgg16_keras_arguments_match_the_keras_config():
    """The spec's keywords, with archlint's defaults filled in, are the ones keras.applications.VGG16 uses."""
    from archlint.layers.registry import lookup

    config = json.loads((KERAS_DATA / "VGG16.json").read_text(encoding="utf-8"))["config"]["layers"]
    by_name = {layer["name"]: layer for layer in config}
    result = lint_file(str(EXAMPLES / "vgg16" / "vgg16_keras.yaml"))
    for layer in result.model.layers:
        keras_layer = by_name[layer.name]
        assert keras_layer["class_name"] == layer.spec.type
        layer_type = lookup("keras", layer.spec.type)
        assert layer_type is not None, layer.spec.type
        cfg = {**layer_type.defaults, **layer.spec.kwargs}
        for key in _CONFIG_KEYS[layer.spec.type]:
            want = keras_layer["config"][key]
            if key == "strides" and cfg.get(key) is None:  # pooling: strides default to pool_size
                cfg[key] = cfg["pool_size"]
            if isinstance(want, list):
                assert _as_list(cfg[key], len(want)) == want, (layer.name, key)
            else:
                assert cfg[key] == want, (layer.name, key)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_seed_examples_as_keras_records_them(number):
    want = recorded(f"seed_example{number}_sequential")
    got = summary_json(EXAMPLES / "seed" / f"example{number}.yaml")
    assert (got["total_params"], got["trainable_params"], got["non_trainable_params"], got["output_shape"]) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"], want["output_shape"])
    # Keras numbers its automatic names across the session that recorded them (conv2d, conv2d_1, ...),
    # so the layers are compared by class, shape and counts.
    assert [(l["type"], l["output_shape"], l["params"], l["trainable_params"]) for l in got["layers"]] == [
        (l["class"], l["output_shape"], l["params"], l["trainable_params"]) for l in want["layers"]
    ]


def test_bert_example_counts_as_transformers_once_its_family_is_installed():
    if not _bert_counted():
        pytest.skip("the bert family module is not installed yet")
    assert summary_json(EXAMPLES / _HF_BERT)["total_params"] == 109_482_240  # BertModel, transformers 5.25
