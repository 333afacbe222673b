"""`archlint graph PATH`: check the file, find the layer each finding points into, draw."""

from __future__ import annotations

import bisect


def document(path: str, options):
    """The loaded document of PATH (project.Options: its input format and importer settings), for the
    positions of its layers."""
    from archlint import sources

    return sources.load(path, sources.LoadOptions(True, options.input_format, options.settings))


def _entry(data, where: tuple):
    for step in where:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _span(doc, where: tuple) -> tuple:
    """((line, column) of the entry, (line, column) of its last value): findings inside it fall between."""
    start = doc.position(where)
    end = start
    stack = [(where, _entry(doc.data, where))]
    while stack:
        path, value = stack.pop()
        steps = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in steps:
            position = doc.position(path + (key,))
            end = max(end, position)
            if isinstance(item, (dict, list)):
                stack.append((path + (key,), item))
    return start, end


def findings_by_layer(model, findings: list, path: str, options) -> dict:
    """Layer name -> the findings that point into its entry. A block's layers share their entry in the
    block's definition: a finding goes to the copies its hint names (`(in layer1.0, block ...)`)."""
    placed = [f for f in findings if f.line > 0]
    if not placed:
        return {}
    try:
        doc = document(path, options)
    except Exception:  # noqa: BLE001 - the file was read a moment ago; without positions nothing is marked
        return {}
    spans: dict[tuple, tuple] = {}
    layers_at: dict[tuple, list] = {}
    for layer in model.layers:
        where = tuple(layer.spec.where)
        if where not in spans:
            spans[where] = _span(doc, where)
        layers_at.setdefault(where, []).append(layer)
    ordered = sorted(spans, key=lambda w: spans[w][0])  # entries do not nest: the last start before is the one
    starts = [spans[where][0] for where in ordered]
    found: dict[str, list] = {}
    for finding in placed:
        position = (finding.line, finding.column)
        index = bisect.bisect_right(starts, position) - 1
        if index < 0 or spans[ordered[index]][1] < position:
            continue
        layers = layers_at[ordered[index]]
        named = [layer for layer in layers if layer.spec.origin and f"({layer.spec.origin})" in finding.hint]
        for layer in named or layers:
            found.setdefault(layer.name, []).append(finding)
    return found
