"""Test-side builders for graph specs: branches, merges, several inputs and outputs, `apply:`, `tie:`.

builders.py rebuilds a chain of layers; this rebuilds any walked archlint model as the framework's
own graph, from what the walk recorded (each layer's input names, the spec's inputs and outputs):

- Keras: a functional `keras.Model`, one `keras.Input` per spec input, each layer called on its input
  tensors (merges such as `Add` and `Concatenate` on the list of them). An `apply:` calls the same
  layer object again; a `tie:` makes the layer use the source's variable (transposed where the
  matrices are transposes of each other, as a Dense output projection of an Embedding is).
- PyTorch: `GraphModule`, an nn.Module holding the real modules in an nn.ModuleDict and running them
  in topological order; the functional steps (`torch.add`, `torch.cat`, ...) are the torch functions
  called with the spec's keyword arguments. An `apply:` calls the same module again; a `tie:` assigns
  the source's Parameter (`head.weight = embedding.weight`, the usual torch weight tying).

Per layer, counts are the weights the layer holds that no other layer owns: an `apply:` entry owns
none, and a tied layer does not own the tied matrix. Both are decided by object identity in the real
framework, so "counted once" is what the framework says, not what archlint assumes. Totals are the
framework's own deduplicated counts (`Model.count_params()`, `Module.parameters()`).
"""

from __future__ import annotations

from builders import BATCH, TORCH_INPUT_SIZE, Row, import_keras

from archlint.layers.registry import lookup


def is_graph(model) -> bool:
    """Anything builders.py's chains cannot build: several inputs or outputs, a layer that does not
    read the previous one, a shared or tied layer, a merge or functional step."""
    spec = model.spec
    if len(spec.inputs) != 1 or spec.ties or (spec.outputs and model.outputs != [model.layers[-1].name]):
        return True
    previous = next(iter(spec.inputs))
    for layer in model.layers:
        family = getattr(lookup(spec.framework, layer.spec.type), "family", None)
        if layer.inputs != [previous] or layer.spec.shares or family == "merge":
            return True
        previous = layer.name
    return False


def topological(model) -> list:
    """The layers in an order where every input is computed first (the spec may name later layers)."""
    by_name = {layer.name: layer for layer in model.layers}
    done, order = set(model.spec.inputs), []

    def visit(layer):  # iterative, so deep models do not hit Python's recursion limit
        stack = [(layer, False)]
        while stack:
            entry, expanded = stack.pop()
            if entry.name in done:
                continue
            if expanded:
                done.add(entry.name)
                order.append(entry)
                continue
            stack.append((entry, True))
            stack.extend((by_name[name], False) for name in entry.inputs if name not in done)

    for layer in model.layers:
        visit(layer)
    return order


def _is_merge(model, layer) -> bool:
    return getattr(lookup(model.spec.framework, layer.spec.type), "family", None) == "merge"


def _integer_inputs(model) -> dict:
    """Inputs read by an Embedding hold indices: name -> the smallest vocabulary reading it."""
    vocab = {}
    for layer in model.layers:
        size = layer.spec.kwargs.get("input_dim", layer.spec.kwargs.get("num_embeddings"))
        if layer.spec.type == "Embedding" and size:
            for name in layer.inputs:
                if name in model.spec.inputs:
                    vocab[name] = min(size, vocab.get(name, size))
    return vocab


def _sample_inputs(model, make_ints, make_floats) -> list:
    vocab = _integer_inputs(model)
    return [make_ints(vocab[name], (BATCH,) + tuple(shape)) if name in vocab else make_floats((BATCH,) + tuple(shape))
            for name, shape in model.spec.inputs.items()]


def _own(weights, others: set) -> tuple[int, int]:
    """(trainable, non-trainable) element counts of the weights not in `others` (ids), each counted once."""
    seen, counts = set(others), [0, 0]
    for weight, trainable in weights:
        if id(weight) not in seen:
            seen.add(id(weight))
            counts[0 if trainable else 1] += _size(weight)
    return counts[0], counts[1]


def _flat(out) -> list:
    """A layer's outputs, flattened as archlint lists them: torch's (output, (h_n, c_n)) -> 3 tensors."""
    if isinstance(out, (list, tuple)):
        return [t for item in out for t in _flat(item)]
    return [out]


def _shape(out):
    """One output: its shape; several (return_state, torch's RNN tuples): the list of their shapes."""
    shapes = [tuple(t.shape) for t in _flat(out)]
    return shapes[0] if len(shapes) == 1 else shapes


def _with_batch(shape):
    """archlint's shape with its unknown batch (None) as the batch of the forward pass."""
    if isinstance(shape, list):
        return [_with_batch(s) for s in shape]
    return tuple(BATCH if d is None else d for d in shape)


def _size(variable) -> int:
    n = 1
    for d in variable.shape:
        n *= d
    return n


# --- Keras ---------------------------------------------------------------------------------------

