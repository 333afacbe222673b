"""`archlint diff`: check both versions, compare them, apply the gates, render."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from archlint.diff import check_gates, compare, new_findings, parse_gates


class UsageError(Exception):
    """Wrong arguments, a configuration error or git failing: exit 2."""


@dataclass
class Outcome:
    text: str  # stdout
    errors: str  # stderr
    code: int  # 0 the gates hold, 1 a gate is exceeded or a version cannot be walked, 2 an internal error


def run(paths: tuple, rev: str | None, output_format: str, fail_on_increase: str | None, options,
        all_layers: bool = False) -> Outcome:
    from archlint import config as cfg
    from archlint import project

    if rev is not None and len(paths) != 1:
        raise UsageError("--rev REV takes one PATH: archlint diff --rev main model.yaml")
    if rev is None and len(paths) != 2:
        raise UsageError("give OLD and NEW, or --rev REV PATH")
    new_path = paths[-1]
    try:
        if rev is not None:
            from archlint.diff.revision import RevisionError, check_revision

            try:
                old = check_revision(rev, new_path, options)
            except RevisionError as exc:
                raise UsageError(f"cannot read {new_path} at {rev}: {exc}") from None
        else:
            old = project.check_file(paths[0], options)
        new = project.check_file(new_path, options)
        gates, source = _gates(fail_on_increase, new_path, options)
    except cfg.ConfigError as exc:
        raise UsageError(str(exc)) from None
    internal = old.result.internal_error or new.result.internal_error
    missing = [item for item in (old, new) if item.result.model is None]
    if missing:
        problems = [f for item in missing for f in item.findings if f.is_error]
        lines = [f"{item.result.path}: no model to compare ({item.result.skipped or 'it could not be walked'})"
                 for item in missing if not any(f.is_error for f in item.findings)]
        if output_format == "json":
            text = json.dumps({"old": old.result.path, "new": new.result.path,
                               "findings": [f.to_json() for f in problems]}, indent=2)
        else:
            text = ""
        from archlint.report import format_full

        errors = "\n".join(filter(None, [format_full(problems)] + lines))
        return Outcome(text, errors, 2 if internal else 1)
    diff = compare(old.result.model, new.result.model, old.result.path, new.result.path)
    diff.new_findings, diff.fixed_findings = new_findings(old.findings, new.findings)
    check_gates(diff, gates, source)
    from archlint.diff import render

    if output_format == "json":
        text = render.format_json(diff)
    elif output_format == "markdown":
        text = render.format_markdown(diff)
    else:
        text = render.format_full(diff, all_layers)
    return Outcome(text, "", 2 if internal else 1 if diff.gate_findings else 0)


def _gates(given: str | None, path: str, options) -> tuple[dict, str]:
    """The gates of the command line, else those of the configuration that applies to NEW."""
    from archlint import project

    if given is not None:
        try:
            return parse_gates(given), "--fail-on-increase"
        except ValueError as exc:
            raise UsageError(f"--fail-on-increase: {exc}") from None
    config = project.config_for(path, options)
    if not config.fail_on_increase:
        return {}, ""
    from archlint.formats.text import relative

    where = relative(config.path)
    return ({gate.name: gate for gate in config.fail_on_increase},
            f"`fail-on-increase` in {where}" if os.path.basename(where) != "pyproject.toml" else
            f"[tool.archlint] fail-on-increase in {where}")
