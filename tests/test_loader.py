"""The loader: data, positions and refusals, for both YAML parsers and for JSON."""

from __future__ import annotations

import math
import time

import pytest

from archlint import loader
from archlint.loader import LoadError, load_text

PARSERS = [
    pytest.param(True, id="libyaml", marks=pytest.mark.skipif(not loader.HAVE_LIBYAML, reason="no libyaml")),
    pytest.param(False, id="pure-python"),
]


@pytest.fixture(params=PARSERS)
def use_libyaml(request):
    return request.param


def load_yaml(text: str, use_libyaml: bool):
    """Load with the parser under test, and check the other parser gives the same data and positions."""
    document = load_text("spec.yaml", text, use_libyaml=use_libyaml)
    other = load_text("spec.yaml", text, use_libyaml=not use_libyaml)
    assert repr(other.data) == repr(document.data)
    return document


def yaml_error(text: str, use_libyaml: bool) -> tuple:
    """(code, message, line, column, hint) of the refusal, identical for both parsers."""
    found = []
    for parser in (use_libyaml, not use_libyaml):
        with pytest.raises(LoadError) as info:
            load_text("spec.yaml", text, use_libyaml=parser)
        error = info.value
        found.append((error.rule.code, error.message, error.line, error.column, error.hint))
    assert found[0] == found[1]
    return found[0]


def json_error(text: str) -> tuple:
    with pytest.raises(LoadError) as info:
        load_text("spec.json", text)
    error = info.value
    return error.rule.code, error.message, error.line, error.column


# ---------------------------------------------------------------- YAML positions

BLOCK = """\
archlint: 1
name: "x"
input: [10, 10, 3]
layers:
  - type: Conv2D
    filters: 4
    kernel_size: [3, 3]
  - {type: Dense, units: 2}
"""


@pytest.mark.parametrize("where, key, expected", [
    (("archlint",), False, (1, 11)),
    (("archlint",), True, (1, 1)),
    (("input", 0), False, (3, 9)),
    (("input", 2), False, (3, 17)),
    (("layers",), False, (5, 3)),
    (("layers", 0), False, (5, 5)),
    (("layers", 0, "type"), False, (5, 11)),
    (("layers", 0, "type"), True, (5, 5)),
    (("layers", 0, "kernel_size", 1), False, (7, 22)),
    (("layers", 1), False, (8, 5)),
    (("layers", 1, "units"), False, (8, 26)),
    (("layers", 1, "units"), True, (8, 19)),
    # missing: the nearest enclosing value that exists
    (("layers", 0, "padding"), False, (5, 5)),
    (("layers", 0, "padding"), True, (5, 5)),
    (("layers", 7, "units"), False, (5, 3)),
    ((), False, (1, 1)),
])
def test_yaml_positions_block_and_flow(use_libyaml, where, key, expected):
    document = load_yaml(BLOCK, use_libyaml)
    assert document.position(where, key=key) == expected


def test_yaml_positions_through_merge_keys(use_libyaml):
    text = (
        "defaults: &conv {type: Conv2D, kernel_size: 3}\n"
        "layers:\n"
        "  - <<: *conv\n"
        "    filters: 4\n"
        "  - <<: [*conv, {padding: same}]\n"
        "    kernel_size: 5\n"
    )
    document = load_yaml(text, use_libyaml)
    assert document.data["layers"] == [
        {"type": "Conv2D", "kernel_size": 3, "filters": 4},
        {"type": "Conv2D", "kernel_size": 5, "padding": "same"},
    ]
    # a merged value is found where it is written: in the anchored mapping
    assert document.position(("layers", 0, "kernel_size")) == (1, 45)
    assert document.position(("layers", 0, "kernel_size"), key=True) == (1, 32)
    assert document.position(("layers", 0, "filters")) == (4, 14)
    assert document.position(("layers", 0, "filters"), key=True) == (4, 5)
    # a key written next to the merge wins over the merged one, in data and in position
    assert document.position(("layers", 1, "kernel_size")) == (6, 18)
    assert document.position(("layers", 1, "padding")) == (5, 27)


