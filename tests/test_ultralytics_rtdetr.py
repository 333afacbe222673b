"""Ultralytics pieces beyond the YOLO heads (issue 13): the RT-DETR decoder head, Index, nn.Upsample's
interpolating modes, nn.AdaptiveAvgPool2d to any size, and `--nc`. Every number was printed by ultralytics
8.4.190 / torch 2.13 / thop (module parameters, thop.profile x 2, output shapes); the framework comparisons
themselves are tests/crosscheck/test_yolo_rtdetr.py and test_yolo_shipped.py."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from archlint.cli import main
from archlint.lint import lint_file
from archlint.sources.ultralytics.blocks import BLOCKS, BlockError, NotModelled
from archlint.sources.ultralytics.heads import HEADS

YOLO = EXAMPLES / "yolo"


def check(tmp_path, text: str, **settings):
    path = tmp_path / "model.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lint_file(str(path), settings=settings)


def found(result) -> list[tuple[str, int, int]]:
    return [(f.rule.code, f.line, f.column) for f in result.findings]


# ------------------------------------------------------------------------------------------ RT-DETR

def test_tiny_rtdetr_matches_ultralytics():
    result = lint_file(str(YOLO / "tiny-rtdetr.yaml"))
    assert found(result) == []
    assert (result.model.total_params, result.model.trainable_params) == (721_029, 721_029)
    assert result.source.by_scale[""].flops == 2_985_678_400  # get_flops(model, 640) * 1e9, exactly
    assert result.model.output_shape == (None, 100, 6)  # (queries, x1 y1 x2 y2 score class) in inference
    lines = result.source.totals(result.model)
    assert lines[-1] == "Ultralytics: 14 rows, 721,029 parameters, 721,029 gradients, 3.0 GFLOPs at 640"


@pytest.mark.parametrize("args,levels,params,flops,shape", [
    # rtdetr-l's decoder at 640: the defaults (hd 256, 300 queries, 6 layers, 4 points, 8 heads)
    ([80, [256, 256, 256]], [(256, 80, 80), (256, 40, 40), (256, 20, 20)], 7_466_252, 14_155_248_000, (300, 6)),
    # 84 anchors for 300 queries: 84 queries, and still 300 rows of boxes (84 x 80 candidates)
    ([80, [64, 128, 256], 128, 300, 4, 8, 3], [(64, 8, 8), (128, 4, 4), (256, 2, 2)], 1_495_600, 260_464_960,
     (300, 6)),
])
def test_rtdetr_decoder_matches_ultralytics(args, levels, params, flops, shape):
    built = HEADS["RTDETRDecoder"](args, levels)
    assert (built.params, built.flops, built.shape) == (params, flops, shape)


@pytest.mark.parametrize("args,message", [
    ([3, [16, 16], 30, 10, 4, 4], "embed_dim must be divisible by num_heads"),
    ([3, [16, 16], 32, 10, 4, 8, 2, 64, 0.0, None, 2], "stack expects a non-empty TensorList"),  # eval_idx 2 of 2
    ([3, [16, 16], 32, 0], "cannot reshape tensor of 0 elements"),
    ([0, [16, 16], 32], "max(): Expected reduction dim 2 to have non-zero size."),
    ([3, [16, 24], 32], "expected input[1, 16, 4, 4] to have 24 channels, but got 16 channels instead"),
])
def test_rtdetr_decoder_fails_as_ultralytics(args, message):
    with pytest.raises(BlockError) as failure:
        HEADS["RTDETRDecoder"](args, [(16, 8, 8), (16, 4, 4)])
    assert message in failure.value.message


RTDETR_PROBE = """\
nc: 3
backbone:
  - [-1, 1, Conv, [16, 3, 2]] # 0-P1/2
  - [-1, 1, Conv, [32, 3, 2]] # 1-P2/4
  - [-1, 1, Conv, [32, 3, 2]] # 2-P3/8
  - [-1, 1, Conv, [32, 3, 2]] # 3-P4/16
  - [-1, 1, Conv, [32, 3, 2]] # 4-P5/32
  - [-1, 1, Conv, [8, 9, 1, 0]] # 5: 8x8 at the 256 probe, too small for its 9x9 kernel; 20x20 at 640
head:
  - [[2, 3, 4], 1, {head}, [nc{extra}]] # 6
