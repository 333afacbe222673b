"""What a converted Keras file adds to the pipeline: positions in the original JSON, the recorded shapes
that carry the walk past unknown layers and are compared with the computed ones, and W018 in place of
the schema's S003 for layer classes archlint does not know.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint import rules
from archlint.loader import Document
from archlint.shapes import format_shape
from archlint.sources.base import ORIGINAL, SourceHooks, converted_document
from archlint.sources.keras.converter import Converted

# Keras layers whose build sets an input spec on the axis their weights read (the channels, the features):
# called on another size, they refuse; the other layers are built from the record and fail when run.
INPUT_SPEC_TYPES = frozenset({"Dense", "BatchNormalization", "GroupNormalization"})  # and every convolution


@dataclass
class KerasSource(SourceHooks):
    converted: Converted
    kind: str  # "Keras 3", "tf.keras 2", ".keras archive"

    def filter(self, sink):
        """The pipeline's sink, with schema findings about unknown classes replaced by one W018 each."""
        unknown = {("layers", index) for index in self.converted.unknown}
        masks = {("inputs", name) for name in self.converted.masks}

        def report(rule, message, where=(), hint="", key=False):
            if rule.code.startswith("S") and tuple(where[:2]) in unknown:
                return  # W018 speaks for the layer; its keywords are the unknown class's own
            if rule is rules.UNUSED_LAYER and tuple(where) in masks:
                return  # a model input read as a mask (attention_mask=...): used, though by no layer input
            sink(rule, message, where, hint, key)

        return report

    def annotate(self, spec) -> None:
        """Give the walk the shapes the file records, used where archlint cannot compute a layer."""
        for index, recorded in self.converted.recorded.items():
            if index < len(spec.layers) and recorded.output is not None:
                spec.layers[index].recorded_shape = recorded.output

    def check(self, model, sink) -> None:
        """W018 for unknown classes, W019 where the file records a shape the walk does not compute."""
        for index, (class_name, registered) in self.converted.unknown.items():
            layer = model.spec.layers[index] if index < len(model.spec.layers) else None
            recorded = self.converted.recorded.get(index)
            shape = recorded.output if recorded else None
            then = (f"the walk continues with the shape the file records, {format_shape(shape)}" if shape
                    else "the file records no output shape for it, so the layers after it are not computed")
            also = f" (registered as {registered!r})" if registered and registered != class_name else ""
            sink(rules.UNKNOWN_KERAS_LAYER,
                 f"unknown Keras layer class {class_name!r}{also} in layer {layer.name if layer else index!r}: "
                 "its weights are not counted",
                 ("layers", index, "type"),
                 f"the totals are a lower bound; {then}. Teach archlint the layer with a plugin (entry point group "
                 "`archlint.layers`, see docs/keras.md), or check the counts in Keras")
        self._compare_records(model, sink)
        self._compare_builds(model, sink)
        self._check_nested_inputs(model, sink)

    def _compare_builds(self, model, sink) -> None:
        """E040 where a layer's `build_config` input shape makes other weights than the input it receives:
        Keras builds the layer from the record when loading, then refuses the call (its input_spec, or the
        kernel's matmul). A record that differs without changing the weights (a larger image for a Conv2D,
        an extra axis for a Dense) is accepted by Keras and left to W019. Reported once per cause: not at
        the layers that read a refused layer's output."""
        from archlint.layers.registry import Call, Stop, Tensor, lookup

        walked = {id(layer.spec): layer for layer in model.layers}
        refused: set = set()
        for index, recorded in sorted(self.converted.recorded.items()):
            layer = walked.get(id(model.spec.layers[index])) if index < len(model.spec.layers) else None
            if layer is None or layer.output is None or layer.cfg is None or layer.spec.shares:
                continue
            if any(name in refused for name in layer.inputs):
                refused.add(layer.name)
                continue
            shapes = recorded.inputs
            actual = [model.tensors.get(name) for name in layer.inputs]
            if (not shapes or len(shapes) != len(actual) or any(s is None for s in shapes)
                    or any(t is None for t in actual)
                    or all(tuple(s[1:]) == tuple(t.shape[1:]) for s, t in zip(shapes, actual))):
                continue
            layer_type = lookup("keras", layer.spec.type)
            call = Call(layer.spec.type, layer.name, "keras", dict(layer.cfg), frozenset(layer.spec.kwargs),
                        [Tensor(tuple(s), name) for s, name in zip(shapes, layer.inputs)], (), _quiet)
            try:
                built = layer_type.infer(call)
            except Stop:
                continue
            if built.params == layer.output.params:
                continue
            refused.add(layer.name)
            got = ", ".join(format_shape(t.shape) for t in actual)
            want = ", ".join(format_shape(tuple(s)) for s in shapes)
            checked = layer.spec.type in INPUT_SPEC_TYPES or layer.family == "conv"
            sink(rules.KERAS_BUILT_FOR_OTHER_INPUT if checked else rules.KERAS_STALE_BUILD,
                 f"{layer.name} ({layer.spec.type}) was built for input {want} but receives {got}",
                 (ORIGINAL,) + tuple(recorded.input_at),
                 f"the record's {built.params:,} weights do not fit the input, which needs "
                 f"{layer.output.params:,}: " + (
                     "Keras builds the layer from the record and its input check refuses the call when loading "
                     "the file" if checked else "Keras loads the file, but the forward pass fails") +
                 "; the config was edited or is stale: save it again from the model, or restore the input shape "
                 "the layer was built for")

    def _check_nested_inputs(self, model, sink) -> None:
        """E041 where a nested model is called on a tensor its InputLayer does not accept: Keras checks
        the known axes of the call against the nested model's `batch_shape` (its input spec, `_accepts`)."""
        for tensor, shape, where, nested in self.converted.nested_inputs:
            actual = model.tensors.get(tensor)
            if actual is None:
                continue
            got = tuple(actual.shape)
            if _accepts(tuple(shape), got):
                continue
            sink(rules.KERAS_NESTED_INPUT_MISMATCH,
                 f"the nested model {nested!r} takes inputs of shape {format_shape(tuple(shape))} but is called on "
                 f"{format_shape(got)}",
                 (ORIGINAL,) + tuple(where),
                 f"Keras refuses the call when loading the file (expected shape={format_shape(tuple(shape))}, found "
                 f"shape={format_shape(got)}); the nested model's input layer must match what it is called on: fix "
                 "its batch_shape, or the layers before the call")


    def _compare_records(self, model, sink) -> None:
        """W019 once per cause: at the first layer whose computed output differs from the file's record
        while its own inputs agree with theirs (what follows it differs because of it)."""
        records: dict = {}  # tensor name -> (recorded shape, original path)
        layers = model.spec.layers
        for index, recorded in self.converted.recorded.items():
            if index < len(layers) and recorded.output is not None:
                records[layers[index].name] = (recorded.output, recorded.output_at)
        walked = {id(layer.spec): layer for layer in model.layers}
        for index, recorded in self.converted.recorded.items():
            layer = walked.get(id(layers[index])) if index < len(layers) else None
            if layer is not None and len(recorded.inputs) == len(layer.inputs):
                for name, shape in zip(layer.inputs, recorded.inputs):
                    if shape is not None:
                        records.setdefault(name, (shape, recorded.input_at))

        def differs(name: str) -> bool:
            tensor = model.tensors.get(name)
            return name in records and tensor is not None and tuple(tensor.shape[1:]) != tuple(records[name][0][1:])

        for index, layer in enumerate(model.layers):
            if index in self.converted.unknown or layer.output is None or not differs(layer.name):
                continue
            if any(differs(name) for name in layer.inputs):
                continue  # the cause is upstream, and reported there
            shape, at = records[layer.name]
            sink(rules.RECORDED_SHAPE_MISMATCH,
                 f"{layer.name} output shape is {format_shape(model.tensors[layer.name].shape)} by Keras's rules, "
                 f"but the file records {format_shape(tuple(shape))}",
                 (ORIGINAL,) + tuple(at),
                 "the config was edited or is stale: save it again from the model, or fix the layer's arguments")


def make_document(original: Document, converted: Converted, kind: str) -> Document:
    return converted_document(original, converted.data, converted.paths, KerasSource(converted, kind))


def _accepts(spec: tuple, shape: tuple) -> bool:
    """Keras's check of a call of a nested functional model: a last axis of size 1 is dropped from either
    shape (a squeezed channel), then every axis both shapes have and both know must agree (the batch is
    never compared); a difference of rank alone is accepted."""
    spec, shape = spec[1:], shape[1:]
    if spec and spec[-1] == 1:
        spec = spec[:-1]
    if shape and shape[-1] == 1:
        shape = shape[:-1]
    return all(a is None or b is None or a == b for a, b in zip(spec, shape))


def _quiet(*args, **kwargs) -> None:
    """A sink for a rule applied to a recorded shape only to count its weights."""
