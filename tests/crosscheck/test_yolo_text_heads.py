"""The open-vocabulary heads (WorldDetect, YOLOEDetect, YOLOESegment, YOLOESegment26), YOLO-World's
ImagePoolingAttn and YOLO26's SemanticSegment and Depth against the real modules (ultralytics 8.4.190,
torch 2.13), with hypothesis-drawn arguments and inputs:

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=$(mktemp -d) python -m pytest -q -m crosscheck tests/crosscheck/test_yolo_text_heads.py

Each module is instantiated (Detect.legacy set as parse_model sets it) and run on zeros: its first output's
shape, parameters, trainable parameters and thop's FLOPs x 2 must equal archlint's, and archlint must fail
exactly when construction or the forward pass does, in torch's words (ultralytics' bare assertions aside).
"""

from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint.sources.ultralytics.blocks import BLOCKS, BlockError
from archlint.sources.ultralytics.heads import HEADS

pytestmark = pytest.mark.crosscheck

from yolo_harness import torch  # noqa: E402

thop = pytest.importorskip("thop")

from ultralytics.nn.modules import block as ultralytics_block  # noqa: E402
from ultralytics.nn.modules import head as ultralytics_head  # noqa: E402

warnings.filterwarnings("ignore")
SETTINGS = settings(max_examples=int(os.environ.get("ARCHLINT_YOLO_EXAMPLES", "12")), deadline=None,
                    suppress_health_check=list(HealthCheck))


_UNSET = object()


def measure(name: str, args: list, levels: list, text, legacy: bool):
    """(shape, params, trainable, FLOPs) of the real module, or ('error', message)."""
    cls = getattr(ultralytics_head, name, None) or getattr(ultralytics_block, name)
    # what parse_model sets before building a head; it sets it on the head's own class, so a model built
    # earlier in the session (a yoloe-v8 file: legacy) leaves the subclass an attribute of its own
    owners = [c for c in (ultralytics_head.Detect, cls) if isinstance(c, type) and issubclass(c, ultralytics_head.Detect)]
    saved = [(c, c.__dict__.get("legacy", _UNSET)) for c in owners]
    for c in owners:
        c.legacy = legacy
    try:
        module = cls(*args).eval()
        xs = [torch.zeros(1, *s) for s in levels]
        if name in ("WorldDetect", "ImagePoolingAttn"):  # the model calls them with the text beside the maps
            call = lambda: (list(xs), torch.zeros(1, *text))  # noqa: E731
        elif name.startswith("YOLOE"):  # YOLOEModel appends the text embeddings to the list
            call = lambda: (list(xs) + [torch.zeros(1, *text)],)  # noqa: E731
        else:
            call = lambda: (list(xs),)  # noqa: E731
        params = sum(p.numel() for p in module.parameters())
        trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
        with torch.no_grad():
            y = module(*call())
            ops = thop.profile(module, inputs=call(), verbose=False)[0]
    except Exception as exc:  # noqa: BLE001 - any failure of the real module is the verdict compared
        return ("error", str(exc))
    finally:
        for c, value in saved:
            if value is _UNSET:
                del c.legacy
            else:
                c.legacy = value
    while isinstance(y, (list, tuple)):
        y = y[0]
    return tuple(y.shape[1:]), params, trainable, 2 * int(ops)


def ours(name: str, args: list, levels: list, text, legacy: bool):
    inputs = [tuple(s) for s in levels] + ([tuple(text)] if text else [])
    try:
        built = HEADS[name](list(args), inputs, legacy) if name in HEADS else BLOCKS[name](list(args), inputs)
    except BlockError as exc:
        return ("error", exc.message)
    return built.shape, built.params, built.params - built.frozen, built.info_flops


def same(name, args, levels, text=None, legacy=False):
    real, mine = measure(name, args, levels, text, legacy), ours(name, args, levels, text, legacy)
    if real[0] == "error" and mine[0] == "error":
        if not mine[1].startswith("AssertionError"):  # ultralytics' asserts carry no message
            assert real[1] == mine[1], (name, args, levels, text)
        return
    assert real == mine, (name, args, levels, text, legacy)


def pyramid(c0: int, levels: int, size: int) -> tuple[list, list]:
    """Channels doubling and sizes halving per level, as a YOLO neck gives them."""
    chs = [c0 * 2 ** i for i in range(levels)]
    return chs, [(c, max(size >> i, 1), max(size >> i, 1)) for i, c in enumerate(chs)]


