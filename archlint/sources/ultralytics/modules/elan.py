"""The GELAN modules of YOLOv9 and the down-sampling blocks of YOLOv9/YOLOv10 (ultralytics 8.4)."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError
from archlint.sources.ultralytics.modules.conv import block, rep_conv
from archlint.sources.ultralytics.modules.csp import c3_like, chunk2, repeats, width
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, cat, channels

R = REQUIRED


def avg_pool_2_1(x: Shape) -> Shape:
    """F.avg_pool2d(x, 2, 1, 0, False, True): one smaller on each side; thop and the flop counter see nothing."""
    c, h, w = x
    if h < 2 or w < 2:
        raise BlockError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{h - 1}x{w - 1}). "
                         "Output size is too small")
    return c, h - 1, w - 1


def rep_bottleneck(net: Net, x: Shape, c1, c2, shortcut=True, g=1, e=0.5) -> Shape:
    """RepBottleneck: a Bottleneck whose first Conv is a RepConv (3x3)."""
    hidden = width(c2, e)
    y = rep_conv(net, x, c1, hidden, 3, 1)
    y = net.conv(y, hidden, c2, 3, 1, None, g)
    return add(x, y) if shortcut and c1 == c2 else y


def rep_csp(net: Net, x: Shape, c1, c2, n=1, shortcut=True, g=1, e=0.5) -> Shape:
    """RepCSP: a C3 of RepBottlenecks."""
    c = width(c2, e)
    return c3_like(net, x, c1, c2, n, e, lambda sub, t: rep_bottleneck(sub, t, c, c, shortcut, g, 1.0))


def elan_tail(net: Net, x: Shape, c1, c2, c3, c4, branch) -> Shape:
    """Conv(c1, c3) split in two, two branches each on the previous output, all four concatenated, Conv to c2."""
    y = net.conv(x, c1, c3, 1, 1)
    parts = chunk2(y)
    a = branch(net, parts[-1], 0)
    b = branch(net, a, 1)
    return net.conv(cat([*parts, a, b]), channels(c3) + 2 * channels(c4), c2, 1, 1)


@block("RepNCSPELAN4", ("c1", R), ("c2", R), ("c3", R), ("c4", R), ("n", 1))
def RepNCSPELAN4(net, x, c1, c2, c3, c4, n):
    """RepNCSPELAN4: Conv(c1, c3), split; RepCSP(c3 // 2, c4, n) then Conv(c4, c4, 3); RepCSP(c4, c4, n) then
    Conv(c4, c4, 3); the four concatenated, Conv(c3 + 2 c4, c2)."""
    n = repeats(n)

    def branch(sub, t, index):
        return sub.conv(rep_csp(sub, t, channels(c3) // 2 if index == 0 else c4, c4, n), c4, c4, 3, 1)
    return elan_tail(net, x, c1, c2, c3, c4, branch)


@block("ELAN1", ("c1", R), ("c2", R), ("c3", R), ("c4", R))
def ELAN1(net, x, c1, c2, c3, c4):
    """ELAN1: Conv(c1, c3), split; Conv(c3 // 2, c4, 3); Conv(c4, c4, 3); the four concatenated, Conv to c2."""
    def branch(sub, t, index):
        return sub.conv(t, channels(c3) // 2 if index == 0 else c4, c4, 3, 1)
    return elan_tail(net, x, c1, c2, c3, c4, branch)


@block("ADown", ("c1", R), ("c2", R))
def ADown(net, x, c1, c2):
    """ADown: avg_pool2d(2, 1), split; Conv(c1 // 2, c2 // 2, 3, 2, 1) of one half, max_pool2d(3, 2, 1) then
    Conv(c1 // 2, c2 // 2, 1) of the other; concatenated."""
    c = channels(c2) // 2
    parts = chunk2(avg_pool_2_1(x))
    if len(parts) < 2:
        raise BlockError("not enough values to unpack (expected 2, got 1)")
    a = net.conv(parts[0], channels(c1) // 2, c, 3, 2, 1)
    b = net.conv(net.maxpool(parts[1], 3, 2, 1), c1 // 2, c, 1, 1)
    return cat([a, b])


@block("AConv", ("c1", R), ("c2", R))
def AConv(net, x, c1, c2):
    """AConv: avg_pool2d(2, 1), Conv(c1, c2, 3, 2, 1)."""
    return net.conv(avg_pool_2_1(x), c1, c2, 3, 2, 1)


@block("SPPELAN", ("c1", R), ("c2", R), ("c3", R), ("k", 5))
def SPPELAN(net, x, c1, c2, c3, k):
    """SPPELAN: Conv(c1, c3), three chained MaxPool2d(k, 1, k // 2), the four concatenated, Conv(4 c3, c2)."""
    if not isinstance(k, int):
        raise BlockError(f"unsupported operand type(s) for //: '{type(k).__name__}' and 'int'", 3)
    y = net.conv(x, c1, c3, 1, 1)
    pooled = [y]
    for _ in range(3):
        pooled.append(net.maxpool(pooled[-1], k, 1, k // 2))
    return net.conv(cat(pooled), 4 * channels(c3), c2, 1, 1)


@block("SCDown", ("c1", R), ("c2", R), ("k", R), ("s", R))
def SCDown(net, x, c1, c2, k, s):
    """SCDown: Conv(c1, c2, 1), depthwise Conv(c2, c2, k, s)."""
    return net.conv(net.conv(x, c1, c2, 1, 1), c2, c2, k, s, None, c2)


BLOCKS = {f.__name__: f for f in (RepNCSPELAN4, ELAN1, ADown, AConv, SPPELAN, SCDown)}
