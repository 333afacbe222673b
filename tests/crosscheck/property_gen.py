"""Hypothesis generators for the property cross-check: random specs over the registered catalogue.

The catalogue is read from `archlint.layers.registry.REGISTRY`, so a layer type added later is drawn
as soon as every keyword it requires has a generator in `KEYWORDS` (one table, keyed by keyword; a
generator looks at the layer's framework, family and spatial rank where a keyword means different
things in different layers). Optional keywords with a generator are written half of the time.
Values stray outside the valid range now and then (zero, negative, too large, wrong length), so the
refusals are exercised as well as the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from hypothesis import strategies as st

from archlint.layers.keras_ops import OPS as KERAS_OPS
from archlint.layers.keras_ops import PREFIX as OP_PREFIX
from archlint.layers.preprocessing import IMAGE_LAYERS as AUGMENTATIONS
from archlint.layers.registry import KERAS, PYTORCH, REGISTRY, REQUIRED, load_all

# Every registered type is drawn. Most go into chains of single-input layers on float tensors (KEYWORDS
# below); the rest have their own generators: merges and the attention layers that need two or three
# inputs are drawn in short graphs (`graph`), embeddings on integer ids (`ids`), the Keras wrappers with a
# nested layer (`_inner`). Types that cannot be built from a spec at all are listed here, with why: the
# steps the Keras importer writes for functional graphs (issue 17), cross-checked by test_keras_models.py
# on real Keras models instead.
EXCLUDED_TYPES: dict[tuple[str, str], str] = {
    **{(KERAS, OP_PREFIX + name): "a keras.ops function, not a layer of keras.layers" for name in KERAS_OPS},
    (KERAS, "SelectOutput"): "one output of another layer's call: written by the Keras importer only",
    (KERAS, "LayerScale"): "keras.applications' own layer (ConvNeXt), not in keras.layers",
    (KERAS, "CustomScaleLayer"): "keras.applications' own layer (InceptionResNetV2), not in keras.layers",
    **{(KERAS, name): "a random image augmentation: whether Keras's call succeeds depends on the transform it "
       "draws and, for a rank-3 tensor, on reading it as one image; cross-checked on batches of images by "
       "test_keras_models.py" for name in (*AUGMENTATIONS, "RandomCrop")},
}

# Drawn only in graphs, reading model inputs by name: several inputs (Keras merges, Keras Attention and
# AdditiveAttention, which refuse a single tensor; PyTorch's binary functions and the decoders).
GRAPH_ONLY = {
    KERAS: {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Attention",
            "AdditiveAttention"},
    PYTORCH: {"torch.add", "torch.mul", "torch.cat", "torch.stack", "TransformerDecoderLayer", "TransformerDecoder"},
}
# Drawn in graphs too (they take several inputs), as well as in chains (one input is self-attention)
GRAPH_ALSO = {KERAS: {"MultiHeadAttention"}, PYTORCH: {"MultiheadAttention"}}
IDS_ONLY = {"Embedding"}  # integer indices: the first layer on a model input of ids

BATCH = 2


@dataclass(frozen=True)
class Ctx:
    framework: str
    type: str
    family: str
    rank: int | None  # the spatial rank named by the class (Conv2D: 2), None for rank-agnostic layers
    shape: tuple = ()  # the spec's (first) input shape, without the batch: a hint for shape-bound keywords


def spatial_rank(name: str, framework: str | None = None) -> int | None:
    """The spatial rank the class is made for, as registered (LayerType.rank)."""
    found = [t for (fw, n), t in REGISTRY.items() if n == name and framework in (None, fw)]
    return found[0].rank if found else None


def _sometimes_bad(good, bad, p_bad: float = 0.06):
    """Mostly `good`, now and then `bad` (an invalid value)."""
    return st.one_of(good, bad) if p_bad <= 0 else st.integers(0, 99).flatmap(
        lambda r: bad if r < p_bad * 100 else good)


def _sizes(ctx: Ctx, lo: int, hi: int, bad=(0, -1), allow_list=True):
    """An int, or a list of one per spatial axis (sometimes of the wrong length)."""
    one = st.integers(lo, hi)
    good = one
    if allow_list and ctx.rank:
        good = st.one_of(one, st.lists(one, min_size=ctx.rank, max_size=ctx.rank))
    wrong = st.one_of(st.sampled_from(bad), st.lists(one, min_size=1, max_size=4)) if bad else st.nothing()
    return _sometimes_bad(good, wrong) if bad else good


def _padding(ctx: Ctx):
    fw, fam, name = ctx.framework, ctx.family, ctx.type
    if fam == "resize":  # padding layers: amounts per side
        if fw == KERAS:
            return _sizes(ctx, 0, 3, bad=(-1,))
        return st.one_of(st.integers(0, 3), st.lists(st.integers(-1, 3), min_size=2 * (ctx.rank or 1),
                                                     max_size=2 * (ctx.rank or 1)))
    if fw == KERAS:
        options = ["valid", "same"] + (["causal"] if name == "Conv1D" else [])
        return st.sampled_from(options)
    if "Transpose" in name:
        return _sizes(ctx, 0, 3, bad=(-1,))
    if fam == "pooling":
        return _sizes(ctx, 0, 2, bad=(-1, 3))
    return st.one_of(_sizes(ctx, 0, 3, bad=(-1,)), st.sampled_from(["same", "valid"]))


def _output_padding(ctx: Ctx):
    if ctx.framework == KERAS:
        return st.one_of(st.none(), _sizes(ctx, 0, 2, bad=(-1,)))
    return _sizes(ctx, 0, 2, bad=(-1,))


def _channels(ctx: Ctx):
    return _sometimes_bad(st.integers(1, 8), st.sampled_from([0, -1]), 0.03)


def _declared(ctx: Ctx):
    # Declared input sizes: left out (filled from the real input) or, now and then, a wrong guess
    return st.one_of(st.none(), st.none(), st.none(), st.integers(1, 6))


def _bool(ctx: Ctx):
    return st.booleans()


def _factors(n: int):
    """n split into one to three factors, in a random order (a valid target for a reshape)."""
    @st.composite
    def draw_(draw):
        parts, rest = [], n
        for _ in range(draw(st.integers(0, 2))):
            d = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
            parts.append(d)
            rest //= d
        parts.append(rest)
        return draw(st.permutations(parts))
    return draw_()


def _per_sample(ctx: Ctx) -> int:
    return prod(ctx.shape) if ctx.shape else 1


@st.composite
def _target_shape(draw, ctx: Ctx):
    """Keras Reshape: the input's element count refactored, one size maybe -1; now and then a wrong count."""
    sizes = list(draw(_factors(_per_sample(ctx))))
    if draw(st.integers(0, 2)) == 0:
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    if draw(st.integers(0, 9)) == 0:
        sizes = draw(st.sampled_from([sizes + [2], [-1, -1], [0], [3, 5]]))
    return sizes


