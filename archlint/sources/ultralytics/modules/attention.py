"""ultralytics' attention modules (PSA's Attention and PSABlock, C3TR's transformer, AIFI, CBAM and its
parts), as observed in 8.4. Attention's matrix products are MACs (archlint/cost.py) and ultralytics 8.4's
GFLOPs counts them too (thop sees torch.matmul and nn.MultiheadAttention); nn.MultiheadAttention's
softmax is in thop's count, a `Tensor.softmax` call is not."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError
from archlint.sources.ultralytics.modules.conv import block
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, channels

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
    layer = Net()
    if num_layers > 0:
        transformer_layer(layer, h * w, c2, num_heads)
    else:  # no layer: the heads are never checked
        pass
    net.absorb(layer, max(num_layers, 0))
    return x


@block("Attention", ("dim", R), ("num_heads", 8), ("attn_ratio", 0.5))
def Attention(net, x, *a):
    return attention(net, x, *a)


@block("PSABlock", ("c", R), ("attn_ratio", 0.5), ("num_heads", 4), ("shortcut", True))
def PSABlock(net, x, *a):
    return psa_block(net, x, *a)


@block("TransformerBlock", ("c1", R), ("c2", R), ("num_heads", R), ("num_layers", R))
def TransformerBlock(net, x, *a):
    return transformer_block(net, x, *a)


BLOCKS = {f.__name__: f for f in (Attention, PSABlock, TransformerBlock)}
