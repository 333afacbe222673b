"""ultralytics' convolution modules (ultralytics.nn.modules.conv), as observed in 8.4: each part function
takes the `Net` being built, the input (C, H, W) and the constructor's arguments, and returns the output."""

from __future__ import annotations

from math import gcd

from archlint.sources.ultralytics.blocks import BlockError, Built, NotModelled
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, autopad, bind, cat, channels

R = REQUIRED


def block(cls: str, *spec):
    """A BLOCKS entry for a one-input module: bind the arguments, run the part function, report."""
    def wrap(part):
        def build(args: list, inputs: list) -> Built:
            values = bind(cls, args, *spec)
            net = Net()
            return net.built(part(net, single(cls, inputs), *values))
        build.__name__ = build.__qualname__ = cls
        build.part = part
        return build
    return wrap


def single(cls: str, inputs: list) -> Shape:
    if len(inputs) != 1:
        raise BlockError(f"{cls} takes one input tensor, got a list of {len(inputs)}")
    return tuple(inputs[0])


def conv(net: Net, x: Shape, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True) -> Shape:
    """Conv: Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False), BatchNorm2d, act."""
    return net.conv(x, c1, c2, k, s, p, g, d)


def dwconv(net: Net, x: Shape, c1, c2, k=1, s=1, d=1, act=True) -> Shape:
    """DWConv: a Conv with groups = gcd(c1, c2)."""
    return net.conv(x, c1, c2, k, s, None, gcd(channels(c1), channels(c2)), d)


def ghost_conv(net: Net, x: Shape, c1, c2, k=1, s=1, g=1, act=True) -> Shape:
    """GhostConv: c2 // 2 channels from a Conv(k, s), as many again from a depthwise 5x5 Conv of those,
    concatenated (an odd c2 gives c2 - 1 channels)."""
    half = channels(c2) // 2
    y = net.conv(x, c1, half, k, s, None, g)
    z = net.conv(y, half, half, 5, 1, None, half)
    return cat([y, z])


