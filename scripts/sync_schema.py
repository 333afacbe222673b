#!/usr/bin/env python3
"""Refresh the mechanical parts of the schema after editing a layer definition by hand.

The layer definitions (`definitions["keras.Conv2D"]`, ...) are written by hand. This script rebuilds
what follows from them, the per-framework dispatch (`keras_layer`, `pytorch_layer`: the enum of types
and one if/then per type), and what follows from archlint's vocabularies (`archlint/vocab.py`: the
frameworks, dtypes, optimizers, budget keys and the count and byte-size patterns), and copies the
schema into the package. `--check` only reports drift (the tests run it that way).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "schemas" / "archlint.schema.json"
PACKAGED = ROOT / "archlint" / "archlint.schema.json"


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
    sys.path.insert(0, str(ROOT))
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


def synced(schema: dict) -> str:
    vocabularies(schema)
    definitions = schema["definitions"]
    for framework in ("keras", "pytorch"):
        definitions[f"{framework}_layer"] = dispatch(definitions, framework)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    current = PUBLISHED.read_text(encoding="utf-8")
    wanted = synced(json.loads(current))
    if "--check" in argv:
        problems = []
        if current != wanted:
            problems.append(f"{PUBLISHED.relative_to(ROOT)} needs `python scripts/sync_schema.py`")
        if not PACKAGED.exists() or PACKAGED.read_text(encoding="utf-8") != current:
            problems.append(f"{PACKAGED.relative_to(ROOT)} differs from {PUBLISHED.relative_to(ROOT)}")
        print("\n".join(problems) or "schema in sync")
        return 1 if problems else 0
    PUBLISHED.write_text(wanted, encoding="utf-8")
    PACKAGED.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
