"""Sliding-window arithmetic shared by convolutions and pooling: sizes, padding, what is read.

All formulas take one spatial axis at a time. `n` is the input size (None when unknown), `k` the
kernel size, `d` the dilation, `s` the stride; the effective kernel is `d*(k-1)+1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

from archlint import rules
from archlint.layers.registry import Call, Window
from archlint.shapes import format_shape

# Beyond this input size, the exact read-coverage analysis of an axis is skipped. Every analysis below is
# constant-time per input position (or per window), so its cost is bounded by this, never by the kernel,
# stride, dilation, padding or output size the spec writes.
MAX_COVERAGE_SIZE = 1 << 16


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


def reaches(t: int, s: int, d: int, k: int, count: int) -> bool:
    """Whether t = i*s + j*d for some 0 <= i < count and 0 <= j < k (a tap of some window lands on t).

    Constant time whatever the sizes: the j that solve j*d = t (mod s) form one residue class modulo
    s/gcd(s, d), and the bounds on i and j leave one interval of j to look for it in.
    """
    if t < 0 or count <= 0 or k <= 0:
        return False
    j_lo = max(0, -(-(t - (count - 1) * s) // d))
    j_hi = min(k - 1, t // d)
    if j_lo > j_hi:
        return False
    g = gcd(s, d)
    if t % g:
        return False
    m = s // g
    if m == 1:
        return True
    j0 = (t // g) * pow(d // g, -1, m) % m
    return j_lo + (j0 - j_lo) % m <= j_hi


def reached_set(s: int, d: int, k: int, count: int, lo: int, hi: int) -> set[int]:
    """The t in [lo, hi) with t = i*s + j*d for some 0 <= i < count, 0 <= j < k.

    Built from ranges (C loops) along whichever of i and j gives fewer of them; when even that would
    enumerate many more values than [lo, hi) holds, each t is tested by itself (constant time each).
    """
    found: set[int] = set()
    if hi <= lo or count <= 0 or k <= 0:
        return found
    width = hi - lo
    j_range = (max(0, -(-(lo - (count - 1) * s) // d)), min(k - 1, (hi - 1) // d))
    i_range = (max(0, -(-(lo - (k - 1) * d) // s)), min(count - 1, (hi - 1) // s))
    by_j = (j_range[1] - j_range[0] + 1) * (width // s + 1)
    by_i = (i_range[1] - i_range[0] + 1) * (width // d + 1)
    if min(by_j, by_i) > 8 * width + 1024:
        return {t for t in range(lo, hi) if reaches(t, s, d, k, count)}
    # along j: t = j*d + i*s for the i < count; along i: t = i*s + j*d for the j < k
    outer, step, inner_step, inner_count = (j_range, s, d, count) if by_j <= by_i else (i_range, d, s, k)
    for m in range(outer[0], outer[1] + 1):
        base = m * inner_step
        first, last = max(0, -(-(lo - base) // step)), min(inner_count - 1, (hi - 1 - base) // step)
        if first <= last:
            found.update(range(base + first * step, base + last * step + 1, step))
    return found


def unread_positions(w: AxisWindow, mode: str = "zeros") -> frozenset:
    """Input positions in [0, n) that no output window reads.

    `mode` is PyTorch's padding_mode: with 'reflect', 'replicate' or 'circular' the padding holds copies
    of input positions, which count as read. Cost bounded by MAX_COVERAGE_SIZE, whatever the sizes.
    """
    if w.n is None or w.out is None or w.out <= 0 or w.n > MAX_COVERAGE_SIZE:
        return frozenset()
    if mode == "replicate" and (w.before or w.after):
        # the left padding copies position 0 and the first window starts there; the right padding copies
        # the last position, read when the last tap lies past the input
        last_tap = (w.out - 1) * w.s + (w.k - 1) * w.d - w.before
        held = ({0} if w.before > 0 else set()) | ({w.n - 1} if last_tap >= w.n else set())
        taps = reached_set(w.s, w.d, w.k, w.out, w.before, w.before + w.n)
        return frozenset(p for p in range(w.n) if p not in held and p + w.before not in taps)
    if mode != "zeros" and (w.before or w.after):
        # every tap, as t = q + before for the padded position q (from -before)
        taps = reached_set(w.s, w.d, w.k, w.out, 0, w.n + w.before + max(w.after, 0))
        preimages = _PREIMAGES[mode]
        return frozenset(p for p in range(w.n) if not any(
            q + w.before in taps for q in preimages(p, w.n, w.before, w.after)))
    if w.d == 1 or w.k == 1:
        return _unread_between_intervals(w)
    taps = reached_set(w.s, w.d, w.k, w.out, w.before, w.before + w.n)
    return frozenset(p for p in range(w.n) if p + w.before not in taps)


def _unread_between_intervals(w: AxisWindow) -> frozenset:
    """Undilated windows are intervals [i*s - before, i*s - before + k_eff): only those meeting the input count."""
    k = w.k_eff
    first = max(0, -(-(w.before - k + 1) // w.s))
    last = min(w.out - 1, (w.n - 1 + w.before) // w.s)
    unread = set(range(w.n))
    if first > last:
        return frozenset(unread)
    if w.s <= k:  # the windows touch or overlap: one read interval
        unread.difference_update(range(max(first * w.s - w.before, 0), min(last * w.s - w.before + k, w.n)))
        return frozenset(unread)
    for i in range(first, last + 1):  # at most n / s + 1 windows, each meets the input
        start = i * w.s - w.before
        unread.difference_update(range(max(start, 0), min(start + k, w.n)))
    return frozenset(unread)


def _reflect(p: int, n: int, before: int, after: int) -> list[int]:
    return [q for q in (p, -p, 2 * (n - 1) - p) if -before <= q < n + after]


def _circular(p: int, n: int, before: int, after: int) -> list[int]:
    return [q for q in (p - n, p, p + n) if -before <= q < n + after]  # PyTorch wraps around at most once


# The padded positions (before the left crop, from -before) that hold a copy of input position p
_PREIMAGES = {"reflect": _reflect, "circular": _circular}


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


def runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as runs (first, last) of consecutive ones."""
    found: list[tuple[int, int]] = []
    for p in positions:
        if found and found[-1][1] == p - 1:
            found[-1] = (found[-1][0], p)
        else:
            found.append((p, p))
    return found