def test_yaml_positions_count_characters_not_bytes(use_libyaml):
    document = load_yaml("name: \"café ☃\"\nx: [é, 5]\n", use_libyaml)
    assert document.position(("x", 1)) == (2, 8)


def test_yaml_crlf_line_endings(use_libyaml):
    document = load_yaml("a: 1\r\nb:\r\n  - 2\r\n  - 3\r\n", use_libyaml)
    assert document.data == {"a": 1, "b": [2, 3]}
    assert document.position(("b", 1)) == (4, 5)


def test_yaml_bom_is_dropped_by_decode(use_libyaml):
    text = loader.decode("\ufeffa: 1\nb: 2\n".encode("utf-8"))
    document = load_yaml(text, use_libyaml)
    assert document.data == {"a": 1, "b": 2}
    assert document.position(("a",)) == (1, 4)


# ---------------------------------------------------------------- YAML 1.2 core typing


@pytest.mark.parametrize("scalar, value", [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("Yes", "Yes"),
    ("true", True), ("False", False), ("TRUE", True),
    ("1e-3", 0.001), ("1E3", 1000.0), (".5", 0.5), ("1.", 1.0), ("-2.5", -2.5), ("3.0", 3.0),
    ("0o17", 15), ("0x1F", 31), ("012", 12), ("+12", 12), ("-7", -7),
    ("1:30", "1:30"), ("2001-12-14", "2001-12-14"), ("1_000", "1_000"), ("0b11", "0b11"), ("-0x1F", "-0x1F"),
    ("~", None), ("null", None), ("Null", None), ("", None),
    (".inf", math.inf), ("-.Inf", -math.inf),
    ("'3'", "3"), ('"true"', "true"), ("!!str 12", "12"), ("!!int '7'", 7), ("!!float 1", 1.0),
])
def test_yaml_core_schema_typing(use_libyaml, scalar, value):
    data = load_yaml(f"v: {scalar}\n", use_libyaml).data
    assert data["v"] == value and type(data["v"]) is type(value)


def test_yaml_nan(use_libyaml):
    assert math.isnan(load_yaml("v: .nan\n", use_libyaml).data["v"])


def test_yaml_integer_with_hundreds_of_digits_is_refused(use_libyaml):
    assert yaml_error("a: 1\nv: " + "9" * 300 + "\n", use_libyaml) == (
        "S009", "integer with 300 digits", 2, 4, "archlint accepts integers of at most 100 digits")
    assert load_yaml("v: " + "9" * 100 + "\n", use_libyaml).data["v"] == int("9" * 100)


# ---------------------------------------------------------------- YAML refusals


def test_yaml_duplicate_key_at_second_occurrence(use_libyaml):
    text = "archlint: 1\nlayers:\n  - type: Dense\n    units: 2\n    units: 3\n"
    assert yaml_error(text, use_libyaml) == (
        "S007", "duplicate key 'units'", 5, 5, "YAML keeps only the last value of a repeated key; remove one")


def test_yaml_duplicate_key_in_flow_mapping(use_libyaml):
    assert yaml_error("a: {b: 1, c: 2, b: 3}\n", use_libyaml)[:4] == ("S007", "duplicate key 'b'", 1, 17)


@pytest.mark.parametrize("text, tag, line, column", [
    ("a: !!python/object/apply:os.system ['echo pwned']\n", "!!python/object/apply:os.system", 1, 4),
    ("a: !!python/object/new:dict {}\n", "!!python/object/new:dict", 1, 4),
    ("a:\n  b: !!python/name:os.system ''\n", "!!python/name:os.system", 2, 6),
    ("a: !custom x\n", "!custom", 1, 4),
    ("a: !!timestamp 2001-12-14\n", "!!timestamp", 1, 4),
    ("a: !!set {x, y}\n", "!!set", 1, 4),
])
def test_yaml_object_tags_are_refused(use_libyaml, text, tag, line, column):
    assert yaml_error(text, use_libyaml) == (
        "S008", f"the YAML tag {tag} is not allowed", line, column,
        "archlint reads plain data only and never constructs objects; remove the tag")


