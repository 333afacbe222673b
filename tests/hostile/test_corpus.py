"""The hostile corpus: one file per broken or malicious input, each with its findings and exit status.

Every case must end in findings (or a clean skip) and the right exit code: never a traceback, a hang,
an internal error, a change to the file, or code execution. Cases that need the file system (missing
files, broken symlinks, FIFOs, permissions, .keras archives, size limits) are made in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archlint import loader
from archlint.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
PWNED = Path("/tmp/archlint-pwned")  # what the code-execution cases would create

# file -> (exit status, [(code, line, column), ...]) with the full command line, --isolated
CASES = {
    # reading: encodings, empty files, syntax
    "not_utf8.yaml": (1, [("S001", 6, 14)]),
    "binary.yaml": (1, [("S001", 1, 1)]),
    "utf16.yaml": (1, [("S001", 1, 1)]),
    "bom.yaml": (0, []),
    "empty.yaml": (0, []),  # not a spec: skipped (-v says why), as are comments only
    "comments_only.yaml": (0, []),
    "control_character.yaml": (1, [("S001", 6, 12)]),
    "tab_indentation.yaml": (1, [("S001", 6, 1)]),
    "unclosed_flow.yaml": (1, [("S001", 6, 1)]),
    "multi_document.yaml": (1, [("S001", 8, 1)]),
    "top_level_list.yaml": (1, [("S002", 1, 1)]),
    "top_level_scalar.json": (1, [("S002", 1, 1)]),
    # keys and tags
    "duplicate_key.yaml": (1, [("S007", 8, 5)]),  # at the second occurrence
    "duplicate_key.json": (1, [("S007", 2, 43)]),
    "merge_keys.yaml": (0, []),  # `<<` keeps working
    "python_object.yaml": (1, [("S008", 5, 11)]),
    "python_name.yaml": (1, [("S008", 2, 7)]),
    "unknown_tag.yaml": (1, [("S008", 5, 5)]),
    "set_tag.yaml": (1, [("S008", 2, 8)]),
    # expansion and nesting
    "billion_laughs.yaml": (1, [("S009", 1, 1)]),
    "recursive_alias.yaml": (1, [("S009", 2, 8)]),
    "too_deep_flow.yaml": (1, [("S009", 3, 107)]),
    "too_deep_unclosed.yaml": (1, [("S009", 3, 404)]),
    "too_deep_block.yaml": (1, [("S009", 104, 101)]),
    "too_deep_aliases.yaml": (1, [("S009", 4, 46)]),
    "too_deep.json": (1, [("S009", 1, 182)]),
    # numbers
    "huge_integer.yaml": (1, [("S009", 6, 14)]),
    "huge_integer.json": (1, [("S009", 1, 69)]),
    "nan.json": (1, [("S001", 1, 69)]),
    "infinity.json": (1, [("S001", 1, 69)]),
    "nan.yaml": (1, [("S002", 6, 14)]),
    "float_overflow.yaml": (1, [("S002", 6, 14)]),  # 1e400 is inf
    "float_for_int.yaml": (1, [("S002", 6, 14)]),
    "negative_dimension.yaml": (1, [("S002", 2, 9)]),
    "zero_dimension.yaml": (1, [("S002", 2, 9)]),
    "zero_filters.yaml": (1, [("S002", 6, 14)]),
    "negative_kernel.yaml": (1, [("E002", 7, 18)]),
    "giant_dimensions.yaml": (0, []),  # exact Python integers: no overflow (see test_giant_counts_are_exact)
    "giant_budget.yaml": (1, [("B001", 3, 18)]),
    "yes_no_strings.yaml": (1, [("S002", 6, 15)]),  # YAML 1.2: `no` is a string
    # layers and graphs
    "long_layer_list.yaml": (0, []),
    "unknown_type.yaml": (1, [("S003", 3, 17)]),
    "layer_not_mapping.yaml": (1, [("S002", 3, 10), ("S002", 3, 17), ("S002", 3, 20), ("S002", 3, 26)]),
    "layers_not_list.yaml": (1, [("S002", 3, 9)]),
    "graph_cycle.yaml": (1, [("W009", 2, 8), ("E013", 4, 46)]),
    "self_input.yaml": (1, [("W009", 2, 8), ("E013", 4, 46)]),
    "unknown_reference.yaml": (1, [("W009", 2, 8), ("E012", 4, 46)]),
    # blocks and expressions
    "block_uses_itself.yaml": (1, [("E018", 6, 17)]),
    "blocks_use_each_other.yaml": (1, [("E018", 7, 22)]),
    "huge_repeat.yaml": (1, [("E018", 7, 5)]),
    "nested_repeat_explosion.yaml": (1, [("E018", 5, 14)]),
    "expression_power_tower.yaml": (1, [("E017", 5, 26)]),
    "expression_huge_string.yaml": (1, [("E017", 5, 35)]),
    "expression_too_long.yaml": (1, [("E017", 5, 26)]),
    "expression_code.yaml": (1, [("E017", 5, 26)]),
    "expression_dunder.yaml": (1, [("E017", 5, 26)]),
    "expression_unknown_variable.yaml": (1, [("E017", 5, 26)]),
}


def run(*args):
    return CliRunner().invoke(main, ["check", "--isolated", "--output-format", "json", *map(str, args)])


def found(result) -> list[tuple]:
    text = result.output
    data = json.loads(text[text.index("{"):text.rindex("}") + 1])
    return [(f["code"], f["line"], f["column"]) for f in data["findings"]]


def test_every_corpus_file_has_a_case():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(name):
    expected_exit, expected = CASES[name]
    result = run(CORPUS / name)
    assert (result.exit_code, found(result)) == (expected_exit, expected), result.output
    assert "Traceback" not in result.output
    assert not PWNED.exists()


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith(".yaml") and n != "long_layer_list.yaml"))
def test_corpus_loads_the_same_with_both_yaml_parsers(name):
    """The loader's verdict (data, or code and position) does not depend on libyaml being present."""
    outcomes = []
    for use_libyaml in (True, False):
        try:
            outcomes.append(repr(loader.load_file(str(CORPUS / name), use_libyaml).data)[:10_000])
        except loader.LoadError as error:
            outcomes.append((error.rule.code, error.message, error.line, error.column))
    assert outcomes[0] == outcomes[1]


