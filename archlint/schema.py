"""The JSON Schema check.

The published schema dispatches on `framework` and then on each layer's `type` with if/then, which
editors understand. Validating every layer against every if/then branch costs time proportional to
layers x types, so the linter validates the top level with the layer items relaxed, then each layer
against its own type's definition only: linear in the layers, independent of the catalogue's size.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from archlint import rules

SCHEMA_FILE = "archlint.schema.json"


def schema_path() -> str:
    """The installed package's copy (made at build time by setup.py), else, in a source checkout (an
    editable install, or archlint on PYTHONPATH), the one committed file: schemas/archlint.schema.json."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, SCHEMA_FILE)
    return packaged if os.path.exists(packaged) else os.path.join(os.path.dirname(here), "schemas", SCHEMA_FILE)


@lru_cache(maxsize=1)
def schema_text() -> str:
    # a plain file read: importlib.resources would import zipfile and more on every run
    with open(schema_path(), encoding="utf-8") as handle:
        return handle.read()


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
def _top_schema() -> dict:
    """The schema with layer items relaxed to mappings and without the per-framework layer dispatch:
    layers are validated one by one. A shallow copy: the shared definitions are never modified."""
    root = schema()
    top = {key: value for key, value in root.items() if key != "allOf"}
    top["properties"] = {**root["properties"], "layers": {**root["properties"]["layers"], "items": {"type": "object"}}}
    return top


@lru_cache(maxsize=1)
def _top_validator():
    return _validator_class()(_top_schema())


@lru_cache(maxsize=1)
def _fast_top():
    from archlint.fastschema import compile_schema

    return compile_schema(_top_schema()) or (lambda value: False)


@cache
def _fast_check(key: str):
    from archlint.fastschema import compile_definition

    return compile_definition(schema()["definitions"], key) or (lambda value: False)


@cache
def _layer_validator(key: str):
    root = schema()
    return _validator_class()({"$ref": f"#/definitions/{key}", "definitions": root["definitions"]})


Sink = Callable[..., None]  # sink(rule, message, where, hint="", key=False)


def _type_words(expected) -> str:
    names = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
             "array": "a list", "object": "a mapping", "null": "null"}
    expected = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(t, t) for t in expected)


def _leaves(error, description: str = "") -> Iterator:
    """For anyOf/oneOf, the errors of the alternative the value was meant for; otherwise the error itself.

    The alternative meant is the one whose type the value has (a list for `kernel_size: [3, 3.0]`); when
    the value has none of the types, one type error names them all.
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error, description
        return
    description = error.schema.get("description", description)
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    here = list(error.absolute_path)
    typed = [errs for errs in branches.values()
             if not any(e.validator == "type" and list(e.absolute_path) == here for e in errs)]
    if len(typed) == 1:
        for sub in typed[0]:
            yield from _leaves(sub, description)
        return
    if not typed:
        types = [t for errs in branches.values() for e in errs if e.validator == "type"
                 for t in (e.validator_value if isinstance(e.validator_value, list) else [e.validator_value])]
        yield _AnyType(error, types), description
        return
    import jsonschema.exceptions

    yield from _leaves(jsonschema.exceptions.best_match(error.context), description)


@dataclass
class _AnyType:
    """A value of none of the types the alternatives of an anyOf/oneOf accept."""

    error: Any
    types: list

    validator = "type"

    @property
    def validator_value(self):
        return list(dict.fromkeys(self.types))

    @property
    def instance(self):
        return self.error.instance

    @property
    def absolute_path(self):
        return self.error.absolute_path

    @property
    def schema(self):
        return self.error.schema


def _shown(value) -> str:
    """A value as JSON for a message: a long one (a list of lists, a huge number) by its start, as the caret
    shows where it is (issue 15: the finding line stays short)."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(error, owner: str, base: tuple, description: str) -> tuple[str, str]:
    """A message and a hint for one schema error, in words a user of the layer would use."""
    where = ".".join(str(p) for p in tuple(error.absolute_path)) or owner
    value, kind = error.instance, error.validator
    hint = error.schema.get("description", description) if isinstance(error.schema, dict) else description
    if kind == "type":
        return f"`{where}` must be {_type_words(error.validator_value)}, got {_shown(value)}", hint
    if kind == "enum":
        allowed = [v for v in error.validator_value if v is not None]
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        folded = [v for v in allowed if isinstance(value, str) and isinstance(v, str) and v.lower() == value.lower()]
        close = folded or difflib.get_close_matches(str(value), [str(v) for v in allowed], n=1)
        if len(error.validator_value) > 6:  # a vocabulary (activations): the message stays short
            description = error.schema.get("description", "").split(",")[0].rstrip(".") or "a known value"
            return (f"`{where}` must be {description[0].lower() + description[1:]}, got {_shown(value)}",
                    f"did you mean {json.dumps(close[0])}?" if close else f"one of {options}")
        return (f"`{where}` must be one of {options}, got {_shown(value)}",
                f"did you mean {json.dumps(close[0])}?" if close else "")
    if kind == "const":
        return f"`{where}` must be {json.dumps(error.validator_value)}, got {_shown(value)}", hint
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[kind]
        return f"`{where}` must be {sign} {error.validator_value}, got {_shown(value)}", hint
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        items = "item" if error.validator_value == 1 else "items"
        return f"`{where}` must have {bound} {error.validator_value} {items}, got {len(value)}", hint
    if kind == "minLength":
        return f"`{where}` must not be empty", hint
    if kind == "pattern":
        return f"`{where}` has an invalid form: {_shown(value)}", hint
    return f"`{where}`: {error.message}", hint


