"""Checks that look at several layers at once, run after the walk."""

from __future__ import annotations

from archlint import masks, rules
from archlint.layers import windows
from archlint.shapes import axis_label, format_shape
from archlint.walk import Model, Sink, WalkedLayer, sink_for_layer

# What one position along a spatial axis is called, singular and plural
_UNITS = {"height": ("row", "rows"), "width": ("column", "columns"), "depth": ("plane", "planes"),
          "length": ("step", "steps")}


def _units(label: str, count: int) -> str:
    """'row', 'columns', 'positions on axis 4': what `count` positions along an axis are called."""
    name = label.split()[0]
    if name in _UNITS:
        return _UNITS[name][count != 1]
    return f"{'position' if count == 1 else 'positions'} on {label}"


def _edge(label: str, side: str, count: int) -> str:
    """'the last row', 'the first 2 columns'."""
    return f"the {side} {_units(label, count)}" if count == 1 else f"the {side} {count} {_units(label, count)}"


def _window(layer: WalkedLayer, axis: int) -> tuple[int, int, int] | None:
    """(kernel, stride, dilation) of a windowed layer along the input axis `axis`, for messages; None
    when the layer has no window there, or crops with a negative padding (PyTorch, non-zero padding_mode)."""
    window = layer.output.window
    if window is None or axis not in window.axes:
        return None
    index = window.axes.index(axis)
    if window.pads is not None and window.pads[index][0] < 0:
        return None
    return window.kernel[index], window.strides[index], window.dilation[index]


def _gap_cause(window: tuple[int, int, int] | None) -> str:
    if window is None:
        return "its windows (or a negative padding) leave them out"
    k, s, d = window
    k_eff = d * (k - 1) + 1
    if s > k_eff:
        return f"its stride {s} is larger than its effective kernel {k_eff}"
    if d > 1:
        return f"its dilation {d} spaces the {k} taps of its kernel so that, moving by {s}, they skip positions"
    return "its windows leave gaps"


def check_coverage(model: Model, sink: Sink) -> None:
    """W001/W002: input positions that no layer reading the tensor ever reads.

    A position counts only when it holds input: rows that a padding layer added are free to drop, and
    a position one consumer skips is fine when another consumer of the same tensor reads it (the main
    path of a ResNet block covers what its 1x1 stride-2 shortcut skips). A model output is read whole.
    Unread runs at an edge are truncation (W001); gaps inside the input are skipping (W002).
    """
    for name, readers in model.consumers.items():
        tensor = model.tensors.get(name)
        if tensor is None or not readers or name in model.outputs:
            continue
        windowed = [r for r in readers if r.output is not None and r.output.unread]
        if len(windowed) < len(readers):
            continue  # some reader reads every position
        reader = windowed[0]
        window = reader.output.window  # None only for a plugin's layer that reports unread positions
        channels_first = window.channels_first if window else (
            model.spec.framework == "pytorch" or reader.spec.kwargs.get("data_format") == "channels_first")
        edges, gaps, samples, causes, whole = [], [], [], [], False
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
            real = size - head - tail
            runs = windows.runs(lost)
            inner = [(a, b) for a, b in runs if b < size - tail - 1]  # all but a trailing run
            if len(lost) == real:
                edges.append(f"any of its {real} {_units(label, real)}" if real > 1 else f"its only {_units(label, 1)}")
                whole = True
            elif not inner:
                edges.append(_edge(label, "last", len(lost)))
            else:
                sample = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:4])
                gaps.append(f"{len(lost)} of the {real} {_units(label, real)}")
                samples.append(f"{_units(label, real)} {sample}{', ...' if len(runs) > 4 else ''}")
                causes.append(_gap_cause(_window(reader, axis)))
        if not edges and not gaps:
            continue
        stride_key = next((k for k in ("strides", "stride") if k in reader.spec.kwargs), "type")
        where = reader.spec.where + (stride_key,)
        shared = " (nor does any other layer reading it)" if len(windowed) > 1 else ""
        # the message says what is lost; the hint says why (the derivation) and what to change
        if len(gaps) == 2 and not edges and gaps[0].rsplit(" ", 1)[0] == gaps[1].rsplit(" ", 1)[0]:
            gaps = [f"{gaps[0]} and {gaps[1].rsplit(' ', 1)[1]}"]  # a square input: "14 of the 28 rows and columns"
        what = f"{reader.name} ({reader.spec.type}) never reads {' and '.join(gaps + edges)} of its input"
        read = f"input {format_shape(tensor.shape)}"
        sink_at = sink_for_layer(reader.spec, sink)  # a reader from a block names its use site, as layer findings do
        if gaps:
            sink_at(rules.SKIPPED_INPUT, what, where,
                    f"{causes[0]}{shared} ({read}, unread {' and '.join(samples)}): use a stride no larger than the "
                    "effective kernel, a dilation the stride does not skip over, or pool before subsampling")
        else:
            cause = ("every tap of its dilated kernel lands in padding" if whole else
                     "its last window ends before the edge, as (input + padding - effective kernel) is not a "
                     "multiple of the stride")
            sink_at(rules.TRUNCATED_INPUT, what, where,
                    f"{cause}{shared} ({read}): adjust padding, kernel or stride so the windows end at the input's "
                    "edge, or crop the input on purpose with a cropping layer")


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
        if producer.spec.kwargs.get("activation") not in (None, "linear"):
            continue  # Keras applies the activation after the bias: the normalization sees a nonlinear output
        if model.spec.framework == "keras" and not layer.spec.trainable:
            continue  # a frozen Keras BatchNormalization runs in inference mode: the bias still shifts its output
        key = "bias" if model.spec.framework == "pytorch" else "use_bias"
        where = producer.spec.where + ((key,) if key in producer.spec.kwargs else ("type",))
        # reported at the producer's bias: from a block, it names the producer's use site
        sink_for_layer(producer.spec, sink)(
            rules.BIAS_BEFORE_NORM,
            f"{producer.label} adds a bias that {layer.label} subtracts again: {count:,} wasted parameters",
            where,
            f"{layer.name} ({layer.spec.type}) subtracts each channel's mean: set {key}: false on {producer.label}",
        )


def run_all(model: Model, sink: Sink) -> None:
    check_coverage(model, sink)
    check_bias_before_norm(model, sink)
    masks.check_masks(model, sink)
