"""The JSON Schema check.

The published schema dispatches on `framework` and then on each layer's `type` with if/then, which
editors understand. Validating every layer against every if/then branch costs time proportional to
layers x types, so the linter validates the top level with the layer items relaxed, then each layer
against its own type's definition only: linear in the layers, independent of the catalogue's size.
"""

from __future__ import annotations

import copy
import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Iterator

from archlint import rules

SCHEMA_FILE = "archlint.schema.json"


@lru_cache(maxsize=1)
def schema_text() -> str:
    return resources.files("archlint").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_text())


def definition_key(framework: str, layer_type: str) -> str:
    return f"{framework}.{layer_type}"


def layer_types(framework: str) -> list[str]:
    prefix = framework + "."
    return sorted(key[len(prefix):] for key in schema()["definitions"] if key.startswith(prefix))


@lru_cache(maxsize=1)
def _validator_class():
    import jsonschema

    # YAML 1.2 reads `3.0` as a float: accepting it where an int is required (as jsonschema does by
    # default) would hide a float kernel size from the schema and confuse the layer rules.
    checker = jsonschema.Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return jsonschema.validators.extend(jsonschema.Draft7Validator, type_checker=checker)


@lru_cache(maxsize=1)
def _top_validator():
    top = copy.deepcopy(schema())
    top.pop("allOf", None)  # the per-framework layer dispatch: layers are validated one by one
    top["properties"]["layers"]["items"] = {"type": "object"}
    return _validator_class()(top)


@lru_cache(maxsize=None)
def _layer_validator(key: str):
    root = schema()
    return _validator_class()({"$ref": f"#/definitions/{key}", "definitions": root["definitions"]})


Sink = Callable[..., None]  # sink(rule, message, where, hint="", key=False)


def _type_words(expected) -> str:
    names = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
             "array": "a list", "object": "a mapping", "null": "null"}
    expected = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(t, t) for t in expected)


def _leaves(error) -> Iterator:
    """For anyOf/oneOf, the most specific failing alternative; otherwise the error itself."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        import jsonschema.exceptions

        yield from _leaves(jsonschema.exceptions.best_match(error.context))
    else:
        yield error


def _describe(error, owner: str) -> tuple[str, str]:
    """A message and a hint for one schema error, in words a user of the layer would use."""
    where = ".".join(str(p) for p in error.path) or owner
    value, kind = error.instance, error.validator
    if kind == "type":
        return f"`{where}` must be {_type_words(error.validator_value)}, got {json.dumps(value)}", ""
    if kind == "enum":
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        close = difflib.get_close_matches(str(value), [str(v) for v in error.validator_value], n=1)
        return (f"`{where}` must be one of {options}, got {json.dumps(value)}",
                f"did you mean {json.dumps(close[0])}?" if close else "")
    if kind == "const":
        return f"`{where}` must be {json.dumps(error.validator_value)}, got {json.dumps(value)}", ""
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        return f"{owner} requires `{missing[0]}`", f"add `{missing[0]}:` to {owner}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[kind]
        return f"`{where}` must be {sign} {error.validator_value}, got {json.dumps(value)}", ""
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        return f"`{where}` must have {bound} {error.validator_value} items, got {len(value)}", ""
    if kind == "pattern":
        return f"`{where}` has an invalid form: {json.dumps(value)}", error.schema.get("description", "")
    return f"`{where}`: {error.message}", ""


def _report_errors(validator, data: Any, base: tuple, owner: str, sink: Sink) -> int:
    count = 0
    for error in validator.iter_errors(data):
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(allowed), key=str):
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean `{close[0]}`?" if close else f"{owner} takes: {', '.join(allowed)}"
                rule = rules.UNKNOWN_KEYWORD if base[:1] == ("layers",) and len(error.path) == 0 else \
                    rules.SCHEMA_VIOLATION
                sink(rule, f"`{key}` is not an argument of {owner}", base + tuple(error.path) + (key,), hint,
                     key=True)
                count += 1
            continue
        for leaf in _leaves(error):
            message, hint = _describe(leaf, owner)
            sink(rules.SCHEMA_VIOLATION, message, base + tuple(leaf.path), hint)
            count += 1
    return count


def validate(data: dict, sink: Sink) -> tuple[bool, set[int]]:
    """Report schema findings. Returns (top level valid, indices of layers that failed)."""
    top_ok = _report_errors(_top_validator(), data, (), "the spec", sink) == 0
    bad_layers: set[int] = set()
    layers = data.get("layers")
    if not isinstance(layers, list):
        return top_ok, bad_layers
    framework = data.get("framework", "keras")
    if framework not in ("keras", "pytorch"):
        return top_ok, set(range(len(layers)))
    definitions = schema()["definitions"]
    for index, layer in enumerate(layers):
        if not isinstance(layer, dict):
            bad_layers.add(index)
            continue
        layer_type = layer.get("type")
        if not isinstance(layer_type, str):
            bad_layers.add(index)
            continue  # reported by the top-level check
        key = definition_key(framework, layer_type)
        if key not in definitions:
            bad_layers.add(index)
            _unknown_type(framework, layer_type, ("layers", index, "type"), sink)
            continue
        if _report_errors(_layer_validator(key), layer, ("layers", index), layer_type, sink):
            bad_layers.add(index)
    return top_ok, bad_layers


def _unknown_type(framework: str, layer_type: str, where: tuple, sink: Sink) -> None:
    other = "pytorch" if framework == "keras" else "keras"
    known = layer_types(framework)
    close = difflib.get_close_matches(layer_type, known, n=1, cutoff=0.6)
    lowered = {t.lower(): t for t in known}
    if layer_type.lower() in lowered:
        close = [lowered[layer_type.lower()]]
    if definition_key(other, layer_type) in schema()["definitions"]:
        message = f"{layer_type} is a {'PyTorch' if other == 'pytorch' else 'Keras'} layer, but this spec's " \
                  f"framework is {framework}"
    else:
        message = f"unknown {'Keras' if framework == 'keras' else 'PyTorch'} layer type {layer_type!r}"
    hint = f"did you mean {close[0]!r}?" if close else "run `archlint schema` to see the known layer types"
    sink(rules.UNKNOWN_LAYER_TYPE, message, where, hint)
