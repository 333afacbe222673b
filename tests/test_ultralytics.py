"""Ultralytics model YAMLs (issue 13): the numbers ultralytics 8.4.190 prints for our example files (checked
against the library by tests/crosscheck/test_yolo_shipped.py and the examples' totals), and every check at
the row and argument that causes it, each next to a valid neighbour."""

from __future__ import annotations

import re
import textwrap

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from archlint.cli import main
from archlint.lint import lint_file

YOLO = EXAMPLES / "yolo"

BASE = """\
nc: 2
backbone:
  - [-1, 1, Conv, [16, 3, 2]] # 0-P1/2
  - [-1, 1, Conv, [32, 3, 2]] # 1-P2/4
  - [-1, 1, Conv, [64, 3, 2]] # 2-P3/8
head:
  - [-1, 1, nn.Upsample, [None, 2, nearest]] # 3
  - [[-1, 1], 1, Concat, [1]] # 4
  - [-1, 1, C2f, [32]] # 5
  - [[5, 2], 1, Detect, [nc]] # 6
"""


def check(tmp_path, text: str, name: str = "model.yaml", **settings):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lint_file(str(path), settings=settings)


def found(result) -> list[tuple[str, int, int]]:
    return [(f.rule.code, f.line, f.column) for f in result.findings]


def totals(result) -> list[str]:
    return [line for line in result.source.totals(result.model) if line.startswith("Ultralytics")]


def table(result) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in result.source.totals(result.model)[2:]
            if line[:3].strip().isdigit()]


# ------------------------------------------------------------------------------------------ numbers

def test_yolov8n_like_matches_ultralytics():
    result = lint_file(str(YOLO / "yolov8n-like.yaml"))
    assert found(result) == []
    assert (result.model.total_params, result.model.trainable_params) == (3_157_200, 3_157_184)
    assert totals(result) == ["Ultralytics (scale n): 23 rows, 3,157,200 parameters, 3,157,184 gradients, "
                              "8.9 GFLOPs at 640"]
    assert result.source.by_scale[""].flops == 8_855_091_200  # get_flops(model, 640) * 1e9, exactly
    rows = table(result)  # ultralytics' table: the arguments after scaling, as model.info() lists them
    assert rows[4] == ["4", "-1", "2", "49664", "C2f", "[64, 64, 2, True]", "(None, 64, 80, 80)"]
    assert rows[22] == ["22", "[15, 18, 21]", "1", "897664", "Detect", "[80, 16, None, [64, 128, 256]]",
                        "(None, 84, 8400)"]
    layers = {layer.name: layer for layer in result.model.layers}
    assert layers["model.2"].params == 7360 and layers["model.22"].params == 897_664
    assert layers["model.22"].non_trainable == 16  # the DFL convolution is frozen
    assert layers["model.21"].output.shape == (None, 256, 20, 20)
    assert result.model.output_shape == (None, 84, 8400)


def test_yolo11n_like_matches_ultralytics():
    result = lint_file(str(YOLO / "yolo11n-like.yaml"))
    assert found(result) == []
    assert totals(result) == ["Ultralytics (scale n): 24 rows, 2,624,080 parameters, 2,624,064 gradients, "
                              "6.7 GFLOPs at 640"]
    assert result.source.by_scale[""].flops == 6_673_318_400


def test_scale_all_checks_every_scale_in_one_run():
    result = lint_file(str(YOLO / "yolov8n-like.yaml"), settings={"scale": "all"})
    assert found(result) == []
    assert totals(result) == [
        "Ultralytics (scale n): 23 rows, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs at 640",
        "Ultralytics (scale s): 23 rows, 11,166,560 parameters, 11,166,544 gradients, 28.8 GFLOPs at 640",
        "Ultralytics (scale m): 23 rows, 25,902,640 parameters, 25,902,624 gradients, 79.3 GFLOPs at 640",
        "Ultralytics (scale l): 23 rows, 43,691,520 parameters, 43,691,504 gradients, 165.7 GFLOPs at 640",
        "Ultralytics (scale x): 23 rows, 68,229,648 parameters, 68,229,632 gradients, 258.5 GFLOPs at 640",
    ]
    assert "s/model.22" in {layer.name for layer in result.model.layers}


