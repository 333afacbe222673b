"""What a converted Keras file adds to the pipeline: positions in the original JSON, the recorded shapes
that carry the walk past unknown layers and are compared with the computed ones, and W018 in place of
the schema's S003 for layer classes archlint does not know.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint import rules
from archlint.sources.keras.converter import Converted
from archlint.loader import Document
from archlint.shapes import format_shape
from archlint.sources.base import ORIGINAL, SourceHooks, converted_document

@dataclass
class KerasSource(SourceHooks):
    converted: Converted
    kind: str  # "Keras 3", "tf.keras 2", ".keras archive"

    def filter(self, sink):
        """The pipeline's sink, with schema findings about unknown classes replaced by one W018 each."""
        unknown = {("layers", index) for index in self.converted.unknown}

        def report(rule, message, where=(), hint="", key=False):
            if rule.code.startswith("S") and tuple(where[:2]) in unknown:
                return  # W018 speaks for the layer; its keywords are the unknown class's own
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
                 f"its weights are not counted, so the totals are a lower bound; {then}",
                 ("layers", index, "type"),
                 "teach archlint the layer with a plugin (entry point group `archlint.layers`, see docs/keras.md), "
                 "or check the counts in Keras")
        self._compare_records(model, sink)

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
