"""Attention: Keras MultiHeadAttention, Attention, AdditiveAttention and PyTorch MultiheadAttention.

Inputs come by role. Written as a list, they follow the framework's own call order, which differs:
Keras calls `mha(query, value, key)` and `Attention()([query, value, key])` (key defaults to value),
PyTorch `mha(query, key, value)` (all three required). Written as a mapping (`inputs: {query: q,
value: v}`), the roles are named. One input is self-attention: query = value = key, as a model writes
`mha(x, x)`. What the layer returns is what the default call returns: Keras's attention output alone
(return_attention_scores=False), PyTorch's tuple (attn_output, attn_weights) since need_weights
defaults to True, the weights averaged over heads; the next layer reads attn_output.

Conditions were checked against Keras 3.15.1 (torch backend) and torch 2.13.0; tests/test_attention.py
holds the verified cases.
"""

from __future__ import annotations

from math import prod

from archlint import rules
from archlint.layers.keywords import KERAS_KERNEL_AND_BIAS
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, Call, Output, Tensor, register
from archlint.shapes import format_shape

KERAS_MHA_DEFAULTS = {
    "num_heads": REQUIRED,
    "key_dim": REQUIRED,
    "value_dim": None,  # None: key_dim
    "dropout": 0.0,
    "use_bias": True,
    "output_shape": None,  # None: the query's feature size
    "attention_axes": None,  # None: every axis between the batch and the features
    "sliding_window": None,
    "flash_attention": None,
    **KERAS_KERNEL_AND_BIAS,
    "use_gate": False,
    "seed": None,
    "dtype": None,
}
KERAS_ATTENTION_DEFAULTS = {"use_scale": False, "score_mode": "dot", "dropout": 0.0, "seed": None, "dtype": None}
KERAS_ADDITIVE_DEFAULTS = {"use_scale": True, "dropout": 0.0, "seed": None, "dtype": None}
TORCH_MHA_DEFAULTS = {
    "embed_dim": REQUIRED,
    "num_heads": REQUIRED,
    "dropout": 0.0,
    "bias": True,
    "add_bias_kv": False,
    "add_zero_attn": False,
    "kdim": None,  # None: embed_dim
    "vdim": None,
    "batch_first": False,
    "device": None,
    "dtype": None,
}

KERAS_ORDER = ("query", "value", "key")
TORCH_ORDER = ("query", "key", "value")


# --- inputs by role ------------------------------------------------------------------------------

def by_role(call: Call, order: tuple, required: int, self_attention: bool = True) -> dict[str, Tensor]:
    """The input tensors by role name. `order` is the framework's call order; the first `required`
    roles must be given (one input stands for every role when `self_attention`); a missing optional
    role takes the one before it (Keras: key = value)."""
    roles = call.roles  # the names of a mapping `inputs:`, in the order listed
    if roles:
        unknown = [r for r in roles if r not in order]
        if unknown:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} has no input named {unknown[0]!r}: its inputs are {', '.join(order)}",
                            hint=f"name the inputs {', '.join(order)}")
        given = dict(zip(roles, call.inputs))
        missing = [r for r in order[:required] if r not in given]
        if missing and not (self_attention and list(given) == ["query"]):
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} needs the input {missing[0]!r} ({', '.join(order[:required])} are required)",
                            hint="add it to `inputs:`, or give a single input for self-attention")
    else:
        n = len(call.inputs)
        if n > len(order) or (n < required and not (self_attention and n == 1)):
            counts = (f"1 (self-attention) or {required} to {len(order)}" if required < len(order)
                      else f"1 (self-attention) or {required}") if self_attention else str(required)
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} takes {counts} inputs, got {n}",
                            hint=f"the list is read in the framework's call order ({', '.join(order)}); list them as "
                                 f"[{', '.join(order[:required])}], or name them: "
                            f"inputs: {{{', '.join(f'{r}: ...' for r in order[:required])}}}")
        given = dict(zip(order, call.inputs))
    if list(given) == ["query"] and self_attention:
        return {role: given["query"] for role in order}
    for index, role in enumerate(order):
        if role not in given:
            given[role] = given[order[index - 1]]
    return given


def _from(tensor: Tensor, role: str) -> str:
    return f"the {role} {tensor.producer} {format_shape(tensor.shape)}"