@st.composite
def _torch_shape(draw, ctx: Ctx):
    """torch.reshape's `shape` counts the batch: -1 there (the usual `x.reshape(-1, ...)`), sizes per sample."""
    sizes = [-1] + list(draw(_factors(_per_sample(ctx))))
    if draw(st.integers(0, 9)) == 0:
        sizes = draw(st.sampled_from([sizes + [3], [-1, -1], [BATCH, _per_sample(ctx)], [-2, 1]]))
    return sizes


@st.composite
def _dims(draw, ctx: Ctx):
    """Keras Permute: a permutation of 1..rank (the batch not counted); torch.permute: of 0..rank, the
    batch mostly left first."""
    rank = len(ctx.shape)
    if ctx.framework == KERAS:
        dims = list(draw(st.permutations(range(1, rank + 1))))
    else:
        rest = list(draw(st.permutations(range(1, rank + 1))))
        dims = [0] + rest if draw(st.integers(0, 4)) else rest + [0]
    if draw(st.integers(0, 9)) == 0:
        dims = draw(st.sampled_from([dims + [rank + 1], dims[:-1] or [0], [d - 1 for d in dims], dims[:1] * 2]))
    return dims


@st.composite
def _normalized_shape(draw, ctx: Ctx):
    """torch LayerNorm: the input's trailing sizes, as an int or a list; now and then a wrong size."""
    if not ctx.shape or draw(st.integers(0, 7)) == 0:
        return draw(st.one_of(st.integers(1, 8), st.lists(st.integers(1, 6), min_size=1, max_size=2)))
    trailing = list(ctx.shape[-draw(st.integers(1, len(ctx.shape))):])
    return trailing[0] if len(trailing) == 1 and draw(st.booleans()) else trailing


