"""Sliding-window arithmetic shared by convolutions and pooling: sizes, padding, what is read.

All formulas take one spatial axis at a time. `n` is the input size (None when unknown), `k` the
kernel size, `d` the dilation, `s` the stride; the effective kernel is `d*(k-1)+1`.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint import rules
from archlint.layers.registry import Call, Window
from archlint.shapes import format_shape

MAX_COVERAGE_SIZE = 1 << 16  # beyond this, skip the exact read-coverage analysis of an axis


def effective(k: int, d: int) -> int:
    return d * (k - 1) + 1


def int_tuple(call: Call, key: str, rank: int, minimum: int | None = 1, what: str | None = None,
              expand_single: bool = False) -> tuple[int, ...]:
    """A size argument as a tuple of `rank` ints, each >= minimum (if any); E002 otherwise.

    `expand_single`: a one-element list stands for every axis, as PyTorch's convolution functions
    accept (`stride=[2]` on a Conv2d); Keras and a conv's `kernel_size` want exactly `rank` values.
    """
    value = call.cfg[key]
    values = (value,) * rank if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if expand_single and len(values) == 1:
        values = values * rank
    if len(values) != rank:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"{call.type} takes {rank} value{'s' if rank > 1 else ''} for `{key}`, got {len(values)} ({list(values)})",
            key,
            hint=f"write one int or a list of {rank} ints",
        )
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or (minimum is not None and v < minimum):
            word = "positive" if minimum == 1 else f"at least {minimum}"
            raise call.fail(
                rules.INVALID_ARGUMENT,
                f"{call.type} `{key}` must be {what or word}, got {value}",
                key,
                hint=f"use {word} integers for `{key}`",
            )
    return values


def same_padding(n: int | None, k_eff: int, s: int) -> tuple[int, int] | None:
    """TensorFlow/Keras 'same': output ceil(n/s), padding total split with the extra at the end."""
    if n is None:
        return None
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def output_size(n: int | None, before: int, after: int, k_eff: int, s: int, ceil_mode: bool = False) -> int | None:
    """floor((n + before + after - k_eff) / s) + 1, PyTorch's ceil_mode rule included."""
    if n is None:
        return None
    span = n + before + after - k_eff
    if span < 0:
        return span // s + 1 if not ceil_mode else -(-span // s) + 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    # PyTorch: the last window must start inside the input or the left padding
    if (out - 1) * s >= n + before:
        out -= 1
    return out


@dataclass(frozen=True)
class AxisWindow:
    """One spatial axis of a windowed layer, resolved."""

    axis: int  # the axis index in the input tensor
    n: int | None
    k: int
    s: int
    d: int
    before: int
    after: int
    out: int | None
    label: str = ""  # "height axis", for messages

    @property
    def k_eff(self) -> int:
        return effective(self.k, self.d)


def window_of(ws: list[AxisWindow], channels_first: bool, padding: str, explicit: bool = True, **more) -> Window:
    """The layer record of a windowed layer's axes (Output.window); `explicit`: keep the pads applied."""
    return Window(tuple(w.axis for w in ws), channels_first, tuple(w.k for w in ws), tuple(w.s for w in ws),
                  tuple(w.d for w in ws), padding, tuple((w.before, w.after) for w in ws) if explicit else None, **more)


def unread_positions(w: AxisWindow, mode: str = "zeros") -> frozenset:
    """Input positions in [0, n) that no output window reads.

    `mode` is PyTorch's padding_mode: with 'reflect', 'replicate' or 'circular' the padding holds copies
    of input positions, which count as read.
    """
    if w.n is None or w.out is None or w.out <= 0 or w.n > MAX_COVERAGE_SIZE:
        return frozenset()
    if mode != "zeros" and (w.before or w.after):
        return _unread_by_enumeration(w, _SOURCES[mode])
    if w.d == 1 and w.s <= w.k:
        # windows touch or overlap, so only the tail past the last window can be unread
        end = (w.out - 1) * w.s - w.before + w.k_eff
        return frozenset(range(max(end, 0), w.n))
    return _unread_by_enumeration(w)


# Where a padded position's value comes from, per PyTorch padding_mode (None: a zero)
_SOURCES = {
    "zeros": lambda p, n: p if 0 <= p < n else None,
    "reflect": lambda p, n: -p if p < 0 else 2 * (n - 1) - p if p >= n else p,
    "replicate": lambda p, n: min(max(p, 0), n - 1),
    "circular": lambda p, n: p % n,
}


def _unread_by_enumeration(w: AxisWindow, source=_SOURCES["zeros"]) -> frozenset:
    read = bytearray(w.n)
    for i in range(w.out):
        start = i * w.s - w.before
        for j in range(w.k):
            p = source(start + j * w.d, w.n)
            if p is not None and 0 <= p < w.n:
                read[p] = 1
    return frozenset(p for p in range(w.n) if not read[p])


