"""YAML 1.2 everywhere: archlint.yaml12 writes what archlint's loader reads back unchanged, and
`archlint convert` output round-trips (same names and numbers as the Keras file it came from)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archlint import yaml12
from archlint.cli import main
from archlint.lint import lint_file
from archlint.sources.keras import to_yaml

ROOT = Path(__file__).resolve().parent.parent
KERAS = sorted(p for p in (ROOT / "tests" / "data" / "keras").iterdir()
               if p.suffix == ".keras" or (p.suffix == ".json" and not p.name.startswith("expected")))
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.yaml"))

# strings that YAML 1.1 or 1.2 would read as something else when written plain
TRICKY = ["1e3", "1E-3", "0o17", "0x1F", "0b101", "017", "1_000", "12:30", ".5", "1.", "+1", "-0", "yes", "No", "on",
          "OFF", "y", "n", "true", "False", "null", "Null", "~", "", ".inf", "-.Inf", ".nan", ".NaN", "<<", "=",
          "2001-12-14", " lead", "trail ", "#x", "a: b", "- x", "[1]", "{a: 1}", "'q'", '"d"', "\t", "é", "\n",
          "1,000", "0.1.2", "NaN", "Infinity", "7B", "50MiB"]
SCALARS = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12), st.integers(-2**70, 2**70), st.booleans(),
                    st.none(), st.floats(allow_nan=True, allow_infinity=True))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=20)


def _same(a, b) -> bool:
    """Equality with NaN equal to itself and the types kept (1 is not 1.0, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_stay_strings(text):
    written = yaml12.dump({"name": text, "layers": [text]})
    assert yaml12.load(written) == {"name": text, "layers": [text]}
    assert yaml.safe_load(written) == {"name": text, "layers": [text]}  # YAML 1.1 readers too


def test_numbers_are_written_as_numbers():
    written = yaml12.dump({"a": 1e3, "b": 2**64, "c": -0.5, "d": float("inf"), "e": 1e-7, "f": True, "g": None},
                          flow=False)
    assert written == "a: 1000.0\nb: 18446744073709551616\nc: -0.5\nd: .inf\ne: 1.0e-07\nf: true\ng: null\n"
    assert _same(yaml12.load(written), {"a": 1e3, "b": 2**64, "c": -0.5, "d": float("inf"), "e": 1e-7, "f": True,
                                        "g": None})


@settings(max_examples=300, deadline=None)
@given(DATA, st.sampled_from([None, True, False]), st.booleans())
def test_any_plain_data_round_trips(data, flow, fast):
    written = yaml12.dump(data, flow=flow, fast=fast)
    assert _same(yaml12.load(written), data), written


def _numbers(result):
    model = result.model
    return (model.total_params, model.trainable_params, model.output_shape,
            [(layer.name, layer.spec.type, layer.output.shape if layer.output else None, layer.params)
             for layer in model.layers])


def _errors(result):
    return sorted((f.rule.code, f.message) for f in result.findings if f.is_error)


@pytest.mark.parametrize("keep", [False, True], ids=["defaults-left-out", "keep-defaults"])
@pytest.mark.parametrize("path", KERAS, ids=[p.name for p in KERAS])
def test_convert_round_trips(tmp_path, path, keep):
    text = to_yaml(str(path), keep_defaults=keep)
    converted = tmp_path / (path.stem + ".yaml")
    converted.write_text(text, encoding="utf-8")
    native, original = lint_file(str(converted)), lint_file(str(path))
    unknown = [f for f in original.findings if f.rule.code == "W018"]
    if unknown:  # a class archlint does not know: only the Keras file records its output shape
        assert [f.rule.code for f in native.findings if f.is_error] == ["S003"] * len(unknown)
        return
    assert _numbers(native) == _numbers(original)
    assert _errors(native) == _errors(original)
    data = yaml12.load(text)
    assert data["archlint"] == 1 and all(isinstance(layer["name"], str) for layer in data["layers"])


def test_convert_leaves_defaults_out_unless_asked(tmp_path):
    path = str(ROOT / "tests" / "data" / "keras" / "seed_example1_sequential.json")
    short, full = to_yaml(path), to_yaml(path, keep_defaults=True)
    first = yaml12.load(short)["layers"][0]
    assert first == {"type": "Conv2D", "name": "conv2d", "filters": 1, "kernel_size": [3, 3], "activation": "relu"}
    kept = yaml12.load(full)["layers"][0]
    assert kept["kernel_initializer"]["class_name"] == "GlorotUniform" and kept["data_format"] == "channels_last"
    runner = CliRunner()
    assert runner.invoke(main, ["convert", path]).stdout == short
    assert runner.invoke(main, ["convert", "--keep-defaults", path]).stdout == full


def test_convert_quotes_names_a_yaml_12_reader_would_type(tmp_path):
    """A layer named 1e3 (or yes, or 0o17) is written quoted: PyYAML 1.1 would write 1e3 plain, and
    archlint would read it back as the float 1000.0."""
    config = {"class_name": "Sequential", "config": {"name": "1e3", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "input"}},
        {"class_name": "Dense", "config": {"units": 2, "name": "1e3"}},
        {"class_name": "Dense", "config": {"units": 2, "name": "0o17"}},
        {"class_name": "Dense", "config": {"units": 2, "name": "yes"}}]}}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(config))
    text = to_yaml(str(path))
    assert "name: '1e3'" in text and "name: '0o17'" in text
    data = yaml12.load(text)
    assert data["name"] == "1e3" and [layer["name"] for layer in data["layers"]] == ["1e3", "0o17", "yes"]
    converted = tmp_path / "model.yaml"
    converted.write_text(text)
    assert [layer.name for layer in lint_file(str(converted)).model.layers] == ["1e3", "0o17", "yes"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_examples_round_trip_through_the_dumper(tmp_path, path):
    data = yaml12.load(path.read_text(encoding="utf-8"))
    written = tmp_path / path.name
    written.write_text(yaml12.dump(data), encoding="utf-8")
    assert _same(yaml12.load(written.read_text(encoding="utf-8")), data)
    original, again = lint_file(str(path)), lint_file(str(written))
    if original.model is None:
        assert again.model is None
        return
    assert _numbers(again) == _numbers(original)
    assert sorted(f.rule.code for f in again.findings) == sorted(f.rule.code for f in original.findings)