@st.composite
def _unflatten(draw, ctx: Ctx):
    """torch Unflatten (dim, unflattened_size): the size at `dim` refactored, maybe with a -1."""
    rank = len(ctx.shape) + 1
    dim = draw(st.sampled_from([1, -1, 2, rank - 1] if rank > 1 else [1, -1]))
    size = ctx.shape[dim % rank - 1] if rank > 1 and dim % rank >= 1 else 4
    sizes = list(draw(_factors(size)))
    if draw(st.integers(0, 3)) == 0:
        sizes[0] = -1
    if draw(st.integers(0, 9)) == 0:
        sizes = draw(st.sampled_from([sizes + [3], [-1, -1], [0, size]]))
    return {"dim": dim, "unflattened_size": sizes}


def _heads(ctx: Ctx, width: int):
    """A head count that divides `width` mostly (torch requires it), sometimes not."""
    divisors = [d for d in range(1, min(width, 4) + 1) if width % d == 0] or [1]
    return _sometimes_bad(st.sampled_from(divisors), st.integers(1, 4), 0.1)


def _features(ctx: Ctx) -> int:
    return ctx.shape[-1] if ctx.shape else 4


@st.composite
def _inner(draw, ctx: Ctx):
    """The nested layer of a Keras wrapper: a recurrent layer for Bidirectional (mostly), any chain layer
    of one rank less for TimeDistributed."""
    if ctx.type == "Bidirectional":
        names = ["SimpleRNN", "LSTM", "GRU"] if draw(st.integers(0, 9)) else _chain(KERAS)
        return draw(layer(KERAS, draw(st.sampled_from(names)), ctx.shape))
    inner_shape = ctx.shape[1:]
    names = [n for n in _chain(KERAS) if spatial_rank(n) in (None, len(inner_shape) - 1)
             and n not in ("Bidirectional", "TimeDistributed")]
    return draw(layer(KERAS, draw(_pick(names)), inner_shape))


@st.composite
def _backward_layer(draw, ctx: Ctx):
    """Bidirectional's backward_layer: left out mostly (the layer's mirror), else a recurrent layer that
    goes backwards (Keras checks that it matches the forward layer)."""
    if draw(st.integers(0, 4)):
        return None
    return {"type": draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"])), "units": draw(st.integers(1, 4)),
            "go_backwards": draw(st.sampled_from([True, True, False])), "return_sequences": draw(st.booleans())}


