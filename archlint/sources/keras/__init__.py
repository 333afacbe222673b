"""Keras model configs as archlint input: `model.to_json()` files (Keras 3 and tf.keras 2) and `.keras`
archives, converted into native spec data and checked by the same pipeline.

The importer of `archlint.sources` for Keras: `recognise`, `convert`, and `read` for `.keras` archives.
"""

from __future__ import annotations

import os

from archlint import rules
from archlint.loader import Document, LoadError, decode, load_text

class KerasConfigError(LoadError):
    """A Keras config archlint cannot read: reported whatever the file's text looks like."""

    certain = True


def recognise(data) -> bool:
    """A Keras model config (checked cheaply; the converter is imported only for one)."""
    return (isinstance(data, dict) and "archlint" not in data and data.get("class_name") in _MODEL_CLASSES
            and isinstance(data.get("config"), dict))


_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def read(path: str, options) -> Document | None:
    """A `.keras` archive's config.json, converted; None for a file that is not a zip archive."""
    from archlint.sources.keras import archive  # zipfile: imported only where an archive may be read

    if not (path.lower().endswith(".keras") or archive.is_zip(path)):
        return None
    raw = archive.read_config(path)
    try:
        document = load_text(path + "!config.json", decode(raw))
    except LoadError as exc:
        raise KerasConfigError(exc.rule, f"config.json in the archive: {exc.message}", exc.line, exc.column,
                               exc.hint) from None
    document.path = path
    return _convert(document, "a .keras archive")


def convert(document: Document, options=None) -> Document:
    """The converted document of a Keras model config (`document` as parsed from JSON)."""
    return _convert(document, "")


def _convert(document: Document, kind: str) -> Document:
    from archlint.sources.keras.converter import ConversionError, is_model_config
    from archlint.sources.keras.converter import convert as convert_config
    from archlint.sources.keras.source import make_document

    data = document.data
    if not is_model_config(data):
        raise KerasConfigError(rules.INVALID_KERAS_CONFIG, "the file is not a Keras model config "
                               "(a mapping with `class_name` Sequential, Functional or Model and a `config`)", 1, 1,
                               hint="give a file written by model.to_json() or model.save('model.keras'), "
                               "or use --input-format archlint")
    try:
        converted = convert_config(data, _known)
    except ConversionError as exc:
        line, column = document.position(exc.where)
        raise KerasConfigError(rules.INVALID_KERAS_CONFIG, exc.message, line, column, exc.hint) from None
    except RecursionError:
        raise KerasConfigError(rules.INPUT_TOO_LARGE, "the Keras config nests models too deeply", 1, 1) from None
    kind = kind or ("a tf.keras 2 config" if str(data.get("keras_version", "3")).startswith(("1", "2"))
                    else "a Keras config")
    return make_document(document, converted, kind)


def _known(class_name: str) -> bool:
    from archlint.layers.registry import lookup

    return lookup("keras", class_name) is not None


# Keyword values that say nothing a reader needs: the float32 dtype policy Keras writes on every layer.
_FLOAT32_POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                   "registered_name": None}


def to_yaml(path: str, input_format: str = "keras") -> str:
    """The native archlint YAML of a Keras config (`archlint convert`). Keywords equal to the layer's
    default and the default float32 dtype are left out, so the file reads like a hand-written spec;
    linting it gives the same shapes and counts as the original."""
    import yaml

    from archlint.layers.registry import lookup

    from archlint.sources import LoadOptions, load

    document = load(path, LoadOptions(input_format=input_format))
    data = document.data
    layers = []
    for entry in data["layers"]:
        layer_type = lookup("keras", entry.get("type", "")) if "type" in entry else None
        defaults = layer_type.defaults if layer_type else {}
        layers.append({key: value for key, value in entry.items()
                       if not (key in defaults and _same(defaults[key], value))
                       and not (key == "dtype" and value in ("float32", _FLOAT32_POLICY))})
    header = f"# converted from {os.path.basename(path)} by archlint convert\n"
    body = dict(data, layers=layers)
    return header + yaml.safe_dump(body, sort_keys=False, default_flow_style=None, width=110)


def _same(default, value) -> bool:
    if isinstance(value, list) and not isinstance(default, list):
        return all(v == default for v in value)  # strides [1, 1] is the default 1
    return default == value and type(default) is type(value)