def mismatch(call: Call, a: Tensor, role_a: str, b: Tensor, role_b: str, detail: str, hint: str, words: str = ""):
    """E015: the message says what differs; the derivation and the framework's words go to the hint."""
    return call.fail(rules.MERGE_SHAPE_MISMATCH,
                     f"{call.type} cannot combine {_from(a, role_a)} with {_from(b, role_b)}: {detail}",
                     hint=f"{words}; {hint}" if words else hint)


def _differ(a, b, broadcast: bool = False) -> bool:
    """Two sizes that cannot meet: both known, different (and neither 1, when they broadcast)."""
    return a is not None and b is not None and a != b and not (broadcast and 1 in (a, b))


def _broadcast(a, b):
    if a == 1:
        return b
    if b == 1 or b is None:
        return a
    return b if a is None else a


def _need_features(call: Call, tensors: dict, roles: tuple) -> None:
    for role in roles:
        if tensors[role].shape[-1] is None:
            raise call.fail(rules.UNKNOWN_DIMENSION,
                            f"{call.type} needs the feature size (the last axis) of the {role}, unknown (null) in "
                            f"{format_shape(tensors[role].shape)}",
                            hint="its weights are created from it; give the feature size in the input shape; only "
                                 "the sequence axes may be null")


def _same_rank(call: Call, tensors: dict, order: tuple) -> None:
    first = order[0]
    for role in order[1:]:
        if tensors[role].rank != tensors[first].rank:
            raise mismatch(call, tensors[first], first, tensors[role], role,
                           f"ranks {tensors[first].rank} and {tensors[role].rank} differ",
                           "give the inputs the same rank: (batch, positions..., features)")


# --- Keras MultiHeadAttention --------------------------------------------------------------------

def _keras_mha_arguments(call: Call) -> None:
    """What the constructor (and, for dropout and sliding_window, Keras's own checks) refuses, in order."""
    cfg = call.cfg
    for key in ("num_heads", "key_dim", "value_dim"):
        value = cfg[key]
        if value is not None and value < 1:
            expected = "a positive integer or `None`" if key == "value_dim" else "a positive integer"
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"MultiHeadAttention `{key}={value}`: Keras refuses it", key,
                            hint=f"Keras: Received an invalid value for argument `{key}`, expected {expected}; "
                            "num_heads is the number of heads, key_dim the size of each head's query and key")
    if any(size < 0 for size in _output_sizes(cfg) or ()):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"MultiHeadAttention `output_shape={cfg['output_shape']}` has a negative size: Keras "
                        "refuses it", "output_shape",
                        hint="Keras: Negative dimensions are not allowed; give the output's trailing sizes, e.g. "
                             "output_shape: 64, or leave it out")
    window = cfg["sliding_window"]
    if window is not None and window < 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"MultiHeadAttention `sliding_window={window}`: Keras refuses it", "sliding_window",
                        hint="Keras: `sliding_window` must be `None` or a positive integer; each position attends "
                        "to the positions less than sliding_window away")
    if cfg["flash_attention"] and cfg["dropout"] > 0:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"MultiHeadAttention `flash_attention=True` with `dropout={cfg['dropout']}`: Keras refuses "
                        "it", "flash_attention",
                        hint="Keras: Dropout is not supported when flash attention is enabled; set dropout: 0.0, or "
                             "leave flash_attention out")
    if not 0 <= cfg["dropout"] <= 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"MultiHeadAttention `dropout={cfg['dropout']}`: Keras refuses it when it builds the layer",
                        "dropout", hint="Keras: Invalid value received for argument `rate`. Expected a float value "
                        "between 0 and 1; use a probability in [0, 1), e.g. 0.1")
    if cfg["flash_attention"]:
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    "MultiHeadAttention `flash_attention=True` runs only where the backend has a flash kernel",
                    "flash_attention",
                    hint="Keras's torch backend on CPU refuses the call (Flash attention is not supported with the "
                    "provided inputs); leave flash_attention out (null): Keras uses it where it is available")


def _output_sizes(cfg: dict) -> tuple | None:
    """Keras's output_shape: an int or a list; 0 and [] are falsy, which Keras reads as not given."""
    value = cfg["output_shape"]
    if not value:
        return None
    return (value,) if isinstance(value, int) else tuple(value)


