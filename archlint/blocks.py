"""Block expansion: `vars:`, `blocks:`, block uses, `repeat:`, `when:` and `${...}` substitution.

The spec's `layers` list is turned into a flat list of `Entry` before any layer is checked, so every
later step (schema, spec, walk) sees plain layers. Each entry keeps the path of the text it came
from, so a finding inside an expanded block points at the line in the block's definition, and its
`origin` names the use site ("in stage1.1, block bottleneck used at line 42").

Names inside a block are local: a block used as `stage1` names its layer `c1` as `stage1.c1`, and
`inputs: [c1]` inside it reads `stage1.c1`; `input` is the tensor the block is applied to. In the
PyTorch dialect a layer or block use without a name is named as `nn.Sequential` names its children:
its index among the entries of its list that are built (`when:` false builds none), so a spec reads
like `named_modules()` (`0`, `2.conv1`, `stage1.0.1`), and the copies of a `repeat:` count from 0; in
the Keras dialect automatic names are Keras's (`conv2d_1`), and copies count from 1. The cost is
bounded for hostile input: a block that uses itself is a finding, and the expansion stops with a
finding once it has produced MAX_LAYERS layers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archlint import rules
from archlint.expr import ExprError, substitute
from archlint.spec import snake_case

MAX_LAYERS = 100_000  # expanded layers (and repeat copies) per spec; real models have a few thousand
MAX_DEPTH = 32  # nesting of block uses

Sink = Callable[..., None]


@dataclass(eq=False)
class Entry:
    """One layer after expansion: a typed layer or an `apply:` of an existing one."""

    data: dict  # the entry with expressions substituted, without `when`, `name` and `inputs`
    where: tuple  # path of the text it came from: ("layers", 3) or ("blocks", "b", "layers", 1)
    name: str | None = None  # the final (hierarchical) name; None: automatic, given by spec.build
    inputs: list | None = None  # names (str) or earlier Entry objects; None: the previous layer
    origin: str = ""  # the use site of the block it came from
    valid: bool = True  # False when an expression in it failed: it keeps its place, is not applied
    final_name: str = ""  # set by spec.build
    roles: tuple | None = None  # the keys of a mapping `inputs:` (attention roles), in order
    # PyTorch: the name holds an index the spec did not write (the layer's, or an enclosing block use's),
    # so it shifts when a layer is inserted before it (diff does not match layers by such a name)
    default_name: bool = False


@dataclass
class Expansion:
    entries: list[Entry] = field(default_factory=list)
    aliases: dict[str, Any] = field(default_factory=dict)  # a block use's name -> its output (Entry or name)
    variables: dict = field(default_factory=dict)
    complete: bool = True  # False when a limit stopped the expansion


@dataclass
class _Scope:
    prefix: str = ""  # "stage1.1"; "" at the top level
    separator: str = "."
    variables: dict = field(default_factory=dict)
    local: frozenset = frozenset()  # names written in this block's layer list
    inputs: dict = field(default_factory=dict)  # the block's input names -> what they read
    origin: str = ""
    start: Any = None  # what the block's first layer reads by default (None at the top level)
    stack: tuple = ()  # the blocks being expanded, outermost first
    parent: _Scope | None = None
    default_name: bool = False  # the prefix holds a PyTorch default index (Entry.default_name)

    def qualify(self, local_name: str) -> str:
        return f"{self.prefix}{self.separator}{local_name}" if self.prefix else local_name

    def resolve(self, ref):
        """A name as written inside this scope -> the name (or Entry) it reads."""
        scope = self
        while scope is not None:
            if ref in scope.inputs:
                return scope.inputs[ref]
            if ref in scope.local:
                return scope.qualify(ref)
            scope = scope.parent
        return ref


class _Stop(Exception):
    """The expansion limit was reached: stop expanding altogether."""


def with_origin(sink: Sink, origin: str) -> Sink:
    """A sink for findings inside an expanded block: the message names the copy ("(in stage1.2)"), the hint
    the whole chain of uses (issue 15: the finding line stays short)."""
    if not origin:
        return sink
    copy = origin.partition(", block ")[0]
    # a message naming a layer of the copy by its qualified name already says where it is
    named = re.compile(rf"(?<![\w.]){re.escape(copy[len('in '):])}[._]")

    def report(rule, message, where=(), hint="", key=False):
        shown = message if named.search(message) else f"{message} ({copy})"
        sink(rule, shown, where, f"{hint} ({origin})" if hint else f"({origin})", key)

    return report


class _Expander:
    def __init__(self, data: dict, sink: Sink, position: Callable[[tuple], tuple[int, int]]):
        self.sink = sink
        self.position = position
        self.blocks = data.get("blocks") or {}
        self.torch = data.get("framework") == "pytorch"  # default names: nn.Sequential's indices
        self.first_input = next(iter(data.get("inputs") or {"input": None}))
        self.out = Expansion()
        self.count = 0
        self.used: set[str] = set()
        self.reported: set = set()  # (where, message) of expression errors: one per place, not per copy

    # --- substitution ------------------------------------------------------------------------

    def value(self, value, variables: dict, where: tuple, sink: Sink):
        """`value` with every `${...}` resolved; raises ExprError after reporting it at its place."""
        if isinstance(value, str):
            try:
                return substitute(value, variables)
            except ExprError as exc:
                if (where, str(exc)) not in self.reported:
                    self.reported.add((where, str(exc)))
                    # the caret shows the value: a long one is quoted by its start only
                    shown = value if len(value) <= 30 else value[:27] + "..."
                    sink(rules.INVALID_EXPRESSION, f"cannot evaluate {shown!r}: {exc}", where,
                         "expressions use the declared vars and block params with + - * / // % **, comparisons, "
                         "min, max, int, round, abs and `a if c else b`")
                raise
        if isinstance(value, list):
            return [self.value(v, variables, where + (i,), sink) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.value(v, variables, where + (k,), sink) for k, v in value.items()}
        return value

    def variables(self, data: dict) -> dict:
        """Top-level `vars:`, each able to use the ones before it."""
        found: dict = {}
        for key, raw in (data.get("vars") or {}).items():
            try:
                found[key] = self.value(raw, found, ("vars", key), self.sink)
            except ExprError:
                continue
        return found

    # --- expansion ---------------------------------------------------------------------------

    def tick(self, where: tuple, sink: Sink) -> None:
        self.count += 1
        if self.count > MAX_LAYERS:
            sink(rules.EXPANSION_LIMIT, f"the blocks expand to more than {MAX_LAYERS:,} layers",
                 where, "lower `repeat:` or the nesting of blocks; archlint stops expanding here")
            raise _Stop()

    def previous(self):
        return self.out.entries[-1] if self.out.entries else self.first_input

    def expand_list(self, layers: list, base: tuple, scope: _Scope) -> None:
        sink = with_origin(self.sink, scope.origin)
        auto: dict[str, int] = {}
        current = scope.start  # what a layer without `inputs` reads: the block's input, then the previous layer
        built = 0  # entries of this list built so far: a PyTorch default name is this index
        for index, entry in enumerate(layers):
            where = base + (index,)
            if not isinstance(entry, dict):
                self.tick(where, sink)
                name = scope.qualify(str(built)) if self.torch else None
                self.out.entries.append(Entry({"type": entry}, where, name, origin=scope.origin, valid=False,
                                              default_name=self.torch))
                built += 1
                continue
            try:
                if "when" in entry and not self.value(entry["when"], scope.variables, where + ("when",), sink):
                    continue
            except ExprError:
                continue
            # an entry that fails still takes its index, so the names after it are those the file means
            if "block" in entry:
                self.use_block(entry, where, scope, sink, auto, current, built)
            else:
                self.layer(entry, where, scope, sink, auto, current, built)
            built += 1
            current = None

    def _name(self, entry: dict, where: tuple, scope: _Scope, sink: Sink, auto: dict, base: str, index: int):
        """The entry's final name, and whether it holds a PyTorch default index (Entry.default_name)."""
        name = entry.get("name")
        if isinstance(name, str):
            try:
                name = self.value(name, scope.variables, where + ("name",), sink)
            except ExprError:
                name = None
            if isinstance(name, str):
                return (scope.qualify(name) if scope.prefix else name), scope.default_name
        if self.torch:
            return scope.qualify(str(index)), True
        if not scope.prefix:
            return None, False  # the top level keeps Keras-style automatic names, given by spec.build
        count = auto.get(base, 0)
        auto[base] = count + 1
        return scope.qualify(base if count == 0 else f"{base}_{count}"), False

    def _inputs(self, entry: dict, where: tuple, scope: _Scope, sink: Sink):
        refs = entry.get("inputs")
        if isinstance(refs, dict):  # inputs by role: the values are the references
            keys, refs = list(refs), list(refs.values())
        elif isinstance(refs, list):
            keys = list(range(len(refs)))
        else:
            return None
        resolved = []
        for i, ref in zip(keys, refs):
            try:
                ref = self.value(ref, scope.variables, where + ("inputs", i), sink)
            except ExprError:
                return None
            resolved.append(scope.resolve(ref) if isinstance(ref, str) else ref)
        return resolved

    def layer(self, entry: dict, where: tuple, scope: _Scope, sink: Sink, auto: dict, current, index: int) -> None:
        self.tick(where, sink)
        valid = True
        data = {}
        for key, raw in entry.items():
            if key in ("when", "name", "inputs"):
                continue
            try:
                data[key] = self.value(raw, scope.variables, where + (key,), sink)
            except ExprError:
                valid = False
                data[key] = raw
        if "apply" in data and isinstance(data["apply"], str):
            data["apply"] = scope.resolve(data["apply"])
        layer_type = data.get("type") if isinstance(data.get("type"), str) else "layer"
        name, default_name = self._name(entry, where, scope, sink, auto,
                                        snake_case(layer_type.split(".")[-1]) or "layer", index)
        inputs = self._inputs(entry, where, scope, sink)
        if inputs is None and current is not None:
            inputs = [current]
        roles = tuple(entry["inputs"]) if isinstance(entry.get("inputs"), dict) and entry["inputs"] else None
        self.out.entries.append(Entry(data, where, name, inputs, scope.origin, valid, roles=roles,
                                      default_name=default_name))

    def use_block(self, entry: dict, where: tuple, scope: _Scope, sink: Sink, auto: dict, current,
                  index: int) -> None:
        from archlint import schema

        if not schema.validate_definition("block_use", entry, where, "the block use", sink):
            return
        block_name = entry.get("block")
        if block_name not in self.blocks:
            close = difflib.get_close_matches(str(block_name), list(self.blocks), n=1)
            sink(rules.UNKNOWN_REFERENCE, f"unknown block {block_name!r}", where + ("block",),
                 f"did you mean {close[0]!r}?" if close else
                 f"define it under `blocks:` (defined: {', '.join(self.blocks) or 'none'})")
            return
        if block_name in scope.stack or len(scope.stack) >= MAX_DEPTH:
            chain = " -> ".join(scope.stack + (block_name,))
            sink(rules.EXPANSION_LIMIT, f"block {block_name!r} uses itself ({chain})" if block_name in scope.stack
                 else f"blocks are nested more than {MAX_DEPTH} deep ({chain})", where + ("block",),
                 "a block cannot contain itself, directly or through another block")
            return
        self.used.add(block_name)
        block = self.blocks[block_name]
        params = self.params(block, entry, where, scope, sink)
        if params is None:
            return
        repeat = 1
        if "repeat" in entry:
            try:
                repeat = self.value(entry["repeat"], scope.variables, where + ("repeat",), sink)
            except ExprError:
                return
            if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
                sink(rules.INVALID_EXPRESSION, f"`repeat` must be a positive integer, got {repeat!r}",
                     where + ("repeat",), "repeat: 2 chains two copies of the block")
                return
        separator = entry.get("separator", ".")
        name, default_name = (self._name(entry, where, scope, sink, auto, block_name, index)
                              if "name" in entry or scope.prefix or self.torch else (None, False))
        if name is None:
            count = auto.get(block_name, 0)
            auto[block_name] = count + 1
            name = block_name if count == 0 else f"{block_name}_{count}"
        declared = block.get("inputs") or ["input"]
        if isinstance(entry.get("inputs"), dict):
            sink(rules.BLOCK_PARAMETER, f"a use of block {block_name!r} lists its inputs in order, not by name",
                 where + ("inputs",), f"inputs: [{', '.join(declared)}], one tensor per input the block declares")
            return
        given = self._inputs(entry, where, scope, sink)
        if given is not None and len(given) != len(declared):
            sink(rules.BLOCK_PARAMETER, f"block {block_name!r} reads {len(declared)} input(s) "
                 f"({', '.join(declared)}), the use gives {len(given)}", where + ("inputs",),
                 "list one tensor per input the block declares")
            return
        line = self.position(where)[0]
        for copy in range(1, repeat + 1):
            self.tick(where, sink)
            # nn.Sequential numbers the copies of a repeated module from 0; Keras's names (conv2_block1) from 1
            prefix = f"{name}{separator}{copy - 1 if self.torch else copy}" if repeat > 1 else name
            # the first copy reads the use's inputs (default: what a layer here would read), later
            # copies read the copy before them in place of the first input
            first = current if copy == 1 and current is not None else self.previous()
            feeds = dict(zip(declared, given)) if given is not None else {}
            if copy > 1 or given is None:
                feeds[declared[0]] = first
            origin = f"in {prefix}, block {block_name} used at line {line}" + (
                f", {scope.origin}" if scope.origin else "")
            layers = block.get("layers") or []
            local = set()
            for item in layers:
                if isinstance(item, dict) and isinstance(item.get("name"), str) and "${" not in item["name"]:
                    local.add(item["name"])
            inner = _Scope(prefix, separator, {**self.out.variables, **params}, frozenset(local), feeds, origin,
                           feeds[declared[0]], scope.stack + (block_name,), scope, default_name)
            before = len(self.out.entries)
            self.expand_list(layers, ("blocks", block_name, "layers"), inner)
            output = self.out.entries[-1] if len(self.out.entries) > before else feeds[declared[0]]
            self.out.aliases[prefix] = output
            if repeat > 1:
                self.out.aliases[name] = output

    def params(self, block: dict, entry: dict, where: tuple, scope: _Scope, sink: Sink) -> dict | None:
        declared = block.get("params") or {}
        given = entry.get("with") or {}
        values, ok = {}, True
        for key in given:
            if key not in declared:
                close = difflib.get_close_matches(str(key), list(declared), n=1)
                sink(rules.BLOCK_PARAMETER, f"block {entry['block']!r} has no parameter {key!r}", where + ("with", key),
                     f"did you mean {close[0]!r}?" if close else f"its parameters: {', '.join(declared) or 'none'}",
                     True)
                ok = False
                continue
            try:
                values[key] = self.value(given[key], scope.variables, where + ("with", key), sink)
            except ExprError:
                ok = False
        for key, default in declared.items():
            if key in given:
                continue
            if default is None:
                sink(rules.BLOCK_PARAMETER, f"block {entry['block']!r} needs parameter {key!r}",
                     where + ("block",), f"add it: `with: {{{key}: ...}}`")
                ok = False
            else:
                values[key] = default
        return values if ok else None


def expand(data: dict, sink: Sink, position: Callable[[tuple], tuple[int, int]]) -> Expansion:
    """The spec's layers with blocks expanded and expressions substituted."""
    expander = _Expander(data, sink, position)
    expander.out.variables = expander.variables(data)
    try:
        expander.expand_list(data.get("layers") or [], ("layers",), _Scope(variables=expander.out.variables))
    except _Stop:
        expander.out.complete = False
    for name in expander.blocks:
        if name not in expander.used and expander.out.complete:
            sink(rules.UNUSED_BLOCK, f"block {name!r} is defined but never used", ("blocks", name),
                 "use it in `layers:` with `{block: " + str(name) + "}`, or remove it", True)
    return expander.out
