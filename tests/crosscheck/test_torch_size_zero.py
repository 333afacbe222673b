"""Layers with a size keyword of 0 against torch 2.13.0 (issue 15 §3): each torch.nn layer type archlint
registers, with one of its size keywords at 0, built and run by torch on a batch of 2. A keyword that
follows the input (in_channels, num_features, ...) gets an input whose axis is 0: made by a Linear with
out_features=0 (W021 there) and a torch.permute, in both archlint and torch.

- torch refuses (the constructor or the forward pass) -> archlint reports an error on that layer;
- torch runs -> no error, the output shape is torch's, and W021 on the layer exactly when its own
  keyword made a size 0 (an input that was empty already is the earlier layer's finding).

    python -m pytest -q -m crosscheck tests/crosscheck/test_torch_size_zero.py
"""

from __future__ import annotations

import warnings

import pytest

from archlint import yaml12
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

CASES = []


def add(type_, shape, kwargs, key, follow=()):
    CASES.append((type_, shape, kwargs, key, follow))


for d, sp in ((1, [8]), (2, [8, 8]), (3, [4, 4, 4])):
    for T in (f"Conv{d}d", f"ConvTranspose{d}d"):
        kw = {"in_channels": 4, "out_channels": 6, "kernel_size": 3}
        add(T, [4] + sp, kw, "out_channels")
        add(T, [4] + sp, kw, "in_channels", (0,))
        add(T, [4] + sp, kw, "kernel_size")
        add(T, [4] + sp, dict(kw, groups=2), "groups")
    for T in (f"BatchNorm{d}d", f"InstanceNorm{d}d"):
        add(T, [4] + sp, {"num_features": 4}, "num_features", (0,))
    if d <= 3:
        for T in (f"MaxPool{d}d", f"AvgPool{d}d"):
            add(T, [4] + sp, {"kernel_size": 2}, "kernel_size")
        for T in (f"AdaptiveAvgPool{d}d", f"AdaptiveMaxPool{d}d"):
            add(T, [4] + sp, {"output_size": 2}, "output_size")
add("Linear", [8], {"in_features": 8, "out_features": 3}, "out_features")
add("Linear", [8], {"in_features": 8, "out_features": 3}, "in_features", (0,))
add("Embedding", [5], {"num_embeddings": 10, "embedding_dim": 4}, "embedding_dim")
add("Embedding", [5], {"num_embeddings": 10, "embedding_dim": 4}, "num_embeddings")
for T in ("RNN", "GRU", "LSTM"):
    kw = {"input_size": 4, "hidden_size": 6, "batch_first": True}
    add(T, [5, 4], kw, "hidden_size")
    add(T, [5, 4], kw, "input_size", (1,))
    add(T, [5, 4], dict(kw, num_layers=1), "num_layers")
add("LSTM", [5, 4], {"input_size": 4, "hidden_size": 6, "batch_first": True, "proj_size": 3}, "proj_size")
add("GroupNorm", [4, 8], {"num_groups": 2, "num_channels": 4}, "num_groups")
add("GroupNorm", [4, 8], {"num_groups": 2, "num_channels": 4}, "num_channels", (0,))
add("LayerNorm", [4, 8], {"normalized_shape": 8}, "normalized_shape", (1,))
add("LayerNorm", [4, 8], {"normalized_shape": [4, 8]}, "normalized_shape", (0,))
add("LocalResponseNorm", [4, 8], {"size": 2}, "size")
add("PReLU", [4, 8], {"num_parameters": 4}, "num_parameters")
add("PixelShuffle", [8, 3, 3], {"upscale_factor": 2}, "upscale_factor")
add("PixelUnshuffle", [2, 4, 4], {"downscale_factor": 2}, "downscale_factor")
add("MultiheadAttention", [5, 8], {"embed_dim": 8, "num_heads": 2, "batch_first": True}, "embed_dim", (1,))
add("MultiheadAttention", [5, 8], {"embed_dim": 8, "num_heads": 2, "batch_first": True}, "num_heads")
add("MultiheadAttention", [5, 8], {"embed_dim": 8, "num_heads": 2, "batch_first": True, "kdim": 6, "vdim": 6}, "kdim")
for T in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
    kw = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True}
    add(T, [5, 8], kw, "d_model", (1,))
    add(T, [5, 8], kw, "nhead")
    add(T, [5, 8], kw, "dim_feedforward")