def _keras_attention_axes(call: Call, query: Tensor) -> tuple:
    """The attention axes as query axes, normalized as Keras does (a negative axis counts from the query's
    rank). Axes outside (1 .. rank-2) attend over the batch or the features: Keras computes something
    else than attention over positions, and fails unless the inputs' shapes happen to line up."""
    axes, rank = call.cfg["attention_axes"], query.rank
    if axes is None:
        if rank < 3:
            raise call.fail(rules.RANK_MISMATCH,
                            f"MultiHeadAttention needs inputs of rank 3 or more, but the query has rank {rank}",
                            hint="the inputs are (batch, positions..., features): with no axis between the batch and "
                                 "the features there is nothing to attend over, "
                            "and Keras's softmax fails (tuple index out of range); give the input a sequence axis, "
                            "e.g. (time, features)")
        return tuple(range(1, rank - 1))
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    normalized = tuple(a if a >= 0 else a + rank for a in axes)
    for axis, value in zip(axes, normalized):
        if not -(rank + 1) <= value < rank + 1:  # numpy's delete over the projected rank raises
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"MultiHeadAttention `attention_axes` names axis {axis}, out of range for the rank-{rank} "
                            f"query {format_shape(query.shape)}", "attention_axes",
                            hint="Keras fails (IndexError); name axes between the batch and the features: 1 to "
                                 f"{rank - 2}")
    if len(set(normalized)) != len(normalized) or any(not 1 <= a <= rank - 2 for a in normalized):
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    f"MultiHeadAttention `attention_axes={call.cfg['attention_axes']}` names the batch or feature "
                    "axis, or an axis twice", "attention_axes",
                    hint="Keras then attends over something other than positions, and fails unless the query's and "
                    f"value's shapes happen to line up: name each axis between the batch and the features once: 1 to "
                    f"{rank - 2}")
        return ()
    return normalized


def keras_mha(call: Call) -> Output:
    cfg = call.cfg
    _keras_mha_arguments(call)
    t = by_role(call, KERAS_ORDER, required=2)
    query, value, key = t["query"], t["value"], t["key"]
    _same_rank(call, t, KERAS_ORDER)
    if any(_differ(a, b) for a, b in zip(value.shape[1:-1], key.shape[1:-1])):
        raise mismatch(call, value, "value", key, "key", "all axes but the last must be equal",
                       "give the key as many positions as the value",
                       "Keras: All dimensions of `value` and `key`, except the last one, must be equal")
    axes = _keras_attention_axes(call, query)
    for axis in range(1, query.rank - 1):
        if axes and axis not in axes:  # an axis not attended over pairs query and value position by position
            for role, other in (("value", value), ("key", key)):
                if _differ(query.shape[axis], other.shape[axis]):
                    raise mismatch(call, query, "query", other, role,
                                   f"axis {axis} differs ({query.shape[axis]} and {other.shape[axis]})",
                                   "add the axis to attention_axes, or make the sizes equal",
                                   f"axis {axis} is not an attention axis, so it must be equal; Keras's einsum fails")
    _need_features(call, t, KERAS_ORDER)
    heads, key_dim = cfg["num_heads"], cfg["key_dim"]
    value_dim = cfg["value_dim"] or key_dim
    sizes = _output_sizes(cfg) or (query.shape[-1],)
    bias = 1 if cfg["use_bias"] else 0
    # query, key, value projections (D, heads, dim) + (heads, dim); the gate projects the query to the
    # value's size; the output projection maps (heads, value_dim) to output_shape
    weights = (query.shape[-1] + bias) * heads * key_dim + (key.shape[-1] + bias) * heads * key_dim
    weights += (value.shape[-1] + bias) * heads * value_dim
    if cfg["use_gate"]:
        weights += (query.shape[-1] + bias) * heads * value_dim
    weights += (heads * value_dim + bias) * prod(sizes)
    shape = query.shape[:-1] + tuple(sizes)
    _empty_output(call, shape)
    return Output(shape, trainable=weights)


def _empty_output(call: Call, shape: tuple) -> None:
    if 0 in shape[1:]:
        call.report(rules.EMPTY_OUTPUT,
                    f"{call.type} output {format_shape(shape)} has size 0: the framework computes an empty tensor",
                    "output_shape", hint="give output_shape positive sizes, or leave it out")


# --- Keras Attention / AdditiveAttention ---------------------------------------------------------

