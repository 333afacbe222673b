"""Keras model configs as archlint input: `model.to_json()` files (Keras 3 and tf.keras 2) and `.keras`
archives, converted into native spec data and checked by the same pipeline.

`load` is the one entry point of the linter: it reads a path as the input format says (auto, archlint
or keras) and returns a loader.Document, converted when the file is a Keras model config.
"""

from __future__ import annotations

import os

from archlint import rules
from archlint.loader import Document, LoadError, decode, load_file, load_text

INPUT_FORMATS = ("auto", "archlint", "keras")
KERAS_EXTENSIONS = (".keras",)


class KerasConfigError(LoadError):
    """A Keras config archlint cannot read: reported whatever the file's text looks like."""

    certain = True


def is_archive_path(path: str) -> bool:
    return path.lower().endswith(KERAS_EXTENSIONS)


def load(path: str, use_libyaml: bool = True, input_format: str = "auto") -> Document:
    """The document of `path`: native as written, or converted from a Keras config.

    Raises OSError when the path cannot be read and LoadError for what cannot be parsed.
    """
    if input_format == "archlint":
        return load_file(path, use_libyaml)
    if is_archive_path(path) or input_format == "keras":
        from archlint.keras import archive  # zipfile: imported only where an archive may be read

    if is_archive_path(path) or (input_format == "keras" and archive.is_zip(path)):
        raw = archive.read_config(path)
        try:
            document = load_text(path + "!config.json", decode(raw))
        except LoadError as exc:
            raise KerasConfigError(exc.rule, f"config.json in the archive: {exc.message}", exc.line, exc.column,
                                   exc.hint) from None
        document.path = path
        return convert_document(document, "a .keras archive", forced=True)
    document = load_file(path, use_libyaml)
    return convert_document(document, "", forced=input_format == "keras")


def convert_document(document: Document, kind: str, forced: bool = False) -> Document:
    """The converted document when `document` holds a Keras model config, else `document` itself."""
    data = document.data
    if not forced and (not isinstance(data, dict) or "archlint" in data):
        return document  # a native spec (or no spec): the converter is not even imported
    from archlint.keras.convert import ConversionError, convert, is_model_config
    from archlint.keras.source import make_document

    if not is_model_config(data):
        if not forced:
            return document
        raise KerasConfigError(rules.INVALID_KERAS_CONFIG, "the file is not a Keras model config "
                               "(a mapping with `class_name` Sequential, Functional or Model and a `config`)", 1, 1,
                               hint="give a file written by model.to_json() or model.save('model.keras'), "
                               "or use --input-format archlint")
    try:
        converted = convert(data, _known)
    except ConversionError as exc:
        line, column = document.position(exc.where)
        raise KerasConfigError(rules.INVALID_KERAS_CONFIG, exc.message, line, column, exc.hint) from None
    except RecursionError:
        raise KerasConfigError(rules.INPUT_TOO_LARGE, "the Keras config nests models too deeply", 1, 1) from None
    kind = kind or ("a tf.keras 2 config" if str(data.get("keras_version", "3")).startswith(("1", "2"))
                    else "a Keras config")
    return make_document(document.path, document.text, converted, document._locator, kind)


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

    document = load(path, input_format=input_format)
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