add("Upsample", [4, 8], {"size": 4}, "size")
add("Unflatten", [12], {"dim": 1, "unflattened_size": [3, 4]}, "unflattened_size")


def zeroed(type_, shape, kwargs, key, follow):
    """The keywords with `key` at 0, and the per-sample shape the layer reads."""
    kwargs = dict(kwargs)
    value = kwargs[key]
    if key == "normalized_shape":
        sizes = value if isinstance(value, list) else [value]
        lead = len(shape) - len(sizes)
        kwargs[key] = [0 if lead + i in follow else n for i, n in enumerate(sizes)]
    elif key == "unflattened_size":
        kwargs[key] = [0] + value[1:]
    else:
        kwargs[key] = 0
    return kwargs, [0 if axis in follow else n for axis, n in enumerate(shape)]


def producer(shape, follow):
    """(model input, layers) giving `shape` with its `follow` axis at 0: Linear(4 -> 0), moved into place."""
    if not follow:
        return shape, []
    (axis,) = follow
    rank = len(shape)
    dims = [0] + list(range(1, axis + 1)) + [rank] + list(range(axis + 1, rank))
    return shape[:axis] + shape[axis + 1:] + [4], [
        {"name": "empty", "type": "Linear", "in_features": 4, "out_features": 0},
        {"name": "moved", "type": "torch.permute", "dims": dims}]


def torch_result(torch, type_, shape, kwargs, follow):
    """The output's shape per sample, or None when torch refuses."""
    nn = torch.nn
    source, layers = producer(shape, follow)
    x = torch.ones((2,) + tuple(source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Initializing zero-element tensors is a no-op"
        return _run(torch, nn, type_, shape, kwargs, x if not layers else nn.Linear(4, 0)(x).permute(layers[1]["dims"]))


def _run(torch, nn, type_, shape, kwargs, x):
    try:
        module = getattr(nn, type_)(**{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()})
        if type_ == "Embedding":
            out = module(torch.zeros((2,) + tuple(shape), dtype=torch.long))
        elif type_ == "MultiheadAttention":
            out = module(x, x, x)
        elif type_ == "TransformerDecoderLayer":
            out = module(x, x)
        else:
            out = module(x)
    except (RuntimeError, ValueError, IndexError, ZeroDivisionError, AssertionError):
        return None
    return tuple((out[0] if isinstance(out, tuple) else out).shape)[1:]


def archlint_result(tmp_path, type_, shape, kwargs, follow):
    source, layers = producer(shape, follow)
    layer = {"name": "swept", "type": type_, **kwargs}
    if type_ == "TransformerDecoderLayer":
        previous = layers[-1]["name"] if layers else "input"
        layer["inputs"] = {"tgt": previous, "memory": previous}
    path = tmp_path / "zero.yaml"
    text = yaml12.dump({"archlint": 1, "framework": "pytorch", "input": source, "layers": layers + [layer]})
    path.write_text(text, encoding="utf-8")
    start = next(number for number, line in enumerate(text.splitlines(), 1) if "swept" in line)
    return lint_file(str(path)), start


@pytest.mark.parametrize("type_, shape, kwargs, key, follow", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_size_zero_matches_torch(tmp_path, type_, shape, kwargs, key, follow):
    torch = pytest.importorskip("torch")
    kwargs, read = zeroed(type_, shape, kwargs, key, follow)
    expected = torch_result(torch, type_, read, kwargs, follow)
    result, start = archlint_result(tmp_path, type_, shape, kwargs, follow)
    on_layer = [f for f in result.findings if f.line >= start]  # the swept layer is the last
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    if expected is None:
        assert errors and len(errors) == len([f for f in on_layer if f.is_error]), errors
        return
    assert errors == []
    codes = sorted({f.rule.code for f in on_layer})
    assert codes == (["W021"] if not follow and key != "proj_size" else []), codes
    walked = {layer.name: layer for layer in result.model.layers}["swept"]
    shape_out = walked.output.shape[0] if isinstance(walked.output.shape, list) else walked.output.shape
    assert tuple(shape_out)[1:] == expected


def test_sweep_verdicts():
    """The sweep's torch verdicts, counted: what torch builds and runs, and what it refuses."""
    torch = pytest.importorskip("torch")
    runs = [c for c in CASES if torch_result(torch, c[0], zeroed(*c)[1], zeroed(*c)[0], c[4]) is not None]
    assert (len(CASES), len(runs)) == (75, 21)
