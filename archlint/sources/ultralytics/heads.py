"""The output heads of ultralytics 8.4, in the same contract as `blocks.BLOCKS`:

    HEADS[name](args, inputs, legacy) -> Built

`args` as parse_model passes them (for the Detect family: [nc, ..., reg_max, end2end, [c_in per level]]),
`inputs` the (C, H, W) of each level, `legacy` whether no C3k2/A2C2f/C2fCIB row came before (the older
classification branch). The shape is the first output of the model in inference mode (for the Detect
family (4 + nc + extras, anchors)). Structures observed by building the heads with ultralytics 8.4.190 and
printing their modules and parameter shapes; operation counts as thop counts them."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError


def _net():
    from archlint.sources.ultralytics.modules.ops import Net

    return Net()


def _int(value, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BlockError(f"{what} must be an int, got {value!r}")
    return value


def _bind(cls: str, args: list, names: tuple, defaults: tuple) -> list:
    """Positional arguments as Python binds them to the constructor (names after `self`)."""
    if len(args) > len(names):
        raise BlockError(f"{cls}.__init__() takes from 1 to {len(names) + 1} positional arguments but "
                         f"{len(args) + 1} were given")
    missing = len(names) - len(defaults) - len(args)
    if missing > 0:
        raise BlockError(f"{cls}.__init__() missing {missing} required positional argument(s)")
    return list(args) + list(defaults[len(args) - (len(names) - len(defaults)):])


def _levels(chs, inputs) -> list:
    if not isinstance(chs, (list, tuple)) or not chs:
        raise BlockError("the head needs a list of input channels")
    if len(chs) != len(inputs):
        raise BlockError(f"the head was built for {len(chs)} levels but receives {len(inputs)} inputs")
    return list(chs)


def _branch(net, x, c_in, c_mid, c_out, legacy_cls=True):
    """Conv(3) -> Conv(3) -> Conv2d(1, bias): the box, mask-coefficient, keypoint and angle branches."""
    y = net.conv(x, c_in, c_mid, 3)
    y = net.conv(y, c_mid, c_mid, 3)
    return net.conv2d(y, c_mid, c_out, 1, bias=True)


def _cls_branch(net, x, c_in, c3, nc, legacy):
    """The class branch: as _branch when legacy, else (DWConv 3, Conv 1) twice, then Conv2d(1)."""
    if legacy:
        return _branch(net, x, c_in, c3, nc)
    y = net.conv(x, c_in, c_in, 3, g=c_in)
    y = net.conv(y, c_in, c3, 1)
    y = net.conv(y, c3, c3, 3, g=c3)
    y = net.conv(y, c3, c3, 1)
    return net.conv2d(y, c3, nc, 1, bias=True)


def _detect(net, nc, reg_max, chs, inputs, legacy, extra=None, end2end=False):
    """Detect's cv2 (boxes) and cv3 (classes) per level, the DFL; `extra(net, x, c_in)` adds a third branch
    per level. End-to-end heads (v10Detect, `end2end: True`) hold a second, one-to-one copy of every branch,
    which the forward pass also runs. Returns the anchor count and the frozen parameters."""
    nc, reg_max = _int(nc, "nc"), _int(reg_max, "reg_max")
    if nc < 1:
        raise BlockError(f"nc must be at least 1, got {nc}")
    c2 = max(16, chs[0] // 4, reg_max * 4)
    c3 = max(chs[0], min(nc, 100))
    branches = _net()
    anchors = 0
    for c_in, x in zip(chs, inputs):
        box = _branch(branches, x, c_in, c2, 4 * reg_max)
        _cls_branch(branches, x, c_in, c3, nc, legacy)
        if extra is not None:
            extra(branches, x, c_in)
        anchors += box[1] * box[2]
    net.absorb(branches, 2 if end2end else 1)
    frozen = 0
    if reg_max > 1:  # DFL: a frozen Conv2d(reg_max, 1, 1) over (reg_max, 4, anchors)
        frozen = reg_max
        net.params += reg_max
        net.products(reg_max * 4 * anchors)
    return anchors, frozen


def Detect(args, inputs, legacy=True):
    nc, reg_max, end2end, chs = _bind("Detect", args, ("nc", "reg_max", "end2end", "ch"), (80, 16, False, ()))
    chs = _levels(chs, inputs)
    net = _net()
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy, end2end=bool(end2end))
    return net.built((4 + nc, anchors), frozen)


def v10Detect(args, inputs, legacy=True):
    """YOLOv10's head: Detect with the depthwise class branch and the one-to-one copy, always."""
    nc, chs = _bind("v10Detect", args, ("nc", "ch"), (80, ()))
    chs = _levels(chs, inputs)
    net = _net()
    anchors, frozen = _detect(net, nc, 16, chs, inputs, False, end2end=True)
    return net.built((4 + nc, anchors), frozen)