"""


def test_an_rtdetr_model_is_built_without_the_256_probe(tmp_path):
    # ultralytics builds a model with an RT-DETR head without a forward pass (its stride is set to 32): the row
    # that only fails at 256 is no error there; with Detect the build itself fails
    rtdetr = check(tmp_path, RTDETR_PROBE.format(head="RTDETRDecoder", extra=", 32, 20, 4, 4, 1"))
    assert found(rtdetr) == [("W133", 8, 5)]
    detect = check(tmp_path, RTDETR_PROBE.format(head="Detect", extra=""))
    assert found(detect) == [("W133", 8, 5), ("E143", 8, 13)]


def test_an_rtdetr_model_checks_the_image_size_against_stride_32(tmp_path):
    result = check(tmp_path, RTDETR_PROBE.format(head="RTDETRDecoder", extra=", 32, 20, 4, 4, 1"), imgsz=600)
    assert found(result) == [("W133", 8, 5), ("E139", 10, 6)]
    assert "largest stride 32: ultralytics rounds it up to 608" in result.findings[-1].message


# ------------------------------------------------------------------------------------------ Index

INDEX = """\
nc: 3
backbone:
  - [-1, 1, Conv, [16, 3, 2]] # 0
  - [-1, 1, Conv, [32, 3, 2]] # 1
  - [-1, 1, CBLinear, [[16, 32]]] # 2
  - [-1, 1, Index, [{c2}, {i}]] # 3
  - [-1, 1, Conv, [64, 3, 2]] # 4
head:
  - [[4], 1, Detect, [nc]] # 5