def _keras_attention_ranks(call: Call, query: Tensor, value: Tensor, key: Tensor) -> bool:
    """Keras computes matmul(softmax(scores(query, key)), value), whose leading axes broadcast from the
    right: the shape it records, (*query[:-1], value[-1]), is what it computes only when the ranks are
    equal, or when the key and the value have rank 2 (no leading axis: the batch is their positions) and
    the query more (checked against Keras 3.15.1, tests/crosscheck/test_attention_ranks.py). True for the
    latter. Every other mix fails on the forward pass, or computes another shape than it records."""
    if query.rank == value.rank == key.rank:
        return False
    if key.rank == value.rank == 2 and query.rank > 2:
        return True
    ranks = f"query rank {query.rank}, value rank {value.rank}" + (
        f", key rank {key.rank}" if key is not value else "")
    if query.rank == 2 and key.rank == value.rank:
        computed = ("batch",) + tuple("batch" if n is None else n for n in value.shape[1:-2]) + (
            "batch", value.shape[-1])
        words = (f"Keras records the output as {format_shape((None, value.shape[-1]))} but computes "
                 f"({', '.join(map(str, computed))}): the query's batch becomes the positions that attend")
    else:
        words = ("Keras's matmul broadcasts their leading axes from the right, so a batch axis meets an axis of "
                 "positions, and the forward pass fails")
    raise mismatch(call, query, "query", value if value.rank != query.rank else key,
                   "value" if value.rank != query.rank else "key", ranks,
                   "give the query, the key and the value the same rank (or a key and a value of rank 2)", words)


def keras_attention(call: Call) -> Output:
    cfg = call.cfg
    t = by_role(call, KERAS_ORDER, required=2)
    query, value, key = t["query"], t["value"], t["key"]
    batch_keys = _keras_attention_ranks(call, query, value, key)
    additive = call.type == "AdditiveAttention" or cfg.get("score_mode") == "concat"
    if query.rank < 2:
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} needs inputs of shape (batch, positions, features) but the query is "
                        f"{format_shape(query.shape)}", hint="give the input a sequence axis")
    if query.rank == 2:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-2 query {format_shape(query.shape)} as (positions, features)",
                    hint="Keras accepts it, and the samples of the batch attend to each other; give the inputs a "
                         "sequence axis: (batch, positions, features)")
    elif batch_keys:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-2 {'value' if key is value else 'key and value'} "
                    f"{format_shape(value.shape)} as (positions, features)",
                    hint="Keras accepts it, and every query attends to the samples of the whole batch; give the key "
                         "and the value a sequence axis: "
                    "(batch, positions, features)")
    # the batch-like axes between the batch and the last two broadcast (matmul and additive scores)
    middle = []
    for axis in range(1, query.rank - 2):
        size = query.shape[axis]
        for role, other in () if batch_keys else (("key", key), ("value", value)):
            if _differ(size, other.shape[axis], broadcast=True):
                raise mismatch(call, query, "query", other, role,
                               f"axis {axis} is {size} in one and {other.shape[axis]} in the other",
                               "make the leading axes equal", "the framework broadcasts only equal sizes or 1")
            if query.shape[axis] == 1 and other.shape[axis] not in (1, None):  # checked with Keras 3.15.1
                raise mismatch(call, query, "query", other, role,
                               f"axis {axis} is 1 in the query and {other.shape[axis]} in the {role}",
                               "make the leading axes equal",
                               f"Keras records the query's 1 but computes {other.shape[axis]} (its matmul broadcasts)")
            size = _broadcast(size, other.shape[axis])
        middle.append(size)
    if _differ(query.shape[-1], key.shape[-1], broadcast=additive):
        how = "add them" if additive else "take their dot product"
        raise mismatch(call, query, "query", key, "key",
                       f"the feature sizes {query.shape[-1]} and {key.shape[-1]} differ",
                       f"the scores cannot {how}; give the query and the key the same feature size (e.g. a Dense "
                       "before one of them)")
    if _differ(key.shape[-2], value.shape[-2]):
        raise mismatch(call, key, "key", value, "value",
                       f"the key has {key.shape[-2]} positions and the value {value.shape[-2]}",
                       "each score weighs one value position; give the key and the value the same number of positions")
    if cfg["dropout"] > 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `dropout={cfg['dropout']}`: the layer builds, but every training step fails",
                        "dropout", hint="the framework: dropout probability has to be between 0 and 1; use a "
                                        "probability in [0, 1), e.g. 0.1")
    if cfg["dropout"] < 0:
        call.report(rules.SUSPICIOUS_ARGUMENT, f"{call.type} `dropout={cfg['dropout']}` is negative: Keras runs it and "
                    "drops nothing", "dropout", hint="use a probability in [0, 1), e.g. 0.1, or 0.0 for none")
    weights = 0
    if call.type == "AdditiveAttention":
        if cfg["use_scale"]:
            _need_features(call, t, ("query",))
            weights = query.shape[-1]  # one scale per query feature
    else:
        weights = (1 if cfg["use_scale"] else 0) + (1 if cfg["score_mode"] == "concat" else 0)
    positions = (query.shape[-2],) if query.rank >= 3 else ()  # rank 2: the batch is the positions
    return Output(query.shape[:1] + tuple(middle) + positions + (value.shape[-1],), trainable=weights)


