"""Configuration: discovery (nearest wins), selection, per-file ignores, exclude, framework, strict,
budgets, and errors that name the file, key and line (exit 2)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archlint import config as cfg
from archlint.cli import main

ERROR_AND_WARNING = ("archlint: 1\ninput: [8, 8, 3]\nlayers:\n"
                     "  - {type: Conv2D, filters: 4, kernel_size: 1, strides: 2}\n"  # W002 at 4:57 (W001, the example before, is opt-in since issue 15)
                     "  - {type: Dense, units: 2, bias: true}\n")  # S004 at 5:29
NO_FRAMEWORK = "archlint: 1\ninput: [3, 8, 8]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: 3}\n"
CONV = "archlint: 1\ninput: [10, 10, 3]\nlayers:\n  - {type: Conv2D, filters: 5, kernel_size: 3}\n"  # 140 params


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("ARCHLINT_OUTPUT_FORMAT", raising=False)

    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return name

    return write


def found(*args) -> list[tuple]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return [(f["path"], f["code"]) for f in json.loads(result.stdout)["findings"]]


def test_nearest_configuration_wins_and_pyproject_without_section_is_passed_over(tree):
    tree("pyproject.toml", '[tool.archlint]\nignore = ["W002"]\n')
    tree("a/pyproject.toml", '[project]\nname = "x"\n')  # no [tool.archlint]: passed over
    tree("b/archlint.toml", 'ignore = ["S004"]\n')
    tree("b/pyproject.toml", '[tool.archlint]\nignore = ["W"]\n')  # archlint.toml first in the same folder
    for name in ("top.yaml", "a/x.yaml", "b/y.yaml"):
        tree(name, ERROR_AND_WARNING)
    assert found(".") == [("top.yaml", "S004"), ("a/x.yaml", "S004"), ("b/y.yaml", "W002")]
    assert sorted(found("--isolated", "top.yaml")) == [("top.yaml", "S004"), ("top.yaml", "W002")]
    assert found("--config", "b/archlint.toml", "top.yaml") == [("top.yaml", "W002")]


@pytest.mark.parametrize("settings, codes", [
    ('select = ["W"]', ["W002"]),
    ('select = ["S004"]', ["S004"]),
    ('select = ["stride-skips-input"]', ["W002"]),
    ('ignore = ["S"]', ["W002"]),
    ('select = ["ALL"]\nignore = ["W00"]', ["S004"]),
    ('ignore = ["W"]\nextend-select = ["W002"]', ["W002", "S004"]),  # the more specific selector wins
    ('select = ["W002"]\nignore = ["W"]', ["W002"]),
    ('select = ["E"]\nextend-select = ["S004"]', ["S004"]),
])
def test_select_ignore_extend_select(tree, settings, codes):
    tree("archlint.toml", settings + "\n")
    tree("m.yaml", ERROR_AND_WARNING)
    assert [code for _, code in found("m.yaml")] == sorted(codes, key=lambda c: {"W002": 0, "S004": 1}[c])


def test_command_line_selection_layers_over_the_configuration(tree):
    tree("archlint.toml", 'ignore = ["W002"]\n')
    tree("m.yaml", ERROR_AND_WARNING)
    assert found("--select", "W", "m.yaml") == [("m.yaml", "W002")]  # --select starts over
    assert found("--ignore", "S004", "m.yaml") == []  # --ignore adds to the configuration's
    assert found("--extend-select", "W002", "m.yaml") == [("m.yaml", "W002"), ("m.yaml", "S004")]
    result = CliRunner().invoke(main, ["check", "--select", "X9", "m.yaml"])
    assert result.exit_code == 2 and "'X9' is not a rule code, prefix or name" in result.stderr


def test_per_file_ignores_and_json_specs(tree):
    tree("archlint.toml", '[per-file-ignores]\n"legacy/**" = ["W002"]\n"*.json" = ["S004"]\n')
    tree("legacy/old/m.yaml", ERROR_AND_WARNING)
    tree("m.yaml", ERROR_AND_WARNING)
    tree("j.json", json.dumps({"archlint": 1, "input": [4], "layers": [{"type": "Dense", "units": 2, "bias": 1}]}))
    assert found(".") == [("m.yaml", "W002"), ("m.yaml", "S004"), ("legacy/old/m.yaml", "S004")]


def test_exclude_and_force_exclude(tree):
    tree("archlint.toml", 'exclude = ["generated", "vendor/*.yaml"]\n')
    for name in ("generated/g.yaml", "sub/generated/h.yaml", "vendor/v.yaml", "vendor/deep/w.yaml", "m.yaml"):
        tree(name, ERROR_AND_WARNING)
    assert sorted({path for path, _ in found(".")}) == ["m.yaml", "vendor/deep/w.yaml"]
    # named explicitly (as pre-commit does), excluded files are checked unless --force-exclude
    assert {path for path, _ in found("generated/g.yaml", "m.yaml")} == {"generated/g.yaml", "m.yaml"}
    assert {path for path, _ in found("--force-exclude", "generated/g.yaml", "m.yaml")} == {"m.yaml"}
    tree("archlint.toml", 'exclude = ["generated"]\nforce-exclude = true\n')
    assert {path for path, _ in found("generated/g.yaml", "m.yaml")} == {"m.yaml"}
    assert {path for path, _ in found("--no-force-exclude", "generated/g.yaml")} == {"generated/g.yaml"}


def test_default_framework(tree):
    tree("m.yaml", NO_FRAMEWORK)
    assert found("m.yaml") == [("m.yaml", "S003")]  # Conv2d is not a Keras layer
    tree("archlint.toml", 'framework = "pytorch"\n')
    assert found("m.yaml") == []
    assert found("--framework", "keras", "m.yaml") == [("m.yaml", "S003")]
    tree("k.yaml", "framework: keras\n" + NO_FRAMEWORK)  # a spec's own framework wins
    assert found("k.yaml") == [("k.yaml", "S003")]


def test_strict_from_configuration(tree):
    tree("m.yaml", ERROR_AND_WARNING.split("  - {type: Dense")[0])  # the warning only
    assert CliRunner().invoke(main, ["check", "m.yaml"]).exit_code == 0
    tree("archlint.toml", "strict = true\n")
    assert CliRunner().invoke(main, ["check", "m.yaml"]).exit_code == 1
    assert CliRunner().invoke(main, ["check", "--no-strict", "m.yaml"]).exit_code == 0


def test_per_path_budgets_apply_beside_the_spec_own_budget(tree):
    # every declared budget holds: own.yaml is within its own 200 but over the configuration's 100
    tree("pyproject.toml", '[tool.archlint.budgets]\n"mobile/**" = { params = 100 }\n"**" = "1k"\n')
    tree("mobile/m.yaml", CONV)
    tree("server/s.yaml", CONV)
    tree("mobile/own.yaml", CONV.replace("layers:", "budget: {params: 200}\nlayers:"))
    result = CliRunner().invoke(main, ["check", "--format", "json", "."])
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in findings] == [
        ("mobile/m.yaml", "B001", 1, 1), ("mobile/own.yaml", "B001", 1, 1)]
    assert findings[0]["message"].startswith("the model has 140 parameters, 40.0% over the budget of 100")
    assert findings[0]["hint"].endswith("or raise the budget (set by pyproject.toml budgets 'mobile/**')")


@pytest.mark.parametrize("name, text, message", [
    ("pyproject.toml", '[tool.archlint]\nselect = ["E"]\nignore = "W002"\n',
     "pyproject.toml:3: [tool.archlint] `ignore` must be a list of rule codes, prefixes or names"),
    ("pyproject.toml", '[tool.archlint]\nselct = ["E"]\n',
     "pyproject.toml:2: [tool.archlint] unknown key `selct` (did you mean `select`?)"),
    ("archlint.toml", 'ignore = ["W999"]\n', "archlint.toml:1: `ignore`: 'W999' is not a rule code, prefix or name"),
    ("archlint.toml", 'ignore = ["trunkated-input"]\n',
     "archlint.toml:1: `ignore`: 'trunkated-input' is not a rule code, prefix or name (did you mean `truncated-input`?)"),
    ("archlint.toml", 'framework = "jax"\n', "archlint.toml:1: `framework` must be one of keras, pytorch, not 'jax'"),
    ("archlint.toml", 'strict = "yes"\n', "archlint.toml:1: `strict` must be true or false"),
    ("archlint.toml", '\n[budgets]\n"**" = { params = "lots" }\n',
     "archlint.toml:3: `budgets.'**'.params`: 'lots' is not a count (an int, or 25k, 3.5M, 7B)"),
    ("archlint.toml", '[per-file-ignores]\n"a/*" = ["Q1"]\n',
     "archlint.toml:2: `per-file-ignores.'a/*'`: 'Q1' is not a rule code, prefix or name"),
    ("archlint.toml", 'select = ["E"]\nstrict = tru\n', "archlint.toml:2: invalid TOML: Invalid value (at line 2, column 10)"),
    ("archlint.toml", 'output-format = "xml"\n',
     "archlint.toml:1: `output-format` must be one of full, concise, json, json-lines, sarif, github, gitlab, junit, not 'xml'"),
])
def test_configuration_errors_exit_2_naming_file_key_and_line(tree, name, text, message):
    tree(name, text)
    tree("m.yaml", ERROR_AND_WARNING)
    for command in (["check", "m.yaml"], ["summary", "m.yaml"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith(f"archlint: error: {message}")


def test_missing_config_file_given_explicitly(tree):
    tree("m.yaml", ERROR_AND_WARNING)
    result = CliRunner().invoke(main, ["check", "--config", "nope.toml", "m.yaml"])
    assert result.exit_code == 2 and result.stderr.startswith("archlint: error: nope.toml: cannot read the configuration")


def test_glob_matching():
    root = "/r"
    assert cfg.matches("*.yaml", "/r/a/b/c.yaml", root)  # no slash: any name along the path
    assert cfg.matches("b", "/r/a/b/c.yaml", root)
    assert not cfg.matches("a/*.yaml", "/r/a/b/c.yaml", root)  # * stays in one folder
    assert cfg.matches("a/**/*.yaml", "/r/a/b/c.yaml", root)
    assert cfg.matches("a/**/*.yaml", "/r/a/c.yaml", root)
    assert cfg.matches("a/b/", "/r/a/b", root)
    assert not cfg.matches("*.yaml", "/elsewhere/c.yaml", root)  # outside the configuration's folder
    assert cfg.matches("[ab].yaml", "/r/b.yaml", root) and not cfg.matches("[!ab].yaml", "/r/b.yaml", root)
