"""A Keras model config (Keras 3 or tf.keras 2 `to_json()`, a `.keras` archive's config.json) turned
into the data of a native archlint spec, so that the one pipeline checks it.

Nothing is computed here: shapes and counts come from the walk. What the file records (layer input
shapes in `build_config`, tensor shapes in `__keras_tensor__` entries) is kept aside to be compared
with the computed shapes afterwards, and to carry the walk past layers archlint does not know.
Every converted path remembers the original JSON path it came from, for finding positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.layers.keras_ops import PREFIX as OP_PREFIX
from archlint.layers.keras_ops import TENSOR as OP_TENSOR

MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
INPUT_CLASS = "InputLayer"

# Keys of a layer's `config` that become native keys of their own.
MAPPED = {"name": "the layer's name", "trainable": "`trainable: false` freezes the layer"}
# Keys of a layer's `config` dropped on purpose: none changes a shape or a weight count.
DROPPED = {
    "batch_input_shape": "tf.keras 2 input declaration on a first layer: becomes the spec's `input`",
    "batch_shape": "input declaration on a first layer: becomes the spec's `input`",
    "input_shape": "input declaration on a first layer: becomes the spec's `input`",
}
# The keys of an InputLayer's config: its shape becomes the spec's input; the others do not change counts.
INPUT_KEYS = frozenset({"batch_shape", "batch_input_shape", "shape", "dtype", "sparse", "ragged", "name",
                        "optional", "input_tensor"})
# Keys of a model's config besides its layers: the name, freezing, the graph's ends, and what does not count.
MODEL_KEYS = frozenset({"name", "trainable", "layers", "input_layers", "output_layers", "dtype",
                        "build_input_shape"})
# Keys around a layer's config: class, name, graph wiring and the recorded shapes; the rest is bookkeeping.
WRAPPER_KEYS = frozenset({"module", "class_name", "config", "registered_name", "build_config",
                          "compile_config", "name", "inbound_nodes", "keras_version", "backend",
                          "shared_object_id"})


# keras.ops steps: their modules, and how the converted entry names them and their tensor arguments.
OP_MODULES = ("keras.src.ops.", "keras.ops.")
# The native type of one output of a layer with several outputs (archlint.layers.keras_graph).
SELECT = "SelectOutput"
# Keys of a wrapper's config that hold a serialised layer (Bidirectional, TimeDistributed).
WRAPPED = frozenset({"layer", "backward_layer"})


def _is_layer(value) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("class_name"), str)
            and isinstance(value.get("config"), dict))


def keras_2_keyword(layer_type: str, key: str, value):
    """tf.keras 2 spellings of Keras 3 keywords, renamed on purpose (the test lists them)."""
    if layer_type == "LeakyReLU" and key == "alpha":
        return "negative_slope", value
    if layer_type == "BatchNormalization" and key == "axis" and isinstance(value, list) and len(value) == 1:
        return key, value[0]  # a built tf.keras 2 layer stores its axis as a one-element list
    return key, value


class ConversionError(Exception):
    """The file is not a Keras model config archlint can read; carries the original path."""

    def __init__(self, message: str, where: tuple, hint: str = ""):
        super().__init__(message)
        self.message, self.where, self.hint = message, tuple(where), hint


@dataclass
class Recorded:
    """Shapes the file records for one converted layer, each with its original path."""

    output: tuple | None = None
    output_at: tuple = ()
    inputs: list = field(default_factory=list)  # [(shape, original path)] from build_config
    input_at: tuple = ()


@dataclass
class Converted:
    data: dict
    paths: dict  # converted path -> original path (prefixes; the rest of a path is appended)
    recorded: dict  # converted layer index -> Recorded
    unknown: dict  # converted layer index -> (class name, registered name or "")
    masks: frozenset = frozenset()  # native model inputs read as masks only: not unused
    # (tensor a nested model is called on, its InputLayer's batch_shape, original path, nested model name)
    nested_inputs: tuple = ()


def is_model_config(data) -> bool:
    """A Keras model config: a model class (or a custom class whose config has a layer graph)."""
    if not isinstance(data, dict) or "archlint" in data or not isinstance(data.get("config"), dict):
        return False
    config = data["config"]
    return data.get("class_name") in MODEL_CLASSES or (
        isinstance(config.get("layers"), list) and "input_layers" in config)


def _is_model(layer: dict) -> bool:
    config = layer.get("config")
    return isinstance(config, dict) and isinstance(config.get("layers"), list) and (
        layer.get("class_name") in MODEL_CLASSES or "input_layers" in config)


def _shape(value) -> tuple | None:
    if isinstance(value, list) and all(v is None or (isinstance(v, int) and not isinstance(v, bool))
                                       for v in value):
        return tuple(value)
    return None


def _refs(node, where: tuple) -> list:
    """The tensors a call reads, in order: [(layer, node index, tensor index, shape, original path)].

    Keras 3: {"args": [...], "kwargs": {...}} holding `__keras_tensor__` entries (a merge takes a list).
    tf.keras 2: [["layer", node_index, tensor_index, {kwargs}], ...].
    """
    found: list = []

    def visit(value, path):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__" and isinstance(value.get("config"), dict):
                history = value["config"].get("keras_history")
                if not (isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)):
                    raise ConversionError("a __keras_tensor__ has no valid keras_history", path + ("config",),
                                          "keras_history is [layer name, node index, tensor index]")
                found.append((history[0], history[1], history[2], _shape(value["config"].get("shape")),
                              path + ("config", "shape")))
                return
            for key, item in value.items():
                visit(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, path + (index,))

    if isinstance(node, dict):
        visit(node.get("args", []), where + ("args",))
        kwargs = node.get("kwargs", {})
        if isinstance(kwargs, dict):  # attention called by keyword: Keras's call order is (query, value, key)
            roles = [k for k in ("query", "value", "key") if k in kwargs]
            kwargs = {**{k: kwargs[k] for k in roles}, **{k: v for k, v in kwargs.items() if k not in roles}}
        if isinstance(kwargs, dict):  # a mask is no input of the layer: it changes no shape or count
            kwargs = {k: v for k, v in kwargs.items() if not _is_mask(k)}
        visit(kwargs, where + ("kwargs",))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if (isinstance(item, list) and len(item) >= 3 and isinstance(item[0], str)
                    and isinstance(item[1], int) and isinstance(item[2], int)):
                found.append((item[0], item[1], item[2], None, where + (index,)))
            else:
                raise ConversionError("an inbound node entry is not [layer, node index, tensor index, kwargs]",
                                      where + (index,), "tf.keras 2 writes inbound nodes as [[\"layer\", 0, 0, {}]]")
    else:
        raise ConversionError("an inbound node is neither a Keras 3 call nor a tf.keras 2 list", where)
    return found


def _is_op(layer: dict) -> bool:
    """A `keras.ops` step recorded in a functional config (module keras.src.ops.numpy, ...)."""
    module = layer.get("module")
    nodes = layer.get("inbound_nodes")
    return (isinstance(module, str) and module.startswith(OP_MODULES) and isinstance(nodes, list) and bool(nodes)
            and isinstance(nodes[0], dict))


def _op_args(node: dict) -> list:
    """An op call's positional arguments, each tensor replaced by {"__tensor__": its input index}."""
    count = 0

    def value(item):
        nonlocal count
        if isinstance(item, dict) and item.get("class_name") == "__keras_tensor__":
            count += 1
            return {OP_TENSOR: count - 1}
        if isinstance(item, list):
            return [value(v) for v in item]
        return item

    args = node.get("args", [])
    return value(args) if isinstance(args, list) else []


