#!/usr/bin/env python3
"""Write `schemas/archlint.schema.json`: the layer definitions generated from the layer registry.

Each built-in layer type's definition (`definitions["keras.Conv2D"]`, ...) is built by
`archlint/layers/schemagen.py` from its registration (keywords and defaults, in its family module)
and its keywords' schemas (`archlint/layers/schema_keywords.py`, or the type's own `schema=`); the
per-framework dispatch (`keras_layer`, `pytorch_layer`: the enum of types and one if/then per type)
and the parts that come from archlint's vocabularies (`archlint/vocab.py`: frameworks, dtypes,
optimizers, budget keys, the count and byte-size patterns) are rebuilt too. The rest of the file (the
top level, shapes, blocks, `expect`) is written by hand in it. The package gets this one file at build
time (setup.py); `--check` only reports drift (the tests run it that way).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "schemas" / "archlint.schema.json"


def dispatch(definitions: dict, framework: str) -> dict:
    names = sorted(key.split(".", 1)[1] for key in definitions if key.startswith(framework + "."))
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": names}},
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}}, "then": {"$ref": f"#/definitions/{framework}.{name}"}}
            for name in names
        ],
    }


def vocabularies(schema: dict) -> None:
    """The enums and budget keys of the top level, from archlint.vocab."""
    from archlint import vocab

    properties, definitions = schema["properties"], schema["definitions"]
    properties["framework"] = {
        "enum": list(vocab.FRAMEWORKS), "default": vocab.DEFAULT_FRAMEWORK,
        "description": " ".join(f"{name}: {text}" for name, text in vocab.FRAMEWORKS.items())}
    properties["dtype"]["enum"] = list(vocab.DTYPE_BYTES)
    properties["dtype"]["default"] = vocab.DEFAULT_DTYPE
    properties["optimizer"]["enum"] = list(vocab.OPTIMIZER_STATES)
    properties["optimizer"]["default"] = vocab.DEFAULT_OPTIMIZER
    states = ", ".join(f"{name} {count}" for name, count in vocab.OPTIMIZER_STATES.items())
    properties["optimizer"]["description"] = ("The optimizer of the training memory estimate: the values it keeps "
                                              f"per trainable weight ({states}).")
    properties["budget"]["properties"] = {
        key.name: {**vocab.UNITS[key.units].schema, "description": key.help} for key in vocab.BUDGET_KEYS.values()}
    definitions.update(vocab.UNIT_DEFINITIONS)


def layers(schema: dict) -> None:
    """Every built-in layer type's definition, from the registry; the hand-written definitions kept."""
    from archlint.layers import registry, schemagen

    registry.load_all()
    frameworks = tuple(registry.FRAMEWORKS)
    kept = {key: value for key, value in schema["definitions"].items()
            if key.split(".", 1)[0] not in frameworks or "." not in key}
    generated = {f"{fw}.{name}": schemagen.definition(layer_type)
                 for (fw, name), layer_type in sorted(schemagen.builtin(registry.REGISTRY).items())}
    schema["definitions"] = {**kept, **generated}
    for framework in frameworks:
        schema["definitions"][f"{framework}_layer"] = dispatch(generated, framework)


def synced(schema: dict) -> str:
    sys.path.insert(0, str(ROOT))
    vocabularies(schema)
    layers(schema)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    current = PUBLISHED.read_text(encoding="utf-8")
    wanted = synced(json.loads(current))
    if "--check" in argv:
        ok = current == wanted
        print("schema in sync" if ok else f"{PUBLISHED.relative_to(ROOT)} needs `python scripts/sync_schema.py`")
        return 0 if ok else 1
    PUBLISHED.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
