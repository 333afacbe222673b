"""A fast yes-check for the JSON Schema subset archlint's schema uses.

jsonschema is thorough but costs about 0.3 ms per layer, most of it building error-tracking
machinery for layers that are valid. This module compiles a schema into plain predicates that answer
only "certainly valid": a layer it accepts needs no further look, and anything it does not accept
(or a schema using a keyword it does not know) goes to jsonschema, which then finds and words the
errors. So the fast path may be strict, but must never accept what jsonschema would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

_IGNORED = frozenset({"description", "default", "title", "examples", "$comment", "$schema", "$id", "definitions"})

_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not handle: use jsonschema alone."""


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _same(a, b) -> bool:
    """JSON equality as jsonschema sees it: true is not 1, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


class Compiler:
    def __init__(self, definitions: dict):
        self.definitions = definitions
        self.refs: dict[str, Predicate] = {}

    def ref(self, pointer: str) -> Predicate:
        if not pointer.startswith("#/definitions/") or "/" in pointer[len("#/definitions/"):]:
            raise Unsupported(pointer)
        name = pointer[len("#/definitions/"):]
        if name not in self.refs:
            self.refs[name] = lambda v: False  # a recursive reference: be strict while compiling
            compiled = self.compile(self.definitions[name])
            self.refs[name] = compiled
        cell = self.refs
        return lambda v: cell[name](v)

    def compile(self, node) -> Predicate:
        if node is True or node == {}:
            return lambda v: True
        if node is False:
            return lambda v: False
        checks: list[Predicate] = []
        for key, value in node.items():
            if key in _IGNORED:
                continue
            make = getattr(self, "_" + key.replace("$", ""), None)
            if make is None:
                raise Unsupported(key)
            check = make(value, node)
            if check is not None:
                checks.append(check)
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _ref(self, value, node):
        return self.ref(value)

    def _type(self, value, node):
        tests = [_TYPES[t] for t in (value if isinstance(value, list) else [value])]
        return lambda v: any(test(v) for test in tests)

    def _enum(self, value, node):
        return lambda v: any(_same(v, option) for option in value)

    def _const(self, value, node):
        return lambda v: _same(v, value)

    def _minimum(self, value, node):
        return lambda v: not _is_number(v) or v >= value

    def _maximum(self, value, node):
        return lambda v: not _is_number(v) or v <= value

    def _exclusiveMinimum(self, value, node):
        return lambda v: not _is_number(v) or v > value

    def _exclusiveMaximum(self, value, node):
        return lambda v: not _is_number(v) or v < value

    def _minLength(self, value, node):
        return lambda v: not isinstance(v, str) or len(v) >= value

    def _maxLength(self, value, node):
        return lambda v: not isinstance(v, str) or len(v) <= value

    def _pattern(self, value, node):
        regex = re.compile(value)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None

    def _minItems(self, value, node):
        return lambda v: not isinstance(v, list) or len(v) >= value

    def _maxItems(self, value, node):
        return lambda v: not isinstance(v, list) or len(v) <= value

    def _items(self, value, node):
        if isinstance(value, list):
            raise Unsupported("items as a list")
        item = self.compile(value)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)

    def _minProperties(self, value, node):
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def _maxProperties(self, value, node):
        return lambda v: not isinstance(v, dict) or len(v) <= value

    def _propertyNames(self, value, node):
        names = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(names(k) for k in v)

    def _required(self, value, node):
        return lambda v: not isinstance(v, dict) or all(k in v for k in value)

    def _properties(self, value, node):
        compiled = {k: self.compile(sub) for k, sub in value.items()}
        return lambda v: not isinstance(v, dict) or all(compiled[k](v[k]) for k in compiled if k in v)

    def _additionalProperties(self, value, node):
        if "patternProperties" in node:
            raise Unsupported("patternProperties")
        known = frozenset(node.get("properties", {}))
        if value is False:
            return lambda v: not isinstance(v, dict) or all(k in known for k in v)
        extra = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)

    def _oneOf(self, value, node):
        options = [self.compile(sub) for sub in value]
        return lambda v: sum(1 for option in options if option(v)) == 1

    def _anyOf(self, value, node):
        options = [self.compile(sub) for sub in value]
        return lambda v: any(option(v) for option in options)

    def _allOf(self, value, node):
        options = [self.compile(sub) for sub in value]
        return lambda v: all(option(v) for option in options)

    def _not(self, value, node):
        inner = self.compile(value)
        return lambda v: not inner(v)


def compile_definition(definitions: dict, name: str) -> Predicate | None:
    """A predicate for definitions[name], or None when the schema needs jsonschema's full machinery."""
    try:
        return Compiler(definitions).ref(f"#/definitions/{name}")
    except Unsupported:
        return None


def compile_schema(root: dict) -> Predicate | None:
    """A predicate for a whole schema document (its `$ref`s resolved in its own definitions), or None."""
    try:
        return Compiler(root.get("definitions", {})).compile(root)
    except Unsupported:
        return None
