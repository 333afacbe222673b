"""Ultralytics model YAMLs (`yolov8.yaml`, `yolo11.yaml` and edited copies: `nc`, `scales`, `backbone`,
`head`, rows `[from, repeats, module, args]`) as archlint input.

The importer of `archlint.sources` for Ultralytics: `recognise` and `convert`. The file is read as
ultralytics 8.4's parse_model reads it (`parse.py`), each row becomes a layer of the native spec whose
type is the row's module (`layers.py` registers them), and what only this format can say (rows, `from`,
comments, the 256 build probe) is checked by `source.py`.
"""

from __future__ import annotations

from archlint.loader import Document, LoadError


class UltralyticsConfigError(LoadError):
    """An Ultralytics YAML archlint cannot convert at all: reported whatever the file's text says."""

    certain = True


def recognise(data) -> bool:
    """A mapping with `backbone` and `head` lists and no `archlint` key."""
    return (isinstance(data, dict) and "archlint" not in data and isinstance(data.get("backbone"), list)
            and isinstance(data.get("head"), list))


def convert(document: Document, options=None) -> Document:
    from archlint.sources.ultralytics.source import convert_document

    settings = dict(getattr(options, "settings", None) or {})
    return convert_document(document, settings)
