"""The frameworks' machine limits on the numbers a spec writes: what PyTorch refuses because it does not
fit a 64-bit integer. The arithmetic of the layers themselves is exact on Python integers of any size.

Measured with torch 2.13.0: a keyword integer outside int64 fails when the module runs ("Overflow when
unpacking long long"; Linear and the other layers that create weights fail when built), and a tensor
whose size in bytes (numel * element size) exceeds 2**63 - 1 fails when it is created ("Storage size
calculation overflowed"). Keras 3.15.1 builds such models symbolically (its shapes are Python integers):
nothing is reported there.
"""

from __future__ import annotations

from math import prod

from archlint import rules
from archlint.layers.registry import PYTORCH, Call
from archlint.shapes import format_shape

INT64_MAX = 2**63 - 1
ELEMENT_BYTES = 4  # float32, torch's default dtype


def _outside_int64(value) -> int | None:
    if isinstance(value, list):
        return next((v for v in map(_outside_int64, value) if v is not None), None)
    if isinstance(value, int) and not isinstance(value, bool) and not -INT64_MAX - 1 <= value <= INT64_MAX:
        return value
    return None


def check_keywords(call: Call) -> None:
    """E002 (raised through call.fail) for a PyTorch keyword integer outside int64."""
    if call.framework != PYTORCH:
        return
    for key in sorted(call.given):
        value = _outside_int64(call.cfg.get(key))
        if value is not None:
            raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `{key}` is {value}, beyond PyTorch's 64-bit "
                            "integers", key, hint=f"torch refuses it; use a value below 2**63 for `{key}`")


def check_size(call: Call, shape: tuple) -> None:
    """E030 (raised through call.fail) when a PyTorch output tensor, for a batch of one, has more bytes than
    int64 counts."""
    if call.framework != PYTORCH or any(not isinstance(n, int) for n in shape[1:]):
        return
    size = prod(shape[1:]) * ELEMENT_BYTES
    if size > INT64_MAX:
        raise call.fail(rules.TENSOR_TOO_LARGE, f"{call.type} output {format_shape(shape)} has {size:.3g} bytes: "
                        "torch cannot create it",
                        hint="its size per sample overflows 64 bits: check the sizes written in this layer and the "
                             "ones before it")