def test_the_whole_corpus_runs_in_bounded_time():
    """A guard against hangs, not a speed test: the whole corpus, one process-free run."""
    start = time.perf_counter()
    result = run(CORPUS)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert elapsed < 60, f"the corpus took {elapsed:.1f} s"
    codes = {code for code, _, _ in found(result)}
    assert "E900" not in codes and {"S001", "S002", "S007", "S008", "S009", "E017", "E018"} <= codes


def test_giant_counts_are_exact():
    result = CliRunner().invoke(main, ["summary", "--isolated", "--output-format", "json",
                                       str(CORPUS / "giant_dimensions.yaml")])
    model = json.loads(result.output)["models"][0]
    assert model["total_params"] == (2**62 * 0 + 3 + 1) * 10**20  # (3 inputs + bias) x units, exact
    assert model["output_shape"] == [None, 2**62, 2**62, 10**20]


# ---------------------------------------------------------------- the file system


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


CLEAN = "archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n"
BROKEN = "archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 0}\n"


def test_missing_file_is_a_finding_and_the_others_are_still_checked(here):
    (here / "broken.yaml").write_text(BROKEN)
    (here / "clean.yaml").write_text(CLEAN)
    result = run("missing.yaml", "broken.yaml", "clean.yaml")
    assert result.exit_code == 1
    assert found(result) == [("S006", 0, 0), ("S002", 4, 26)]
    assert "cannot read missing.yaml: No such file or directory" in result.output


def test_broken_symlink(here):
    os.symlink(here / "nowhere.yaml", here / "link.yaml")
    (here / "clean.yaml").write_text(CLEAN)
    result = run(".")
    assert (result.exit_code, found(result)) == (1, [("S006", 0, 0)])
    assert "No such file or directory" in result.output


