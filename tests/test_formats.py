"""Output formats: the exact text of each format on a fixed spec, escaping, colour, SARIF validity."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import DATA

from archlint import rules
from archlint.cli import main
from archlint.findings import Finding
from archlint.formats import github, junit, render

BAD = ("archlint: 1\nname: formats\ninput: [4]\nlayers:\n  - {type: Dense, units: 2, bias: true}\n"
       "  - {type: Dense, units: 2}  # archlint: disable=W005\n")
GOOD = "archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n"

EXPECTED = {
    'full': (
        'bad.yaml:5:29: S004 [error] `bias` is not an argument of Dense\n'
        '  5 |   - {type: Dense, units: 2, bias: true}\n'
        '    |                             ^^^^\n'
        '  hint: did you mean `use_bias`?\n'
        '\n'
        'bad.yaml:6:50: S010 [warning] unused suppression: no W005 finding on line 6\n'
        '  6 |   - {type: Dense, units: 2}  # archlint: disable=W005\n'
        '    |                                                  ^^^^\n'
        '  hint: remove W005 from the comment\n'
    ),
    'concise': (
        'bad.yaml:5:29: S004 [error] `bias` is not an argument of Dense\n'
        'bad.yaml:6:50: S010 [warning] unused suppression: no W005 finding on line 6\n'
    ),
    'json': (
        '{\n'
        '  "findings": [\n'
        '    {\n'
        '      "path": "bad.yaml",\n'
        '      "line": 5,\n'
        '      "column": 29,\n'
        '      "code": "S004",\n'
        '      "name": "unknown-keyword",\n'
        '      "severity": "error",\n'
        '      "message": "`bias` is not an argument of Dense",\n'
        '      "hint": "did you mean `use_bias`?"\n'
        '    },\n'
        '    {\n'
        '      "path": "bad.yaml",\n'
        '      "line": 6,\n'
        '      "column": 50,\n'
        '      "code": "S010",\n'
        '      "name": "unused-suppression",\n'
        '      "severity": "warning",\n'
        '      "message": "unused suppression: no W005 finding on line 6",\n'
        '      "hint": "remove W005 from the comment"\n'
        '    }\n'
        '  ]\n'
        '}\n'
    ),
    'json-lines': (
        '{"path": "bad.yaml", "line": 5, "column": 29, "code": "S004", "name": "unknown-keyword", "severity": "error", "message": "`bias` is not an argument of Dense", "hint": "did you mean `use_bias`?"}\n'
        '{"path": "bad.yaml", "line": 6, "column": 50, "code": "S010", "name": "unused-suppression", "severity": "warning", "message": "unused suppression: no W005 finding on line 6", "hint": "remove W005 from the comment"}\n'
    ),
    'github': (
        '::error file=bad.yaml,line=5,col=29,title=archlint S004 (unknown-keyword)::S004 `bias` is not an argument of Dense%0Ahint: did you mean `use_bias`?\n'
        '::warning file=bad.yaml,line=6,col=50,title=archlint S010 (unused-suppression)::S010 unused suppression: no W005 finding on line 6%0Ahint: remove W005 from the comment\n'
    ),
    'gitlab': (
        '[\n'
        '  {\n'
        '    "description": "S004 `bias` is not an argument of Dense",\n'
        '    "check_name": "S004 unknown-keyword",\n'
        '    "fingerprint": "d63026270fd40872e8333ba38474c5fd",\n'
        '    "severity": "major",\n'
        '    "location": {\n'
        '      "path": "bad.yaml",\n'
        '      "lines": {\n'
        '        "begin": 5\n'
        '      }\n'
        '    }\n'
        '  },\n'
        '  {\n'
        '    "description": "S010 unused suppression: no W005 finding on line 6",\n'
        '    "check_name": "S010 unused-suppression",\n'
        '    "fingerprint": "7cf90c29a9ffe9ebbed69b558065a551",\n'
        '    "severity": "minor",\n'
        '    "location": {\n'
        '      "path": "bad.yaml",\n'
        '      "lines": {\n'
        '        "begin": 6\n'
        '      }\n'
        '    }\n'
        '  }\n'
        ']\n'
    ),
    'junit': (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="archlint" tests="3" failures="2" errors="0">\n'
        '  <testsuite name="bad.yaml" tests="2" failures="2" errors="0">\n'
        '    <testcase name="S004 unknown-keyword" classname="bad.yaml" line="5" column="29">\n'
        '      <failure type="error" message="`bias` is not an argument of Dense">line 5, col 29, `bias` is not an argument of Dense\n'
        'hint: did you mean `use_bias`?</failure>\n'
        '    </testcase>\n'
        '    <testcase name="S010 unused-suppression" classname="bad.yaml" line="6" column="50">\n'
        '      <failure type="warning" message="unused suppression: no W005 finding on line 6">line 6, col 50, unused suppression: no W005 finding on line 6\n'
        'hint: remove W005 from the comment</failure>\n'
        '    </testcase>\n'
        '  </testsuite>\n'
        '  <testsuite name="good.yaml" tests="1" failures="0" errors="0">\n'
        '    <testcase name="archlint" classname="good.yaml"/>\n'
        '  </testsuite>\n'
        '</testsuites>\n'
    ),
}


@pytest.fixture
def specs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("ARCHLINT_OUTPUT_FORMAT", raising=False)
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def check(*args, env=None):
    return CliRunner().invoke(main, ["check", "--isolated", *args, "bad.yaml", "good.yaml"], env=env)


@pytest.mark.parametrize("fmt", list(EXPECTED))
def test_exact_output_of_each_format(specs, fmt):
    result = check("--output-format", fmt)
    assert result.exit_code == 1
    assert result.stdout == EXPECTED[fmt]
    # machine formats are alone on stdout and print nothing else; people formats count on stderr
    people = fmt in ("full", "concise", "github")
    assert result.stderr == ("2 specs checked: 1 error, 1 warning\n" if people else "")


def test_sarif_validates_against_the_sarif_2_1_0_schema(specs):
    import jsonschema

    result = check("--output-format", "sarif")
    assert (result.exit_code, result.stderr) == (1, "")
    sarif = json.loads(result.stdout)
    schema = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(rules.RULES)
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"] == [
        {"ruleId": "S004", "ruleIndex": list(rules.RULES).index("S004"), "level": "error",
         "message": {"text": "`bias` is not an argument of Dense\nhint: did you mean `use_bias`?"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "bad.yaml", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 5, "startColumn": 29}}}]},
        {"ruleId": "S010", "ruleIndex": list(rules.RULES).index("S010"), "level": "warning",
         "message": {"text": "unused suppression: no W005 finding on line 6\nhint: remove W005 from the comment"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "bad.yaml", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 6, "startColumn": 50}}}]},
    ]


def test_sarif_of_whole_file_findings_and_odd_paths_validates(tmp_path):
    import jsonschema

    findings = [Finding(rules.UNREADABLE_FILE, "cannot read it", "dir with space/m#1.yaml", 0, 0),
                Finding(rules.INTERNAL_ERROR, "boom", str(tmp_path / "a.yaml"), 0, 0, "report it")]
    sarif = json.loads(render("sarif", findings, []))
    schema = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(sarif)
    locations = [r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"]]
    assert locations == [{"artifactLocation": {"uri": "dir%20with%20space/m%231.yaml", "uriBaseId": "%SRCROOT%"}},
                         {"artifactLocation": {"uri": (tmp_path / "a.yaml").as_uri()}}]


def test_empty_results_per_format(specs):
    outputs = {fmt: CliRunner().invoke(main, ["check", "--isolated", "--format", fmt, "good.yaml"])
               for fmt in EXPECTED}
    assert {fmt: r.exit_code for fmt, r in outputs.items()} == dict.fromkeys(EXPECTED, 0)
    assert outputs["full"].stdout == outputs["concise"].stdout == outputs["json-lines"].stdout == ""
    assert outputs["github"].stdout == ""
    assert json.loads(outputs["json"].stdout) == {"findings": []}
    assert json.loads(outputs["gitlab"].stdout) == []
    assert outputs["junit"].stdout == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="archlint" tests="1" failures="0" errors="0">\n'
        '  <testsuite name="good.yaml" tests="1" failures="0" errors="0">\n'
        '    <testcase name="archlint" classname="good.yaml"/>\n'
        '  </testsuite>\n'
        '</testsuites>\n')


def test_github_annotation_escaping():
    finding = Finding(rules.SCHEMA_VIOLATION, "100% wrong:\r\nsee a,b", "dir,x/a:b%.yaml", 3, 7, "fix: it, now")
    assert github.annotation(finding) == (
        "::error file=dir%2Cx/a%3Ab%25.yaml,line=3,col=7,title=archlint S002 (schema-violation)"
        "::S002 100%25 wrong:%0D%0Asee a,b%0Ahint: fix: it, now")
    whole_file = Finding(rules.UNREADABLE_FILE, "cannot read", "m.yaml", 0, 0)
    assert github.annotation(whole_file) == (
        "::error file=m.yaml,title=archlint S006 (unreadable-file)::S006 cannot read")


def test_junit_escapes_markup_and_control_characters_and_reports_internal_errors_as_errors():
    import xml.etree.ElementTree as ET

    findings = [Finding(rules.SCHEMA_VIOLATION, 'a <b> & "c"\x01', "x.yaml", 1, 2),
                Finding(rules.INTERNAL_ERROR, "boom", "y.yaml", 0, 0)]
    root = ET.fromstring(junit.render("junit", findings, ["x.yaml", "y.yaml"]))
    assert root.attrib == {"name": "archlint", "tests": "2", "failures": "1", "errors": "1"}
    failure = root.find("testsuite/testcase/failure")
    assert failure.attrib["message"] == 'a <b> & "c"\ufffd'
    assert root.find("testsuite[@name='y.yaml']/testcase/error").attrib["type"] == "error"


def test_gitlab_fingerprints_are_stable_and_unique():
    same = [Finding(rules.SCHEMA_VIOLATION, "m", "x.yaml", line, 1) for line in (1, 9)]
    issues = json.loads(render("gitlab", same, []))
    assert len({i["fingerprint"] for i in issues}) == 2
    moved = json.loads(render("gitlab", [Finding(rules.SCHEMA_VIOLATION, "m", "x.yaml", 4, 1)], []))
    assert moved[0]["fingerprint"] == issues[0]["fingerprint"]  # a finding that moves keeps its fingerprint
    whole = json.loads(render("gitlab", [Finding(rules.UNREADABLE_FILE, "m", "x.yaml", 0, 0)], []))
    assert whole[0]["location"] == {"path": "x.yaml", "lines": {"begin": 1}}


def test_full_format_underlines_quoted_values_and_windows_long_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text('archlint: 1\ninput: [4]\nlayers:\n  - {type: "Dens", units: 2}\n')
    out = CliRunner().invoke(main, ["check", "--isolated", "q.yaml"]).stdout
    assert '  4 |   - {type: "Dens", units: 2}\n    |            ^^^^^^\n' in out
    spec = {"archlint": 1, "name": "x" * 300, "input": [4], "layers": [{"type": "Dense", "units": 2, "bias": 1}]}
    (tmp_path / "m.json").write_text(json.dumps(spec))
    out = CliRunner().invoke(main, ["check", "--isolated", "m.json"]).stdout
    source, caret = out.splitlines()[1:3]
    assert source.startswith("  1 | ...") and len(source) < 120
    assert caret.index("^") == source.index('"bias"') and caret.endswith("^^^^^^")


def test_colour(specs, monkeypatch):
    plain = check("--format", "concise")
    coloured = check("--format", "concise", "--color", "always")
    assert "\x1b[" not in plain.stdout
    assert coloured.stdout.startswith("\x1b[1mbad.yaml:5:29:\x1b[0m \x1b[31m\x1b[1mS004\x1b[0m \x1b[31m[error]\x1b[0m")
    assert click_unstyle(coloured.stdout) == plain.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in check("--format", "concise", "--color", "always").stdout or True
    assert "\x1b[" not in check("--format", "concise").stdout
    # machine formats are never coloured
    assert "\x1b[" not in check("--format", "json", "--color", "always").stdout


def click_unstyle(text: str) -> str:
    import click

    return click.unstyle(text)


def test_no_color_environment_variable_turns_auto_colour_off(monkeypatch):
    from archlint import cli

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._use_color("auto") is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._use_color("auto") is False
    assert cli._use_color("always") is True
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset, per no-color.org
    assert cli._use_color("auto") is True
    assert cli._use_color("never") is False


def test_output_format_precedence(specs):
    (specs / "archlint.toml").write_text('output-format = "concise"\n')
    run = lambda *args, env=None: CliRunner().invoke(main, ["check", *args, "bad.yaml"], env=env)  # noqa: E731
    assert run().stdout == EXPECTED["concise"]  # configuration
    assert run(env={"GITHUB_ACTIONS": "true"}).stdout == EXPECTED["concise"]  # configuration beats GitHub
    assert run(env={"ARCHLINT_OUTPUT_FORMAT": "json-lines"}).stdout == EXPECTED["json-lines"]  # env beats config
    assert run("--format", "github", env={"ARCHLINT_OUTPUT_FORMAT": "json-lines"}).stdout == EXPECTED["github"]
    (specs / "archlint.toml").unlink()
    assert run(env={"GITHUB_ACTIONS": "true"}).stdout == EXPECTED["github"]  # GitHub Actions
    assert run().stdout == EXPECTED["full"]
    bad_env = run(env={"ARCHLINT_OUTPUT_FORMAT": "xml"})
    assert bad_env.exit_code == 2 and "ARCHLINT_OUTPUT_FORMAT" not in bad_env.stdout


def test_statistics(specs):
    result = check("--statistics")
    assert (result.exit_code, result.stdout) == (1, "1  S004  [error] unknown-keyword\n1  S010  [warning] unused-suppression\n")
    result = check("--statistics", "--format", "json")
    assert json.loads(result.stdout) == [
        {"code": "S004", "name": "unknown-keyword", "severity": "error", "count": 1},
        {"code": "S010", "name": "unused-suppression", "severity": "warning", "count": 1}]
    bad = check("--statistics", "--format", "sarif")
    assert (bad.exit_code, bad.stderr) == (2, "archlint: error: --statistics prints text or json, not sarif\n")


def test_exit_zero_strict_and_quiet(specs):
    assert check("--exit-zero").exit_code == 0
    warning_only = CliRunner().invoke(main, ["check", "--isolated", "-q", "--select", "S010", "bad.yaml"])
    assert (warning_only.exit_code, warning_only.stderr) == (0, "")
    assert warning_only.stdout.startswith("bad.yaml:6:50: S010")
    strict = CliRunner().invoke(main, ["check", "--isolated", "--strict", "--select", "S010", "bad.yaml"])
    assert strict.exit_code == 1
    assert CliRunner().invoke(main, ["check", "--isolated", "--strict", "--exit-zero", "bad.yaml"]).exit_code == 0
