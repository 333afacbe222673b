"""config.json -> native spec data: the family's Parts grouped into the modules transformers names
(`model.embed_tokens`, `model.layers.0`, `model.norm`, `lm_head`), identical consecutive layers folded
into one entry (`model.layers.0-31`) unless unfolded, each entry a layer of the type registered in
`layers.py` carrying its exact counts."""

from __future__ import annotations

import re

from archlint.sources.huggingface import checks, figures, layers
from archlint.sources.huggingface.resolve import Resolved, resolve

_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
# The keys that size the hidden state and the context, across the families' config classes.
HIDDEN_KEYS = ("hidden_size", "d_model", "n_embd", "dim", "embed_dim")
CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_target_positions", "n_ctx")
DEFAULT_CONTEXT = 2048


def group_of(path: str) -> tuple[str, str, int | None]:
    """(group path, repeated-block prefix, index):
    "model.layers.3.mlp.gate" -> ("model.layers.3", "model.layers", 3)."""
    match = _INDEX.search(path)
    if match is None:
        return path, path, None
    return path[:match.end()], path[:match.start()], int(match.group(1))


def _int(cfg: dict, keys) -> int | None:
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def context_length(cfg: dict, settings) -> int:
    given = settings.get("seq_len") if settings else None
    return given if isinstance(given, int) and given > 0 else _int(cfg, CONTEXT_KEYS) or DEFAULT_CONTEXT


class Group:
    __slots__ = ("path", "prefix", "index", "parts", "attention", "last")

    def __init__(self, path: str, prefix: str, index: int | None):
        self.path, self.prefix, self.index, self.parts, self.attention = path, prefix, index, [], None
        self.last = index

    def signature(self) -> tuple:
        cut = len(self.path)
        return (self.prefix, tuple((p.path[cut:], p.cls, p.params, p.count, p.category, p.tied_to) for p in self.parts),
                self.attention and (self.attention.cached, self.attention.window, self.attention.score_macs))


def groups(part_list, attention) -> list[Group]:
    found: dict[str, Group] = {}
    for part in part_list:
        path, prefix, index = group_of(part.path)
        group = found.get(path)
        if group is None:
            group = found[path] = Group(path, prefix, index)
        group.parts.append(part)
    ordered = list(found.values())
    if attention is not None:
        decoder = [g for g in ordered if g.index is not None]
        prefixes = {g.prefix for g in decoder}
        if len(prefixes) == 1 and len(decoder) == len(attention):
            for group in decoder:
                group.attention = attention[group.index]
    return ordered


def fold(ordered: list[Group]) -> list[Group]:
    """Consecutive identical repeated blocks as one group spanning their indices."""
    out: list[Group] = []
    for group in ordered:
        previous = out[-1] if out else None
        if (previous is not None and group.index is not None and previous.index is not None
                and previous.last + 1 == group.index and previous.signature() == group.signature()):
            previous.last = group.index
            continue
        out.append(group)
    return out


class Converted:
    """What the conversion of one file gives the pipeline and the hooks."""

    def __init__(self, resolved: Resolved | None, data: dict, paths: dict, findings: list, part_list, attention,
                 top_k: int | None, context: int):
        self.resolved, self.data, self.paths, self.findings = resolved, data, paths, findings
        self.parts, self.attention, self.top_k, self.context = part_list, attention, top_k, context
        self._figures: figures.HFFigures | None = None
        self.entries: dict[str, tuple[list, int]] = {}  # layer name -> (the Parts of one layer, layers folded)

    def figures(self) -> figures.HFFigures | None:
        if self.parts is None:
            return None
        if self._figures is None:
            self._figures = self._compute()
        return self._figures

    def _compute(self) -> figures.HFFigures:
        defaulted = [(key, self.resolved.family.CONFIG_DEFAULTS[self.resolved.model_type][key])
                     for key in self.resolved.defaulted]
        return figures.compute(self.parts, self.attention, self.top_k, self.context, defaulted)


