"""One file in, findings (and the walked model) out: the pipeline every command shares."""

from __future__ import annotations

import functools
import gc
import os
import re
import traceback
from dataclasses import dataclass, field

from archlint import rules, sources, suppress
from archlint.findings import Finding
from archlint.loader import Document, LoadError
from archlint.rules import Rule

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})
# A file that fails to parse is reported only when it was meant to be a spec: when an `archlint` key
# appears in its text (block YAML, flow YAML or JSON, minified or not). Other broken YAML in a repo is
# skipped, so a pre-commit run over every YAML file fails only for specs.
_MARKER = re.compile(r"""(?:^|[\s{,])["']?archlint["']?\s*:""", re.MULTILINE)


@dataclass
class Result:
    path: str
    findings: list[Finding] = field(default_factory=list)
    model: object = None  # walk.Model when the spec could be walked
    skipped: str = ""  # why the file was not checked (not a spec), for -v
    source: object = None  # the importer's SourceHooks for a converted file (summary totals)
    verbatim: list = field(default_factory=list)  # multi-line scalars' spans, for the suppression scanner

    @property
    def unreadable(self) -> bool:
        return any(f.rule is rules.UNREADABLE_FILE for f in self.findings)

    @property
    def internal_error(self) -> bool:
        return any(f.rule is rules.INTERNAL_ERROR for f in self.findings)


class _Collector:
    """Gathers findings as (rule, message, where) and resolves positions once, at the end."""

    def __init__(self, path: str):
        self.path = path
        self.pending: list[tuple] = []

    def __call__(self, rule: Rule, message: str, where: tuple = (), hint: str = "", key: bool = False):
        self.pending.append((rule, message, tuple(where), hint, key))

    def resolve(self, document: Document | None) -> list[Finding]:
        found = []
        for rule, message, where, hint, key in self.pending:
            line, column = document.position(where, key) if document is not None else (0, 0)
            found.append(Finding(rule, message, self.path, line, column, hint))
        # drop repeats, keep the order of emission among findings at the same place: a stable report
        return sorted(dict.fromkeys(found), key=Finding.sort_key)


def looks_like_spec(data) -> bool:
    layers = data.get("layers") if isinstance(data, dict) else None
    return isinstance(layers, list) and bool(layers) and all(
        isinstance(entry, dict) and "type" in entry for entry in layers
    )