def test_scale_option_and_file_name_letter(tmp_path):
    text = (YOLO / "yolov8n-like.yaml").read_text(encoding="utf-8")
    by_name = check(tmp_path, text, "yolov8s.yaml")
    by_option = check(tmp_path, text, "yolov8n.yaml", scale="s")
    assert by_name.model.total_params == by_option.model.total_params == 11_166_560


def test_summary_prints_the_ultralytics_totals():
    result = CliRunner().invoke(main, ["summary", "--isolated", str(YOLO / "tiny-detector.yaml")])
    assert result.exit_code == 0, result.output
    assert "model.10 (Detect)" in result.stdout
    assert result.stdout.rstrip().endswith("Ultralytics: 11 rows, 611,686 parameters, 611,670 gradients, "
                                           "5.1 GFLOPs at 640")


def test_cli_scale_and_imgsz_options(tmp_path):
    result = CliRunner().invoke(main, ["check", "--isolated", "--imgsz", "100", "--output-format", "json",
                                       str(YOLO / "tiny-detector.yaml")])
    assert '"E139"' in result.stdout  # 100 is not a multiple of the stride 16
    result = CliRunner().invoke(main, ["check", "--isolated", "--scale", "q", str(YOLO / "yolov8n-like.yaml")])
    assert "E141" in result.stdout and result.exit_code == 1


def test_recognise_only_backbone_and_head_files():
    from archlint.sources.ultralytics import recognise

    assert recognise({"backbone": [], "head": []})
    assert not recognise({"archlint": 1, "backbone": [], "head": []})
    assert not recognise({"backbone": [], "layers": []})


# ------------------------------------------------------------------------------------------ checks

def test_valid_base_has_no_findings(tmp_path):
    assert found(check(tmp_path, BASE)) == []


def test_from_out_of_range_at_the_index(tmp_path):
    result = check(tmp_path, BASE.replace("[[-1, 1], 1, Concat", "[[-1, 9], 1, Concat"))
    assert found(result) == [("E130", 8, 11)]
    assert "row 4 reads row 9, which comes after it" in result.findings[0].message


def test_self_reference_and_negative_out_of_range(tmp_path):
    result = check(tmp_path, BASE.replace("[[5, 2], 1, Detect", "[[6, -9], 1, Detect"))
    assert [(code, line, column) for code, line, column in found(result)] == [("E130", 10, 7), ("E130", 10, 10)]
    assert "reads itself" in result.findings[0].message


def test_int_from_for_a_multi_input_head(tmp_path):
    result = check(tmp_path, BASE.replace("[[5, 2], 1, Detect", "[5, 1, Detect"))
    assert found(result) == [("E131", 10, 6)]
    assert "'int' object is not iterable" in result.findings[0].hint


def test_concat_of_different_sizes_names_rows_and_sizes(tmp_path):
    result = check(tmp_path, BASE.replace("[[-1, 1], 1, Concat", "[[-1, 0], 1, Concat"))
    assert found(result) == [("E132", 8, 18)]
    message = next(f.message for f in result.findings if f.rule.code == "E132")
    assert "row 3 160x160, row 0 320x320" in message and "Sizes of tensors must match" in result.findings[0].hint


def test_channel_mismatch_names_the_row_that_changed_them(tmp_path):
    text = BASE.replace("  - [-1, 1, nn.Upsample, [None, 2, nearest]] # 3\n",
                        "  - [-1, 1, nn.Conv2d, [64, 48, 1]] # 3\n  - [-1, 1, Conv, [64, 1, 1]] # 4\n"
                        "  - [-1, 1, nn.Upsample, [None, 2, nearest]] # 5\n")
    text = text.replace("[[-1, 1], 1, Concat, [1]] # 4", "[[-1, 1], 1, Concat, [1]] # 6")
    text = text.replace("[-1, 1, C2f, [32]] # 5", "[-1, 1, C2f, [32]] # 7").replace("[[5, 2], 1, Detect, [nc]] # 6",
                                                                                   "[[7, 4], 1, Detect, [nc]] # 8")
    result = check(tmp_path, text)
    assert found(result) == [("W136", 7, 13), ("E133", 8, 19)]
    assert "row 3 (nn.Conv2d) outputs 48 channels, but ultralytics' parse_model counts 64" in result.findings[0].message
    assert "expected input[1, 48, 80, 80] to have 64 channels" in result.findings[1].hint


