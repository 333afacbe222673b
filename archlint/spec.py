"""The spec model: a validated document as typed dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, make_dataclass
from typing import Any

from archlint.vocab import BUDGET_KEYS, DEFAULT_DTYPE, DEFAULT_FRAMEWORK, DEFAULT_OPTIMIZER

# Keys of a layer entry that belong to archlint, not to the layer's constructor.
# `trainable` is both: Keras's own keyword, and archlint's way to freeze a PyTorch module.
RESERVED_LAYER_KEYS = frozenset({"type", "name", "inputs", "expect", "trainable"})

def snake_case(class_name: str) -> str:
    """Keras's automatic layer names: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


@dataclass
class LayerSpec:
    type: str
    name: str
    kwargs: dict  # the constructor's keyword arguments as written
    where: tuple  # path of the entry in the document, e.g. ("layers", 3)
    inputs: list[str] | None = None
    expect: dict | None = None
    trainable: bool = True
    named: bool = False  # whether the spec gave the name
    valid: bool = True  # False when the entry failed its schema check: the walk skips it
    # For an invalid entry, the keywords its schema findings are about (None among them: the entry as a
    # whole): the walk can still recover its output from the other keywords.
    at_fault: frozenset = frozenset()
    # The output shape a converted Keras file records for the layer: the walk goes on with it where it
    # cannot compute the layer (an unknown class), so one unknown layer does not stop the whole walk.
    recorded_shape: tuple | None = None
    origin: str = ""  # for a layer expanded from a block: the block's use site, named in its findings
    shares: str | None = None  # `apply:` of an existing layer: the layer whose weights it reuses
    roles: tuple | None = None  # `inputs:` given as a mapping by role (attention): the roles, in order

    @property
    def label(self) -> str:
        """The layer as a finding's message or hint names it: its name, followed by its type where the name
        is a PyTorch default index (`0 (Conv2d)`, `2.0.1 (ReLU)`), which alone says nothing. A name the spec
        wrote, or a Keras default name (`conv2d_1`), already says which layer it is."""
        index = not self.named and self.name.rpartition(".")[2].isdigit()
        return f"{self.name} ({self.type})" if index else self.name


# A spec's, the configuration's or the command line's budget: one field per vocab.BUDGET_KEYS key, None
# where no limit is set.
Budget = make_dataclass("Budget", [(name, Any, field(default=None)) for name in BUDGET_KEYS])


def parse_budget(data: dict) -> Budget:
    return Budget(**{name: key.parse(data.get(name)) for name, key in BUDGET_KEYS.items()})


@dataclass
class Spec:
    path: str
    name: str
    framework: str
    inputs: dict[str, tuple]  # model input name -> one sample's shape (no batch axis)
    layers: list[LayerSpec]
    outputs: list[str] | None = None
    budget: Budget = field(default_factory=Budget)
    aliases: dict[str, str] = field(default_factory=dict)  # a block use's name -> its output layer
    ties: dict[str, str] = field(default_factory=dict)  # layer -> the layer whose weight matrix it reuses
    named_inputs: bool = False  # the inputs were given as an `inputs:` mapping (not `input:`)
    # issue 9: what the memory figures are for (the schema allows only known values)
    dtype: str = DEFAULT_DTYPE
    batch_size: int = 1
    optimizer: str = DEFAULT_OPTIMIZER
    source: object = None  # the importer's SourceHooks for a converted file (set by the pipeline)


def input_shapes(data: dict) -> dict[str, tuple]:
    """`input: [...]` (named `input`) or `inputs: {name: [...] or {shape: [...], dtype: ...}}`."""
    if isinstance(data.get("inputs"), dict):
        return {name: tuple(value["shape"] if isinstance(value, dict) else value)
                for name, value in data["inputs"].items()}
    return {"input": tuple(data["input"])}


def _plain_entries(data: dict) -> list:
    """The layers of a spec without blocks, as expansion entries (used when no expansion ran)."""
    from archlint.blocks import Entry

    torch = data.get("framework") == "pytorch"
    entries = []
    for index, entry in enumerate(data["layers"]):
        entry = entry if isinstance(entry, dict) else {}
        body = {k: v for k, v in entry.items() if k not in ("name", "inputs")}
        name = entry.get("name") if isinstance(entry.get("name"), str) else None
        inputs, roles = entry.get("inputs"), None
        if isinstance(inputs, dict) and inputs:  # by role: {query: q, value: v}
            inputs, roles = list(inputs.values()), tuple(inputs)
        default_name = torch and name is None  # nn.Sequential names its children by index
        entries.append(Entry(body, ("layers", index), str(index) if default_name else name, inputs, roles=roles,
                             default_name=default_name))
    return entries