def focus(net: Net, x: Shape, c1, c2, k=1, s=1, p=None, g=1, act=True) -> Shape:
    """Focus: the four pixels of every 2x2 cell stacked on channels (x[::2, ::2], x[1::2, ::2], x[::2, 1::2],
    x[1::2, 1::2]; an odd size makes them differ), then a Conv of 4 x C channels."""
    c, h, w = x
    parts = [(c, (h + 1) // 2, (w + 1) // 2), (c, h // 2, (w + 1) // 2), (c, (h + 1) // 2, w // 2), (c, h // 2, w // 2)]
    return net.conv(cat(parts), channels(c1) * 4, c2, k, s, p, g)


def conv_transpose(net: Net, x: Shape, c1, c2, k=2, s=2, p=0, bn=True, act=True) -> Shape:
    """ConvTranspose: ConvTranspose2d(c1, c2, k, s, p, bias=not bn), BatchNorm2d when bn."""
    y = net.conv_transpose2d(x, c1, c2, k, s, p, bias=not bn)
    return net.bn(y) if bn else y


def dwconv_transpose(net: Net, x: Shape, c1, c2, k=1, s=1, p1=0, p2=0) -> Shape:
    """DWConvTranspose2d: ConvTranspose2d(c1, c2, k, s, p1, output_padding p2, groups=gcd(c1, c2)), bias."""
    return net.conv_transpose2d(x, c1, c2, k, s, p1, gcd(channels(c1), channels(c2)), output_padding=p2)


def rep_conv(net: Net, x: Shape, c1, c2, k=3, s=1, p=1, g=1, d=1, act=True, bn=False, deploy=False) -> Shape:
    """RepConv (training form): Conv(k, s, p) + Conv(1x1, s, p - k // 2) (+ BatchNorm2d(c1) of the input when
    bn, c1 == c2 and s == 1), summed."""
    if not isinstance(k, int) or k != 3 or p != 1:
        raise BlockError("RepConv requires k=3 and p=1 (ultralytics asserts k == 3 and p == 1)", 2 if k != 3 else 4)
    identity = bool(bn) and c2 == c1 and s == 1
    if identity:
        net.params += 2 * channels(c1)
    a = net.conv(x, c1, c2, k, s, p, g)
    b = net.conv(x, c1, c2, 1, s, p - k // 2, g)
    if a != b:
        raise BlockError(f"The size of tensor a ({a[1]}) must match the size of tensor b ({b[1]}) at non-singleton "
                         "dimension 2")
    if identity:
        net.ops += 4 * x[0] * x[1] * x[2]
    return a


@block("Conv", ("c1", R), ("c2", R), ("k", 1), ("s", 1), ("p", None), ("g", 1), ("d", 1), ("act", True))
def Conv(net, x, *a):
    return conv(net, x, *a)


@block("DWConv", ("c1", R), ("c2", R), ("k", 1), ("s", 1), ("d", 1), ("act", True))
def DWConv(net, x, *a):
    return dwconv(net, x, *a)


@block("GhostConv", ("c1", R), ("c2", R), ("k", 1), ("s", 1), ("g", 1), ("act", True))
def GhostConv(net, x, *a):
    return ghost_conv(net, x, *a)


@block("Focus", ("c1", R), ("c2", R), ("k", 1), ("s", 1), ("p", None), ("g", 1), ("act", True))
def Focus(net, x, *a):
    return focus(net, x, *a)


@block("ConvTranspose", ("c1", R), ("c2", R), ("k", 2), ("s", 2), ("p", 0), ("bn", True), ("act", True))
def ConvTranspose(net, x, *a):
    return conv_transpose(net, x, *a)


@block("DWConvTranspose2d", ("c1", R), ("c2", R), ("k", 1), ("s", 1), ("p1", 0), ("p2", 0))
def DWConvTranspose2d(net, x, *a):
    return dwconv_transpose(net, x, *a)


@block("RepConv", ("c1", R), ("c2", R), ("k", 3), ("s", 1), ("p", 1), ("g", 1), ("d", 1), ("act", True),
       ("bn", False), ("deploy", False))
def RepConv(net, x, *a):
    return rep_conv(net, x, *a)


def concat(args: list, inputs: list) -> Built:
    """Concat(dimension=1): torch.cat of its inputs along a dimension of the batched tensors."""
    (dimension,) = bind("Concat", args, ("dimension", 1))
    if not isinstance(dimension, int):
        raise BlockError(f"cat() received an invalid combination of arguments: dim must be an int, got {dimension!r}",
                         0)
    return Net().built(cat([tuple(s) for s in inputs], dimension))


def _cblinear(args: list, inputs: list):
    c1, c2s, k, s, p, g = bind("CBLinear", args, ("c1", R), ("c2s", R), ("k", 1), ("s", 1), ("p", None), ("g", 1))
    if not isinstance(c2s, (list, tuple)) or not c2s or not all(isinstance(c, int) for c in c2s):
        raise BlockError(f"CBLinear's c2s must be a list of channel counts, got {c2s!r}", 1)
    net = Net()
    y = net.conv2d(single("CBLinear", inputs), c1, sum(c2s), k, s, autopad(k, p), g, bias=True)
    return net, y, c2s


def cblinear_outputs(args: list, inputs: list) -> list[Shape]:
    """The tensors CBLinear(c1, c2s, k=1, s=1, p=None, g=1) returns: one Conv2d (with bias) of sum(c2s)
    channels, split into c2s."""
    _, y, c2s = _cblinear(args, inputs)
    return [(c, y[1], y[2]) for c in c2s]


def cblinear(args: list, inputs: list) -> Built:
    """CBLinear; the shape reported is its outputs concatenated, (sum(c2s), H, W); the tensors themselves
    are `cblinear_outputs`."""
    net, y, _ = _cblinear(args, inputs)
    return net.built(y)


def index(args: list, inputs: list) -> Built:
    """Index(index=0): item `index` of its input. Of a module's list of outputs (CBLinear's; give it as a list of
    (C, H, W), see `cblinear_outputs`), that tensor; of one tensor, a slice along the batch dimension (of size 1):
    an unbatched (C, H, W) tensor, which archlint does not follow (NotModelled)."""
    (i,) = bind("Index", args, ("index", 0))
    (x,) = [single("Index", inputs)] if not (len(inputs) == 1 and isinstance(inputs[0], list)) else inputs
    if isinstance(i, bool) or not isinstance(i, int):
        kind = "tuple indices must be integers or slices" if isinstance(x, list) else \
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices"
        raise BlockError(f"{kind}, not {type(i).__name__}" if isinstance(x, list) else
                         f"{kind} (got {type(i).__name__})", 0)
    if isinstance(x, list):
        if not -len(x) <= i < len(x):
            raise BlockError("tuple index out of range", 0)
        return Net().built(tuple(x[i]))
    if i not in (0, -1):
        raise BlockError(f"index {i} is out of bounds for dimension 0 with size 1", 0)
    raise NotModelled("Index of one tensor selects along its batch dimension, leaving an unbatched (C, H, W) "
                      "tensor that archlint does not follow (Index is for a module's list of outputs)", 0)


def cbfuse(args: list, inputs: list) -> Built:
    """CBFuse(idx): input i < last is a CBLinear's list of outputs (give it as a list of (C, H, W), see
    `cblinear_outputs`), of which idx[i] is resized (nearest) to the last input's size; the sum of those and
    the last input."""
    (idx,) = bind("CBFuse", args, ("idx", R))
    if not isinstance(idx, (list, tuple)):
        raise BlockError(f"CBFuse's idx must be a list of indices, got {idx!r}", 0)
    if not inputs:
        raise BlockError("CBFuse needs at least one input")
    *sources, last = inputs
    if isinstance(last, list):
        raise BlockError("CBFuse's last input must be a tensor, not a list of tensors")
    _, h, w = last
    picked = []
    for i, source in enumerate(sources):
        if i >= len(idx):
            raise BlockError("list index out of range", 0)
        parts = source if isinstance(source, list) else [source]
        j = idx[i]
        if not isinstance(j, int) or not -len(parts) <= j < len(parts):
            raise BlockError("list index out of range", 0)
        picked.append((parts[j][0], h, w))
    total = None
    for shape in [*picked, tuple(last)]:
        if total is not None and shape[0] != total[0]:
            raise BlockError(f"The size of tensor a ({total[0]}) must match the size of tensor b ({shape[0]}) at "
                             "non-singleton dimension 1")
        total = shape
    return Net().built(total)


BLOCKS = {
    "Conv": Conv,
    "DWConv": DWConv,
    "GhostConv": GhostConv,
    "Focus": Focus,
    "ConvTranspose": ConvTranspose,
    "DWConvTranspose2d": DWConvTranspose2d,
    "RepConv": RepConv,
    "Concat": concat,
    "CBLinear": cblinear,
    "CBFuse": cbfuse,
    "Index": index,
}