def _needed(pending: list, output_layers) -> list:
    """The calls the model's outputs depend on through real inputs: a layer read only as a mask (the
    NotEqual of an Embedding with mask_zero=True) computes nothing the model outputs."""
    try:
        wanted = {end[0] for end in _ends(output_layers, ())}
    except ConversionError:
        return pending
    reads: dict = {}
    for entry in pending:
        name = entry[1].get("name") if isinstance(entry[1].get("name"), str) else entry[1]["config"].get("name")
        reads.setdefault(name, set()).update(r[0] for r in entry[3])
    stack = list(wanted)
    while stack:
        for source in reads.get(stack.pop(), ()):
            if source not in wanted:
                wanted.add(source)
                stack.append(source)
    return [entry for entry in pending
            if (entry[1].get("name") if isinstance(entry[1].get("name"), str) else entry[1]["config"].get("name"))
            in wanted]


def _is_mask(key) -> bool:
    """Keyword arguments of a call that hold masks (`mask`, MultiHeadAttention's `attention_mask`, ...)."""
    return isinstance(key, str) and (key == "mask" or key.endswith("_mask"))


def _ends(value, where: tuple) -> list:
    """input_layers / output_layers: one [name, node, tensor], a list of them, or a mapping of them by key
    (a model called with dicts, `keras.Model({"x": x}, {"y": y})`: the values in the file's order)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return [tuple(value)]
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) for v in value):
        return [tuple(v) for v in value]
    raise ConversionError("the model's input_layers or output_layers are not [layer, node index, tensor index]",
                          where)


class _Converter:
    def __init__(self, lookup):
        self.lookup = lookup  # (class name) -> bool: archlint knows the layer class
        self.layers: list[dict] = []
        self.paths: dict = {(): ()}
        self.recorded: dict[int, Recorded] = {}
        self.unknown: dict = {}
        self.inputs: dict = {}  # native input name -> shape without batch
        self.index_of: dict[str, int] = {}  # native tensor name -> converted layer index
        self.names: set[str] = set()
        self.previous: str | None = None  # the tensor a layer reads by default: the last entry's
        self.single_input = True
        self.again = 0  # the call index of a nested model applied again, 0 on its first call
        self.first_of: dict[int, str] = {}  # id of a layer's JSON -> the native entry of its first call
        self.entries: dict[str, dict] = {}  # native tensor name -> its entry
        self.masks: set[str] = set()  # model inputs read as masks (no layer input reads them)
        self.nested_inputs: list = []  # see Converted.nested_inputs

    # ------------------------------------------------------------ inputs and recorded shapes

    def add_input(self, keras_name: str, shape, where: tuple) -> str:
        shape_t = _shape(shape)
        if shape_t is None or not shape_t:
            raise ConversionError(f"the input {keras_name!r} has no valid shape ({shape!r})", where,
                                  "the shape is [null, size, ...] with the batch axis first")
        name = "input" if self.single_input else keras_name
        self.inputs[name] = list(shape_t[1:])
        self.paths[("input",) if self.single_input else ("inputs", name)] = where
        self.names.add(name)
        if self.previous is None:
            self.previous = name
        return name

    def record_output(self, tensor: str, shape, where: tuple) -> None:
        index = self.index_of.get(tensor)
        if index is None or shape is None:
            return
        recorded = self.recorded.setdefault(index, Recorded())
        if recorded.output is None:
            recorded.output, recorded.output_at = shape, where

    # ------------------------------------------------------------ layers

    def unique(self, name: str) -> str:
        base, count = name, 1
        while name in self.names:
            name, count = f"{base}_{count}", count + 1
        self.names.add(name)
        return name

    def emit(self, entry: dict, where: tuple, paths: dict) -> int:
        index = len(self.layers)
        self.layers.append(entry)
        self.paths[("layers", index)] = where
        for key, original in paths.items():
            self.paths[("layers", index) + (key if isinstance(key, tuple) else (key,))] = original
        self.index_of[entry["name"]] = index
        self.entries[entry["name"]] = entry
        self.previous = entry["name"]
        return index

    def layer(self, layer: dict, where: tuple, scope: str, inputs: list, trainable: bool) -> str:
        """One layer's first call as a native entry; returns the name of its output tensor. While a nested
        model is applied again (`self.again`), its layers are applications of their first call's entries."""
        if self.again and id(layer) in self.first_of:
            return self.apply_again(self.first_of[id(layer)], self.again, inputs, where + ("inbound_nodes",))
        layer_type = layer.get("class_name")
        config = layer.get("config")
        if not isinstance(layer_type, str) or not isinstance(config, dict):
            raise ConversionError("a layer needs a `class_name` and a `config` mapping", where)
        keras_name = config.get("name") if isinstance(config.get("name"), str) else layer.get("name")
        name = self.unique(scope + (keras_name if isinstance(keras_name, str) else layer_type.lower()))
        op = _is_op(layer)
        if op:
            layer_type = OP_PREFIX + layer_type
        entry: dict = {"type": layer_type, "name": name}
        paths = {"type": where + ("class_name",), "name": where + ("config", "name")}
        if op:
            entry["args"] = _op_args(layer["inbound_nodes"][0])
            paths["args"] = where + ("inbound_nodes", 0, "args")
        if inputs != [self.previous]:
            entry["inputs"] = list(inputs)
            paths["inputs"] = where + ("inbound_nodes",)
        self.keywords(layer_type, config, where, entry, paths)
        if not (trainable and config.get("trainable", True) is not False):
            entry["trainable"] = False
            paths["trainable"] = where + ("config", "trainable") if "trainable" in config else where
        index = self.emit(entry, where, paths)
        self.first_of[id(layer)] = name
        build_shape = (layer.get("build_config") or {}).get("input_shape") if isinstance(
            layer.get("build_config"), dict) else None
        if build_shape is not None:
            shapes = build_shape if build_shape and all(isinstance(s, list) for s in build_shape) else [build_shape]
            at = where + ("build_config", "input_shape")
            self.recorded.setdefault(index, Recorded()).inputs = [_shape(s) for s in shapes]
            self.recorded[index].input_at = at
        if not self.lookup(layer_type):
            self.unknown[index] = (layer_type, layer.get("registered_name") or "")
        return name

    def keywords(self, layer_type: str, config: dict, where: tuple, entry: dict, paths: dict, inner=()) -> None:
        """A layer's config keys as native keywords; a wrapped layer (`layer`, `backward_layer`) becomes a
        nested layer mapping, converted the same way."""
        for key, value in config.items():
            if key in MAPPED or key in DROPPED or (key == "time_major" and value is False):
                continue  # time_major: false is tf.keras 2's batch-major default, the only layout Keras 3 has
            new_key, value = keras_2_keyword(layer_type, key, value)
            if key in WRAPPED and _is_layer(value):
                value = self.nested(value, where + ("config", key), paths, inner + (new_key,))
            entry[new_key] = value
            paths[inner + (new_key,) if inner else new_key] = where + ("config", key)

    def nested(self, layer: dict, where: tuple, paths: dict, inner: tuple) -> dict:
        """A wrapped layer's serialisation as a nested layer mapping {type: LSTM, units: ..., ...}."""
        layer_type, config = layer["class_name"], layer["config"]
        entry: dict = {"type": layer_type}
        paths[inner] = where
        paths[inner + ("type",)] = where + ("class_name",)
        self.keywords(layer_type, config, where, entry, paths, inner)
        if config.get("trainable", True) is False:
            entry["trainable"] = False
            paths[inner + ("trainable",)] = where + ("config", "trainable")
        return entry

    def select(self, tensor: str, position: int, where: tuple) -> str:
        """Output `position` of a layer with several outputs (an LSTM's states with return_state=True): an
        entry that applies the producer's keywords to the producer's inputs and keeps that output. Its
        weights are the producer's, counted there."""
        entry = self.entries.get(tensor)
        if entry is None:  # a model input has one tensor
            raise ConversionError(f"{tensor!r} has a single output, but tensor {position} of it is read", where,
                                  "the config is damaged or edited: keras_history is [layer, node, tensor index]")
        source = self.entries.get(entry["apply"], entry) if "apply" in entry else entry
        inner = {k: v for k, v in source.items() if k not in ("name", "inputs", "trainable", "apply")}
        name = self.unique(f"{tensor}:{position}")
        selected = {"type": SELECT, "name": name, "index": position, "layer": inner,
                    "inputs": list(entry.get("inputs") or [self.previous_of(tensor)])}
        self.emit(selected, where, {"type": where, "index": where, "inputs": where})
        return name

    def previous_of(self, tensor: str) -> str:
        """The tensor a native entry reads when it lists no inputs: the entry before it."""
        index = self.index_of[tensor]
        return self.layers[index - 1]["name"] if index else next(iter(self.inputs))

    def apply_again(self, first: str, call: int, inputs: list, where: tuple) -> str:
        """A later call of a shared layer: its weights are the first call's, counted once."""
        name = self.unique(f"{first}@{call}")
        entry = {"apply": first, "name": name, "inputs": list(inputs)}
        self.emit(entry, where, {"apply": where, "inputs": where})
        return name

    # ------------------------------------------------------------ models

    def model(self, node: dict, where: tuple, scope: str, bound: list | None, trainable: bool,
              build_shape=None) -> list[str]:
        config = node.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConversionError("the model config has no `layers` list", where + ("config",))
        trainable = trainable and config.get("trainable", True) is not False
        if "input_layers" in config or node.get("class_name") in ("Functional", "Model"):
            return self.functional(config, where + ("config",), scope, bound, trainable)
        return self.sequential(node, where, scope, bound, trainable, build_shape)

    def sequential(self, node: dict, where: tuple, scope: str, bound, trainable: bool, build_shape) -> list[str]:
        config = node["config"]
        layers = config["layers"]
        cwhere = where + ("config",)
        body = list(enumerate(layers))
        if bound:
            current = bound[0]
            if body and isinstance(body[0][1], dict) and body[0][1].get("class_name") == INPUT_CLASS:
                self.expect_input(current, body[0][1], cwhere + ("layers", body[0][0]), scope)
                body = body[1:]
        else:
            current = None
            first = layers[0] if layers and isinstance(layers[0], dict) else {}
            first_config = first.get("config") if isinstance(first.get("config"), dict) else {}
            lwhere = cwhere + ("layers", 0, "config")
            for key in ("batch_shape", "batch_input_shape"):
                if key in first_config:
                    current = self.add_input(first_config.get("name", "input"), first_config[key], lwhere + (key,))
                    break
            if first.get("class_name") == INPUT_CLASS:
                body = body[1:]
                if current is None:
                    raise ConversionError("the InputLayer has no batch_shape", lwhere)
            if current is None:
                for shape, at in ((config.get("build_input_shape"), cwhere + ("build_input_shape",)),
                                  (build_shape, where + ("build_config", "input_shape"))):
                    if shape is not None:
                        current = self.add_input("input", shape, at)
                        break
            if current is None:
                raise ConversionError("the Sequential model records no input shape (it was never built)", cwhere,
                                      "build the model before saving it (give it an Input or call model.build)")
        for index, layer in body:
            lwhere = cwhere + ("layers", index)
            if not isinstance(layer, dict):
                raise ConversionError("a layer entry is not a mapping", lwhere)
            build = layer.get("build_config") if isinstance(layer.get("build_config"), dict) else {}
            if _shape(build.get("input_shape")) is not None:  # what the previous layer produced
                self.record_output(current, _shape(build["input_shape"]), lwhere + ("build_config", "input_shape"))
            if _is_model(layer):
                outs = self.model(layer, lwhere, self.scope_of(layer, scope), [current], trainable)
                current = outs[0]
            else:
                current = self.layer(layer, lwhere, scope, [current], trainable)
        return [current]

    def expect_input(self, tensor: str, layer: dict, where: tuple, scope: str) -> None:
        """A nested model's InputLayer: the shape it accepts, checked against the tensor it is called on."""
        config = layer.get("config") if isinstance(layer.get("config"), dict) else {}
        for key in ("batch_shape", "batch_input_shape"):
            shape = _shape(config.get(key))
            if shape:
                self.nested_inputs.append((tensor, shape, where + ("config", key), scope.rstrip(".")))
                return

    def scope_of(self, layer: dict, scope: str) -> str:
        config = layer.get("config") or {}
        name = config.get("name") if isinstance(config.get("name"), str) else layer.get("name")
        return f"{scope}{name if isinstance(name, str) else 'model'}."

    def functional(self, config: dict, cwhere: tuple, scope: str, bound, trainable: bool) -> list[str]:
        layers = config["layers"]
        by_name: dict = {}
        for index, layer in enumerate(layers):
            if not isinstance(layer, dict):
                raise ConversionError("a layer entry is not a mapping", cwhere + ("layers", index))
            lconfig = layer.get("config") if isinstance(layer.get("config"), dict) else {}
            name = layer.get("name") if isinstance(layer.get("name"), str) else lconfig.get("name")
            if not isinstance(name, str):
                raise ConversionError("a layer has no name", cwhere + ("layers", index))
            by_name[name] = (index, layer)
        tensors: dict = {}  # (keras layer, node index, tensor index) -> native tensor name
        input_ends = _ends(config.get("input_layers"), cwhere + ("input_layers",))
        if bound is None:
            self.single_input = len(input_ends) == 1
        for position, (name, _node, _tensor) in enumerate(input_ends):
            if name not in by_name:
                raise ConversionError(f"the model input {name!r} is no layer of the model", cwhere + ("input_layers",))
            index, layer = by_name[name]
            if bound is not None:
                if position >= len(bound):
                    raise ConversionError("a nested model is called with fewer tensors than it has inputs",
                                          cwhere + ("input_layers",))
                tensors[(name, 0, 0)] = bound[position]
                self.expect_input(bound[position], layer, cwhere + ("layers", index), scope)
                continue
            lconfig = layer.get("config") if isinstance(layer.get("config"), dict) else {}
            key = "batch_shape" if "batch_shape" in lconfig else "batch_input_shape"
            tensors[(name, 0, 0)] = self.add_input(name, lconfig.get(key),
                                                  cwhere + ("layers", index, "config", key))
        pending = []
        for index, layer in enumerate(layers):
            if layer.get("class_name") == INPUT_CLASS:
                continue
            nodes = layer.get("inbound_nodes")
            if not isinstance(nodes, list) or not nodes:
                continue  # a layer the model does not call: Keras builds no node for it either
            for call, node in enumerate(nodes):
                where = cwhere + ("layers", index, "inbound_nodes", call)
                pending.append((index, layer, call, _refs(node, where), where))
                if isinstance(node, dict) and isinstance(node.get("kwargs"), dict):
                    masks = {k: v for k, v in node["kwargs"].items() if _is_mask(k)}
                    self.masks.update(tensors[(r[0], r[1], r[2])] for r in _refs({"args": masks}, where)
                                      if (r[0], r[1], r[2]) in tensors)  # model inputs read as masks
        pending = _needed(pending, config.get("output_layers"))
        first_name: dict = {}
        shapes: list = []  # recorded tensor shapes, applied once their producers are converted
        while pending:
            remaining = []
            for index, layer, call, refs, where in pending:
                keys = [(r[0], r[1], r[2]) for r in refs]
                for key, ref in zip(keys, refs):
                    if key not in tensors and key[2] > 0 and (key[0], key[1], 0) in tensors:
                        tensors[key] = self.select(tensors[(key[0], key[1], 0)], key[2], ref[4])
                if not all(k in tensors for k in keys):
                    remaining.append((index, layer, call, refs, where))
                    continue
                inputs = [tensors[k] for k in keys]
                shapes.extend((tensors[k], r[3], r[4]) for k, r in zip(keys, refs))
                lwhere = cwhere + ("layers", index)
                name = layer.get("name") if isinstance(layer.get("name"), str) else layer["config"].get("name")
                if _is_model(layer):
                    # a nested model called again (siamese towers) applies its first call's layers again
                    again, self.again = self.again, call if call > 0 else self.again
                    try:
                        outs = self.model(layer, lwhere, self.scope_of(layer, scope), inputs, trainable)
                    finally:
                        self.again = again
                    for t, out in enumerate(outs):
                        tensors[(name, call, t)] = out
                elif call == 0:
                    first_name[name] = self.layer(layer, lwhere, scope, inputs, trainable)
                    tensors[(name, 0, 0)] = first_name[name]
                else:
                    tensors[(name, call, 0)] = self.apply_again(self.first_of.get(id(layer), first_name[name]),
                                                                call, inputs, where)
            if len(remaining) == len(pending):
                index, layer, call, refs, where = remaining[0]
                missing = next(r for r in refs if (r[0], r[1], r[2]) not in tensors)
                raise ConversionError(
                    f"layer {layer.get('name')!r} reads {missing[0]!r} (node {missing[1]}, tensor {missing[2]}), "
                    "which no layer of the model produces", missing[4][:-1] + ("keras_history",)
                    if missing[4][-1] == "shape" else missing[4],
                    "the config is damaged or edited: every keras_history must name a layer's call")
            pending = remaining
        for tensor, shape, at in shapes:
            self.record_output(tensor, shape, at)
        outputs = []
        for name, node, tensor in _ends(config.get("output_layers"), cwhere + ("output_layers",)):
            if name in by_name and _is_model(by_name[name][1]) and by_name[name][1].get("class_name") != "Sequential":
                node -= 1  # a nested functional model counts its own construction as node 0 (Keras's loader too)
            if (name, node, tensor) not in tensors:
                raise ConversionError(f"the model output {name!r} (node {node}, tensor {tensor}) is not produced "
                                      "by the model's layers", cwhere + ("output_layers",))
            outputs.append(tensors[(name, node, tensor)])
        return outputs


def convert(data: dict, lookup) -> Converted:
    """Convert a Keras model config (checked with is_model_config) into native spec data.

    `lookup(class_name)` says whether archlint knows a Keras layer class. Raises ConversionError.
    """
    converter = _Converter(lookup)
    build = data.get("build_config") if isinstance(data.get("build_config"), dict) else {}
    outputs = converter.model(data, (), "", None, True, build.get("input_shape"))
    config = data["config"]
    native: dict = {"archlint": 1, "name": str(config.get("name") or ""), "framework": "keras"}
    converter.paths[("name",)] = ("config", "name")
    if converter.single_input:
        native["input"] = next(iter(converter.inputs.values()))
    else:
        native["inputs"] = converter.inputs
    native["layers"] = converter.layers
    if not converter.layers:
        raise ConversionError("the model has no layers besides its inputs", ("config", "layers"))
    if outputs != [converter.layers[-1]["name"]]:
        native["outputs"] = outputs
        converter.paths[("outputs",)] = ("config", "output_layers")
    return Converted(native, converter.paths, converter.recorded, converter.unknown, frozenset(converter.masks),
                     tuple(converter.nested_inputs))
