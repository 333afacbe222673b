"""The walk: apply every layer in order, propagating tensors and counting weights.

The walk is linear in the number of layers. A layer whose input could not be computed is skipped
silently (its cause is already reported), so one mistake gives one finding, not a cascade.
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from archlint import cost, limits, recover, rules
from archlint.blocks import with_origin
from archlint.layers import elementwise
from archlint.layers.registry import REQUIRED, SAME_ROWS, Call, Output, Stop, Tensor, lookup
from archlint.shapes import format_shape
from archlint.spec import LayerSpec, Spec

Sink = Callable[..., None]  # sink(rule, message, where, hint="")


@dataclass
class WalkedLayer:
    spec: LayerSpec
    inputs: list[str]  # names of the tensors it reads
    output: Output | None  # None when the layer could not be applied
    cfg: dict | None = None  # the keywords it was applied with (defaults filled): receptive fields read them
    family: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def params(self) -> int:
        return self.output.params if self.output else 0

    @property
    def trainable(self) -> int:
        return self.output.trainable if self.output else 0

    @property
    def non_trainable(self) -> int:
        return self.output.non_trainable if self.output else 0


@dataclass
class Model:
    spec: Spec
    layers: list[WalkedLayer]
    tensors: dict[str, Tensor | None]  # every named tensor: model inputs and layer outputs
    outputs: list[str]
    consumers: dict[str, list[WalkedLayer]] = field(default_factory=dict)
    order: list[WalkedLayer] = field(default_factory=list)  # the layers in the order they were applied

    @property
    def complete(self) -> bool:
        """Every layer could be applied, so the totals are exact."""
        return all(layer.output is not None for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(layer.trainable for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(layer.non_trainable for layer in self.layers)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    def label(self, name: str) -> str:
        """The tensor `name` as findings name it: its layer's label (LayerSpec.label), a model input by name."""
        layer = next((layer for layer in self.layers if layer.name == name), None)
        return layer.label if layer is not None else name

    @property
    def output_shape(self):
        # a shape recovered after an error (assumed) is not a result: the output is unknown
        shapes = [self.tensors[name].shape if self.tensors.get(name) and not self.tensors[name].assumed else None
                  for name in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes


def _config(layer: LayerSpec, defaults: dict) -> dict:
    cfg = {k: (None if v is REQUIRED else v) for k, v in defaults.items()}
    cfg.update(layer.kwargs)
    return cfg


def _check_unmodelled(layer: LayerSpec, unmodelled, sink: Sink) -> None:
    for key in unmodelled:
        if layer.kwargs.get(key) not in (None, 0, False):
            sink(
                rules.UNMODELLED_KEYWORD,
                f"{layer.type} `{key}={layer.kwargs[key]}` changes the weights in a way archlint does not model",
                layer.where + (key,),
                "its parameter counts cannot be trusted: check the counts in the framework, or remove the keyword "
                "from the spec",
            )


def _check_expect(layer: LayerSpec, output: Output, sink: Sink) -> None:
    expect = layer.expect or {}
    where = layer.where + ("expect",)
    if "output_shape" in expect:
        want = tuple(expect["output_shape"])
        # a layer with several outputs (return_state, torch's RNN tuples) is checked on its primary
        # output, the one the next layer reads
        got = output.shape[0] if isinstance(output.shape, list) else output.shape
        if isinstance(got, tuple) and len(want) == len(got) - 1:
            got = got[1:]  # written without the batch axis, like `input:`
        if isinstance(got, list) or tuple(got) != want:
            sink(rules.EXPECTATION_FAILED,
                 f"{layer.label} output shape is {format_shape(output.shape)}, expected {format_shape(want)}",
                 where + ("output_shape",), "update the expectation or fix the layers before it")
    for key, actual in (("params", output.params), ("trainable_params", output.trainable),
                        ("non_trainable_params", output.non_trainable)):
        if key in expect and expect[key] != actual:
            sink(rules.EXPECTATION_FAILED,
                 f"{layer.label} has {actual:,} {key.replace('_', ' ')}, expected {expect[key]:,}",
                 where + (key,), "update the expectation or fix the layer's arguments")




def sink_for_layer(layer: LayerSpec, sink: Sink) -> Sink:
    """Findings of a layer expanded from a block name the block's use site."""
    return with_origin(sink, layer.origin)


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


def _connect(spec: Spec, sink: Sink) -> tuple[dict, list[list[str]]]:
    """Each layer's input names (aliases resolved); E011 duplicates, E012 unknown references."""
    producers: dict[str, int | None] = {name: None for name in spec.inputs}  # name -> layer index
    for index, layer in enumerate(spec.layers):
        if layer.name in producers:
            first = producers[layer.name]
            what = "a model input" if first is None else "another layer"
            # a PyTorch default name (the index) taken by a written name: the written one is what to change
            at = spec.layers[first] if first is not None and spec.layers[first].named and not layer.named else layer
            sink(rules.DUPLICATE_NAME, f"the name {layer.name!r} is used twice: {what} has it already",
                 at.where + (("name",) if at.named else ("type",)), "give every layer a unique name")
            continue
        producers[layer.name] = index
    known = list(producers) + list(spec.aliases)
    wiring = []
    previous = next(iter(spec.inputs))
    for layer in spec.layers:
        names = []
        for name in layer.inputs or [previous]:
            name = spec.aliases.get(name, name)
            if name not in producers:
                sink_for_layer(layer, sink)(rules.UNKNOWN_REFERENCE,
                                         f"{layer.label} reads {name!r}, which is no layer or input of the model",
                                         layer.where + ("inputs",), _suggest(name, known))
            names.append(name)
        wiring.append(names)
        previous = layer.name
    return producers, wiring


def _order(spec: Spec, producers: dict, wiring: list[list[str]], sink: Sink) -> list[int]:
    """Layer indices in topological order (Kahn); every cycle is reported once (E013)."""
    count = len(spec.layers)
    waiting = [0] * count
    readers: list[list[int]] = [[] for _ in range(count)]
    for index, names in enumerate(wiring):
        for name in names:
            source = producers.get(name)
            if source is not None and spec.layers[source].name == name:
                waiting[index] += 1
                readers[source].append(index)
    # a heap keeps the file's order among layers that are ready together: a stable, readable walk
    ready = [i for i in range(count) if waiting[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        index = heapq.heappop(ready)
        order.append(index)
        for reader in readers[index]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    if len(order) < count:
        _report_cycles(spec, producers, wiring, waiting, sink)
    return order


def _report_cycles(spec: Spec, producers: dict, wiring, waiting: list[int], sink: Sink) -> None:
    """Follow, from each stuck layer, an input that is stuck too: the path closes into a cycle. Linear."""
    stuck = {i for i, w in enumerate(waiting) if w > 0}
    done: set[int] = set()
    for start in sorted(stuck):
        if start in done:
            continue
        path, seen, index = [], {}, start
        while index is not None and index not in done and index not in seen:
            seen[index] = len(path)
            path.append(index)
            index = next((producers[n] for n in wiring[index] if producers.get(n) in stuck), None)
        done.update(path)
        if index is None or index not in seen:
            continue  # this path leads into a cycle already reported
        cycle = path[seen[index]:]
        first = min(cycle)
        rotate = cycle.index(first)
        cycle = cycle[rotate:] + cycle[:rotate]
        # reported in reading order: a reads b, which reads ..., which reads a
        chain = " -> ".join(spec.layers[i].label for i in cycle + [first])
        layer = spec.layers[first]
        sink_for_layer(layer, sink)(rules.GRAPH_CYCLE,
                                    f"the layers read each other in a cycle: {chain}", layer.where + ("inputs",),
                                    "each reads the next, so no order can compute them: break the cycle, one of "
                                    "these layers must read an earlier tensor")


def _tie(spec: Spec, by_name: dict, sink: Sink) -> None:
    """`tie: {layer: source}`: the layer's weight matrix is the source's, counted once (E019 if sizes differ)."""
    for name, source in spec.ties.items():
        where = ("tie", name)
        layer, origin = by_name.get(name), by_name.get(source)
        for missing, known_as in ((name, layer), (source, origin)):
            if known_as is None:
                sink(rules.UNKNOWN_REFERENCE, f"`tie` names {missing!r}, which is no layer of the model", where,
                     _suggest(missing, by_name))
        if layer is None or origin is None or layer.output is None or origin.output is None:
            continue
        size = layer.output.params - (layer.output.bias[1] if layer.output.bias else 0)
        other = origin.output.params - (origin.output.bias[1] if origin.output.bias else 0)
        if size != other:
            sink(rules.SHARED_WEIGHTS_MISMATCH, f"{layer.label} cannot reuse the weight matrix of {origin.label}: "
                 f"{name}'s has {size:,} values, {source}'s {other:,}", where,
                 "tie layers whose weight matrices have the same shape (an output projection and its embedding)")
            continue
        out = layer.output
        taken = min(out.trainable, size)
        out.trainable -= taken
        out.non_trainable -= size - taken


def _use_recorded(layer: LayerSpec, tensors: dict) -> None:
    """A layer that could not be computed still has an output when the file records it (Keras configs):
    later layers read that shape, while the layer itself stays uncomputed (the totals are a lower bound)."""
    if layer.recorded_shape is not None:
        tensors[layer.name] = Tensor(tuple(layer.recorded_shape), layer.label)


def _config_from(kwargs: dict, defaults: dict) -> dict:
    cfg = {k: (None if v is REQUIRED else v) for k, v in defaults.items()}
    cfg.update(kwargs)
    return cfg


def _recovered(layer: LayerSpec, tensors: dict, shape: tuple | None) -> None:
    """After an error: the output still determined (archlint.recover), else what the file records."""
    if shape is not None:
        tensors[layer.name] = Tensor(shape, layer.label, assumed=True, rows=None)
    else:
        _use_recorded(layer, tensors)


def _after_error(sink: Sink) -> Sink:
    """A layer reading a recovered tensor: E010 on a size the earlier error left unknown is its consequence."""

    def report(rule, message, where=(), hint="", key=False):
        if rule is not rules.UNKNOWN_DIMENSION:
            sink(rule, message, where, hint, key)

    return report


def walk(spec: Spec, sink: Sink) -> Model:
    tensors: dict[str, Tensor | None] = {
        name: Tensor((None,) + tuple(shape), name) for name, shape in spec.inputs.items()
    }
    producers, wiring = _connect(spec, sink)
    walked = [WalkedLayer(layer, names, None) for layer, names in zip(spec.layers, wiring)]
    consumers: dict[str, list[WalkedLayer]] = {name: [] for name in producers}
    by_name = {entry.name: entry for entry in walked if producers.get(entry.name) is not None}
    order = _order(spec, producers, wiring, sink)
    for index in order:
        entry = walked[index]
        for name in entry.inputs:
            consumers.setdefault(name, []).append(entry)
    for index in order:
        entry = walked[index]
        layer = entry.spec
        if producers.get(layer.name) != index:
            continue  # a duplicate name: reported, not applied
        tensors[layer.name] = None
        layer_sink = sink_for_layer(layer, sink)
        shared = by_name.get(layer.shares) if layer.shares else None
        if layer.shares:
            if shared is None or shared.spec.shares:
                layer_sink(rules.UNKNOWN_REFERENCE, f"{layer.label} applies {layer.shares!r}, which is no layer of the "
                           "model" if shared is None else f"{layer.label} applies {layer.shares!r}, itself an `apply:`",
                           layer.where + ("apply",), _suggest(layer.shares, by_name) if shared is None
                           else f"apply {shared.spec.shares!r} directly")
                continue
            layer.type, layer.kwargs, layer.trainable = shared.spec.type, shared.spec.kwargs, shared.spec.trainable
            layer.valid = shared.spec.valid
        in_tensors = [tensors.get(name) for name in entry.inputs]
        layer_type = lookup(spec.framework, layer.type)
        if layer_type is None or any(t is None for t in in_tensors):
            _use_recorded(layer, tensors)
            continue  # an unknown type is a schema finding; a missing input is reported at its cause
        if any(t.assumed for t in in_tensors):
            layer_sink = _after_error(layer_sink)

        def rerun(kwargs: dict, inputs: list[Tensor], layer=layer, layer_type=layer_type) -> Call:
            return Call(layer.type, layer.name, spec.framework, _config_from(kwargs, layer_type.defaults),
                        frozenset(kwargs), inputs, layer.where, recover._quiet, layer.roles)

        if not layer.valid:  # its schema findings are reported: go on with what its other keywords determine
            _recovered(layer, tensors, recover.recover(layer_type, rerun, layer.kwargs, in_tensors, layer.at_fault))
            continue
        if layer.roles and not layer_type.roles:
            layer_sink(rules.INVALID_ARGUMENT, f"{layer.type} takes its inputs as a list, not by role "
                       f"({', '.join(layer.roles)})", layer.where + ("inputs",),
                       "list the tensors it reads: inputs: [a, b]")
            continue
        where = shared.spec.where if shared else layer.where
        call = Call(layer.type, layer.name, spec.framework, _config(layer, layer_type.defaults),
                    frozenset(layer.kwargs), in_tensors, where, layer_sink, layer.roles)
        if not shared:
            _check_unmodelled(layer, layer_type.unmodelled, layer_sink)
        try:
            limits.check_keywords(call)
            elementwise.check_activation_keywords(call)
            output = layer_type.infer(call)
            for shape in output.shape if isinstance(output.shape, list) else [output.shape]:
                limits.check_size(call, tuple(shape))
        except Stop as stop:
            keys = frozenset([stop.key if stop.key in layer.kwargs or stop.key in layer_type.defaults else None])
            _recovered(layer, tensors, recover.recover(layer_type, rerun, layer.kwargs, in_tensors, keys, stop.rule))
            continue
        if output.macs is None:  # a shared layer computes again: its MACs count at every application
            output.macs = cost.layer_macs(layer_type.family, call, output)
        entry.cfg, entry.family = call.cfg, layer_type.family
        if not layer.trainable:
            output.non_trainable += output.trainable
            output.trainable = 0
        if shared:
            if shared.output is not None and shared.output.params != output.params:
                layer_sink(rules.SHARED_WEIGHTS_MISMATCH,
                           f"{layer.label} applies {shared.label} to {format_shape(in_tensors[0].shape)}, "
                           f"but {shared.label} was built for {format_shape(tensors[shared.inputs[0]].shape)}",
                           layer.where + ("inputs",),
                           f"on this input it would need {output.params:,} weights, not its {shared.output.params:,}: "
                           "a shared layer must be applied to inputs of the shape it was built for")
                continue
            output.trainable = output.non_trainable = 0  # the weights are counted once, at the shared layer
        shape = output.shape[0] if isinstance(output.shape, list) else output.shape
        rows = in_tensors[0].rows if output.rows == SAME_ROWS and in_tensors else output.rows
        if any(t.assumed for t in in_tensors):
            # after an earlier error: its own mistakes are reported, its figures and expect: are not results
            tensors[layer.name] = Tensor(tuple(shape), layer.label, output.padding, assumed=True, rows=rows)
            continue
        entry.output = output
        tensors[layer.name] = Tensor(tuple(shape), layer.label, output.padding, rows=rows)
        _check_expect(layer, output, layer_sink)
    _tie(spec, by_name, sink)
    outputs = _outputs(spec, walked, producers, sink)
    _report_unused(spec, walked, producers, consumers, outputs, sink)
    return Model(spec, walked, tensors, outputs, consumers, [walked[i] for i in order])


def _outputs(spec: Spec, walked: list[WalkedLayer], producers: dict, sink: Sink) -> list[str]:
    if not spec.outputs:
        return [walked[-1].name] if walked else list(spec.inputs)
    outputs = []
    for index, name in enumerate(spec.outputs):
        resolved = spec.aliases.get(name, name)
        if resolved not in producers:
            sink(rules.UNKNOWN_OUTPUT, f"the model output {name!r} is no layer or input of the model",
                 ("outputs", index), _suggest(name, list(producers) + list(spec.aliases))
                 or "outputs name layers (by their `name:`), block uses or model inputs")
            continue
        outputs.append(resolved)
    return outputs


def _report_unused(spec: Spec, walked, producers: dict, consumers: dict, outputs: list[str], sink: Sink) -> None:
    """W009: layers and inputs no output depends on. Only the end of a dead branch is reported.

    Without `outputs:` the spec has not said which tensors are results (the last layer is the default
    output, but a side branch may be one too), so only an input that no layer reads is reported.
    """
    if not spec.layers:
        return  # nothing to connect (every block use failed, and is reported)
    if spec.outputs is None:
        for name in spec.inputs:
            if not consumers.get(name):
                sink(rules.UNUSED_LAYER, f"the model input {name!r} is read by no layer",
                     ("inputs", name) if spec.named_inputs else ("input",), "connect it to a layer, or remove it")
        return
    if len(outputs) < len(spec.outputs):
        return  # an unknown output is reported already; what it meant to read is unknown
    by_name = {entry.name: entry for entry in walked}
    reached, stack = set(outputs), list(outputs)
    while stack:
        entry = by_name.get(stack.pop())
        for name in entry.inputs if entry else ():
            if name not in reached:
                reached.add(name)
                stack.append(name)
    names = ", ".join(outputs)
    for name in spec.inputs:
        if name not in reached:
            where = ("inputs", name) if spec.named_inputs else ("input",)
            sink(rules.UNUSED_LAYER, f"the model input {name!r} reaches no model output ({names})",
                 where, "connect it to a layer, or remove it")
    for entry in walked:
        if entry.name in reached or producers.get(entry.name) is None:
            continue
        if any(reader.name not in reached for reader in consumers.get(entry.name, [])):
            continue  # a later layer of the same dead branch is reported instead
        layer = entry.spec
        sink_for_layer(layer, sink)(rules.UNUSED_LAYER,
                                    f"{entry.name} ({layer.type}) reaches no model output ({names})",
                                    layer.where + (("name",) if layer.named else ("type",)),
                                    "list it in `outputs:`, read it from a later layer, or remove it")
