"""GFLOPs as ultralytics 8.4.190's get_flops(model, 640) reports them (what model.info() prints), for models
whose cost does not follow the image area: thop extrapolates from proxy images one stride tall, so a row of
fixed output size gives a figure other than the count at 640. The numbers were recorded in /work/fwenv
(ultralytics 8.4.190, ultralytics-thop 2.2.3, torch 2.13) as round(get_flops(Model(file), 640) * 1e9), Model the
class named in each case; tests/crosscheck/test_yolo_flops.py recomputes them."""

from __future__ import annotations

import pytest

from archlint.lint import lint_file

_STEM = """nc: 10
backbone:
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
"""

# name -> (model class, YAML, get_flops x 1e9, the count at 640)
CASES = {
    # ClassificationModel: stride 1, so 32x32 and 32x64 proxies, a line through them to 400 cells
    "pool-40x30-cls": ("ClassificationModel", _STEM + """  - [-1, 1, nn.AdaptiveAvgPool2d, [[40, 30]]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [-1, 1, Classify, [nc]]
""", 724_759_040, 721_103_360),
    "pool-5x7-cls": ("ClassificationModel", _STEM + """  - [-1, 1, nn.AdaptiveAvgPool2d, [[5, 7]]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [-1, 1, Classify, [nc]]
""", 472_010_432, 471_628_480),
    "upsample-size-cls": ("ClassificationModel", _STEM + """  - [-1, 1, nn.Upsample, [[40, 40]]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [-1, 1, Classify, [nc]]
""", 806_120_960, 806_120_960),
    # six stride-2 convolutions: the 32x32 proxy's last levels are 1x1 where the 640 image's are not a 64th
    "deep-cls": ("ClassificationModel", _STEM + """  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [64, 3, 2]]
head:
  - [-1, 1, Classify, [nc]]
""", 501_285_376, 522_472_960),
    # no adaptive pool: thop takes the 32x32 proxy times 400 cells, the constant part of the cost with it
    "upsample-bilinear-size-detect": ("DetectionModel", _STEM + """  - [-1, 1, nn.Upsample, [[24, 20], None, 'bilinear']]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [[4], 1, Detect, [nc]]
""", 66_634_547_200, 629_094_400),
    # DetectionModel: the strides ultralytics measures at 256 are 256/40 = 6.4, so proxies of 32
    "pool-40x30-detect": ("DetectionModel", _STEM + """  - [-1, 1, nn.AdaptiveAvgPool2d, [[40, 30]]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [[4], 1, Detect, [nc]]
""", 880_634_880, 876_979_200),
    # stride 256 (a 1x1 level at 256): 640 is not a multiple of it, so thop counts at 640 directly
    "pool-1-detect": ("DetectionModel", _STEM + """  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, nn.AdaptiveAvgPool2d, [1]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [[6], 1, Detect, [nc]]
""", 501_412_800, 501_412_800),
    # stride 64 from the 4x3 level at 256: proxies 64 tall
    "pool-4x3-stride64": ("DetectionModel", _STEM + """  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, nn.AdaptiveAvgPool2d, [[4, 3]]]
head:
  - [[7], 1, Detect, [nc]]
""", 482_892_032, 483_122_176),
    # attention (C3TR): a quadratic through three proxies, checked on the fourth
    "c3tr-detect": ("DetectionModel", _STEM + """  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, C3TR, [32]]
  - [-1, 1, Conv, [64, 3, 1]]
head:
  - [[6], 1, Detect, [nc]]
""", 656_585_600, 656_585_600),
}


def flops_of(tmp_path, name: str) -> int:
    path = tmp_path / f"{name}.yaml"
    path.write_text(CASES[name][1])
    result = lint_file(str(path))
    # E139 only: 640 is not a multiple of the largest stride (ultralytics rounds a training size up)
    assert {f.rule.code for f in result.findings if f.rule.code.startswith("E")} <= {"E139"}
    return result.source.by_scale[""].flops


@pytest.mark.parametrize("name", sorted(CASES))
def test_flops_follow_get_flops(tmp_path, name):
    assert flops_of(tmp_path, name) == CASES[name][2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_count_at_640(tmp_path, monkeypatch, name):
    """thop's count at 640 (get_flops' fallback, archlint's figure before it followed the extrapolation): the
    cases where it differs are those the extrapolation changes."""
    from archlint.sources.ultralytics import source

    monkeypatch.setattr(source, "proxied_flops", lambda rows, legacy, head, direct, stride: direct)
    assert flops_of(tmp_path, name) == CASES[name][3]
