"""The schema: in step with the layer registry, published = packaged, and findings in the user's words."""

from __future__ import annotations

import importlib.util
import json

import jsonschema
import pytest
from helpers import EXAMPLES, ROOT, codes

from archlint import schema, yaml12
from archlint.layers.registry import FRAMEWORKS, REGISTRY, load_all
from archlint.spec import RESERVED_LAYER_KEYS

PUBLISHED = ROOT / "schemas" / "archlint.schema.json"


def published() -> dict:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def layer_definitions() -> dict:
    return {k: v for k, v in schema.schema()["definitions"].items() if k.split(".", 1)[0] in FRAMEWORKS
            and "." in k}


# ---------------------------------------------------------------- the schema and the registry


def test_every_registered_layer_has_a_definition_and_vice_versa():
    registered = {f"{framework}.{name}" for framework, name in REGISTRY}
    assert registered, "no layer type registered"
    assert set(layer_definitions()) == registered


load_all()  # the family modules register their layer types on import


@pytest.mark.parametrize("key", sorted(f"{fw}.{name}" for fw, name in REGISTRY))
def test_definition_properties_are_the_constructor_keywords_plus_the_common_keys(key):
    framework, name = key.split(".", 1)
    definition = schema.schema()["definitions"][key]
    assert set(definition["properties"]) == set(REGISTRY[(framework, name)].defaults) | RESERVED_LAYER_KEYS
    assert definition["properties"]["type"] == {"const": name}


def test_common_keys_are_type_name_inputs_expect_trainable():
    assert RESERVED_LAYER_KEYS == {"type", "name", "inputs", "expect", "trainable"}


def test_sync_schema_check_passes(capsys):
    spec = importlib.util.spec_from_file_location("sync_schema", ROOT / "scripts" / "sync_schema.py")
    sync_schema = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync_schema)
    assert sync_schema.main(["--check"]) == 0
    assert capsys.readouterr().out == "schema in sync\n"


def test_the_package_reads_the_one_committed_schema():
    assert schema.schema_text() == PUBLISHED.read_text(encoding="utf-8")
    assert not (ROOT / "archlint" / "archlint.schema.json").exists() or \
        (ROOT / "archlint" / "archlint.schema.json").read_bytes() == PUBLISHED.read_bytes()


