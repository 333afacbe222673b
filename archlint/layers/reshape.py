"""Reshaping layers: Keras Flatten, Reshape, Permute and RepeatVector; PyTorch Flatten and Unflatten.
They create no weights.

The error conditions are Keras 3.15's and PyTorch 2.13's own, checked in the frameworks: a target shape
takes at most one -1 and must keep the element count (checked only when every size is known, as
Keras does); Keras's Permute `dims` are 1-based and must be a permutation of 1..rank-1.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, SAME_ROWS, Call, Output, register
from archlint.shapes import format_shape, known_product

KERAS_FLATTEN_DEFAULTS = {
    "data_format": None,  # reorders the values, never the shape
    "dtype": None,
}

TORCH_FLATTEN_DEFAULTS = {
    "start_dim": 1,
    "end_dim": -1,
}


def keras_flatten(call: Call) -> Output:
    if not call.x.shape:  # a rank-0 tensor (ops.mean without axis) has no batch axis
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} needs a tensor of rank 1 or more, not the scalar "
                        "(shape ()) it receives",
                        hint="Keras: expected min_ndim=1, found ndim=0; keep the batch axis before this layer (e.g. "
                             "give the op an `axis`)")
    rest = call.x.shape[1:]
    # Keras gives a batch-only input a feature axis of size 1
    flat = known_product(rest) if rest else 1
    return Output((call.x.shape[0], flat))


def _torch_dim(call: Call, key: str) -> int:
    """torch's dimension wrapping: [-rank, rank - 1] is valid, IndexError otherwise."""
    dim, rank = call.cfg[key], call.x.rank
    if not -rank <= dim < rank:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"{call.type} {key}={dim} is out of range for the rank-{rank} input {format_shape(call.x.shape)}",
            key,
            hint=f"torch: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim}); "
                 f"use a dimension in [{-rank}, {rank - 1}]; dimension 0 is the batch",
        )
    return dim % rank


def torch_flatten(call: Call) -> Output:
    start = _torch_dim(call, "start_dim")
    end = _torch_dim(call, "end_dim")
    if start > end:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"Flatten start_dim={call.cfg['start_dim']} comes after end_dim={call.cfg['end_dim']} on the "
            f"rank-{call.x.rank} input {format_shape(call.x.shape)}",
            "start_dim" if "start_dim" in call.given else "end_dim",
            hint=f"dimensions {start} and {end}; torch: flatten() has invalid args: start_dim cannot come after "
                 "end_dim; give a start_dim at or before end_dim",
        )
    shape = call.x.shape
    rows = SAME_ROWS
    if start == 0:  # folds the axes after the batch into it (rows per sample, as torch.flatten from 0)
        per_row = known_product(shape[1:end + 1])
        rows = call.x.rows * per_row if call.x.rows is not None and per_row else None
    return Output(shape[:start] + (known_product(shape[start:end + 1]),) + shape[end + 1:], rows=rows)


def resolve_sizes(call: Call, key: str, sizes: list, total: int | None, what: str) -> tuple:
    """Sizes with at most one -1 resolved so that their product is `total` (None: unknown). E002 otherwise.

    The messages are each framework's own; `what` names the elements being reshaped.
    """
    keras = call.framework == KERAS
    if sizes.count(-1) > 1:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{key}` {sizes} has more than one -1: there must be at most one unknown "
                        "dimension", key, hint="write every size but one")
    if any(s < -1 for s in sizes):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{key}` {sizes}: each size must be a non-negative integer or -1", key,
                        hint="-1 stands for a single unknown dimension; use -1 for the one size to infer")
    known = known_product([s for s in sizes if s != -1])
    if total is None:
        return tuple(None if s == -1 else s for s in sizes)
    if -1 not in sizes:
        if known != total:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"{call.type} `{key}` {sizes} holds {known} elements but {what} has {total}",
                            key, hint=("Keras: the total size of the tensor must be unchanged" if keras else
                                       f"torch: Provided sizes {sizes} don't multiply up to the size of the dimension "
                                       f"({total})") + f"; make the sizes multiply to {total}, or write -1 for one "
                                                       "of them")
        return tuple(sizes)
    if known == 0 or total % known:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} `{key}` {sizes}: no -1 fits the {total} elements of {what}", key,
                        hint=f"the known sizes (product {known}) do not divide {total}; "
                        + ("Keras: the total size of the tensor must be unchanged" if keras else
                           f"torch: Provided sizes {sizes} don't multiply up to the size of the dimension ({total})")
                        + f"; make the known sizes divide {total}")
    return tuple(total // known if s == -1 else s for s in sizes)


def keras_reshape(call: Call) -> Output:
    if not call.x.shape:  # a rank-0 tensor (ops.argmax without axis) has no batch axis; Keras fails indexing it
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} needs a tensor with a batch axis, not the scalar "
                        "(shape ()) it receives",
                        hint="Keras: tuple index out of range; keep the batch axis before this layer (e.g. give the "
                             "op an `axis`)")
    target = list(call.cfg["target_shape"])
    shape = resolve_sizes(call, "target_shape", target, known_product(call.x.shape[1:]),
                          f"the input {format_shape(call.x.shape)}")
    return Output((call.x.shape[0],) + shape)


