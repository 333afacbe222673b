"""Sliding-window arithmetic shared by convolutions and pooling: sizes, padding, what is read.

All formulas take one spatial axis at a time. `n` is the input size (None when unknown), `k` the
kernel size, `d` the dilation, `s` the stride; the effective kernel is `d*(k-1)+1`.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint import rules
from archlint.layers.registry import Call

MAX_COVERAGE_SIZE = 1 << 16  # beyond this, skip the exact read-coverage analysis of an axis


def effective(k: int, d: int) -> int:
    return d * (k - 1) + 1


def int_tuple(call: Call, key: str, rank: int, minimum: int = 1, what: str | None = None) -> tuple[int, ...]:
    """A size argument as a tuple of `rank` ints, each >= minimum; E002 otherwise."""
    value = call.cfg[key]
    values = (value,) * rank if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if len(values) != rank:
        raise call.fail(
            rules.INVALID_ARGUMENT,
            f"{call.type} takes {rank} value{'s' if rank > 1 else ''} for `{key}`, got {len(values)} ({list(values)})",
            key,
            hint=f"write one int or a list of {rank} ints",
        )
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
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


def unread_positions(w: AxisWindow) -> frozenset:
    """Input positions in [0, n) that no output window reads."""
    if w.n is None or w.out is None or w.out <= 0 or w.n > MAX_COVERAGE_SIZE:
        return frozenset()
    if w.d == 1 and w.s <= w.k:
        # windows touch or overlap, so only the tail past the last window can be unread
        end = (w.out - 1) * w.s - w.before + w.k_eff
        return frozenset(range(max(end, 0), w.n))
    return _unread_by_enumeration(w)


def _unread_by_enumeration(w: AxisWindow) -> frozenset:
    read = bytearray(w.n)
    for i in range(w.out):
        start = i * w.s - w.before
        for j in range(w.k):
            p = start + j * w.d
            if 0 <= p < w.n:
                read[p] = 1
    return frozenset(p for p in range(w.n) if not read[p])


def check_padding_only(call: Call, w: AxisWindow, pad_key: str | None) -> None:
    """W004: the first or last window lies entirely in padding, so its output sees no input."""
    if w.n is None or not w.out or w.out <= 0:
        return
    head, tail = call.x.padding.get(w.axis, (0, 0))  # padding already added by a padding layer
    last_start = (w.out - 1) * w.s - w.before
    if w.before + head >= w.k_eff:
        edge, amount = "first", w.before + head
    elif last_start >= w.n - tail:
        edge, amount = "last", w.after + tail
    else:
        return
    call.report(
        rules.PADDING_ONLY_OUTPUT,
        f"{call.type} pads {amount} positions on the {w.label or f'axis {w.axis}'} with an effective kernel of {w.k_eff}: "
        f"the {edge} output is computed from padding alone",
        pad_key,
        hint=f"use padding of at most {w.k_eff - 1} on that side",
    )


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
