"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: every rule in tool.driver.rules,
one result per finding."""

from __future__ import annotations

import json
import os
import pathlib
from urllib.parse import quote

from archlint import __version__, rules
from archlint.findings import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": pathlib.Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, index: dict) -> dict:
    text = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
    location: dict = {"artifactLocation": _uri(finding.path)}
    if finding.line > 0:
        location["region"] = {"startLine": finding.line, "startColumn": finding.column}
    return {
        "ruleId": finding.rule.code,
        "ruleIndex": index[finding.rule.code],
        "level": finding.severity,
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
    }


def render(name: str, findings: list[Finding], checked: list[str], color: bool = False) -> str:
    catalogue = list(rules.RULES.values())
    index = {rule.code: position for position, rule in enumerate(catalogue)}
    run = {
        "tool": {"driver": {
            "name": "archlint",
            "version": __version__,
            "rules": [{
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "help": {"text": f"archlint rule {rule.code} prints the documentation of this rule."},
                "defaultConfiguration": {"level": rule.severity},
            } for rule in catalogue],
        }},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index) for f in findings],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)