def Segment(args, inputs, legacy=True):
    nc, nm, npr, reg_max, _end2end, chs = _bind("Segment", args, ("nc", "nm", "npr", "reg_max", "end2end", "ch"),
                                                 (80, 32, 256, 16, False, ()))
    chs = _levels(chs, inputs)
    nm, npr = _int(nm, "nm"), _int(npr, "npr")
    net = _net()
    c4 = max(chs[0] // 4, nm)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, nm))
    # Proto on the first level: Conv 3, ConvTranspose2d(2, 2), Conv 3, Conv 1 -> nm masks at twice its size
    y = net.conv(inputs[0], chs[0], npr, 3)
    y = net.conv_transpose2d(y, npr, npr, 2, 2, 0, bias=True)
    y = net.conv(y, npr, npr, 3)
    net.conv(y, npr, nm, 1)
    return net.built((4 + nc + nm, anchors), frozen)


def Segment26(args, inputs, legacy=True):
    """YOLO26's Segment: the mask branch as Segment's; Proto26 first brings every other level to the first
    (a 1x1 Conv to its channels each, added) and fuses them (Conv 3 to npr) before Proto's layers; its
    semantic-segmentation branch (Conv 3, Conv 3, Conv2d to nc) holds parameters but runs only in training."""
    nc, nm, npr, reg_max, end2end, chs = _bind("Segment26", args, ("nc", "nm", "npr", "reg_max", "end2end", "ch"),
                                               (80, 32, 256, 16, False, ()))
    chs = _levels(chs, inputs)
    nm, npr = _int(nm, "nm"), _int(npr, "npr")
    net = _net()
    c4 = max(chs[0] // 4, nm)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, nm), bool(end2end))
    first = inputs[0]
    for c_in, x in zip(chs[1:], inputs[1:]):
        net.conv(x, c_in, chs[0], 1)
    y = net.conv(first, chs[0], npr, 3)
    y = net.conv(y, npr, npr, 3)
    y = net.conv_transpose2d(y, npr, npr, 2, 2, 0, bias=True)
    y = net.conv(y, npr, npr, 3)
    net.conv(y, npr, nm, 1)
    training_only = _net()
    z = training_only.conv(first, chs[0], npr, 3)
    z = training_only.conv(z, npr, npr, 3)
    training_only.conv2d(z, npr, _int(nc, "nc"), 1, bias=True)
    net.params += training_only.params
    return net.built((4 + nc + nm, anchors), frozen)


def Pose(args, inputs, legacy=True):
    nc, kpt_shape, reg_max, _end2end, chs = _bind("Pose", args, ("nc", "kpt_shape", "reg_max", "end2end", "ch"),
                                                  (80, (17, 3), 16, False, ()))
    chs = _levels(chs, inputs)
    if not (isinstance(kpt_shape, (list, tuple)) and len(kpt_shape) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in kpt_shape)):
        raise BlockError(f"kpt_shape must be [keypoints, dims], got {kpt_shape!r}")
    nk = kpt_shape[0] * kpt_shape[1]
    net = _net()
    c4 = max(chs[0] // 4, nk)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, nk))
    return net.built((4 + nc + nk, anchors), frozen)


def _pose26(args, inputs, legacy, flow_params: int, with_sigma: bool):
    """Pose26's branches; `flow_params` and the sigma convolutions hold parameters the forward pass of
    model.info() does not run."""
    nc, kpt_shape, reg_max, end2end, chs = _bind("Pose26", args, ("nc", "kpt_shape", "reg_max", "end2end", "ch"),
                                                 (80, (17, 3), 16, False, ()))
    chs = _levels(chs, inputs)
    if not (isinstance(kpt_shape, (list, tuple)) and len(kpt_shape) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in kpt_shape)):
        raise BlockError(f"kpt_shape must be [keypoints, dims], got {kpt_shape!r}")
    nk, sigma = kpt_shape[0] * kpt_shape[1], kpt_shape[0] * 2
    c4 = max(chs[0] // 4, nk + sigma)
    net = _net()
    training_only = _net()  # the sigma convolutions run only in training (params, no FLOPs in model.info())

    def branch(n, x, c_in):
        y = n.conv(x, c_in, c4, 3)
        y = n.conv(y, c4, c4, 3)
        n.conv2d(y, c4, nk, 1, bias=True)
        if with_sigma:
            training_only.conv2d(y, c4, sigma, 1, bias=True)

    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy, branch, bool(end2end))
    net.params += flow_params + training_only.params * (2 if end2end else 1)  # the one-to-one copy has its own
    return net.built((4 + nc + nk, anchors), frozen)


def Pose26(args, inputs, legacy=True):
    """YOLO26's Pose: per level Conv 3, Conv 3 to max(C/4, keypoint values + 2 per keypoint), then a 1x1
    Conv2d for the keypoints and one for their sigmas (training only); a RealNVP flow (training only) of
    53,784 parameters whatever the keypoint shape (observed for [17, 3], [17, 2], [5, 3], [4, 2])."""
    return _pose26(args, inputs, legacy, 53784, True)


def OBB(args, inputs, legacy=True):
    nc, ne, reg_max, end2end, chs = _bind("OBB", args, ("nc", "ne", "reg_max", "end2end", "ch"),
                                          (80, 1, 16, False, ()))
    chs = _levels(chs, inputs)
    ne = _int(ne, "ne")
    net = _net()
    c4 = max(chs[0] // 4, ne)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, ne), bool(end2end))
    return net.built((4 + nc + ne, anchors), frozen)


def Classify(args, inputs, legacy=True):
    """Conv(c1, 1280, k, s, p, g), AdaptiveAvgPool2d(1), Dropout, Linear(1280, c2); softmax in inference."""
    if len(inputs) != 1:
        raise BlockError(f"Classify takes one input tensor, got a list of {len(inputs)}")
    c1, c2, k, s, p, g = _bind("Classify", args, ("c1", "c2", "k", "s", "p", "g"), (1, 1, None, 1))
    from archlint.sources.ultralytics.modules.ops import autopad

    net = _net()
    y = net.conv(inputs[0], c1, 1280, k, s, autopad(k, p), g)
    y = net.adaptive_avgpool_1(y)
    net.linear(1, 1280, _int(c2, "c2"))
    return net.built((c2,))


HEADS = {f.__name__: f for f in (Detect, v10Detect, Segment, Segment26, Pose, Pose26, OBB, Classify)}
HEADS["OBB26"] = OBB  # the same branches; yolo26-obb passes end2end, which doubles them


def _rtdetr():
    from archlint.sources.ultralytics.modules.rtdetr import RTDETRDecoder

    return RTDETRDecoder


HEADS["RTDETRDecoder"] = _rtdetr()  # RT-DETR's head lives with its backbone modules
