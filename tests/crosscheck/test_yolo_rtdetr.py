"""The RT-DETR decoder head, Index, nn.Upsample's interpolating modes, nn.AdaptiveAvgPool2d to any size and
`--nc`, against ultralytics 8.4.190 and torch 2.13 (hypothesis-drawn arguments and inputs):

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=$(mktemp -d) python -m pytest -q -m crosscheck tests/crosscheck/test_yolo_rtdetr.py

archlint's shape, parameters, MACs (torch.utils.flop_counter's FLOPs / 2) and FLOPs as ultralytics' GFLOPs
counts them (thop.profile x 2) must equal the module's; an error exactly when the module fails. The decoder is
compared in inference (eval), its first output: (boxes, 6)."""

from __future__ import annotations

import copy
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.crosscheck

from yolo_harness import torch  # noqa: E402

thop = pytest.importorskip("thop")
yaml = pytest.importorskip("yaml")

from helpers import EXAMPLES  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from archlint.sources.ultralytics.blocks import BLOCKS, BlockError, NotModelled  # noqa: E402
from archlint.sources.ultralytics.heads import HEADS  # noqa: E402

warnings.filterwarnings("ignore")
SETTINGS = settings(max_examples=int(os.environ.get("ARCHLINT_YOLO_EXAMPLES", "30")), deadline=None, suppress_health_check=list(HealthCheck))
DECODER = ("nc", "ch", "hd", "nq", "ndp", "nh", "ndl", "d_ffn", "dropout", "act", "eval_idx", "nd",
           "label_noise_ratio", "box_noise_scale", "learnt_init_query")


def measure(module, x):
    """(shape without the batch, params, MACs, thop's FLOPs) of a module run on x in eval mode, or an error."""
    try:
        module = module().eval()
        with torch.no_grad():
            with FlopCounterMode(display=False) as counter:
                y = module(x)
            ops = thop.profile(module, inputs=(x,), verbose=False)[0]
    except Exception as exc:  # noqa: BLE001 - any failure of the real module is the verdict compared
        return ("error", str(exc))
    while isinstance(y, (list, tuple)):
        y = y[0]
    return (tuple(y.shape[1:]), sum(p.numel() for p in module.parameters()), counter.get_total_flops() // 2,
            2 * int(ops))


def ours(build, *args):
    try:
        built = build(*args)
    except NotModelled:
        return ("not modelled",)  # W135: what torch does next is not followed (an empty map)
    except BlockError as exc:
        return ("error", exc.message)
    return built.shape, built.params, built.macs, built.info_flops


def same(real, mine):
    if real[0] == mine[0] == "error" or mine[0] == "not modelled":
        return
    assert mine == real


@SETTINGS
@given(levels=st.lists(st.tuples(st.sampled_from([8, 16, 24]), st.integers(1, 9), st.integers(1, 9)), min_size=1,
                       max_size=4),
       nc=st.integers(1, 12), hd=st.sampled_from([16, 24, 32]), nq=st.sampled_from([1, 7, 30, 300]),
       ndp=st.integers(1, 4), nh=st.sampled_from([1, 2, 4, 8]), ndl=st.integers(1, 3),
       d_ffn=st.sampled_from([0, 8, 48]), eval_idx=st.sampled_from([-1, -1, 0, 1, -2, 3]),
       learnt=st.booleans(), wrong_channels=st.booleans())
def test_rtdetr_decoder(levels, nc, hd, nq, ndp, nh, ndl, d_ffn, eval_idx, learnt, wrong_channels):
    from ultralytics.nn.modules import RTDETRDecoder

    chs = [c for c, _, _ in levels]
    if wrong_channels:
        chs[-1] += 8
    values = dict(nc=nc, ch=chs, hd=hd, nq=nq, ndp=ndp, nh=nh, ndl=ndl, d_ffn=d_ffn, eval_idx=eval_idx,
                  learnt_init_query=learnt)
    xs = [torch.zeros(1, *shape) for shape in levels]
    args = [values.get(name, default) for name, default in
            zip(DECODER, (80, (), 256, 300, 4, 8, 6, 1024, 0.0, None, -1, 100, 0.5, 1.0, False))]
    same(measure(lambda: RTDETRDecoder(**values), xs), ours(HEADS["RTDETRDecoder"], args, levels))


