"""Checks that look at several layers at once, run after the walk."""

from __future__ import annotations

from archlint import rules
from archlint.shapes import axis_label, format_shape
from archlint.walk import Model, Sink


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


def check_coverage(model: Model, sink: Sink) -> None:
    """W001/W002: input positions that no layer reading the tensor ever reads.

    A position counts only when it holds input: rows that a padding layer added are free to drop, and
    a position one consumer skips is fine when another consumer of the same tensor reads it (the main
    path of a ResNet block covers what its 1x1 stride-2 shortcut skips).
    """
    for name, readers in model.consumers.items():
        tensor = model.tensors.get(name)
        if tensor is None or not readers:
            continue
        windowed = [r for r in readers if r.output is not None and r.output.unread]
        if len(windowed) < len(readers):
            continue  # some reader reads every position
        reader = windowed[0]
        channels_first = model.spec.framework == "pytorch" or reader.spec.kwargs.get("data_format") == "channels_first"
        tails, holes = [], []
        for axis in sorted(reader.output.unread):
            unread = set(reader.output.unread[axis])
            for other in windowed[1:]:
                unread &= other.output.unread.get(axis, frozenset())
            head, tail = tensor.padding.get(axis, (0, 0))
            size = tensor.shape[axis]
            lost = sorted(p for p in unread if head <= p < size - tail)
            if not lost:
                continue
            label = axis_label(tensor.rank, axis, channels_first)
            if lost == list(range(lost[0], size - tail)):
                tails.append(f"the last {len(lost)} of {size} positions on the {label}")
            else:
                runs = _runs(lost)
                sample = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:4])
                holes.append(f"{len(lost)} of {size} positions on the {label} ({sample}{', ...' if len(runs) > 4 else ''})")
        if not tails and not holes:
            continue
        stride_key = next((k for k in ("strides", "stride") if k in reader.spec.kwargs), "type")
        where = reader.spec.where + (stride_key,)
        shared = " (nor does any other layer reading it)" if len(windowed) > 1 else ""
        if holes:
            sink(rules.SKIPPED_INPUT,
                 f"{reader.name} ({reader.spec.type}) never reads {' and '.join(holes + tails)} of its input "
                 f"{format_shape(tensor.shape)}{shared}: its stride exceeds its effective kernel",
                 where, "use a stride no larger than the effective kernel (kernel or dilation), or pool before "
                 "subsampling")
        else:
            sink(rules.TRUNCATED_INPUT,
                 f"{reader.name} ({reader.spec.type}) never reads {' and '.join(tails)} of its input "
                 f"{format_shape(tensor.shape)}{shared}: (input + padding - effective kernel) is not a multiple "
                 "of the stride",
                 where, "adjust padding, kernel or stride so the windows end at the input's edge, or crop the "
                 "input on purpose with a cropping layer")


def check_bias_before_norm(model: Model, sink: Sink) -> None:
    """W005: a normalization that subtracts the per-channel mean makes the bias before it a no-op."""
    by_name = {layer.name: layer for layer in model.layers}
    for layer in model.layers:
        out = layer.output
        if out is None or out.removes_offset_along is None or len(layer.inputs) != 1:
            continue
        producer = by_name.get(layer.inputs[0])
        if producer is None or producer.output is None or producer.output.bias is None:
            continue
        if len(model.consumers.get(producer.name, [])) != 1:
            continue  # another reader of the producer may need the bias
        axis, count = producer.output.bias
        if axis != out.removes_offset_along:
            continue
        key = "bias" if model.spec.framework == "pytorch" else "use_bias"
        where = producer.spec.where + ((key,) if key in producer.spec.kwargs else ("type",))
        sink(
            rules.BIAS_BEFORE_NORM,
            f"{producer.name} adds a bias that {layer.name} ({layer.spec.type}) subtracts again: "
            f"{count:,} wasted parameters",
            where,
            f"set {key}: false on {producer.name}",
        )


def run_all(model: Model, sink: Sink) -> None:
    check_coverage(model, sink)
    check_bias_before_norm(model, sink)
