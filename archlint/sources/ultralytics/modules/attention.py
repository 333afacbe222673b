"""ultralytics' attention modules (PSA's Attention and PSABlock, C3TR's transformer, AIFI, CBAM and its
parts, YOLO-World's ImagePoolingAttn), as observed in 8.4. Attention's matrix products are MACs
(archlint/cost.py) and ultralytics 8.4's GFLOPs counts them too (thop sees torch.matmul, torch.einsum and
nn.MultiheadAttention); nn.MultiheadAttention's softmax is in thop's count, a `Tensor.softmax` call is not."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError, Built
from archlint.sources.ultralytics.modules.conv import block
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, bind, channels

R = REQUIRED


def attention(net: Net, x: Shape, dim, num_heads=8, attn_ratio=0.5) -> Shape:
    """Attention: a 1x1 Conv to q, k (key_dim = head_dim * attn_ratio per head) and v (head_dim per head),
    softmax(q^T k) over the H x W positions, v times it, plus a depthwise 3x3 Conv of v, then a 1x1 Conv."""
    dim, num_heads = channels(dim), channels(num_heads, "num_heads")
    if num_heads == 0:
        raise BlockError("integer division or modulo by zero")
    head_dim = dim // num_heads
    key_dim = int(head_dim * attn_ratio)
    h = dim + 2 * key_dim * num_heads
    qkv = net.conv(x, dim, h, 1)
    c, height, w = qkv
    n = height * w
    per_head = 2 * key_dim + head_dim
    if num_heads * per_head != h:
        raise BlockError(f"shape '[1, {num_heads}, {per_head}, {n}]' is invalid for input of size {h * n}")
    net.products(num_heads * n * n * key_dim + num_heads * head_dim * n * n)
    if num_heads * head_dim != dim:
        raise BlockError(f"shape '[1, {dim}, {height}, {w}]' is invalid for input of size {num_heads * head_dim * n}")
    pe = net.conv((dim, height, w), dim, dim, 3, 1, None, dim)
    return net.conv(pe, dim, dim, 1)


def psa_block(net: Net, x: Shape, c, attn_ratio=0.5, num_heads=4, shortcut=True) -> Shape:
    """PSABlock: x + Attention(x), then that plus a Conv(c, 2c) Conv(2c, c) feed-forward."""
    y = attention(net, x, c, num_heads, attn_ratio)
    y = add(x, y) if shortcut else y
    z = net.conv(net.conv(y, c, 2 * c, 1), 2 * c, c, 1)
    return add(y, z) if shortcut else z


def mha(net: Net, tokens: int, embed: int, num_heads: int) -> None:
    """nn.MultiheadAttention(embed, num_heads) as self-attention over `tokens` positions: the in-projections
    (3 e^2 + 3 e), the out-projection (e^2 + e), q.k^T and attention.v, and thop's softmax count."""
    if not isinstance(num_heads, int) or num_heads <= 0 or embed % num_heads:
        raise BlockError("embed_dim must be divisible by num_heads")
    net.params += 4 * embed * embed + 4 * embed
    net.products(4 * tokens * embed * embed + 2 * tokens * tokens * embed)
    net.ops += num_heads * tokens * (3 * tokens - 1)


def transformer_layer(net: Net, tokens: int, c: int, num_heads: int) -> None:
    """TransformerLayer: bias-free Linear q, k, v, nn.MultiheadAttention, and two bias-free Linear."""
    for _ in range(3):
        net.linear(tokens, c, c, bias=False)
    mha(net, tokens, c, num_heads)
    for _ in range(2):
        net.linear(tokens, c, c, bias=False)


def transformer_block(net: Net, x: Shape, c1, c2, num_heads, num_layers) -> Shape:
    """TransformerBlock: a Conv(c1, c2) when they differ, a Linear (with bias) added to the tokens, then
    num_layers TransformerLayers."""
    if c1 != c2:
        x = net.conv(x, c1, c2, 1)
    c, h, w = x
    if c != c2:
        raise BlockError(f"mat1 and mat2 shapes cannot be multiplied ({h * w}x{c} and {c2}x{c2})")
    net.linear(h * w, c2, c2)
    if num_layers > 0:  # with no layer the heads are never checked
        layer = Net()
        transformer_layer(layer, h * w, c2, num_heads)
        net.absorb(layer, num_layers)
    return x


