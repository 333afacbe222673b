"""Edited Ultralytics YAMLs drawn by hypothesis (rows inserted or removed, `from` changed, modules swapped,
arguments changed, scales, image sizes): archlint's verdict (any error) must equal whether ultralytics 8.4 builds
the model and runs a forward pass at that image size.

One convention: E139 (the image size is not a multiple of the largest stride) is not part of the verdict,
because ultralytics' predictor rounds such a size up with a warning rather than failing; when the size
makes the levels disagree, the forward pass fails and archlint says so with E132/E142 as well. Files with
a row archlint does not model (W135) are not compared.
"""

from __future__ import annotations

import copy
import os

import pytest

pytestmark = pytest.mark.crosscheck

from yolo_harness import torch  # noqa: E402

yaml = pytest.importorskip("yaml")
hypothesis = pytest.importorskip("hypothesis")
from helpers import EXAMPLES  # noqa: E402
from hypothesis import HealthCheck, assume, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# a small YOLO-World file of ours: the text-guided rows (C2fAttn, ImagePoolingAttn, WorldDetect)
WORLD = """\
nc: 80
backbone:
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [64, 3, 2]]
  - [-1, 1, Conv, [128, 3, 2]]
head:
  - [-1, 1, C2fAttn, [128, 64, 2]]
  - [[2, 4], 1, ImagePoolingAttn, [64]]
  - [4, 1, C2fAttn, [128, 64, 2]]
  - [[2, 6], 1, WorldDetect, [nc, 512, True]]
"""
BASES = [yaml.safe_load((EXAMPLES / "yolo" / name).read_text(encoding="utf-8"))
         for name in ("tiny-detector.yaml", "yolov8n-like.yaml", "tiny-rtdetr.yaml")] + [yaml.safe_load(WORLD)]
NOT_IN_VERDICT = {"E139"}

ONE_INPUT_ROWS = [
    [-1, 1, "Conv", [32, 3, 2]], [-1, 1, "Conv", [16, 1, 1]], [-1, 1, "Conv", [64, 3, 1]],
    [-1, 1, "C2f", [32, True]], [-1, 2, "C2f", [64]], [-1, 1, "SPPF", [64, 5]], [-1, 1, "GhostConv", [32, 3, 2]],
    [-1, 1, "DWConv", [32, 3, 1]], [-1, 1, "Bottleneck", [32]], [-1, 1, "C3", [32]], [-1, 1, "C3k2", [32, False]],
    [-1, 1, "nn.Upsample", [None, 2, "nearest"]], [-1, 1, "nn.MaxPool2d", [2, 2]], [-1, 2, "Conv", [32, 3, 1]],
    [-1, 1, "nn.Conv2d", [64, 32, 1]], [-1, 1, "Conv", [16, 7, 1, 0]],
]


@st.composite
def edited(draw):
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    if "scales" in data:  # the small scales only: a forward pass of scale x takes seconds
        data["scale"] = draw(st.sampled_from(["n", "s"]))
    rows = data["backbone"] + data["head"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["from", "insert", "remove", "swap", "args"]))
        index = draw(st.integers(0, len(rows) - 1))
        if kind == "from":
            value = draw(st.integers(-4, len(rows)))
            if isinstance(rows[index][0], list):
                rows[index][0][draw(st.integers(0, len(rows[index][0]) - 1))] = value
            else:
                rows[index][0] = value
        elif kind == "insert":
            rows.insert(index, copy.deepcopy(draw(st.sampled_from(ONE_INPUT_ROWS))))
        elif kind == "remove" and index < len(rows) - 1:
            rows.pop(index)
        elif kind == "swap" and not isinstance(rows[index][0], list):
            replacement = copy.deepcopy(draw(st.sampled_from(ONE_INPUT_ROWS)))
            rows[index][1:] = replacement[1:]
        elif kind == "args" and rows[index][2] in ("Conv", "C2f", "SPPF") and rows[index][3]:
            rows[index][3][0] = draw(st.sampled_from([8, 24, 48, 64, 100]))
    split = min(len(data["backbone"]), len(rows) - 1)  # the rows are numbered across both lists
    data["backbone"], data["head"] = rows[:split], rows[split:]
    return data, draw(st.sampled_from([64, 96, 100, 128, 160, 320]))


def ultralytics_accepts(data: dict, imgsz: int) -> bool:
    from ultralytics.nn.tasks import DetectionModel, WorldModel

    kind = WorldModel if data["head"][-1][2] == "WorldDetect" else DetectionModel  # as YOLOWorld builds it
    try:
        model = kind(copy.deepcopy(data), verbose=False)
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, 3, imgsz, imgsz))
    except Exception:  # noqa: BLE001 - any failure is the verdict
        return False
    return True


@settings(max_examples=int(os.environ.get("ARCHLINT_YOLO_EXAMPLES", "60")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(edited())
def test_verdict_equals_ultralytics(tmp_path_factory, case):
    from archlint.lint import lint_file

    data, imgsz = case
    path = tmp_path_factory.mktemp("yolo") / "edited.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    settings = {"imgsz": imgsz, **({"scale": data["scale"]} if "scale" in data else {})}
    result = lint_file(str(path), settings=settings)
    assert not result.internal_error, result.findings
    assume(not any(f.rule.code == "W135" for f in result.findings))
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error and f.rule.code not in NOT_IN_VERDICT]
    accepted = ultralytics_accepts(data, imgsz)
    event("ultralytics builds and runs it" if accepted else "ultralytics fails")
    assert (not errors) == accepted, (errors, yaml.safe_dump(data), imgsz)