def test_unknown_module_with_did_you_mean(tmp_path):
    result = check(tmp_path, BASE.replace("C2f, [32]", "C2F, [32]"))
    assert found(result) == [("E134", 9, 13)]
    assert result.findings[0].hint == "ultralytics fails with KeyError: 'C2F'; did you mean C2f?"
    result = check(tmp_path, BASE.replace("nn.Upsample", "nn.Upsampel"))
    assert found(result) == [("E134", 7, 13)] and result.findings[0].hint == "did you mean nn.Upsample?"


def test_shipped_module_parse_model_cannot_import(tmp_path):
    text = BASE.replace("  - [[5, 2], 1, Detect, [nc]] # 6\n", "  - [-1, 1, CBAM, [32]] # 6\n  - [[6, 2], 1, Detect, [nc]]\n")
    result = check(tmp_path, text)
    assert found(result) == [("E135", 10, 13)]
    assert "KeyError: 'CBAM'" in result.findings[0].hint


def test_missing_nc_and_kpt_shape(tmp_path):
    assert found(check(tmp_path, BASE.replace("nc: 2\n", ""))) == [("E136", 9, 26)]
    pose = BASE.replace("Detect, [nc]", "Pose, [nc, kpt_shape]")
    assert found(check(tmp_path, pose)) == [("E137", 10, 28)]
    assert found(check(tmp_path, "kpt_shape: [17, 3]\n" + pose)) == []


def test_head_not_last(tmp_path):
    result = check(tmp_path, BASE + "  - [-1, 1, nn.Identity, []] # 7\n")
    assert ("E138", 10, 17) in found(result)


def test_imgsz_not_divisible_by_the_largest_stride(tmp_path):
    # strides 4 and 8: 100 is no multiple of 8, and the levels no longer line up either
    assert found(check(tmp_path, BASE, imgsz=100)) == [("E132", 8, 18), ("E139", 10, 6)]
    assert found(check(tmp_path, BASE, imgsz=104)) == []


def test_argument_of_the_wrong_type(tmp_path):
    result = check(tmp_path, BASE.replace("Conv, [64, 3, 2]", "Conv, [sixtyfour, 3, 2]"))
    assert found(result) == [("E140", 5, 20)]


def test_unknown_scale(tmp_path):
    text = "scales:\n  n: [0.33, 0.25, 1024]\n" + BASE
    assert found(check(tmp_path, text, scale="q")) == [("E141", 2, 3)]
    assert found(check(tmp_path, text, scale="n")) == []


def test_module_error_in_torch_words(tmp_path):
    result = check(tmp_path, BASE.replace("Conv, [16, 3, 2]", "Conv, [16, 3, 2, 1, 3]"))
    assert [code for code, _, _ in found(result)] == ["E142"]
    assert "divisible by groups" in result.findings[0].hint


def test_failure_only_at_the_256_build_probe(tmp_path):
    text = ("nc: 2\nbackbone:\n" + "".join(f"  - [-1, 1, Conv, [8, 3, 2]] # {i}\n" for i in range(6))
            + "  - [-1, 1, Conv, [16, 7, 1, 0]] # 6\nhead:\n  - [[6], 1, Detect, [nc]] # 7\n")
    result = check(tmp_path, text)  # 640 -> 10x10 before the 7x7 kernel; 256 -> 4x4
    assert found(result) == [("E143", 9, 13)]


def test_malformed_row(tmp_path):
    assert found(check(tmp_path, BASE.replace("[-1, 1, C2f, [32]]", "[-1, C2f, [32]]"))) == [("E144", 9, 5)]


def test_index_comments_that_no_longer_match(tmp_path):
    text = BASE.replace("  - [-1, 1, Conv, [64, 3, 2]] # 2-P3/8\n",
                        "  - [-1, 1, Conv, [64, 3, 2]] # 2-P3/8\n  - [-1, 1, Conv, [64, 1, 1]]\n")
    text = text.replace("[[5, 2], 1, Detect", "[[6, 3], 1, Detect")
    assert found(check(tmp_path, text)) == [("W130", 8, 5)]


