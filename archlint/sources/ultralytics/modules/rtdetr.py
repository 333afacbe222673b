"""The RT-DETR modules as observed in ultralytics 8.4: the backbone's HGStem, HGBlock and ResNetLayer, and the
RTDETRDecoder head (in the contract of `heads.HEADS`)."""

from __future__ import annotations

from math import prod

from archlint.sources.ultralytics.blocks import BlockError
from archlint.sources.ultralytics.modules.attention import mha
from archlint.sources.ultralytics.modules.conv import block, dwconv
from archlint.sources.ultralytics.modules.csp import repeat, repeats
from archlint.sources.ultralytics.modules.ops import REQUIRED, Net, Shape, add, bind, cat, channels

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


# ------------------------------------------------------------------------------------------ the decoder head

DECODER_ARGS = (("nc", 80), ("ch", (512, 1024, 2048)), ("hd", 256), ("nq", 300), ("ndp", 4), ("nh", 8), ("ndl", 6),
                ("d_ffn", 1024), ("dropout", 0.0), ("act", None), ("eval_idx", -1), ("nd", 100),
                ("label_noise_ratio", 0.5), ("box_noise_scale", 1.0), ("learnt_init_query", False))


def _size(value, what: str) -> int:
    """A size torch allocates a tensor with: an int (a float is torch's TypeError), never negative."""
    if not isinstance(value, int):
        raise BlockError(f"empty(): argument 'size' (position 1) must be tuple of ints, but found element of type "
                         f"{type(value).__name__} at pos 0 ({what})")
    return int(value)


def _weight(net: Net, *shape: int) -> None:
    """A parameter tensor of `shape` (a Linear's or an Embedding's weight)."""
    for v in shape:
        if v < 0:
            raise BlockError(f"Trying to create tensor with negative dimension {v}: [{', '.join(map(str, shape))}]")
    net.params += prod(shape)


def _linear(net: Net, rows: int, fin: int, fout: int) -> None:
    """nn.Linear(fin, fout) with bias on `rows` vectors."""
    _weight(net, fout, fin)
    net.params += fout
    net.products(rows * fin * fout)


def _mlp(net: Net, rows: int, sizes: list[int]) -> None:
    """ultralytics' MLP: Linear layers through `sizes` (its input, hidden width per hidden layer, output) with
    ReLU between them."""
    for fin, fout in zip(sizes, sizes[1:]):
        _linear(net, rows, fin, fout)


def _decoder_layer(net: Net, queries: int, anchors: int, hd: int, nh: int, levels: int, ndp: int, d_ffn: int) -> None:
    """DeformableTransformerDecoderLayer: self-attention over the queries (nn.MultiheadAttention), LayerNorm;
    multi-scale deformable cross-attention (value_proj over every anchor, sampling_offsets to nh x levels x ndp
    x 2 and attention_weights to nh x levels x ndp over the queries, grid sampling that neither thop nor torch's
    flop counter sees, output_proj), LayerNorm; Linear(hd, d_ffn), activation, Linear(d_ffn, hd), LayerNorm."""
    mha(net, queries, hd, nh)
    net.layernorm(queries, hd)
    points = nh * levels * ndp
    _linear(net, queries, hd, 2 * points)
    _linear(net, queries, hd, points)
    _linear(net, anchors, hd, hd)
    _linear(net, queries, hd, hd)
    net.layernorm(queries, hd)
    _linear(net, queries, hd, d_ffn)
    _linear(net, queries, d_ffn, hd)
    net.layernorm(queries, hd)


