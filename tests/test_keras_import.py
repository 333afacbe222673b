"""Keras model configs (Keras 3 and tf.keras 2 JSON, .keras archives): every fixture's summary equals what
Keras 3.15.1 reported for it (tests/data/keras/expected*.json, written by Keras itself; the tf.keras 2
files are written by hand and their numbers checked by building the same model in Keras 3.15.1)."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from archlint import rules, yaml12
from archlint.layers.registry import lookup
from archlint.lint import discover, lint_file
from archlint.schema import schema
from archlint.sources.keras.converter import DROPPED, INPUT_KEYS, MAPPED, MODEL_KEYS, WRAPPER_KEYS, keras_2_keyword
from archlint.spec import Budget

DATA = os.path.join(os.path.dirname(__file__), "data", "keras")


def _expected() -> dict:
    found = {}
    for name in ("expected.json", "expected_generated.json"):
        with open(os.path.join(DATA, name)) as handle:
            found.update(json.load(handle))
    # tf.keras 2 files written by hand; the same models built in Keras 3.15.1 give these numbers
    found["tfkeras2_sequential"] = {"total_params": 13642, "trainable_params": 13610, "non_trainable_params": 32,
                                    "output_shape": [None, 10], "layers": None}
    found["tfkeras2_functional"] = {"total_params": 122, "trainable_params": 10, "non_trainable_params": 112,
                                    "output_shape": [None, 2], "layers": None}
    found["tfkeras2_functional_shared"] = {"total_params": 153, "trainable_params": 153, "non_trainable_params": 0,
                                           "output_shape": [None, 1], "layers": None}
    return found


EXPECTED = _expected()
UNKNOWN_BY_DESIGN = {"Lambda"}  # arbitrary code: archlint never knows it (W018, the walk goes on)


def _fixture_path(name: str) -> str:
    return os.path.join(DATA, name if name.endswith(".keras") else name + ".json")


def _classes(name: str) -> set[str]:
    path = _fixture_path(name)
    if name.endswith(".keras"):
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read("config.json"))
    else:
        with open(path) as handle:
            data = json.load(handle)
    found = set()

    def visit(value):
        if isinstance(value, dict):
            if isinstance(value.get("class_name"), str) and isinstance(value.get("config"), dict):
                found.add(value["class_name"])
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(data["config"])
    return found - {"InputLayer", "Functional", "Sequential", "Model", "__keras_tensor__"}


def _case(name: str):
    missing = sorted(c for c in _classes(name) if c not in UNKNOWN_BY_DESIGN and lookup("keras", c) is None
                     and c[0].isupper() and c not in ("GlorotUniform", "Zeros", "Ones", "DTypePolicy")
                     and not c.endswith(("Initializer", "Policy")))
    if missing:
        return pytest.param(name, marks=pytest.mark.xfail(
            strict=True, reason=f"layer type(s) not in archlint yet (issue 4): {', '.join(missing)}"))
    return name


def _model(name: str):
    result = lint_file(_fixture_path(name))
    assert result.model is not None, [f.message for f in result.findings]
    return result


@pytest.mark.parametrize("name", [_case(name) for name in EXPECTED])
def test_summary_equals_what_keras_reports(name):
    want = EXPECTED[name]
    result = _model(name)
    model = result.model
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (
        want["total_params"], want["trainable_params"], want["non_trainable_params"])
    assert list(model.output_shape) == want["output_shape"]
    assert not [f for f in result.findings if f.is_error]
    by_name = {layer.name: layer for layer in model.layers}
    for row in want["layers"] or []:
        if row["class"] == "InputLayer":
            tensor = model.tensors["input" if "input" in model.tensors and len(model.spec.inputs) == 1
                                   else row["name"]]
            assert list(tensor.shape) == row["output_shape"], row
            continue
        if row["class"] in ("Functional", "Sequential"):  # a nested model: its layers, flattened
            inner = [layer for layer in model.layers if layer.name.startswith(row["name"] + ".")]
            assert inner, row
            assert sum(layer.params for layer in inner) == row["params"]
            assert sum(layer.trainable for layer in inner) == row["trainable_params"]
            assert list(inner[-1].output.shape) == row["output_shape"]
            continue
        layer = by_name[row["name"]]
        if row["class"] in UNKNOWN_BY_DESIGN:
            assert layer.output is None and list(model.tensors[layer.name].shape) == row["output_shape"]
            continue
        assert (list(layer.output.shape), layer.params, layer.trainable) == (
            row["output_shape"], row["params"], row["trainable_params"]), row


def test_lambda_is_a_warning_and_the_total_a_lower_bound():
    from archlint.report import format_summary

    result = _model("lambda_and_frozen_bn")
    unknown = [f for f in result.findings if f.rule is rules.UNKNOWN_KERAS_LAYER]
    assert [f.message for f in unknown] == [
        "unknown Keras layer class 'Lambda' in layer 'double': its weights are not counted"]
    assert not result.model.complete
    assert "Total params: 2,903 (11.34 KB) (lower bound" in format_summary(result.path, result.model)
    text = open(_fixture_path("lambda_and_frozen_bn")).read()
    line, column = unknown[0].line, unknown[0].column
    assert text.splitlines()[line - 1][column - 1:].startswith('"Lambda"')


def test_an_unknown_class_without_a_recorded_shape_stops_the_walk_after_it(tmp_path):
    data = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 3}},
        {"class_name": "MyLayer", "config": {"name": "mine"}, "registered_name": "Custom>MyLayer"},
        {"class_name": "Dense", "config": {"name": "e", "units": 2}}]}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data, indent=1))
    result = lint_file(str(path))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if '"MyLayer"' in text)
    assert [(f.rule.code, f.line) for f in result.findings] == [("W018", line)]
    assert "registered as 'Custom>MyLayer'" in result.findings[0].message
    assert "the layers after it are not computed" in result.findings[0].hint
    assert result.model.total_params == 15 and not result.model.complete


def test_frozen_backbone_is_flattened_with_hierarchical_names():
    model = _model("frozen_backbone_sequential").model
    names = [layer.name for layer in model.layers]
    assert names[0] == "vgg16.block1_conv1" and names[-2:] == ["global_average_pooling2d_1", "dense"]
    assert all(layer.trainable == 0 for layer in model.layers if layer.name.startswith("vgg16."))


def test_shared_layer_is_counted_once_and_every_call_walked():
    for name in ("shared_layer_two_inputs", "tfkeras2_functional_shared"):
        model = _model(name).model
        assert [layer.name for layer in model.layers] == ["tower", "tower@1", "both", "score"]
        assert [layer.params for layer in model.layers] == [136, 0, 0, 17]
        assert model.layers[1].output.shape == (None, 8)
        assert list(model.spec.inputs) == ["left", "right"]


def test_findings_point_at_the_json_of_the_layer(tmp_path):
    text = open(_fixture_path("VGG16")).read().replace('"filters": 64, "kernel_size": [3, 3]',
                                                       '"filters": 64, "kernel_size": [300, 3]', 1)
    path = tmp_path / "vgg.json"
    path.write_text(text)
    [w003] = [f for f in lint_file(str(path)).findings if f.rule.code == "W003"]
    assert "pads the height axis by 299" in w003.message
    offset = text.index('"padding": "same"') + len('"padding": ')  # block1_conv1's, the first
    assert (w003.line, w003.column) == (1, offset + 1)


def test_a_recorded_shape_that_differs_is_w019_at_the_record(tmp_path):
    with open(_fixture_path("VGG16")) as handle:
        data = json.load(handle)
    data["config"]["layers"][2]["config"]["filters"] = 32  # block1_conv2 edited after saving
    path = tmp_path / "vgg.json"
    text = json.dumps(data, indent=1)
    path.write_text(text)
    w019 = [f for f in lint_file(str(path)).findings if f.rule is rules.RECORDED_SHAPE_MISMATCH]
    assert [f.message for f in w019] == [  # once, at the cause: not at the layers that follow it
        "block1_conv2 output shape is (None, 224, 224, 32) by Keras's rules, but the file records "
        "(None, 224, 224, 64)"]
    lines = text.splitlines()
    assert lines[w019[0].line - 1].strip() == '"shape": ['


def test_every_keyword_of_the_fixtures_is_mapped_or_dropped_on_purpose():
    """A keyword is passed to the layer only when archlint's schema lists it; the others are mapped or
    dropped on purpose. A new Keras keyword in a fixture fails here until it is decided."""
    definitions = schema()["definitions"]
    for file in sorted(os.listdir(DATA)):
        if not file.endswith(".json") or file.startswith("expected"):
            continue
        with open(os.path.join(DATA, file)) as handle:
            data = json.load(handle)
        stack = [data]
        while stack:
            node = stack.pop()
            assert set(node) <= WRAPPER_KEYS, (file, set(node) - WRAPPER_KEYS)
            config = node["config"]
            if isinstance(config.get("layers"), list):
                assert set(config) <= MODEL_KEYS, (file, set(config) - MODEL_KEYS)
                stack.extend(config["layers"])
                continue
            kind = node["class_name"]
            if kind == "InputLayer":
                assert set(config) <= INPUT_KEYS, (file, set(config) - INPUT_KEYS)
                continue
            if kind in UNKNOWN_BY_DESIGN or f"keras.{kind}" not in definitions:
                continue
            allowed = set(definitions[f"keras.{kind}"]["properties"])
            for key, value in config.items():
                if key in MAPPED or key in DROPPED:
                    continue
                assert keras_2_keyword(kind, key, value)[0] in allowed, (file, kind, key)


def test_tf_keras_2_axis_list_is_mapped():
    assert keras_2_keyword("BatchNormalization", "axis", [3]) == ("axis", 3)
    assert keras_2_keyword("Dense", "units", 3) == ("units", 3)


# ---------------------------------------------------------------- .keras archives and broken files


def _archive(tmp_path, members: dict, name="m.keras") -> str:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return str(path)


SMALL = {"class_name": "Sequential", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}


def test_archive_with_config_and_metadata_only(tmp_path):
    path = _archive(tmp_path, {"config.json": json.dumps(SMALL), "metadata.json": "{}"})
    result = lint_file(path)
    assert result.findings == [] and result.model.total_params == 10


@pytest.mark.parametrize("members, message", [
    ({"metadata.json": "{}"}, "the archive has no config.json (it holds metadata.json)"),
    ({"config.json": "{not json"}, "config.json in the archive: invalid JSON: Expecting property name enclosed "
                                   "in double quotes"),
    ({"config.json": json.dumps({"a": 1})}, "the file is not a Keras model config (a mapping with `class_name` "
                                            "Sequential, Functional or Model and a `config`)"),
])
def test_broken_archives_are_findings(tmp_path, members, message):
    result = lint_file(_archive(tmp_path, members))
    assert [f.message for f in result.findings] == [message]
    assert result.findings[0].is_error


def test_a_file_named_keras_that_is_no_zip_is_s021(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    [finding] = lint_file(str(path)).findings
    assert finding.rule is rules.INVALID_KERAS_ARCHIVE and "not a valid zip archive" in finding.message


def test_oversized_config_in_archive(tmp_path, monkeypatch):
    from archlint.sources.keras import archive

    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 100)
    path = _archive(tmp_path, {"config.json": json.dumps(SMALL) + " " * 200})
    [finding] = lint_file(path).findings
    assert finding.rule is rules.INVALID_KERAS_ARCHIVE and "declares" in finding.message


def test_dangling_reference_is_s020_at_its_place(tmp_path):
    with open(_fixture_path("VGG16")) as handle:
        text = handle.read().replace('"keras_history": ["block1_conv1", 0, 0]', '"keras_history": ["block1_convX", 0, 0]')
    path = tmp_path / "vgg.json"
    path.write_text(text)
    [finding] = lint_file(str(path)).findings
    assert finding.rule is rules.INVALID_KERAS_CONFIG
    assert finding.message.startswith("layer 'block1_conv2' reads 'block1_convX' (node 0, tensor 0)")
    assert text[finding.column - 1:].startswith('["block1_convX", 0, 0]')


def test_unbuilt_sequential_is_s020(tmp_path):
    data = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    [finding] = lint_file(str(path)).findings
    assert finding.message == "the Sequential model records no input shape (it was never built)"


def test_input_format(tmp_path):
    native = tmp_path / "spec.json"
    native.write_text(json.dumps({"archlint": 1, "input": [4], "layers": [{"type": "Dense", "units": 2}]}))
    assert lint_file(str(native), input_format="keras").findings[0].rule is rules.INVALID_KERAS_CONFIG
    assert lint_file(str(native), input_format="archlint").model.total_params == 10
    keras_file = _fixture_path("seed_example1_sequential")
    assert lint_file(keras_file, input_format="archlint").skipped == "not a spec (no `archlint` key)"
    assert lint_file(keras_file, input_format="keras").model.total_params == 10


def test_command_line_budgets_apply_and_name_themselves():
    labels = {"params": "--max-params", "trainable_params": "--max-trainable-params"}
    result = lint_file(_fixture_path("frozen_backbone_sequential"),
                       budgets=((Budget(15_000_000, 5_000), labels),))
    [finding] = result.findings
    assert finding.rule is rules.TRAINABLE_BUDGET and (finding.line, finding.column) == (1, 1)
    assert finding.message == "the model has 5,130 trainable parameters, 2.6% over the budget of 5,000"
    assert finding.hint.startswith("the budget is set by --max-trainable-params; over by 130")


def test_discover_includes_keras_archives(tmp_path):
    _archive(tmp_path, {"config.json": json.dumps(SMALL)})
    (tmp_path / "notes.txt").write_text("x")
    assert discover([str(tmp_path)]) == [str(tmp_path / "m.keras")]


def test_converted_yaml_gives_the_same_numbers(tmp_path):
    from archlint.sources.keras import to_yaml

    for name in ("VGG16", "frozen_backbone_sequential", "shared_layer_two_inputs", "tfkeras2_sequential"):
        text = to_yaml(_fixture_path(name))
        assert text.splitlines()[1] == "archlint: 1"
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        native = lint_file(str(path))
        original = lint_file(_fixture_path(name))
        assert native.findings == [] or all(not f.is_error for f in native.findings), native.findings
        assert (native.model.total_params, native.model.trainable_params, native.model.output_shape) == (
            original.model.total_params, original.model.trainable_params, original.model.output_shape)
        assert [(layer.name, layer.output.shape, layer.params) for layer in native.model.layers] == [
            (layer.name, layer.output.shape, layer.params) for layer in original.model.layers]
        assert yaml12.load(text)["layers"]


def test_command_line(tmp_path):
    from click.testing import CliRunner

    from archlint.cli import main

    runner = CliRunner()
    vgg = _fixture_path("VGG16")
    out = runner.invoke(main, ["check", "--isolated", "--max-params", "100M", "--output-format", "json", vgg])
    assert out.exit_code == 1
    [finding] = json.loads(out.stdout)["findings"]
    assert finding["code"] == "B001" and "set by --max-params" in finding["hint"]
    assert runner.invoke(main, ["check", "--isolated", "--max-params", "200M", vgg]).exit_code == 0
    assert runner.invoke(main, ["check", "--max-params", "lots", vgg]).exit_code == 2
    out = runner.invoke(main, ["summary", "--isolated", "--input-format", "archlint", vgg])
    assert out.exit_code == 1 and "no model spec found" in out.stderr
    converted = runner.invoke(main, ["convert", _fixture_path("small_sequential.keras")])
    assert converted.exit_code == 0 and "\ninput: [28, 28, 1]\n" in converted.stdout
    missing = runner.invoke(main, ["convert", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_archive_findings_show_the_config_json_line(tmp_path):
    """Issue 15: the excerpt under a finding in a .keras archive is config.json's line, not the zip's bytes."""
    from click.testing import CliRunner

    from archlint.cli import main

    broken = json.loads(json.dumps(SMALL))
    broken["config"]["layers"][1]["config"]["units"] = 0
    path = _archive(tmp_path, {"config.json": json.dumps(broken, indent=1), "metadata.json": "{}"})
    result = CliRunner().invoke(main, ["check", "--isolated", "--color", "never", path])
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:") and (" E002 " in lines[0] or " S002 " in lines[0])
    assert '"units": 0' in lines[1] and "PK" not in result.output
