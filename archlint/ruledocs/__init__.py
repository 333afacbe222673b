"""Rule documentation: one Markdown file per rule, `<CODE>.md`, shipped as package data.

Each file has the sections What it finds, Why it matters, a failing example and a fixed example (in
fenced `yaml` or `json` blocks, the first example block of each section). A test lints every example.
"""

from __future__ import annotations

import re
from importlib import resources

_FENCE = re.compile(r"^```(?P<lang>yaml|json|console)[^\n]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def source(code: str) -> str | None:
    try:
        return resources.files(__name__).joinpath(f"{code}.md").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None


def text(rule) -> str:
    doc = source(rule.code)
    if doc is None:  # pragma: no cover - a test requires a document for every rule
        return f"# {rule.code} {rule.name} ({rule.severity})\n\n{rule.summary}\n"
    return doc.rstrip("\n")


def examples(code: str) -> dict[str, tuple[str, str]]:
    """{"failing": (language, text), "fixed": (language, text)} from the rule's document."""
    doc = source(code) or ""
    found = {}
    for section in ("failing", "fixed"):
        match = re.search(rf"^## .*\b{section}\b.*$", doc, re.MULTILINE | re.IGNORECASE)
        if match:
            block = _FENCE.search(doc, match.end())
            if block:
                found[section] = (block.group("lang"), block.group("body"))
    return found