def padding_only_outputs(w: AxisWindow, head: int = 0, tail: int = 0) -> list[int]:
    """Outputs whose window reads no input position, only padding (the layer's own, and `head`/`tail`
    positions a padding layer added before it). Exact with dilation, whose taps can straddle the input."""
    if w.n is None or not w.out or w.out <= 0:
        return []
    lo, hi = head, w.n - tail  # the positions that hold input

    def only_padding(i: int) -> bool:
        start = i * w.s - w.before
        j = max(0, -(-(lo - start) // w.d))  # the first tap at or after lo
        return not (j < w.k and start + j * w.d < hi)

    if w.out > MAX_COVERAGE_SIZE:  # large axes: only the edges can lie in padding
        return [i for i in (0, w.out - 1) if only_padding(i)]
    return [i for i in range(w.out) if only_padding(i)]


def describe_outputs(indices: list[int], total: int) -> str:
    """'all 3', 'the first', 'the last 2', 'the first and the last', or '3 (4, 5, 6)' of `total` outputs."""
    if len(indices) == total:
        return f"all {total}" if total > 1 else "the only one"
    first = next((i for i, p in enumerate(indices) if p != i), len(indices))
    last = next((i for i, p in enumerate(reversed(indices)) if p != total - 1 - i), len(indices))
    if first + last >= len(indices):
        last = len(indices) - first
        parts = [f"the {edge}{f' {count}' if count > 1 else ''}" for edge, count in (("first", first), ("last", last))
                 if count]
        return " and ".join(parts)
    sample = ", ".join(str(i) for i in indices[:6]) + (", ..." if len(indices) > 6 else "")
    return f"{len(indices)} ({sample})"


def padding_only_message(call: Call, w: AxisWindow, bad: list[int]) -> tuple[str, str]:
    """The W004 message for one axis, and its hint."""
    head, tail = call.x.padding.get(w.axis, (0, 0))
    label = w.label or f"axis {w.axis}"
    added = f" (plus {head} before and {tail} after from the padding layer before it)" if head or tail else ""
    if max(w.before + head, w.after + tail) >= w.k_eff:
        cause = f"the padding on a side reaches the effective kernel size {w.k_eff}"
        hint = f"pad at most {w.k_eff - 1} on each side"
    else:
        cause = f"the dilated kernel (effective size {w.k_eff}) reaches past both ends of an input of {w.n}"
        hint = "use a smaller dilation or padding, or a larger input"
    message = (f"{describe_outputs(bad, w.out)} of its {w.out} outputs on the {label} see only padding: it pads "
               f"{w.before} before and {w.after} after{added}, and {cause}")
    return message, hint


def check_padding_only(call: Call, w: AxisWindow, pad_key: str | None) -> None:
    """W004: some windows lie entirely in padding, so their outputs see no input."""
    check_padding_only_all(call, [w], pad_key)


def check_padding_only_all(call: Call, ws: list[AxisWindow], pad_key: str | None) -> None:
    """W004 for a whole layer: one finding naming every axis with outputs computed from padding alone."""
    found = []
    for w in ws:
        head, tail = call.x.padding.get(w.axis, (0, 0))  # padding already added by a padding layer
        bad = padding_only_outputs(w, head, tail)
        if bad:
            found.append(padding_only_message(call, w, bad))
    if found:
        call.report(rules.PADDING_ONLY_OUTPUT, f"{call.type}: " + "; ".join(m for m, _ in found), pad_key,
                    hint=found[0][1])


def check_output_positive(call: Call, windows: list[AxisWindow], what: str = "kernel") -> None:
    """E001: the window must fit in the padded input."""
    bad = [w for w in windows if w.out is not None and w.out <= 0]
    if bad:
        w = bad[0]
        padded = w.n + w.before + w.after
        size_word = "padded input" if (w.before or w.after) else "input"
        raise call.fail(
            rules.OUTPUT_SIZE,
            f"{call.type} {what} of effective size {w.k_eff} does not fit the {size_word} of size {padded} on the "
            f"{w.label or f'axis {w.axis}'}: output size would be {w.out} "
            f"(floor(({w.n} + {w.before + w.after} - {w.k_eff}) / {w.s}) + 1)",
            "kernel_size" if what == "kernel" else "pool_size" if "pool_size" in call.cfg else "kernel_size",
            hint="use a smaller kernel or dilation, add padding, or remove a downsampling layer before it",
        )


def first_padding_only_window(w: AxisWindow, head: int = 0, tail: int = 0) -> int | None:
    """The first output whose every tap falls outside the input [head, n - tail), or None.

    Exact for dilated windows, whose span can cover input while each tap lands in padding (a max
    pooling then outputs -inf). `head`/`tail` are padding already added by a padding layer.
    """
    if w.n is None or w.out is None or w.out <= 0 or w.n > MAX_COVERAGE_SIZE:
        return None
    lo, hi = head, w.n - tail
    for i in range(w.out):
        start = i * w.s - w.before
        j = max(0, -(-(lo - start) // w.d))  # the first tap at or after lo
        if j >= w.k or start + j * w.d >= hi:
            return i
    return None


def check_rank(call: Call, rank: int, layout: str,
               hint: str = "check the input shape (it excludes the batch axis) or use the layer of the right rank",
               ) -> None:
    """E008: a rank-N convolution or pooling takes exactly N+2 axes (batch, channels, N spatial)."""
    want = rank + 2
    if call.x.rank != want:
        raise call.fail(
            rules.RANK_MISMATCH,
            f"{call.type} expects a rank-{want} input {layout} but receives rank {call.x.rank}, shape "
            f"{format_shape(call.x.shape)}",
            hint=hint,
        )
