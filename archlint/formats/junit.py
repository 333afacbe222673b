"""JUnit XML: one test suite per checked file, one failing test case per finding (an internal error is
an `<error>`), and a passing test case for a clean file, so CI dashboards count clean specs too."""

from __future__ import annotations

import re

from archlint.findings import Finding

# XML 1.0 cannot carry most control characters, even escaped: a message quoting a spec might hold one.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    value = _INVALID_XML.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return '"' + _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace(
        "\t", "&#9;") + '"'


def render(name: str, findings: list[Finding], checked: list[str], color: bool = False) -> str:
    by_file: dict[str, list[Finding]] = {path: [] for path in checked}
    for finding in findings:
        by_file.setdefault(finding.path, []).append(finding)
    internal = sum(f.rule.code == "E900" for f in findings)
    tests = sum(max(1, len(found)) for found in by_file.values())
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="archlint" tests="{tests}" failures="{len(findings) - internal}" errors="{internal}">']
    for path, found in by_file.items():
        errors = sum(f.rule.code == "E900" for f in found)
        out.append(f'  <testsuite name={_attr(path)} tests="{max(1, len(found))}" '
                   f'failures="{len(found) - errors}" errors="{errors}">')
        if not found:
            out.append(f'    <testcase name="archlint" classname={_attr(path)}/>')
        for finding in found:
            tag = "error" if finding.rule.code == "E900" else "failure"
            body = f"line {finding.line}, col {finding.column}, {finding.message}"
            if finding.hint:
                body += f"\nhint: {finding.hint}"
            out += [f'    <testcase name={_attr(f"{finding.rule.code} {finding.rule.name}")} classname={_attr(path)} '
                    f'line="{finding.line}" column="{finding.column}">',
                    f'      <{tag} type="{finding.severity}" message={_attr(finding.message)}>{_text(body)}</{tag}>',
                    "    </testcase>"]
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out)
