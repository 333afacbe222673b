"""Text to data, keeping where every value came from.

YAML is composed (never constructed) with libyaml's C parser when present, typed by the YAML 1.2
core schema (`yes` stays a string, `1e-3` is a float), and turned into plain Python data by our own
small converter, which refuses object tags, reports duplicate keys and bounds alias expansion.
JSON goes through the standard library's C decoder; its positions are found only when a finding needs
one, by a separate scan, so clean files pay nothing for them.
"""

from __future__ import annotations

import bisect
import errno
import itertools
import json
import math
import operator
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from yaml.resolver import BaseResolver

from archlint import rules
from archlint.rules import Rule

if TYPE_CHECKING:
    from archlint.sources.base import SourceHooks

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EXPANDED_NODES = 2_000_000  # values after alias expansion; a real spec has a few thousand
MAX_INT_DIGITS = 100
# Collections nested in one another. A real spec nests fewer than 15; the pure-Python composer recurses
# two frames per level and fails between 400 and 500 levels, libyaml's near 1,000, and the later stages
# (schema validation, messages) recurse too: 100 keeps all of them far from Python's recursion limit.
MAX_DEPTH = 100

Path = tuple  # a path into the data: keys and list indices, e.g. ("layers", 0, "filters")


DUPLICATE_KEY_ERRORS = ("S007",)  # the codes an importer may recover from (sources._load_or_recover)


class LoadError(Exception):
    """The file cannot be turned into data; carries the finding to report."""

    # True when the file was certainly meant as a model file (a broken .keras archive, a config an
    # importer recognised): it is reported whatever its text looks like. Otherwise a file that fails to
    # parse is reported only when its text has an `archlint` key.
    certain = False

    def __init__(self, rule: Rule, message: str, line: int = 0, column: int = 0, hint: str = ""):
        super().__init__(message)
        self.rule, self.message, self.line, self.column, self.hint = rule, message, line, column, hint