def _owner_words(owner: str, path: tuple) -> str:
    """Who owns a mapping at `path` inside `owner`: `Conv2D`, `expect` of Conv2D, `budget`."""
    if not path:
        return owner
    inner = f"`{'.'.join(str(p) for p in path)}`"
    return inner if owner == "the spec" else f"{inner} of {owner}"


# Keras 2 spellings of an input shape, on the model or on its first layer: the spec writes `input:`
_KERAS2_INPUT_KEYS = ("input_shape", "batch_input_shape", "input_dim")


def _report_errors(validator, data: Any, base: tuple, owner: str, sink: Sink, at_fault: set | None = None) -> int:
    """Report every schema finding of `data`; the count. `at_fault`, when given, receives the top-level keys
    the findings are about (None in it: a finding not tied to one key), so the walk can go on without them.

    A missing required key and an unknown key that is its misspelling are one finding, at the misspelling.
    """
    leaves = [leaf for error in validator.iter_errors(data) for leaf in _leaves(error)]
    missing: dict[tuple, list[str]] = {}
    for leaf, _ in leaves:
        if leaf.validator == "required":
            missing.setdefault(tuple(leaf.absolute_path), []).extend(
                k for k in leaf.validator_value if k not in leaf.instance)
    misspelt: dict[tuple, str] = {}  # (path, required key) -> the unknown key written for it
    for leaf, _ in leaves:
        path = tuple(leaf.absolute_path)
        if leaf.validator == "additionalProperties" and missing.get(path):
            allowed = set(leaf.schema.get("properties", {}))
            for key in sorted(set(leaf.instance) - allowed, key=str):
                close = difflib.get_close_matches(str(key), missing[path], n=1)
                if close and (path, close[0]) not in misspelt:
                    misspelt[(path, close[0])] = key

    def fault(path: tuple) -> None:
        if at_fault is not None:
            at_fault.add(path[0] if path else None)

    count = 0
    for leaf, description in leaves:
        path = tuple(leaf.absolute_path)
        if leaf.validator == "additionalProperties":
            allowed = sorted(leaf.schema.get("properties", {}))
            layer_keyword = base[-2:-1] == ("layers",) and not path
            for key in sorted(set(leaf.instance) - set(allowed), key=str):
                meant = next((m for (p, m), k in misspelt.items() if p == path and k == key), None)
                close = [meant] if meant else difflib.get_close_matches(str(key), allowed, n=1)
                where = _owner_words(owner, path)
                hint = f"did you mean `{close[0]}`?" if close else f"{where} takes: {', '.join(allowed)}"
                if key in _KERAS2_INPUT_KEYS and not meant:  # the Keras 2 habit: the shape on the model or layer
                    hint = ("the model's input shape is the spec's `input:` (without the batch axis), e.g. "
                            f"`input: {json.dumps(leaf.instance[key])}`")
                if layer_keyword:
                    rule, message = rules.UNKNOWN_KEYWORD, f"`{key}` is not an argument of {owner}"
                else:
                    rule, message = rules.SCHEMA_VIOLATION, f"`{key}` is not a key of {where}"
                if meant:
                    message += f", which requires `{meant}`"
                    fault(path + (meant,))
                elif path:
                    fault(path)
                sink(rule, message, base + path + (key,), hint, key=True)
                count += 1
        elif leaf.validator == "required":
            # jsonschema reports each missing key with the full list: name the one it is about
            for key in leaf.validator_value:
                if key not in leaf.instance and (path, key) not in misspelt:
                    where = _owner_words(owner, path)
                    sink(rules.SCHEMA_VIOLATION, f"{where} requires `{key}`", base + path,
                         f"add `{key}:` to {where}")
                    fault(path + (key,))
                    count += 1
        else:
            message, hint = _describe(leaf, owner, base, description)
            sink(rules.SCHEMA_VIOLATION, message, base + path, hint)
            fault(path)
            count += 1
    return count


