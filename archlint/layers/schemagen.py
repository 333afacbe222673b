"""A layer type's JSON Schema definition, built from its registration: the keywords and defaults the
family module registers, and each keyword's schema (the type's own `schema=`, else
layers/schema_keywords.py). `scripts/sync_schema.py` writes every built-in type's definition into
`schemas/archlint.schema.json`; plugins get theirs the same way when they register."""

from __future__ import annotations

import json
import math

from archlint.layers.registry import REQUIRED, LayerType

# The keys of a layer entry that belong to archlint (spec.RESERVED_LAYER_KEYS), as every definition has them
RESERVED = {
    "name": {"$ref": "#/definitions/layer_name"},
    "inputs": {"$ref": "#/definitions/layer_inputs"},
    "expect": {"$ref": "#/definitions/expect"},
    "trainable": {"$ref": "#/definitions/layer_trainable"},
}


class MissingSchema(ValueError):
    """A built-in keyword without a schema: declare it (schema= at its registration, or schema_keywords)."""


def _json_default(value):
    """The default as JSON (tuples as lists), or None when JSON cannot state it (an infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    plain = json.loads(json.dumps(value, default=list))
    return (plain,)


def keyword_schema(layer_type: LayerType, keyword: str, shared: bool = True) -> dict | None:
    if keyword in layer_type.schema:
        return dict(layer_type.schema[keyword])
    if not shared:
        return None
    from archlint.layers import schema_keywords

    key = (layer_type.framework, layer_type.name)
    found = schema_keywords.LAYERS.get(key, {}).get(keyword) or \
        schema_keywords.KEYWORDS.get(layer_type.framework, {}).get(keyword)
    return dict(found) if found is not None else None


def definition(layer_type: LayerType, shared: bool = True) -> dict:
    """The definition of one layer type: `shared` takes keyword schemas from layers/schema_keywords.py
    (built-in types; a keyword with none is an error), else a keyword without its own accepts any value
    (plugins)."""
    from archlint.layers import schema_keywords

    key = (layer_type.framework, layer_type.name)
    properties = {"type": {"const": layer_type.name}, **RESERVED}
    for keyword, default in layer_type.defaults.items():
        fragment = keyword_schema(layer_type, keyword, shared)
        if fragment is None:
            if shared:
                raise MissingSchema(f"{layer_type.framework}.{layer_type.name}: keyword `{keyword}` has no schema")
            fragment = {}
        if default is not REQUIRED:
            stated = _json_default(default)
            if stated is not None:
                fragment["default"] = stated[0]
        properties[keyword] = fragment
    body = {"type": "object"}
    description = layer_type.description or (schema_keywords.DESCRIPTIONS.get(key, "") if shared else "")
    if description:
        body["description"] = description
    body["required"] = ["type"] + [k for k, v in layer_type.defaults.items() if v is REQUIRED]
    body["additionalProperties"] = shared and key in schema_keywords.ANY_KEYWORD
    body["properties"] = properties
    return body


def builtin(registry: dict) -> dict:
    """The registry's built-in types (those of archlint/layers/), not the ones a plugin or an importer
    registered in this process."""
    return {key: layer_type for key, layer_type in registry.items()
            if getattr(getattr(layer_type.infer, "func", layer_type.infer), "__module__", "").startswith(
                "archlint.layers.")}
