"""Multiply-accumulates (MACs) of one layer application, for one sample. FLOPs are 2 x MACs.

Definition (docs/figures.md): a MAC is one product of two tensor values added into an
accumulator of a matrix product or a convolution: the products of a layer's input with its weights
(convolutions of every kind, dense layers, recurrent kernels at every time step) and the products of
two activations (attention's QK^T and attention-times-V, Keras `Dot`). Bias adds, activations,
normalization, pooling, element-wise merges, resizing and reshaping are not multiply-accumulates of a
product and count 0; so do embedding lookups. This is the convention of the published figures
(torchvision, fvcore, ptflops's conv/linear count) and of torch.utils.flop_counter, which counts
2 x MACs for matrix products and convolutions and nothing else.

One function per family, each reading the layer's keywords (defaults filled), its input tensors and
its output shape, after its rule ran: the shape rules stay about shapes, and every definition is in
this one module. A rule (a plugin, a composite layer) may set `Output.macs` itself; it is then kept.
None means unknown: a size the MACs depend on is null (a sequence of unknown length), or a plugin
layer that does not say.
"""

from __future__ import annotations

from math import prod

from archlint.layers.registry import REQUIRED, Call, Output, Tensor

ZERO_FAMILIES = frozenset({"elementwise", "normalization", "pooling", "resize", "reshape"})


def _known(*sizes) -> bool:
    return all(isinstance(size, int) for size in sizes)


def _count(sizes) -> int | None:
    sizes = tuple(sizes)
    return prod(sizes) if _known(*sizes) else None


def _first(shape):
    return shape[0] if isinstance(shape, list) else shape


# ------------------------------------------------------------------------------------------ conv