# --- PyTorch MultiheadAttention ------------------------------------------------------------------

def torch_mha_arguments(call: Call, embed_key: str, heads_key: str) -> None:
    """What torch's constructor refuses: sizes, divisibility; and a dropout outside [0, 1]."""
    cfg = call.cfg
    embed, heads = cfg[embed_key], cfg[heads_key]
    if embed <= 0 or heads <= 0:
        key = embed_key if embed <= 0 else heads_key
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{key}={cfg[key]}`: torch refuses it", key,
                        hint=f"torch: embed_dim and num_heads must be greater than 0; {embed_key} is the feature "
                             f"size, {heads_key} the number of heads")
    if embed % heads:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{embed_key}={embed}` is not divisible by `{heads_key}={heads}`: torch "
                        "refuses it", heads_key,
                        hint=f"torch: embed_dim must be divisible by num_heads; use a number of heads that divides "
                             f"{embed}{_divisor_below(embed, heads)}")
    dropout = cfg["dropout"]
    if call.type == "MultiheadAttention" and dropout < 0:  # no Dropout module: torch runs it, dropping nothing
        call.report(rules.SUSPICIOUS_ARGUMENT, f"MultiheadAttention `dropout={dropout}` is negative: torch runs it "
                    "and drops nothing", "dropout", hint="use a probability in [0, 1), e.g. 0.1, or 0.0 for none")
    elif not 0 <= dropout <= 1:
        # a Transformer layer's nn.Dropout refuses it when built; MultiheadAttention when it trains
        when = "every training step fails" if call.type == "MultiheadAttention" else "torch refuses it"
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `dropout={dropout}`: {when}",
                        "dropout", hint="torch: dropout probability has to be between 0 and 1; use a probability in "
                                        "[0, 1), e.g. 0.1")


def torch_batch_axes(call: Call, tensors: dict, roles: tuple, batch_first: bool) -> None:
    """Ranks 2 (one unbatched sequence) or 3, the same for every input; W007 when torch's axes differ from
    archlint's; torch's batch axis must agree across the inputs."""
    first = tensors[roles[0]]
    if first.rank not in (2, 3):
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} expects a 3D (batch, sequence, features) input but receives "
                        f"{format_shape(first.shape)}",
                        hint=f"torch: query should be unbatched 2D or batched 3D tensor but received {first.rank}-D "
                        "query tensor; flatten the extra axes into the sequence, e.g. with torch.flatten")
    for role in roles[1:]:
        if tensors[role].rank != first.rank:
            batched = "batched (3-D)" if first.rank == 3 else "unbatched (2-D)"
            raise mismatch(call, first, roles[0], tensors[role], role,
                           f"the ranks {first.rank} and {tensors[role].rank} differ", "give every input the same rank",
                           f"for a {batched} {roles[0]} torch expects every input to have rank {first.rank}")
    if first.rank == 2:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} reads the rank-2 input {format_shape(first.shape)} as one unbatched sequence "
                    "(sequence, features)",
                    hint="the samples of the batch become the positions of a single sequence; give the input as "
                         "(sequence, features)")
        return
    if not batch_first:
        call.report(rules.INPUT_RANK_MISREAD,
                    f"{call.type} with batch_first=False reads {format_shape(first.shape)} as (sequence, batch, "
                    "features)", "batch_first",
                    hint=f"axis 0, the batch, becomes the sequence, and axis 1 (size {first.shape[1]}) the batch: set "
                    "batch_first: true (in archlint the first axis is always the batch)")
        for role in roles[1:]:  # torch's batch is axis 1 here: it must agree
            if _differ(first.shape[1], tensors[role].shape[1]):
                raise mismatch(call, first, roles[0], tensors[role], role,
                               f"axis 1 is {first.shape[1]} in one and {tensors[role].shape[1]} in the other",
                               "set batch_first: true",
                               "with batch_first=False torch reads axis 1 as the batch, and the forward pass fails")