def _without_gc(function):
    """Run with the cyclic garbage collector paused.

    Loading and walking a spec allocates many small objects and no reference cycles to speak of, so
    the collector's repeated scans of the growing heap cost most of the time on large specs (10,000
    layers: 2.8 s with it, 1.2 s without) and free nothing that reference counting does not.
    """

    @functools.wraps(function)
    def run(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


@_without_gc
def lint_file(path: str, use_libyaml: bool = True, debug: bool = False, defaults: dict | None = None,
              input_format: str = "auto", budgets: tuple = (), settings: dict | None = None) -> Result:
    """`defaults`: top-level keys used when the spec does not write them (the configuration's default
    `framework` and per-path `budget`). `input_format` names an importer of archlint.sources (or
    "auto"); `settings` are importer options by name (sources.LoadOptions.settings)."""
    result = Result(path)
    collect = _Collector(path)
    document = None
    try:
        try:
            document = sources.load(path, sources.LoadOptions(use_libyaml, input_format, settings or {}))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            result.findings.append(Finding(rules.UNREADABLE_FILE, f"cannot read {path}: {reason}", path, 0, 0))
            return result
        except LoadError as exc:
            # a broken file that was never meant to be a spec (a broken .keras archive always was one)
            if not exc.certain and not _MARKER.search(_peek(path)):
                result.skipped = f"not a spec ({exc.message})"
                return result
            result.findings.append(Finding(exc.rule, exc.message, path, exc.line, exc.column, exc.hint))
            return result
        if suppress.may_have_directives(document.text):
            result.verbatim = document.verbatim()
        data = document.data
        if data is None:
            result.skipped = "not a spec (empty file)" if not document.text.strip() else \
                "not a spec (no data: only comments or null)"
            return result
        if not isinstance(data, dict) or "archlint" not in data:
            if looks_like_spec(data):
                collect(rules.MISSING_MARKER, "the file has a `layers` list of typed layers but no `archlint` key",
                        ("layers",), "add `archlint: 1` at the top so archlint checks it", key=True)
            elif not isinstance(data, dict) and _MARKER.search(document.text[:65536]):  # issue 7: meant as a spec
                kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
                collect(rules.SCHEMA_VIOLATION, f"a spec is a mapping at the top level, not {kind}", (),
                        "write the spec's keys (`archlint: 1`, `layers`, ...) at the top level")
            else:
                result.skipped = "not a spec (no `archlint` key)"
            result.findings = collect.resolve(document)
            return result
        for key, value in (defaults or {}).items():
            data.setdefault(key, value)
        source = document.source  # set for a file converted from another format (archlint.sources)
        result.source = source
        check_document(document, source.filter(collect) if source else collect, result)
        if result.model is not None:
            from archlint.budget import check_budget

            for limits, labels in budgets:  # budgets from the command line (--max-params), besides the spec's
                check_budget(result.model, collect, limits, labels)
        result.findings = collect.resolve(document)
    except Exception as exc:  # noqa: BLE001 - a bug in archlint must not hide the other files' findings
        detail = traceback.format_exc() if debug else f"{type(exc).__name__}: {exc}"
        result.findings = collect.resolve(document) if document is not None else []
        result.findings.append(
            Finding(rules.INTERNAL_ERROR, f"internal error while checking this file: {detail}", path, 0, 0,
                    "this is a bug in archlint: please report it with the file (run with --debug for details)")
        )
    return result


def check_document(document: Document, sink, result: Result) -> None:
    from archlint import blocks, budget, checks, receptive, schema, spec, walk

    data = document.data
    # the layer types importers register are for the files they convert, not for native specs
    importer_types = document.source is not None
    if "input" in data and "inputs" in data:
        sink(rules.SCHEMA_VIOLATION, "the spec gives both `input` and `inputs`", ("inputs",),
             "keep `input: [...]` for one input (named `input`), or `inputs: {name: [...]}` for several", True)
        return
    if data.get("framework") == "pytorch":
        spec.read_integer_names(data)  # `inputs: [0, 2]` names nn.Sequential's children 0 and 2
    if _plain(data):
        if data.get("framework", "keras") == "keras" and isinstance(data.get("layers"), list):
            for layer in data["layers"]:
                keras_lowercase(layer)
        top_ok, bad_layers = schema.validate(data, sink, importer_types)
        if not top_ok:
            return
        model_spec = spec.build(document.path, data, bad_layers)
    else:
        # Blocks, vars and applies are expanded first, so each layer is checked as it will be built:
        # expressions substituted, and at its place in the block's definition.
        if not schema.validate_top(data, sink):
            return
        expansion = blocks.expand(data, sink, document.position)
        if not expansion.complete:
            return
        framework = data.get("framework", "keras")
        bad_layers: dict[int, frozenset] = {}
        for index, entry in enumerate(expansion.entries):
            entry_sink = blocks.with_origin(sink, entry.origin)
            at_fault: set = set()
            if not entry.valid:
                ok = False  # an expression in it failed, and is reported: no second finding for its raw text
            elif "apply" in entry.data:
                ok = schema.validate_definition("layer_apply", entry.data, entry.where, "the apply", entry_sink)
            else:
                if framework == "keras":
                    keras_lowercase(entry.data)
                ok = schema.validate_layer(framework, entry.data, entry.where, entry_sink, at_fault, importer_types)
            if not ok:
                bad_layers[index] = frozenset(at_fault or [None])
        model_spec = spec.build(document.path, data, bad_layers, expansion)
    source = document.source
    if source is not None:  # e.g. what a converted Keras file records: shapes past unknown layers
        model_spec.source = source  # summary and explain ask it for the format's own lines
        source.annotate(model_spec)
    model = walk.walk(model_spec, sink)
    if source is not None:  # the importer's own findings (Keras: W018 unknown classes, W019 records)
        source.check(model, sink)
    checks.run_all(model, sink)
    budget.check_budget(model, sink)
    receptive.check(model, sink)  # W028 (issue 9)
    result.model = model


def keras_lowercase(layer) -> None:
    """Keras lower-cases `data_format` (every layer) and a convolution's `padding` before it checks them
    (Keras 3.15.1: Conv2D(padding="SAME") builds); its pooling layers take `padding` as written and refuse
    "SAME" when called. The spec is read the same way, in place (positions are by path, not by value)."""
    if not isinstance(layer, dict):
        return
    for key in ("data_format", "padding"):
        value = layer.get(key)
        if isinstance(value, str) and (key == "data_format" or "Conv" in str(layer.get("type", ""))):
            layer[key] = value.lower()
        nested = layer.get("layer")
        if isinstance(nested, dict) and nested is not layer:  # TimeDistributed, Bidirectional
            keras_lowercase(nested)


def _plain(data: dict) -> bool:
    """No blocks, vars or applies: the layers are checked as written, in one pass (the common case)."""
    if "blocks" in data or "vars" in data:
        return False
    layers = data.get("layers")
    return not isinstance(layers, list) or not any(
        isinstance(entry, dict) and ("block" in entry or "apply" in entry or "when" in entry) for entry in layers)


def _peek(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
        # issue 7: a spec saved as UTF-16 is still meant as a spec, and told to be saved as UTF-8
        return head.decode("utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8", "replace")
    except OSError:
        return ""


def discover(paths: list[str]) -> list[str]:
    """Files to check: named files as given, folders searched recursively for YAML and JSON."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(sources.EXTENSIONS):
                        found.append(os.path.join(root, name))
        else:
            found.append(path)
    return list(dict.fromkeys(found))  # a file named twice (or inside a folder also named) is checked once
