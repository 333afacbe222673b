"""The plugin interface: a package teaches archlint a layer type through the entry point group
`archlint.layers`. The example plugin (tests/plugin_example) is found as an installed distribution
by putting its folder on the path of a separate process, so this process's registry stays as shipped. The
child process imports the archlint this process imports (helpers.subprocess_env), so the tests pass on a
source checkout, an editable and a plain `pip install .` alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import subprocess_env

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, "plugin_example")

KERAS_MODEL = {"class_name": "Sequential", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 8, 8, 3]}},
    {"class_name": "ScaleShift", "config": {"name": "scale", "trainable": True, "dtype": "float32", "shift": True},
     "registered_name": "Custom>ScaleShift"},
    {"class_name": "Flatten", "config": {"name": "flat"}, "build_config": {"input_shape": [None, 8, 8, 3]}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}


def _run(args, tmp_path, with_plugin=True):
    env = subprocess_env(PLUGIN) if with_plugin else subprocess_env()
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def keras_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(KERAS_MODEL, indent=1))
    return path


def test_without_the_plugin_the_class_is_unknown(keras_file, tmp_path):
    out = _run(["summary", "--isolated", "--output-format", "json", str(keras_file)], tmp_path, with_plugin=False)
    model = json.loads(out.stdout)["models"][0]
    assert model["total_params"] == 386  # Dense only: 8*8*3*2 + 2; a lower bound
    check = _run(["check", "--isolated", str(keras_file)], tmp_path, with_plugin=False)
    assert "W018 [warning] unknown Keras layer class 'ScaleShift'" in check.stdout


def test_the_plugin_teaches_the_layer(keras_file, tmp_path):
    out = _run(["summary", "--isolated", "--output-format", "json", str(keras_file)], tmp_path)
    model = json.loads(out.stdout)["models"][0]
    assert model["total_params"] == 392  # + 3 scales and 3 shifts
    assert [layer["params"] for layer in model["layers"]] == [6, 0, 386]
    check = _run(["check", "--isolated", str(keras_file)], tmp_path)
    assert check.returncode == 0 and "W018" not in check.stdout, check.stdout


def test_the_plugin_schema_checks_native_specs(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("archlint: 1\ninput: [4, 4, 2]\nlayers:\n  - {type: ScaleShift, shift: false}\n"
                    "  - {type: ScaleShift, shfit: true}\n")
    check = _run(["check", "--isolated", "--output-format", "json", str(spec)], tmp_path)
    findings = json.loads(check.stdout)["findings"]
    assert [(f["code"], f["line"], f["message"]) for f in findings] == [
        ("S004", 5, "`shfit` is not an argument of ScaleShift")]
    summary = json.loads(_run(["summary", "--isolated", "--output-format", "json", str(spec)], tmp_path).stdout)
    assert summary["models"][0]["layers"][0]["params"] == 2


def test_a_broken_plugin_is_reported_and_does_not_stop_the_linter(tmp_path):
    broken = tmp_path / "site"
    info = broken / "broken_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[archlint.layers]\nbroken = no_such_module:register\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text("archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n  - {type: Mystery}\n")
    env = subprocess_env(str(broken))
    out = subprocess.run([sys.executable, "-m", "archlint", "check", "--isolated", str(spec)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert "the plugin 'broken' (no_such_module:register) failed to load: ModuleNotFoundError" in out.stderr
    assert "S003 [error] unknown Keras layer type 'Mystery'" in out.stdout
    assert out.returncode == 1