# keyword -> (ctx -> strategy). `None` from a strategy means "leave the keyword out".
KEYWORDS = {
    "filters": _channels,
    "out_channels": _channels,
    "units": _channels,
    "out_features": _channels,
    "hidden_size": _channels,
    "kernel_size": lambda c: _sizes(c, 1, 4),
    "pool_size": lambda c: _sizes(c, 1, 3),
    "strides": lambda c: st.one_of(st.none(), _sizes(c, 1, 3)) if c.family == "pooling" else _sizes(c, 1, 3),
    "stride": lambda c: st.one_of(st.none(), _sizes(c, 1, 3)) if c.family == "pooling" else _sizes(c, 1, 3),
    "dilation_rate": lambda c: _sizes(c, 1, 3),
    "dilation": lambda c: _sizes(c, 1, 3),
    "padding": _padding,
    "output_padding": _output_padding,
    "groups": lambda c: st.integers(1, 4) if c.family == "conv" else st.integers(1, 4),
    "num_groups": lambda c: st.integers(1, 4),
    "depth_multiplier": lambda c: _sometimes_bad(st.integers(1, 3), st.just(0), 0.03),
    "data_format": lambda c: st.sampled_from([None, None, None, "channels_first"]),
    "use_bias": _bool,
    "bias": _bool,
    "center": _bool,
    "scale": lambda c: st.floats(0.5, 2.0) if c.family == "resize" else st.booleans(),
    "affine": _bool,
    "elementwise_affine": _bool,
    "track_running_stats": _bool,
    "ceil_mode": _bool,
    "count_include_pad": _bool,
    "keepdims": _bool,
    "return_sequences": _bool,
    "batch_first": lambda c: st.sampled_from([True, True, True, False]),
    "bidirectional": _bool,
    "num_layers": lambda c: st.integers(1, 2),
    "go_backwards": _bool,
    "return_state": lambda c: st.sampled_from([False, False, True]),
    "reset_after": _bool,
    "proj_size": lambda c: st.sampled_from([0, 0, 1, 2]),
    "output_size": lambda c: _sizes(c, 1, 4, bad=(0,)),
    "cropping": lambda c: _sizes(c, 0, 3, bad=(-1,)),
    "size": lambda c: st.integers(1, 5) if c.family == "normalization" else _sizes(c, 1, 3, bad=(0,)),
    "scale_factor": lambda c: st.integers(1, 3),
    "upscale_factor": lambda c: st.integers(1, 3),
    "downscale_factor": lambda c: st.integers(1, 3),
    "value": lambda c: st.just(0.5),
    "rate": lambda c: st.sampled_from([0.0, 0.25, 0.5]),
    "p": lambda c: st.sampled_from([0.0, 0.25, 0.5]),
    "stddev": lambda c: st.just(0.1),
    "activation": lambda c: st.sampled_from(["relu", "tanh", "sigmoid", None]) if c.type != "Activation"
    else st.sampled_from(["relu", "tanh", "softmax"]),
    "axis": lambda c: st.sampled_from([-1, 1]),
    "dim": lambda c: st.sampled_from([-1, 1, 2, 0] if c.family == "merge" else [-1, 1]),
    "start_dim": lambda c: st.sampled_from([0, 1, 1, 2, -2]),
    "end_dim": lambda c: st.sampled_from([-1, -1, 1, 2]),
    "keepdim": _bool,
    "alpha": lambda c: st.sampled_from([1, 2]),
    # reshapes, LayerNorm: read the input shape hint (right when the layer comes first or after layers
    # that keep the shape, wrong otherwise, which exercises the refusals)
    "target_shape": _target_shape,
    "shape": _torch_shape,
    "dims": _dims,
    "normalized_shape": _normalized_shape,
    # embeddings
    "input_dim": lambda c: _sometimes_bad(st.integers(1, 20), st.sampled_from([0, -1]), 0.05),
    "output_dim": lambda c: _sometimes_bad(st.integers(1, 6), st.sampled_from([0, -1]), 0.05),
    "num_embeddings": lambda c: _sometimes_bad(st.integers(1, 20), st.sampled_from([0, -1]), 0.05),
    "embedding_dim": lambda c: _sometimes_bad(st.integers(1, 6), st.sampled_from([0, -1]), 0.05),
    "padding_idx": lambda c: st.sampled_from([0, 1, -1, 25, -30]),
    "mask_zero": _bool,
    "_freeze": _bool,
    # Keras wrappers
    "layer": _inner,
    "merge_mode": lambda c: st.sampled_from(["concat", "sum", "mul", "ave", None, "max"]),
    "backward_layer": _backward_layer,
    # attention and Transformer layers (widths from the query's shape)
    "num_heads": lambda c: _heads(c, _features(c)) if c.framework == PYTORCH else st.integers(1, 3),
    "key_dim": lambda c: _sometimes_bad(st.integers(1, 4), st.just(0), 0.04),
    "value_dim": lambda c: st.integers(1, 4),
    "output_shape": lambda c: st.one_of(st.integers(1, 5), st.lists(st.integers(1, 3), min_size=1, max_size=2)),
    "use_gate": _bool,
    "use_scale": _bool,
    "score_mode": lambda c: st.sampled_from(["dot", "concat", "bilinear"]),
    "embed_dim": lambda c: _sometimes_bad(st.just(_features(c)), st.integers(1, 8), 0.1),
    "add_bias_kv": _bool,
    "add_zero_attn": _bool,
    "d_model": lambda c: _sometimes_bad(st.just(_features(c)), st.integers(1, 8), 0.1),
    "nhead": lambda c: _heads(c, _features(c)),
    "dim_feedforward": lambda c: st.integers(0, 12),
    "norm_first": _bool,
    "encoder_layer": lambda c: _nested_transformer(c, "TransformerEncoderLayer"),
    "decoder_layer": lambda c: _nested_transformer(c, "TransformerDecoderLayer"),
    "norm": lambda c: st.one_of(st.none(), st.just({"type": "LayerNorm", "normalized_shape": _features(c)})),
    "axes": lambda c: st.one_of(st.sampled_from([-1, 1, 2, 0]), st.lists(st.integers(-1, 2), min_size=2, max_size=2)),
    "normalize": _bool,
    "n": lambda c: st.integers(1, 3),
    "height": lambda c: st.integers(1, 8),
    "width": lambda c: st.integers(1, 8),
    "threshold": lambda c: st.just(0.1),
    "lora_rank": lambda c: st.sampled_from([None, 0, 1, 2]),
    "in_channels": _declared,
    "in_features": _declared,
    "num_features": _declared,
    "num_channels": _declared,
    "input_size": _declared,
}


