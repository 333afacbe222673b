"""Keras wrappers: Bidirectional and TimeDistributed, each given its inner layer as a nested mapping.

```yaml
- type: Bidirectional
  layer: {type: LSTM, units: 64, return_sequences: true}
- type: TimeDistributed
  layer: {type: Dense, units: 10}
```

The inner layer is any registered layer type of the spec's framework, checked against its own schema
definition here (the wrapper's schema only requires a mapping with a `type`, which keeps the schema
free of a recursive dispatch) and applied through its own rule, so its findings point inside the
nested mapping (`layers[3].layer.units`). Its `trainable: false`
is honoured; its `name`, `inputs` and `expect` are ignored (the wrapper's own are what count).
Conditions were checked against Keras 3.15.1 (torch backend); tests/test_recurrent.py holds them.
"""

from __future__ import annotations

from archlint import rules, schema
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, Stop, Tensor, lookup, register
from archlint.shapes import format_shape

RECURRENT = ("SimpleRNN", "LSTM", "GRU")
# Keys of a nested layer mapping that are archlint's, not the constructor's.
NESTED_RESERVED = ("type", "name", "inputs", "expect", "trainable")


def _validate(call: Call, key: str):
    """The nested mapping against its type's own definition; Stop (findings reported) when invalid."""
    spec, where = call.cfg[key], call.where + (key,)
    layer_type = lookup(call.framework, spec["type"])
    if layer_type is None:
        schema._unknown_type(call.framework, spec["type"], where + ("type",), call.sink)
        raise Stop()
    definition = schema.definition_key(call.framework, spec["type"])
    if schema._report_errors(schema._layer_validator(definition), spec, where, spec["type"], call.sink):
        raise Stop()
    return layer_type


def inner_call(call: Call, key: str, shape: tuple) -> tuple[Call, object]:
    """A Call for the layer nested under `key`, reading a tensor of `shape`; findings land inside it."""
    spec = call.cfg[key]
    layer_type = _validate(call, key)
    kwargs = {k: v for k, v in spec.items() if k not in NESTED_RESERVED}
    cfg = {k: (None if v is REQUIRED else v) for k, v in layer_type.defaults.items()}
    cfg.update(kwargs)
    where = call.where + (key,)
    sub = Call(spec["type"], f"{call.name}/{key}", call.framework, cfg, frozenset(kwargs),
               [Tensor(shape, call.name)], where, call.sink)
    for name in layer_type.unmodelled:
        if kwargs.get(name) not in (None, 0, False):
            call.sink(rules.UNMODELLED_KEYWORD,
                      f"{spec['type']} `{name}={kwargs[name]}` changes the layer's weights in a way archlint does "
                      "not model yet: its parameter counts cannot be trusted", where + (name,),
                      "check the counts in the framework, or remove the keyword from the spec")
    return sub, layer_type


def apply_inner(call: Call, key: str, shape: tuple) -> tuple[Call, Output]:
    """Apply the nested layer; a failure inside it (already reported) stops the wrapper too."""
    sub, layer_type = inner_call(call, key, shape)
    output = layer_type.infer(sub)
    if call.cfg[key].get("trainable", True) is False:
        output.non_trainable += output.trainable
        output.trainable = 0
    return sub, output


def _require_recurrent(call: Call, key: str) -> None:
    inner = call.cfg[key]["type"]
    if inner not in RECURRENT:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"Bidirectional wraps a recurrent layer ({', '.join(RECURRENT)}), got {inner}", key,
                        hint="Keras cannot build its backward copy (it sets go_backwards, which only recurrent layers "
                        "take); wrap an LSTM, GRU or SimpleRNN; use TimeDistributed to apply a layer per step")


