"""The formats of `archlint diff`: `full` for terminals, `json`, and `markdown` for pull-request comments."""

from __future__ import annotations

import json

from archlint.diff import ADDED, CHANGED, FIGURES, REMOVED, UNCHANGED, Diff, change, percent
from archlint.shapes import format_shape

_MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~", UNCHANGED: " "}
_SI = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def shape_text(shape) -> str:
    return "?" if shape is None else format_shape(shape)


def value_text(value, kind: str = "count") -> str:
    if value is None:
        return "?"
    if kind == "field":
        return "x".join(str(v) for v in value)
    return f"{value:,}"


def change_text(old, new, kind: str = "count") -> str:
    absolute, relative = change(old, new)
    if absolute is None:
        return "?"
    if kind == "field":
        return "0" if not any(absolute) else "x".join(f"{d:+}" for d in absolute)
    if absolute == 0:
        return "0"
    return f"{absolute:+,}" + ("" if relative is None else f" ({percent(relative)})")


def _keyword(value) -> str:
    return "(not set)" if value is None else json.dumps(value, default=str)


def _one(what: str, old, new) -> str:
    if what == "name":
        return f"renamed from {old}"
    if what == "type":
        return f"type {old} -> {new}"
    if what == "inputs":
        return f"inputs [{', '.join(old)}] -> [{', '.join(new)}]"
    if what == "output_shape":
        return f"output {shape_text(old)} -> {shape_text(new)}"
    if what in ("params", "macs"):
        label = "params" if what == "params" else "MACs"
        return f"{label} {value_text(old)} -> {value_text(new)} ({change_text(old, new).split(' (')[0]})"
    return f"{what.split(' ', 1)[1]} {_keyword(old)} -> {_keyword(new)}"  # "keyword <name>"


def _input(name: str, old, new) -> str:
    if old is None:
        return f"{name} added {shape_text(new)}"
    if new is None:
        return f"{name} removed {shape_text(old)}"
    return f"{name} {shape_text(old)} -> {shape_text(new)}"


def _figures(layer) -> str:
    output = layer.output
    if output is None:
        return "not computed"
    return f"output {shape_text(output.shape)}, params {output.params:,}, MACs {value_text(output.macs)}"


def _counts(diff: Diff) -> str:
    return ", ".join(f"{diff.count(status)} {status}" for status in (ADDED, REMOVED, CHANGED, UNCHANGED))


def _scaled(value: float, reference: int, signed: bool) -> tuple[str, str]:
    """(number, SI prefix) in the unit of `reference`: +0.3 and G for a change of 0.3 G in a 4.1 G model."""
    for scale, prefix in _SI:
        if abs(reference) >= scale:
            shown = value / scale
            digits = ".1f" if abs(shown) >= 0.05 or value == 0 else ".2g"
            return format(shown, ("+" if signed else "") + digits), prefix
    return format(value, "+," if signed else ","), ""


def headline(diff: Diff) -> str:
    """`+1.2 M params (+4.8%), +0.3 GMACs (+7.3%)`: the change of the two figures people quote."""
    parts = []
    for key, unit in (("total_params", "params"), ("macs", "MACs")):
        old, new = diff.totals[key]
        if old is None or new is None:
            parts.append(f"{unit} unknown")
            continue
        number, prefix = _scaled(new - old if old != new else new, max(old, new), old != new)
        # "1.2 M params" but "0.3 GMACs", as people write them
        text = f"{number} {prefix} {unit}" if prefix and unit == "params" else f"{number} {prefix}{unit}"
        parts.append(f"{text} (unchanged)" if old == new else
                     text + ("" if old == 0 else f" ({percent((new - old) / old)})"))
    return ", ".join(parts)


# ---------------------------------------------------------------- full


