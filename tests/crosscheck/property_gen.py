"""Hypothesis generators for the property cross-check: random specs over the registered catalogue.

The catalogue is read from `archlint.layers.registry.REGISTRY`, so a layer type added later is drawn
as soon as every keyword it requires has a generator in `KEYWORDS` (one table, keyed by keyword; a
generator looks at the layer's framework, family and spatial rank where a keyword means different
things in different layers). Optional keywords with a generator are written half of the time.
Values stray outside the valid range now and then (zero, negative, too large, wrong length), so the
refusals are exercised as well as the arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

from archlint.layers.registry import KERAS, PYTORCH, REGISTRY, REQUIRED, load_all

# Families that need more than a chain of single-input layers on float tensors (merges take several
# inputs, embeddings take integer indices, wrappers a nested layer): drawn by other generators later.
EXCLUDED_FAMILIES = {"merge", "embedding", "attention"}  # attention: several inputs, in test_attention_recurrent.py


@dataclass(frozen=True)
class Ctx:
    framework: str
    type: str
    family: str
    rank: int | None  # the spatial rank named by the class (Conv2D: 2), None for rank-agnostic layers


def spatial_rank(name: str) -> int | None:
    match = re.search(r"([123])[dD](Transpose)?$", name)
    return int(match.group(1)) if match else None


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
    "dim": lambda c: st.sampled_from([-1, 1]),
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
    """(the types drawn, the registered types left out for lack of a generator) for a framework."""
    load_all()
    drawn, left = [], []
    for (fw, name), layer_type in sorted(REGISTRY.items()):
        if fw != framework:
            continue
        required = [k for k, v in layer_type.defaults.items() if v is REQUIRED]
        if layer_type.family in EXCLUDED_FAMILIES or any(k not in KEYWORDS for k in required):
            left.append(name)
        else:
            drawn.append(name)
    return drawn, left


@st.composite
def layer(draw, framework: str, name: str) -> dict:
    layer_type = REGISTRY[(framework, name)]
    ctx = Ctx(framework, name, layer_type.family, spatial_rank(name))
    spec = {"type": name}
    for key, default in layer_type.defaults.items():
        if key not in KEYWORDS:
            continue
        if default is not REQUIRED and not draw(st.booleans()):
            continue
        value = draw(KEYWORDS[key](ctx))
        if value is None and default is REQUIRED:
            continue
        if value is not None or default is not REQUIRED:
            if value is None and key in ("in_channels", "in_features", "num_features", "num_channels", "input_size"):
                continue
            spec[key] = value
    return spec


@st.composite
def spec(draw, framework: str) -> dict:
    """A spec of 1-4 layers on a random input: mostly layers made for the input's rank."""
    names, _ = catalogue(framework)
    tensor_rank = draw(st.integers(1, 4))  # without the batch axis
    hi = {1: 12, 2: 12, 3: 9, 4: 6}[tensor_rank]
    shape = [draw(st.integers(1, hi)) for _ in range(tensor_rank)]
    fitting = [n for n in names if spatial_rank(n) in (None, tensor_rank - 1)]
    count = draw(st.integers(1, 4))
    layers = []
    for _ in range(count):
        pool = fitting if draw(st.integers(0, 9)) else names
        layers.append(draw(layer(framework, draw(st.sampled_from(pool)))))
    return {"archlint": 1, "framework": framework, "input": shape, "layers": layers}


FRAMEWORKS = (KERAS, PYTORCH)