def test_yaml_object_tag_is_never_constructed(use_libyaml, tmp_path):
    marker = tmp_path / "constructed"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    assert yaml_error(text, use_libyaml)[0] == "S008"
    assert not marker.exists()


def test_yaml_billion_laughs_is_refused_fast(use_libyaml):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    code, message, line, column, hint = yaml_error("\n".join(lines) + "\n", use_libyaml)
    assert time.perf_counter() - start < 1.0
    assert (code, message, line, column) == ("S009", "the YAML expands to 490,329,064 values through aliases", 1, 1)
    assert hint == "archlint reads at most 2,000,000 values"


def test_yaml_recursive_alias_is_refused(use_libyaml):
    assert yaml_error("a: &x {b: *x}\n", use_libyaml)[:4] == (
        "S009", "a YAML alias refers to its own ancestor", 1, 4)


def test_yaml_small_aliases_are_shared(use_libyaml):
    data = load_yaml("k: &k [3, 3]\nl: [{kernel_size: *k}, {kernel_size: *k}]\n", use_libyaml).data
    assert data["l"] == [{"kernel_size": [3, 3]}, {"kernel_size": [3, 3]}]


def test_yaml_multi_document_stream(use_libyaml):
    assert yaml_error("archlint: 1\n---\narchlint: 1\n", use_libyaml) == (
        "S001", "the file holds several YAML documents", 2, 1,
        "a spec is one YAML document: remove the `---` separators or split the file")


def test_yaml_single_document_with_markers_is_fine(use_libyaml):
    assert load_yaml("---\na: 1\n...\n", use_libyaml).data == {"a": 1}


@pytest.mark.parametrize("text, message, line, column", [
    ("a: [1, 2\n", "invalid YAML: expected ',' or ']', but got '<stream end>'", 2, 1),
    ("a: \"\\q\"\n", "invalid YAML: found unknown escape character 'q'", 1, 6),
    ("a:\n\tb: 1\n", "invalid YAML: found character '\\t' that cannot start any token", 2, 1),
    ("a: 1\nb: x\x07y\n", "invalid YAML: character #x0007 is not allowed", 2, 5),
    ("a: é\nb: x\x07y\n", "invalid YAML: character #x0007 is not allowed", 2, 5),
])
def test_yaml_syntax_errors_with_position(use_libyaml, text, message, line, column):
    assert yaml_error(text, use_libyaml)[:4] == ("S001", message, line, column)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n", "~\n"])
def test_yaml_empty_and_comments_only_hold_no_data(use_libyaml, text):
    assert load_yaml(text, use_libyaml).data is None


def test_yaml_complex_key_is_refused(use_libyaml):
    assert yaml_error("? [1, 2]\n: 3\n", use_libyaml)[:4] == ("S002", "a mapping key must be a plain value", 1, 3)


def test_both_parsers_agree_on_a_full_spec():
    text = BLOCK + "budget: {params: 3.5M}\nextra: [yes, 1e-3, 0x1F, 1:30, ~, {a: [1, {b: 2}]}]\n"
    documents = [load_text("spec.yaml", text, use_libyaml=flag) for flag in (True, False)]
    assert documents[0].data == documents[1].data
    paths = [("extra", 5, "a", 1, "b"), ("budget", "params"), ("layers", 1, "units"), ("extra", 3)]
    for key in (False, True):
        assert [documents[0].position(p, key) for p in paths] == [documents[1].position(p, key) for p in paths]


# ---------------------------------------------------------------- JSON

