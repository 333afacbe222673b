"""Every model YAML the installed ultralytics ships, at every scale it defines: archlint's per-row and total
parameters, trainable parameters ("gradients"), output shapes at 640 and GFLOPs (to the printed precision
of model.info()) against the model ultralytics builds from the same file.

The YAMLs are read from the installed package (never copied into this repository). A file whose rows
archlint does not model yet (W135) is skipped naming the module (never an RT-DETR file: rtdetr-*,
yolov8-rtdetr); `yolo11-cls-resnet18` is skipped because its TorchVision row needs torchvision, which this
environment has only as metadata.
"""

from __future__ import annotations

import copy
import glob
import os

import pytest

pytestmark = pytest.mark.crosscheck

from yolo_harness import torch, ultralytics  # noqa: E402

yaml = pytest.importorskip("yaml")

ROOT = os.path.join(os.path.dirname(ultralytics.__file__), "cfg", "models")
SKIP = {"yolo11-cls-resnet18": "its TorchVision row needs torchvision (only metadata is installed here)"}


def _cases():
    for path in sorted(glob.glob(os.path.join(ROOT, "**", "*.yaml"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        stem = os.path.splitext(os.path.basename(path))[0]
        for scale in list(data.get("scales") or {}) or [None]:
            yield pytest.param(path, scale, id=f"{stem}[{scale}]")


def build(data: dict, scale):
    from ultralytics.nn import tasks

    data = copy.deepcopy(data)
    if scale:
        data["scale"] = scale
    task = tasks.guess_model_task(data)
    kind = {"segment": tasks.SegmentationModel, "pose": tasks.PoseModel, "obb": tasks.OBBModel,
            "classify": tasks.ClassificationModel, "semantic": tasks.SemanticSegmentationModel,
            "depth": tasks.DepthModel}.get(task, tasks.DetectionModel)
    # YOLO() builds a `-world` file with WorldModel and a `yoloe` one with YOLOEModel/YOLOESegModel (by file
    # name); the shipped files are recognised by their heads
    kind = {"WorldDetect": tasks.WorldModel, "YOLOEDetect": tasks.YOLOEModel, "YOLOESegment": tasks.YOLOESegModel,
            "YOLOESegment26": tasks.YOLOESegModel}.get(data["head"][-1][2], kind)
    return kind(data, verbose=False)


def shape_of(output) -> tuple:
    """A row's output as archlint gives it: a list of feature maps (CBLinear's split) as their concatenation,
    a head's tuple as its first tensor."""
    if isinstance(output, (list, tuple)) and output and all(torch.is_tensor(t) and t.dim() == 4 for t in output):
        first = output[0].shape
        return (first[0], sum(t.shape[1] for t in output), *first[2:])
    while isinstance(output, (list, tuple)):
        output = output[0]
    return tuple(output.shape)


@pytest.mark.parametrize("path,scale", list(_cases()))
def test_shipped_yaml_matches_ultralytics(path, scale):
    from ultralytics.utils.torch_utils import get_flops

    from archlint.lint import lint_file

    stem = os.path.splitext(os.path.basename(path))[0]
    if stem in SKIP:
        pytest.skip(SKIP[stem])
    result = lint_file(path, settings={"scale": scale} if scale else {})
    unmodelled = [f.message for f in result.findings if f.rule.code == "W135"]
    assert not (unmodelled and "rtdetr" in stem), unmodelled  # RT-DETR files are modelled to the last row
    if unmodelled:
        pytest.skip(unmodelled[0])
    assert [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error] == []
    with open(path, encoding="utf-8") as handle:
        model = build(yaml.safe_load(handle), scale)
    ours = {layer.name: layer for layer in result.model.layers}
    rows = list(model.model)
    assert len(ours) == len(rows)
    shapes = {}
    hooks = [row.register_forward_hook(lambda m, i, o, k=row.i: shapes.__setitem__(k, shape_of(o)))
             for row in rows]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 640, 640))
    for hook in hooks:
        hook.remove()
    for row in rows:
        layer = ours[f"model.{row.i}"]
        params = sum(p.numel() for p in row.parameters())
        grads = sum(p.numel() for p in row.parameters() if p.requires_grad)
        assert (row.i, layer.params, layer.trainable) == (row.i, params, grads)
        assert (row.i, layer.output.shape[1:]) == (row.i, shapes[row.i][1:])
    assert result.model.total_params == sum(p.numel() for p in model.parameters())
    assert result.model.trainable_params == sum(p.numel() for p in model.parameters() if p.requires_grad)
    figures = result.source.by_scale[""]
    gflops = get_flops(model, 640)
    assert f"{figures.flops / 1e9:.1f}" == f"{gflops:.1f}"
    if "rtdetr" in stem:  # the RT-DETR files to the last digit (2 x thop's integer count / 1e9 either way)
        assert figures.flops / 1e9 == gflops