def area_attention(net: Net, x: Shape, dim, num_heads, area=1) -> Shape:
    """AAttn: a 1x1 Conv to q, k, v (head_dim = dim // num_heads each), attention within each of `area` runs
    of the H x W positions (which must divide them), a depthwise 7x7 Conv of v added, a 1x1 Conv."""
    dim, num_heads = channels(dim), channels(num_heads, "num_heads")
    if num_heads == 0:
        raise BlockError("integer division or modulo by zero")
    inner = dim // num_heads * num_heads
    qkv = net.conv(x, dim, 3 * inner, 1)
    _, h, w = qkv
    n = h * w
    if area > 1 and n % area:
        raise BlockError(f"shape '[{area}, {n // area}, {3 * inner}]' is invalid for input of size {3 * inner * n}")
    net.products(2 * n * (n // max(area, 1)) * inner)
    y = net.conv((inner, h, w), inner, dim, 1)
    return add(y, net.conv((inner, h, w), inner, dim, 7, 1, 3, dim))


def area_block(net: Net, x: Shape, dim, num_heads, mlp_ratio=1.2, area=1) -> Shape:
    """ABlock: x + AAttn(x), then that plus Conv(dim, int(dim * mlp_ratio)) Conv(.., dim)."""
    y = add(x, area_attention(net, x, dim, num_heads, area))
    hidden = int(dim * mlp_ratio)
    return add(y, net.conv(net.conv(y, dim, hidden, 1), hidden, dim, 1))


def max_sigmoid_attn(net: Net, x: Shape, guide: tuple, c1, c2, nh=1, ec=128, gc=512, scale=False) -> Shape:
    """MaxSigmoidAttnBlock: guide (K tokens x gc) through Linear(gc, ec), the image through a 1x1 Conv to ec
    when c1 != ec; their per-head products over hc = c2 // nh channels (an einsum), max over K, sigmoid;
    weighting a 3x3 Conv(c1, c2) of the image."""
    tokens, features = guide
    nh, ec = channels(nh, "nh"), channels(ec, "ec")
    if nh == 0:
        raise BlockError("integer division or modulo by zero")
    hc = channels(c2) // nh
    embed = net.conv(x, c1, ec, 1) if c1 != ec else x
    if features != gc:
        raise BlockError(f"mat1 and mat2 shapes cannot be multiplied ({tokens}x{features} and {gc}x{ec})")
    net.linear(tokens, gc, ec)
    net.params += nh * (2 if scale else 1)  # the per-head bias, and the per-head scale when scale
    _, h, w = embed
    if nh * hc != ec:
        raise BlockError(f"shape '[1, {tokens}, {nh}, {hc}]' is invalid for input of size {tokens * ec}")
    net.products(nh * hc * h * w * tokens)
    y = net.conv(x, c1, c2, 3, 1)
    return y


def aifi(net: Net, x: Shape, c1, cm=2048, num_heads=8, dropout=0, act=None, normalize_before=False) -> Shape:
    """AIFI: a transformer encoder layer over the H x W positions: a 2-D sin-cos position embedding (two outer
    products of H W x c1 / 4), nn.MultiheadAttention, Linear(c1, cm), Linear(cm, c1), two LayerNorms."""
    c, h, w = x
    if c != c1:
        raise BlockError(f"was expecting embedding dimension of {c1}, but got {c}")
    if c1 % 4:
        raise BlockError("Embed dimension must be divisible by 4 for 2D sin-cos position embedding")
    n = h * w
    mha(net, n, c1, num_heads)
    net.products(2 * n * (c1 // 4))
    net.linear(n, c1, cm)
    net.linear(n, cm, c1)
    net.layernorm(n, c1)
    net.layernorm(n, c1)
    return x


def channel_attention(net: Net, x: Shape, c) -> Shape:
    """ChannelAttention: x times sigmoid(Conv2d(c, c, 1, bias) of its global average)."""
    pooled = net.adaptive_avgpool_1(x)
    net.conv2d(pooled, c, c, 1, 1, 0, bias=True)
    return x


def spatial_attention(net: Net, x: Shape, kernel_size=7) -> Shape:
    """SpatialAttention: x times sigmoid(Conv2d(2, 1, k) of its channel mean and max)."""
    if kernel_size not in (3, 7):
        raise BlockError("kernel size must be 3 or 7", 0)
    net.conv2d((2, x[1], x[2]), 2, 1, kernel_size, 1, 3 if kernel_size == 7 else 1, bias=False)
    return x


def _heads_view(tokens: int, ec: int, nh: int, hc: int) -> int:
    """Rows of `tokens` x `ec` values viewed as (1, -1, nh, hc): the count of the -1, or torch's error."""
    if (tokens * ec) % (nh * hc):
        raise BlockError(f"shape '[1, -1, {nh}, {hc}]' is invalid for input of size {tokens * ec}")
    return tokens * ec // (nh * hc)


def ImagePoolingAttn(args: list, inputs: list) -> Built:
    """ImagePoolingAttn(ec, ch, ct, nh, k, scale) on [feature maps (C, H, W)..., text (tokens, ct)]: YOLO-World's
    update of the text embeddings from the image. Per level a 1x1 Conv2d (bias) to ec and an adaptive max pool
    to k x k (nl k^2 image tokens); LayerNorm + Linear for the text queries (ct -> ec) and for the image keys and
    values (ec -> ec); attention over nh heads of ec // nh (two einsums, which thop counts; the softmax is a
    Tensor method, which it does not); Linear(ec, ct) back; the result (times a learnt scale when scale) added
    to the text. Output (tokens, ct)."""
    ec, ch, ct, nh, k, scale = bind("ImagePoolingAttn", args, ("ec", 256), ("ch", ()), ("ct", 512), ("nh", 8),
                                    ("k", 3), ("scale", False))
    if len(inputs) < 2 or len(inputs[-1]) != 2:
        raise BlockError("ImagePoolingAttn takes the feature maps and the text embeddings: inputs [(C, H, W), ..., "
                         "(tokens, features)]")
    *levels, (tokens, features) = inputs
    if not isinstance(ch, (list, tuple)):
        raise BlockError(f"ImagePoolingAttn's ch must be the list of input channels, got {ch!r}", 1)
    ec, ct, nh, k = channels(ec, "ec"), channels(ct, "ct"), channels(nh, "nh"), channels(k, "k")
    if nh == 0:
        raise BlockError("integer division or modulo by zero", 3)
    hc = ec // nh
    net = Net()
    for c_in, x in zip(ch, levels):  # zip: a level without a projection is left out, as the forward pass does
        net.conv2d(x, c_in, ec, 1, bias=True)
    pooled = min(len(ch), len(levels)) * k * k
    if features != ct:
        raise BlockError(f"Given normalized_shape=[{ct}], expected input with shape [*, {ct}], but got input of "
                         f"size[1, {tokens}, {features}]", 2)
    net.layernorm(tokens, ct)
    net.linear(tokens, ct, ec)
    for _ in range(2):  # keys and values
        net.layernorm(pooled, ec)
        net.linear(pooled, ec, ec)
    queries, keys = _heads_view(tokens, ec, nh, hc), _heads_view(pooled, ec, nh, hc)
    if nh * hc != ec:
        raise BlockError(f"shape '[1, -1, {ec}]' is invalid for input of size {queries * ec}")
    net.products(2 * queries * keys * ec)
    net.linear(tokens, ec, ct)
    net.params += 1 if scale else 0
    return net.built((tokens, ct))


@block("Attention", ("dim", R), ("num_heads", 8), ("attn_ratio", 0.5))
def Attention(net, x, *a):
    return attention(net, x, *a)


@block("PSABlock", ("c", R), ("attn_ratio", 0.5), ("num_heads", 4), ("shortcut", True))
def PSABlock(net, x, *a):
    return psa_block(net, x, *a)


@block("TransformerBlock", ("c1", R), ("c2", R), ("num_heads", R), ("num_layers", R))
def TransformerBlock(net, x, *a):
    return transformer_block(net, x, *a)


@block("AAttn", ("dim", R), ("num_heads", R), ("area", 1))
def AAttn(net, x, *a):
    return area_attention(net, x, *a)


@block("ABlock", ("dim", R), ("num_heads", R), ("mlp_ratio", 1.2), ("area", 1))
def ABlock(net, x, *a):
    return area_block(net, x, *a)


@block("AIFI", ("c1", R), ("cm", 2048), ("num_heads", 8), ("dropout", 0), ("act", None), ("normalize_before", False))
def AIFI(net, x, *a):
    return aifi(net, x, *a)


@block("ChannelAttention", ("channels", R))
def ChannelAttention(net, x, c):
    return channel_attention(net, x, c)


@block("SpatialAttention", ("kernel_size", 7))
def SpatialAttention(net, x, k):
    return spatial_attention(net, x, k)


@block("CBAM", ("c1", R), ("kernel_size", 7))
def CBAM(net, x, c1, k):
    """CBAM: ChannelAttention(c1) then SpatialAttention(k)."""
    if k not in (3, 7):
        raise BlockError("kernel size must be 3 or 7", 1)
    return spatial_attention(net, channel_attention(net, x, c1), k)


BLOCKS = {f.__name__: f for f in (Attention, PSABlock, TransformerBlock, AAttn, ABlock, AIFI, ChannelAttention,
                                  SpatialAttention, CBAM, ImagePoolingAttn)}
