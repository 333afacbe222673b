"""`archlint graph`: the walked model as a picture (Graphviz DOT, Mermaid, or SVG/PNG through `dot`).

The picture is built from the generic walked model (walk.Model), so every input format draws alike.
Dotted names (`layer2.0.conv1`, Hugging Face's `encoder.layer.3.attention`) become nested clusters; a
run of sibling groups that are the same block applied one after the other (same relative names,
types, keywords, shapes and wiring, each reading only the one before) is folded into one node `x N`
unless --unfold: a 10,000-layer stack of repeated blocks draws as a handful of nodes. The work is
linear in the layers times the depth of their names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from archlint.shapes import format_shape

MAX_ARGUMENTS = 4  # key arguments shown on a node
MAX_VALUE = 24  # characters of one argument's value
# Graphviz lays out nested clusters slowly (10,000 layers in 5,000 frames: minutes and gigabytes; without
# frames: 17 s): past this many, the groups are drawn without frames, their names still on the nodes
MAX_CLUSTERS = 200
MAX_NESTING = 12  # dotted name parts taken as groups (a hostile name of 5,000 parts nests no deeper)


@dataclass
class Node:
    id: str
    kind: str  # "input", "layer", "merge", "shared" (an apply: of another layer's weights), "folded"
    title: str  # the layer's (or input's) name; "first … last" for a folded run
    lines: list[str]  # under the title: the type, key arguments, codes, share
    output: bool = False  # a model output
    severity: str = ""  # "error" or "warning" when findings point at the layer
    codes: list[str] = field(default_factory=list)
    share: float | None = None  # the layer's share of the parameters or MACs (--color-by)


@dataclass
class Edge:
    source: str
    target: str
    label: str  # the shape of the tensor on it
    shares: bool = False  # a dashed "shares weights" edge from a layer to its apply:


@dataclass
class Cluster:
    name: str  # the dotted prefix it groups
    items: list = field(default_factory=list)  # node ids and Clusters, in reading order


@dataclass
class Graph:
    title: str
    root: Cluster  # the top level: node ids and clusters
    nodes: dict[str, Node]
    edges: list[Edge]
    color_by: str | None = None


def drawing_order(cluster: Cluster, depth: int = 0):
    """("open", Cluster, depth), ("node", node id, depth) and ("close", Cluster, depth), in drawing order:
    what every renderer walks."""
    for item in cluster.items:
        if isinstance(item, Cluster):
            yield "open", item, depth
            yield from drawing_order(item, depth + 1)
            yield "close", item, depth
        else:
            yield "node", item, depth


# ---------------------------------------------------------------- labels


def _compact(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


_NONE = object()


def _is_default(value, default) -> bool:
    """The framework's default, also as a tuple of it (Keras configs write strides=[1, 1] for 1)."""
    if value == default:
        return True
    return isinstance(value, list) and bool(value) and all(v == default for v in value)


def key_arguments(framework: str, layer) -> list[str]:
    """`name=value` for the keywords written differently from the framework's defaults, a few at most."""
    from archlint.layers.registry import lookup

    layer_type = lookup(framework, layer.spec.type)
    defaults = layer_type.defaults if layer_type else {}
    shown = [f"{key}={_compact(value)}" for key, value in layer.spec.kwargs.items()
             if not isinstance(value, dict) and not _is_default(value, defaults.get(key, _NONE))]
    if len(shown) > MAX_ARGUMENTS:
        shown = shown[:MAX_ARGUMENTS] + ["…"]
    lines, line = [], ""
    for part in shown:  # two or three per line keeps the boxes narrow
        if line and len(line) + len(part) > 30:
            lines.append(line)
            line = ""
        line = f"{line}, {part}" if line else part
    return lines + ([line] if line else [])


def shape_label(shape) -> str:
    return "?" if shape is None else format_shape(shape)


# ---------------------------------------------------------------- folding


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, min(len(parts), MAX_NESTING + 1))]