def RTDETRDecoder(args, inputs, legacy=True):
    """RT-DETR's head, in inference. Per level a 1x1 Conv2d (no bias) to hd and a BatchNorm2d; the projected
    levels flattened into A anchors, Linear(hd, hd) and LayerNorm over them (enc_output), Linear(hd, nc) scores
    (enc_score_head); the best min(nq, A) become the queries, whose boxes an MLP(hd, hd, hd, 4) gives
    (enc_bbox_head). Each decoder layer that runs (the first eval_idx + 1 of ndl, all by default) adds an
    MLP(4, 2 hd, hd) of the boxes (query_pos_head, one module shared by the layers), the layer itself and its
    box MLP(hd, hd, hd, 4) (dec_bbox_head); the evaluated layer's Linear(hd, nc) gives the scores (dec_score_head).
    Held but not run in inference: the later layers, the other score heads, the denoising Embedding(nc, hd),
    the learnt queries Embedding(nq, hd) (learnt_init_query). Output: (min(nq, queries x nc), 6), the best boxes,
    each x1, y1, x2, y2, score, class."""
    nc, chs, hd, nq, ndp, nh, ndl, d_ffn, _dropout, act, eval_idx, _nd, _noise, _box_noise, learnt = \
        bind("RTDETRDecoder", args, *DECODER_ARGS)
    if not isinstance(chs, (list, tuple)) or not chs:
        raise BlockError("the head needs a list of input channels", 1)
    if len(chs) != len(inputs):
        raise BlockError(f"the head was built for {len(chs)} levels but receives {len(inputs)} inputs", 1)
    if not isinstance(ndl, int):
        raise BlockError(f"'{type(ndl).__name__}' object cannot be interpreted as an integer", 6)
    hd = _size(hd, "hd")
    net = Net()
    for c_in in chs:  # input_proj: Conv2d(c_in, hd, 1, bias=False), BatchNorm2d(hd)
        _weight(net, hd, channels(c_in, "in_channels"), 1, 1)
        net.params += 2 * hd
    # construction: the ndl decoder layers with their box and score heads, the embeddings, the encoder's heads
    layer, box_head, score_head = Net(), Net(), Net()
    if ndl > 0:
        nh, ndp, d_ffn = _size(nh, "nh"), _size(ndp, "ndp"), _size(d_ffn, "d_ffn")
        if hd <= 0 or nh <= 0:
            raise BlockError(f"embed_dim and num_heads must be greater than 0, got embed_dim={hd} and num_heads={nh} "
                             "instead", 5)
        if hd % nh:
            raise BlockError("embed_dim must be divisible by num_heads", 5)
        _decoder_layer(layer, 0, 0, hd, nh, len(chs), ndp, d_ffn)
        _mlp(box_head, 0, [hd, hd, hd, 4])
        _linear(score_head, 0, hd, _size(nc, "nc"))
    nc = _size(nc, "nc")
    net.params += max(ndl, 0) * (layer.params + box_head.params + score_head.params)
    _weight(net, nc, hd)  # denoising_class_embed
    if learnt:
        _weight(net, _size(nq, "nq"), hd)  # tgt_embed
    query_pos = Net()
    _mlp(query_pos, 0, [4, 2 * hd, hd])
    encoder = Net()
    _mlp(encoder, 0, [hd, hd])
    encoder.layernorm(0, hd)
    _linear(encoder, 0, hd, nc)
    _mlp(encoder, 0, [hd, hd, hd, 4])
    net.params += query_pos.params + encoder.params
    # the forward pass
    counted = Net()  # what runs (its parameters are counted above)
    projected = [counted.bn(counted.conv2d(tuple(x), c_in, hd, 1, 1, 0, bias=False)) for c_in, x in zip(chs, inputs)]
    anchors = sum(h * w for _, h, w in projected)
    _linear(counted, anchors, hd, hd)  # enc_output
    counted.layernorm(anchors, hd)
    _linear(counted, anchors, hd, nc)  # enc_score_head
    if nc == 0:
        raise BlockError("max(): Expected reduction dim 2 to have non-zero size.", 0)
    if isinstance(nq, bool) or not isinstance(nq, int):
        raise BlockError(f"topk(): argument 'k' (position 1) must be int, not {type(nq).__name__}", 3)
    if nq < 0:
        raise BlockError("selected index k out of range", 3)
    if nq == 0:
        raise BlockError("cannot reshape tensor of 0 elements into shape [1, 0, -1] because the unspecified dimension "
                         "size -1 can be any value and is ambiguous", 3)
    queries = min(nq, anchors)
    _mlp(counted, queries, [hd, hd, hd, 4])  # enc_bbox_head
    index = eval_idx + ndl if isinstance(eval_idx, (int, float)) and eval_idx < 0 else eval_idx
    run = int(index) + 1 if isinstance(index, (int, float)) and index == int(index) and 0 <= index < ndl else 0
    if run:
        if ndp == 0:
            raise BlockError("tuple index out of range (ndp, the sampling points per level, must be at least 1)", 4)
        if act is not None:
            raise BlockError(f"'{type(act).__name__}' object is not callable (act must be a module, which a YAML "
                             "cannot write: leave it None for ReLU)", 9)
        step = Net()
        _mlp(step, queries, [4, 2 * hd, hd])  # query_pos_head
        _decoder_layer(step, queries, anchors, hd, nh, len(chs), ndp, d_ffn)
        _mlp(step, queries, [hd, hd, hd, 4])  # dec_bbox_head
        counted.absorb(step, run)
        _linear(counted, queries, hd, nc)  # the evaluated layer's dec_score_head
    if run == 0:
        raise BlockError("stack expects a non-empty TensorList (no decoder layer is evaluated: ndl must be at least "
                         "1 and eval_idx one of its layers)", 10 if ndl > 0 else 6)
    net.macs += counted.macs
    net.ops += counted.ops
    return net.built((min(nq, queries * nc), 6))