def read_integer_names(data: dict) -> None:
    """PyTorch dialect: a layer name or reference that YAML types as an integer (`inputs: [0, 2]`,
    `name: 3`, `apply: 1`, `outputs: [5]`, `tie: {7: 0}`) is read as its decimal text, the name
    `nn.Sequential` gives its child at that index. Negative numbers stay as written (the schema refuses
    them: `-1` is no module's name)."""
    def text(value):
        return str(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else value

    def entries(layers):
        for entry in layers if isinstance(layers, list) else ():
            if not isinstance(entry, dict):
                continue
            for key in ("name", "apply"):
                if key in entry:
                    entry[key] = text(entry[key])
            refs = entry.get("inputs")
            if isinstance(refs, list):
                entry["inputs"] = [text(ref) for ref in refs]
            elif isinstance(refs, dict):
                entry["inputs"] = {role: text(ref) for role, ref in refs.items()}

    entries(data.get("layers"))
    for block in (data.get("blocks") or {}).values() if isinstance(data.get("blocks"), dict) else ():
        if isinstance(block, dict):
            entries(block.get("layers"))
    if isinstance(data.get("outputs"), list):
        data["outputs"] = [text(ref) for ref in data["outputs"]]
    if isinstance(data.get("tie"), dict):
        data["tie"] = {text(layer): text(source) for layer, source in data["tie"].items()}


def _auto_namer(explicit: set):
    counters: dict[str, int] = {}

    def name(base: str) -> str:
        while True:
            count = counters.get(base, 0)
            counters[base] = count + 1
            candidate = base if count == 0 else f"{base}_{count}"
            if candidate not in explicit:
                return candidate

    return name


def build(path: str, data: dict, invalid_layers: dict[int, frozenset] | None = None, expansion=None) -> Spec:
    """Turn schema-checked data into a Spec; unnamed layers get Keras-style default names (`conv2d_1`) in
    the Keras dialect (PyTorch's, the index `nn.Sequential` gives, come with the entries).

    `expansion` (blocks.Expansion) holds the layers with blocks expanded; without it the `layers` list
    is taken as written. Layers listed in `invalid_layers` (indices into that list) failed their own
    schema check: they keep their place (so names and positions stay right) but are marked invalid,
    and the walk does not apply them.
    """
    framework = data.get("framework", DEFAULT_FRAMEWORK)
    entries = expansion.entries if expansion is not None else _plain_entries(data)
    explicit = {entry.name for entry in entries if entry.name and not entry.default_name}
    auto = _auto_namer(explicit)
    for entry in entries:  # names first: an alias or an input may point at a later entry
        if entry.name:
            entry.final_name = entry.name
        elif isinstance(entry.data.get("apply"), str):
            entry.final_name = auto(entry.data["apply"] + "_shared")
        else:
            layer_type = entry.data.get("type") if isinstance(entry.data.get("type"), str) else "?"
            # torch functions (torch.cat) are named after the function, as a forward() would call them
            entry.final_name = auto(snake_case(layer_type.split(".")[-1]) or "layer")

    def reference(ref) -> str:
        return ref.final_name if hasattr(ref, "final_name") else ref

    layers = []
    for index, entry in enumerate(entries):
        body = entry.data
        kwargs = {k: v for k, v in body.items() if k not in RESERVED_LAYER_KEYS and k != "apply"}
        # A layer that failed its schema check may hold anything: keep only well-formed parts.
        layer_type = body.get("type") if isinstance(body.get("type"), str) else "?"
        layer_inputs = entry.inputs
        if isinstance(layer_inputs, list):
            layer_inputs = [reference(ref) for ref in layer_inputs]
        if not (isinstance(layer_inputs, list) and all(isinstance(i, str) for i in layer_inputs)):
            layer_inputs = None
        valid = entry.valid and index not in (invalid_layers or {})
        shares = body.get("apply") if isinstance(body.get("apply"), str) else None
        layers.append(
            LayerSpec(
                type=layer_type,
                name=entry.final_name,
                kwargs=kwargs,
                where=entry.where,
                inputs=layer_inputs,
                expect=body.get("expect") if valid else None,
                trainable=body.get("trainable", True) is not False,
                named=entry.name is not None and not entry.default_name,
                valid=valid,
                at_fault=_at_fault(invalid_layers, index) if not valid else frozenset(),
                origin=entry.origin,
                shares=shares,
                roles=entry.roles if layer_inputs is not None else None,
            )
        )
    aliases = {name: reference(target) for name, target in (expansion.aliases if expansion else {}).items()}
    budget_data = data.get("budget") or {}
    budget = parse_budget(budget_data)
    return Spec(path, str(data.get("name", "")), framework, input_shapes(data), layers, data.get("outputs"),
                budget, aliases, dict(data.get("tie") or {}), isinstance(data.get("inputs"), dict),
                str(data.get("dtype", DEFAULT_DTYPE)), int(data.get("batch_size", 1)),
                str(data.get("optimizer", DEFAULT_OPTIMIZER)))


def _at_fault(invalid_layers, index: int) -> frozenset:
    """The keywords at fault in an invalid layer; None among them when that is not known (a plain set)."""
    return frozenset(invalid_layers.get(index, [None])) if isinstance(invalid_layers, dict) else frozenset([None])