def describe_outputs(indices: list[int], total: int) -> str:
    """'all 3', 'the first', 'the last 2', 'the first and the last', or '3 (4, 5, 6)' of `total` outputs."""
    return describe_runs(runs(indices), total)


def describe_runs(found: list[tuple[int, int]], total: int, sample: bool = True) -> str:
    """describe_outputs for positions given as runs (first, last): the count is arithmetic on the runs.
    `sample=False`: the count alone, without the first positions ("8 (1, 3, 5, ...)" -> "8")."""
    count = sum(b - a + 1 for a, b in found)
    if count == total:
        return f"all {total}" if total > 1 else "the only one"
    first = found[0][1] + 1 if found and found[0][0] == 0 else 0
    last = found[-1][1] - found[-1][0] + 1 if found and found[-1][1] == total - 1 else 0
    if len(found) <= 2 and first + last == count:
        parts = [f"the {edge}{f' {n}' if n > 1 else ''}" for edge, n in (("first", first), ("last", last)) if n]
        return " and ".join(parts)
    if not sample:
        return f"{count:,}"
    first: list[int] = []
    for a, b in found:
        first.extend(range(a, min(b + 1, a + 7 - len(first))))
        if len(first) > 6:
            break
    return f"{count:,} ({', '.join(str(i) for i in first[:6])}{', ...' if count > 6 else ''})"


