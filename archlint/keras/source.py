"""What a converted Keras file adds to the pipeline: positions in the original JSON, the recorded shapes
that carry the walk past unknown layers and are compared with the computed ones, and W018 in place of
the schema's S003 for layer classes archlint does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from archlint import rules
from archlint.keras.convert import Converted
from archlint.loader import Document
from archlint.shapes import format_shape

# A finding path that starts with this marker is a path in the original JSON, not in the converted data.
ORIGINAL = "\0original"


def _locator(converted: Converted, original: Callable) -> Callable:
    paths = converted.paths

    def locate(where: tuple, key: bool):
        if where and where[0] == ORIGINAL:
            return original(tuple(where[1:]), key)
        for cut in range(len(where), -1, -1):  # the longest converted prefix that has an origin
            if where[:cut] in paths:
                return original(paths[where[:cut]] + tuple(where[cut:]), key)
        return None

    return locate


@dataclass
class KerasSource:
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
                 "teach archlint the layer with a plugin (entry point group `archlint.layers`, see the README), "
                 "or check the counts in Keras")
        by_index = {id(layer.spec): layer for layer in model.layers}
        for index, recorded in self.converted.recorded.items():
            if index >= len(model.spec.layers) or index in self.converted.unknown:
                continue
            walked = by_index.get(id(model.spec.layers[index]))
            if walked is None:
                continue
            if walked.output is not None and recorded.output is not None:
                _compare(sink, f"{walked.name} output", _first(walked.output.shape), recorded.output,
                         recorded.output_at)
            if recorded.inputs and len(recorded.inputs) == len(walked.inputs):
                for name, shape in zip(walked.inputs, recorded.inputs):
                    tensor = model.tensors.get(name)
                    if tensor is not None and shape is not None:
                        _compare(sink, f"{walked.name} input", tensor.shape, shape, recorded.input_at)


def _first(shape):
    return shape[0] if isinstance(shape, list) else shape


def _compare(sink, what: str, computed, recorded, at: tuple) -> None:
    # The batch axis is left out: the native format has no batch size, and no weight depends on it.
    if computed is None or tuple(computed[1:]) == tuple(recorded[1:]):
        return
    sink(rules.RECORDED_SHAPE_MISMATCH,
         f"{what} shape is {format_shape(tuple(computed))} by Keras's rules, but the file records "
         f"{format_shape(tuple(recorded))}",
         (ORIGINAL,) + tuple(at),
         "the config was edited or is stale: save it again from the model, or fix the layer arguments")


@dataclass
class KerasDocument(Document):
    """A converted Keras file: native data, positions resolved in the original JSON."""

    source: KerasSource | None = field(default=None, repr=False)


def make_document(path: str, text: str, converted: Converted, original_locator, kind: str) -> KerasDocument:
    return KerasDocument(path, text, converted.data, "json", _locator(converted, original_locator),
                         KerasSource(converted, kind))
