"""Reporters: findings and model summaries, for people and for machines."""

from __future__ import annotations

import json

from archlint.findings import Finding
from archlint.shapes import format_shape


def finding_line(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.rule.code} [{finding.severity}] {finding.message}"


def format_full(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(finding_line(finding))
        if finding.hint:
            lines.append(f"  hint: {finding.hint}")
    return "\n".join(lines)


def format_json(findings: list[Finding]) -> str:
    return json.dumps({"findings": [f.to_json() for f in findings]}, indent=2)


def _shape_json(shape):
    if isinstance(shape, list):
        return [_shape_json(s) for s in shape]
    return None if shape is None else list(shape)


def _shape_text(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return format_shape(shape)


def model_json(path: str, model) -> dict:
    from archlint.formats.columns import layer_figures, model_figures  # issue 9: every figure, model and layer

    return {
        "path": path,
        "name": model.spec.name,
        "framework": model.spec.framework,
        "total_params": model.total_params,
        "trainable_params": model.trainable_params,
        "non_trainable_params": model.non_trainable_params,
        "output_shape": _shape_json(model.output_shape),
        **model_figures(model),
        **_source_json(model),
        "layers": [
            {
                "name": layer.name,
                "type": layer.spec.type,
                "inputs": layer.inputs,
                "output_shape": _shape_json(layer.output.shape) if layer.output else None,
                "params": layer.params,
                "trainable_params": layer.trainable,
                **layer_figures(model, layer),
            }
            for layer in model.layers
        ],
    }


def _bytes(count: int) -> str:
    size = count * 4.0  # float32, as Keras reports it
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def _is_sequential(model) -> bool:
    previous = next(iter(model.spec.inputs))
    for layer in model.layers:
        if layer.inputs != [previous]:
            return False
        previous = layer.name
    return True


def _cell(text: str) -> str:
    """A table cell from names a spec wrote: no control characters (a hostile name must not drive the
    terminal) and no line breaks (which would break the table)."""
    from archlint.formats.text import printable

    return printable(text.replace("\n", " ").replace("\t", " "))


def format_summary(path: str, model) -> str:
    """A table in the style of Keras's model.summary()."""
    connected = not _is_sequential(model)
    rows = [("Layer (type)", "Output Shape", "Param #") + (("Connected to",) if connected else ())]
    if connected:  # like Keras, a functional model lists its inputs first
        for name in model.spec.inputs:
            tensor = model.tensors.get(name)
            rows.append((_cell(f"{name} (InputLayer)"), _shape_text(tensor.shape if tensor else None), "0", "-"))
    for layer in model.layers:
        row = (_cell(f"{layer.name} ({layer.spec.type})"), _shape_text(layer.output.shape if layer.output else None),
               f"{layer.params:,}" if layer.output else "?")
        if connected:
            row += (_cell(", ".join(layer.inputs)),)
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(len(rows[0]))]
    widths = [max(w, m) for w, m in zip(widths, (30, 24, 12, 20))]
    total = sum(widths)

    def render(row):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2] - 2).ljust(widths[2])]
        if connected:
            cells.append(row[3].ljust(widths[3]))
        return (" " + "".join(cells)).rstrip()

    title = _cell(model.spec.name or path)
    out = [f'Model: "{title}"', "_" * total, render(rows[0]), "=" * total]
    for index, row in enumerate(rows[1:]):
        out.append(render(row))
        out.append("_" * total if index < len(rows) - 2 else "=" * total)
    exact = "" if model.complete else " (lower bound: some layers could not be computed)"
    out.append(f"Total params: {model.total_params:,} ({_bytes(model.total_params)}){exact}")
    out.append(f"Trainable params: {model.trainable_params:,} ({_bytes(model.trainable_params)})")
    out.append(f"Non-trainable params: {model.non_trainable_params:,} ({_bytes(model.non_trainable_params)})")
    out.append(f"Output shape: {_shape_text(model.output_shape)}")
    out += _source_lines(model)
    return "\n".join(out)


def _md(cell: str) -> str:
    """A table cell: `|` would end the cell and `<` could open HTML in a pull-request comment."""
    return _cell(cell).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def format_markdown(path: str, model) -> str:
    """The summary as a GitHub-flavoured Markdown table, for pull-request comments."""
    connected = not _is_sequential(model)
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    rows = []
    if connected:
        for name in model.spec.inputs:
            tensor = model.tensors.get(name)
            rows.append([f"{name} (InputLayer)", _shape_text(tensor.shape if tensor else None), "0", "-"])
    for layer in model.layers:
        row = [f"{layer.name} ({layer.spec.type})", _shape_text(layer.output.shape if layer.output else None),
               f"{layer.params:,}" if layer.output else "?"]
        rows.append(row + ([", ".join(layer.inputs)] if connected else []))
    title = model.spec.name or path
    exact = "" if model.complete else " (lower bound: some layers could not be computed)"
    out = [f"### {_md(title)}", "", f"`{path}` ({model.spec.framework})", "",
           "| " + " | ".join(header) + " |", "|" + "|".join([":--", ":--", "--:", ":--"][:len(header)]) + "|"]
    out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    out += ["",
            f"**Total params:** {model.total_params:,} ({_bytes(model.total_params)}){exact}  ",
            f"**Trainable params:** {model.trainable_params:,} ({_bytes(model.trainable_params)})  ",
            f"**Non-trainable params:** {model.non_trainable_params:,} ({_bytes(model.non_trainable_params)})  ",
            f"**Output shape:** {_md(_shape_text(model.output_shape))}"]
    out += [f"{_md(line)}  " for line in _source_lines(model)]
    return "\n".join(out)


# issue 12: figures an importer adds (a Hugging Face config's KV cache, active parameters, ...)
def _source_lines(model) -> list[str]:
    source = model.spec.source
    return [text for _, text, _ in source.figures(model) if text] if source is not None else []


def _source_json(model) -> dict:
    source = model.spec.source
    return {key: value for key, _, value in source.figures(model)} if source is not None else {}
