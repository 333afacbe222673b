"""`archlint diff OLD NEW`: what a change did to a model, layer by layer and in every figure.

Layers are matched by name first (the names a spec or an importer gave: hierarchical block names
like `layer2.0.conv1`, Keras and Hugging Face names); the layers left over are aligned in order, a
named layer with a new name and the same type and keywords counting as renamed, an unnamed layer
pairing with one of the same type at its place. The totals are the figures `summary --columns`
computes (archlint.formats.columns.model_figures), old -> new with the change. Gates
(`--fail-on-increase params=5%,macs=0`) turn an increase into a B020 finding.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field

from archlint import rules
from archlint.findings import Finding

# figure key -> (label, kind); kind "count", "bytes" or "field" (a receptive field: one size per axis).
# The keys are those of archlint.formats.columns.model_figures and report.model_json.
FIGURES = {
    "total_params": ("Params", "count"),
    "trainable_params": ("Trainable params", "count"),
    "non_trainable_params": ("Non-trainable params", "count"),
    "macs": ("MACs", "count"),
    "flops": ("FLOPs", "count"),
    "param_memory": ("Param memory (bytes)", "bytes"),
    "activation_memory": ("Activation memory (bytes)", "bytes"),
    "training_memory": ("Training memory (bytes)", "bytes"),
    "receptive_field": ("Receptive field", "field"),
}
# gate name (as written in --fail-on-increase and `fail-on-increase`; each is a budget key of
# archlint.vocab.BUDGET_KEYS, whose units it takes) -> figure key
GATES = {"params": "total_params", "trainable_params": "trainable_params", "macs": "macs", "flops": "flops",
         "param_memory": "param_memory", "activation_memory": "activation_memory",
         "training_memory": "training_memory"}

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
MAX_ALIGNMENT = 4_000_000  # layers x layers left to align after the common head and tail (2,000 x 2,000)
_UNSET = object()  # a keyword one side does not write


@dataclass
class LayerDiff:
    status: str
    old: object = None  # walk.WalkedLayer
    new: object = None
    changes: list = field(default_factory=list)  # (what, old value, new value); what: name, type, inputs,
    # output_shape, params, macs, or "keyword <name>"

    @property
    def layer(self):
        return self.new if self.new is not None else self.old


@dataclass
class Gate:
    name: str  # params, macs, ...
    limit: float  # a percentage when `percent`, else an absolute count or byte size
    percent: bool
    text: str  # as written: "5%", "10k"


@dataclass
class Diff:
    old_path: str
    new_path: str
    layers: list  # LayerDiff in reading order (the new model's, removed layers at their old place)
    totals: dict  # figure key -> (old, new)
    complete: bool  # both models were walked completely: the totals are exact
    new_findings: list = field(default_factory=list)  # in NEW, not in OLD
    fixed_findings: list = field(default_factory=list)  # in OLD, not in NEW
    gate_findings: list = field(default_factory=list)  # B020
    unchecked_gates: list = field(default_factory=list)  # gates whose figure is unknown on one side
    inputs: list = field(default_factory=list)  # (name, old shape, new shape) of the model inputs that differ

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.layers)


# ---------------------------------------------------------------- figures


def totals(model) -> dict:
    from archlint.formats.columns import model_figures

    figures = model_figures(model)
    values = {"total_params": model.total_params, "trainable_params": model.trainable_params,
              "non_trainable_params": model.non_trainable_params}
    values.update({key: figures[key] for key in FIGURES if key not in values})
    return values


def change(old, new):
    """(absolute, relative) change of a figure; a receptive field changes per axis; None when unknown."""
    if old is None or new is None:
        return None, None
    if isinstance(old, list) or isinstance(new, list):
        if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
            return None, None
        return [n - o for o, n in zip(old, new)], None
    return new - old, (None if old == 0 else (new - old) / old)


def percent(relative: float) -> str:
    """+4.8%; a small change keeps two significant digits (-0.050%) rather than showing as 0.0%."""
    digits = 1
    if relative and abs(relative) < 0.001:
        digits = max(1, 1 - math.floor(math.log10(abs(relative) * 100)))
    return f"{relative:+.{digits}%}"


# ---------------------------------------------------------------- layers


def _kwargs_key(layer) -> str:
    return json.dumps(layer.spec.kwargs, sort_keys=True, default=str)


def _align(old: list, new: list, key) -> list[tuple[int, int]]:
    """Index pairs of equal keys, in order: the common head and tail, then difflib's longest matching
    blocks in between. difflib is quadratic on long runs of equal keys (10,000 unnamed layers of two
    types: seconds), so an edit in the middle of a long model aligns only the part that differs, and a
    middle too long for it is paired by position."""
    a, b = [key(x) for x in old], [key(x) for x in new]
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    pairs = [(i, i) for i in range(head)]
    middle_a, middle_b = a[head:len(a) - tail], b[head:len(b) - tail]
    if len(middle_a) * len(middle_b) > MAX_ALIGNMENT:
        pairs += [(head + i, head + i) for i, (x, y) in enumerate(zip(middle_a, middle_b)) if x == y]
    else:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        pairs += [(head + x + k, head + y + k) for x, y, size in matcher.get_matching_blocks() for k in range(size)]
    return pairs + [(len(a) - tail + k, len(b) - tail + k) for k in range(tail)]


def match(old_layers: list, new_layers: list) -> dict[int, int]:
    """Index in OLD -> index in NEW of the layers that are the same layer."""
    new_named = {layer.name: i for i, layer in enumerate(new_layers) if layer.spec.named}
    pairs = {i: new_named[layer.name] for i, layer in enumerate(old_layers)
             if layer.spec.named and layer.name in new_named}
    # a renamed layer: the same type and keywords at the same place among the layers left over;
    # then unnamed layers (automatic names shift when a layer is inserted) by type, at their place
    for key, both_unnamed in ((lambda layer: (layer.spec.type, _kwargs_key(layer)), False),
                              (lambda layer: layer.spec.type, True)):
        taken = set(pairs.values())
        old_left = [i for i in range(len(old_layers)) if i not in pairs
                    and (not both_unnamed or not old_layers[i].spec.named)]
        new_left = [j for j in range(len(new_layers)) if j not in taken
                    and (not both_unnamed or not new_layers[j].spec.named)]
        for a, b in _align([old_layers[i] for i in old_left], [new_layers[j] for j in new_left], key):
            pairs[old_left[a]] = new_left[b]
    return pairs


def _shape(layer):
    return layer.output.shape if layer.output is not None else None


def _params(layer):
    return layer.params if layer.output is not None else None


def _macs(layer):
    return layer.output.macs if layer.output is not None else None


def compare_layers(old, new, renamed: dict) -> list:
    """What differs between two matched layers; `renamed` maps OLD names to NEW names (inputs follow)."""
    found = []
    if old.name != new.name and (old.spec.named or new.spec.named):  # an automatic name that moved is no rename
        found.append(("name", old.name, new.name))
    if old.spec.type != new.spec.type:
        found.append(("type", old.spec.type, new.spec.type))
    old_kwargs, new_kwargs = old.spec.kwargs, new.spec.kwargs
    for key in list(old_kwargs) + [k for k in new_kwargs if k not in old_kwargs]:
        before, after = old_kwargs.get(key, _UNSET), new_kwargs.get(key, _UNSET)
        if before != after or type(before) is not type(after):
            found.append((f"keyword {key}", None if before is _UNSET else before, None if after is _UNSET else after))
    if [renamed.get(name, name) for name in old.inputs] != list(new.inputs):
        found.append(("inputs", list(old.inputs), list(new.inputs)))
    for what, value in (("output_shape", _shape), ("params", _params), ("macs", _macs)):
        if value(old) != value(new):
            found.append((what, value(old), value(new)))
    return found


def compare(old_model, new_model, old_path: str, new_path: str) -> Diff:
    old_layers, new_layers = old_model.layers, new_model.layers
    pairs = match(old_layers, new_layers)
    renamed = {old_layers[i].name: new_layers[j].name for i, j in pairs.items()}
    partner = {j: i for i, j in pairs.items()}
    items: list[LayerDiff] = []
    next_old = 0

    def removed_until(limit: int) -> None:
        nonlocal next_old
        while next_old < limit:
            if next_old not in pairs:
                items.append(LayerDiff(REMOVED, old=old_layers[next_old]))
            next_old += 1

    for j, layer in enumerate(new_layers):
        i = partner.get(j)
        if i is None:
            items.append(LayerDiff(ADDED, new=layer))
            continue
        removed_until(i)
        next_old = max(next_old, i + 1)
        changes = compare_layers(old_layers[i], layer, renamed)
        items.append(LayerDiff(CHANGED if changes else UNCHANGED, old_layers[i], layer, changes))
    removed_until(len(old_layers))
    old_totals, new_totals = totals(old_model), totals(new_model)
    inputs = []
    for name in dict.fromkeys([*old_model.spec.inputs, *new_model.spec.inputs]):
        before, after = (_input_shape(model, name) for model in (old_model, new_model))
        if before != after:
            inputs.append((name, before, after))
    return Diff(old_path, new_path, items, {key: (old_totals[key], new_totals[key]) for key in FIGURES},
                old_model.complete and new_model.complete, inputs=inputs)


def _input_shape(model, name: str):
    shape = model.spec.inputs.get(name)
    return None if shape is None else (None, *shape)  # with the batch axis, as layer shapes are


# ---------------------------------------------------------------- findings


_LINE = re.compile(r"\bline \d+")


def _finding_key(finding: Finding) -> tuple:
    # positions move when lines are inserted: a finding is the same when its rule and message are
    # (a block's use site is named by line in the message: that line is left out too)
    return finding.rule.code, _LINE.sub("line", finding.message)


def new_findings(old: list, new: list) -> tuple[list, list]:
    """(findings of NEW that OLD does not have, findings of OLD that NEW does not have), as multisets."""
    def minus(these, those):
        counts: dict = {}
        for finding in those:
            counts[_finding_key(finding)] = counts.get(_finding_key(finding), 0) + 1
        left = []
        for finding in these:
            key = _finding_key(finding)
            if counts.get(key):
                counts[key] -= 1
            else:
                left.append(finding)
        return left

    return minus(new, old), minus(old, new)


# ---------------------------------------------------------------- gates


def parse_gates(value) -> dict[str, Gate]:
    """`params=5%,macs=0` (or a mapping {params: "5%", macs: 0}) -> gates by name; ValueError when wrong.

    A percentage is relative to OLD; a number is an absolute increase: a count (an int, or 25k, 3.5M) for
    params, MACs and FLOPs, a byte size (512KB, 1.5MiB) for the memory figures. 0 allows no increase."""
    from archlint import vocab  # the gates are budget keys: their units and parsers are the budgets'

    if isinstance(value, str):
        items = []
        for part in value.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise ValueError(f"{part.strip()!r} is not name=limit (e.g. params=5%)")
            name, limit = part.split("=", 1)
            items.append((name.strip(), limit.strip()))
    elif isinstance(value, dict):
        items = list(value.items())
    else:
        raise ValueError("expected name=limit pairs (params=5%,macs=0) or a table of them")
    gates = {}
    for name, limit in items:
        if name not in GATES:
            close = difflib.get_close_matches(str(name), list(GATES), n=1)
            raise ValueError(f"unknown figure {name!r}" + (f" (did you mean {close[0]!r}?)" if close else
                                                           f"; figures: {', '.join(GATES)}"))
        text = str(limit)
        if isinstance(limit, str) and limit.strip().endswith("%"):
            try:
                amount = float(limit.strip()[:-1])
            except ValueError:
                amount = -1.0
            if not amount >= 0:  # also refuses nan
                raise ValueError(f"{name}={text}: a percentage is a number >= 0 followed by %")
            gates[name] = Gate(name, amount, True, text)
            continue
        budget = vocab.BUDGET_KEYS[name]
        parsed = budget.parse(limit)
        if parsed is None:
            raise ValueError(f"{name}={text}: expected a percentage (5%) or {vocab.UNITS[budget.units].expected}")
        gates[name] = Gate(name, parsed, False, text)
    return gates


def check_gates(diff: Diff, gates: dict[str, Gate], source: str) -> None:
    """B020 for every gate the change exceeds; `source` names where the gates were set."""
    for gate in gates.values():
        key = GATES[gate.name]
        old, new = diff.totals[key]
        if old is None or new is None:
            diff.unchecked_gates.append(gate)
            continue
        grew = new - old
        if gate.percent:
            over = grew > 0 and (old == 0 or grew * 100 > gate.limit * old)
        else:
            over = grew > gate.limit
        if not over:
            continue
        label = FIGURES[key][0].split(" (")[0]
        relative = f" ({percent(grew / old)})" if old else ""
        message = (f"{label} grew by {grew:,}{relative}, from {old:,} to {new:,}: more than {gate.name}={gate.text} "
                   "allows")
        diff.gate_findings.append(Finding(rules.COST_INCREASE, message, diff.new_path, 0, 0,
                                          f"the limit is set by {source}; make the change cheaper, or raise it if the "
                                          "increase is intended"))
