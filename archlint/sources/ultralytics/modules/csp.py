"""ultralytics' bottlenecks and CSP blocks (ultralytics.nn.modules.block), as observed in 8.4.

The repeated inner block of a CSP module keeps its input's shape, so it is computed once and counted n
times (`repeat`)."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError, Built
from archlint.sources.ultralytics.modules.attention import area_block, max_sigmoid_attn, psa_block, transformer_block
from archlint.sources.ultralytics.modules.conv import block, dwconv, ghost_conv, rep_conv, single
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, bind, cat, channels

R = REQUIRED


def width(c, e) -> int:
    """int(c * e), the hidden width every CSP block derives from its expansion e."""
    try:
        return int(c * e)
    except TypeError:
        raise BlockError(f"unsupported operand type(s) for *: '{type(c).__name__}' and '{type(e).__name__}'") from None


def repeats(n) -> int:
    if not isinstance(n, int):
        raise BlockError(f"'{type(n).__name__}' object cannot be interpreted as an integer")
    return int(n)  # a negative n builds no inner block (range(n) is empty) but still sizes the layers after


def repeat(net: Net, x: Shape, n: int, part) -> Shape:
    """n copies of `part(net, shape) -> shape` applied one after the other, counted as the first copy's cost
    times n: the inner blocks keep their input's shape. One that does not (HGBlock's convolutions of an even
    kernel grow the map) stops there: the concatenation or sum that follows refuses that first output."""
    if n <= 0:
        return x
    sub = Net()
    y = part(sub, x)
    net.absorb(sub, n if y == x else 1)
    return y


def chunk2(x: Shape) -> list[Shape]:
    """Tensor.chunk(2, 1): ceil(C / 2) channels then the rest (one chunk when C is 1)."""
    c, h, w = x
    first = -(-c // 2)
    return [(first, h, w)] + ([(c - first, h, w)] if c - first else [])


def bottleneck(net: Net, x: Shape, c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5) -> Shape:
    """Bottleneck: Conv(c1, c2 * e, k[0]), Conv(c2 * e, c2, k[1], groups g), plus the input when shortcut and
    c1 == c2."""
    if not isinstance(k, (list, tuple)) or len(k) < 2:
        raise BlockError(f"'{type(k).__name__}' object is not subscriptable" if not isinstance(k, (list, tuple))
                         else "tuple index out of range")
    hidden = width(c2, e)
    y = net.conv(x, c1, hidden, k[0], 1)
    y = net.conv(y, hidden, c2, k[1], 1, None, g)
    return add(x, y) if shortcut and c1 == c2 else y


def c2f_like(net: Net, x: Shape, c1, c2, n, c, inner) -> Shape:
    """The C2f layout: Conv(c1, 2c), split in two, n inner blocks each on the previous output, all 2 + n
    tensors concatenated, Conv((2 + n) c, c2)."""
    n = repeats(n)
    y = net.conv(x, c1, 2 * c, 1, 1)
    parts = chunk2(y)
    if len(parts) < 2:
        raise BlockError("not enough values to unpack (expected 2, got 1)")
    out = repeat(net, parts[-1], n, inner)
    joined = cat(parts + [out] * min(n, 1))
    joined = (joined[0] + (n - 1) * out[0], *joined[1:]) if n > 1 else joined
    return net.conv(joined, (2 + n) * c, c2, 1)


def c3_like(net: Net, x: Shape, c1, c2, n, e, inner) -> Shape:
    """The C3 layout: Conv(c1, c_) through n inner blocks, concatenated with a second Conv(c1, c_), Conv(2c_, c2)."""
    hidden = width(c2, e)
    a = net.conv(x, c1, hidden, 1, 1)
    a = repeat(net, a, repeats(n), inner)
    b = net.conv(x, c1, hidden, 1, 1)
    return net.conv(cat([a, b]), 2 * hidden, c2, 1)


def c3k(net: Net, x: Shape, c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3) -> Shape:
    hidden = width(c2, e)
    return c3_like(net, x, c1, c2, n, e,
                   lambda sub, y: bottleneck(sub, y, hidden, hidden, shortcut, g, (k, k), 1.0))


def ghost_bottleneck(net: Net, x: Shape, c1, c2, k=3, s=1) -> Shape:
    """GhostBottleneck: GhostConv(c1, c2 // 2), a depthwise Conv(k, s) when s == 2, GhostConv(c2 // 2, c2);
    plus the input, or (s == 2) a depthwise Conv(k, s) and Conv(c1, c2) of it."""
    half = channels(c2) // 2
    y = ghost_conv(net, x, c1, half, 1, 1)
    if s == 2:
        y = dwconv(net, y, half, half, k, s)
    y = ghost_conv(net, y, half, c2, 1, 1)
    z = x
    if s == 2:
        z = dwconv(net, x, c1, c1, k, s)
        z = net.conv(z, c1, c2, 1, 1)
    return add(y, z)


def rep_vgg_dw(net: Net, x: Shape, ed) -> Shape:
    """RepVGGDW: a depthwise 7x7 Conv plus a depthwise 3x3 Conv."""
    a = net.conv(x, ed, ed, 7, 1, 3, ed)
    b = net.conv(x, ed, ed, 3, 1, 1, ed)
    return add(a, b)


def cib(net: Net, x: Shape, c1, c2, shortcut=True, e=0.5, lk=False) -> Shape:
    """CIB: depthwise 3x3, 1x1 to 2c_, depthwise 3x3 (RepVGGDW when lk), 1x1 to c2, depthwise 3x3; plus the
    input when shortcut and c1 == c2."""
    hidden = width(c2, e)
    y = net.conv(x, c1, c1, 3, 1, None, c1)
    y = net.conv(y, c1, 2 * hidden, 1)
    y = rep_vgg_dw(net, y, 2 * hidden) if lk else net.conv(y, 2 * hidden, 2 * hidden, 3, 1, None, 2 * hidden)
    y = net.conv(y, 2 * hidden, c2, 1)
    y = net.conv(y, c2, c2, 3, 1, None, c2)
    return add(x, y) if shortcut and c1 == c2 else y


def same(cls: str, c1, c2) -> None:
    if c1 != c2:
        raise BlockError(f"{cls} requires c1 == c2 (ultralytics asserts c1 == c2), got {c1} and {c2}", 1)


def heads(c: int) -> int:
    """The attention heads PSA, C2PSA, C2fPSA and C3k2(attn=True) give their PSABlocks: c // 64, at least 1."""
    return max(c // 64, 1)


@block("Bottleneck", ("c1", R), ("c2", R), ("shortcut", True), ("g", 1), ("k", (3, 3)), ("e", 0.5))
def Bottleneck(net, x, *a):
    return bottleneck(net, x, *a)


@block("C1", ("c1", R), ("c2", R), ("n", 1))
def C1(net, x, c1, c2, n):
    y = net.conv(x, c1, c2, 1, 1)
    z = repeat(net, y, repeats(n), lambda sub, t: sub.conv(t, c2, c2, 3))
    return add(z, y)


@block("C2", ("c1", R), ("c2", R), ("n", 1), ("shortcut", True), ("g", 1), ("e", 0.5))
def C2(net, x, c1, c2, n, shortcut, g, e):
    c = width(c2, e)
    y = net.conv(x, c1, 2 * c, 1, 1)
    parts = chunk2(y)
    if len(parts) < 2:
        raise BlockError("not enough values to unpack (expected 2, got 1)")
    a = repeat(net, parts[0], repeats(n), lambda sub, t: bottleneck(sub, t, c, c, shortcut, g, ((3, 3), (3, 3)), 1.0))
    return net.conv(cat([a, parts[1]]), 2 * c, c2, 1)


@block("C2f", ("c1", R), ("c2", R), ("n", 1), ("shortcut", False), ("g", 1), ("e", 0.5))
def C2f(net, x, c1, c2, n, shortcut, g, e):
    c = width(c2, e)
    return c2f_like(net, x, c1, c2, n, c, lambda sub, t: bottleneck(sub, t, c, c, shortcut, g, ((3, 3), (3, 3)), 1.0))


C3_SPEC = (("c1", R), ("c2", R), ("n", 1), ("shortcut", True), ("g", 1), ("e", 0.5))


def c3_of_bottlenecks(kernels):
    """C3 (kernels 1x1 then 3x3) and C3x (1x3 then 3x1): a C3 of Bottleneck(c_, c_, e=1.0) of those kernels."""
    def part(net, x, c1, c2, n, shortcut, g, e):
        c = width(c2, e)
        return c3_like(net, x, c1, c2, n, e, lambda sub, t: bottleneck(sub, t, c, c, shortcut, g, kernels, 1.0))
    return part


C3 = block("C3", *C3_SPEC)(c3_of_bottlenecks(((1, 1), (3, 3))))
C3x = block("C3x", *C3_SPEC)(c3_of_bottlenecks(((1, 3), (3, 1))))


@block("C3Ghost", *C3_SPEC)
def C3Ghost(net, x, c1, c2, n, shortcut, g, e):
    c = width(c2, e)
    return c3_like(net, x, c1, c2, n, e, lambda sub, t: ghost_bottleneck(sub, t, c, c))


@block("C3TR", *C3_SPEC)
def C3TR(net, x, c1, c2, n, shortcut, g, e):
    c = width(c2, e)
    return c3_like(net, x, c1, c2, 1, e, lambda sub, t: transformer_block(sub, t, c, c, 4, repeats(n)))


@block("C3k", ("c1", R), ("c2", R), ("n", 1), ("shortcut", True), ("g", 1), ("e", 0.5), ("k", 3))
def C3k(net, x, *a):
    return c3k(net, x, *a)


@block("C3k2", ("c1", R), ("c2", R), ("n", 1), ("c3k", False), ("e", 0.5), ("attn", False), ("g", 1),
       ("shortcut", True))
def C3k2(net, x, c1, c2, n, use_c3k, e, attn, g, shortcut):
    c = width(c2, e)
    if attn:
        def inner(sub, t):
            return psa_block(sub, bottleneck(sub, t, c, c, shortcut, g), c, 0.5, heads(c))
    elif use_c3k:
        def inner(sub, t):
            return c3k(sub, t, c, c, 2, shortcut, g)
    else:
        def inner(sub, t):
            return bottleneck(sub, t, c, c, shortcut, g)
    return c2f_like(net, x, c1, c2, n, c, inner)


@block("RepC3", ("c1", R), ("c2", R), ("n", 3), ("e", 1.0))
def RepC3(net, x, c1, c2, n, e):
    c = width(c2, e)
    a = net.conv(x, c1, c, 1, 1)
    a = repeat(net, a, repeats(n), lambda sub, t: rep_conv(sub, t, c, c))
    b = net.conv(x, c1, c, 1, 1)
    y = add(a, b)
    return net.conv(y, c, c2, 1) if c != c2 else y


@block("BottleneckCSP", ("c1", R), ("c2", R), ("n", 1), ("shortcut", True), ("g", 1), ("e", 0.5))
def BottleneckCSP(net, x, c1, c2, n, shortcut, g, e):
    c = width(c2, e)
    a = net.conv(x, c1, c, 1, 1)
    a = repeat(net, a, repeats(n), lambda sub, t: bottleneck(sub, t, c, c, shortcut, g, (3, 3), 1.0))
    a = net.conv2d(a, c, c, 1, bias=False)
    b = net.conv2d(x, c1, c, 1, bias=False)
    y = net.bn(cat([a, b]))
    return net.conv(y, 2 * c, c2, 1)


@block("GhostBottleneck", ("c1", R), ("c2", R), ("k", 3), ("s", 1))
def GhostBottleneck(net, x, *a):
    return ghost_bottleneck(net, x, *a)


@block("CIB", ("c1", R), ("c2", R), ("shortcut", True), ("e", 0.5), ("lk", False))
def CIB(net, x, *a):
    return cib(net, x, *a)


@block("RepVGGDW", ("ed", R))
def RepVGGDW(net, x, ed):
    return rep_vgg_dw(net, x, ed)


@block("C2fCIB", ("c1", R), ("c2", R), ("n", 1), ("shortcut", False), ("lk", False), ("g", 1), ("e", 0.5))
def C2fCIB(net, x, c1, c2, n, shortcut, lk, g, e):
    c = width(c2, e)
    return c2f_like(net, x, c1, c2, n, c, lambda sub, t: cib(sub, t, c, c, shortcut, 1.0, lk))


@block("C2fPSA", ("c1", R), ("c2", R), ("n", 1), ("e", 0.5))
def C2fPSA(net, x, c1, c2, n, e):
    same("C2fPSA", c1, c2)
    c = width(c2, e)
    return c2f_like(net, x, c1, c2, n, c, lambda sub, t: psa_block(sub, t, c, 0.5, heads(c)))


@block("C2PSA", ("c1", R), ("c2", R), ("n", 1), ("e", 0.5))
def C2PSA(net, x, c1, c2, n, e):
    same("C2PSA", c1, c2)
    c = width(c1, e)
    y = net.conv(x, c1, 2 * c, 1, 1)
    b = repeat(net, (c, y[1], y[2]), repeats(n), lambda sub, t: psa_block(sub, t, c, 0.5, heads(c)))
    return net.conv(cat([(c, y[1], y[2]), b]), 2 * c, c1, 1)


@block("PSA", ("c1", R), ("c2", R), ("e", 0.5))
def PSA(net, x, c1, c2, e):
    same("PSA", c1, c2)
    c = width(c1, e)
    y = net.conv(x, c1, 2 * c, 1, 1)
    b = psa_block(net, (c, y[1], y[2]), c, 0.5, heads(c))
    return net.conv(cat([(c, y[1], y[2]), b]), 2 * c, c1, 1)


@block("A2C2f", ("c1", R), ("c2", R), ("n", 1), ("a2", True), ("area", 1), ("residual", False), ("mlp_ratio", 2.0),
       ("e", 0.5), ("g", 1), ("shortcut", True))
def A2C2f(net, x, c1, c2, n, a2, area, residual, mlp_ratio, e, g, shortcut):
    """A2C2f: Conv(c1, c_), n blocks each on the previous output (two ABlock(c_, c_ // 32, mlp_ratio, area)
    when a2, else a C3k(c_, c_, 2)), all 1 + n outputs concatenated, Conv((1 + n) c_, c2); with a2 and
    residual, the input plus a per-channel scale (c2 weights) times that."""
    c = width(c2, e)
    if a2 and c % 32:
        raise BlockError("Dimension of ABlock must be a multiple of 32.", 1)
    n = repeats(n)
    if a2:
        def inner(sub, t):
            return area_block(sub, area_block(sub, t, c, c // 32, mlp_ratio, area), c, c // 32, mlp_ratio, area)
    else:
        def inner(sub, t):
            return c3k(sub, t, c, c, 2, shortcut, g)
    y = net.conv(x, c1, c, 1, 1)
    out = repeat(net, y, n, inner)
    joined = cat([y, out]) if n > 0 else y
    joined = (joined[0] + (n - 1) * out[0], *joined[1:]) if n > 1 else joined
    z = net.conv(joined, (1 + n) * c, c2, 1)
    if a2 and residual:
        net.params += channels(c2)
        return add(x, z)
    return z


def C2fAttn(args: list, inputs: list) -> Built:
    """C2fAttn(c1, c2, n, ec, nh, gc, shortcut, g, e) on [image (C, H, W), guide (K, gc)] (YOLO-World passes
    the text embeddings as the guide: K = nc tokens of 512): the C2f layout with a MaxSigmoidAttnBlock(c, c,
    nh, ec, gc) on the last output, concatenated too: Conv((3 + n) c, c2)."""
    c1, c2, n, ec, nh, gc, shortcut, g, e = bind(
        "C2fAttn", args, ("c1", R), ("c2", R), ("n", 1), ("ec", 128), ("nh", 1), ("gc", 512), ("shortcut", False),
        ("g", 1), ("e", 0.5))
    if len(inputs) != 2 or len(inputs[1]) != 2:
        raise BlockError("C2fAttn takes the image and the guide: inputs [(C, H, W), (tokens, features)]")
    x, guide = single("C2fAttn", inputs[:1]), tuple(inputs[1])
    c = width(c2, e)
    n = repeats(n)
    net = Net()
    y = net.conv(x, c1, 2 * c, 1, 1)
    parts = chunk2(y)
    out = repeat(net, parts[-1], n, lambda sub, t: bottleneck(sub, t, c, c, shortcut, g, ((3, 3), (3, 3)), 1.0))
    attended = max_sigmoid_attn(net, out, guide, c, c, nh, ec, gc)
    joined = cat(parts + [out] * min(n, 1) + [attended])
    joined = (joined[0] + (n - 1) * out[0], *joined[1:]) if n > 1 else joined
    return net.built(net.conv(joined, (3 + n) * c, c2, 1))


BLOCKS = {f.__name__: f for f in (Bottleneck, C1, C2, C2f, C3, C3x, C3Ghost, C3TR, C3k, C3k2, RepC3, BottleneckCSP,
                                  GhostBottleneck, CIB, RepVGGDW, C2fCIB, C2fPSA, C2PSA, PSA, A2C2f, C2fAttn)}