def catalogue(framework: str) -> tuple[list[str], list[str]]:
    """(the types drawn, the registered types left out: EXCLUDED_TYPES) for a framework."""
    from archlint.plugins import IMPORTER_TYPES

    load_all()
    drawn, left = [], []
    for (fw, name) in sorted(REGISTRY):
        if (fw, name) in IMPORTER_TYPES:
            continue  # an importer's types (Ultralytics rows, transformers modules) are not native spec types
        if fw == framework:
            (left if (fw, name) in EXCLUDED_TYPES else drawn).append(name)
    return drawn, left


def _pick(names: list[str]):
    """One of `names`, spread evenly: sampled_from and integers favour their first values, which left a
    tenth of the catalogue undrawn in 400 cases; a seeded Random (derandomized, as the rest) does not."""
    return st.randoms(use_true_random=False).map(lambda r: r.choice(names))


def _chain(framework: str) -> list[str]:
    """The types drawn in chains: one float input each."""
    drawn, _ = catalogue(framework)
    return [n for n in drawn if n not in GRAPH_ONLY[framework] and n not in IDS_ONLY]


@st.composite
def _nested_transformer(draw, ctx: Ctx, name: str) -> dict:
    return draw(layer(PYTORCH, name, ctx.shape))


@st.composite
def layer(draw, framework: str, name: str, shape: tuple = ()) -> dict:
    """One layer mapping: required keywords always, optional ones with a generator half of the time."""
    layer_type = REGISTRY[(framework, name)]
    ctx = Ctx(framework, name, layer_type.family, spatial_rank(name), tuple(shape))
    spec = {"type": name}
    if name == "Unflatten":
        spec.update(draw(_unflatten(ctx)))
    for key, default in layer_type.defaults.items():
        if key not in KEYWORDS or key in spec:
            continue
        if default is not REQUIRED and not draw(st.booleans()):
            continue
        value = draw(KEYWORDS[key](ctx))
        if value is None and (default is REQUIRED or key in TORCH_INPUT_SIZE_KEYS):
            continue
        spec[key] = value
    return spec


TORCH_INPUT_SIZE_KEYS = ("in_channels", "in_features", "num_features", "num_channels", "input_size")


def _shape(draw, rank: int) -> list[int]:
    hi = {1: 12, 2: 12, 3: 9, 4: 6}[rank]
    return [draw(st.integers(1, hi)) for _ in range(rank)]


@st.composite
def chain(draw, framework: str, first: str | None = None) -> dict:
    """1-4 layers on a random float input: mostly layers made for the input's rank (`first`: the first)."""
    names = _chain(framework)
    tensor_rank = draw(st.integers(1, 4))  # without the batch axis
    if first and spatial_rank(first) and draw(st.integers(0, 4)):
        tensor_rank = spatial_rank(first) + 1
    shape = _shape(draw, tensor_rank)
    fitting = [n for n in names if spatial_rank(n) in (None, tensor_rank - 1)]
    layers = [draw(layer(framework, first, shape))] if first else []
    for _ in range(draw(st.integers(0 if first else 1, 3 if first else 4))):
        pool = fitting if draw(st.integers(0, 9)) else names
        layers.append(draw(layer(framework, draw(_pick(pool)), shape)))
    return {"archlint": 1, "framework": framework, "input": shape, "layers": layers}


@st.composite
def _tail(draw, framework: str, shape: tuple) -> list[dict]:
    """0-2 chain layers after a graph's or an embedding's layer (reading its primary output)."""
    names = _chain(framework)
    return [draw(layer(framework, draw(_pick(names)), shape)) for _ in range(draw(st.integers(0, 2)))]


