"""The formats for people: `full` (finding line, source line with a caret, hint) and `concise`."""

from __future__ import annotations

import os
import re
from functools import lru_cache

import click

from archlint.findings import Finding

WINDOW = 100  # longer source lines (minified JSON) are shown as a window around the column
_COLORS = {"error": "red", "warning": "yellow"}


@lru_cache(maxsize=64)
def source_lines(path: str) -> tuple[str, ...]:
    """The lines a finding's line number counts in: the file's, or a .keras archive's config.json."""
    try:
        if path.lower().endswith(".keras"):
            from archlint.sources.keras import archive

            if archive.is_zip(path):
                return tuple(archive.read_config(path).decode("utf-8-sig", "replace").splitlines())
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return tuple(handle.read().splitlines())
    except Exception:  # an unreadable file or a damaged archive (reported by the check itself): no excerpt
        return ()


def _token_length(line: str, index: int) -> int:
    """How many characters the value starting at `index` spans, so the caret underlines all of it."""
    if index >= len(line):
        return 1
    opener = line[index]
    if opener in "'\"":
        end = line.find(opener, index + 1)
        return end - index + 1 if end > 0 else len(line) - index
    if opener in "[{":
        closer, depth = {"[": "]", "{": "}"}[opener], 0
        for position in range(index, len(line)):
            depth += {opener: 1, closer: -1}.get(line[position], 0)
            if depth == 0:
                return position - index + 1
        return len(line) - index
    end = index
    while end < len(line) and line[end] not in ",]}" and not line.startswith((": ", " #"), end) \
            and not (line[end] == ":" and end + 1 == len(line)):
        end += 1
    return max(1, len(line[index:end].rstrip()))


# issue 7: control characters from a hostile file (ESC sequences retitle or recolour the terminal) are
# shown as U+FFFD, one character for one, so the caret still lines up; tabs are kept
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def _source(finding: Finding, color: bool) -> list[str]:
    lines = source_lines(finding.path) if finding.line > 0 else ()
    if not 0 < finding.line <= len(lines):  # a finding about the whole file, or a file that changed
        return []
    line = printable(lines[finding.line - 1])
    index = min(finding.column - 1, len(line))
    width = _token_length(line, index)
    prefix = ""
    if len(line) > WINDOW:  # show a window around the value
        start = max(0, index - WINDOW // 2)
        shown = line[start:start + WINDOW]
        prefix = "..." if start else ""
        line, index = prefix + shown + ("..." if start + WINDOW < len(line) else ""), index - start + len(prefix)
        width = min(width, WINDOW - (index - len(prefix)))
    gutter = str(finding.line)
    # keep tabs under tabs so the caret lines up in any terminal
    pad = "".join(ch if ch == "\t" else " " for ch in line[:index])
    caret = "^" * max(1, width)
    if color:
        caret = click.style(caret, fg=_COLORS.get(finding.severity), bold=True)
    return [f"  {gutter} | {line}", f"  {' ' * len(gutter)} | {pad}{caret}"]


def finding_line(finding: Finding, color: bool = False) -> str:
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    code, severity = finding.rule.code, f"[{finding.severity}]"
    if color:
        location = click.style(location, bold=True)
        code = click.style(code, fg=_COLORS.get(finding.severity), bold=True)
        severity = click.style(severity, fg=_COLORS.get(finding.severity))
    return f"{location} {code} {severity} {printable(finding.message)}"


def _hint(finding: Finding, color: bool) -> list[str]:
    if not finding.hint:
        return []
    label = click.style("hint:", fg="cyan", bold=True) if color else "hint:"
    return [f"  {label} {finding.hint}"]


def render(name: str, findings: list[Finding], checked: list[str], color: bool = False) -> str:
    if name == "concise":
        return "\n".join(finding_line(f, color) for f in findings)
    blocks = ["\n".join([finding_line(f, color)] + _source(f, color) + _hint(f, color)) for f in findings]
    return "\n\n".join(blocks)


def statistics(findings: list[Finding], color: bool = False) -> str:
    """One line per code, most frequent first, as ruff --statistics prints it."""
    counts: dict = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].code))
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = []
    for rule, count in ranked:
        code = click.style(rule.code, fg=_COLORS.get(rule.severity), bold=True) if color else rule.code
        lines.append(f"{count:>{width}}  {code}  [{rule.severity}] {rule.name}")
    return "\n".join(lines)


def relative(path: str) -> str:
    """A path as printed: relative to the working directory when it is below it, normalized."""
    absolute = os.path.abspath(path)
    here = os.getcwd()
    if absolute == here or absolute.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, here)
    return os.path.normpath(path)
