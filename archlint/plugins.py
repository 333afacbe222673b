"""Layer types from other packages, through the entry point group `archlint.layers`.

A plugin package declares, in its pyproject.toml,

    [project.entry-points."archlint.layers"]
    my_layers = "my_package.archlint_plugin:register"

and `register()` calls `register_layer(...)` once per layer type: its keyword defaults, its rule
(`infer(call) -> Output`, as the built-in families write them) and the JSON Schema fragment of its
keywords. Plugins are loaded only when a file names a layer type archlint does not know, so they cost
nothing otherwise; a plugin that fails to load is reported on stderr and never stops the linter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

GROUP = "archlint.layers"
_LOADED = False
problems: list[str] = []  # plugins that failed to load, as reported
IMPORTER_TYPES: set[tuple[str, str]] = set()  # (framework, name) registered by importers for converted files


def register_layer(framework: str, name: str, defaults: Mapping[str, Any], infer: Callable,
                   properties: Mapping[str, dict] | None = None, description: str = "",
                   unmodelled: tuple[str, ...] = (), importer: bool = False) -> None:
    """Teach archlint one layer type. `properties` maps each keyword to its JSON Schema (draft-07) fragment
    (a keyword without one accepts any value); keywords whose default is registry.REQUIRED are required.

    `importer=True` for a type an importer of archlint.sources registers for the files it converts (an
    Ultralytics row, a transformers module): only converted files may use it, so a native spec that
    writes `type: Concat` is still told the type is unknown, whatever files were read before it."""
    from archlint.layers import registry, schemagen
    from archlint.schema import definition_key, schema

    properties = dict(properties or {})
    unknown = sorted(set(properties) - set(defaults))
    if unknown:
        raise ValueError(f"{framework}.{name}: schema for keywords without a default: {', '.join(unknown)}")
    registry.load_all()
    layer_type = registry.register(framework, name, "plugin", defaults, infer, unmodelled, schema=properties,
                                   description=description or f"{name} (from a plugin)")
    if importer:
        IMPORTER_TYPES.add((framework, name))
    # the built-in types' definitions come from the same function (scripts/sync_schema.py)
    schema()["definitions"][definition_key(framework, name)] = schemagen.definition(layer_type, shared=False)


def load() -> bool:
    """Load every plugin once. True when this call loaded them (callers then look again)."""
    global _LOADED
    if _LOADED:
        return False
    _LOADED = True
    from importlib.metadata import entry_points

    for entry in entry_points(group=GROUP):
        try:
            hook = entry.load()
            hook()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the linter
            message = f"archlint: warning: the plugin {entry.name!r} ({entry.value}) failed to load: " \
                      f"{type(exc).__name__}: {exc}"
            problems.append(message)
            print(message, file=sys.stderr)
    return True