def format_full(diff: Diff, all_layers: bool = False) -> str:
    from archlint.formats.text import printable

    out = [f"archlint diff: {diff.old_path} -> {diff.new_path}", headline(diff), ""]
    rows = [("", "old", "new", "change")]
    for key, (label, kind) in FIGURES.items():
        old, new = diff.totals[key]
        rows.append((label, value_text(old, kind), value_text(new, kind), change_text(old, new, kind)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        out.append(f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip())
    if not diff.complete:
        out.append("  (lower bounds: some layers could not be computed)")
    if diff.inputs:
        out += ["", "Inputs: " + "; ".join(printable(_input(*item)) for item in diff.inputs)]
    out += ["", f"Layers: {_counts(diff)}"]
    for item in diff.layers:
        if item.status == UNCHANGED and not all_layers:
            continue
        layer = item.layer
        title = printable(f"{layer.name} ({layer.spec.type})")
        detail = "; ".join(printable(_one(*c)) for c in item.changes) if item.status == CHANGED else _figures(layer)
        out.append(f"  {_MARKS[item.status]} {title}" + (f": {detail}" if detail and item.status != UNCHANGED else ""))
    out += _findings_text(diff)
    return "\n".join(out)


def _findings_text(diff: Diff) -> list[str]:
    from archlint.report import finding_line

    out = []
    if diff.new_findings:
        out += ["", f"New findings in {diff.new_path} ({len(diff.new_findings)}):"]
        out += [f"  {finding_line(f)}" for f in diff.new_findings]
    if diff.fixed_findings:
        out += ["", f"Findings of {diff.old_path} gone in {diff.new_path}: {len(diff.fixed_findings)}"]
    for gate in diff.unchecked_gates:
        out += ["", f"not checked: {gate.name}={gate.text} (the figure is unknown: some layers could not be computed)"]
    if diff.gate_findings:
        out += [""] + [finding_line(f) + (f"\n  hint: {f.hint}" if f.hint else "") for f in diff.gate_findings]
    return out


# ---------------------------------------------------------------- json


def _shape_json(shape):
    if isinstance(shape, list):
        return [_shape_json(s) for s in shape]
    return None if shape is None else list(shape)


def _jsonable(what: str, value):
    return _shape_json(value) if what == "output_shape" else value


def _layer_json(layer) -> dict | None:
    if layer is None:
        return None
    output = layer.output
    return {"name": layer.name, "type": layer.spec.type, "inputs": list(layer.inputs),
            "output_shape": _shape_json(output.shape) if output else None,
            "params": layer.params if output else None, "macs": output.macs if output else None}


def format_json(diff: Diff) -> str:
    figures = {}
    for key in FIGURES:
        old, new = diff.totals[key]
        absolute, relative = change(old, new)
        figures[key] = {"old": old, "new": new, "change": absolute, "relative": relative}
    layers = [{"status": item.status, "name": item.layer.name, "old": _layer_json(item.old),
               "new": _layer_json(item.new),
               "changes": [{"what": what, "old": _jsonable(what, old), "new": _jsonable(what, new)}
                           for what, old, new in item.changes]} for item in diff.layers]
    return json.dumps({
        "old": diff.old_path, "new": diff.new_path, "complete": diff.complete, "figures": figures,
        "counts": {status: diff.count(status) for status in (ADDED, REMOVED, CHANGED, UNCHANGED)},
        "inputs": [{"name": name, "old": _shape_json(old), "new": _shape_json(new)} for name, old, new in diff.inputs],
        "layers": layers,
        "new_findings": [f.to_json() for f in diff.new_findings],
        "fixed_findings": [f.to_json() for f in diff.fixed_findings],
        "unchecked_gates": [f"{g.name}={g.text}" for g in diff.unchecked_gates],
        "findings": [f.to_json() for f in diff.gate_findings],
    }, indent=2, default=str)


# ---------------------------------------------------------------- markdown


def format_markdown(diff: Diff) -> str:
    from archlint.report import _md

    out = [f"#### archlint diff: `{_md(diff.old_path)}` → `{_md(diff.new_path)}`", "",
           f"**{_md(headline(diff))}**; layers: {_counts(diff)}", "",
           "| Figure | Old | New | Change |", "|:--|--:|--:|--:|"]
    for key, (label, kind) in FIGURES.items():
        old, new = diff.totals[key]
        out.append(f"| {label} | {value_text(old, kind)} | {value_text(new, kind)} | "
                   f"{_md(change_text(old, new, kind))} |")
    if not diff.complete:
        out += ["", "_Lower bounds: some layers could not be computed._"]
    if diff.inputs:
        out += ["", "Inputs: " + "; ".join(_md(_input(*item)) for item in diff.inputs)]
    shown = [item for item in diff.layers if item.status != UNCHANGED]
    if shown:
        out += ["", f"<details><summary>Layers that changed ({len(shown)})</summary>", "",
                "| | Layer (type) | Output shape | Params | MACs | Change |", "|:-:|:--|:--|--:|--:|:--|"]
        for item in shown:
            layer = item.layer
            changed = {what: (old, new) for what, old, new in item.changes}
            cells = [_MARKS[item.status], f"{layer.name} ({layer.spec.type})"]
            for what, value, text in (("output_shape", lambda x: x.output.shape if x.output else None, shape_text),
                                      ("params", lambda x: x.params if x.output else None, value_text),
                                      ("macs", lambda x: x.output.macs if x.output else None, value_text)):
                if what in changed:
                    cells.append(f"{text(changed[what][0])} → {text(changed[what][1])}")
                else:
                    cells.append(text(value(layer)))
            rest = [_one(*c) for c in item.changes if c[0] not in ("output_shape", "params", "macs")]
            cells.append("; ".join(rest))
            out.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
        out += ["", "</details>"]
    if diff.new_findings:
        out += ["", f"**New findings ({len(diff.new_findings)})**", ""]
        out += [f"- `{_md(f.path)}:{f.line}:{f.column}` **{f.rule.code}** {_md(f.message)}" for f in diff.new_findings]
    if diff.fixed_findings:
        out += ["", f"Findings gone: {len(diff.fixed_findings)}"]
    for gate in diff.unchecked_gates:
        out += ["", f"Not checked: `{gate.name}={gate.text}` (the figure is unknown)"]
    if diff.gate_findings:
        out += [""] + [f"**{f.rule.code}** {_md(f.message)}" for f in diff.gate_findings]
    return "\n".join(out)
