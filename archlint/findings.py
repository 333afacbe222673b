"""A finding: one rule broken at one place in one file."""

from __future__ import annotations

from dataclasses import dataclass

from archlint.rules import Rule


@dataclass(frozen=True)
class Finding:
    rule: Rule
    message: str
    path: str  # the file, as given on the command line
    line: int  # 1-based; 0 when the finding is about the whole file
    column: int  # 1-based; 0 when the finding is about the whole file
    hint: str = ""

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def is_error(self) -> bool:
        return self.rule.severity == "error"

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule.code)

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.rule.code,
            "name": self.rule.name,
            "severity": self.rule.severity,
            "message": self.message,
            "hint": self.hint,
        }
