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


def _c2(chs, reg_max) -> int:
    """The box branch's width."""
    return max(16, chs[0] // 4, reg_max * 4)


def _c3(chs, nc) -> int:
    """The class branch's width (and YOLOE's visual-prompt encoder's)."""
    return max(chs[0], min(nc, 100))


def _detect(net, nc, reg_max, chs, inputs, legacy, extra=None, end2end=False, classes=None):
    """Detect's cv2 (boxes) and cv3 (classes) per level, the DFL; `extra(net, x, c_in)` adds a third branch
    per level, `classes(net, x, c_in, c3)` replaces the class branch. End-to-end heads (v10Detect, `end2end:
    True`) hold a second, one-to-one copy of every branch, which the forward pass also runs. Returns the
    anchor count and the frozen parameters."""
    nc, reg_max = _int(nc, "nc"), _int(reg_max, "reg_max")
    if nc < 1:
        raise BlockError(f"nc must be at least 1, got {nc}")
    c2 = _c2(chs, reg_max)
    c3 = _c3(chs, nc)
    branches = _net()
    anchors = 0
    for c_in, x in zip(chs, inputs):
        box = _branch(branches, x, c_in, c2, 4 * reg_max)
        if classes is None:
            _cls_branch(branches, x, c_in, c3, nc, legacy)
        else:
            classes(branches, x, c_in, c3)
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


def _segment(cls, args, inputs, legacy, proto26):
    nc, nm, npr, reg_max, end2end, chs = _bind(cls, args, ("nc", "nm", "npr", "reg_max", "end2end", "ch"),
                                               (80, 32, 256, 16, False, ()))
    chs = _levels(chs, inputs)
    nm, npr = _int(nm, "nm"), _int(npr, "npr")
    net = _net()
    c4 = max(chs[0] // 4, nm)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, nm), bool(end2end))
    if proto26:
        _proto26(net, chs, inputs, npr, nm, nc)
    else:
        _proto(net, chs, inputs, npr, nm)
    return net.built((4 + nc + nm, anchors), frozen)


def Segment(args, inputs, legacy=True):
    """Detect with a mask-coefficient branch per level (Conv 3, Conv 3, Conv2d to nm) and Proto."""
    return _segment("Segment", args, inputs, legacy, False)


def Segment26(args, inputs, legacy=True):
    """YOLO26's Segment: the mask branch as Segment's; Proto26 first brings every other level to the first
    (a 1x1 Conv to its channels each, added) and fuses them (Conv 3 to npr) before Proto's layers; its
    semantic-segmentation branch (Conv 3, Conv 3, Conv2d to nc) holds parameters but runs only in training."""
    return _segment("Segment26", args, inputs, legacy, True)


def _proto(net, chs, inputs, npr, nm):
    """Proto on the first level: Conv 3, ConvTranspose2d(2, 2), Conv 3, Conv 1 -> nm masks at twice its size."""
    y = net.conv(inputs[0], chs[0], npr, 3)
    y = net.conv_transpose2d(y, npr, npr, 2, 2, 0, bias=True)
    y = net.conv(y, npr, npr, 3)
    net.conv(y, npr, nm, 1)


def _proto26(net, chs, inputs, npr, nm, nc):
    """Proto26: every other level brought to the first (a 1x1 Conv to its channels each, added), fused (Conv 3
    to npr), then Proto's layers; its semantic-segmentation branch (Conv 3, Conv 3, Conv2d to nc) holds
    parameters but runs only in training."""
    first = inputs[0]
    for c_in, x in zip(chs[1:], inputs[1:]):
        net.conv(x, c_in, chs[0], 1)
    y = net.conv(first, chs[0], npr, 3)
    _proto(net, [npr], [y], npr, nm)
    training_only = _net()
    z = training_only.conv(first, chs[0], npr, 3)
    z = training_only.conv(z, npr, npr, 3)
    training_only.conv2d(z, npr, _int(nc, "nc"), 1, bias=True)
    net.params += training_only.params


def _keypoint_values(kpt_shape) -> int:
    """Values per anchor of `kpt_shape: [keypoints, dims]`."""
    if not (isinstance(kpt_shape, (list, tuple)) and len(kpt_shape) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in kpt_shape)):
        raise BlockError(f"kpt_shape must be [keypoints, dims], got {kpt_shape!r}")
    return kpt_shape[0] * kpt_shape[1]


def Pose(args, inputs, legacy=True):
    nc, kpt_shape, reg_max, end2end, chs = _bind("Pose", args, ("nc", "kpt_shape", "reg_max", "end2end", "ch"),
                                                  (80, (17, 3), 16, False, ()))
    chs = _levels(chs, inputs)
    nk = _keypoint_values(kpt_shape)
    net = _net()
    c4 = max(chs[0] // 4, nk)
    anchors, frozen = _detect(net, nc, reg_max, chs, inputs, legacy,
                              lambda n, x, c: _branch(n, x, c, c4, nk), bool(end2end))
    return net.built((4 + nc + nk, anchors), frozen)


def _pose26(args, inputs, legacy, flow_params: int, with_sigma: bool):
    """Pose26's branches; `flow_params` and the sigma convolutions hold parameters the forward pass of
    model.info() does not run."""
    nc, kpt_shape, reg_max, end2end, chs = _bind("Pose26", args, ("nc", "kpt_shape", "reg_max", "end2end", "ch"),
                                                 (80, (17, 3), 16, False, ()))
    chs = _levels(chs, inputs)
    nk, sigma = _keypoint_values(kpt_shape), kpt_shape[0] * 2
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


# ------------------------------------------------------------------ open-vocabulary heads (YOLO-World, YOLOE)

def _text(cls, inputs):
    """The feature maps, and the text embeddings the model passes beside them (the last input: (tokens,
    features))."""
    if len(inputs) < 2 or len(inputs[-1]) != 2:
        raise BlockError(f"{cls} takes the feature maps and the text embeddings: inputs [(C, H, W), ..., "
                         "(tokens, features)]")
    return list(inputs[:-1]), tuple(inputs[-1])


def _contrast(net, y, embed, with_bn, text):
    """(BN)ContrastiveHead: the class embeddings (BatchNorm2d first when with_bn) times the text embeddings, one
    score per token and position (a batched matrix product); a bias and a logit scale."""
    tokens, features = text
    if features != embed:
        raise BlockError(f"Expected size for first two dimensions of batch2 tensor to be: [1, {features}] but got: "
                         f"[1, {embed}].")
    if with_bn:
        net.bn(y)
    net.params += 2
    net.products(tokens * embed * y[1] * y[2])


def _text_detect(net, cls, nc, embed, with_bn, reg_max, end2end, chs, inputs, legacy, world, extra=None,
                 embed_at=1):
    """The Detect branches with a class branch that ends in `embed` channels scored against the text
    embeddings. WorldDetect's class branch is always the older form, and its end-to-end copy holds Detect's
    own one-to-one branches (parameters only: its forward pass does not run them); YOLOEDetect's follows the
    model, and its one-to-one copy (the text scoring included) runs too. `embed_at` is the index of `embed`
    among the arguments (`with_bn` follows it). Returns (levels, chs, anchors, frozen, tokens)."""
    levels, text = _text(cls, inputs)
    chs = _levels(chs, levels)
    nc, embed = _int(nc, "nc"), _int(embed, "embed")
    if not world:
        if _c3(chs, nc) > embed:  # constructing YOLOEDetect asserts both
            raise BlockError(f"AssertionError: {cls}'s class width max(ch[0], min(nc, 100)) = {_c3(chs, nc)} must "
                             f"be at most embed = {embed}", embed_at)
        if not with_bn:
            raise BlockError(f"AssertionError: {cls} needs with_bn True", embed_at + 1)
        if len(levels) != 3:  # its forward pass takes exactly three levels, whatever it was built for
            raise BlockError(f"Expected 4 features including 3 feature maps and 1 text embeddings, but got "
                             f"{len(levels) + 1}.")

    def classes(n, x, c_in, c3):
        _contrast(n, _cls_branch(n, x, c_in, c3, embed, legacy or world), embed, with_bn, text)

    anchors, frozen = _detect(net, nc, reg_max, chs, levels, legacy, extra, bool(end2end) and not world, classes)
    if world and end2end:
        copy = _net()
        for c_in, x in zip(chs, levels):
            _branch(copy, x, c_in, _c2(chs, reg_max), 4 * reg_max)
            _cls_branch(copy, x, c_in, _c3(chs, nc), nc, legacy)
        net.params += copy.params
    return levels, chs, anchors, frozen, text[0]


def WorldDetect(args, inputs, legacy=True):
    """YOLO-World's head: Detect's box branches; class branches (Conv 3, Conv 3, Conv2d to embed) scored
    against the text embeddings by a ContrastiveHead (a BNContrastiveHead with with_bn). The scores have one
    channel per text embedding, so the view into nc + 4 reg_max channels fails unless nc is their count."""
    nc, embed, with_bn, reg_max, end2end, chs = _bind("WorldDetect", args, ("nc", "embed", "with_bn", "reg_max",
                                                                           "end2end", "ch"),
                                                      (80, 512, False, 16, False, ()))
    net = _net()
    levels, chs, anchors, frozen, tokens = _text_detect(net, "WorldDetect", nc, embed, with_bn, reg_max, end2end,
                                                        chs, inputs, legacy, True)
    if tokens != nc:
        no, got = nc + 4 * reg_max, tokens + 4 * reg_max
        for _, h, w in levels:
            if (got * h * w) % no:
                raise BlockError(f"shape '[1, {no}, -1]' is invalid for input of size {got * h * w}", 0)
        raise BlockError(f"The size of tensor a ({anchors}) must match the size of tensor b "
                         f"({anchors * got // no}) at non-singleton dimension 2", 0)
    return net.built((4 + tokens, anchors), frozen)


def _yoloe_extras(net, chs, levels, nc, embed):
    """What YOLOE's heads hold for visual prompts and for re-parameterising text embeddings, which the forward
    pass does not run: a SwiGLU feed-forward on the embeddings (Linear(embed, 4 embed), Linear(2 embed,
    embed)), and the visual-prompt encoder SAVPE (per level Conv 3, Conv 3 and Conv 1 to c3; Conv2d(3 c3,
    embed, 1), Conv2d(3 c3, 16, 3), Conv2d(1, 16, 3), Conv(32, 16, 3), Conv2d(16, 16, 3), whatever the number
    of levels)."""
    unused = _net()
    unused.linear(1, embed, 4 * embed)
    unused.linear(1, 2 * embed, embed)
    c3 = _c3(chs, nc)
    for c_in, x in zip(chs, levels):
        unused.conv(unused.conv(x, c_in, c3, 3), c3, c3, 3)
        unused.conv(x, c_in, c3, 1)
    _, h, w = levels[0]
    unused.conv2d((3 * c3, h, w), 3 * c3, embed, 1)
    unused.conv2d((3 * c3, h, w), 3 * c3, 16, 3, 1, 1)
    unused.conv2d((1, h, w), 1, 16, 3, 1, 1)
    unused.conv2d(unused.conv((32, h, w), 32, 16, 3), 16, 16, 3, 1, 1)
    net.params += unused.params


def YOLOEDetect(args, inputs, legacy=True):
    """YOLOE's head: WorldDetect's with a BNContrastiveHead, its class branch as Detect's, the one-to-one copy
    when end2end, and the parts for visual prompts. One class score per text embedding, whatever nc."""
    nc, embed, with_bn, reg_max, end2end, chs = _bind("YOLOEDetect", args, ("nc", "embed", "with_bn", "reg_max",
                                                                           "end2end", "ch"),
                                                      (80, 512, True, 16, False, ()))
    net = _net()
    levels, chs, anchors, frozen, tokens = _text_detect(net, "YOLOEDetect", nc, embed, with_bn, reg_max, end2end,
                                                        chs, inputs, legacy, False)
    _yoloe_extras(net, chs, levels, nc, embed)
    return net.built((4 + tokens, anchors), frozen)


def _yoloe_segment(cls, args, inputs, legacy, proto26):
    nc, nm, npr, embed, with_bn, reg_max, end2end, chs = _bind(
        cls, args, ("nc", "nm", "npr", "embed", "with_bn", "reg_max", "end2end", "ch"),
        (80, 32, 256, 512, True, 16, False, ()))
    nm, npr = _int(nm, "nm"), _int(npr, "npr")
    net = _net()
    c4 = max(_levels(chs, _text(cls, inputs)[0])[0] // 4, nm)
    levels, chs, anchors, frozen, tokens = _text_detect(net, cls, nc, embed, with_bn, reg_max, end2end, chs, inputs,
                                                        legacy, False, lambda n, x, c: _branch(n, x, c, c4, nm), 3)
    _yoloe_extras(net, chs, levels, nc, embed)
    if proto26:
        _proto26(net, chs, levels, npr, nm, nc)
    else:
        _proto(net, chs, levels, npr, nm)
    return net.built((4 + tokens + nm, anchors), frozen)


def YOLOESegment(args, inputs, legacy=True):
    """YOLOEDetect with Segment's mask-coefficient branches and Proto."""
    return _yoloe_segment("YOLOESegment", args, inputs, legacy, False)


def YOLOESegment26(args, inputs, legacy=True):
    """YOLOEDetect with Segment26's mask-coefficient branches and Proto26."""
    return _yoloe_segment("YOLOESegment26", args, inputs, legacy, True)


# ------------------------------------------------------------------------------ dense heads (YOLO26)

def SemanticSegment(args, inputs, legacy=True):
    """YOLO26's semantic segmentation head: on the first level Conv 3 (same channels), Conv2d(1) to nc; an
    auxiliary Conv 3 (second level to the first's channels), Conv2d(1) to nc, which runs only in training."""
    nc, chs = _bind("SemanticSegment", args, ("nc", "ch"), (19, ()))
    if not isinstance(chs, (list, tuple)) or not chs:
        raise BlockError("tuple index out of range")
    chs = _levels(chs, inputs)
    nc = _int(nc, "nc")
    net = _net()
    y = net.conv(inputs[0], chs[0], chs[0], 3)
    y = net.conv2d(y, chs[0], nc, 1, bias=True)
    if len(chs) > 1:
        training_only = _net()
        z = training_only.conv(inputs[1], chs[1], chs[0], 3)
        training_only.conv2d(z, chs[0], nc, 1, bias=True)
        net.params += training_only.params
    return net.built(y)


def Depth(args, inputs, legacy=True):
    """YOLO26's depth head: every level through a 1x1 Conv to c_mid; from the coarsest, upsampled twice
    (an interpolation thop does not count), added to the next finer level and refined (Conv 3, Conv 3); then
    Conv 3 to c_mid // 2, ConvTranspose2d(2, 2), Conv 3 to c_mid // 4, Conv2d(1) to one channel, at twice the
    first level's size."""
    c_mid, chs = _bind("Depth", args, ("c_mid", "ch"), (256, ()))
    if isinstance(c_mid, (list, tuple)):
        raise BlockError("TypeError: unsupported operand type(s) for //: 'list' and 'int'", 0)
    c_mid = _int(c_mid, "c_mid")
    chs = _levels(chs, inputs)
    net = _net()
    projected = [net.conv(x, c_in, c_mid, 1) for c_in, x in zip(chs, inputs)]
    y = projected[-1]
    for finer in reversed(projected[:-1]):
        up = (y[0], 2 * y[1], 2 * y[2])
        for axis in (2, 1):  # torch compares the trailing dimension first; a size of 1 broadcasts
            if up[axis] != finer[axis] and 1 not in (up[axis], finer[axis]):
                raise BlockError(f"The size of tensor a ({up[axis]}) must match the size of tensor b ({finer[axis]}) "
                                 f"at non-singleton dimension {axis + 1}")
        summed = (c_mid, max(up[1], finer[1]), max(up[2], finer[2]))
        y = net.conv(net.conv(summed, c_mid, c_mid, 3), c_mid, c_mid, 3)
    y = net.conv(y, c_mid, c_mid // 2, 3)
    y = net.conv_transpose2d(y, c_mid // 2, c_mid // 2, 2, 2, 0, bias=True)
    y = net.conv(y, c_mid // 2, c_mid // 4, 3)
    return net.built(net.conv2d(y, c_mid // 4, 1, 1, bias=True))


HEADS = {f.__name__: f for f in (Detect, v10Detect, Segment, Segment26, Pose, Pose26, OBB, Classify, WorldDetect,
                                 YOLOEDetect, YOLOESegment, YOLOESegment26, SemanticSegment, Depth)}
HEADS["OBB26"] = OBB  # the same branches; yolo26-obb passes end2end, which doubles them


def _rtdetr():
    from archlint.sources.ultralytics.modules.rtdetr import RTDETRDecoder

    return RTDETRDecoder


HEADS["RTDETRDecoder"] = _rtdetr()  # RT-DETR's head lives with its backbone modules
