"""Every rule has documentation; every documented failing example triggers its rule, every fixed
example does not (linted through the command line, suppressions and all)."""

from __future__ import annotations

import json
import shlex

import pytest
from click.testing import CliRunner

from archlint import ruledocs
from archlint.cli import main
from archlint.rules import RULES

# A bug in archlint cannot be written as a spec: its page explains why it has no failing example.
NO_FAILING_EXAMPLE = {"E900"}
# A broken .keras archive is binary: its page says so, and tests/test_keras_import.py builds the archives.
NO_FAILING_EXAMPLE |= {"S021"}
# Budgets on a Hugging Face config's own figures come from the command line or the configuration only:
# tests/test_huggingface.py triggers them.
NO_FAILING_EXAMPLE |= {"B100", "B101", "B102"}
# An Ultralytics scale missing from `scales` needs --scale (or a file name with another letter): tested in
# tests/test_ultralytics.py.
NO_FAILING_EXAMPLE |= {"E141"}
# B020 compares two files (`archlint diff`): tests/test_diff.py runs its page's example with both files.
NO_FAILING_EXAMPLE |= {"B020"}
# W109 is a safety net no known config reaches: tests/test_hf_classic_import.py triggers it.
NO_FAILING_EXAMPLE |= {"W109"}


def _codes(tmp_path, monkeypatch, language: str, text: str, code: str = "") -> set[str]:
    monkeypatch.chdir(tmp_path)
    if language == "console":
        args = shlex.split(text.strip().lstrip("$ "))[1:]
    else:
        name = "spec.json" if language == "json" else "spec.yaml"
        (tmp_path / name).write_text(text, encoding="utf-8")
        args = ["check", name]
    # an opt-in rule (rules.Rule.default) is selected for its own examples
    selected = ["--extend-select", code] if code and args[0] == "check" else []
    result = CliRunner().invoke(main, args[:1] + ["--isolated", "--output-format", "json"] + selected + args[1:])
    return {finding["code"] for finding in json.loads(result.stdout)["findings"]}


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_is_documented(code):
    doc = ruledocs.source(code)
    assert doc is not None, f"archlint/ruledocs/{code}.md is missing"
    assert doc.startswith(f"# {code} {RULES[code].name} ({RULES[code].severity})\n")
    for section in ("## What it finds", "## Why it matters", "## Fixed example"):
        assert section in doc
    assert ("## Failing example" in doc) == (code not in NO_FAILING_EXAMPLE)


@pytest.mark.parametrize("code", list(RULES))
def test_failing_example_triggers_the_rule_and_fixed_example_does_not(code, tmp_path, monkeypatch):
    examples = ruledocs.examples(code)
    if code not in NO_FAILING_EXAMPLE:
        assert code in _codes(tmp_path, monkeypatch, *examples["failing"], code)
    assert code not in _codes(tmp_path, monkeypatch, *examples["fixed"], code)


def test_rule_command_prints_the_documentation():
    result = CliRunner().invoke(main, ["rule", "non-positive-output-size"])
    assert result.exit_code == 0
    assert result.stdout == ruledocs.source("E001")
    assert CliRunner().invoke(main, ["rule", "e001"]).stdout == result.stdout


def test_rule_command_with_an_unknown_rule_exits_2():
    result = CliRunner().invoke(main, ["rule", "non-positive-output"])
    assert result.exit_code == 2
    assert result.stderr == "archlint: error: no rule 'non-positive-output' (did you mean non-positive-output-size?)\n"


def test_rules_command_lists_every_rule():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    assert lines[0].split() [:3] == ["S001", "invalid-syntax", "error"]
    e001 = next(line for line in lines if line.startswith("E001"))
    assert e001.split("  ")[0] == "E001" and e001.endswith(RULES["E001"].summary)
    listed = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).stdout)
    assert listed[0] == {"code": "S001", "name": "invalid-syntax", "severity": "error",
                         "summary": "The file is not valid YAML or JSON."}
    assert [r["code"] for r in listed] == list(RULES)


def test_rule_pages_and_reference_are_generated_from_rules_py():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "rules_reference.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_rule_metadata_is_checked_at_import():
    from archlint import rules

    with pytest.raises(rules.RuleDefinitionError):
        rules._rule("E001", "another-name", rules.ERROR, "A second E001.")
    with pytest.raises(rules.RuleDefinitionError):
        rules._rule("E999", "non-positive-output-size", rules.ERROR, "A second name.")
    with pytest.raises(rules.RuleDefinitionError):
        rules._rule("E998", "some-rule", rules.ERROR, "An unknown category.", "nonsense")
    assert "E999" not in RULES and "E998" not in RULES


def test_default_selection_leaves_out_the_opt_in_categories():
    off = sorted(code for code, rule in RULES.items() if not rule.default)
    assert off == ["W001", "W003"]
    assert RULES["W003"].category == "portability" and RULES["W001"].category == "pedantic"
    assert all(rule.why_default for rule in RULES.values())


def test_a_category_selects_its_rules():
    from pathlib import Path

    spec = str(Path(__file__).resolve().parents[1] / "examples" / "mobilenet" / "mobilenetv2_keras.yaml")
    for args, codes in ((["--extend-select", "portability"], {"W003"}), ([], set()),
                        (["--select", "ALL", "--ignore", "portability"], set())):
        result = CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json", *args, spec])
        assert {f["code"] for f in json.loads(result.stdout)["findings"]} == codes, args
