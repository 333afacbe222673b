"""Formats that are JSON: `json` (one document), `json-lines` (one finding per line) and `gitlab`
(a GitLab code-quality report)."""

from __future__ import annotations

import hashlib
import json

from archlint.findings import Finding

# GitLab's severities are info, minor, major, critical, blocker
_GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def _gitlab(findings: list[Finding]) -> str:
    seen: dict = {}
    issues = []
    for finding in findings:
        # The fingerprint must identify the same problem across runs even when lines move:
        # path, code and message, with a counter for identical ones in one file.
        identity = (finding.path, finding.rule.code, finding.message)
        seen[identity] = seen.get(identity, 0) + 1
        digest = hashlib.sha256("\0".join(map(str, identity + (seen[identity],))).encode()).hexdigest()
        issues.append({
            "description": f"{finding.rule.code} {finding.message}",
            "check_name": f"{finding.rule.code} {finding.rule.name}",
            "fingerprint": digest[:32],
            "severity": _GITLAB_SEVERITY[finding.severity],
            "location": {"path": finding.path, "lines": {"begin": max(finding.line, 1)}},
        })
    return json.dumps(issues, indent=2)


def render(name: str, findings: list[Finding], checked: list[str], color: bool = False) -> str:
    if name == "json":
        return json.dumps({"findings": [f.to_json() for f in findings]}, indent=2)
    if name == "json-lines":
        return "\n".join(json.dumps(f.to_json()) for f in findings)
    return _gitlab(findings)
