"""Finding lines stay short (issue 15): `x.yaml:12:34: CODE message` is at most 120 characters for every
finding of every test input, shipped example, rule page's failing example and hostile-corpus file. The
derivation, the framework's longer words and what to change are the hint's. Every rule is selected
(lint_file reports opt-in rules too)."""

from __future__ import annotations

import ast
import gzip
import textwrap

import pytest
from helpers import DATA, EXAMPLES, ROOT

from archlint import ruledocs, yaml12
from archlint.lint import lint_file
from archlint.rules import RULES

LIMIT = 120
CORPUS = ROOT / "tests" / "hostile" / "corpus"

# (file, code): why its finding line may be longer. Each is a number or a text written in the file, shown
# whole because it is the mistake.
ALLOWED = {
    ("tests/hostile/corpus/giant_budget.yaml", "B001"): "a parameter count of 61 digits, from the sizes written",
    ("tests/hostile/corpus/expression_code.yaml", "E017"): "the expression written is quoted (its start)",
    ("tests/data/bounds/transformer_layers.yaml", "E002"): "an nhead of 22 digits written in the file",
    ("tests/data/bounds/dense_huge.yaml", "E008"): "an input of two sizes of 13 digits written in the file",
    ("tests/data/bounds/conv_huge_padding.yaml", "W004"): "output sizes of 13 digits from a padding of 10**12",
}
# Expanding to the 100,000-layer limit takes seconds each; their one finding (E018) is checked by
# tests/test_blocks.py and tests/hostile/test_corpus.py, and is short
SKIPPED = {"tests/data/block-huge-repeat.yaml", "tests/hostile/corpus/huge_repeat.yaml",
           "tests/hostile/corpus/nested_repeat_explosion.yaml"}


def _files() -> list[str]:
    found = []
    for base in (DATA, EXAMPLES, CORPUS):
        for path in sorted(base.rglob("*")):
            name = path.relative_to(ROOT).as_posix()
            if path.is_file() and path.suffix in (".yaml", ".json", ".keras") and name not in SKIPPED \
                    and "applications" not in path.parts:
                found.append(name)
    return found


def _long_lines(path, name: str) -> list[str]:
    lines = []
    for finding in lint_file(str(path)).findings:
        line = f"x.yaml:{finding.line}:{finding.column}: {finding.rule.code} {finding.message}"
        if len(line) > LIMIT and (name, finding.rule.code) not in ALLOWED:
            lines.append(f"{len(line)} {line}")
    return lines


@pytest.mark.parametrize("name", _files())
def test_finding_lines_of_the_test_inputs_and_examples_are_short(name):
    assert _long_lines(ROOT / name, name) == []


@pytest.mark.parametrize("code", [code for code in RULES if ruledocs.examples(code).get("failing", ("",))[0]
                                  in ("yaml", "json")])
def test_finding_lines_of_the_rule_pages_failing_examples_are_short(code, tmp_path):
    language, text = ruledocs.examples(code)["failing"]
    path = tmp_path / f"spec.{language}"
    path.write_text(text, encoding="utf-8")
    assert _long_lines(path, f"ruledocs/{code}.md") == []


def _crosscheck_table(module: str):
    """A crosscheck module's CASES, read as a literal (the module imports frameworks' helpers; the table is plain
    data, so the specs are linted here without any framework)."""
    tree = ast.parse((ROOT / "tests" / "crosscheck" / f"{module}.py").read_text(encoding="utf-8"))
    (value,) = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["CASES"]]
    return ast.literal_eval(value)


def _crosscheck_specs() -> dict[str, str]:
    specs = {f"cases/{name}": textwrap.dedent(text) for name, text in _crosscheck_table("test_crosscheck_cases").items()}
    for i, (framework, shape, layer) in enumerate(_crosscheck_table("test_resize_reshape")):
        specs[f"resize_reshape/{i}-{layer['type']}"] = yaml12.dump(
            {"archlint": 1, "framework": framework, "input": shape, "layers": [layer]})
    return specs


CROSSCHECK_SPECS = _crosscheck_specs()


@pytest.mark.parametrize("name", sorted(CROSSCHECK_SPECS))
def test_finding_lines_of_the_crosscheck_cases_are_short(name, tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(CROSSCHECK_SPECS[name], encoding="utf-8")
    assert _long_lines(path, f"crosscheck/{name}") == []


@pytest.mark.slow  # 39 Keras application configs of up to 1,000 layers
def test_finding_lines_of_the_keras_applications_are_short(tmp_path):
    long = []
    for packed in sorted((DATA / "keras" / "applications").glob("*.json.gz")):
        path = tmp_path / packed.name[:-len(".gz")]
        path.write_bytes(gzip.decompress(packed.read_bytes()))
        long += _long_lines(path, packed.name)
    assert long == []


def test_every_allowed_long_line_is_still_long():
    """An entry of ALLOWED whose finding became short (or went away) is removed, so the list stays true."""
    for name, code in ALLOWED:
        lines = [f"x.yaml:{f.line}:{f.column}: {f.rule.code} {f.message}" for f in lint_file(str(ROOT / name)).findings
                 if f.rule.code == code]
        assert any(len(line) > LIMIT for line in lines), (name, code)
