"""What every importer shares: the hooks a converted file adds to the pipeline, and positions in the
original file for data that was converted from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archlint.loader import Document

# A finding path (`where`) that starts with this marker is a path in the original file's data, not in
# the converted spec: importers use it for findings about keys the converted spec does not carry.
ORIGINAL = "\0original"


class SourceHooks:
    """What an importer adds to the pipeline for one converted file. Every method is optional."""

    kind: str = ""  # how the file is named to the user: "a Keras config", "a Hugging Face config"

    def filter(self, sink):
        """The pipeline's sink, possibly rewriting or dropping findings before they are reported."""
        return sink

    def annotate(self, spec) -> None:
        """Called with the typed spec before the walk (e.g. to give it shapes the file records)."""

    def check(self, model, sink) -> None:
        """Called with the walked model: findings only this format can make."""

    def notes(self, model) -> list[str]:
        """What `check -v` says about how the file was read (e.g. the defaults used for absent keys)."""
        return []

    def explain(self, model, layer) -> list[str]:
        """Lines `explain` adds under a layer: how the format's own numbers for it are made up."""
        return []

    def figures(self, model) -> list[tuple[str, str, object]]:
        """Figures only this format has, for `summary`: (json key, text line or "", json value)."""
        return []

    def totals(self, model) -> list[str]:
        """Lines `summary` prints under the table: the format's own totals (Ultralytics: GFLOPs)."""
        return []


def mapped_locator(paths: dict[tuple, tuple], original: Callable) -> Callable:
    """A locator for converted data: the longest prefix of a converted path that `paths` maps gives the
    path in the original data, and the rest of the path is appended. Paths starting with ORIGINAL are
    already in the original data."""

    def locate(where: tuple, key: bool):
        if where and where[0] == ORIGINAL:
            return original(tuple(where[1:]), key)
        for cut in range(len(where), -1, -1):
            if where[:cut] in paths:
                return original(paths[where[:cut]] + tuple(where[cut:]), key)
        return None

    return locate


def converted_document(original: Document, data, paths: dict[tuple, tuple], hooks: SourceHooks) -> Document:
    """The document the pipeline checks for a converted file: `data` in the native spec format, with
    findings placed in `original`'s text through `paths` (converted path -> original path)."""
    from archlint.loader import Document

    return Document(original.path, original.text, data, original.kind,
                    mapped_locator(paths, original.locate), hooks, root=original.root)
