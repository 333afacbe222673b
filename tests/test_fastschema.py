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


def test_the_top_level_compiles():
    from archlint.fastschema import compile_schema

    assert compile_schema(schema._top_schema()) is not None


top_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 5) | st.sampled_from(["keras", "pytorch", "25k", "x", "adam", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["params", "a", "shape"]), inner,
                                                                 max_size=2),
    max_leaves=5,
)


@st.composite
def top_levels(draw):
    spec = {"archlint": 1, "input": [8], "layers": [{"type": "Dense", "units": 2}]}
    keys = sorted(schema._top_schema()["properties"]) + ["bogus"]
    for name in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        if draw(st.booleans()):
            spec.pop(name, None)
        else:
            spec[name] = draw(top_values)
    return spec


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(top_levels())
def test_fast_top_yes_implies_jsonschema_yes(spec):
    if schema._fast_top()(spec):
        assert list(schema._top_validator().iter_errors(spec)) == [], json.dumps(spec)


def test_a_valid_spec_is_checked_without_importing_jsonschema(tmp_path):
    # jsonschema's import costs about as much as the rest of a small check: it is loaded only to word errors
    import subprocess
    import sys

    from helpers import EXAMPLES

    probe = ("import sys; from archlint.lint import lint_file; "
             f"r = lint_file({str(EXAMPLES / 'resnet' / 'resnet50_keras.yaml')!r}); "
             "assert r.model is not None; print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