def validate(data: dict, sink: Sink, importer_types: bool = False) -> tuple[bool, dict[int, frozenset]]:
    """Report schema findings. Returns (top level valid, {index of a layer that failed: its keys at fault}).
    `importer_types`: the layers may use the types importers register (validate_layer)."""
    top_ok = validate_top(data, sink)
    bad_layers: dict[int, frozenset] = {}
    layers = data.get("layers")
    if not isinstance(layers, list):
        return top_ok, bad_layers
    from archlint import vocab

    framework = data.get("framework", vocab.DEFAULT_FRAMEWORK)
    if not isinstance(framework, str) or framework not in vocab.FRAMEWORKS:
        return top_ok, {index: frozenset([None]) for index in range(len(layers))}
    for index, layer in enumerate(layers):
        at_fault: set = set()
        if not validate_layer(framework, layer, ("layers", index), sink, at_fault, importer_types):
            bad_layers[index] = frozenset(at_fault or [None])
    return top_ok, bad_layers


def validate_top(data: dict, sink: Sink) -> bool:
    """Report the findings of the top level only (layers relaxed to mappings); True if valid.

    A valid spec never loads jsonschema: the compiled yes-check answers first, and jsonschema (whose
    import costs about as much as the rest of a small check) is asked only to find and word errors.
    """
    if _fast_top()(data):
        return True
    return _report_errors(_top_validator(), data, (), "the spec", sink) == 0


def _importer_type(framework: str, layer_type: str) -> bool:
    from archlint import plugins

    return (framework, layer_type) in plugins.IMPORTER_TYPES


def validate_layer(framework: str, layer, where: tuple, sink: Sink, at_fault: set | None = None,
                   importer_types: bool = False) -> bool:
    """Report the findings of one typed layer entry at `where` (its path in the document); True if valid.

    Layers expanded from blocks are checked here too, with `where` inside the block's definition.
    `at_fault` receives the keywords the findings are about (None: the layer as a whole).
    `importer_types`: the layer may use the types importers register (plugins.register_layer(importer=True)),
    true only for a file an importer converted; a native spec naming one is told the type is unknown (S003).
    """
    if at_fault is None:
        at_fault = set()
    if not isinstance(layer, dict):
        at_fault.add(None)
        return False
    layer_type = layer.get("type")
    if not isinstance(layer_type, str):
        if "type" not in layer:
            sink(rules.SCHEMA_VIOLATION, "the layer has no `type`", where,
                 f"add `type:` with a {_FRAMEWORK_WORDS[framework]} class name, e.g. `type: "
                 f"{'Dense' if framework == 'keras' else 'Linear'}`")
        else:
            sink(rules.SCHEMA_VIOLATION, f"`type` must be a string, got {_shown(layer_type)}",
                 where + ("type",), "write the layer's class name, e.g. `type: Conv2D`")
        return False
    key = definition_key(framework, layer_type)
    if key not in schema()["definitions"]:
        from archlint import plugins  # a layer type a plugin teaches (entry point group archlint.layers)

        plugins.load()
    if key not in schema()["definitions"] or (not importer_types and _importer_type(framework, layer_type)):
        _unknown_type(framework, layer_type, where + ("type",), sink)
        at_fault.add(None)
        return False
    if _fast_check(key)(layer):
        return True  # certainly valid; jsonschema is asked only about layers that may not be
    return _report_errors(_layer_validator(key), layer, where, layer_type, sink, at_fault) == 0


def validate_definition(key: str, data, where: tuple, owner: str, sink: Sink) -> bool:
    """Report the findings of `data` against one schema definition (block uses, applies); True if valid."""
    if _fast_check(key)(data):
        return True
    return _report_errors(_layer_validator(key), data, tuple(where), owner, sink) == 0


_FRAMEWORK_WORDS = {"keras": "Keras", "pytorch": "PyTorch"}


def _unknown_type(framework: str, layer_type: str, where: tuple, sink: Sink) -> None:
    other = "pytorch" if framework == "keras" else "keras"
    known = layer_types(framework)
    close = difflib.get_close_matches(layer_type, known, n=1, cutoff=0.6)
    lowered = {t.lower(): t for t in known}
    if layer_type.lower() in lowered:
        close = [lowered[layer_type.lower()]]
    if definition_key(other, layer_type) in schema()["definitions"]:
        message = f"{layer_type} is a {_FRAMEWORK_WORDS[other]} layer, but this spec's framework is {framework}"
        instead = f"use the {_FRAMEWORK_WORDS[framework]} class {close[0]!r}, or " if close else ""
        hint = f"{instead}set `framework: {other}` if the whole spec is written for {_FRAMEWORK_WORDS[other]}"
    else:
        message = f"unknown {_FRAMEWORK_WORDS[framework]} layer type {layer_type!r}"
        hint = f"did you mean {close[0]!r}?" if close else "run `archlint schema` to see the known layer types"
    sink(rules.UNKNOWN_LAYER_TYPE, message, where, hint)
