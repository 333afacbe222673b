"""Checking a set of paths with their configuration: which files, with which settings, and the findings
left after rule selection, per-file ignores and suppression comments.

The pipeline (lint.py) checks one file and knows nothing of configuration; this module wraps it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

from archlint import config as cfg
from archlint import rules


@dataclass
class Options:
    """What the command line says, layered over each file's configuration."""

    config_file: str | None = None  # --config: one file for everything, no search
    isolated: bool = False  # --isolated: ignore every configuration file
    select: tuple | None = None
    extend_select: tuple = ()
    ignore: tuple = ()
    force_exclude: bool | None = None
    strict: bool | None = None
    framework: str | None = None
    debug: bool = False
    input_format: str = "auto"  # --input-format: "auto" or an importer of archlint.sources
    settings: dict = field(default_factory=dict)  # importer options (sources.LoadOptions.settings)
    budgets: tuple = ()  # ((spec.Budget, {key: option name}), ...): --max-params, --max-trainable-params
    spec_defaults: dict = field(default_factory=dict)  # --dtype, --batch-size, --optimizer (issue 9)


@dataclass
class Checked:
    result: object  # lint.Result
    strict: bool
    findings: list = field(default_factory=list)


def config_for(path: str, options: Options) -> cfg.Config:
    if options.isolated:
        return cfg.DEFAULT
    if options.config_file:
        return _explicit(options.config_file)
    return cfg.for_file(path)


def reset() -> None:
    """Forget the configurations read so far: each run reads the files as they are now."""
    cfg.find.cache_clear()
    _EXPLICIT.clear()


def home_config(options: Options) -> cfg.Config:
    """The configuration of the working directory: it decides settings of the whole run (output-format)."""
    if options.isolated:
        return cfg.DEFAULT
    return _explicit(options.config_file) if options.config_file else cfg.find(os.getcwd())


_EXPLICIT: dict = {}


def _explicit(path: str) -> cfg.Config:
    if path not in _EXPLICIT:
        _EXPLICIT[path] = cfg.load(path)
    return _EXPLICIT[path]


def collect_files(paths: list[str], options: Options) -> list[str]:
    """Files to check. Excludes always apply to files found in folders; to files named on the command line
    only with --force-exclude (or `force-exclude = true`), as pre-commit names every file explicitly."""
    from archlint.formats.text import relative
    from archlint.lint import discover

    found: list[str] = []
    for given in paths:
        explicit = not os.path.isdir(given)
        for path in discover([given]):
            config = config_for(path, options)
            force = options.force_exclude if options.force_exclude is not None else config.force_exclude
            if (not explicit or force) and cfg.excluded(path, config):
                continue
            found.append(relative(path))
    return list(dict.fromkeys(found))


def _config_budget(result, path: str, budget: tuple, config: cfg.Config) -> list:
    """B001/B002 against the configuration's budget for the file's path. It applies beside the spec's own
    budget and the command line's: every declared budget holds, and each finding names its source. The
    findings point at the top of the file, since the limit is not written in it."""
    from archlint.budget import check_budget
    from archlint.findings import Finding
    from archlint.spec import Budget

    model = result.model
    if model is None:
        return []
    pattern, limits = budget
    spec = dataclasses.replace(model.spec, budget=Budget(**limits))
    source = f"{os.path.relpath(config.path)} budgets {pattern!r}"
    found: list = []

    def sink(rule, message, where=(), hint="", key=False):
        hint = hint.replace("or raise the budget", f"or raise the budget (set by {source})")
        found.append(Finding(rule, message, path, 1, 1, hint))

    check_budget(dataclasses.replace(model, spec=spec), sink)
    return found


def check_file(path: str, options: Options) -> Checked:
    from archlint import suppress
    from archlint.lint import lint_file

    config = config_for(path, options)
    defaults: dict = {}
    framework = options.framework or config.framework
    if framework:
        defaults["framework"] = framework
    # issue 9: what the memory figures are for, when the spec does not say (command line over configuration)
    for key, value in (("dtype", config.dtype), ("batch_size", config.batch_size), ("optimizer", config.optimizer)):
        value = options.spec_defaults.get(key) or value
        if value is not None:
            defaults[key] = value
    result = lint_file(path, debug=options.debug, defaults=defaults, input_format=options.input_format,
                       budgets=options.budgets, settings=options.settings)
    budget = cfg.budget_for(path, config)
    if budget:
        result.findings = sorted(result.findings + _config_budget(result, path, budget, config),
                                 key=lambda f: f.sort_key())
    enabled = cfg.enabled_codes(config, options.select, options.extend_select, options.ignore)
    enabled -= cfg.file_ignores(path, config)
    enabled.add(rules.INTERNAL_ERROR.code)  # a bug in archlint is never hidden
    findings = [f for f in result.findings if f.rule.code in enabled]
    if not path.lower().endswith(".json") and not result.skipped and not result.unreadable:
        findings = suppress.apply(path, _text(path), findings, enabled, result.verbatim)
    strict = options.strict if options.strict is not None else bool(config.strict)
    return Checked(result, strict, findings)


def _text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""