def padding_only_message(call: Call, w: AxisWindow, bad: list[int]) -> tuple[str, str, str]:
    """The W004 outputs of one axis ("the first of its 12 outputs"), its label, and the hint (why, what to
    change: the derivation stays out of the finding line)."""
    head, tail = call.x.padding.get(w.axis, (0, 0))
    label = w.label or f"axis {w.axis}"
    added = f" (plus {head} before and {tail} after from the padding layer before it)" if head or tail else ""
    if max(w.before + head, w.after + tail) >= w.k_eff:
        cause = f"the padding on a side reaches the effective kernel size {w.k_eff}"
        change = f"pad at most {w.k_eff - 1} on each side"
    else:
        cause = f"the dilated kernel (effective size {w.k_eff}) reaches past both ends of an input of {w.n}"
        change = "use a smaller dilation or padding, or a larger input"
    hint = f"it pads {w.before} before and {w.after} after on the {label}{added}, and {cause}: {change}"
    return f"{describe_outputs(bad, w.out)} of its {w.out} outputs", label, hint


def join_axes(found: list[tuple[str, str]]) -> str:
    """'the first of its 12 outputs on the height and width axes': axes with the same outputs said once."""
    groups: dict[str, list[str]] = {}
    for outputs, label in found:
        groups.setdefault(outputs, []).append(label)
    parts = []
    for outputs, labels in groups.items():
        if len(labels) > 1 and all(label.endswith(" axis") for label in labels):
            where = " and ".join(label[:-len(" axis")] for label in labels) + " axes"
        else:
            where = " and ".join(labels)
        parts.append(f"{outputs} on the {where}")
    return "; ".join(parts)


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
        call.report(rules.PADDING_ONLY_OUTPUT, f"{call.type}: {join_axes([f[:2] for f in found])} see only padding",
                    pad_key, hint=found[0][2])


def check_output_positive(call: Call, windows: list[AxisWindow], what: str = "kernel") -> None:
    """E001: the window must fit in the padded input."""
    bad = [w for w in windows if w.out is not None and w.out <= 0]
    if bad:
        w = bad[0]
        padded = w.n + w.before + w.after
        size_word = "padded input" if (w.before or w.after) else "input"
        raise call.fail(
            rules.OUTPUT_SIZE,
            f"{call.type} {what} of effective size {w.k_eff} does not fit the {size_word}'s "
            f"{w.label or f'axis {w.axis}'} of {padded}: output size would be {w.out}",
            "kernel_size" if what == "kernel" else "pool_size" if "pool_size" in call.cfg else "kernel_size",
            hint=f"output size = floor(({w.n} + {w.before + w.after} - {w.k_eff}) / {w.s}) + 1 = {w.out}; use a "
                 "smaller kernel or dilation, add padding, or remove a downsampling layer before it",
        )


def first_padding_only_window(w: AxisWindow, head: int = 0, tail: int = 0) -> int | None:
    """The first output whose every tap falls outside the input [head, n - tail), or None.

    Exact for dilated windows, whose span can cover input while each tap lands in padding (a max
    pooling then outputs -inf). `head`/`tail` are padding already added by a padding layer.
    """
    if w.n is None or w.out is None or w.out <= 0 or w.n > MAX_COVERAGE_SIZE:
        return None
    lo, hi = head, w.n - tail

    def only_padding(i: int) -> bool:
        start = i * w.s - w.before
        j = max(0, -(-(lo - start) // w.d))  # the first tap at or after lo
        return j >= w.k or start + j * w.d >= hi

    # beyond MAX_COVERAGE_SIZE outputs (a huge padding), look at the edges only
    candidates = range(w.out) if w.out <= MAX_COVERAGE_SIZE else (0, w.out - 1)
    return next((i for i in candidates if only_padding(i)), None)


def check_rank(call: Call, rank: int, layout: str,
               hint: str = "check the input shape (it excludes the batch axis) or use the layer of the right rank",
               ) -> None:
    """E008: a rank-N convolution or pooling takes exactly N+2 axes (batch, channels, N spatial)."""
    want = rank + 2
    if call.x.rank != want:
        raise call.fail(
            rules.RANK_MISMATCH,
            f"{call.type} expects a rank-{want} input {layout} but receives {format_shape(call.x.shape)}",
            hint=hint,
        )