def _signature(prefix: str, layers: list) -> tuple:
    """What makes two groups the same block: relative names, types, keywords, shapes, relative wiring."""
    inside = {layer.name for layer in layers}
    cut = len(prefix) + 1
    external: dict[str, int] = {}
    parts = []
    for layer in layers:
        reads = tuple(name[cut:] if name in inside else f"^{external.setdefault(name, len(external))}"
                      for name in layer.inputs)
        shape = layer.output.shape if layer.output is not None else None
        parts.append((layer.name[cut:], layer.spec.type, json.dumps(layer.spec.kwargs, sort_keys=True, default=str),
                      repr(shape), reads, layer.params if layer.output else None))
    return tuple(parts)


class _Builder:
    def __init__(self, model, unfold: bool):
        self.model = model
        self.unfold = unfold
        self.members: dict[str, list] = {}  # prefix -> its layers in reading order
        self.children: dict[str, dict] = {"": {}}  # prefix -> {("group", prefix) | ("layer", name): None}
        for layer in model.layers:
            parent = ""
            for prefix in _prefixes(layer.name):
                self.members.setdefault(prefix, []).append(layer)
                self.children.setdefault(parent, {})[("group", prefix)] = None
                self.children.setdefault(prefix, {})
                parent = prefix
            self.children[parent][("layer", layer.name)] = None
        self.outputs = set(model.outputs)
        self.folded: list[tuple[list[str], list]] = []  # (the prefixes of a run, its layers)

    def runs(self, prefix: str) -> list:
        """The children of a group, with runs of identical chained sibling groups folded."""
        children = list(self.children[prefix])
        items, index = [], 0
        while index < len(children):
            kind, key = children[index]
            if kind == "layer":
                items.append(("layer", key))
                index += 1
                continue
            run = [key]
            if not self.unfold:
                signature = _signature(key, self.members[key])
                while index + len(run) < len(children):
                    kind_next, following = children[index + len(run)]
                    if kind_next != "group" or _signature(following, self.members[following]) != signature \
                            or not self._chained(run[-1], following):
                        break
                    run.append(following)
            if len(run) > 1:
                items.append(("folded", run))
            else:
                items.append(("group", key))
            index += len(run)
        return items

    def _chained(self, first: str, second: str) -> bool:
        """`second` reads only `first` from outside, and nothing but `second` reads `first`."""
        names_first = {layer.name for layer in self.members[first]}
        names_second = {layer.name for layer in self.members[second]}
        for layer in self.members[second]:
            if any(name not in names_second and name not in names_first for name in layer.inputs):
                return False
        for layer in self.members[first]:
            if layer.name in self.outputs:
                return False
            for reader in self.model.consumers.get(layer.name, ()):
                if reader.name not in names_first and reader.name not in names_second:
                    return False
        return True