def keras_bidirectional(call: Call) -> Output:
    cfg = call.cfg
    _require_recurrent(call, "layer")
    if cfg["backward_layer"] is not None:
        _require_recurrent(call, "backward_layer")
    forward_sub, forward = apply_inner(call, "layer", call.x.shape)
    if cfg["backward_layer"] is None:
        # Keras copies the forward layer's config with go_backwards=True: the same shapes and weights
        # (not applied a second time, so the inner layer's findings are reported once). A forward layer
        # that already goes backwards makes two backward layers, which Keras refuses.
        if forward_sub.cfg["go_backwards"]:
            raise call.fail(rules.INVALID_ARGUMENT,
                            "Bidirectional: the wrapped layer already has go_backwards=True, so both directions run "
                            "backwards", "layer",
                            hint="Bidirectional copies its layer with go_backwards=True as the backward layer (Keras: "
                            "Forward layer and backward layer should have different `go_backwards` value); remove "
                            "go_backwards from the wrapped layer (Bidirectional adds the backward pass)")
        backward_sub, backward = forward_sub, forward
    else:
        backward_sub, backward = apply_inner(call, "backward_layer", call.x.shape)
        _check_backward(call, forward_sub, backward_sub)
    f_shapes, b_shapes = _as_list(forward.shape), _as_list(backward.shape)
    f_out, b_out = f_shapes[0], b_shapes[0]
    mode = cfg["merge_mode"]
    if mode is None:
        outputs = [f_out, b_out]
    elif mode == "concat":
        # the real tensor: forward then backward features (Keras's symbolic shape assumes equal units)
        outputs = [f_out[:-1] + (f_out[-1] + b_out[-1],)]
    else:
        if f_out[-1] != b_out[-1]:
            raise call.fail(rules.INVALID_ARGUMENT,
                            f"Bidirectional merge_mode={mode!r} combines the forward output {format_shape(f_out)} "
                            f"and the backward output {format_shape(b_out)} elementwise", "backward_layer",
                            hint="the sizes differ, so the forward pass fails; give the backward layer the same "
                                 "units, or use merge_mode: concat")
        outputs = [f_out]
    if forward_sub.cfg["return_state"]:
        outputs += f_shapes[1:] + b_shapes[1:]
    return Output(outputs if len(outputs) > 1 else outputs[0],
                  trainable=forward.trainable + backward.trainable,
                  non_trainable=forward.non_trainable + backward.non_trainable)


def _as_list(shape) -> list:
    return shape if isinstance(shape, list) else [shape]


def _check_backward(call: Call, forward: Call, backward: Call) -> None:
    """Keras's _verify_layer_config: opposite go_backwards, equal stateful/return_sequences/return_state."""
    if forward.cfg["go_backwards"] == backward.cfg["go_backwards"]:
        backward.fail(rules.INVALID_ARGUMENT,
                      f"Bidirectional needs the backward layer to run the other way: both have go_backwards="
                      f"{forward.cfg['go_backwards']}", "go_backwards",
                      hint="Keras: Forward layer and backward layer should have different `go_backwards` value; set "
                      f"go_backwards: {not forward.cfg['go_backwards']} on backward_layer")
    for key in ("stateful", "return_sequences", "return_state"):
        if forward.cfg[key] != backward.cfg[key]:
            backward.fail(rules.INVALID_ARGUMENT,
                          f"Bidirectional needs the same {key} in both directions: {forward.cfg[key]} forward, "
                          f"{backward.cfg[key]} backward", key,
                          hint=f"Keras: Forward layer and backward layer are expected to have the same value for "
                          f"attribute \"{key}\"; set {key}: {forward.cfg[key]} on backward_layer")


def keras_time_distributed(call: Call) -> Output:
    shape = call.x.shape
    if call.x.rank < 3:
        raise call.fail(rules.RANK_MISMATCH,
                        f"TimeDistributed needs an input of rank 3 or more (batch, time, ...) but receives "
                        f"{format_shape(shape)}",
                        hint="Keras: `TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                        "dimensions; add a time axis to the input, or apply the layer without TimeDistributed")
    # the inner layer sees one time step: (batch,) + the axes after time
    _, inner = apply_inner(call, "layer", (shape[0],) + shape[2:])
    if isinstance(inner.shape, list):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"TimeDistributed applies a layer with several outputs ({format_shape(inner.shape)}): "
                        "Keras maps a single output per step", "layer",
                        hint="set return_state: false on the inner layer")
    return Output((inner.shape[0], shape[1]) + tuple(inner.shape[1:]), trainable=inner.trainable,
                  non_trainable=inner.non_trainable)


register(KERAS, "Bidirectional", "recurrent",
         {"layer": REQUIRED, "merge_mode": "concat", "weights": None, "backward_layer": None, "dtype": None},
         keras_bidirectional)
register(KERAS, "TimeDistributed", "recurrent", {"layer": REQUIRED, "dtype": None}, keras_time_distributed)