def convert(data: dict, family, model_type: str, settings) -> Converted:
    findings: list = []

    def report(rule, message, where=(), hint=""):
        findings.append((rule, message, tuple(where), hint))

    resolved = resolve(data, family, model_type)
    classes = data.get("architectures")
    if isinstance(classes, list) and classes and isinstance(classes[0], str) and classes[0] not in family.ARCHITECTURES:
        report(_rules().HF_UNKNOWN_ARCHITECTURE, f"`architectures` names {classes[0]!r}, unknown for model_type "
               f"{model_type!r}: counted as {resolved.architecture_class}", ("architectures", 0),
               "archlint knows one of " + ", ".join(sorted(family.ARCHITECTURES)))
    from archlint.sources.huggingface import ParsedConfig

    for key, first, last in data.repeats if isinstance(data, ParsedConfig) else ():
        report(_rules().HF_DUPLICATE_KEY, f"`{key}` is given twice, {first!r} then {last!r}: transformers keeps the "
               f"last, {last!r}", (key,), "remove the repeat you do not mean")
    countable = checks.run(resolved, data, report)
    if not countable and not any(rule.severity == _rules().ERROR for rule, *_ in findings):
        # never a bare "Uncountable" with no finding: say so, with the checks' own warnings if any
        report(_rules().HF_UNCOUNTABLE, f"archlint cannot count the model of this config: a value "
               f"{resolved.config_class} needs has no number archlint can read" + (
                   " (see the warnings above)" if findings else ""), ("model_type",),
               "give every size and layer count as a positive integer")
    context = context_length(resolved.cfg, settings)
    spec = {"archlint": 1, "name": resolved.architecture_class, "framework": "pytorch",
            "inputs": {"input_ids": [context]}, "layers": []}
    paths: dict = {(): (), ("name",): ("architectures",), ("inputs",): ("max_position_embeddings",)}
    if not countable:
        spec["layers"].append({"name": "model", "type": layers.type_name("Uncountable"), "params": 0})
        paths[("layers", 0)] = ("model_type",)
        return Converted(resolved, spec, paths, findings, None, None, None, context)
    try:  # a value of a type no check covers: reported, never a crash
        part_list = family.parts(resolved.cfg, resolved.architecture)
        attention_of = getattr(family, "attention_layers", None)
        attention = attention_of(resolved.cfg) if attention_of is not None else None
        top_k_of = getattr(family, "experts_per_token", None)
        top_k = top_k_of(resolved.cfg) if top_k_of is not None else None
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError) as exc:
        if not any(rule is _rules().HF_WRONG_TYPE for rule, *_ in findings):  # else a cascade of that E100
            report(_rules().HF_WRONG_TYPE, f"the config cannot be counted: a value has a type or size "
                   f"{resolved.config_class} does not take ({type(exc).__name__}: {exc})", ("model_type",),
                   "check the values against the config class's documentation")
        spec["layers"].append({"name": "model", "type": layers.type_name("Uncountable"), "params": 0})
        paths[("layers", 0)] = ("model_type",)
        return Converted(resolved, spec, paths, findings, None, None, None, context)
    checks.check_tie(resolved, data, report, part_list)
    top_k = top_k if isinstance(top_k, int) and top_k > 0 else None
    unfold = bool(settings.get("unfold")) if settings else False
    ordered = groups(part_list, attention)
    entries = ordered if unfold else fold(ordered)
    by_path = {part.path: part for part in part_list}
    hidden = _int(resolved.cfg, HIDDEN_KEYS)
    layer_class = getattr(family, "layer_class", None)
    named: dict[str, tuple[list, int]] = {}
    for group in entries:
        count = group.last - group.index + 1 if group.index is not None else 1
        name = group.path if count == 1 else f"{group.prefix}.{group.index}-{group.last}"
        if len(group.parts) == 1 and group.parts[0].path == group.path:
            cls = group.parts[0].cls
        else:
            cls = layer_class(resolved.cfg) if layer_class is not None and group.index is not None else "Module"
        features = hidden
        if any(p.category == "head" for p in group.parts):
            features = _head_features(resolved.cfg, group.parts)
        entry = {"name": name, "type": layers.type_name(cls), "params": count * sum(p.total for p in group.parts),
                 "features": features, "per_token": sum(figures.part_macs(p, by_path, top_k) for p in group.parts)}
        if group.attention is not None:
            entry["scores"] = group.attention.score_macs
            if group.attention.window:
                entry["window"] = group.attention.window
        if count > 1:
            entry["layers"] = count
        paths[("layers", len(spec["layers"]))] = _origin(data, group, resolved)
        spec["layers"].append(entry)
        named[name] = (group.parts, count)
    converted = Converted(resolved, spec, paths, findings, part_list, attention, top_k, context)
    converted.entries = named
    return converted


def _head_features(cfg: dict, parts) -> int | None:
    from archlint.sources.huggingface.layout import num_labels

    if any(p.tied_to or p.path.endswith("lm_head") for p in parts):
        return _int(cfg, ("vocab_size",))
    return num_labels(cfg)


def _origin(data: dict, group: Group, resolved: Resolved) -> tuple:
    """The config key a converted layer's findings point at: a repeated layer's at the layer count as the
    file names it (GPT-2's `n_layer`), an embedding's or head's at `vocab_size`."""
    for key, wanted in ((checks.class_key(resolved, "num_hidden_layers"), group.index is not None),
                        ("vocab_size", any(p.category in ("embeddings", "head") for p in group.parts))):
        path = checks.where(resolved, data, key)
        if wanted and path != ("model_type",):
            return path
    return ("model_type",) if "model_type" in data else ()


def _rules():
    from archlint import rules

    return rules