def test_from_that_skips_the_refined_row(tmp_path):
    text = """\
    nc: 2
    backbone:
      - [-1, 1, Conv, [16, 3, 2]] # 0
      - [-1, 1, Conv, [32, 3, 2]] # 1
      - [-1, 1, C2f, [32, True]] # 2
      - [-1, 1, Conv, [64, 3, 2]] # 3
    head:
      - [-1, 1, nn.Upsample, [None, 2, nearest]] # 4
      - [[-1, 2], 1, Concat, [1]] # 5
      - [-1, 1, C2f, [32]] # 6
      - [[6, 3], 1, Detect, [nc]] # 7
    """
    assert found(check(tmp_path, text)) == []
    assert found(check(tmp_path, text.replace("[[-1, 2], 1, Concat", "[[-1, 1], 1, Concat"))) == [("W131", 9, 11)]


def test_concat_of_the_same_row_twice(tmp_path):
    result = check(tmp_path, BASE.replace("[[-1, 1], 1, Concat", "[[-1, 1, 1], 1, Concat"))
    assert found(result) == [("W132", 8, 6)]


def test_unread_row(tmp_path):
    text = BASE.replace("  - [-1, 1, C2f, [32]] # 5\n", "  - [-1, 1, C2f, [32]] # 5\n  - [-1, 1, Conv, [32, 1, 1]]\n")
    # the new row shifts the head's index (W130); the head skips the new row, which refines row 5 at its resolution (W131)
    assert found(check(tmp_path, text)) == [("W133", 10, 5), ("W130", 11, 5), ("W131", 11, 7)]


def test_repeats_on_a_module_that_changes_channels(tmp_path):
    text = "depth_multiple: 1.0\n" + BASE.replace("[-1, 1, Conv, [32, 3, 2]] # 1", "[-1, 2, Conv, [32, 3, 2]] # 1")
    codes = found(check(tmp_path, text))
    assert ("W134", 5, 10) in codes and any(code == "E142" for code, _, _ in codes)
    assert found(check(tmp_path, "depth_multiple: 1.0\n" + BASE.replace("[-1, 1, C2f, [32]]",
                                                                        "[-1, 2, C2f, [32]]"))) == []


def test_scale_guessed_from_the_first_key(tmp_path):
    text = "scales:\n  n: [0.33, 0.25, 1024]\n  s: [0.33, 0.5, 1024]\n" + BASE
    assert found(check(tmp_path, text)) == [("W137", 2, 3)]
    assert found(check(tmp_path, text, name="yolov8s.yaml")) == []


def test_a_huge_repeat_count_costs_nothing(tmp_path):
    text = "depth_multiple: 1.0\n" + BASE.replace("[-1, 1, nn.Upsample, [None, 2, nearest]] # 3",
                                                  "[-1, 1000000000, nn.Identity, []] # 3\n"
                                                  "  - [-1, 1, nn.Upsample, [None, 2, nearest]]")
    text = text.replace("[[5, 2], 1, Detect", "[[6, 2], 1, Detect")
    result = check(tmp_path, text)
    assert [f.rule.code for f in result.findings] == ["W130"]


def test_explain_derives_repeats_and_channels_from_the_scale():
    result = CliRunner().invoke(main, ["explain", "--isolated", "--layer", "model.4", "--layer", "model.11",
                                       str(YOLO / "yolov8n-like.yaml")])
    assert result.exit_code == 0, result.output
    assert "  repeats: max(round(6 x 0.33), 1) = 2 (an argument of the module)\n" in result.stdout
    assert "  channels: make_divisible(min(256, 1024) x 0.25, 8) = 64\n" in result.stdout
    assert "  channels: Concat of rows 10, 6: 256 + 128 = 384" in result.stdout


LEVELS = [(64, 80, 80), (128, 40, 40), (256, 20, 20)]  # a YOLO*n head's inputs at 640


