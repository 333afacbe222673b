"""The layer types of converted Ultralytics rows: one per module name, registered on first use. Each
applies its row's module (`copies` times for the modules parse_model chains) through the builders of
`blocks.BLOCKS` and `heads.HEADS`, with the arguments parse_model computed."""

from __future__ import annotations

from archlint import rules
from archlint.layers import registry
from archlint.sources.ultralytics import tables as M

DEFAULTS = {"args": [], "copies": 1, "row": 0, "legacy": True, "splits": None, "guide": None}
PROPERTIES = {"args": {"type": "array"}, "copies": {"type": "integer", "minimum": 1}, "row": {"type": "integer"},
              "legacy": {"type": "boolean"}, "splits": {"type": ["array", "null"]},
              "guide": {"type": ["array", "null"]}}
_REGISTERED: set = set()
# modules whose first constructor argument is the input channel count parse_model tracked
_TAKES_C1 = M.BASE | {"AIFI", "HGStem", "HGBlock", "CBLinear", "nn.BatchNorm2d"}


def ensure(module: str) -> None:
    if module in _REGISTERED:
        return
    from archlint.plugins import register_layer

    _REGISTERED.add(module)
    if registry.REGISTRY.get((registry.PYTORCH, module)) is None:
        register_layer(registry.PYTORCH, module, DEFAULTS, infer, PROPERTIES,
                       f"ultralytics {module} (a row of an Ultralytics model YAML)", importer=True)


def infer(call: registry.Call) -> registry.Output:
    from archlint.sources.ultralytics.parse import Row
    from archlint.sources.ultralytics.source import apply, builder

    module, args, index = call.type, call.cfg["args"], call.cfg["row"]
    shapes = [tuple(tensor.shape[1:]) for tensor in call.inputs]
    if any(None in shape for shape in shapes):
        raise call.fail(rules.YOLO_NOT_MODELLED, f"row {index} ({module}): an input's size is unknown")
    if builder(module)[0] is None:
        raise call.fail(rules.YOLO_NOT_MODELLED, f"row {index}: archlint does not model {module} yet",
                        hint="the rows after it that read it are not computed and the totals are a lower bound: check "
                             "the counts with ultralytics (model.info())")
    if module in _TAKES_C1 and args and isinstance(args[0], int) and len(shapes) == 1 and len(shapes[0]) == 3 \
            and shapes[0][0] != args[0]:
        c, h, w = shapes[0]
        producer = call.x.producer
        raise call.fail(rules.YOLO_CHANNEL_MISMATCH,
                        f"row {index} ({module}) is built for {args[0]} input channels, but {_row_name(producer)} "
                        f"outputs {c}",
                        "args", f"{args[0]} is the count ultralytics tracks for {_row_name(producer)}; torch fails "
                        f"with 'expected input[1, {c}, {h}, {w}] to have {args[0]} channels, but got {c} channels "
                        "instead': "
                        "make the rows before it agree (the row that changes channels without telling parse_model is "
                        "reported too)")
    sources = [_row_number(tensor.producer) for tensor in call.inputs]
    row = Row(index, "", 0, None, sources, len(shapes) > 1, 1, 1, call.cfg["copies"], module, list(args),
              [], None, 0, splits=call.cfg["splits"], guide=call.cfg["guide"])
    outcome = apply(row, shapes, call.cfg["legacy"])
    if isinstance(outcome, tuple):
        message, argument = outcome
        fix = "fix the row's arguments or the rows it reads"
        if module == "Concat" and message.startswith("Concat"):
            call.sink(rules.YOLO_CONCAT_SIZES, f"row {index} ({module}): {message}", call.where + ("type",),
                      f"torch fails with 'Sizes of tensors must match except in dimension 1': {fix}")
        else:  # the module's own error (torch's words) is the hint: it can be as long as torch makes it
            call.sink(rules.YOLO_MODULE_ERROR, f"row {index} ({module}) fails when ultralytics builds and runs it",
                      call.where + (("args", argument) if argument is not None else ("type",)), f"{message}; {fix}")
        raise registry.Stop()
    return registry.Output(shape=(None, *outcome.shape), trainable=outcome.params - outcome.frozen,
                           non_trainable=outcome.frozen, macs=outcome.macs)


def _row_number(producer: str) -> int:
    """The row index of a layer named model.<i> (or <scale>/model.<i>); -1 for the image."""
    tail = producer.rsplit("/", 1)[-1]
    return int(tail[6:]) if tail.startswith("model.") else -1


def _row_name(producer: str) -> str:
    number = _row_number(producer)
    return f"row {number}" if number >= 0 else "the image"