def _keras_tied(keras, cls, source):
    """A subclass of the tied layer whose kernel is the source layer's matrix (a real shared variable)."""

    class Tied(cls):
        def build(self, input_shape):
            super().build(input_shape)
            own = self._kernel
            matrix = source.weights[0]
            if tuple(matrix.shape) == tuple(own.shape):
                self._tied = lambda: matrix
            elif tuple(matrix.shape) == tuple(own.shape)[::-1]:
                self._tied = lambda: keras.ops.transpose(matrix)
            else:
                raise NotImplementedError(f"tie of {tuple(own.shape)} to {tuple(matrix.shape)}: not a transpose")
            self._untrack_variable(own)  # the layer no longer holds a matrix of its own

        @property
        def kernel(self):
            return self._tied()

    Tied.__name__ = cls.__name__
    return Tied


def build_keras_graph(model):
    """(functional keras.Model of the spec's outputs, {spec layer name: (keras layer, output tensor)})."""
    keras = import_keras()
    tensors = {name: keras.Input(shape=tuple(shape), name=name,
                                 dtype="int32" if name in _integer_inputs(model) else "float32")
               for name, shape in model.spec.inputs.items()}
    objects, built = {}, {}
    for layer in topological(model):
        spec = layer.spec
        if spec.shares:
            obj = objects[spec.shares]
        else:
            cls = getattr(keras.layers, spec.type)
            if layer.name in model.spec.ties:
                cls = _keras_tied(keras, cls, objects[model.spec.ties[layer.name]])
            obj = cls(name=layer.name, **spec.kwargs)
            if not spec.trainable:
                obj.trainable = False
            objects[layer.name] = obj
        args = [tensors[name] for name in layer.inputs]
        out = obj(args if _is_merge(model, layer) else args[0])
        tensors[layer.name] = _flat(out)[0]  # the next layer reads the first output, as in archlint
        built[layer.name] = (obj, out)
    net = keras.Model([tensors[name] for name in model.spec.inputs], [tensors[name] for name in model.outputs],
                      name="crosscheck")
    return net, built, tensors


def keras_graph_rows(model):
    """(symbolic rows, rows from a forward pass on a batch of 2, the keras model), in archlint's layer order."""
    import numpy as np

    keras = import_keras()
    net, built, tensors = build_keras_graph(model)
    rows = []
    for layer in model.layers:
        obj, out = built[layer.name]
        # an `apply:` entry owns nothing (its first entry does); a tied layer no longer tracks the matrix
        others = {id(w) for w in obj.weights} if layer.spec.shares else set()
        trainable, frozen = _own([(w, w.trainable) for w in obj.weights], others)
        rows.append(Row(layer.name, type(obj).__name__, _shape(out), trainable, frozen))
    # every layer's output at once: one forward pass of a model that exposes them all
    probe = keras.Model(net.inputs, [t for layer in model.layers for t in _flat(built[layer.name][1])])
    rng = np.random.default_rng(0)
    x = _sample_inputs(model, lambda high, shape: rng.integers(0, high, shape).astype("int32"),
                       lambda shape: rng.standard_normal(shape).astype("float32"))
    outs = iter(_flat(probe(x, training=False)))
    concrete = []
    for layer, row in zip(model.layers, rows):
        got = [next(outs) for _ in _flat(built[layer.name][1])]
        concrete.append(Row(row.name, row.type, _shape(got), row.trainable, row.non_trainable))
    return rows, concrete, net


# --- PyTorch -------------------------------------------------------------------------------------

def _torch_key(name: str) -> str:
    return name.replace(".", "/")  # nn.ModuleDict keys cannot hold dots (torchvision-style names do)


def build_torch_graph(model):
    import torch

    modules, steps = {}, []  # steps: (name, module key or torch function, input names, kwargs)
    for layer in topological(model):
        spec = layer.spec
        if spec.type.startswith("torch."):
            steps.append((layer.name, getattr(torch, spec.type.split(".", 1)[1]), layer.inputs, dict(spec.kwargs)))
            continue
        if spec.shares:
            steps.append((layer.name, _torch_key(spec.shares), layer.inputs, {}))
            continue
        kwargs = dict(spec.kwargs)
        fill = TORCH_INPUT_SIZE.get(spec.type)
        if fill and kwargs.get(fill[0]) is None:
            kwargs[fill[0]] = model.tensors[layer.inputs[0]].shape[fill[1]]
        module = getattr(torch.nn, spec.type)(**kwargs)
        if layer.name in model.spec.ties:
            _torch_tie(module, modules[_torch_key(model.spec.ties[layer.name])])
        if not spec.trainable:
            for parameter in module.parameters():
                parameter.requires_grad_(False)
        modules[_torch_key(layer.name)] = module
        steps.append((layer.name, _torch_key(layer.name), layer.inputs, {}))
    return GraphModule(modules, steps, list(model.spec.inputs), list(model.outputs))


