"""After a layer's error, the output it would still have, so one run reports every independent mistake.

A compiler goes on after an error with what it still knows; so does the walk. When a layer's rule fails
on a keyword (a schema finding, or an error such as E002), the rule is run again, quietly, with other
values in that keyword: the output sizes that are the same whatever the value are still determined
(a Conv2d's channels come from `out_channels` whatever its stride), the others become unknown (None).
A declared input size that is wrong (E007) does not change the output at all: the rule runs again
without it. A layer that fails on an unknown input size (E010) after an earlier error is run on two
guesses of that size in the same way. The recovered tensor is marked `assumed`; a layer reading it
reports its own mistakes but not E010 on the sizes the earlier error made unknown (no cascades).
"""

from __future__ import annotations

from collections.abc import Callable

from archlint import rules
from archlint.layers.registry import REQUIRED, Call, LayerType, Output, Stop, Tensor

_TRIALS = 4  # quiet reruns of one layer's rule, at most
_GUESSES = (4099, 5003)  # sizes tried for an input size an earlier error left unknown


def _enum(framework: str, layer_type: str, key: str) -> list:
    """The strings the schema allows for a keyword (`padding`: valid, same), looked up one level deep."""
    from archlint import schema

    definitions = schema.schema()["definitions"]
    node = definitions.get(schema.definition_key(framework, layer_type), {}).get("properties", {}).get(key, {})
    found: list = []
    for part in [node] + node.get("oneOf", []) + node.get("anyOf", []):
        if "$ref" in part:
            part = definitions.get(part["$ref"].rsplit("/", 1)[-1], {})
        found += [v for v in part.get("enum", []) if isinstance(v, str)]
    return found[:3]


def _candidates(default, written, strings: list) -> list:
    """Values to try in a keyword that failed: its default, then a few of the kind written or expected."""
    found = [] if default is REQUIRED or default is None else [default]
    found += strings
    sample = written if default is REQUIRED or default is None else default
    if isinstance(sample, (list, tuple)) and sample:
        sample = sample[0]
    if isinstance(sample, bool):
        found += [False, True]
    elif isinstance(sample, float):
        found += [0.25, 0.5]
    elif isinstance(sample, int) or sample is None or sample is REQUIRED:
        found += [1, 2, 3]
    unique: list = []
    for value in found:
        if not any(value == u and type(value) is type(u) for u in unique):
            unique.append(value)
    return unique


# Keywords that never change a layer's output shape: what they hold is an activation, a probability, a
# statistic's constant, an initializer, a regularizer or a constraint
_SHAPE_FREE = {"activation", "recurrent_activation", "rate", "p", "dropout", "recurrent_dropout", "momentum",
               "epsilon", "eps", "use_bias", "bias", "dtype", "trainable", "name"}


def _shape_free(key: str) -> bool:
    return key in _SHAPE_FREE or key.endswith(("_initializer", "_regularizer", "_constraint"))


def _quiet(*_args, **_kwargs) -> None:
    return None


def _shape_of(output: Output) -> tuple:
    return tuple(output.shape[0] if isinstance(output.shape, list) else output.shape)


def _agreeing(shapes: list[tuple]) -> tuple | None:
    """The sizes all trial shapes agree on, None elsewhere; None when even the ranks differ."""
    if not shapes or any(len(s) != len(shapes[0]) for s in shapes):
        return None
    return tuple(size if all(s[i] == size for s in shapes) else None for i, size in enumerate(shapes[0]))


def _run(layer_type: LayerType, make_call: Callable[[dict, list[Tensor]], Call], kwargs: dict,
         inputs: list[Tensor]) -> tuple | None:
    try:
        return _shape_of(layer_type.infer(make_call(kwargs, inputs)))
    except Stop:
        return None
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None  # a substituted value the rule was never meant to see: no recovery from this trial


def _guesses(inputs: list[Tensor]) -> list[list[Tensor]]:
    """The inputs for the reruns: as they are, or, when an earlier error left sizes unknown, two guesses of
    them, so the sizes that depend on them differ between reruns and become unknown too. The guesses are
    large (no window is refused on them) and far apart (a floor division does not map both to one size)."""
    if not any(t.assumed and None in t.shape[1:] for t in inputs):
        return [inputs]
    return [[Tensor(t.shape[:1] + tuple(guess if n is None and t.assumed else n for n in t.shape[1:]), t.producer,
                    rows=t.rows)
             for t in inputs] for guess in _GUESSES]


def recover(layer_type: LayerType, make_call: Callable[[dict, list[Tensor]], Call], kwargs: dict,
            inputs: list[Tensor], keys: frozenset, rule=None) -> tuple | None:
    """The output shape still determined after a failure on `keys` (keywords), or None.

    `make_call(kwargs, inputs)` builds a quiet Call for a rerun. `rule` is the error that stopped the layer.
    """
    variants = _guesses(inputs)
    if None in keys:
        if rule is not rules.UNKNOWN_DIMENSION or len(variants) < 2:
            return None
        options: dict = {}
    else:
        kwargs = {k: v for k, v in kwargs.items() if k in layer_type.defaults}
        if rule is rules.DECLARED_SIZE_MISMATCH or all(_shape_free(k) for k in keys):
            # a declared size is only checked against the input, and these keywords never change a shape:
            # the rule runs again with the framework's default there
            written = kwargs
            kwargs = {k: v for k, v in kwargs.items() if k not in keys}
            for key in keys:  # one with no default (Keras Dropout's rate) gets a value of the kind written
                if layer_type.defaults.get(key) is REQUIRED:
                    kwargs[key] = next(iter(_candidates(REQUIRED, written.get(key), [])), None)
            options = {}
        else:
            options = {k: _candidates(layer_type.defaults.get(k, REQUIRED), kwargs.get(k),
                                      _enum(layer_type.framework, layer_type.name, k)) for k in sorted(keys)}
            if not all(options.values()):
                return None
    trials = max([len(v) for v in options.values()] + [len(variants)])
    shapes = []
    for trial in range(min(trials, _TRIALS)):
        tried = dict(kwargs)
        for key, values in options.items():
            tried[key] = values[trial % len(values)]
        shape = _run(layer_type, make_call, tried, variants[trial % len(variants)])
        if shape is not None:
            shapes.append(shape)
    if trials == 1:  # nothing varied: a declared size left out, on known inputs
        return shapes[0] if shapes else None
    return _agreeing(shapes) if len(shapes) >= 2 else None