def conv_macs(call: Call, output: Output) -> int | None:
    """Every output position multiplies the kernel's window with every input channel of its group:
    out_positions x k_1*...*k_r x in_channels/groups x out_channels. Dilation changes which positions
    are read, not how many products. Depthwise: each channel with its own `depth_multiplier` kernels;
    separable: the depthwise stage plus a 1x1 pointwise stage, both at the output's positions.
    Transposed: every *input* position is multiplied with the whole kernel (the scatter that defines
    the transposed convolution), in_positions x k x in_channels x out_channels/groups, as torch
    computes it (and counts it, torch.utils.flop_counter)."""
    cfg, kind, x, window = call.cfg, call.type, call.x.shape, output.window
    if window is None:
        return None  # a plugin's convolution that does not set Output.macs
    out = _first(output.shape)
    kernel = prod(window.kernel)
    cin = x[1] if window.channels_first else x[-1]
    groups = cfg.get("groups") or 1
    cout = cfg["out_channels"] if call.framework == "pytorch" else cfg.get("filters")
    if window.transposed:
        positions = _count(x[axis] for axis in window.axes)
        return None if positions is None or not _known(cin) else positions * kernel * cin * (cout // groups)
    positions = _count(out[axis] for axis in window.axes)
    if positions is None or not _known(cin):
        return None
    if kind.startswith("Depthwise"):
        return positions * kernel * cin * cfg["depth_multiplier"]
    if kind.startswith("Separable"):
        inner = cin * cfg["depth_multiplier"]
        return positions * (kernel * inner + inner * cfg["filters"])
    return positions * kernel * (cin // groups) * cout + _lora(cfg, kernel * (cin // groups), cout)


def _lora(cfg: dict, rows: int, cols: int) -> int:
    """Keras LoRA merges its factors into the kernel on every call (kernel + A @ B): rows x rank x cols
    products, once per call whatever the batch, counted with the one sample."""
    rank = cfg.get("lora_rank")
    return rows * rank * cols if rank and rank > 0 else 0


# ----------------------------------------------------------------------------------------- dense


def dense_macs(call: Call, output: Output) -> int | None:
    """positions x in_features x out_features, where positions are the axes between the batch and the
    last one (a Dense on (batch, 10, 64) runs on 10 rows)."""
    cfg, x = call.cfg, call.x.shape
    positions = _count(x[1:-1])
    cout = cfg["units"] if "units" in cfg else cfg["out_features"]
    if positions is None or not _known(x[-1]):
        return None
    return positions * x[-1] * cout + _lora(cfg, x[-1], cout)


# ------------------------------------------------------------------------------------- recurrent

GATES = {"SimpleRNN": 1, "RNN": 1, "GRU": 3, "LSTM": 4}


def keras_rnn_step(kind: str, cfg: dict, features: int) -> int:
    """One time step: the input kernel (features x gates*units) and the recurrent kernel
    (units x gates*units). The gates' element-wise products are not MACs of a product."""
    units = cfg["units"]
    return GATES[kind] * units * (features + units)


def torch_rnn_step(kind: str, cfg: dict, features: int) -> int:
    """One time step of every layer and direction: weight_ih, weight_hh and (LSTM proj_size) weight_hr."""
    hidden, proj = cfg["hidden_size"], cfg.get("proj_size") or 0
    out = proj or hidden
    directions = 2 if cfg["bidirectional"] else 1
    layers = cfg["num_layers"]
    if layers < 1:
        return 0

    def one(size: int) -> int:
        return directions * (GATES[kind] * hidden * (size + out) + (hidden * proj if proj else 0))

    # the first layer reads the features, the others what the one before emits: arithmetic, not a loop
    return one(features) + (layers - 1) * one(out * directions)


def recurrent_macs(call: Call, output: Output) -> int | None:
    """The cell's products at every one of the sequence's time steps (axis 1: archlint's tensors put the
    batch first, as `batch_first: true` does)."""
    x = call.x.shape
    kind = call.type
    if kind == "TimeDistributed":
        return _time_distributed(call, output)
    if len(x) < 3 or not _known(x[1], x[-1]):
        return None
    if kind == "Bidirectional":
        forward = _nested_cfg(call.cfg["layer"], call.framework)
        backward = _nested_cfg(call.cfg["backward_layer"], call.framework) if call.cfg["backward_layer"] else forward
        return x[1] * sum(keras_rnn_step(c["type"], c, x[-1]) for c in (forward, backward))
    if call.framework == "pytorch":
        return x[1] * torch_rnn_step(kind, call.cfg, x[-1])
    return x[1] * keras_rnn_step(kind, call.cfg, x[-1])


def _nested_cfg(spec: dict, framework: str) -> dict:
    from archlint.layers.registry import lookup

    layer_type = lookup(framework, spec["type"])
    cfg = {k: (None if v is REQUIRED else v) for k, v in layer_type.defaults.items()}
    cfg.update({k: v for k, v in spec.items() if k not in ("name", "inputs", "expect", "trainable")})
    return cfg


def _time_distributed(call: Call, output: Output) -> int | None:
    """The inner layer's MACs on one step, times the steps."""
    from archlint.layers.registry import lookup

    x, out = call.x.shape, _first(output.shape)
    cfg = _nested_cfg(call.cfg["layer"], call.framework)
    layer_type = lookup(call.framework, cfg.pop("type"))
    inner = Call(layer_type.name, call.name, call.framework, cfg, frozenset(), [Tensor((x[0],) + x[2:], call.name)],
                 call.where, lambda *args, **kwargs: None)
    step = layer_macs(layer_type.family, inner, Output((out[0],) + tuple(out[2:])))
    return None if step is None or not _known(x[1]) else x[1] * step


# ------------------------------------------------------------------------------------ merge, dot


def merge_macs(call: Call, output: Output) -> int | None:
    """Keras `Dot`: every output value is a dot product over the contracted axis. Other merges
    (Add, Concatenate, torch.cat, ...) are element-wise or copies: 0."""
    if call.type != "Dot":
        return 0
    x = call.inputs[0].shape
    axes = call.cfg["axes"]
    axis = (axes if isinstance(axes, int) else axes[0]) % len(x)
    out = _count(_first(output.shape)[1:])
    return None if out is None or not _known(x[axis]) else out * x[axis]


# ------------------------------------------------------------------------------------- attention


def _roles(call: Call, order: tuple) -> dict:
    """The inputs by role, as the attention rules read them: a mapping `inputs:` names them, a list
    follows the framework's call order, one input is self-attention, a missing one takes the previous."""
    roles = getattr(call, "roles", None)
    given = dict(zip(roles, call.inputs)) if roles else dict(zip(order, call.inputs))
    if list(given) == ["query"]:
        return {role: given["query"].shape for role in order}
    for index, role in enumerate(order):
        if role not in given:
            given[role] = given[order[index - 1]]
    return {role: tensor.shape for role, tensor in given.items()}


def torch_mha(cfg: dict, query: tuple, key: tuple, batch_first: bool | None = None) -> int | None:
    """MultiheadAttention: in-projections of the query (L x E x E), key (S x kdim x E) and value
    (S x vdim x E), QK^T over all heads (L x S x E), attention-times-V (L x S x E) and the output
    projection (L x E x E). `add_bias_kv` and `add_zero_attn` each add a key position."""
    embed = cfg.get("embed_dim") or cfg.get("d_model")
    kdim = cfg.get("kdim") or embed
    vdim = cfg.get("vdim") or embed
    first = cfg.get("batch_first") if batch_first is None else batch_first
    axis = 1 if first and len(query) == 3 else 0  # torch's sequence axis (archlint's axis 0 otherwise)
    length, source = query[axis], key[axis]
    if not _known(length, source):
        return None
    projections = 2 * length * embed * embed + source * embed * (kdim + vdim)
    attended = source + int(bool(cfg.get("add_bias_kv"))) + int(bool(cfg.get("add_zero_attn")))
    return projections + 2 * length * attended * embed


def _transformer_layer(cfg: dict, target: tuple, memory: tuple | None) -> int | None:
    """Self-attention, cross-attention (decoder), and the feed-forward pair L x E x F x 2."""
    self_attention = torch_mha(cfg, target, target)
    axis = 1 if cfg["batch_first"] and len(target) == 3 else 0
    if self_attention is None or not _known(target[axis]):
        return None
    total = self_attention + 2 * target[axis] * cfg["d_model"] * cfg["dim_feedforward"]
    if memory is not None:
        cross = torch_mha(cfg, target, memory)
        total = None if cross is None else total + cross
    return total


def attention_macs(call: Call, output: Output) -> int | None:
    cfg, kind = call.cfg, call.type
    if kind == "MultiheadAttention":
        t = _roles(call, ("query", "key", "value"))
        return torch_mha(cfg, t["query"], t["key"])
    if kind == "MultiHeadAttention":
        t = _roles(call, ("query", "value", "key"))
        return _keras_mha(cfg, t["query"], t["value"], t["key"])
    if kind in ("Attention", "AdditiveAttention"):
        t = _roles(call, ("query", "value", "key"))
        query, value = t["query"], t["value"]
        pairs = _count(query[1:-1] + value[1:-1])
        if pairs is None or not _known(query[-1], value[-1]):
            return None
        # dot scores are a product over the features; concat/additive scores are sums of tanh, whose
        # only products are with AdditiveAttention's scale vector (use_scale)
        scores = query[-1] if kind == "Attention" and cfg["score_mode"] == "dot" else \
            query[-1] if kind == "AdditiveAttention" and cfg["use_scale"] else 0
        return pairs * (scores + value[-1])
    if kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        target = call.inputs[0].shape
        memory = call.inputs[1].shape if kind == "TransformerDecoderLayer" and len(call.inputs) > 1 else None
        if kind == "TransformerDecoderLayer" and memory is None:
            return None
        return _transformer_layer(cfg, target, memory)
    if kind in ("TransformerEncoder", "TransformerDecoder"):
        nested = _nested_cfg(cfg["encoder_layer" if kind == "TransformerEncoder" else "decoder_layer"], call.framework)
        target = call.inputs[0].shape
        memory = call.inputs[1].shape if kind == "TransformerDecoder" and len(call.inputs) > 1 else None
        if kind == "TransformerDecoder" and memory is None:
            return None
        one = _transformer_layer(nested, target, memory)
        return None if one is None else cfg["num_layers"] * one
    return None


def _keras_mha(cfg: dict, query: tuple, value: tuple, key: tuple) -> int | None:
    """Keras MultiHeadAttention: projections (query, key, value, the gate), QK^T and attention-times-V
    over the attention axes (every query position with every key position along them; the other axes
    pair position by position), and the output projection to `output_shape`."""
    heads, key_dim = cfg["num_heads"], cfg["key_dim"]
    value_dim = cfg["value_dim"] or key_dim
    rank = len(query)
    axes = cfg["attention_axes"]
    axes = tuple(range(1, rank - 1)) if axes is None else ((axes,) if isinstance(axes, int) else tuple(axes))
    axes = tuple(a % rank for a in axes)
    targets, sources = _count(query[1:-1]), _count(value[1:-1])
    attended = _count(value[a] for a in axes)
    if None in (targets, sources, attended) or not _known(query[-1], value[-1], key[-1]):
        return None
    sizes = cfg["output_shape"] or query[-1]
    out = prod((sizes,) if isinstance(sizes, int) else tuple(sizes))
    total = (targets * query[-1] * heads * key_dim
             + sources * (key[-1] * heads * key_dim + value[-1] * heads * value_dim))
    if cfg.get("use_gate"):
        total += targets * query[-1] * heads * value_dim
    total += targets * attended * heads * (key_dim + value_dim)
    return total + targets * heads * value_dim * out


# ------------------------------------------------------------------------------------- embedding


def embedding_macs(call: Call, output: Output) -> int:
    """A lookup multiplies nothing; Keras LoRA merges its factors into the table on every call."""
    if call.framework != "keras":
        return 0
    return _lora(call.cfg, call.cfg["input_dim"], call.cfg["output_dim"])


# -------------------------------------------------------------------------------------- dispatch

FAMILIES = {"conv": conv_macs, "dense": dense_macs, "recurrent": recurrent_macs, "merge": merge_macs,
            "attention": attention_macs, "embedding": embedding_macs}


def layer_macs(family: str, call: Call, output: Output) -> int | None:
    """The MACs of one application of the layer, for one sample; never raises (None: unknown)."""
    if family in ZERO_FAMILIES:
        return 0
    function = FAMILIES.get(family)
    if function is None:
        return None  # a plugin layer that does not set Output.macs
    try:
        return function(call, output)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError, AttributeError):
        return None  # an argument combination the rule accepted but these formulas do not read
