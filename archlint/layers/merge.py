"""Merges and functional steps: Keras Add/Subtract/Multiply/Average/Maximum/Minimum/Concatenate/Dot,
and the PyTorch tensor functions a forward() calls between modules (torch.add, torch.mul, torch.cat,
torch.stack, torch.flatten, torch.reshape, torch.permute, torch.mean). None of them has weights.

A mismatch names each input's shape and the layer it came from (`Tensor.producer`), since in a graph
the two sides of a merge are usually far apart in the file.
"""

from __future__ import annotations

from functools import partial

from archlint import rules
from archlint.layers.registry import KERAS, PYTORCH, REQUIRED, SAME_ROWS, Call, Output, Tensor, register
from archlint.shapes import format_shape, known_product


def _from(tensor: Tensor) -> str:
    return f"{tensor.producer} {format_shape(tensor.shape)}"


def _count(call: Call, low: int, high: int | None = None) -> None:
    n = len(call.inputs)
    if n < low or (high is not None and n > high):
        want = str(low) if high == low else f"at least {low}" if high is None else f"{low} to {high}"
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} takes {want} input{'s' if want != '1' else ''}, got {n}",
                        hint="list the tensors it combines in `inputs:`")


def _mismatch(call: Call, a: Tensor, b: Tensor, detail: str, hint: str, words: str = ""):
    """E015: the message says which axis differs; the framework's own words go to the hint."""
    return call.fail(rules.MERGE_SHAPE_MISMATCH, f"{call.type} cannot combine {_from(a)} with {_from(b)}: {detail}",
                     hint=f"{words}; {hint}" if words else hint)


# --- Keras ---------------------------------------------------------------------------------------

def _keras_broadcast(call: Call, first: Tensor, other: Tensor, shape1: tuple, shape2: tuple) -> tuple:
    """Keras Merge._compute_elemwise_op_output_shape: trailing axes aligned, 1 broadcasts, None matches."""
    if len(shape1) < len(shape2):
        return _keras_broadcast(call, other, first, shape2, shape1)
    if not shape2:
        return shape1
    out = list(shape1[:-len(shape2)])
    offset = len(shape1) - len(shape2)
    for index, (i, j) in enumerate(zip(shape1[-len(shape2):], shape2)):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif i != j:
            raise _mismatch(call, first, other, f"axis {index + offset + 1} differs",
                            "make the shapes equal (a 1x1 convolution or pooling on one branch), or broadcast "
                            "from a size of 1", "Keras: Inputs have incompatible shapes")
        else:
            out.append(i)
    return tuple(out)


def keras_elementwise(call: Call, minimum: int = 1, maximum: int | None = None) -> Output:
    _count(call, minimum, maximum)
    shape = call.inputs[0].shape[1:]
    source = call.inputs[0]
    for tensor in call.inputs[1:]:
        shape = _keras_broadcast(call, source, tensor, shape, tensor.shape[1:])
    return Output((None,) + shape)


def keras_concatenate(call: Call) -> Output:
    _count(call, 1)
    axis, first = call.cfg["axis"], call.inputs[0]
    for tensor in call.inputs[1:]:
        if tensor.rank != first.rank:
            raise _mismatch(call, first, tensor, f"ranks {first.rank} and {tensor.rank} differ",
                            "give every input the same rank (flatten or reshape one of them)",
                            "Keras requires inputs with matching shapes except for the concatenation axis")
    if not -first.rank <= axis < first.rank:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Concatenate axis={axis} is out of range for rank-{first.rank} inputs "
                        f"{format_shape(first.shape)}", "axis", f"use an axis in [{-first.rank}, {first.rank - 1}]")
    index = axis % first.rank
    if index == 0:
        raise call.fail(rules.INVALID_ARGUMENT, f"Concatenate axis={axis} is the batch axis",
                        "axis", "concatenate along a feature axis (axis: -1 is the channels of channels-last)")
    total = first.shape[index]
    for tensor in call.inputs[1:]:
        for ax in range(1, first.rank):
            a, b = first.shape[ax], tensor.shape[ax]
            if ax != index and a is not None and b is not None and a != b:
                raise _mismatch(call, first, tensor, f"axis {ax} differs",
                                "crop, pad or resample one input so the other axes agree",
                                f"every axis but the concatenation axis ({axis}) must be equal")
        total = None if total is None or tensor.shape[index] is None else total + tensor.shape[index]
    shape = list(first.shape)
    shape[index] = total
    return Output(tuple(shape))