@SETTINGS
@given(mode=st.sampled_from(["nearest", "nearest-exact", "bilinear", "bicubic", "area", "linear", "trilinear"]),
       align=st.sampled_from([None, None, True, False]),
       resize=st.one_of(st.tuples(st.integers(1, 12), st.integers(1, 12)).map(lambda s: {"size": list(s)}),
                        st.sampled_from([2, 3, 0.5, 1.5]).map(lambda f: {"scale_factor": f})),
       c=st.integers(1, 8), h=st.integers(1, 10), w=st.integers(1, 10))
def test_upsample(mode, align, resize, c, h, w):
    args = [resize.get("size"), resize.get("scale_factor"), mode, align]
    real = measure(lambda: torch.nn.Upsample(*args), torch.zeros(1, c, h, w))
    same(real, ours(BLOCKS["nn.Upsample"], args, [(c, h, w)]))


@SETTINGS
@given(size=st.one_of(st.integers(1, 12), st.tuples(st.one_of(st.none(), st.integers(1, 12)),
                                                     st.one_of(st.none(), st.integers(1, 12))).map(list)),
       c=st.integers(1, 8), h=st.integers(1, 16), w=st.integers(1, 16))
def test_adaptive_avg_pool(size, c, h, w):
    real = measure(lambda: torch.nn.AdaptiveAvgPool2d(size), torch.zeros(1, c, h, w))
    same(real, ours(BLOCKS["nn.AdaptiveAvgPool2d"], [size], [(c, h, w)]))


@SETTINGS
@given(c2s=st.lists(st.integers(1, 16), min_size=1, max_size=3), index=st.integers(-4, 3), h=st.integers(1, 8))
def test_index(c2s, index, h):
    from ultralytics.nn.modules import Index

    parts = [(c, h, h) for c in c2s]
    real = measure(lambda: Index(index), tuple(torch.zeros(1, *p) for p in parts))
    same(real, ours(BLOCKS["Index"], [index], [parts]))


@pytest.mark.parametrize("name,nc", [("tiny-detector.yaml", 5), ("tiny-detector.yaml", 1), ("tiny-rtdetr.yaml", 7),
                                     ("yolo11n-like.yaml", 20)])
def test_nc_overrides_as_ultralytics(name, nc):
    from ultralytics.nn.tasks import DetectionModel
    from ultralytics.utils.torch_utils import get_flops

    from archlint.lint import lint_file

    path = EXAMPLES / "yolo" / name
    model = DetectionModel(copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8"))), nc=nc, verbose=False)
    result = lint_file(str(path), settings={"nc": nc})
    assert [f for f in result.findings if f.is_error] == []
    assert result.model.total_params == sum(p.numel() for p in model.parameters())
    assert result.model.trainable_params == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert result.source.by_scale[""].flops / 1e9 == get_flops(model, 640)


@SETTINGS
@given(n=st.sampled_from([1, 2, 3, 4, 8]), c=st.integers(1, 8), h=st.integers(1, 8), w=st.integers(1, 8))
def test_prelu(n, c, h, w):
    real = measure(lambda: torch.nn.PReLU(n), torch.zeros(1, c, h, w))
    same(real, ours(BLOCKS["nn.PReLU"], [n], [(c, h, w)]))


@pytest.mark.parametrize("levels,nq,hd", [("[12, 9, 6]", 100, 64), ("[5, 6]", 100, 64), ("[12, 6]", 300, 32),
                                          ("[6]", 40, 64), ("[12, 9, 6]", 500, 32)])
def test_rtdetr_gflops_as_get_flops(tmp_path, levels, nq, hd):
    """get_flops' proxies: saturated (three levels), unsaturated (two stride-32 levels), too wide for 640
    (500 queries): archlint's figure is ultralytics' to the last digit."""
    from ultralytics.nn.tasks import DetectionModel
    from ultralytics.utils.torch_utils import get_flops

    from archlint.lint import lint_file

    data = yaml.safe_load((EXAMPLES / "yolo" / "tiny-rtdetr.yaml").read_text(encoding="utf-8"))
    data["head"][1][3] = [128, 1, 1]  # row 6 as wide as row 5, so that either can be a level
    data["head"][-1] = [yaml.safe_load(levels), 1, "RTDETRDecoder", ["nc", hd, nq, 4, 4, 2, 256]]
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = lint_file(str(path))
    model = DetectionModel(copy.deepcopy(data), verbose=False)
    assert [f for f in result.findings if f.is_error] == []
    assert result.model.total_params == sum(p.numel() for p in model.parameters())
    assert result.source.by_scale[""].flops / 1e9 == get_flops(model, 640)
