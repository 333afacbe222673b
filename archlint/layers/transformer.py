"""PyTorch Transformer layers: TransformerEncoderLayer, TransformerDecoderLayer, and the stacks
TransformerEncoder and TransformerDecoder, which take their layer as a nested mapping:

```yaml
- type: TransformerEncoder
  encoder_layer: {type: TransformerEncoderLayer, d_model: 64, nhead: 4, batch_first: true}
  num_layers: 2
  norm: {type: LayerNorm, normalized_shape: 64}     # optional
```

What counts: a stack deep-copies its layer `num_layers` times (the layer given to the constructor is
not itself part of the module), plus the final `norm`. A decoder layer reads two inputs, `[tgt,
memory]` (or `{tgt: ..., memory: ...}`). Conditions were checked against torch 2.13.0;
tests/test_attention.py holds the verified cases.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.attention import by_role, torch_batch_axes, torch_mha_arguments
from archlint.layers.registry import PYTORCH, REQUIRED, Call, Output, register
from archlint.layers.wrappers import apply_inner, inner_call
from archlint.shapes import format_shape

LAYER_DEFAULTS = {
    "d_model": REQUIRED,
    "nhead": REQUIRED,
    "dim_feedforward": 2048,
    "dropout": 0.1,
    "activation": "relu",  # torch also takes a callable, which a spec cannot write
    "layer_norm_eps": 1e-05,
    "batch_first": False,
    "norm_first": False,
    "bias": True,
    "device": None,
    "dtype": None,
}
ENCODER_DEFAULTS = {"encoder_layer": REQUIRED, "num_layers": REQUIRED, "norm": None, "enable_nested_tensor": True,
                    "mask_check": True}
DECODER_DEFAULTS = {"decoder_layer": REQUIRED, "num_layers": REQUIRED, "norm": None}
DECODER_ROLES = ("tgt", "memory")


def layer_weights(cfg: dict, attentions: int, norms: int) -> int:
    """MultiheadAttention blocks (in_proj 3E^2, out_proj E^2, their biases 4E), the feed-forward pair
    linear1 (E -> F) and linear2 (F -> E), and LayerNorms (weight, and a bias unless bias=False)."""
    e, f, bias = cfg["d_model"], cfg["dim_feedforward"], 1 if cfg["bias"] else 0
    attention = 4 * e * e + bias * 4 * e
    feed_forward = 2 * e * f + bias * (f + e)
    return attentions * attention + feed_forward + norms * (e + bias * e)


def _layer_arguments(call: Call) -> None:
    cfg = call.cfg
    torch_mha_arguments(call, "d_model", "nhead")
    if cfg["dim_feedforward"] < 0:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `dim_feedforward={cfg['dim_feedforward']}`: torch refuses it", "dim_feedforward",
                        hint="torch: Trying to create tensor with negative dimension; the hidden size of the "
                             "feed-forward block, e.g. 4 * d_model")
    if cfg["dim_feedforward"] == 0:
        call.report(rules.EMPTY_OUTPUT, f"{call.type} dim_feedforward=0: its feed-forward block computes an empty "
                                        "tensor",
                    "dim_feedforward",
                    hint="torch builds it, and only linear2's bias is added; the hidden size of the feed-forward "
                         "block, e.g. 4 * d_model")
    if cfg["activation"] not in ("relu", "gelu"):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `activation={cfg['activation']!r}`: torch refuses it", "activation",
                        hint=f"torch: activation should be relu/gelu, not {cfg['activation']}; use relu or gelu "
                             "(torch also takes a function, which a spec cannot hold)")


def _check_features(call: Call, tensor, role: str) -> None:
    d_model = call.cfg["d_model"]
    if tensor.shape[-1] is not None and tensor.shape[-1] != d_model:
        raise call.fail(rules.DECLARED_SIZE_MISMATCH,
                        f"{call.type} expects {d_model} features in the {role} (d_model={d_model}) but it has "
                        f"{tensor.shape[-1]}: {tensor.producer} {format_shape(tensor.shape)}", "d_model",
                        hint=f"torch fails on the forward pass: set d_model: {tensor.shape[-1]}, or fix the layer "
                        "before it")


def encoder_layer(call: Call) -> Output:
    _layer_arguments(call)
    t = by_role(call, ("src",), required=1)
    torch_batch_axes(call, t, ("src",), call.cfg["batch_first"])
    _check_features(call, t["src"], "input")
    return Output(t["src"].shape, trainable=layer_weights(call.cfg, attentions=1, norms=2))


def decoder_layer(call: Call) -> Output:
    _layer_arguments(call)
    t = by_role(call, DECODER_ROLES, required=2, self_attention=False)
    torch_batch_axes(call, t, ("tgt", "memory"), call.cfg["batch_first"])
    _check_features(call, t["tgt"], "tgt")
    _check_features(call, t["memory"], "memory")
    return Output(t["tgt"].shape, trainable=layer_weights(call.cfg, attentions=2, norms=3))


def _check_stack(call: Call, key: str, layer_type: str) -> None:
    cfg = call.cfg
    if cfg[key]["type"] != layer_type:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} stacks a {layer_type}, got {cfg[key]['type']}: torch fails (the layer has no "
                        "self_attn)", key, hint=f"give {key}: {{type: {layer_type}, d_model: ..., nhead: ...}}")
    if cfg["num_layers"] < 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `num_layers={cfg['num_layers']}`: torch fails on the forward pass (index 0 is "
                        "out of range)", "num_layers", hint="stack at least one layer")


def _stacked(call: Call, layer: Output, shape: tuple) -> Output:
    """`num_layers` copies of the layer's weights, then the optional norm (any layer, applied to the output)."""
    count = call.cfg["num_layers"]
    total = Output(shape, trainable=count * layer.trainable, non_trainable=count * layer.non_trainable)
    if call.cfg["norm"] is not None:
        _, norm = apply_inner(call, "norm", shape)
        total.shape = norm.shape
        total.trainable += norm.trainable
        total.non_trainable += norm.non_trainable
    return total


def encoder(call: Call) -> Output:
    _check_stack(call, "encoder_layer", "TransformerEncoderLayer")
    # the nested layer reads the stack's input: its findings (W007 for batch_first) land inside it
    _, layer = apply_inner(call, "encoder_layer", call.x.shape)
    return _stacked(call, layer, call.x.shape)


def decoder(call: Call) -> Output:
    t = by_role(call, DECODER_ROLES, required=2, self_attention=False)
    _check_stack(call, "decoder_layer", "TransformerDecoderLayer")
    # the nested decoder layer reads both inputs (apply_inner gives a nested layer one)
    sub, layer_type = inner_call(call, "decoder_layer", t["tgt"].shape)
    sub.inputs = [t["tgt"], t["memory"]]
    layer = layer_type.infer(sub)
    if call.cfg["decoder_layer"].get("trainable", True) is False:
        layer.non_trainable += layer.trainable
        layer.trainable = 0
    return _stacked(call, layer, t["tgt"].shape)


register(PYTORCH, "TransformerEncoderLayer", "attention", LAYER_DEFAULTS, encoder_layer, roles=("src",))
register(PYTORCH, "TransformerDecoderLayer", "attention", LAYER_DEFAULTS, decoder_layer, roles=DECODER_ROLES)
register(PYTORCH, "TransformerEncoder", "attention", ENCODER_DEFAULTS, encoder, roles=("src",))
register(PYTORCH, "TransformerDecoder", "attention", DECODER_DEFAULTS, decoder, roles=DECODER_ROLES)