def keras_dot(call: Call) -> Output:
    _count(call, 2, 2)
    a, b = call.inputs
    axes = call.cfg["axes"]
    if isinstance(axes, int):
        pair = [axes % a.rank, axes % b.rank] if axes < 0 else [axes, axes]
    elif isinstance(axes, list) and len(axes) == 2:
        pair = list(axes)
    else:
        raise call.fail(rules.INVALID_ARGUMENT, f"Dot `axes` must be an int or a list of two ints, got {axes}",
                        "axes")
    for tensor, ax in zip((a, b), pair):
        if not -tensor.rank <= ax < tensor.rank or ax % tensor.rank == 0:
            raise call.fail(rules.INVALID_ARGUMENT, f"Dot axes={axes} does not name a feature axis of "
                            f"{_from(tensor)}", "axes", "axes count the batch axis as 0: use 1 or more")
    if a.shape[pair[0]] != b.shape[pair[1]]:
        raise _mismatch(call, a, b, f"axis values {a.shape[pair[0]]} (at axis {pair[0]}) != {b.shape[pair[1]]} "
                        f"(at axis {pair[1]})", "choose axes of equal size")
    first, second = list(a.shape), list(b.shape)
    first.pop(pair[0])
    second.pop(pair[1])
    shape = first + second[1:]
    return Output(tuple(shape + [1] if len(shape) == 1 else shape))


# --- PyTorch -------------------------------------------------------------------------------------

def _dim(call: Call, key: str, value: int, rank: int) -> int:
    """torch's dimension wrapping: [-rank, rank - 1], IndexError otherwise."""
    if not -rank <= value < rank:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} {key}={value} is out of range for rank {rank}", key,
                        f"torch: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got "
                        f"{value}); use a dimension in [{-rank}, {rank - 1}]; dimension 0 is the batch")
    return value % rank


def _same_rows(call: Call, words: str) -> None:
    """Inputs whose batch axes hold different rows per sample (a torch.reshape folded one): the batch
    axes differ for every batch size above 1, where torch fails."""
    first = call.inputs[0]
    for tensor in call.inputs[1:]:
        if first.rows is not None and tensor.rows is not None and first.rows != tensor.rows:
            raise _mismatch(call, first, tensor, f"axis 0 holds {first.rows} and {tensor.rows} rows per sample",
                            "they differ for every batch size above 1; reshape both to the batch first, e.g. "
                            "shape: [-1, ...]", f"torch: {words}")


def torch_broadcast(call: Call) -> Output:
    _count(call, 2, 2)
    _same_rows(call, "the size of tensor a must match the size of tensor b at non-singleton dimension 0")
    a, b = call.inputs
    rank = max(a.rank, b.rank)
    left = (1,) * (rank - a.rank) + a.shape
    right = (1,) * (rank - b.rank) + b.shape
    out = []
    for ax, (i, j) in enumerate(zip(left, right)):
        if i == j or j == 1:
            out.append(i)
        elif i == 1:
            out.append(j)
        elif i is None or j is None:
            out.append(j if i is None else i)
        else:
            raise _mismatch(call, a, b, f"dimension {ax} differs", "make the shapes equal, or broadcast from a size "
                            "of 1", f"torch: The size of tensor a ({i}) must match the size of tensor b ({j}) at "
                            f"non-singleton dimension {ax}")
    return Output(tuple(out))


def torch_cat(call: Call) -> Output:
    _count(call, 1)
    first = call.inputs[0]
    for tensor in call.inputs[1:]:
        if tensor.rank != first.rank:
            raise _mismatch(call, first, tensor, f"ranks {first.rank} and {tensor.rank} differ",
                            "give every input the same rank", "torch: Tensors must have same number of dimensions: "
                            f"got {first.rank} and {tensor.rank}")
    dim = _dim(call, "dim", call.cfg["dim"], first.rank)
    if dim:
        _same_rows(call, "sizes of tensors must match except in dimension " + str(dim))
    total = first.shape[dim]
    for number, tensor in enumerate(call.inputs[1:], start=1):
        for ax in range(first.rank):
            a, b = first.shape[ax], tensor.shape[ax]
            if ax != dim and a is not None and b is not None and a != b:
                raise _mismatch(call, first, tensor, f"dimension {ax} differs",
                                "crop, pad or resample one input so the other dimensions agree",
                                f"torch: Sizes of tensors must match except in dimension {dim}. Expected size {a} "
                                f"but got size {b} for tensor number {number} in the list")
        total = None if total is None or tensor.shape[dim] is None else total + tensor.shape[dim]
    shape = list(first.shape)
    shape[dim] = total
    return Output(tuple(shape), rows=None if dim == 0 else SAME_ROWS)  # along the batch: samples interleave