@pytest.mark.parametrize("name,args,legacy,params,flops", [
    ("Detect", [80, 16, None, [64, 128, 256]], True, 897_664, 3_641_702_400),  # YOLOv8n
    ("Detect", [80, 16, None, [64, 128, 256]], False, 464_912, 1_900_147_200),  # YOLO11n: depthwise classes
    ("v10Detect", [80, [64, 128, 256]], False, 929_808, 3_799_219_200),  # the one-to-one copy, one DFL
    ("Detect", [80, 1, True, [64, 128, 256]], False, 309_656, 1_249_920_000),  # YOLO26n: end2end, no DFL
    ("OBB26", [80, 1, 1, True, [64, 128, 256]], False, 452_990, 1_745_049_600),
    ("Segment26", [80, 32, 64, 1, True, [64, 128, 256]], False, 863_656, 5_640_627_200),
    ("Segment26", [80, 16, 128, 1, True, [64, 128, 256]], False, 1_148_520, 13_160_678_400),  # npr != C
    ("Pose26", [80, [17, 3], 1, True, [64, 128, 256]], False, 1_484_930, 5_796_672_000),
    ("Pose26", [80, [5, 3], 1, True, [64, 128, 256]], False, 603_290, None),
    # end2end on the older heads: the one-to-one copy of every branch too (Segment's mask branch, not Proto)
    ("Segment", [80, 32, 64, 16, False, [64, 128, 256]], False, 717_680, 5_186_163_200),
    ("Segment", [80, 32, 64, 16, True, [64, 128, 256]], False, 1_342_800, 7_674_444_800),
    ("Pose", [80, [17, 3], 16, False, [64, 128, 256]], False, 749_339, 3_001_992_000),
    ("Pose", [80, [17, 3], 16, True, [64, 128, 256]], False, 1_498_662, 6_002_908_800),
    ("OBB", [80, 1, 16, True, [64, 128, 256]], False, 1_073_142, 4_294_348_800),
])
def test_heads_match_ultralytics(name, args, legacy, params, flops):
    """Parameters and thop's FLOPs of the heads ultralytics 8.4.190 built (printed from the modules and
    thop.profile of the head on its three inputs)."""
    from archlint.sources.ultralytics.heads import HEADS

    built = HEADS[name](args, LEVELS, legacy)
    assert built.params == params
    if flops is not None:
        assert built.flops == flops


def test_the_rows_layer_types_are_not_native_pytorch_types(tmp_path):
    # an importer registers `Concat` for the rows it converts; a native spec checked after a YOLO file in
    # the same run is still told the type is unknown (it is not a torch.nn class)
    from archlint.lint import lint_file

    assert lint_file(str(EXAMPLES / "yolo" / "tiny-detector.yaml")).model.total_params == 611_686
    native = tmp_path / "native.yaml"
    native.write_text("archlint: 1\nframework: pytorch\ninput: [1]\nlayers:\n  - type: Concat\n", encoding="utf-8")
    assert [(f.rule.code, f.line, f.column) for f in lint_file(str(native)).findings] == [("S003", 5, 11)]


