"""The Ultralytics module builders against the real modules (ultralytics 8.4.190, torch 2.13):

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=$(mktemp -d) python -m pytest -q -m crosscheck tests/crosscheck/test_yolo_blocks.py

Each module is instantiated with hypothesis-drawn constructor arguments and run on zeros of a drawn
(C, H, W); archlint's shape, parameters, MACs (torch.utils.flop_counter's FLOPs / 2) and FLOPs as
ultralytics' GFLOPs counts them (thop.profile x 2, what `model.info()` adds up) must equal the module's,
and a BlockError must be raised exactly when construction or the forward pass raises, with torch's words.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint.sources.ultralytics.blocks import BLOCKS, INNER, BlockError

pytestmark = pytest.mark.crosscheck

from yolo_harness import torch  # noqa: E402

thop = pytest.importorskip("thop")

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402
from ultralytics.nn import modules as ultralytics_modules  # noqa: E402
from ultralytics.nn import tasks  # noqa: E402
from ultralytics.nn.modules import block as ultralytics_block  # noqa: E402

warnings.filterwarnings("ignore")


def module_class(name: str):
    if name.startswith("nn."):
        return getattr(torch.nn, name[3:])
    return getattr(tasks, name, None) or getattr(ultralytics_modules, name, None) or getattr(ultralytics_block, name)


def shape_of(y):
    if isinstance(y, (list, tuple)):  # CBLinear's outputs: archlint reports them concatenated
        return (sum(t.shape[1] for t in y), *y[0].shape[2:])
    return tuple(y.shape[1:])


def measure(name: str, args: list, inputs: list):
    """(shape, params, MACs, ultralytics FLOPs) of the real module, or ('error', message)."""
    try:
        module = module_class(name)(*args).eval()
        xs = [torch.zeros(1, *s) for s in inputs]
        if name == "C2fAttn":
            run = module.forward
            module.forward = lambda t: run(t, xs[1])
        x = xs if name == "Concat" else xs[0]
        params = sum(p.numel() for p in module.parameters())
        with torch.no_grad():
            with FlopCounterMode(display=False) as counter:
                y = module(x)
            ops = thop.profile(module, inputs=(x,), verbose=False)[0]
    except Exception as exc:  # noqa: BLE001 - any failure of the real module is the verdict compared
        return ("error", str(exc))
    return shape_of(y), params, counter.get_total_flops() // 2, 2 * int(ops)


def ours(name: str, args: list, inputs: list):
    try:
        built = {**BLOCKS, **INNER}[name](list(args), [tuple(s) for s in inputs])
    except BlockError as exc:
        return ("error", exc.message)
    return built.shape, built.params, built.macs, built.info_flops


def same(name, args, inputs, exact_message=True):
    real, mine = measure(name, args, inputs), ours(name, args, inputs)
    if real[0] == "error" and mine[0] == "error" and not exact_message:
        return
    assert mine == real, (name, args, inputs)


small = st.integers(1, 6).map(lambda k: 8 * k)  # channel counts
size = st.integers(1, 24)
kernel = st.sampled_from([1, 2, 3, 5])
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(c1=small, c2=small, k=kernel, s=st.integers(1, 3), g=st.sampled_from([1, 2, 4]), d=st.sampled_from([1, 2]),
       h=size, w=size, extra=st.sampled_from([0, 8]))
def test_conv(c1, c2, k, s, g, d, h, w, extra):
    same("Conv", [c1, c2, k, s, None, g, d], [(c1 + extra, h, w)])


@SETTINGS
@given(name=st.sampled_from(["DWConv", "GhostConv", "Focus", "ConvTranspose", "DWConvTranspose2d", "SCDown"]),
       c1=small, c2=small, k=st.sampled_from([1, 3]), s=st.integers(1, 2), h=size, w=size)
def test_conv_family(name, c1, c2, k, s, h, w):
    same(name, [c1, c2, k, s], [(c1, h, w)])


@SETTINGS
@given(name=st.sampled_from(["C1", "C2", "C2f", "C3", "C3x", "C3Ghost", "RepC3", "BottleneckCSP", "C3k2", "C2fCIB",
                             "C3TR"]),
       c1=small, c2=small, n=st.integers(0, 3), flag=st.booleans(), h=st.integers(1, 12), w=st.integers(1, 12))
def test_csp(name, c1, c2, n, flag, h, w):
    args = [c1, c2, n] if name in ("C1", "RepC3") else [c1, c2, n, flag]
    same(name, args, [(c1, h, w)])


@SETTINGS
@given(c=st.sampled_from([32, 64, 128, 192]), n=st.integers(1, 2), attn=st.booleans(), c3k=st.booleans(),
       h=st.integers(1, 10), w=st.integers(1, 10))
def test_attention_csp(c, n, attn, c3k, h, w):
    same("C3k2", [c, c, n, c3k, 0.5, attn], [(c, h, w)])
    same("C2PSA", [c, c, n], [(c, h, w)])
    same("PSA", [c, c], [(c, h, w)])


@SETTINGS
@given(c2=st.sampled_from([64, 128]), n=st.integers(1, 2), a2=st.booleans(), area=st.sampled_from([1, 2, 4]),
       residual=st.booleans(), h=st.integers(1, 10), w=st.integers(1, 10))
def test_a2c2f(c2, n, a2, area, residual, h, w):
    same("A2C2f", [c2, c2, n, a2, area, residual, 1.2], [(c2, h, w)])


@SETTINGS
@given(name=st.sampled_from(["SPPF", "SPP", "SPPELAN", "ADown", "AConv", "ELAN1", "RepNCSPELAN4"]), c1=small,
       c2=small, k=st.sampled_from([3, 4, 5]), h=st.integers(1, 12), w=st.integers(1, 12))
def test_pool_elan(name, c1, c2, k, h, w):
    args = {"SPPF": [c1, c2, k], "SPP": [c1, c2, [k, 2 * k + 1]], "SPPELAN": [c1, c2, c2 // 2, k], "ADown": [c1, c2],
            "AConv": [c1, c2], "ELAN1": [c1, c2, c2, c2 // 2], "RepNCSPELAN4": [c1, c2, c2, c2 // 2, 1]}[name]
    same(name, args, [(c1, h, w)])


@SETTINGS
@given(cm=small, c2=small, k=st.sampled_from([3, 5]), n=st.integers(1, 3), light=st.booleans(),
       shortcut=st.booleans(), h=st.integers(2, 40))
def test_rtdetr(cm, c2, k, n, light, shortcut, h):
    same("HGStem", [3, cm, c2], [(3, h, h)])
    same("HGBlock", [c2, cm, c2, k, n, light, shortcut], [(c2, h, h)])
    same("ResNetLayer", [c2, cm, 2, False, n], [(c2, h, h)])
    same("ResNetLayer", [3, cm, 1, True, 1], [(3, h, h)])


@SETTINGS
@given(c=st.sampled_from([16, 32, 64]), heads=st.sampled_from([1, 2, 4]), h=st.integers(1, 8), w=st.integers(1, 8),
       k=st.sampled_from([3, 7]))
def test_transformers(c, heads, h, w, k):
    same("AIFI", [c, 2 * c, heads], [(c, h, w)])
    same("CBAM", [c, k], [(c, h, w)])
    same("C2fAttn", [c, 2 * c, 1, c, heads, 24], [(c, h, w), (5, 24)])


@SETTINGS
@given(name=st.sampled_from(["nn.Upsample", "nn.MaxPool2d", "nn.AvgPool2d", "nn.ZeroPad2d", "nn.Conv2d",
                             "nn.ConvTranspose2d", "nn.BatchNorm2d", "nn.Identity"]),
       c=small, k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2), h=st.integers(1, 12),
       w=st.integers(1, 12))
def test_torch_nn(name, c, k, s, p, h, w):
    args = {"nn.Upsample": [None, s, "nearest"], "nn.MaxPool2d": [k, s, p], "nn.AvgPool2d": [k, s, p],
            "nn.ZeroPad2d": [[p, k, s, p]], "nn.Conv2d": [c, 2 * c, k, s, p], "nn.ConvTranspose2d": [c, c, k, s, p],
            "nn.BatchNorm2d": [c], "nn.Identity": []}[name]
    same(name, args, [(c, h, w)])


@SETTINGS
@given(a=st.tuples(small, st.integers(1, 4), st.integers(1, 4)), b=st.tuples(small, st.integers(1, 4),
                                                                              st.integers(1, 4)))
def test_concat(a, b):
    same("Concat", [1], [a, b])


def test_blocks_are_what_parse_model_can_name():
    names = {name for name in BLOCKS if not name.startswith("nn.")}
    assert names <= set(vars(tasks)), names - set(vars(tasks))
    assert not set(INNER) & set(vars(tasks))