def torch_stack(call: Call) -> Output:
    _count(call, 1)
    first = call.inputs[0]
    for number, tensor in enumerate(call.inputs[1:], start=1):
        if tensor.shape[1:] != first.shape[1:] or tensor.rank != first.rank:
            raise _mismatch(call, first, tensor, "the shapes differ", "give every input the same shape",
                            f"torch: stack expects each tensor to be equal size, but got {format_shape(first.shape)} "
                            f"at entry 0 and {format_shape(tensor.shape)} at entry {number}")
    _same_rows(call, "stack expects each tensor to be equal size")
    dim = _dim(call, "dim", call.cfg["dim"], first.rank + 1)
    shape = list(first.shape)
    shape.insert(dim, len(call.inputs))
    return Output(tuple(shape), rows=None if dim == 0 else SAME_ROWS)  # at 0 the batch moves to axis 1


def torch_flatten(call: Call) -> Output:
    _count(call, 1, 1)
    shape = call.x.shape
    if not shape:  # a 0-d tensor flattens to one element
        return Output((1,))
    start = _dim(call, "start_dim", call.cfg["start_dim"], call.x.rank)
    end = _dim(call, "end_dim", call.cfg["end_dim"], call.x.rank)
    if start > end:
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.flatten start_dim={call.cfg['start_dim']} comes after "
                        f"end_dim={call.cfg['end_dim']}", "start_dim",
                        "torch: flatten() has invalid args: start_dim cannot come after end_dim; give a start_dim at "
                        "or before end_dim")
    rows = SAME_ROWS
    if start == 0:  # folds the axes after the batch into it, as torch.reshape(-1, ...) does
        per_row = known_product(shape[1:end + 1])
        rows = call.x.rows * per_row if call.x.rows is not None and per_row else None
    return Output(shape[:start] + (known_product(shape[start:end + 1]),) + shape[end + 1:], rows=rows)


def torch_reshape(call: Call) -> Output:
    _count(call, 1, 1)
    target = call.cfg["shape"]
    if not isinstance(target, list):
        target = [target]
    if sum(1 for d in target if d == -1) > 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.reshape shape={target}: only one dimension can be inferred",
                        "shape", "give every size but one")
    if any(d < -1 for d in target):
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.reshape shape={target}: invalid shape dimension "
                        f"{min(target)}", "shape", "sizes are positive, or -1 for the inferred one")
    total = known_product(call.x.shape)
    rest = known_product([d for d in target if d != -1])
    # The batch is unknown: torch's verdict is taken per sample. `sample` elements belong to one sample
    # of the model's batch (the input's rows per sample times each row's elements; None when unknown).
    per_row = known_product(call.x.shape[1:])
    rows = call.x.rows
    sample = per_row * rows if per_row is not None and rows is not None and total is None else None
    shown = format_shape(call.x.shape) + (f" ({rows} rows per sample)" if rows and rows > 1 else "")
    if -1 in target:
        # torch requires the element count to be a multiple of the given sizes. With the batch unknown,
        # the count for a batch of 1 decides: B * n is a multiple of `rest` for every batch B exactly
        # when n is, and a model that fails for some batch sizes is a bug.
        per_sample = total is None
        numel = sample if per_sample else total
        if numel is not None and (rest == 0 or numel % rest):
            said = (f"cannot reshape tensor of 0 elements into shape {target} because the unspecified dimension "
                    f"size -1 can be any value and is ambiguous" if numel == 0 else
                    f"shape '{target}' is invalid for input of size {numel}")
            raise call.fail(rules.INVALID_ARGUMENT, f"torch.reshape shape={target} is invalid for an input of "
                            f"{shown}: {numel} element{'' if numel == 1 else 's'}"
                            f"{' per sample' if per_sample else ''} {'is' if numel == 1 else 'are'} not a multiple of "
                            f"{rest}", "shape",
                            f"torch{', a batch of 1' if per_sample else ''}: {said}; make the given sizes multiply "
                            "to a divisor of the input's element count "
                            "(for -1 as the batch, to the count per sample)")
        inferred = None if per_sample else total // rest  # the batch is unknown: the inferred size is too
        shape = tuple(inferred if d == -1 else d for d in target)
        if not per_sample:
            return Output(shape, rows=None)
        if target[0] == -1:  # the batch stays first; each sample fills whole rows (checked above)
            return Output(shape, rows=sample // rest if sample else None)
        if sample:
            _mixes_samples(call, target, f"axis 0 is always {target[0]}, the batch goes into axis "
                           f"{target.index(-1)}", "write -1 first (the batch) and the sizes per sample after it")
        return Output(shape, rows=None)
    # Written out in full, the target fixes the batch size: torch runs only for the batch whose element
    # count is the target's. archlint keeps the batch unknown and the sizes after the first.
    whole, row = known_product(target), known_product(target[1:])
    if total is not None:  # no batch axis left (a torch.mean of everything): torch's count is known
        if whole != total:
            raise call.fail(rules.INVALID_ARGUMENT, f"torch.reshape shape={target} does not hold the {total} "
                            f"elements of {format_shape(call.x.shape)}", "shape",
                            f"torch: shape '{target}' is invalid for input of size {total}; make the sizes multiply "
                            f"to {total}")
        return Output(tuple(target), rows=None)
    shape = (None,) + tuple(target[1:]) if target else ()
    if sample is None:
        return Output(shape, rows=None)
    if (whole % sample if sample else whole) or not whole and sample:
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.reshape shape={target} holds {whole} elements, not a "
                        f"multiple of the {sample} per sample: no batch size fits",
                        "shape", f"the input is {shown}; write -1 for the batch and make the other sizes multiply to "
                                 "the input's")
    if sample and sample % row:
        _mixes_samples(call, target, f"samples of {sample} elements share rows of {row}",
                       f"torch runs it only for a batch of {whole // sample}; write -1 for the batch and make the "
                       f"other sizes multiply to the input's {sample} per sample")
        return Output(shape, rows=None)
    return Output(shape, rows=sample // row if sample else None)


def _mixes_samples(call: Call, target: list, how: str, hint: str) -> None:
    call.report(rules.RESHAPE_MIXES_SAMPLES, f"torch.reshape shape={target} mixes samples: {how}", "shape", hint)


def torch_permute(call: Call) -> Output:
    _count(call, 1, 1)
    dims, rank = call.cfg["dims"], call.x.rank
    if len(dims) != rank:
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.permute dims={dims} has {len(dims)} entries but the input "
                        f"{format_shape(call.x.shape)} has {rank} dimensions", "dims",
                        "torch: number of dims don't match in permute; give one entry per dimension, the batch (0) "
                        "included")
    wrapped = [_dim(call, "dims", d, rank) for d in dims]
    if len(set(wrapped)) != rank:
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.permute dims={dims} repeats a dimension", "dims",
                        "torch: repeated dim in permute; give every dimension exactly once")
    return Output(tuple(call.x.shape[d] for d in wrapped), rows=SAME_ROWS if wrapped[0] == 0 else None)