@dataclass
class Document:
    path: str
    text: str
    data: Any
    kind: str  # "yaml" or "json"
    locate: Callable[[Path, bool], tuple[int, int] | None] | None = field(repr=False, default=None)
    # set by an importer for a converted file (archlint.sources.base.SourceHooks); None for native specs
    source: SourceHooks | None = field(repr=False, default=None)
    root: Any = field(repr=False, default=None)  # the composed YAML node graph (None for JSON)

    def verbatim(self) -> list[tuple[int, int, int, int]]:
        """Where the text is a scalar's content spread over several lines (see `verbatim_spans`)."""
        return verbatim_spans(self.root) if self.root is not None else []

    def position(self, where: Path, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `where` (of its key with key=True).

        Falls back to the nearest enclosing value that exists, so a finding about a missing key
        points at the mapping that lacks it.
        """
        where = tuple(where)
        while True:
            found = self.locate(where, key) if self.locate else None
            if found is not None:
                return found
            if not where:
                return (1, 1)
            where, key = where[:-1], False


# ---------------------------------------------------------------- YAML 1.2 core schema typing


class CoreResolver(BaseResolver):
    """YAML 1.2 core schema: no yes/no/on/off booleans, no sexagesimals, no timestamps."""


CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
CoreResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), list("~nN") + [""])
CoreResolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])

try:  # libyaml's C parser, several times faster than the pure-Python one
    from yaml._yaml import CParser as _CParser  # not re-exported by `yaml`: `from yaml import CParser` fails

    class _CLoader(_CParser, CoreResolver):
        def __init__(self, stream):
            _CParser.__init__(self, stream)
            CoreResolver.__init__(self)

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CLoader = None
    HAVE_LIBYAML = False

from yaml.composer import Composer  # noqa: E402
from yaml.parser import Parser  # noqa: E402
from yaml.reader import Reader  # noqa: E402
from yaml.scanner import Scanner  # noqa: E402


class _LinearScanner(Scanner):
    """PyYAML's scanner with a linear instead of quadratic check for stale simple keys.

    The possible simple keys are kept one per flow level, in document order, so the stale ones (on an
    earlier line or over 1,024 characters back) are a prefix: stop at the first fresh one. Same tokens,
    same errors; a line of a thousand `[` no longer costs a million dictionary visits.
    """

    def stale_possible_simple_keys(self):
        for level in list(self.possible_simple_keys):
            key = self.possible_simple_keys[level]
            if key.line == self.line and self.index - key.index <= 1024:
                return
            if key.required:
                raise yaml.scanner.ScannerError("while scanning a simple key", key.mark,
                                                "could not find expected ':'", self.get_mark())
            del self.possible_simple_keys[level]


class _PyLoader(Reader, _LinearScanner, Parser, Composer, CoreResolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        _LinearScanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        CoreResolver.__init__(self)


def _compose(text: str, use_libyaml: bool) -> yaml.Node | None:
    loader = _CLoader(text) if (use_libyaml and _CLoader is not None) else _PyLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        if loader.__class__ is _PyLoader:
            raise
        # libyaml words its errors differently and counts reader positions in bytes: parse the broken
        # file again with the pure-Python parser, so both report the same message at the same place.
        return _compose(text, use_libyaml=False)
    finally:
        loader.dispose()


# ---------------------------------------------------------------- nesting depth, before composing

_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # 2 opens, 0 closes: the step is this - 1
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
# The start of a line: indentation and the block indicators after which a nested collection may begin
# on the same line (`- - a`, `? - a`). Each column of it opens at most two levels (a mapping and the
# indentless sequence of one of its keys). The literal newline lets the regex engine skip ahead fast.
_BLOCK_PREFIX = re.compile(rf"[ \t?:-]{{{MAX_DEPTH // 4}}}")
_BLOCK_LINE_PREFIX = re.compile(rf"\n[ \t?:-]{{{MAX_DEPTH // 4}}}")


def _max_bracket_depth(text: str) -> int:
    """Deepest running count of brackets, every bracket counted (quoted ones too): C-speed steps only.

    Brackets inside strings can make this too high (then the events are counted exactly) or, closing
    ones, too low (then the composer's recursion is caught and the events are counted exactly).
    """
    steps = text.encode("utf-8", "surrogatepass").translate(_BRACKET_STEPS, _NOT_BRACKET)
    # Dropping adjacent open-close pairs (`[3, 3]`, `{}`) keeps every other running count and lowers the
    # deepest by at most one per round: three rounds shrink a typical spec's brackets to almost nothing.
    rounds = 3
    for _ in range(rounds):
        steps = steps.replace(b"\x02\x00", b"")
    if len(steps) <= MAX_DEPTH // 2:
        return len(steps) + rounds
    return max(map(operator.sub, itertools.accumulate(steps), itertools.count(1))) + rounds


def _may_nest_too_deep(text: str) -> bool:
    """A cheap look at the text: False when no collection is likely nested deeper than MAX_DEPTH.

    Block nesting needs indentation or indicators at the start of a line, flow nesting needs brackets;
    about 50 ms for a 100,000-layer file of 5 MB, against seconds to compose it.
    """
    return (_max_bracket_depth(text) > MAX_DEPTH // 2 or _BLOCK_LINE_PREFIX.search(text) is not None
            or _BLOCK_PREFIX.match(text) is not None)


class _PyEvents(Reader, _LinearScanner, Parser):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        _LinearScanner.__init__(self)
        Parser.__init__(self)


def _too_deep(text: str, use_libyaml: bool) -> LoadError | None:
    """The first collection nested deeper than MAX_DEPTH, counted on the parser's events.

    Events come from a loop, not a recursion, so any depth is safe to count; a syntax error before the
    limit is left for the composer to report.
    """
    try:  # the pure-Python reader refuses control characters as soon as it is built
        parser = _CParser(text) if (use_libyaml and HAVE_LIBYAML) else _PyEvents(text)
    except yaml.YAMLError:
        return None  # the composer reports it
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return _too_deep_error(mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        # libyaml stops at 1,000 levels while still looking ahead for a key, before giving us the
        # events up to our limit; its other errors are worded differently. Either way the pure-Python
        # parser answers, as it does for composing.
        return _too_deep(text, False) if parser.__class__ is not _PyEvents else None
    finally:
        parser.dispose()


def _too_deep_error(line: int, column: int) -> LoadError:
    return LoadError(rules.INPUT_TOO_LARGE, f"lists and mappings are nested more than {MAX_DEPTH} deep",
                     line, column, hint=f"archlint reads at most {MAX_DEPTH} levels of nesting")


_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        digits = value.lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            raise LoadError(rules.INPUT_TOO_LARGE, f"integer with {len(digits)} digits", *_mark(node),
                            hint=f"archlint accepts integers of at most {MAX_INT_DIGITS} digits")
        if digits.startswith("0o"):
            return int(value.replace("0o", "", 1), 8)
        if digits.startswith("0x"):
            return int(value.replace("0x", "", 1), 16)
        return int(value)
    if tag == _FLOAT:
        low = value.lower()
        if low.endswith(".inf"):
            return -math.inf if low.startswith("-") else math.inf
        if low == ".nan":
            return math.nan
        return float(value)
    raise _tag_error(node)


def _tag_error(node: yaml.Node) -> LoadError:
    tag = node.tag
    if tag.startswith("tag:yaml.org,2002:"):
        tag = "!!" + tag[len("tag:yaml.org,2002:"):]  # as the user wrote it
    return LoadError(rules.UNSAFE_TAG, f"the YAML tag {tag} is not allowed", *_mark(node),
                     hint="archlint reads plain data only and never constructs objects; remove the tag")


class _Converter:
    """Turns a composed node graph into plain data, sharing the result of aliased nodes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.sizes: dict[int, int] = {}
        self.heights: dict[int, int] = {}
        self.done: dict[int, Any] = {}

    def measure(self, root: yaml.Node) -> None:
        """Size (values once aliases are expanded) and height (nested collections) of every node.

        Memoized on the node graph, so a billion laughs costs little, and iterative, so a long chain
        of aliases cannot exhaust the stack; a recursive alias counts once (converting it is refused).
        """
        sizes, heights = self.sizes, self.heights
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            if isinstance(node, yaml.ScalarNode):
                sizes[key], heights[key] = 1, 0
                continue
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            if children_done:
                sizes[key] = 1 + sum(sizes[id(child)] for child in children)
                heights[key] = 1 + max((heights[id(child)] for child in children), default=0)
            elif key not in sizes:
                sizes[key], heights[key] = 1, 1  # in progress
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))

    def deepest(self, root: yaml.Node) -> yaml.Node:
        """The first collection (in document order) that lies deeper than MAX_DEPTH."""
        node, level = root, 1
        while level <= MAX_DEPTH:
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            node = next(child for child in children if level + self.heights[id(child)] > MAX_DEPTH)
            level += 1
        return node

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        key = id(node)
        if key in self.done:
            if self.done[key] is _IN_PROGRESS:
                raise LoadError(rules.INPUT_TOO_LARGE, "a YAML alias refers to its own ancestor", *_mark(node))
            return self.done[key]
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _tag_error(node)
            self.done[key] = _IN_PROGRESS
            value = [self.convert(child, depth + 1) for child in node.value]
        else:
            if node.tag != _MAP:
                raise _tag_error(node)
            self.done[key] = _IN_PROGRESS
            value = self._mapping(node, depth)
        self.done[key] = value
        return value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        result: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    data = self.convert(source, depth + 1)
                    if not isinstance(data, dict):
                        raise LoadError(rules.SCHEMA_VIOLATION, "a merge key `<<` needs a mapping", *_mark(source))
                    for k, v in data.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError(rules.SCHEMA_VIOLATION, "a mapping key must be a plain value", *_mark(key_node))
            k = self.convert(key_node, depth + 1)
            if k in result:
                raise LoadError(rules.DUPLICATE_KEY, f"duplicate key {k!r}", *_mark(key_node),
                                hint="YAML keeps only the last value of a repeated key; remove one")
            result[k] = self.convert(value_node, depth + 1)
        for k, v in merged.items():
            result.setdefault(k, v)
        return result


