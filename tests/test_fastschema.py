"""The fast yes-check must never accept a layer that jsonschema refuses."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint import schema
from archlint.fastschema import compile_definition

DEFINITIONS = schema.schema()["definitions"]
LAYER_KEYS = sorted(k for k in DEFINITIONS if k.startswith(("keras.", "pytorch.")))


def test_every_layer_definition_compiles():
    # otherwise that layer silently takes the slow path
    assert [k for k in LAYER_KEYS if compile_definition(DEFINITIONS, k) is None] == []


def jsonschema_errors(key, layer):
    return list(schema._layer_validator(key).iter_errors(layer))


values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.floats(-2, 5, allow_nan=False)
    | st.sampled_from(["valid", "same", "causal", "relu", "zeros", "channels_first", "channels_last", "x", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "type"]), inner, max_size=2),
    max_leaves=6,
)


@st.composite
def layers(draw):
    key = draw(st.sampled_from(LAYER_KEYS))
    properties = sorted(DEFINITIONS[key].get("properties", {}))
    layer = {"type": key.split(".", 1)[1]}
    for name in draw(st.lists(st.sampled_from(properties + ["bogus"]), max_size=5, unique=True)):
        layer[name] = draw(values)
    return key, layer


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(layers())
def test_fast_yes_implies_jsonschema_yes(case):
    key, layer = case
    if compile_definition(DEFINITIONS, key)(layer):
        assert jsonschema_errors(key, layer) == [], json.dumps(layer)


@pytest.mark.parametrize("layer, fast", [
    ({"type": "Conv2D", "filters": 8, "kernel_size": 3}, True),
    ({"type": "Conv2D", "filters": 8, "kernel_size": [3, 3], "padding": "same"}, True),
    ({"type": "Conv2D", "filters": 8.0, "kernel_size": 3}, False),
    ({"type": "Conv2D", "filters": True, "kernel_size": 3}, False),
    ({"type": "Conv2D", "filters": 8}, False),
    ({"type": "Conv2D", "filters": 8, "kernel_size": 3, "kernal": 3}, False),
    ({"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "full"}, False),
])
def test_fast_check_examples(layer, fast):
    assert compile_definition(DEFINITIONS, "keras.Conv2D")(layer) is fast
    assert (jsonschema_errors("keras.Conv2D", layer) == []) is fast