def _torch_tie(module, source) -> None:
    """The module's weight becomes the source's Parameter: the same one (torch's usual weight tying,
    an output Linear and its Embedding), or its transpose, taken at every call (a decoder reusing its
    encoder's matrix), so the module holds no matrix of its own and gradients reach the source's."""
    own, matrix = tuple(module.weight.shape), source.weight
    if tuple(matrix.shape) == own:
        module.weight = matrix
    elif tuple(matrix.shape) == own[::-1]:
        del module.weight  # no longer a Parameter of this module
        module.weight = matrix.t()

        def retie(mod, args):
            mod.weight = matrix.t()  # a fresh view of the current values at every call

        module.register_forward_pre_hook(retie)
    else:
        raise NotImplementedError(f"tie of {own} to {tuple(matrix.shape)}: not the same matrix or its transpose")


def _graph_module_class():
    import torch

    class _GraphModule(torch.nn.Module):
        """Runs the spec's graph: the modules by key, the torch functions with the spec's keywords."""

        def __init__(self, modules, steps, inputs, outputs):
            super().__init__()
            self.layers = torch.nn.ModuleDict(modules)
            self.steps, self.input_names, self.output_names = steps, inputs, outputs
            self.record = {}  # every step's output of the last forward pass, by layer name

        def forward(self, *xs):
            values = dict(zip(self.input_names, xs))
            self.record = {}
            for name, what, inputs, kwargs in self.steps:
                args = [values[i] for i in inputs]
                if isinstance(what, str):
                    out = self.layers[what](*args)
                elif what in (torch.cat, torch.stack):
                    out = what(args, **kwargs)
                else:
                    out = what(*args, **kwargs)
                self.record[name] = out
                values[name] = _flat(out)[0]  # the next layer reads the first output, as in archlint
            outs = [values[name] for name in self.output_names]
            return outs[0] if len(outs) == 1 else tuple(outs)

    return _GraphModule


def GraphModule(modules, steps, inputs, outputs):
    return _graph_module_class()(modules, steps, inputs, outputs)


def torch_graph_rows(model):
    """Rows from a forward pass on a batch of 2 (eval mode), in archlint's layer order, and the module."""
    import torch

    net = build_torch_graph(model).eval()
    generator = torch.Generator().manual_seed(0)
    x = _sample_inputs(model, lambda high, shape: torch.randint(0, high, shape, generator=generator),
                       lambda shape: torch.randn(shape, generator=generator))
    with torch.no_grad():
        net(*x)
    steps = {name: what for name, what, _, _ in net.steps}
    rows = []
    for layer in model.layers:
        what = steps[layer.name]
        out = net.record[layer.name]
        if not isinstance(what, str):
            rows.append(Row(layer.name, f"torch.{what.__name__}", _shape(out), 0, 0))
            continue
        module = net.layers[what]
        params = [(p, p.requires_grad) for p in module.parameters()]
        others = {id(p) for p, _ in params} if layer.spec.shares else set()
        tie = model.spec.ties.get(layer.name)
        if tie:  # the tied matrix is the source's Parameter: the source owns it
            others |= {id(p) for p in net.layers[_torch_key(tie)].parameters()}
        trainable, frozen = _own(params, others)
        rows.append(Row(layer.name, type(module).__name__, _shape(out), trainable, frozen))
    return rows, net


# --- comparisons ---------------------------------------------------------------------------------

def _archlint_rows(model) -> list[Row]:
    return [Row(layer.name, layer.spec.type, layer.output.shape if isinstance(layer.output.shape, list)
                else tuple(layer.output.shape), layer.trainable, layer.non_trainable) for layer in model.layers]


def compare_keras_graph(model) -> None:
    symbolic, concrete, net = keras_graph_rows(model)
    ours = _archlint_rows(model)
    assert [(r.name, r.type, r.shape, r.trainable, r.non_trainable) for r in ours] == [
        (r.name, r.type, r.shape, r.trainable, r.non_trainable) for r in symbolic]
    # the forward pass on a batch of 2 fills in the batch where archlint (and Keras) left it unknown
    assert [(r.name, _with_batch(r.shape)) for r in ours] == [(r.name, r.shape) for r in concrete]
    trainable = sum(_size(w) for w in net.trainable_weights)
    frozen = sum(_size(w) for w in net.non_trainable_weights)
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (
        net.count_params(), trainable, frozen)
    outputs = [tuple(t.shape) for t in net.outputs]
    assert model.output_shape == (outputs[0] if len(outputs) == 1 else outputs)


def compare_torch_graph(model) -> None:
    rows, net = torch_graph_rows(model)
    ours = _archlint_rows(model)
    assert all((r.shape[0] if isinstance(r.shape, list) else r.shape)[0] is None for r in ours)
    assert [(r.name, r.type, _with_batch(r.shape), r.trainable, r.non_trainable) for r in ours] == [
        (r.name, r.type, r.shape, r.trainable, r.non_trainable) for r in rows]
    # Module.parameters() yields a shared or tied Parameter once: the framework's own "counted once"
    assert model.total_params == sum(p.numel() for p in net.parameters())
    assert model.trainable_params == sum(p.numel() for p in net.parameters() if p.requires_grad)


def compare_graph(model) -> None:
    (compare_keras_graph if model.spec.framework == "keras" else compare_torch_graph)(model)