def keras_permute(call: Call) -> Output:
    dims = list(call.cfg["dims"])
    if sorted(dims) != list(range(1, len(dims) + 1)):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Permute dims={dims} is not a permutation of 1..{len(dims)}", "dims",
                        hint=f"the indices must be consecutive and start from 1 (the batch axis is 0 and stays first); "
                        f"list each of the axes 1..{len(dims)} once")
    if call.x.rank != len(dims) + 1:
        raise call.fail(rules.RANK_MISMATCH,
                        f"Permute dims={dims} expects a rank-{len(dims) + 1} input but receives rank {call.x.rank}, "
                        f"{format_shape(call.x.shape)}", "dims",
                        hint=f"Keras: expected ndim={len(dims) + 1}, found ndim={call.x.rank}; list each of the axes "
                             f"1..{call.x.rank - 1} once")
    return Output((call.x.shape[0],) + tuple(call.x.shape[d] for d in dims))


def keras_repeat_vector(call: Call) -> Output:
    n = call.cfg["n"]
    if n < 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"RepeatVector `n` should be a positive integer, got {n}", "n",
                        hint="repeat at least once")
    if call.x.rank != 2:
        raise call.fail(rules.RANK_MISMATCH,
                        f"RepeatVector expects a rank-2 input (batch, features) but receives rank {call.x.rank}, "
                        f"{format_shape(call.x.shape)}",
                        hint=f"Keras: expected ndim=2, found ndim={call.x.rank}; flatten the input first, or check the "
                             "input shape (it excludes the batch axis)")
    return Output((call.x.shape[0], n, call.x.shape[1]))


def torch_unflatten(call: Call) -> Output:
    sizes = list(call.cfg["unflattened_size"])
    if not sizes:
        raise call.fail(rules.INVALID_ARGUMENT, "Unflatten: unflattened_size must be non-empty", "unflattened_size",
                        hint="give the sizes to split the dimension into")
    dim = _torch_dim(call, "dim")
    if dim == 0:
        call.report(rules.SUSPICIOUS_ARGUMENT,
                    f"Unflatten dim={call.cfg['dim']} unflattens the batch axis: the sizes depend on the batch size",
                    "dim", hint="count the batch axis: the first axis of `input:` is dimension 1")
        return Output(tuple(None if s == -1 else s for s in sizes) + call.x.shape[1:])
    shape = call.x.shape
    new = resolve_sizes(call, "unflattened_size", sizes, shape[dim], f"dimension {dim} of {format_shape(shape)}")
    return Output(shape[:dim] + new + shape[dim + 1:])


register(KERAS, "Flatten", "reshape", KERAS_FLATTEN_DEFAULTS, keras_flatten)
register(KERAS, "Reshape", "reshape", {"target_shape": REQUIRED, "dtype": None}, keras_reshape)
register(KERAS, "Permute", "reshape", {"dims": REQUIRED, "dtype": None}, keras_permute)
register(KERAS, "RepeatVector", "reshape", {"n": REQUIRED, "dtype": None}, keras_repeat_vector)
register(PYTORCH, "Unflatten", "reshape", {"dim": REQUIRED, "unflattened_size": REQUIRED}, torch_unflatten)
register(PYTORCH, "Flatten", "reshape", TORCH_FLATTEN_DEFAULTS, torch_flatten)
