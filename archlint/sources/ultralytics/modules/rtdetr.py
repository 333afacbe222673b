"""The RT-DETR backbone modules (HGStem, HGBlock, ResNetLayer) as observed in ultralytics 8.4."""

from __future__ import annotations

from archlint.sources.ultralytics.modules.conv import block, dwconv
from archlint.sources.ultralytics.modules.csp import repeat, repeats
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, cat, channels

R = REQUIRED


def pad_right_bottom(x: Shape) -> Shape:
    """F.pad(x, [0, 1, 0, 1])."""
    return x[0], x[1] + 1, x[2] + 1


@block("HGStem", ("c1", R), ("cm", R), ("c2", R))
def HGStem(net, x, c1, cm, c2):
    """HGStem: Conv(c1, cm, 3, 2); padded right and bottom; Conv(cm, cm // 2, 2, 1, 0), padded, Conv(cm // 2,
    cm, 2, 1, 0), concatenated with MaxPool2d(2, 1, ceil_mode) of the padded first output; Conv(2 cm, cm, 3, 2),
    Conv(cm, c2, 1)."""
    half = channels(cm) // 2
    y = pad_right_bottom(net.conv(x, c1, cm, 3, 2))
    a = net.conv(pad_right_bottom(net.conv(y, cm, half, 2, 1, 0)), half, cm, 2, 1, 0)
    b = net.maxpool(y, 2, 1, 0, 1, True)
    z = net.conv(cat([b, a]), 2 * cm, cm, 3, 2)
    return net.conv(z, cm, c2, 1, 1)


def light_conv(net: Net, x: Shape, c1, c2, k=1) -> Shape:
    """LightConv: Conv(c1, c2, 1) then a depthwise Conv(c2, c2, k)."""
    return dwconv(net, net.conv(x, c1, c2, 1), c2, c2, k)


@block("HGBlock", ("c1", R), ("cm", R), ("c2", R), ("k", 3), ("n", 6), ("lightconv", False), ("shortcut", False),
       ("act", None))
def HGBlock(net, x, c1, cm, c2, k, n, lightconv, shortcut, act):
    """HGBlock: n Convs (LightConvs) of k, the first from c1, each on the previous output; the input and all n
    outputs concatenated, Conv(c1 + n cm, c2 // 2, 1), Conv(c2 // 2, c2, 1); plus the input when shortcut and
    c1 == c2."""
    n = repeats(n)

    def layer(sub, t, cin):
        return light_conv(sub, t, cin, cm, k) if lightconv else sub.conv(t, cin, cm, k, 1)
    joined = x
    if n > 0:
        first = layer(net, x, c1)
        joined = cat([x, first])  # an even kernel grows the map: the concatenation refuses it here
        last = repeat(net, first, n - 1, lambda sub, t: layer(sub, t, cm))
        joined = cat([joined, last]) if n > 1 else joined
        joined = (joined[0] + (n - 2) * last[0], *joined[1:]) if n > 2 else joined
    y = net.conv(joined, channels(c1) + n * channels(cm), channels(c2) // 2, 1, 1)
    y = net.conv(y, c2 // 2, c2, 1, 1)
    return add(y, x) if shortcut and c1 == c2 else y


def resnet_block(net: Net, x: Shape, c1, c2, s=1, e=4) -> Shape:
    """ResNetBlock: Conv(c1, c2, 1), Conv(c2, c2, 3, s), Conv(c2, e c2, 1), plus the input or (s != 1 or c1 !=
    e c2) a Conv(c1, e c2, 1, s) of it."""
    c3 = e * channels(c2)
    y = net.conv(net.conv(net.conv(x, c1, c2, 1, 1), c2, c2, 3, s, 1), c2, c3, 1)
    z = net.conv(x, c1, c3, 1, s) if s != 1 or c1 != c3 else x
    return add(y, z)


@block("ResNetLayer", ("c1", R), ("c2", R), ("s", 1), ("is_first", False), ("n", 1), ("e", 4))
def ResNetLayer(net, x, c1, c2, s, is_first, n, e):
    """ResNetLayer: the stem (Conv(c1, c2, 7, 2, 3), MaxPool2d(3, 2, 1)) when is_first; else a ResNetBlock(c1,
    c2, s, e) and n - 1 ResNetBlock(e c2, c2, 1, e)."""
    if is_first:
        return net.maxpool(net.conv(x, c1, c2, 7, 2, 3), 3, 2, 1)
    y = resnet_block(net, x, c1, c2, s, e)
    return repeat(net, y, repeats(n) - 1, lambda sub, t: resnet_block(sub, t, e * channels(c2), c2, 1, e))


BLOCKS = {f.__name__: f for f in (HGStem, HGBlock, ResNetLayer)}
