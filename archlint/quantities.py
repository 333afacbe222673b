"""Counts and byte sizes as people write them: the one parser of each, and its one meaning.

Counts (parameters, MACs): an int, or a decimal with k/K (10^3), M (10^6), G or B (10^9, B as in "7B
parameters"), T (10^12).

Byte sizes (memory budgets, --max-file-size): an int, or a decimal with an SI unit, k/K, M, G, T
(powers of 1000, the B optional: 512MB, 500k), or an IEC unit, KiB, MiB, GiB, TiB (powers of 1024).
So `50MB` is 50,000,000 bytes and `50MiB` 52,428,800, as the units' standards define them (SI, IEC
80000-13). Lowercase m and g are refused: m is milli, and a byte has no thousandth.

A decimal whose value is not whole (`1.0005k`) is rounded down: a limit in whole units. The schema's
patterns for both (`definitions.count`, `definitions.byte_size`) are generated from the patterns here.
"""

from __future__ import annotations

import re
from typing import Any

_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
COUNT_SCALE = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9, "T": 10**12}
BYTE_SCALE = {"": 1, "B": 1,
              **{prefix + tail: 1000 ** power for prefix, power in (("k", 1), ("K", 1), ("M", 2), ("G", 3), ("T", 4))
                 for tail in ("", "B")},
              **{prefix + "iB": 1024 ** power for prefix, power in (("K", 1), ("M", 2), ("G", 3), ("T", 4))}}
# JSON Schema (ECMA 262) patterns, also used here: the schema accepts exactly what the parsers read
COUNT_PATTERN = r"^\s*" + _NUMBER + r"\s*([kKMGBT]?)\s*$"
BYTES_PATTERN = r"^\s*" + _NUMBER + r"\s*(|B|[kKMGT]B?|[KMGT]iB)\s*$"
_COUNT, _BYTES = re.compile(COUNT_PATTERN), re.compile(BYTES_PATTERN)


def _parse(value: Any, pattern: re.Pattern, scale: dict) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    match = pattern.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    from decimal import Decimal  # exact decimals (3.5M); imported on first use, not for --help

    return int(Decimal(match.group(1)) * scale[match.group(2)])


def parse_count(value: Any) -> int | None:
    """25000, "25k", "3.5M", "7B", "1.2G" -> an int; None when `value` is not a count."""
    return _parse(value, _COUNT, COUNT_SCALE)


def parse_bytes(value: Any) -> int | None:
    """1048576, "512KB", "500k", "1.5 MiB", "2GB" -> bytes (KB = 1000, KiB = 1024); None when not a size."""
    return _parse(value, _BYTES, BYTE_SCALE)


def parse_fraction(value: Any) -> float | None:
    """A fraction in (0, 1], e.g. 0.5 for `min_receptive_field`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        return None
    return float(value)


def size_text(count: int) -> str:
    """Bytes, exactly and in the binary unit people read: 25,690,112 bytes (24.50 MiB)."""
    if count < 1024:
        return f"{count:,} bytes"
    value, unit = count / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{count:,} bytes ({value:.2f} {unit})"