def torch_mha(call: Call) -> Output:
    cfg = call.cfg
    torch_mha_arguments(call, "embed_dim", "num_heads")
    embed = cfg["embed_dim"]
    kdim = cfg["kdim"] if cfg["kdim"] is not None else embed
    vdim = cfg["vdim"] if cfg["vdim"] is not None else embed
    for name, size in (("kdim", kdim), ("vdim", vdim)):
        if size < 0:
            raise call.fail(rules.INVALID_ARGUMENT, f"MultiheadAttention `{name}={size}`: torch cannot create a "
                            "weight of negative size", name, hint=f"{name} is the key's (value's) feature size")
    t = by_role(call, TORCH_ORDER, required=3)
    query, key, value = t["query"], t["key"], t["value"]
    torch_batch_axes(call, t, TORCH_ORDER, cfg["batch_first"])
    for role, tensor, size, keyword in (("query", query, embed, "embed_dim"), ("key", key, kdim, "kdim"),
                                        ("value", value, vdim, "vdim")):
        if tensor.shape[-1] is not None and tensor.shape[-1] != size:
            raise call.fail(rules.DECLARED_SIZE_MISMATCH,
                            f"MultiheadAttention expects {size} features in the {role} ({keyword}={size}) but it has "
                            f"{tensor.shape[-1]}: {tensor.producer} {format_shape(tensor.shape)}", keyword,
                            hint=f"torch fails on the forward pass: set {keyword}: {tensor.shape[-1]}, or fix the "
                            "layer before it")
    sequence = 1 if cfg["batch_first"] and query.rank == 3 else 0
    if _differ(key.shape[sequence], value.shape[sequence]):
        raise mismatch(call, key, "key", value, "value",
                       f"the key has {key.shape[sequence]} positions and the value {value.shape[sequence]}",
                       "give the key and the value the same number of positions",
                       "torch: key shape does not match value shape")
    same = kdim == embed and vdim == embed
    bias = 1 if cfg["bias"] else 0
    weights = (3 * embed * embed if same else embed * (embed + kdim + vdim)) + bias * 3 * embed  # in_proj
    weights += embed * embed + bias * embed  # out_proj
    if cfg["add_bias_kv"]:
        weights += 2 * embed  # bias_k and bias_v, each (1, 1, embed_dim)
    extra = int(cfg["add_bias_kv"]) + int(cfg["add_zero_attn"])  # positions added to the key and value
    source = key.shape[sequence]
    source = None if source is None else source + extra
    if query.rank == 2:
        scores = (query.shape[0], source)
    elif cfg["batch_first"]:
        scores = (query.shape[0], query.shape[1], source)
    else:  # torch's batch is axis 1, its sequence axis 0
        scores = (query.shape[1], query.shape[0], source)
    return Output([query.shape, scores], trainable=weights)


register(KERAS, "MultiHeadAttention", "attention", KERAS_MHA_DEFAULTS, keras_mha, roles=KERAS_ORDER)
register(KERAS, "Attention", "attention", KERAS_ATTENTION_DEFAULTS, keras_attention, roles=KERAS_ORDER)
register(KERAS, "AdditiveAttention", "attention", KERAS_ADDITIVE_DEFAULTS, keras_attention, roles=KERAS_ORDER)
register(PYTORCH, "MultiheadAttention", "attention", TORCH_MHA_DEFAULTS, torch_mha, roles=TORCH_ORDER)


def _divisor_below(n: int, limit: int) -> str:
    """', e.g. 4': the largest divisor of n at most `limit`, looked for among the first 4096 candidates
    below it (a hint, so its cost is bounded whatever the sizes)."""
    start = min(limit, n)
    found = next((h for h in range(start, max(start - 4096, 0), -1) if n % h == 0), None)
    return f", e.g. {found}" if found else ""