def test_a_hugging_face_config_read_first_leaves_the_rows_types_alone(tmp_path):
    # a ViT config registers its patch embedding's Conv2d; the YAML's nn.Conv2d rows stay Ultralytics rows
    import json

    from archlint.lint import lint_file

    vit = tmp_path / "config.json"
    vit.write_text(json.dumps({"model_type": "vit", "architectures": ["ViTModel"], "hidden_size": 32,
                               "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
                               "image_size": 32, "patch_size": 16}), encoding="utf-8")
    assert lint_file(str(vit)).model is not None
    yaml_file = tmp_path / "tiny.yaml"
    yaml_file.write_text("nc: 2\nbackbone:\n  - [-1, 1, nn.Conv2d, [3, 16, 3, 2, 1]]\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                         "head:\n  - [[-1], 1, Detect, [nc]]\n", encoding="utf-8")
    result = lint_file(str(yaml_file))
    assert [f.rule.code for f in result.findings if f.rule.code.startswith("S")] == []
    # the row is torch's Conv2d(3, 16, 3, 2, 1): 3 * 16 * 9 weights and 16 biases (then W136: parse_model
    # counts 3 channels for it, as ultralytics does for nn.* modules)
    assert result.model.layers[0].params == 448
    assert [f.rule.code for f in result.findings] == ["W136", "E133"]  # and the Conv built for 3 channels


# ---------------------------------------------------------------- open-vocabulary and dense heads

TEXT = (80, 512)  # the text embeddings WorldModel and YOLOEModel pass when built from a YAML: 80 of 512


@pytest.mark.parametrize("name,args,inputs,legacy,shape,params,trainable,flops", [
    # yolov8n-world / -worldv2: ContrastiveHead, then BNContrastiveHead; the class branch is the older form
    ("WorldDetect", [80, 512, False, 16, None, [64, 128, 256]], LEVELS + [TEXT], True, (84, 8400), 1_002_646,
     1_002_630, 4_910_438_400),
    ("WorldDetect", [80, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], True, (84, 8400), 1_005_718,
     1_005_702, 4_944_844_800),
    # end2end: Detect's one-to-one branches, which the forward pass does not run (parameters only)
    ("WorldDetect", [80, 256, True, 16, True, [64, 128, 256]], LEVELS + [(80, 256)], False, (84, 8400), 1_406_870,
     1_406_854, 4_239_513_600),
    # yoloe-v8n, yoloe-11n, yoloe-26n: the SwiGLU and visual-prompt parts hold parameters, no FLOPs
    ("YOLOEDetect", [80, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], True, (84, 8400), 3_278_870,
     3_278_854, 4_944_844_800),
    ("YOLOEDetect", [80, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], False, (84, 8400), 2_846_118,
     2_846_102, 3_203_289_600),
    ("YOLOEDetect", [80, 512, True, 1, True, [64, 128, 256]], LEVELS + [TEXT], False, (84, 8400), 2_798_916,
     2_798_916, 3_856_204_800),
    ("YOLOEDetect", [7, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], False, (84, 8400), 2_641_078,
     2_641_062, 2_998_374_400),  # nc only sizes the branches: one score per text embedding
    ("YOLOESegment", [80, 32, 64, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], True, (116, 8400),
     3_531_638, 3_531_622, 8_230_860_800),
    ("YOLOESegment", [80, 16, 128, 512, True, 16, True, [64, 128, 256]], LEVELS + [TEXT], False, (100, 8400),
     3_853_372, 3_853_356, 16_381_926_400),
    ("YOLOESegment26", [80, 32, 64, 512, True, 1, True, [64, 128, 256]], LEVELS + [TEXT], False, (116, 8400),
     3_352_916, 3_352_916, 8_246_912_000),
    ("YOLOESegment26", [20, 32, 96, 512, True, 16, None, [64, 128, 256]], LEVELS + [TEXT], False, (116, 8400),
     3_228_554, 3_228_538, 10_309_324_800),
    # yolo26n-sem (the auxiliary branch: parameters only), yolo26n-depth
    ("SemanticSegment", [19, [64, 128]], LEVELS[:2], False, (19, 80, 80), 113_318, 113_318, 490_700_800),
    ("SemanticSegment", [5, [64]], LEVELS[:1], False, (5, 80, 80), 37_317, 37_317, 479_232_000),
    ("Depth", [256, [64, 128, 256]], LEVELS, False, (1, 160, 160), 2_912_321, 2_912_321, 27_702_886_400),
    ("Depth", [70, [64, 128, 256]], LEVELS, False, (1, 160, 160), 241_202, 241_202, 2_150_496_000),
])
def test_text_and_dense_heads_match_ultralytics(name, args, inputs, legacy, shape, params, trainable, flops):
    """Output shape, parameters, trainable parameters and thop's FLOPs x 2 of the heads ultralytics 8.4.190
    built with these arguments (Detect.legacy set as parse_model sets it), run on zeros of these inputs."""
    from archlint.sources.ultralytics.heads import HEADS

    built = HEADS[name](args, inputs, legacy)
    assert (built.shape, built.params, built.params - built.frozen) == (shape, params, trainable)
    assert built.info_flops == flops


@pytest.mark.parametrize("name,args,inputs,message", [
    # torch's words for the real module (ultralytics 8.4.190): YOLO-World scores 80 text embeddings whatever nc
    ("WorldDetect", [7, 512, False, 16, None, [64, 128, 256]], LEVELS + [TEXT],
     "shape '[1, 71, -1]' is invalid for input of size 921600"),
    ("WorldDetect", [8, 512, False, 16, None, [64, 128, 256]], LEVELS + [TEXT],
     "The size of tensor a (8400) must match the size of tensor b (16800) at non-singleton dimension 2"),
    ("YOLOEDetect", [80, 256, True, 16, None, [64, 128, 256]], LEVELS + [TEXT],
     "Expected size for first two dimensions of batch2 tensor to be: [1, 512] but got: [1, 256]."),
    ("YOLOEDetect", [80, 64, True, 16, None, [64, 128, 256]], LEVELS + [(80, 64)], "AssertionError"),
    ("YOLOEDetect", [80, 512, False, 16, None, [64, 128, 256]], LEVELS + [TEXT], "AssertionError"),
    ("Depth", [64, [64, 128, 256]], [(64, 10, 10), (128, 5, 5), (256, 3, 3)],
     "The size of tensor a (6) must match the size of tensor b (5) at non-singleton dimension 3"),
])
def test_text_and_dense_head_failures(name, args, inputs, message):
    from archlint.sources.ultralytics.blocks import BlockError
    from archlint.sources.ultralytics.heads import HEADS

    with pytest.raises(BlockError) as caught:
        HEADS[name](args, inputs, False)
    assert caught.value.message.startswith(message)


WORLD = """\
nc: 80
backbone:
  - [-1, 1, Conv, [16, 3, 2]] # 0-P1/2
  - [-1, 1, Conv, [32, 3, 2]] # 1-P2/4
  - [-1, 1, Conv, [64, 3, 2]] # 2-P3/8
  - [-1, 1, Conv, [128, 3, 2]] # 3-P4/16
head:
  - [-1, 1, C2fAttn, [128, 64, 2]] # 4
  - [[2, 4], 1, ImagePoolingAttn, [64]] # 5
  - [4, 1, C2fAttn, [128, 64, 2]] # 6
  - [[2, 6], 1, WorldDetect, [nc, 512, True]] # 7
"""


def test_a_yolo_world_file_matches_ultralytics(tmp_path):
    # tasks.WorldModel(this file): per-row parameters, 1,105,000 parameters, 1,104,984 gradients, and
    # get_flops(model, 640) = 6.520489984 GFLOPs (thop counts the attention's einsums and the text products)
    result = check(tmp_path, WORLD)
    assert found(result) == []
    assert [layer.params for layer in result.model.layers] == [464, 4672, 18560, 73984, 193474, 88128, 193474,
                                                                532244]
    assert (result.model.total_params, result.model.trainable_params) == (1_105_000, 1_104_984)
    assert result.source.by_scale[""].flops == 6_520_489_984
    assert result.model.layers[5].output.shape == (None, 80, 512)  # the updated text embeddings


def test_a_yolo_world_file_with_another_nc_fails_as_ultralytics_does(tmp_path):
    # WorldModel's text embeddings are 80 whatever the file's nc (ultralytics 8.4.190 fails to build
    # nc: 7 with "shape '[1, 71, -1]' is invalid"); an ImagePoolingAttn whose ct is not the embeddings' 512
    # fails in its LayerNorm, and the rows after it are not blamed for it
    result = check(tmp_path, WORLD.replace("nc: 80", "nc: 7"))
    assert found(result) == [("E142", 11, 31)]  # the `nc` argument
    assert "shape '[1, 71, -1]' is invalid" in result.findings[0].hint
    result = check(tmp_path, WORLD.replace("ImagePoolingAttn, [64]", "ImagePoolingAttn, [64, 256]"))
    assert found(result) == [("E142", 9, 40)]  # its ct argument, 256
    assert "Given normalized_shape=[256]" in result.findings[0].hint


def test_c2fattn_reads_the_80_text_embeddings_whatever_nc(tmp_path):
    # tasks.WorldModel(this file) with nc: 7: 670,064 parameters, get_flops(model, 640) = 4.04471808 GFLOPs, the
    # count of C2fAttn's attention over 80 text embeddings (the model's, not nc's)
    result = check(tmp_path, WORLD.replace("nc: 80", "nc: 7").split("  - [[2, 4]")[0] + "  - [[2, 4], 1, Detect, [nc]]\n")
    assert found(result) == []
    assert (result.model.total_params, result.source.by_scale[""].flops) == (670_064, 4_044_718_080)


def test_a_row_reading_image_pooling_attn_fails(tmp_path):
    # WorldModel keeps ImagePoolingAttn's output (the text embeddings) for itself: a row reading it gets the
    # list of its inputs, and ultralytics 8.4.190 fails with "TypeError: conv2d() received an invalid
    # combination of arguments - got (list, ...)"
    result = check(tmp_path, WORLD.replace("  - [4, 1, C2fAttn", "  - [-1, 1, C2fAttn"))
    assert found(result) == [("E142", 10, 6)]
    assert "reads row 5 (ImagePoolingAttn)" in result.findings[0].message
