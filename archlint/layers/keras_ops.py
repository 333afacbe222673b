"""The `keras.ops` steps Keras records in functional configs (`x + y`, `ops.mean(x, axis=1)`, the
`NotEqual` of a masking Embedding, the `Add` of ConvNeXt's residuals).

An op is written `ops.<Class>` (`ops.Add`, so that it never meets the layer of the same name) with its
config's keywords and `args`: the call's positional arguments, each tensor written as
{"__tensor__": i} for the i-th entry of the step's inputs (`ops.Subtract` of `1.0 - x` has args
[1.0, {"__tensor__": 0}]). Ops act on whole tensors, batch axis included (`ops.reshape(x, (6, 4))`
reshapes the batch too), follow NumPy's broadcasting and create no weights. Shapes and refusals were
observed in Keras 3.15.1 (torch backend), the ops' symbolic `compute_output_spec`.
"""

from __future__ import annotations

from math import prod

from archlint import rules
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

PREFIX = "ops."
TENSOR = "__tensor__"

UNARY = ("Relu", "Relu6", "Sigmoid", "Tanh", "Softplus", "Softsign", "Silu", "Swish", "Gelu", "Elu", "Selu",
         "LeakyRelu", "HardSigmoid", "HardSilu", "HardSwish", "Mish", "LogSigmoid", "Exp", "Log", "Log1p", "Expm1",
         "Abs", "Absolute", "Sqrt", "Rsqrt", "Square", "Negative", "Sin", "Cos", "Tan", "Floor", "Ceil", "Round",
         "Sign", "Reciprocal", "Erf", "LogicalNot", "Cast", "Copy", "IsNan", "IsInf", "IsFinite", "StopGradient",
         "Conj", "Real", "Imag", "Exp2", "Log2", "Log10", "Sinh", "Cosh", "Arcsin", "Arccos", "Arctan")
BINARY = ("Add", "Subtract", "Multiply", "Divide", "TrueDivide", "FloorDivide", "Mod", "Power", "Maximum", "Minimum",
          "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr",
          "LogicalXor", "Arctan2", "Hypot")
REDUCTIONS = ("Mean", "Sum", "Prod", "Std", "Var", "Any", "All", "Argmax", "Argmin", "Amax", "Amin", "Max", "Min",
              "Logsumexp")


def operands(call: Call) -> list:
    """The call's positional arguments, tensors as their shapes (tuples), numbers as shape ()."""
    def value(item):
        if isinstance(item, dict) and isinstance(item.get(TENSOR), int) and 0 <= item[TENSOR] < len(call.inputs):
            return call.inputs[item[TENSOR]].shape
        if isinstance(item, list):
            return [value(v) for v in item]
        return () if isinstance(item, (int, float, bool)) else item

    args = call.cfg.get("args") or [{TENSOR: i} for i in range(len(call.inputs))]
    return [value(item) for item in args]


def broadcast(call: Call, shapes: list) -> tuple:
    """NumPy broadcasting of several shapes (None: a size not known before running, the batch)."""
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(rank):
        sizes = [s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0]
        known = {n for n in sizes if n is not None and n != 1}
        if len(known) > 1:
            raise call.fail(rules.MERGE_SHAPE_MISMATCH,
                            f"{call.type} cannot broadcast {', '.join(format_shape(s) for s in shapes)}: sizes "
                            f"{' and '.join(str(n) for n in sorted(known))} meet on one axis (Keras: Cannot broadcast "
                            "shape)", hint="make the sizes equal, or 1 on one side")
        out.append(known.pop() if known else (None if None in sizes else 1))
    return tuple(out)


