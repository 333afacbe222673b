"""Input formats. Each importer turns one kind of file into the native spec data the pipeline checks,
with positions in the original file, so every command works on every input.

An importer is one `Importer` entry below and a module with these functions:

- `recognise(data) -> bool`: whether parsed YAML/JSON data is this format's (cheap: no heavy imports);
- `convert(document, options) -> Document`: the native spec data (see `base.converted_document`),
  raising `loader.LoadError` (with `certain = True`) for a file of the format that cannot be converted;
- optionally `read(path, options) -> Document`, for a format read by path (`extensions`), such as a
  binary archive;
- optionally `recover(path, error, options) -> Document | None`, for a file the loader refuses with one
  of `loader.DUPLICATE_KEY_ERRORS` that the format reads anyway (a Hugging Face config.json with a key
  given twice: transformers keeps the last value): the parsed document, or None when not this format's.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the loader (and PyYAML) is imported when a file is read, not for --help
    from archlint.loader import Document


@dataclass(frozen=True)
class Importer:
    name: str  # the --input-format value
    title: str  # one line for --help and the docs
    module: str  # imported only when a file may be of this format
    extensions: tuple[str, ...] = ()  # file extensions that belong to this format alone: read by path

    def load_module(self):
        return importlib.import_module(self.module)


# Insertion order is the order of auto-detection: the native format first.
IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        Importer("archlint", "archlint's own YAML/JSON spec format", "archlint.sources.native"),
        Importer("keras", "Keras model configs: model.to_json() files (Keras 3, tf.keras 2) and .keras archives",
                 "archlint.sources.keras", (".keras",)),
        Importer("huggingface", "Hugging Face transformers config.json files (model_type, architectures)",
                 "archlint.sources.huggingface"),
        Importer("ultralytics", "Ultralytics model YAMLs (yolov8.yaml, yolo11.yaml: backbone/head rows)",
                 "archlint.sources.ultralytics"),
    )
}
INPUT_FORMATS = ("auto", *IMPORTERS)
# Every extension a folder search picks up: YAML and JSON, and the formats read by path.
EXTENSIONS = (".yaml", ".yml", ".json", *(ext for imp in IMPORTERS.values() for ext in imp.extensions))


@dataclass(frozen=True)
class LoadOptions:
    use_libyaml: bool = True
    input_format: str = "auto"
    settings: Mapping[str, Any] = field(default_factory=dict)  # importer options by name (e.g. "scale")


def importer_for_path(path: str) -> Importer | None:
    lowered = path.lower()
    for importer in IMPORTERS.values():
        if importer.extensions and lowered.endswith(importer.extensions):
            return importer
    return None


def _load_or_recover(path: str, options: LoadOptions, importers) -> Document:
    """The parsed file; for a file the loader refuses (a JSON key given twice), the converted document of
    an importer whose format allows it (its optional `recover(path, error, options)`), else the error."""
    from archlint.loader import DUPLICATE_KEY_ERRORS, LoadError, load_file

    try:
        return load_file(path, options.use_libyaml)
    except LoadError as error:
        if error.rule.code not in DUPLICATE_KEY_ERRORS:
            raise
        for importer in importers:
            recover = getattr(importer.load_module(), "recover", None)
            document = recover(path, error, options) if recover is not None else None
            if document is not None:
                return document
        raise


def load(path: str, options: LoadOptions = LoadOptions()) -> Document:
    """The document of `path`, converted into native spec data when it is another format's file.

    Raises OSError when the path cannot be read and loader.LoadError for what cannot be parsed. A file
    no importer recognises is returned as parsed (the pipeline then says why it is not a spec).
    """
    forced = IMPORTERS.get(options.input_format)
    by_path = importer_for_path(path)
    if forced is None and by_path is not None:
        forced = by_path
    if forced is not None:
        module = forced.load_module()
        reader = getattr(module, "read", None)
        if reader is not None:
            document = reader(path, options)
            if document is not None:
                return document
        return module.convert(_load_or_recover(path, options, (forced,)), options)
    document = _load_or_recover(path, options, IMPORTERS.values())
    for importer in IMPORTERS.values():
        module = importer.load_module()
        if module.recognise(document.data):
            return module.convert(document, options)
    return document