channels = st.sampled_from([16, 32, 48, 64])


@SETTINGS
@given(c0=channels, levels=st.integers(1, 3), size=st.sampled_from([4, 8, 16]),
       nc=st.sampled_from([1, 7, 80, 120]), embed=st.sampled_from([64, 512]), with_bn=st.booleans(),
       reg_max=st.sampled_from([1, 16]), end2end=st.booleans(), legacy=st.booleans())
def test_world_and_yoloe_detect(c0, levels, size, nc, embed, with_bn, reg_max, end2end, legacy):
    chs, maps = pyramid(c0, levels, size)
    text = (80, 512)  # the models' own text embeddings
    same("WorldDetect", [nc, embed, with_bn, reg_max, end2end, chs], maps, text, legacy)
    same("WorldDetect", [80, embed, with_bn, reg_max, end2end, chs], maps, (80, embed), legacy)
    same("YOLOEDetect", [nc, embed, with_bn, reg_max, end2end, chs], maps, text, legacy)
    same("YOLOEDetect", [nc, embed, True, reg_max, end2end, chs], maps, (80, embed), legacy)


@SETTINGS
@given(c0=channels, levels=st.integers(1, 3), size=st.sampled_from([4, 8]), nc=st.sampled_from([7, 80]),
       nm=st.sampled_from([8, 32]), npr=st.sampled_from([16, 64]), reg_max=st.sampled_from([1, 16]),
       end2end=st.booleans(), legacy=st.booleans())
def test_yoloe_segment(c0, levels, size, nc, nm, npr, reg_max, end2end, legacy):
    chs, maps = pyramid(c0, levels, size)
    for name in ("YOLOESegment", "YOLOESegment26"):
        same(name, [nc, nm, npr, 512, True, reg_max, end2end, chs], maps, (80, 512), legacy)


@SETTINGS
@given(c0=channels, levels=st.integers(1, 3), size=st.sampled_from([3, 4, 8, 16]), nc=st.integers(1, 20),
       c_mid=st.sampled_from([4, 6, 32, 70]), odd=st.booleans())
def test_semantic_and_depth(c0, levels, size, nc, c_mid, odd):
    chs, maps = pyramid(c0, levels, size)
    if odd and levels > 1:  # a level that is not half the size of the one before it
        maps[-1] = (chs[-1], maps[-1][1] + 1, maps[-1][2])
    same("SemanticSegment", [nc, chs], maps)
    same("Depth", [c_mid, chs], maps)


@SETTINGS
@given(c0=channels, levels=st.integers(1, 3), size=st.sampled_from([1, 2, 5, 8]), ec=st.sampled_from([32, 60, 64]),
       ct=st.sampled_from([128, 512]), nh=st.sampled_from([1, 3, 4, 8]), k=st.integers(1, 3), scale=st.booleans(),
       tokens=st.sampled_from([7, 80]))
def test_image_pooling_attn(c0, levels, size, ec, ct, nh, k, scale, tokens):
    chs, maps = pyramid(c0, levels, size)
    same("ImagePoolingAttn", [ec, chs, ct, nh, k, scale], maps, (tokens, 512))
    same("ImagePoolingAttn", [ec, chs, ct, nh, k, scale], maps, (tokens, ct))


@SETTINGS
@given(c0=channels, levels=st.integers(1, 3), size=st.sampled_from([4, 8]), nc=st.sampled_from([1, 7, 80]),
       reg_max=st.sampled_from([1, 16]), end2end=st.booleans(), legacy=st.booleans())
def test_detect_family_end2end(c0, levels, size, nc, reg_max, end2end, legacy):
    """The older heads take `end2end` too: its one-to-one copy of every branch (Segment's mask branch, not
    its Proto), as Detect's."""
    chs, maps = pyramid(c0, levels, size)
    same("Detect", [nc, reg_max, end2end, chs], maps, legacy=legacy)
    same("Segment", [nc, 8, 16, reg_max, end2end, chs], maps, legacy=legacy)
    same("Segment26", [nc, 8, 16, reg_max, end2end, chs], maps, legacy=legacy)
    same("Pose", [nc, [5, 3], reg_max, end2end, chs], maps, legacy=legacy)
    same("OBB", [nc, 1, reg_max, end2end, chs], maps, legacy=legacy)