"""


def test_index_picks_one_of_cblinears_outputs(tmp_path):
    result = check(tmp_path, INDEX.format(c2=32, i=1))
    assert found(result) == []
    assert result.model.total_params == 177_619  # ultralytics' count
    assert result.source.by_scale[""].flops == 2_618_163_200
    layers = {layer.name: layer for layer in result.model.layers}
    assert layers["model.3"].output.shape == (None, 32, 160, 160)


def test_index_mistakes(tmp_path):
    # index 0 picks the 16-channel output while the row says 32: the next Conv is built for 32
    assert found(check(tmp_path, INDEX.format(c2=32, i=0))) == [("W136", 6, 21), ("E133", 7, 19)]
    out_of_range = check(tmp_path, INDEX.format(c2=32, i=2))
    assert found(out_of_range) == [("E142", 6, 25)]
    assert "tuple index out of range" in out_of_range.findings[0].hint


def test_index_of_one_tensor():
    with pytest.raises(NotModelled):  # x[0] of a (1, C, H, W) tensor: an unbatched tensor
        BLOCKS["Index"]([0], [(8, 4, 4)])
    with pytest.raises(BlockError) as failure:
        BLOCKS["Index"]([1], [(8, 4, 4)])
    assert failure.value.message == "index 1 is out of bounds for dimension 0 with size 1"


# ------------------------------------------------------------------------------------------ torch.nn rows

@pytest.mark.parametrize("name,args,shape,flops", [
    ("nn.Upsample", [None, 2, "bilinear"], (16, 20, 20), 140_800),  # thop: 11 per output
    ("nn.Upsample", [[7, 9], None, "bicubic", True], (16, 7, 9), 522_144),  # 259 per output
    ("nn.Upsample", [None, 2, "area"], (16, 20, 20), 0),
    ("nn.AdaptiveAvgPool2d", [[2, 3]], (16, 2, 3), 1344),
    ("nn.AdaptiveAvgPool2d", [[None, 7]], (16, 5, 7), 3040),
])
def test_resizes_count_as_thop(name, args, shape, flops):
    size = (16, 5, 6) if name == "nn.AdaptiveAvgPool2d" else (16, 10, 10)
    built = BLOCKS[name](args, [size])
    assert (built.shape, built.macs, built.info_flops) == \
        (shape, 0, flops)


@pytest.mark.parametrize("name,args,message", [
    ("nn.Upsample", [None, 2, "linear"], "Got 4D input, but linear mode needs 3D input"),
    ("nn.Upsample", [None, 2, "trilinear"], "Got 4D input, but trilinear mode needs 5D input"),
    ("nn.Upsample", [None, 2, "nearest", True], "align_corners option can only be set with the interpolating"),
    ("nn.Upsample", [None, 2, "Bilinear"], "(got Bilinear)"),
    ("nn.AdaptiveAvgPool2d", [-1], "must be greater than or equal to 0 but received {-1, -1}"),
    ("nn.AdaptiveAvgPool2d", [[1, 2, 3]], "output_size must be 2"),
])
def test_resizes_fail_as_torch(name, args, message):
    with pytest.raises(BlockError) as failure:
        BLOCKS[name](args, [(16, 10, 10)])
    assert message in failure.value.message


# ------------------------------------------------------------------------------------------ --nc

def test_nc_overrides_the_files(tmp_path):
    result = lint_file(str(YOLO / "tiny-detector.yaml"), settings={"nc": 5})
    assert found(result) == []
    assert result.model.total_params == 611_946  # DetectionModel(cfg, nc=5); the file's nc=3 gives 611,686
    assert lint_file(str(YOLO / "tiny-rtdetr.yaml"), settings={"nc": 7}).model.total_params == 722_065
    run = CliRunner().invoke(main, ["summary", "--nc", "5", str(YOLO / "tiny-detector.yaml")])
    assert run.exit_code == 0, run.output
    assert "Detect       [5, 16, None, [64, 128]]" in run.stdout


def test_nc_for_a_file_without_nc(tmp_path):
    text = (YOLO / "tiny-detector.yaml").read_text(encoding="utf-8").replace("nc: 3\n", "")
    result = check(tmp_path, text, nc=5)
    assert found(result) == [("E136", 3, 1)]  # ultralytics compares the two: KeyError: 'nc'
    assert "KeyError: 'nc'" in result.findings[0].hint


# ------------------------------------------------------------------------------------------ PReLU, activation

def test_prelu_rows():
    built = BLOCKS["nn.PReLU"]([16], [(16, 10, 10)])
    assert (built.shape, built.params, built.macs, built.flops) == ((16, 10, 10), 16, 0, 3200)  # thop: 1 per element
    assert BLOCKS["nn.PReLU"]([], [(16, 10, 10)]).params == 1
    with pytest.raises(BlockError) as failure:
        BLOCKS["nn.PReLU"]([4], [(3, 4, 5)])
    assert failure.value.message == ("Mismatch of parameter numbers and input channel size. Found parameter numbers "
                                     "= 4 and channel size = 3.")


@pytest.mark.parametrize("line,expected", [
    ("activation: torch.nn.ReLU()", []),  # as yolov6.yaml: no weights, no operations thop counts
    ("activation: nn.LeakyReLU(0.1)", []),
    ("activation: nn.PReLU()", [("W135", 21, 13)]),  # one PReLU every Conv shares: not in the totals
    ("activation: 3", [("E140", 21, 13)]),  # TypeError: eval() arg 1 must be a string
    ("activation: 0", []),  # ignored
])
def test_the_files_activation(tmp_path, line, expected):
    text = (YOLO / "tiny-detector.yaml").read_text(encoding="utf-8") + line + "\n"
    assert found(check(tmp_path, text)) == expected


def test_rtdetr_gflops_as_ultralytics_extrapolates_them():
    # a decoder reading two stride-32 levels: ultralytics' proxies (20-23 cells wide, sized for levels at strides
    # 16 and 32) hold fewer anchors than its 100 queries, so get_flops' quadratic fit, 3.3455968, is not the
    # count at 640 (2,764,238,400 FLOPs); archlint reports get_flops' figure
    text = (YOLO / "tiny-rtdetr.yaml").read_text(encoding="utf-8")
    text = text.replace("[[12, 9, 6], 1, RTDETRDecoder", "[[5, 6], 1, RTDETRDecoder")
    text = text.replace("[-1, 1, Conv, [64, 1, 1]]                    # 6", "[-1, 1, Conv, [128, 1, 1]]  # 6")
    assert text.count("[[5, 6], 1, RTDETRDecoder") == 1 and "[128, 1, 1]]  # 6" in text
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "two-levels.yaml"
        path.write_text(text, encoding="utf-8")
        result = lint_file(str(path))
    assert [f.rule.code for f in result.findings] == ["W133"]  # row 12 is no longer read
    assert result.model.total_params == 735_269
    assert result.source.by_scale[""].flops == 3_345_596_800