def test_symlink_loop(here):
    os.symlink(here / "b.yaml", here / "a.yaml")
    os.symlink(here / "a.yaml", here / "b.yaml")
    result = run("a.yaml")
    assert (result.exit_code, found(result)) == (1, [("S006", 0, 0)])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_does_not_hang(here):
    os.mkfifo(here / "pipe.yaml")
    (here / "clean.yaml").write_text(CLEAN)
    start = time.perf_counter()
    result = run(".")
    assert (result.exit_code, found(result)) == (1, [("S006", 0, 0)])
    assert time.perf_counter() - start < 10


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(here):
    path = here / "secret.yaml"
    path.write_text(CLEAN)
    path.chmod(0)
    try:
        result = run("secret.yaml")
    finally:
        path.chmod(0o644)
    assert (result.exit_code, found(result)) == (1, [("S006", 0, 0)])
    assert "Permission denied" in result.output


def test_max_file_size_option(here, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", loader.MAX_FILE_BYTES)  # the option sets it: restore after
    (here / "spec.yaml").write_text(CLEAN)
    result = run("--max-file-size", "40", "spec.yaml")
    assert (result.exit_code, found(result)) == (1, [("S009", 0, 0)])
    assert "the file has 59 bytes, over the limit of 40" in result.output
    assert run("--max-file-size", "1k", "spec.yaml").exit_code == 0
    bad = run("--max-file-size", "lots", "spec.yaml")
    assert bad.exit_code == 2 and "is not a byte size" in bad.output


def test_default_file_size_limit_is_generous():
    assert loader.MAX_FILE_BYTES == 50 * 1024 * 1024


def write_zip(path: Path, members: dict) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("name, make, message", [
    ("not_a_zip.keras", lambda p: p.write_bytes(b"archlint: 1\nnot a zip\n"), "not a valid zip archive"),
    ("no_config.keras", lambda p: write_zip(p, {"metadata.json": "{}"}), "has no config.json"),
    ("bomb.keras", lambda p: write_zip(p, {"config.json": b"0" * (loader.MAX_FILE_BYTES + 10)}), "declares"),
    ("bad_config.keras", lambda p: write_zip(p, {"config.json": b'{"a": NaN}'}), "NaN is not a JSON number"),
    ("deep_config.keras", lambda p: write_zip(p, {"config.json": b"[" * 5000 + b"]" * 5000}), "nested more than"),
])
def test_keras_archives(here, name, make, message):
    make(here / name)
    start = time.perf_counter()
    result = run(name)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert message in result.output
    assert time.perf_counter() - start < 30


# ---------------------------------------------------------------- internal errors and the files themselves


def test_internal_error_is_e900_naming_the_file_exit_2(here, monkeypatch):
    import archlint.lint

    def boom(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(archlint.lint, "check_document", boom)
    (here / "spec.yaml").write_text(CLEAN)
    (here / "other.yaml").write_text(BROKEN.replace("units: 0", "units: 2"))
    plain = CliRunner().invoke(main, ["check", "--isolated", "spec.yaml"])
    assert plain.exit_code == 2
    assert "spec.yaml:0:0: E900 [error] internal error while checking this file: ZeroDivisionError: a bug" in plain.output
    assert "please report it" in plain.output and "Traceback" not in plain.output
    debug = CliRunner().invoke(main, ["check", "--isolated", "--debug", "spec.yaml"])
    assert debug.exit_code == 2 and "Traceback (most recent call last)" in debug.output
    both = run("spec.yaml", "other.yaml")  # the other file is still checked
    assert [c for c, _, _ in found(both)] == ["E900", "E900"] and both.exit_code == 2


def snapshot(paths) -> dict:
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_mode)
            for p in paths}


def test_archlint_never_writes_to_its_inputs():
    files = sorted(p for p in list(CORPUS.iterdir()) + list((ROOT / "examples").rglob("*")) if p.is_file())
    before = snapshot(files)
    for command in (["check", "--isolated"], ["summary", "--isolated"]):
        CliRunner().invoke(main, command + [str(CORPUS), str(ROOT / "examples")])
    assert snapshot(files) == before
