"""The one count parser and the one byte-size parser (SI units are powers of 1000, IEC units of 1024)."""

from __future__ import annotations

import re

import pytest

from archlint import quantities
from archlint.quantities import parse_bytes, parse_count, parse_fraction, size_text


@pytest.mark.parametrize("value, count", [
    (25000, 25000), (0, 0), ("25k", 25_000), ("25K", 25_000), ("3.5M", 3_500_000), ("1.2G", 1_200_000_000),
    ("7B", 7_000_000_000), ("2T", 2 * 10**12), (" 7 ", 7), ("0.0001k", 0), ("1.5", 1), ("1.0005k", 1000),
    ("12345678901234567890", 12345678901234567890),
])
def test_counts(value, count):
    assert parse_count(value) == count


@pytest.mark.parametrize("value", [-1, True, False, 2.5, 3.0, None, [], "3x", "k", "-3k", "1e3", "1kB", "1m",
                                   "1 M B", "", "1,000", "0x10", "١٢"])
def test_count_refusals(value):
    assert parse_count(value) is None


@pytest.mark.parametrize("value, size", [
    (1024, 1024), (0, 0), ("10B", 10), ("512KB", 512_000), ("3 kB", 3000), ("500k", 500_000), ("50M", 50_000_000),
    ("50MB", 50_000_000), ("2GB", 2 * 10**9), ("1T", 10**12), ("1.5M", 1_500_000), ("3KiB", 3 * 1024),
    ("1.5 MiB", 1_572_864), ("50MiB", 52_428_800), ("1GiB", 2**30), ("2TiB", 2 * 2**40), ("1.5", 1), (" 7 ", 7),
])
def test_byte_sizes(value, size):
    assert parse_bytes(value) == size


@pytest.mark.parametrize("value", [-1, True, 2.0, None, "", "lots", "MB", "1XB", "1mb", "1m", "1g", "1Mi", "1KIB",
                                   "1 kib", "-1k", "1e3", "1B B", "1.5.5M"])
def test_byte_size_refusals(value):
    assert parse_bytes(value) is None


def test_fractions():
    assert [parse_fraction(v) for v in (0.5, 1, 1.0, 0, 1.5, -0.1, True, "0.5")] == [0.5, 1.0, 1.0, None, None, None,
                                                                                     None, None]


def test_size_text():
    assert [size_text(v) for v in (0, 1023, 1024, 25_690_112, 3 * 2**30)] == [
        "0 bytes", "1,023 bytes", "1,024 bytes (1.00 KiB)", "25,690,112 bytes (24.50 MiB)",
        "3,221,225,472 bytes (3.00 GiB)"]


@pytest.mark.parametrize("pattern, parse, samples", [
    (quantities.COUNT_PATTERN, parse_count, ["25k", "7B", "1.5", "1kB", "1m", "-3", "1e3", "3 M"]),
    (quantities.BYTES_PATTERN, parse_bytes, ["50MB", "1.5MiB", "500k", "1mb", "1Mi", "10B", "-1", "7 GiB"]),
])
def test_schema_patterns_accept_what_the_parsers_read(pattern, parse, samples):
    """The schema uses the patterns themselves: a string the schema accepts is one the parser reads."""
    for text in samples:
        assert (re.match(pattern, text) is not None) == (parse(text) is not None), text