def build(model, findings_by_layer: dict | None = None, unfold: bool = False, color_by: str | None = None) -> Graph:
    """The picture's nodes, edges and clusters. `findings_by_layer`: layer name -> its findings."""
    findings_by_layer = findings_by_layer or {}
    builder = _Builder(model, unfold)
    framework = model.spec.framework
    nodes: dict[str, Node] = {}
    node_of: dict[str, str] = {}  # tensor (layer or input) name -> node id
    for index, (name, shape) in enumerate(model.spec.inputs.items()):
        node_id = f"i{index}"
        nodes[node_id] = Node(node_id, "input", name, ["Input", shape_label((None,) + tuple(shape))],
                              output=name in builder.outputs)
        node_of[name] = node_id
    totals = _totals(model, color_by)
    layer_ids = {layer.name: f"n{index}" for index, layer in enumerate(model.layers)}

    def layer_node(layer) -> str:
        node_id = layer_ids[layer.name]
        distinct = len(dict.fromkeys(layer.inputs))
        kind = "shared" if layer.spec.shares else "merge" if distinct > 1 else "layer"
        lines = [layer.spec.type + (f" (weights of {layer.spec.shares})" if layer.spec.shares else "")]
        lines += key_arguments(framework, layer)
        node = Node(node_id, kind, layer.name, lines, output=layer.name in builder.outputs)
        _mark(node, findings_by_layer.get(layer.name, ()))
        _share(node, _value(layer, color_by), totals, color_by)
        nodes[node_id] = node
        node_of[layer.name] = node_id
        return node_id

    def folded_node(run: list[str]) -> str:
        node_id = f"f{len(builder.folded)}"
        layers = [layer for prefix in run for layer in builder.members[prefix]]
        builder.folded.append((run, layers))
        first = builder.members[run[0]]
        params = sum(layer.params for layer in first)
        title = f"{run[0]} … {run[-1]}"
        lines = [f"x {len(run)} identical blocks", f"{len(first)} layers, {params:,} params each"]
        node = Node(node_id, "folded", title, lines, output=any(layer.name in builder.outputs for layer in layers))
        _mark(node, [f for layer in layers for f in findings_by_layer.get(layer.name, ())])
        _share(node, sum(_value(layer, color_by) or 0 for layer in layers) if color_by else None, totals, color_by)
        nodes[node_id] = node
        for layer in layers:
            node_of[layer.name] = node_id
        return node_id

    def fill(cluster: Cluster, prefix: str) -> None:
        for kind, key in builder.runs(prefix):
            if kind == "layer":
                cluster.items.append(layer_node(_by_name[key]))
            elif kind == "folded":
                cluster.items.append(folded_node(key))
            else:
                inner = Cluster(key)
                fill(inner, key)
                # a group of one node is drawn without a frame
                cluster.items.extend(inner.items if len(inner.items) == 1 else [inner])

    _by_name = {layer.name: layer for layer in model.layers}
    root = Cluster("")
    root.items.extend(node_of[name] for name in model.spec.inputs)
    fill(root, "")
    if _count_clusters(root) > MAX_CLUSTERS:
        root.items = _flat(root)
    edges: list[Edge] = []
    seen: set = set()
    for layer in model.layers:
        target = node_of.get(layer.name)
        for name in layer.inputs:
            source = node_of.get(name)
            if source is None or target is None or source == target:
                continue
            tensor = model.tensors.get(name)
            label = shape_label(tensor.shape if tensor is not None else None)
            if (source, target, label) not in seen:
                seen.add((source, target, label))
                edges.append(Edge(source, target, label))
        if layer.spec.shares and layer.spec.shares in node_of and target is not None:
            edges.append(Edge(node_of[layer.spec.shares], target, "shares weights", shares=True))
    return Graph(model.spec.name or model.spec.path, root, nodes, edges, color_by)


def _count_clusters(cluster: Cluster) -> int:
    return sum(1 + _count_clusters(item) for item in cluster.items if isinstance(item, Cluster))


def _flat(cluster: Cluster) -> list:
    return [node for item in cluster.items for node in (_flat(item) if isinstance(item, Cluster) else [item])]


def _mark(node: Node, findings) -> None:
    if not findings:
        return
    node.severity = "error" if any(f.is_error for f in findings) else "warning"
    node.codes = sorted({f.rule.code for f in findings})
    node.lines.append(" ".join(node.codes))


def _value(layer, color_by: str | None):
    if color_by == "params":
        return layer.params
    if color_by == "macs":
        return layer.output.macs if layer.output is not None else None
    return None


def _totals(model, color_by: str | None) -> int:
    if color_by is None:
        return 0
    return sum(_value(layer, color_by) or 0 for layer in model.layers)


def _share(node: Node, value, total: int, color_by: str | None) -> None:
    if value is None or not total:
        return
    node.share = value / total
    node.lines.append(f"{node.share:.1%} of the {'params' if color_by == 'params' else 'MACs'}")