def torch_mean(call: Call) -> Output:
    _count(call, 1, 1)
    dim, keep, shape = call.cfg["dim"], call.cfg["keepdim"], call.x.shape
    if "keepdim" in call.given and "dim" not in call.given:
        # torch 2.13.0: mean(input, *, dtype) has no keepdim; the overload with keepdim takes dim first
        raise call.fail(rules.INVALID_ARGUMENT, "torch.mean takes `keepdim` only with `dim`", "keepdim",
                        hint="torch: mean() received an invalid combination of arguments - got (Tensor, keepdim=bool); "
                        "give dim (null for every dimension) with keepdim, or remove keepdim")
    if dim is None or dim == []:
        return Output((1,) * len(shape) if keep else (), rows=None)
    dims = dim if isinstance(dim, list) else [dim]
    wrapped = [_dim(call, "dim", d, call.x.rank) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise call.fail(rules.INVALID_ARGUMENT, f"torch.mean dim={dim} names a dimension twice", "dim",
                        "torch: dim appears multiple times in the list of dims; give each dimension once")
    rows = None if 0 in wrapped else SAME_ROWS  # a mean over the batch leaves one row
    if keep:
        return Output(tuple(1 if ax in wrapped else d for ax, d in enumerate(shape)), rows=rows)
    return Output(tuple(d for ax, d in enumerate(shape) if ax not in wrapped), rows=rows)


KERAS_BASE = {"dtype": None}

for _name in ("Add", "Multiply", "Average", "Maximum", "Minimum"):
    register(KERAS, _name, "merge", KERAS_BASE, keras_elementwise)
register(KERAS, "Subtract", "merge", KERAS_BASE, partial(keras_elementwise, minimum=2, maximum=2))
register(KERAS, "Concatenate", "merge", {"axis": -1, **KERAS_BASE}, keras_concatenate)
register(KERAS, "Dot", "merge", {"axes": REQUIRED, "normalize": False, **KERAS_BASE}, keras_dot)

register(PYTORCH, "torch.add", "merge", {"alpha": 1}, torch_broadcast)
register(PYTORCH, "torch.mul", "merge", {}, torch_broadcast)
register(PYTORCH, "torch.cat", "merge", {"dim": 0}, torch_cat)
register(PYTORCH, "torch.stack", "merge", {"dim": 0}, torch_stack)
register(PYTORCH, "torch.flatten", "merge", {"start_dim": 0, "end_dim": -1}, torch_flatten)
register(PYTORCH, "torch.reshape", "merge", {"shape": REQUIRED}, torch_reshape)
register(PYTORCH, "torch.permute", "merge", {"dims": REQUIRED}, torch_permute)
register(PYTORCH, "torch.mean", "merge", {"dim": None, "keepdim": False, "dtype": None}, torch_mean)