JSON = (
    '{\n'
    '  "archlint": 1,\n'
    '  "name": "a\\"b\\u00e9☃",  "input": [10, 10, 3],\n'
    '  "layers": [\n'
    '    {"type": "Conv2D", "filters": 4, "kernel_size": [3, [5, 7]]},\n'
    '    {"type": "Dense", "units": 2}\n'
    '  ]\n'
    '}\n'
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("where, key, expected", [
    (("archlint",), False, (2, 15)),
    (("archlint",), True, (2, 3)),
    (("name",), False, (3, 11)),
    (("input",), True, (3, 27)),  # after a string with escapes and non-ASCII characters
    (("input", 2), False, (3, 45)),
    (("layers", 0), False, (5, 5)),
    (("layers", 0, "filters"), False, (5, 35)),
    (("layers", 0, "filters"), True, (5, 24)),
    (("layers", 0, "kernel_size", 1, 1), False, (5, 61)),
    (("layers", 1, "units"), False, (6, 32)),
    (("layers", 1, "padding"), False, (6, 5)),
    ((), False, (1, 1)),
])
def test_json_positions(newline, where, key, expected):
    document = load_text("spec.json", JSON.replace("\n", newline))
    assert document.data["name"] == 'a"bé☃'
    assert document.position(where, key=key) == expected


def test_json_positions_are_found_lazily():
    document = load_text("spec.json", JSON)
    locator = document.locate
    assert locator.__closure__ is not None
    cache = next(c.cell_contents for c in locator.__closure__ if isinstance(c.cell_contents, dict))
    assert cache == {}  # nothing scanned for a clean file
    document.position(("layers", 1))
    assert "scanner" in cache


def test_json_duplicate_key_at_second_occurrence():
    text = '{"archlint": 1,\n "layers": [{"type": "Dense",\n   "units": 2, "units": 3}]}'
    assert json_error(text) == ("S007", "duplicate key 'units'", 3, 16)


def test_json_duplicate_key_with_escapes():
    assert json_error('{"a\\u0062": 1, "ab": 2}') == ("S007", "duplicate key 'ab'", 1, 16)


@pytest.mark.parametrize("token, column", [("NaN", 9), ("Infinity", 9), ("-Infinity", 9)])
def test_json_nan_and_infinity_are_refused(token, column):
    text = f'{{"s": "NaN Infinity", "v": [1, {token}]}}'
    column = text.index(token, 20) + 1
    assert json_error(text) == ("S001", f"invalid JSON: {token} is not a JSON number", 1, column)


def test_json_integer_with_hundreds_of_digits_is_refused():
    text = '{"a": 1.' + "0" * 200 + ',\n "b": -' + "9" * 300 + "}"
    assert json_error(text) == ("S009", "integer with 300 digits", 2, 7)
    assert load_text("a.json", '{"b": %s}' % ("9" * 100)).data == {"b": int("9" * 100)}


def test_json_integer_too_long_for_python_is_refused():
    assert json_error('{"b": %s}' % ("1" * 5000))[:2] == ("S009", "integer with 5000 digits")


@pytest.mark.parametrize("text, message, line, column", [
    ('{"a": [1, 2}', "invalid JSON: Expecting ',' delimiter", 1, 12),
    # a trailing comma is worded as Python 3.13 words it, at the comma, on every Python
    ('{"a": 1,\n}', "invalid JSON: Illegal trailing comma before end of object", 1, 8),
    ('{"a": [1, 2,]}', "invalid JSON: Illegal trailing comma before end of array", 1, 12),
    ("{'a': 1}", "invalid JSON: Expecting property name enclosed in double quotes", 1, 2),
    ('{"a": 1} {"b": 2}', "invalid JSON: Extra data", 1, 10),
])
def test_json_syntax_errors_with_position(text, message, line, column):
    assert json_error(text) == ("S001", message, line, column)


@pytest.mark.parametrize("text", ["", "  \n\r\n"])
def test_json_empty_holds_no_data(text):
    assert load_text("spec.json", text).data is None


def test_json_extension_is_case_insensitive():
    assert load_text("SPEC.JSON", '{"a": 1}').kind == "json"


# ---------------------------------------------------------------- bytes to text


def decode_error(raw: bytes) -> tuple:
    with pytest.raises(LoadError) as info:
        loader.decode(raw)
    error = info.value
    return error.rule.code, error.message, error.line, error.column, error.hint


def test_decode_non_utf8_byte_position():
    assert decode_error(b"a: 1\nb: caf" + b"\xe9\n") == (
        "S001", "the file is not UTF-8 (byte 0xe9)", 2, 7, "save the file as UTF-8")


def test_decode_binary():
    assert decode_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")[:4] == (
        "S001", "the file is binary, not YAML or JSON text", 1, 1)


