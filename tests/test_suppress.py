"""Suppression comments: on the line, on the line above, file-wide at the top; unused (S010) and invalid
(S011) suppressions; comment detection that respects YAML quoting."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archlint import loader, suppress
from archlint.cli import main

HEAD = "archlint: 1\ninput: [8, 8, 3]\nlayers:\n"
STRIDED = "  - {type: Conv2D, filters: 4, kernel_size: 1, strides: 2}"  # W002 (W001, the example before, is opt-in since issue 15)


def found(tmp_path, monkeypatch, text: str, name: str = "m.yaml", *args) -> list[tuple]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--isolated", "--format", "json", *args, name])
    return [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_without_suppression(tmp_path, monkeypatch):
    assert [f[:3] for f in found(tmp_path, monkeypatch, HEAD + STRIDED + "\n")] == [("W002", 4, 57)]


@pytest.mark.parametrize("text", [
    HEAD + STRIDED + "  # archlint: disable=W002\n",
    HEAD + STRIDED + "  # archlint: disable=stride-skips-input\n",
    HEAD + STRIDED + "  #archlint:disable=W005,W002  the windows are cropped on purpose\n",
    HEAD + "  # archlint: disable=W002\n" + STRIDED + "\n",
    HEAD + "  # archlint: disable=W002\n  # another comment\n\n" + STRIDED + "\n",
    "# archlint: disable-file=W002\n" + HEAD + STRIDED + "\n",
    "%YAML 1.2\n---\n# yaml-language-server: $schema=x.json\n# archlint: disable-file=W002\n" + HEAD + STRIDED + "\n",
])
def test_suppressed(tmp_path, monkeypatch, text):
    assert [f for f in found(tmp_path, monkeypatch, text) if f[0] != "S010"] == []


def test_multi_line_layer_suppressed_at_the_offending_key(tmp_path, monkeypatch):
    text = HEAD + "  - type: Conv2D\n    filters: 4\n    kernel_size: 1\n    strides: 2  # archlint: disable=W002\n"
    assert found(tmp_path, monkeypatch, text) == []
    wrong_line = HEAD + "  - type: Conv2D  # archlint: disable=W002\n    filters: 4\n    kernel_size: 1\n    strides: 2\n"
    assert [f[:3] for f in found(tmp_path, monkeypatch, wrong_line)] == [("S010", 4, 39), ("W002", 7, 14)]


def test_unused_suppressions_are_s010(tmp_path, monkeypatch):
    text = ("# archlint: disable-file=W005\n" + HEAD + STRIDED + "  # archlint: disable=W002,E001\n"
            "  - {type: Dense, units: 2}  # archlint: disable=W002\n")
    assert found(tmp_path, monkeypatch, text) == [
        ("S010", 1, 26, "unused suppression: no W005 finding in the file"),
        ("S010", 5, 86, "unused suppression: no E001 finding on line 5"),
        ("S010", 6, 50, "unused suppression: no W002 finding on line 6"),
    ]
    # a trailing own-line comment with nothing below, and a suppression of a rule the configuration ignores
    w001 = found(tmp_path, monkeypatch, HEAD + STRIDED + "\n")[0]
    assert found(tmp_path, monkeypatch, HEAD + STRIDED + "\n# archlint: disable=W002\n") == [
        w001, ("S010", 5, 21, "unused suppression: no W002 finding below it")]
    text = HEAD + STRIDED + "  # archlint: disable=W002\n"
    assert found(tmp_path, monkeypatch, text, "m.yaml", "--ignore", "W002") == [
        ("S010", 4, 81, "unused suppression: no W002 finding on line 4 (W002 is not selected by the configuration)")]
    assert found(tmp_path, monkeypatch, text, "m.yaml", "--ignore", "W002,S010") == []


def test_invalid_suppressions_are_s011(tmp_path, monkeypatch):
    text = (HEAD + STRIDED + "  # archlint: disable=W999,W002\n"
            "  - {type: Dense, units: 2}  # archlint: enable=W002\n"
            "# archlint: disable-file=W002\n")
    assert found(tmp_path, monkeypatch, text) == [
        ("S011", 4, 81, "'W999' is not an archlint rule code or name"),
        ("S011", 5, 30, "malformed suppression '# archlint: enable=W002': write `# archlint: disable=CODE[,CODE]` "
                        "or `# archlint: disable-file=CODE`"),
        ("S011", 6, 1, "`disable-file` works only in the comments at the top of the file, before the first key"),
    ]


def test_internal_errors_cannot_be_suppressed():
    from archlint import rules
    from archlint.findings import Finding

    internal = Finding(rules.INTERNAL_ERROR, "boom", "m.yaml", 0, 0)
    kept = suppress.apply("m.yaml", "# archlint: disable-file=E900\narchlint: 1\n", [internal], {"E900", "S010"})
    assert [f.rule.code for f in kept] == ["E900", "S010"]


@pytest.mark.parametrize("line, start", [
    ("a: 1 # c", 5),
    ("# c", 0),
    ("a: 'x # not' # c", 13),
    ('a: "x \\" # not" # c', 16),
    ("a: 'it''s # not' # c", 17),
    ("url: http://x#frag", -1),  # a '#' inside a plain scalar is no comment
    ("name: don't # c", 12),  # an apostrophe inside a plain scalar opens no quote
    ("- {a: 'b', c: d}  # c", 18),
])
def test_comment_detection_respects_quoting(line, start):
    assert suppress._comment_start(line) == start


def test_json_specs_are_not_scanned(tmp_path, monkeypatch):
    spec = {"archlint": 1, "name": "# archlint: disable=W002", "input": [4], "layers": [{"type": "Dense", "units": 2}]}
    assert found(tmp_path, monkeypatch, json.dumps(spec), "m.json") == []


PARSERS = [
    pytest.param(True, id="libyaml", marks=pytest.mark.skipif(not loader.HAVE_LIBYAML, reason="no libyaml")),
    pytest.param(False, id="pure-python"),
]
# Comments written inside scalars that span lines are text (issue 15); the real ones around them count
IN_SCALARS = (
    "# archlint: disable-file=W005\n"  # line 1: a real file-wide directive
    "archlint: 1\n"
    "description: |  # archlint: disable=W002\n"  # line 3: the header's comment is a comment
    "  Use it as  # archlint: disable=E001\n"
    "  # archlint: disable-file=W004\n"
    "note: >-\n"
    "  folded # archlint: disable=W003\n"
    "\n"
    "  more\n"
    "# archlint: disable=E002\n"  # line 10: less indented than the scalar, so a comment again
    "name: \"double\n"
    "  # archlint: disable=E003\n"
    "  quoted\"  # archlint: disable=E004\n"  # line 13: after the closing quote, a comment
    "tag: 'single\n"
    "  # archlint: disable=E005'\n"
    "layers: [{type: Dense, units: 2, name: \"a\n"
    "   # archlint: disable=E006\", kept: 1}]  # archlint: disable=E007\n"
    "keep: |+\n"
    "  text\n"
    "  # archlint: disable=E008\n"
    "\n"
)


@pytest.mark.parametrize("use_libyaml", PARSERS)
def test_directives_inside_multi_line_scalars_are_text(use_libyaml):
    document = loader.load_text("m.yaml", IN_SCALARS, use_libyaml=use_libyaml)
    assert document.verbatim() == [(3, 0, 5, 0), (6, 0, 9, 0), (10, 6, 12, 9), (13, 5, 14, 27), (15, 39, 16, 28),
                                   (18, 0, 21, 0)]
    directives, problems = suppress.parse(IN_SCALARS, document.verbatim())
    assert [(d.line, d.file_wide, d.target, [c for c, _ in d.codes]) for d in directives] == [
        (1, True, 0, ["W005"]), (3, False, 3, ["W002"]), (10, False, 11, ["E002"]), (13, False, 13, ["E004"]),
        (17, False, 17, ["E007"])]
    assert problems == []
    # without the spans, the text inside the scalars reads as comments: five more, and a misplaced disable-file
    directives, problems = suppress.parse(IN_SCALARS)
    assert len(directives) == 10 and [p[:2] for p in problems] == [(5, 3)]


def test_directive_inside_a_block_scalar_suppresses_nothing(tmp_path, monkeypatch):
    inside = HEAD.replace("layers:", "description: |\n  # archlint: disable=W002\nlayers:") + STRIDED + "\n"
    assert [f[:3] for f in found(tmp_path, monkeypatch, inside)] == [("W002", 6, 57)]
    below = HEAD.replace("layers:", "description: |\n  text\nlayers:\n  # archlint: disable=W002")
    assert found(tmp_path, monkeypatch, below + STRIDED + "\n") == []
