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
# The serialized form Keras 3.15 writes for each initializer a layer takes by default (by its name):
# keras.initializers.serialize(keras.initializers.get(name)). Older versions write fewer config keys.
_INITIALIZERS = {
    "zeros": ("Zeros", {}), "ones": ("Ones", {}),
    "glorot_uniform": ("GlorotUniform", {"seed": None, "input_axes": None, "output_axes": None}),
    "orthogonal": ("Orthogonal", {"seed": None, "gain": 1.0}),
    "uniform": ("RandomUniform", {"seed": None, "minval": -0.05, "maxval": 0.05}),
}


def to_yaml(path: str, input_format: str = "keras", keep_defaults: bool = False) -> str:
    """The native archlint YAML of a Keras config (`archlint convert`), in YAML 1.2 (archlint.yaml12).

    Unless `keep_defaults`, keywords equal to the layer's default are left out, as are the values
    Keras writes for a default (a serialized default initializer, the float32 dtype policy, `linear`
    for no activation, `channels_last` for the default data format), so the file reads like a
    hand-written spec; linting it gives the same names, shapes and counts as the original either way."""
    from archlint import yaml12
    from archlint.layers.registry import lookup
    from archlint.sources import LoadOptions, load

    document = load(path, LoadOptions(input_format=input_format))
    data = document.data
    layers = []
    for entry in data["layers"]:
        layer_type = lookup("keras", entry.get("type", "")) if "type" in entry else None
        defaults = layer_type.defaults if layer_type else {}
        layers.append(entry if keep_defaults else
                      {key: value for key, value in entry.items() if not _is_default(key, value, defaults)})
    header = f"# converted from {os.path.basename(path)} by archlint convert\n"
    body = dict(data, layers=layers)
    return header + yaml12.dump(body)


def _is_default(key: str, value, defaults: dict) -> bool:
    if key == "dtype":
        return value in ("float32", _FLOAT32_POLICY)
    if key not in defaults:
        return False
    default = defaults[key]
    if _same(default, value):
        return True
    if default is None:  # what Keras writes for "none given"
        return (key.endswith("activation") and value == "linear") or (key == "data_format" and
                                                                      value == "channels_last")
    return isinstance(default, str) and _serialized(value, default)


def _serialized(value, name: str) -> bool:
    """Whether `value` is Keras's serialized form of the default initializer `name` (Keras 3 and tf.keras 2)."""
    known = _INITIALIZERS.get(name) or _INITIALIZERS.get(name.lower())
    if known is None or not isinstance(value, dict) or value.get("registered_name") is not None:
        return False
    class_name, config = known
    given = value.get("config", {})
    return (value.get("class_name") == class_name and isinstance(given, dict)
            and all(key in config and _same(config[key], item) for key, item in given.items()))


def _same(default, value) -> bool:
    if isinstance(value, list) and not isinstance(default, list):
        return all(v == default for v in value)  # strides [1, 1] is the default 1
    return default == value and type(default) is type(value)