def _axis(call: Call, axis, rank: int, key: str = "axis") -> int:
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}={axis}` is out of range for a rank-{rank} tensor",
                        key, hint=f"use an axis in [{-rank}, {rank - 1}]")
    return axis % rank


def unary(call: Call) -> Output:
    return Output(operands(call)[0], macs=0)


def binary(call: Call) -> Output:
    shapes = [s for s in operands(call)[:2] if isinstance(s, tuple)]
    return Output(broadcast(call, shapes), macs=0)


def where(call: Call) -> Output:
    return Output(broadcast(call, [s for s in operands(call)[:3] if isinstance(s, tuple)]), macs=0)


def reduction(call: Call) -> Output:
    shape = operands(call)[0]
    axis, keep = call.cfg.get("axis"), call.cfg.get("keepdims")
    axes = range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis
    axes = {_axis(call, a, len(shape)) for a in axes}
    if call.type in ("ops.Argmax", "ops.Argmin") and axis is None:
        return Output(tuple(1 for _ in shape) if keep else (), macs=0)
    return Output(tuple(1 if i in axes else n for i, n in enumerate(shape) if keep or i not in axes), macs=0)


def softmax(call: Call) -> Output:
    shape = operands(call)[0]
    axis = call.cfg.get("axis")
    if axis is not None:
        for a in [axis] if isinstance(axis, int) else axis:
            _axis(call, a, len(shape))
    return Output(shape, macs=0)


def reshape(call: Call) -> Output:
    shape, new = operands(call)[0], list(call.cfg["newshape"])
    if isinstance(call.cfg["newshape"], int):
        new = [call.cfg["newshape"]]
    total = None if None in shape else prod(shape)
    if new.count(-1) > 1:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `newshape={new}` has more than one -1", "newshape",
                        hint="let at most one size be inferred")
    if -1 in new:
        rest = prod(n for n in new if n != -1)
        if total is None or rest == 0:
            new[new.index(-1)] = None
        elif total % rest:
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} cannot reshape {format_shape(shape)} "
                            f"({total} values) into {tuple(new)}", "newshape",
                            hint="the sizes must multiply to the number of values")
        else:
            new[new.index(-1)] = total // rest
    elif total is not None and prod(new) != total:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} cannot reshape {format_shape(shape)} ({total} values) "
                        f"into {tuple(new)} ({prod(new)} values)", "newshape",
                        hint="the sizes must multiply to the number of values")
    return Output(tuple(new), macs=0)


def transpose(call: Call) -> Output:
    shape = operands(call)[0]
    axes = call.cfg.get("axes")
    if axes is None:
        return Output(tuple(reversed(shape)), macs=0)
    if len(axes) != len(shape):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `axes={axes}` lists {len(axes)} axes for the "
                        f"{len(shape)} of {format_shape(shape)}", "axes",
                        hint=f"Keras: axis must be a list of the same length as the input shape, expected "
                        f"{len(shape)}, but received {len(axes)}; list every axis once")
    if any(not -len(shape) <= a < len(shape) for a in axes):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `axes={axes}` is out of range for a rank-{len(shape)} "
                        "tensor", "axes",
                        hint=f"Keras: Each axis in `axes` must be an integer in [{-len(shape)}, {len(shape)}); use "
                             f"axes in [{-len(shape)}, {len(shape) - 1}]")
    if sorted(a % len(shape) for a in axes) != list(range(len(shape))):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `axes={axes}` is not a permutation of the "
                        f"{len(shape)} axes of {format_shape(shape)}", "axes",
                        hint="Keras: `axes` must be a valid permutation of the input dimensions (no duplicates); list "
                        "every axis once")
    return Output(tuple(shape[a] for a in axes), macs=0)


def swapaxes(call: Call) -> Output:
    shape = list(operands(call)[0])
    a, b = (_axis(call, call.cfg[key], len(shape), key) for key in ("axis1", "axis2"))
    shape[a], shape[b] = shape[b], shape[a]
    return Output(tuple(shape), macs=0)


def expand_dims(call: Call) -> Output:
    shape = list(operands(call)[0])
    axes = call.cfg["axis"] if isinstance(call.cfg["axis"], list) else [call.cfg["axis"]]
    rank = len(shape) + len(axes)
    for a in sorted(_axis(call, a, rank) for a in axes):
        shape.insert(a, 1)
    return Output(tuple(shape), macs=0)


def squeeze(call: Call) -> Output:
    shape = operands(call)[0]
    axis = call.cfg.get("axis")
    if axis is None:
        return Output(tuple(n for n in shape if n != 1), macs=0)
    axes = {_axis(call, a, len(shape)) for a in ([axis] if isinstance(axis, int) else axis)}
    for a in axes:
        if shape[a] not in (1, None):
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} cannot squeeze axis {a} of size {shape[a]} "
                            f"in {format_shape(shape)}", "axis", hint="squeeze an axis of size 1")
    return Output(tuple(n for i, n in enumerate(shape) if i not in axes), macs=0)


def tensor_list(call: Call) -> list:
    """The first operand of ops.concatenate/ops.stack: a list of tensors (Keras iterates it)."""
    shapes = operands(call)[0]
    if not isinstance(shapes, list) or not shapes or not all(isinstance(s, tuple) for s in shapes):
        given = f"the single tensor {format_shape(shapes)}" if isinstance(shapes, tuple) else repr(shapes)
        keras = ("A symbolic KerasTensor cannot be used as a boolean" if call.type == "ops.Concatenate" else
                 "Iterating over a symbolic KerasTensor is not supported")
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} takes a list of tensors as its first argument, not "
                        f"{given}", "args", hint=f"Keras: {keras}; write args: [[{{__tensor__: 0}}, "
                                                 f"{{__tensor__: 1}}]]")
    return shapes


def concatenate(call: Call) -> Output:
    shapes = tensor_list(call)
    rank = len(shapes[0])
    axis = _axis(call, call.cfg.get("axis", 0), rank)
    out = list(shapes[0])
    for shape in shapes[1:]:
        if len(shape) != rank or any(i != axis and a is not None and b is not None and a != b
                                     for i, (a, b) in enumerate(zip(out, shape))):
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} joins {', '.join(format_shape(s) for s in shapes)} "
                            f"along axis {axis}: the other axes differ", "axis",
                            hint="the tensors must agree on every axis but the joined one")
        out[axis] = None if out[axis] is None or shape[axis] is None else out[axis] + shape[axis]
    return Output(tuple(out), macs=0)


def stack(call: Call) -> Output:
    shapes = tensor_list(call)
    first = shapes[0]
    if any(s != first for s in shapes[1:]):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} stacks tensors of different shapes "
                        f"{', '.join(format_shape(s) for s in shapes)}", hint="stack tensors of one shape")
    axis = _axis(call, call.cfg.get("axis", 0), len(first) + 1)
    return Output(first[:axis] + (len(shapes),) + first[axis:], macs=0)


def matmul(call: Call) -> Output:
    if len(operands(call)) < 2 or not all(isinstance(s, tuple) for s in operands(call)[:2]):
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} multiplies two tensors (Keras: matmul() missing 1 "
                        "required positional argument: 'x2')", "args", hint="give it two tensors")
    a, b = operands(call)[:2]
    if not a or not b:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} multiplies tensors of rank 1 or more",
                        hint="use ops.multiply for scalars")
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] is not None and b2[-2] is not None and a2[-1] != b2[-2]:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} multiplies {format_shape(a)} by {format_shape(b)}: "
                        f"the inner sizes {a2[-1]} and {b2[-2]} differ", hint="the last axis of the first must "
                        "equal the second-to-last of the second")
    batch = broadcast(call, [a2[:-2], b2[:-2]]) if len(a2) > 2 or len(b2) > 2 else ()
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return Output(out, macs=0)


def clip(call: Call) -> Output:
    return Output(operands(call)[0], macs=0)


def get_item(call: Call) -> Output:
    args = call.cfg.get("args") or []
    shape = operands(call)[0]
    key = args[1] if len(args) > 1 else None
    keys = key if isinstance(key, list) else [key]
    out, axis = [], 0
    for item in keys:
        if axis >= len(shape):
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} indexes more axes than {format_shape(shape)} has",
                            hint="index at most one entry per axis")
        size = shape[axis]
        if isinstance(item, int) and not isinstance(item, bool):
            if size is not None and not -size <= item < size:
                raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} index {item} is out of range for axis {axis} "
                                f"of size {size}", hint="index within the axis")
            axis += 1
        elif isinstance(item, dict) and item.get("class_name") == "__slice__":
            cfg = item.get("config") or {}
            out.append(None if size is None else len(range(size)[slice(cfg.get("start"), cfg.get("stop"),
                                                                        cfg.get("step"))]))
            axis += 1
        else:
            raise call.fail(rules.UNKNOWN_KERAS_LAYER, f"{call.type} with the index {item!r}: archlint reads "
                            "integers and slices only", hint="check the shapes in Keras")
    return Output(tuple(out) + tuple(shape[axis:]), macs=0)


def split(call: Call) -> Output:
    shape = operands(call)[0]
    axis = _axis(call, call.cfg.get("axis", 0), len(shape))
    sections, size = call.cfg["indices_or_sections"], shape[axis]
    if isinstance(sections, int):
        if size is not None and (sections < 1 or size % sections):
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} cannot split size {size} into {sections} equal parts",
                            "indices_or_sections", hint="use a divisor of the axis size")
        sizes = [None if size is None else size // sections] * sections
    else:
        bounds = [0] + list(sections) + [size]
        sizes = [None if size is None else max(0, min(b, size) - min(a, size)) for a, b in zip(bounds, bounds[1:])]
    return Output([shape[:axis] + (n,) + shape[axis + 1:] for n in sizes], macs=0)


OPS: dict = {
    **{name: ({}, unary) for name in UNARY},
    **{name: ({}, binary) for name in BINARY},
    **{name: ({"axis": None, "keepdims": False}, reduction) for name in REDUCTIONS},
    "Where": ({}, where),
    "Softmax": ({"axis": -1}, softmax),
    "LogSoftmax": ({"axis": -1}, softmax),
    "Reshape": ({"newshape": REQUIRED}, reshape),
    "Transpose": ({"axes": None}, transpose),
    "Swapaxes": ({"axis1": REQUIRED, "axis2": REQUIRED}, swapaxes),
    "ExpandDims": ({"axis": REQUIRED}, expand_dims),
    "Squeeze": ({"axis": None}, squeeze),
    "Concatenate": ({"axis": 0}, concatenate),
    "Stack": ({"axis": 0}, stack),
    "Matmul": ({}, matmul),
    "Clip": ({"x_min": REQUIRED, "x_max": REQUIRED}, clip),
    "GetItem": ({}, get_item),
    "Split": ({"indices_or_sections": REQUIRED, "axis": 0}, split),
}
# Keys some ops write beyond their own: Max/Min's `initial`, LeakyRelu's slope, Gelu's approximation.
EXTRA = {"Max": {"initial": None}, "Min": {"initial": None}, "LeakyRelu": {"negative_slope": 0.2},
         "Gelu": {"approximate": True}, "Elu": {"alpha": 1.0}}

_AXES = {"type": ["integer", "array", "null"], "items": {"type": "integer"}}
SCHEMA = {
    "args": {"type": "array", "description": "The call's positional arguments; a tensor is {\"__tensor__\": i}, "
             "the i-th of `inputs`."},
    "kwargs": {"type": "object", "description": "The call's other keyword arguments; they change no shape."},
    "dtype": {"$ref": "#/definitions/dtype"},
    "axis": _AXES, "axes": {"type": ["array", "null"], "items": {"type": "integer"}},
    "axis1": {"type": "integer"}, "axis2": {"type": "integer"},
    "keepdims": {"type": "boolean"}, "initial": {"type": ["number", "null"]},
    "newshape": {"type": ["integer", "array"], "items": {"type": "integer"},
                 "description": "The whole new shape, batch axis included; one size may be -1."},
    "x_min": {"type": ["number", "null"]}, "x_max": {"type": ["number", "null"]},
    "indices_or_sections": {"type": ["integer", "array"], "items": {"type": "integer"}},
    "negative_slope": {"type": "number"}, "approximate": {"type": "boolean"}, "alpha": {"type": "number"},
}

for _name, (_defaults, _infer) in OPS.items():
    _all = {**_defaults, **EXTRA.get(_name, {}), "args": [], "kwargs": {}, "dtype": None}
    register(KERAS, PREFIX + _name, "ops", _all, _infer, schema={k: SCHEMA[k] for k in _all},
             description=f"keras.ops.{_name} as a functional config records it; creates no weights.")
