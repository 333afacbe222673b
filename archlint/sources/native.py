"""archlint's own spec format: the data is already the native spec."""

from __future__ import annotations

from archlint.loader import Document


def recognise(data) -> bool:
    return isinstance(data, dict) and "archlint" in data


def convert(document: Document, options) -> Document:
    return document
