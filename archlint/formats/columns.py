"""`summary --columns`: the layer table with chosen figures, their totals and each layer's share.

Columns: shape, params, params% (the layer's share of the parameters), macs, macs% (its share of the
MACs), flops, param_memory, activation_memory (its output at the batch size), live_memory (what is held
while it runs), training_memory, receptive_field, stride (effective stride). Sizes are exact bytes.
"""

from __future__ import annotations

from archlint import figures as figures_module
from archlint import receptive
from archlint.vocab import OPTIMIZER_STATES

COLUMNS = ("shape", "params", "params%", "macs", "macs%", "flops", "param_memory", "activation_memory",
           "live_memory", "training_memory", "receptive_field", "stride")
HEADERS = {"shape": "Output Shape", "params": "Param #", "params%": "Params %", "macs": "MACs", "macs%": "MACs %",
           "flops": "FLOPs", "param_memory": "Param bytes", "activation_memory": "Output bytes",
           "live_memory": "Live bytes", "training_memory": "Training bytes", "receptive_field": "Receptive field",
           "stride": "Eff. stride"}


def parse(text: str) -> tuple:
    """"shape,params,macs" -> the columns; ValueError naming an unknown one."""
    columns = tuple(part.strip() for part in text.split(",") if part.strip())
    for column in columns:
        if column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}; columns: {', '.join(COLUMNS)}")
    return columns


def layer_figures(model, layer) -> dict:
    """Every per-layer figure (JSON keys); None where unknown."""
    figures = figures_module.of(model)
    memory = figures.memory
    macs = layer.output.macs if layer.output else None
    output_bytes = memory.output_bytes.get(layer.name)
    weights = layer.params * memory.itemsize
    per_weight = (1 + OPTIMIZER_STATES[memory.optimizer]) * memory.itemsize  # a gradient and the optimizer state
    field = figures.fields.get(layer.name)
    return {
        "macs": macs,
        "flops": None if macs is None else 2 * macs,
        "param_memory": weights,
        "activation_memory": output_bytes,
        "live_memory": memory.live.get(layer.name),
        "training_memory": None if output_bytes is None else weights + layer.trainable * per_weight + output_bytes,
        "receptive_field": None if field is None else [receptive.number(r) for r in field.rf],
        "effective_stride": None if field is None else [receptive.number(j) for j in field.jump],
    }


def model_figures(model) -> dict:
    """Every model figure (JSON keys): totals, the peak, the training estimate, the receptive field."""
    figures = figures_module.of(model)
    memory = figures.memory
    largest = figures.largest_field
    return {
        "dtype": model.spec.dtype, "batch_size": memory.batch_size, "optimizer": memory.optimizer,
        "macs": figures.macs if figures.exact else None,
        "flops": figures.flops if figures.exact else None,
        "param_memory": memory.param_memory,
        "activation_memory": memory.activation_memory,
        "activation_peak_layer": memory.peak_layer,
        "training_memory": memory.training_memory,
        "training_memory_parts": memory.training_parts,
        "receptive_field": None if largest is None else [receptive.number(r) for r in largest[1].rf],
        "effective_stride": None if largest is None else [receptive.number(j) for j in largest[1].jump],
        "receptive_field_layer": None if largest is None else largest[0],
    }


def _cell(column: str, layer, values: dict, totals: dict, shape_text) -> str:
    if column == "shape":
        return shape_text(layer.output.shape if layer.output else None)
    if column in ("params", "params%"):
        if not layer.output:
            return "?"
        if column == "params":
            return f"{layer.params:,}"
        return _share(layer.params, totals["params"])
    if column == "macs%":
        return "?" if values["macs"] is None else _share(values["macs"], totals["macs"])
    if column in ("receptive_field", "stride"):
        value = values["receptive_field" if column == "receptive_field" else "effective_stride"]
        return "-" if value is None else "x".join(str(v) for v in value)
    value = values[column]
    return "?" if value is None else f"{value:,}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def format_columns(path: str, model, columns: tuple, shape_text) -> str:
    figures = figures_module.of(model)
    model_values = model_figures(model)
    totals = {"params": model.total_params, "macs": figures.macs}
    rows = [("Layer (type)",) + tuple(HEADERS[c] for c in columns)]
    for layer in model.layers:
        values = layer_figures(model, layer)
        rows.append((f"{layer.name} ({layer.spec.type})",) + tuple(_cell(c, layer, values, totals, shape_text)
                                                                  for c in columns))
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(len(rows[0]))]
    right = [False] + [c not in ("shape",) for c in columns]

    def render(row) -> str:
        return (" " + "".join(cell.rjust(w - 2) + "  " if r else cell.ljust(w) for cell, w, r in
                              zip(row, widths, right))).rstrip()

    line = sum(widths) + 1
    out = [f'Model: "{model.spec.name or path}"', "_" * line, render(rows[0]), "=" * line]
    out += [render(row) for row in rows[1:]]
    out.append("=" * line)
    exact = "" if figures.exact else " (lower bound: some layers' MACs are unknown)"
    out.append(f"Total params: {model.total_params:,}")
    out.append(f"Total MACs: {figures.macs:,}{exact}; FLOPs (2 x MACs): {figures.flops:,}")
    dtype = f"{model.spec.dtype}, batch size {model_values['batch_size']}"
    out.append(f"Param memory: {model_values['param_memory']:,} bytes ({model.spec.dtype})")
    peak = model_values["activation_memory"]
    if peak is not None:
        at = model_values["activation_peak_layer"] or "the inputs"
        out.append(f"Activation memory (inference peak, {dtype}): {peak:,} bytes, while {at} runs")
    if model_values["training_memory"] is not None:
        parts = ", ".join(f"{k} {v:,}" for k, v in model_values["training_memory_parts"].items())
        out.append(f"Training memory ({model_values['optimizer']}, {dtype}): {model_values['training_memory']:,} "
                   f"bytes ({parts})")
    if model_values["receptive_field"] is not None:
        out.append(f"Receptive field: {'x'.join(map(str, model_values['receptive_field']))} at "
                   f"{model_values['receptive_field_layer']} (effective stride "
                   f"{'x'.join(map(str, model_values['effective_stride']))})")
    return "\n".join(out)
