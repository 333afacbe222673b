"""GitHub Actions workflow commands: one `::error` or `::warning` annotation per finding."""

from __future__ import annotations

from archlint.findings import Finding


def escape_data(text: str) -> str:
    """The message part: %, CR and LF are escaped (GitHub's toolkit escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also ':' and ',', which separate properties (toolkit escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties = [f"file={escape_property(finding.path)}"]
    if finding.line > 0:
        properties += [f"line={finding.line}", f"col={finding.column}"]
    properties.append(f"title={escape_property(f'archlint {finding.rule.code} ({finding.rule.name})')}")
    message = f"{finding.rule.code} {finding.message}"
    if finding.hint:
        message += f"\nhint: {finding.hint}"
    return f"::{finding.severity} {','.join(properties)}::{escape_data(message)}"


def render(name: str, findings: list[Finding], checked: list[str], color: bool = False) -> str:
    return "\n".join(annotation(f) for f in findings)
