"""The command line: exit codes, output formats, file discovery, skipped files and internal errors."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, ROOT

from archlint.cli import main
from archlint.layers.registry import REGISTRY, load_all

CLEAN = "archlint: 1\nname: tiny\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n"
ERROR = "archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2, bias: true}\n"
WARNING = "input: [4]\nlayers:\n  - {type: Dense, units: 2}\n"  # S005: a spec without `archlint:`


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def files(tmp_path, monkeypatch):
    """write(name, text) -> the relative path, with the temporary folder as the working directory."""
    monkeypatch.chdir(tmp_path)

    def write(name: str, text: str | bytes) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return name

    return write


# ---------------------------------------------------------------- exit codes


def test_clean_exits_0(files):
    result = run("check", files("a.yaml", CLEAN))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "1 spec checked: 0 errors, 0 warnings\n")


def test_errors_exit_1(files):
    result = run("check", files("a.yaml", ERROR))
    assert result.exit_code == 1
    assert result.stdout == (
        "a.yaml:4:29: S004 [error] `bias` is not an argument of Dense\n"
        "  4 |   - {type: Dense, units: 2, bias: true}\n"
        "    |                             ^^^^\n"
        "  hint: did you mean `use_bias`?\n"
    )
    assert result.stderr == "1 spec checked: 1 error, 0 warnings\n"


def test_warnings_exit_0_and_1_with_strict(files):
    path = files("a.yaml", WARNING)
    result = run("check", path)
    assert result.exit_code == 0
    assert result.stdout.startswith("a.yaml:2:1: S005 [warning] the file has a `layers` list")
    assert result.stderr == "1 spec checked: 0 errors, 1 warning\n"
    assert run("check", "--strict", path).exit_code == 1
    assert run("check", "--strict", files("b.yaml", CLEAN)).exit_code == 0


@pytest.mark.parametrize("args", [["check", "--bogus", "x.yaml"], ["check"], ["check", "--format", "xml", "x"],
                                  ["nonsense"]])
def test_bad_usage_exits_2(files, args):
    assert run(*args).exit_code == 2


def test_missing_path_is_s006_and_the_other_files_are_still_checked(files):
    result = run("check", "--format", "json", "missing.yaml", files("b.yaml", ERROR))
    assert result.exit_code == 1
    found = [(f["path"], f["code"], f["line"], f["column"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("missing.yaml", "S006", 0, 0), ("b.yaml", "S004", 4, 29)]
    text = run("check", "missing.yaml", "b.yaml")
    assert text.stdout.startswith(
        "missing.yaml:0:0: S006 [error] cannot read missing.yaml: No such file or directory\n")
    assert text.stderr == "1 spec checked: 2 errors, 0 warnings\n"


@pytest.fixture
def broken_dense(monkeypatch):
    """Make the Keras Dense rule raise, as a bug in archlint would."""
    load_all()

    def boom(call):
        raise RuntimeError("boom")

    key = ("keras", "Dense")
    monkeypatch.setitem(REGISTRY, key, dataclasses.replace(REGISTRY[key], infer=boom))


def test_internal_error_is_e900_exit_2_and_the_other_files_are_still_checked(files, broken_dense):
    conv = "archlint: 1\ninput: [8, 8, 1]\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 3, bias: 1}\n"
    result = run("check", "--format", "json", files("a.yaml", CLEAN), files("b.yaml", conv))
    assert result.exit_code == 2
    found = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["code"]) for f in found] == [("a.yaml", "E900"), ("b.yaml", "S004")]
    assert found[0]["message"] == "internal error while checking this file: RuntimeError: boom"
    assert found[0]["hint"].startswith("this is a bug in archlint")


def test_internal_error_traceback_only_with_debug(files, broken_dense):
    path = files("a.yaml", CLEAN)
    quiet = run("check", path)
    assert quiet.exit_code == 2 and "Traceback" not in quiet.output and "RuntimeError: boom" in quiet.stdout
    loud = run("check", "--debug", path)
    assert loud.exit_code == 2
    assert "Traceback (most recent call last)" in loud.stdout and 'raise RuntimeError("boom")' in loud.stdout


def test_internal_error_in_summary_exits_2(files, broken_dense):
    assert run("summary", files("a.yaml", CLEAN)).exit_code == 2


# ---------------------------------------------------------------- JSON output


def test_check_json_exact_shape(files):
    result = run("check", "--output-format", "json", files("a.yaml", ERROR), files("b.yaml", WARNING))
    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == {"findings": [
        {"path": "a.yaml", "line": 4, "column": 29, "code": "S004", "name": "unknown-keyword",
         "severity": "error", "message": "`bias` is not an argument of Dense", "hint": "did you mean `use_bias`?"},
        {"path": "b.yaml", "line": 2, "column": 1, "code": "S005", "name": "missing-archlint-key",
         "severity": "warning",
         "message": "the file has a `layers` list of typed layers but no `archlint` key",
         "hint": "add `archlint: 1` at the top so archlint checks it"},
    ]}


def test_check_json_when_clean_and_with_verbose(files):
    files("notes.yaml", "a: [1\n")
    result = run("check", "--format", "json", "-v", files("a.yaml", CLEAN), "notes.yaml")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"findings": []}


def test_summary_json_exact_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("summary", "--format", "json", EXAMPLES / "seed" / "example3.yaml")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"models": [{
        "path": "examples/seed/example3.yaml",  # relative to the working directory
        "name": "seed-example-3",
        "framework": "keras",
        "total_params": 140,
        "trainable_params": 140,
        "non_trainable_params": 0,
        "output_shape": [None, 8, 8, 5],
        # issue 9: 8*8*27*5 MACs; 300 + 320 values; weights, gradients, two Adam moments
        "dtype": "float32", "batch_size": 1, "optimizer": "adam", "macs": 8640, "flops": 17280,
        "param_memory": 560, "activation_memory": 2480, "activation_peak_layer": "conv2d",
        "training_memory": 4 * 560 + 2480,
        "training_memory_parts": {"weights": 560, "gradients": 560, "optimizer": 1120, "activations": 2480},
        "receptive_field": [3, 3], "effective_stride": [1, 1], "receptive_field_layer": "conv2d",
        "layers": [{"name": "conv2d", "type": "Conv2D", "inputs": ["input"], "output_shape": [None, 8, 8, 5],
                    "params": 140, "trainable_params": 140, "macs": 8640, "flops": 17280, "param_memory": 560,
                    "activation_memory": 1280, "live_memory": 2480, "training_memory": 4 * 560 + 1280,
                    "receptive_field": [3, 3], "effective_stride": [1, 1]}],
    }]}


def test_summary_json_with_a_layer_that_could_not_be_computed(files):
    spec = ("archlint: 1\ninput: [4, 4, 1]\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 9}\n"
            "  - {type: Flatten}\n")
    result = run("summary", "--format", "json", files("a.yaml", spec))
    assert result.exit_code == 1
    model = json.loads(result.stdout)["models"][0]
    assert (model["total_params"], model["output_shape"]) == (0, None)
    assert [(layer["output_shape"], layer["params"]) for layer in model["layers"]] == [(None, 0), (None, 0)]
    assert result.stderr.startswith("a.yaml:4:45: E001 [error]")


def test_summary_of_no_spec(files):
    result = run("summary", files("notes.yaml", "a: 1\n"))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "no model spec found\n")


def test_summary_text_of_two_specs(files):
    result = run("summary", files("a.yaml", CLEAN), files("b.yaml", CLEAN.replace("tiny", "other")))
    assert result.exit_code == 0
    assert result.stdout.count('Model: "') == 2 and '\n\nModel: "other"' in result.stdout


# ---------------------------------------------------------------- skipped files


def test_non_specs_are_skipped_and_listed_with_verbose(files):
    files("spec.yaml", CLEAN)
    files("config.yaml", "key: value\n")
    files("broken.yaml", "foo: [1\n")
    files("empty.yaml", "")
    files("comments.yml", "# nothing here\n")
    files("list.json", "[1, 2]")
    result = run("check", "-v", ".")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        "skipped broken.yaml: not a spec (invalid YAML: expected ',' or ']', but got '<stream end>')\n"
        "skipped comments.yml: not a spec (no data: only comments or null)\n"
        "skipped config.yaml: not a spec (no `archlint` key)\n"
        "skipped empty.yaml: not a spec (empty file)\n"
        "skipped list.json: not a spec (no `archlint` key)\n"
        "1 spec checked: 0 errors, 0 warnings\n"
    )
    assert run("check", ".").stderr == "1 spec checked: 0 errors, 0 warnings\n"


@pytest.mark.parametrize("name, text, finding", [
    ("a.yaml", "archlint: 1\ninput: [4\n", "a.yaml:3:1: S001 [error] invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("b.json", '{"archlint":1,"input":[4],}', "b.json:1:26: S001 [error] invalid JSON: Illegal trailing comma before end of object"),
    ("c.yaml", "{archlint: 1, input: [4}\n", "c.yaml:1:24: S001 [error] invalid YAML: expected ',' or ']', but got '}'"),
])
def test_syntax_error_in_a_spec_is_reported(files, name, text, finding):
    result = run("check", files(name, text))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == finding


def test_syntax_error_in_a_file_that_is_no_spec_is_skipped(files):
    files(".github/workflows/ci.yaml", "on: [push\n")
    files("data.json", '{"a": 1,}')
    result = run("check", "-v", ".github/workflows/ci.yaml", "data.json")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "0 specs checked: 0 errors, 0 warnings"


def test_non_utf8_binary_and_bom(files):
    files("bom.yaml", b"\xef\xbb\xbf" + CLEAN.encode())
    files("latin1.yaml", "archlint: 1\nname: caf\xe9\n".encode("latin-1"))
    files("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00archlint: 1")
    result = run("check", "--format", "json", "-v", "bom.yaml", "latin1.yaml", "image.yaml")
    found = [(f["path"], f["code"], f["line"], f["column"], f["message"])
             for f in json.loads(result.stdout)["findings"]]
    assert found == [("latin1.yaml", "S001", 2, 10, "the file is not UTF-8 (byte 0xe9)")]
    assert run("check", "-v", "image.yaml").stderr == (
        "skipped image.yaml: not a spec (the file is binary, not YAML or JSON text)\n"
        "0 specs checked: 0 errors, 0 warnings\n")


# ---------------------------------------------------------------- discovery


def test_folder_search_is_recursive_sorted_and_skips_hidden_folders(files):
    for name in ["b/z.yaml", "b/a.yml", "a.json", "c/d/e.YAML", ".git/x.yaml", ".hidden/y.yaml",
                 "b/.cache/w.yaml", "node_modules/n.yaml", "readme.md", "b/notes.txt"]:
        files(name, ERROR if name.endswith((".yaml", ".yml", ".YAML")) else "{}")
    files("a.json", json.dumps({"archlint": 1, "input": [4], "layers": [{"type": "Dense", "units": 2, "bias": 1}]}))
    result = run("check", "--format", "json", ".")
    paths = [f["path"] for f in json.loads(result.stdout)["findings"]]
    assert paths == ["a.json", "b/a.yml", "b/z.yaml", "c/d/e.YAML"]


def test_paths_are_printed_relative_to_the_working_directory(files, tmp_path, monkeypatch):
    files("sub/x.yaml", ERROR)
    for given in ["sub", "sub/", "./sub", "sub/x.yaml", "./sub/../sub/x.yaml", os.path.abspath("sub/x.yaml")]:
        result = run("check", "--format", "json", given)
        assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["sub/x.yaml"]
    monkeypatch.chdir(tmp_path / "sub")
    for given, printed in [("../sub/x.yaml", "x.yaml"), (str(tmp_path / "sub"), "x.yaml")]:
        assert json.loads(run("check", "--format", "json", given).stdout)["findings"][0]["path"] == printed
    files("other/y.yaml", ERROR)  # outside the working directory: as given, normalized
    result = run("check", "--format", "json", "../other/./y.yaml", str(tmp_path / "other" / "y.yaml"))
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["../other/y.yaml",
                                                                          str(tmp_path / "other" / "y.yaml")]


def test_a_file_named_twice_is_checked_once(files):
    path = files("sub/x.yaml", ERROR)
    result = run("check", "--format", "json", path, "sub", path)
    assert len(json.loads(result.stdout)["findings"]) == 1


def test_a_named_file_with_any_extension_is_checked(files):
    result = run("check", files("model.spec", ERROR))
    assert result.exit_code == 1


# ---------------------------------------------------------------- other commands and entry points


def test_schema_command_prints_the_schema():
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "schemas" / "archlint.schema.json").read_text(encoding="utf-8")


def test_version_and_help():
    assert run("--version").stdout.startswith("archlint, version ")
    assert "check" in run("--help").stdout and run("-h").exit_code == 0


def test_python_dash_m_works_the_same(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(ERROR, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "archlint", "check", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert json.loads(done.stdout)["findings"][0]["code"] == "S004"
    usage = subprocess.run([sys.executable, "-m", "archlint", "check", "--bogus"], capture_output=True, text=True,
                           timeout=60)
    assert usage.returncode == 2 and usage.stderr.startswith("Usage: archlint check")