@pytest.mark.slow
def test_a_built_wheel_carries_the_schema(tmp_path):
    """`pip install .` (not editable) gets the schema from setup.py's build step. Built from a copy of the
    tree, so the checkout gets no build/ folder."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache", ".venv", "fuzz", "bench"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("archlint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("archlint/archlint.schema.json") == PUBLISHED.read_bytes()
        assert "archlint/ruledocs/E001.md" in archive.namelist()


def test_schema_is_valid_draft7():
    jsonschema.Draft7Validator.check_schema(published())


# ---------------------------------------------------------------- the published schema, as editors use it

EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                       and "huggingface" not in p.parts)  # issue 12: config.json files, an importer's format


def test_there_are_examples():
    assert len(EXAMPLE_FILES) >= 3


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_published_schema_accepts_every_example(path):
    data = yaml12.load(path.read_text(encoding="utf-8"))
    if "archlint" not in data:
        pytest.skip("another format's file, read by an importer (examples/yolo: Ultralytics model YAMLs)")
    errors = [e.message for e in jsonschema.Draft7Validator(published()).iter_errors(data)]
    assert errors == []


def published_errors(data: dict) -> list:
    return list(jsonschema.Draft7Validator(published()).iter_errors(data))


def test_published_schema_dispatch_rejects_an_unknown_keyword():
    spec = {"archlint": 1, "input": [10, 10, 3], "layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3}]}
    assert published_errors(spec) == []
    spec["layers"][0]["kernel_sise"] = 3
    errors = published_errors(spec)
    assert errors and all("kernel_sise" in json.dumps(list(e.instance)) for e in errors)


def test_published_schema_dispatches_on_the_framework():
    conv = {"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3}
    torch_spec = {"archlint": 1, "framework": "pytorch", "input": [3, 10, 10], "layers": [conv]}
    assert published_errors(torch_spec) == []
    assert published_errors({**torch_spec, "framework": "keras"}) != []  # Conv2d is no Keras type
    assert published_errors({**torch_spec, "layers": [{**conv, "filters": 4}]}) != []


# ---------------------------------------------------------------- findings


def findings(result) -> list[tuple]:
    return [(f.rule.code, f.line, f.column, f.message, f.hint) for f in result.findings]


HEAD = "archlint: 1\ninput: [10, 10, 3]\nlayers:\n"


def test_type_error(lint):
    result = lint(HEAD + "  - {type: Conv2D, filters: four, kernel_size: 3}\n")
    assert findings(result) == [("S002", 4, 29, '`filters` must be an integer, got "four"', "")]


def test_float_where_int_is_required_is_rejected(lint):
    result = lint(HEAD + "  - {type: Conv2D, filters: 3.0, kernel_size: 3}\n")
    assert findings(result) == [("S002", 4, 29, "`filters` must be an integer, got 3.0", "")]


def test_float_in_a_size_argument(lint):
    hint = "An int, or a list with one int per spatial axis."
    assert findings(lint(HEAD + "  - {type: Conv2D, filters: 3, kernel_size: 3.0}\n")) == [
        ("S002", 4, 45, "`kernel_size` must be an integer or a list, got 3.0", hint)]
    assert findings(lint(HEAD + "  - {type: Conv2D, filters: 3, kernel_size: [3, 3.0]}\n")) == [
        ("S002", 4, 49, "`kernel_size.1` must be an integer, got 3.0", hint)]


def test_float_in_the_input_shape(lint):
    result = lint("archlint: 1\ninput: [10, 10.0, 3]\nlayers:\n  - {type: Dense, units: 2}\n")
    assert findings(result) == [("S002", 2, 13, "`input.1` must be an integer or null, got 10.0", "")]


def test_enum_with_did_you_mean(lint):
    result = lint(HEAD + "  - {type: Conv2D, filters: 3, kernel_size: 3, padding: smae}\n")
    assert findings(result) == [
        ("S002", 4, 57, '`padding` must be one of "valid", "same", got "smae"', 'did you mean "same"?')]


def test_required_keys_each_reported(lint):
    result = lint(HEAD + "  - {type: Conv2D}\n")
    assert findings(result) == [
        ("S002", 4, 5, "Conv2D requires `filters`", "add `filters:` to Conv2D"),
        ("S002", 4, 5, "Conv2D requires `kernel_size`", "add `kernel_size:` to Conv2D"),
    ]
    result = lint("archlint: 1\nname: x\n")
    assert findings(result) == [
        ("S002", 1, 1, "the spec requires `input`", "add `input:` to the spec"),
        ("S002", 1, 1, "the spec requires `layers`", "add `layers:` to the spec"),
    ]


def test_unknown_keyword_at_the_key_with_did_you_mean(lint):
    result = lint(HEAD + "  - type: Conv2D\n    filters: 3\n    kernel_sise: 3\n")
    assert findings(result) == [
        # a missing required keyword and its misspelling are one finding, at the misspelling (issue 15)
        ("S004", 6, 5, "`kernel_sise` is not an argument of Conv2D, which requires `kernel_size`",
         "did you mean `kernel_size`?"),
    ]


def test_unknown_keyword_of_a_pytorch_layer(lint):
    result = lint("archlint: 1\nframework: pytorch\ninput: [4]\nlayers:\n"
                  "  - {type: Linear, in_features: 4, out_features: 2, use_bias: false}\n")
    assert findings(result) == [
        ("S004", 5, 53, "`use_bias` is not an argument of Linear", "did you mean `bias`?")]


def test_unknown_keys_outside_layers_are_schema_violations(lint):
    result = lint(HEAD + "  - {type: Dense, units: 2, expect: {parms: 3}}\nbudget: {parms: 3}\nfoo: 1\n")
    assert findings(result) == [
        ("S002", 4, 38, "`parms` is not a key of `expect` of Dense", "did you mean `params`?"),
        ("S002", 5, 10, "`parms` is not a key of `budget`", "did you mean `params`?"),
        ("S002", 6, 1, "`foo` is not a key of the spec",
         "the spec takes: $schema, archlint, batch_size, blocks, budget, description, dtype, framework, input, inputs, "
         "layers, name, optimizer, outputs, tie, vars"),
    ]


def test_budget_count_form(lint):
    result = lint(HEAD + "  - {type: Dense, units: 2}\nbudget: {params: 3x}\n")
    assert findings(result) == [
        ("S002", 5, 18, '`budget.params` has an invalid form: "3x"',
         "A count: an integer, or a decimal with a k, M, G (or B, billions) or T suffix (25k, 3.5M, 7B).")]


def test_wrong_version_and_framework(lint):
    assert findings(lint("archlint: 2\ninput: [3]\nlayers: [{type: Dense, units: 2}]\n")) == [
        ("S002", 1, 11, "`archlint` must be 1, got 2", "Marks the file as an archlint spec; the format version.")]
    assert codes(lint("archlint: 1\nframework: tf\ninput: [3]\nlayers: [{type: Dense, units: 2}]\n")) == [
        ("S002", 2, 12)]


def test_unknown_layer_type_with_did_you_mean(lint):
    result = lint(HEAD + "  - {type: Conv2DD, filters: 3, kernel_size: 3}\n  - {type: conv2d, filters: 3}\n")
    assert findings(result) == [
        ("S003", 4, 12, "unknown Keras layer type 'Conv2DD'", "did you mean 'Conv2D'?"),
        ("S003", 5, 12, "unknown Keras layer type 'conv2d'", "did you mean 'Conv2D'?"),
    ]


def test_unknown_layer_type_without_a_close_match(lint):
    result = lint(HEAD + "  - {type: Transformerish}\n")
    assert findings(result) == [("S003", 4, 12, "unknown Keras layer type 'Transformerish'",
                                 "run `archlint schema` to see the known layer types")]


def test_pytorch_class_in_a_keras_spec(lint):
    result = lint(HEAD + "  - {type: Conv2d, in_channels: 3, out_channels: 4, kernel_size: 3}\n")
    assert findings(result) == [
        ("S003", 4, 12, "Conv2d is a PyTorch layer, but this spec's framework is keras",
         "use the Keras class 'Conv2D', or set `framework: pytorch` if the whole spec is written for PyTorch")]


def test_keras_class_in_a_pytorch_spec(lint):
    result = lint("archlint: 1\nframework: pytorch\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n")
    assert findings(result) == [
        ("S003", 5, 12, "Dense is a Keras layer, but this spec's framework is pytorch",
         "set `framework: keras` if the whole spec is written for Keras")]


def test_layer_without_type_or_with_a_bad_type(lint):
    result = lint(HEAD + "  - {filters: 3}\n  - {type: 3}\n  - {type: Dense, units: 2}\n")
    assert findings(result) == [
        ("S002", 4, 5, "the layer has no `type`", "add `type:` with a Keras class name, e.g. `type: Dense`"),
        ("S002", 5, 12, "`type` must be a string, got 3", "write the layer's class name, e.g. `type: Conv2D`"),
    ]


def test_a_layer_that_is_not_a_mapping(lint):
    result = lint(HEAD + "  - Dense\n")
    assert findings(result) == [("S002", 4, 5, '`layers.0` must be a mapping, got "Dense"', "")]
    assert result.model is None


def test_invalid_layer_is_not_walked_and_its_successors_are_skipped_quietly(lint):
    result = lint(HEAD + "  - {type: Conv2D, filters: 4, kernel_size: 3, padding: smae}\n"
                         "  - {type: Conv2D, filters: 4, kernel_size: 30, expect: {params: 1}}\n"
                         "  - {type: Flatten}\n  - {type: Dense, units: 2}\n")
    assert codes(result) == [("S002", 4, 57)]
    assert [layer.output for layer in result.model.layers] == [None, None, None, None]


def test_invalid_layer_with_garbage_name_and_inputs_does_not_crash(lint):
    result = lint(HEAD + "  - {type: Dense, units: 2, name: 3, inputs: input}\n  - {type: Dense, units: 2}\n")
    assert codes(result) == [("S002", 4, 35), ("S002", 4, 46)]
    assert [layer.name for layer in result.model.layers] == ["dense", "dense_1"]


def test_top_level_error_stops_before_the_walk(lint):
    result = lint("archlint: 1\ninput: [3]\nlayers: [{type: Dense, units: 2}]\nbudget: {params: -1}\n")
    assert codes(result) == [("S002", 4, 18)]
    assert result.model is None


def test_the_types_an_importer_registers_are_valid_only_where_the_caller_allows_them(tmp_path):
    """An importer's layer types (LlamaRMSNorm, registered by reading a Hugging Face config) pass the schema
    only when the caller says the file was converted (importer_types=True); a native spec checked in the same
    run, plain or with blocks, is told the type is unknown (S003)."""
    from archlint.lint import lint_file

    assert lint_file(str(EXAMPLES / "huggingface" / "tiny-llama.json")).model is not None
    layer = {"type": "LlamaRMSNorm", "params": 64}
    seen = []
    sink = lambda rule, message, where, hint="", certain=False: seen.append((rule.code, where))  # noqa: E731
    assert schema.validate_layer("pytorch", layer, ("layers", 0), sink, importer_types=True) and seen == []
    assert not schema.validate_layer("pytorch", layer, ("layers", 0), sink) and seen == [("S003", ("layers", 0, "type"))]
    plain = tmp_path / "plain.yaml"
    plain.write_text("archlint: 1\nframework: pytorch\ninput: [4, 8]\nlayers:\n  - {type: LlamaRMSNorm, params: 8}\n")
    blocks = tmp_path / "blocks.yaml"
    blocks.write_text("archlint: 1\nframework: pytorch\ninput: [4, 8]\nblocks:\n  norm:\n    layers:\n"
                      "      - {type: LlamaRMSNorm, params: 8}\nlayers:\n  - {block: norm}\n")
    assert [(f.rule.code, f.line) for f in lint_file(str(plain)).findings] == [("S003", 5)]
    assert [(f.rule.code, f.line) for f in lint_file(str(blocks)).findings] == [("S003", 7)]


def test_layer_types_lists_a_framework():
    assert "Conv2D" in schema.layer_types("keras") and "Conv2D" not in schema.layer_types("pytorch")


# ---------------------------------------------------------------- the generated layer definitions


def test_every_shared_keyword_schema_is_used_and_every_override_differs():
    """layers/schema_keywords.py holds no dead entry: each KEYWORDS entry is some layer's keyword, each
    LAYERS entry a keyword of its type that differs from the shared one."""
    from archlint.layers import schema_keywords

    load_all()
    used = {(fw, keyword) for (fw, name), layer_type in REGISTRY.items() for keyword in layer_type.defaults}
    assert [(fw, k) for fw, table in schema_keywords.KEYWORDS.items() for k in table if (fw, k) not in used] == []
    for (fw, name), overrides in schema_keywords.LAYERS.items():
        for keyword, fragment in overrides.items():
            assert keyword in REGISTRY[(fw, name)].defaults, (name, keyword)
            assert fragment != schema_keywords.KEYWORDS[fw].get(keyword), (name, keyword)
    assert set(schema_keywords.DESCRIPTIONS) | schema_keywords.ANY_KEYWORD <= set(REGISTRY)


def test_a_fragment_shared_by_several_keywords_keeps_each_ones_default():
    """One fragment serves Keras ZeroPadding's `padding` and Cropping's `cropping` (2D and 3D): generating
    the definitions gives each keyword its own default and leaves the shared fragment as written."""
    from archlint.layers import schema_keywords, schemagen

    load_all()
    before = json.dumps(schema_keywords.KERAS_SIDES)
    padding = schemagen.definition(REGISTRY[("keras", "ZeroPadding2D")])["properties"]["padding"]
    cropping = schemagen.definition(REGISTRY[("keras", "Cropping3D")])["properties"]["cropping"]
    assert (padding["default"], cropping["default"]) == ([1, 1], [[1, 1], [1, 1], [1, 1]])
    assert padding["oneOf"] == cropping["oneOf"] == schema_keywords.KERAS_SIDES["oneOf"]
    assert json.dumps(schema_keywords.KERAS_SIDES) == before and "default" not in schema_keywords.KERAS_SIDES


@pytest.mark.parametrize("key", sorted(f"{fw}.{name}" for fw, name in REGISTRY))
def test_every_default_is_stated_and_every_keyword_without_one_is_required(key):
    from archlint.layers.registry import REQUIRED

    framework, name = key.split(".", 1)
    definition = published()["definitions"][key]
    for keyword, default in REGISTRY[(framework, name)].defaults.items():
        if default is REQUIRED:
            assert keyword in definition["required"] and "default" not in definition["properties"][keyword]
        else:
            assert keyword not in definition["required"]
            assert definition["properties"][keyword]["default"] == json.loads(json.dumps(default, default=list))


def test_a_layer_registered_with_its_own_schema_needs_no_shared_entry():
    from archlint.layers.registry import REQUIRED, LayerType
    from archlint.layers.schemagen import MissingSchema, definition

    layer = LayerType("keras", "Blur", "elementwise", {"radius": REQUIRED, "mode": "box", "dtype": None},
                      lambda call: None, schema={"radius": {"type": "integer", "minimum": 1},
                                                 "mode": {"enum": ["box", "gauss"], "description": "The kernel."}},
                      description="Blurs each channel.")
    body = definition(layer)
    assert body["required"] == ["type", "radius"] and body["description"] == "Blurs each channel."
    assert body["properties"]["mode"] == {"enum": ["box", "gauss"], "description": "The kernel.", "default": "box"}
    assert body["properties"]["dtype"] == {"$ref": "#/definitions/dtype", "default": None}  # the shared entry
    with pytest.raises(MissingSchema, match="keras.Blur: keyword `sigma` has no schema"):
        definition(LayerType("keras", "Blur", "elementwise", {"sigma": 3}, lambda call: None))