def _variant(draw, shape: list[int], attention: bool) -> list[int]:
    """Another input for a merge or an attention layer: mostly compatible (the same shape, a size of 1 that
    broadcasts, another sequence length for attention), sometimes not (another size or rank)."""
    roll = draw(st.integers(0, 9))
    other = list(shape)
    if roll < 5:
        if attention and len(other) > 1:
            other[0] = draw(st.integers(1, 8))  # keys and values: their own sequence length
        return other
    if roll < 7 and other:
        other[draw(st.integers(0, len(other) - 1))] = 1
    elif roll < 9 and other:
        axis = draw(st.integers(0, len(other) - 1))
        other[axis] = draw(st.integers(1, 8))
    else:
        other = _shape(draw, draw(st.integers(1, 3)))
    return other


@st.composite
def graph(draw, framework: str, name: str | None = None) -> dict:
    """Two or three named inputs read by one multi-input layer (a merge, an attention layer, a decoder),
    as a list in the framework's call order or, for attention, a mapping by role; then 0-2 chain layers."""
    name = name or draw(_pick(sorted(GRAPH_ONLY[framework] | GRAPH_ALSO[framework])))
    family = REGISTRY[(framework, name)].family
    attention = family == "attention"
    # Keras Attention and AdditiveAttention document (batch, steps, features) inputs: on more axes their
    # symbolic shape (the query's) and their forward pass (broadcast over the leading axes) disagree
    rank = (2 if name in ("Attention", "AdditiveAttention") else draw(st.integers(2, 3))) if attention else \
        draw(st.integers(1, 3))
    first = _shape(draw, rank)
    if attention and draw(st.integers(0, 2)) == 0:  # a width the heads divide
        first[-1] = draw(st.sampled_from([4, 6, 8]))
    if name in ("Subtract", "Dot", "torch.add", "torch.mul", "TransformerDecoderLayer", "TransformerDecoder"):
        count = draw(st.sampled_from([2] * 9 + [3]))
    elif name in ("MultiheadAttention",):
        count = 3
    elif name in ("Attention", "AdditiveAttention", "MultiHeadAttention"):
        count = draw(st.integers(2, 3))
    else:
        count = draw(st.sampled_from([1, 2, 2, 2, 3, 3]))
    shapes = [first] + [_variant(draw, first, attention) for _ in range(count - 1)]
    inputs = {f"in{i}": s for i, s in enumerate(shapes)}
    entry = draw(layer(framework, name, first))
    entry["inputs"] = list(inputs)
    roles = REGISTRY[(framework, name)].roles
    if roles and count > 1 and draw(st.booleans()):  # by role, in a shuffled order
        order = ("query", "value", "key") if framework == KERAS and attention else roles
        if name == "MultiheadAttention":
            order = ("query", "key", "value")
        pairs = list(zip(order, inputs))
        entry["inputs"] = dict(draw(st.permutations(pairs)))
    if name == "MultiheadAttention" and draw(st.booleans()):  # kdim, vdim: the key's and value's widths
        entry["kdim"], entry["vdim"] = shapes[1][-1], shapes[2][-1]
    return {"archlint": 1, "framework": framework, "inputs": inputs,
            "layers": [entry] + draw(_tail(framework, tuple(first)))}


@st.composite
def ids(draw, framework: str) -> dict:
    """An Embedding on a model input of integer ids (rank 1 or 2), then 0-2 chain layers."""
    shape = _shape(draw, draw(st.integers(1, 2)))
    entry = draw(layer(framework, "Embedding", shape))
    width = entry.get("output_dim", entry.get("embedding_dim"))
    after = tuple(shape) + ((width,) if isinstance(width, int) and width > 0 else ())
    return {"archlint": 1, "framework": framework, "input": shape, "layers": [entry] + draw(_tail(framework, after))}


@st.composite
def spec(draw, framework: str, first: str | None = None) -> dict:
    """A chain (7 in 10), a graph (2 in 10) or an embedding on ids (1 in 10); with `first`, a spec of the
    kind that type is drawn in, starting with it."""
    if first:
        if first in IDS_ONLY:
            return draw(ids(framework))
        if first in GRAPH_ONLY[framework]:
            return draw(graph(framework, first))
        return draw(chain(framework, first))
    kind = draw(st.integers(0, 9))
    if kind < 7:
        return draw(chain(framework))
    return draw(graph(framework) if kind < 9 else ids(framework))


FRAMEWORKS = (KERAS, PYTORCH)