def test_decode_utf16():
    assert decode_error("a: 1\n".encode("utf-16"))[:2] == ("S001", "the file is UTF-16, not UTF-8")


def test_decode_bom_and_plain_utf8():
    assert loader.decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert loader.decode("é: ☃\n".encode()) == "é: ☃\n"


def test_file_too_large(monkeypatch, tmp_path):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text("a: 12345678901234567890\n")
    with pytest.raises(LoadError) as info:
        loader.load_file(str(path))
    assert (info.value.rule.code, info.value.message, info.value.line) == (
        "S009", "the file has 24 bytes, over the limit of 10", 0)
    assert "--max-file-size" in info.value.hint
    assert loader.load_file(str(path), max_bytes=24).data == {"a": 12345678901234567890}


def test_file_size_limit_on_bytes_read():
    with pytest.raises(LoadError) as info:
        loader.decode(b"a: 1\n" * 3, max_bytes=10)
    assert info.value.message == "the file has more than 15 bytes, over the limit of 10" or \
        info.value.message == "the file has 15 bytes, over the limit of 10"


def test_fifo_is_refused_without_blocking(tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    start = time.perf_counter()
    with pytest.raises(OSError) as info:
        loader.load_file(str(path))
    assert info.value.strerror == "it is not a regular file (a FIFO, socket or device)"
    assert time.perf_counter() - start < 1.0


def test_directory_is_refused(tmp_path):
    with pytest.raises(OSError) as info:
        loader.load_file(str(tmp_path))
    assert isinstance(info.value, IsADirectoryError)


# ---------------------------------------------------------------- nesting depth

DEEP = "lists and mappings are nested more than 100 deep"
DEEP_HINT = "archlint reads at most 100 levels of nesting"


def flow(n: int) -> str:
    return "[" * n + "1" + "]" * n


def block(n: int) -> str:
    """n nested block mappings: `a:` at one more space of indentation on each line."""
    return "".join(" " * i + "a:\n" for i in range(n - 1)) + " " * (n - 1) + "a: 1\n"


def test_depth_at_the_limit_is_fine(use_libyaml):
    data = load_yaml("a: " + flow(99) + "\n", use_libyaml).data  # 1 mapping + 99 lists = 100
    for _ in range(100):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == 1
    assert load_yaml(block(100), use_libyaml).data is not None


@pytest.mark.parametrize("text, line, column", [
    ("a: " + flow(100) + "\n", 1, 103),  # the 101st collection: the 100th bracket
    ("x: 1\nb: [1, {c: " + flow(98) + "}]\n", 2, 109),
    (block(101), 101, 101),
    ("- " * 101 + "x\n", 1, 201),
    ("a: " + "[" * 100_000, 1, 103),  # unclosed, and far beyond libyaml's own limit of 1,000
    ("a: " + flow(5000) + "\n", 1, 103),
    ("a: [" + "{b: " * 150 + "1" + "}" * 150 + "]\n", 1, 397),
])
def test_too_deep_is_found_before_composing(use_libyaml, text, line, column):
    start = time.perf_counter()
    assert yaml_error(text, use_libyaml) == ("S009", DEEP, line, column, DEEP_HINT)
    assert time.perf_counter() - start < 5.0  # both parsers, generous for slow CI machines


def test_too_deep_through_aliases(use_libyaml):
    text = "x: &x " + flow(60) + "\ny: " + "[" * 60 + "*x" + "]" * 60 + "\n"
    code, message, line, column, _ = yaml_error(text, use_libyaml)
    assert (code, message) == ("S009", DEEP)
    assert (line, column) == (1, 46)  # inside the anchored value, where the path through the alias gets too deep


def test_a_long_chain_of_aliases_is_measured_without_recursion(use_libyaml):
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 1000)]
    assert yaml_error("\n".join(lines) + "\n", use_libyaml)[:2] == ("S009", DEEP)