_IN_PROGRESS = object()


def _yaml_locator(root: yaml.Node) -> Callable[[Path, bool], tuple[int, int] | None]:
    def find_in_mapping(node: yaml.MappingNode, step):
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            if isinstance(key_node, yaml.ScalarNode) and (key_node.value == step or key_node.value == str(step)):
                return key_node, value_node
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                for source in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
                    if isinstance(source, yaml.MappingNode):
                        hit = find_in_mapping(source, step)
                        if hit:
                            return hit
        return None

    def locate(where: Path, key: bool) -> tuple[int, int] | None:
        node, key_node = root, None
        for step in where:
            if isinstance(node, yaml.MappingNode):
                hit = find_in_mapping(node, step)
                if hit is None:
                    return None
                key_node, node = hit
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                return None
        target = key_node if key and key_node is not None else node
        return _mark(target)

    return locate


def _load_yaml(path: str, text: str, use_libyaml: bool) -> Document:
    if _may_nest_too_deep(text):  # before composing: the composers recurse once per level
        error = _too_deep(text, use_libyaml)
        if error is not None:
            raise error
    try:
        root = _compose(text, use_libyaml)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            raise LoadError(rules.INVALID_SYNTAX, "the file holds several YAML documents", line, col,
                            hint="a spec is one YAML document: remove the `---` separators or split the file") from None
        raise LoadError(rules.INVALID_SYNTAX, f"invalid YAML: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:  # control characters and the like
        line, col = _line_col(_line_starts(text), exc.position)
        raise LoadError(rules.INVALID_SYNTAX, f"invalid YAML: character #x{exc.character:04x} is not allowed",
                        line, col, hint="remove the control character") from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other YAML error carries a mark
        raise LoadError(rules.INVALID_SYNTAX, f"invalid YAML: {exc}", 1, 1) from None
    except RecursionError:  # pragma: no cover - the depth check above comes first
        raise _too_deep(text, False) or _too_deep_error(1, 1) from None
    if root is None:
        return Document(path, text, None, "yaml", lambda where, key: None)
    converter = _Converter(MAX_EXPANDED_NODES)
    converter.measure(root)
    size = converter.sizes[id(root)]
    if size > MAX_EXPANDED_NODES:
        raise LoadError(rules.INPUT_TOO_LARGE, f"the YAML expands to {size:,} values through aliases",
                        *_mark(root), hint=f"archlint reads at most {MAX_EXPANDED_NODES:,} values")
    if converter.heights[id(root)] > MAX_DEPTH:  # deeper through aliases than written
        raise _too_deep_error(*_mark(converter.deepest(root)))
    data = converter.convert(root)
    return Document(path, text, data, "yaml", _yaml_locator(root), root=root)


def verbatim_spans(root: yaml.Node) -> list[tuple[int, int, int, int]]:
    """The text of block scalars (`|`, `>`) and quoted scalars written over several lines, as
    (first line, first column, last line, end column): 0-based, the end column excluded. A `#` there
    is text, not a comment. A block scalar's header line (`key: |  # comment`) is left out: its comment
    is a comment. Plain scalars are left out too: a comment ends them."""
    spans, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif node.style and node.start_mark.line != node.end_mark.line:
            start, end = node.start_mark, node.end_mark
            first = (start.line + 1, 0) if node.style in "|>" else (start.line, start.column)
            spans.append((*first, end.line, end.column))
    return sorted(spans)


# ---------------------------------------------------------------- JSON


class _DuplicateKey(Exception):
    pass


class _BadNumber(Exception):
    """NaN/Infinity, or an integer too long: json.loads gives no position, the token search finds it."""


def _no_duplicates(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey()
    return result


def _reject_constant(name):
    raise _BadNumber()


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber()
    return int(text)


# Strings are matched first so that a token inside a string is never taken for a number.
_BAD_NUMBER = re.compile(
    rf'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|(?<![0-9.eE+-])(-?[0-9]{{{MAX_INT_DIGITS + 1},}})(?![0-9.eE])',
    re.DOTALL,
)


def _bad_number_error(text: str) -> LoadError:
    for match in _BAD_NUMBER.finditer(text):
        if match.group(1) or match.group(2):
            line, col = _line_col(_line_starts(text), match.start())
            if match.group(1):
                return LoadError(rules.INVALID_SYNTAX, f"invalid JSON: {match.group(1)} is not a JSON number",
                                 line, col, hint="JSON has no NaN or Infinity; write a finite number")
            digits = len(match.group(2).lstrip("-"))
            return LoadError(rules.INPUT_TOO_LARGE, f"integer with {digits} digits", line, col,
                             hint=f"archlint accepts integers of at most {MAX_INT_DIGITS} digits")
    return LoadError(rules.INVALID_SYNTAX, "invalid JSON number", 1, 1)  # pragma: no cover


class _JsonScanner:
    """Finds the offset of every value and key in a JSON text: run only when a position is needed."""

    _WS = re.compile(r"[ \t\n\r]*")
    _STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
    _ATOM = re.compile(r"[^,\]}\s]+")

    def __init__(self, text: str):
        self.text = text
        self.values: dict[Path, int] = {}
        self.keys: dict[Path, int] = {}
        self.duplicate: tuple[int, str] | None = None  # offset and text of the first repeated key

    def scan(self):
        try:
            self._value(self._skip(0), ())
        except (IndexError, ValueError, AttributeError, TypeError, RecursionError):
            # broken text past what json.loads read (a duplicate key is reported before a later syntax
            # error): keep what was found
            pass
        return self

    def _skip(self, i: int) -> int:
        return self._WS.match(self.text, i).end()

    def _value(self, i: int, where: Path) -> int:
        self.values[where] = i
        ch = self.text[i]
        if ch == "{":
            i = self._skip(i + 1)
            if self.text[i] == "}":
                return i + 1
            while True:
                m = self._STRING.match(self.text, i)
                key = json.loads(m.group())
                if where + (key,) in self.keys and self.duplicate is None:
                    self.duplicate = (i, key)
                self.keys[where + (key,)] = i
                i = self._skip(m.end())
                i = self._skip(i + 1)  # the colon
                i = self._skip(self._value(i, where + (key,)))
                if self.text[i] == "}":
                    return i + 1
                i = self._skip(i + 1)
        if ch == "[":
            i = self._skip(i + 1)
            index = 0
            if self.text[i] == "]":
                return i + 1
            while True:
                i = self._skip(self._value(i, where + (index,)))
                index += 1
                if self.text[i] == "]":
                    return i + 1
                i = self._skip(i + 1)
        if ch == '"':
            return self._STRING.match(self.text, i).end()
        return self._ATOM.match(self.text, i).end()


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_col(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def _json_locator(text: str) -> Callable[[Path, bool], tuple[int, int] | None]:
    cache: dict = {}

    def locate(where: Path, key: bool) -> tuple[int, int] | None:
        if "scanner" not in cache:
            cache["scanner"] = _JsonScanner(text).scan()
            cache["lines"] = _line_starts(text)
        scanner = cache["scanner"]
        offset = (scanner.keys if key and where else scanner.values).get(tuple(where))
        return None if offset is None else _line_col(cache["lines"], offset)

    return locate


def _json_syntax_error(text: str, exc: json.JSONDecodeError) -> LoadError:
    """The decoder's message, except for a trailing comma, which Python before 3.13 words as a missing key
    or value one character later: word it as 3.13 does, at the comma, whatever Python runs archlint."""
    before = text[:exc.pos].rstrip()
    if before.endswith(",") and text[exc.pos:exc.pos + 1] in ("}", "]"):
        comma = len(before) - 1
        line = text.count("\n", 0, comma) + 1
        column = comma - (text.rfind("\n", 0, comma) + 1) + 1
        kind = "object" if text[exc.pos] == "}" else "array"
        return LoadError(rules.INVALID_SYNTAX, f"invalid JSON: Illegal trailing comma before end of {kind}", line,
                         column, hint="remove the comma: JSON allows none after the last entry")
    return LoadError(rules.INVALID_SYNTAX, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)


def _load_json(path: str, text: str) -> Document:
    if not text.strip():  # an empty file holds no document, as in YAML
        return Document(path, text, None, "json", lambda where, key: None)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant,
                          parse_int=_bounded_int)
    except _DuplicateKey:
        offset, key = _JsonScanner(text).scan().duplicate or (0, "")
        raise LoadError(rules.DUPLICATE_KEY, f"duplicate key {key!r}", *_line_col(_line_starts(text), offset),
                        hint="JSON parsers keep only one value of a repeated key; remove one") from None
    except _BadNumber:
        raise _bad_number_error(text) from None
    except json.JSONDecodeError as exc:
        raise _json_syntax_error(text, exc) from None
    except RecursionError:
        raise _json_too_deep(text) or _too_deep_error(1, 1) from None
    if _data_height(data) > MAX_DEPTH:  # brackets in strings would fool a look at the text: count the data
        raise _json_too_deep(text) or _too_deep_error(1, 1)
    return Document(path, text, data, "json", _json_locator(text))


def _data_height(data: Any) -> int:
    """Nested lists and dicts, counted level by level (no recursion); stops past MAX_DEPTH.

    About 150 ms for a 100,000-layer file of 10 MB, which json.loads reads in 200 ms and archlint
    checks in seconds.
    """
    height, level = 0, ([data] if type(data) is dict or type(data) is list else [])
    while level and height <= MAX_DEPTH:
        height += 1
        below = []
        for item in level:
            values = item.values() if type(item) is dict else item
            below.extend([v for v in values if type(v) is dict or type(v) is list])
        level = below
    return height


_JSON_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', re.DOTALL)


def _json_too_deep(text: str) -> LoadError | None:
    """The first array or object nested deeper than MAX_DEPTH, brackets inside strings skipped."""
    depth = 0
    for match in _JSON_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _too_deep_error(*_line_col(_line_starts(text), match.start()))
        elif token in "]}":
            depth -= 1
    return None


# ---------------------------------------------------------------- entry points


def decode(raw: bytes, max_bytes: int | None = None) -> str:
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(rules.INVALID_SYNTAX, "the file is UTF-16, not UTF-8", 1, 1, hint="save the file as UTF-8")
    if b"\x00" in raw[:8192]:
        raise LoadError(rules.INVALID_SYNTAX, "the file is binary, not YAML or JSON text", 1, 1,
                        hint="archlint reads YAML or JSON text files")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode("utf-8", "replace")
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        raise LoadError(rules.INVALID_SYNTAX, f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", line, col,
                        hint="save the file as UTF-8") from None


def is_json_path(path: str) -> bool:
    return path.lower().endswith(".json")


def load_text(path: str, text: str, use_libyaml: bool = True) -> Document:
    """Parse `text`; JSON files by name, everything else as YAML (a superset of JSON)."""
    if is_json_path(path):
        return _load_json(path, text)
    return _load_yaml(path, text, use_libyaml)


def load_file(path: str, use_libyaml: bool = True, max_bytes: int | None = None) -> Document:
    """Read and parse one file; never writes to it. OSError for what cannot be read as a file.

    Opened without blocking, so a FIFO named like a spec cannot hang the run, and read only when it is
    a regular file no larger than the limit (a device like /dev/zero is refused, not read).
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a FIFO, socket or device)")
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        # read(n) allocates n bytes up front: ask for the size fstat gave, and more only if it grew since
        raw = handle.read(info.st_size + 1)
        if len(raw) > info.st_size:
            raw += handle.read(max(0, limit + 1 - len(raw)))
    return load_text(path, decode(raw, limit), use_libyaml)


def _too_large(size: int, limit: int) -> LoadError:
    more = "more than " if size == limit + 1 else ""  # a file read up to the limit: its real size is unknown
    return LoadError(rules.INPUT_TOO_LARGE, f"the file has {more}{size:,} bytes, over the limit of {limit:,}", 0, 0,
                     hint="raise the limit with --max-file-size if this file really is a spec")