def test_brackets_inside_strings_do_not_count(use_libyaml):
    text = "name: '" + "[" * 500 + "'\nother: \"" + "{" * 500 + "\"\nplain: a" + "[" * 300 + "\n"
    assert load_yaml(text, use_libyaml).data["name"] == "[" * 500


def test_closing_brackets_inside_strings_do_not_hide_depth(use_libyaml):
    text = "s: '" + "]" * 1000 + "'\na: " + flow(150) + "\n"
    assert yaml_error(text, use_libyaml)[:4] == ("S009", DEEP, 2, 103)


def test_deep_indentation_of_a_scalar_is_fine(use_libyaml):
    text = "a: |\n" + "".join(" " * i + "x\n" for i in range(1, 200))
    assert load_yaml(text, use_libyaml).data["a"].startswith("x\n")


@pytest.mark.parametrize("text, line, column", [
    ('{"a": ' + flow(100) + "}", 1, 106),
    ('{"a": ' + flow(5000) + "}", 1, 106),  # beyond json.loads's own recursion limit
    ('{"s": "' + "]" * 1000 + '",\n "a": ' + flow(150) + "}", 2, 106),
])
def test_json_too_deep(text, line, column):
    with pytest.raises(LoadError) as info:
        load_text("spec.json", text)
    assert (info.value.rule.code, info.value.message, info.value.line, info.value.column) == ("S009", DEEP, line, column)


def test_json_depth_at_the_limit_and_brackets_in_strings():
    assert load_text("spec.json", '{"a": ' + flow(99) + "}").data is not None
    assert load_text("spec.json", '{"a": "' + "[" * 5000 + '"}').data == {"a": "[" * 5000}


def test_cheap_depth_check_is_cheap_on_a_large_spec():
    layers = "".join(f"  - {{type: Dense, units: {i % 7 + 1}, kernel_size: [3, 3]}}\n" for i in range(100_000))
    text = "archlint: 1\ninput: [4]\nlayers:\n" + layers
    start = time.perf_counter()
    assert not loader._may_nest_too_deep(text)
    assert time.perf_counter() - start < 1.0  # about 20 ms here, for 5 MB; composing takes seconds


def test_linear_scanner_gives_the_same_error_for_a_missing_colon():
    with pytest.raises(LoadError) as info:
        load_text("spec.yaml", "? a\n" + "x" * 1100 + "\n", use_libyaml=False)
    assert info.value.rule.code == "S001"


def test_json_duplicate_key_before_a_later_syntax_error():
    # json.loads meets the duplicate first; the position scanner then stops at the broken text
    text = '{"a": {"b": 1, "b": 2},\n "c": {\n lanes": 5}}'
    assert json_error(text) == ("S007", "duplicate key 'b'", 1, 16)


def test_deep_text_with_a_control_character(use_libyaml):
    # the pure-Python reader refuses the character when it is built, before any event (found by fuzzing)
    text = "a: " + "[" * 60 + "\x07" + "]" * 60 + "\n"
    assert yaml_error(text, use_libyaml)[:2] == ("S001", "invalid YAML: character #x0007 is not allowed")
