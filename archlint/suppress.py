"""Suppression comments in YAML specs.

    - {type: Conv2D, filters: 8, kernel_size: 3, strides: 2}  # archlint: disable=W001
    # archlint: disable=W001,stride-skips-input    <- applies to the next content line
    # archlint: disable-file=W005                  <- in the comments at the top of the file

Codes or rule names, separated by commas; text after them is a free-form reason. A suppression that
suppresses nothing is S010 (as ruff reports an unused `noqa`), a malformed or misplaced one S011.
JSON has no comments: JSON specs are suppressed through the configuration (per-file-ignores).
A `# archlint:` written inside a block scalar (`|`, `>`) or a quoted scalar spread over several lines
is text, not a comment: the loader's node positions (`loader.verbatim_spans`) tell where those are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archlint import rules
from archlint.findings import Finding

_QUICK = re.compile(r"#\s*archlint\s*:")
_DIRECTIVE = re.compile(r"#\s*archlint\s*:\s*(?P<kind>[A-Za-z-]*)\s*(?P<eq>=?)\s*"
                        r"(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)?")
_CODE = re.compile(r"[A-Za-z0-9_-]+")
# Findings about archlint itself, or about suppressions, are never suppressed by a comment.
_UNSUPPRESSIBLE = frozenset({"E900", "S010", "S011"})


@dataclass
class Directive:
    line: int  # where the comment is (1-based)
    file_wide: bool
    target: int  # the line a line directive applies to (0: none)
    codes: list = field(default_factory=list)  # [(code, column of the code in the comment), ...]
    used: set = field(default_factory=set)


def _comment_start(line: str) -> int:
    """Index of the `#` that starts a YAML comment on this line, or -1. Quoted scalars are skipped;
    a `#` starts a comment only at the start of the line or after whitespace, as YAML says."""
    quote = ""
    previous = " "  # what came before, ignoring spaces: a quote opens a scalar only after these
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if quote == '"' and char == "\\":
                index += 2  # an escaped character inside a double-quoted scalar
                continue
            if char == quote:
                if quote == "'" and line[index + 1:index + 2] == "'":
                    index += 2  # '' is an escaped quote inside a single-quoted scalar
                    continue
                quote = ""
                previous = char
            index += 1
            continue
        if char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        if char in "'\"" and previous in " :-[{,?":
            quote = char
        if not char.isspace():
            previous = char
        index += 1
    return -1


def may_have_directives(text: str) -> bool:
    return bool(_QUICK.search(text))


def _mask(lines: list[str], verbatim) -> set[int]:
    """Blank the scalar text of `verbatim` spans ((line, column, end line, end column), 0-based, the
    end excluded) in place, keeping every other column where it was. Returns the (1-based) numbers of
    the lines that held scalar text: content lines, whatever is left of them."""
    texts = set()
    for first, column, last, end in verbatim:
        for number in range(first, min(last, len(lines) - 1) + 1):
            line = lines[number]
            start = column if number == first else 0
            stop = end if number == last else len(line)
            if line[start:stop].strip():
                texts.add(number + 1)
            if stop > start:
                lines[number] = line[:start] + " " * (min(stop, len(line)) - start) + line[stop:]
    return texts


def parse(text: str, verbatim=()) -> tuple[list[Directive], list[tuple[int, int, str]]]:
    """The directives of a YAML text, and the problems found in them as (line, column, message).
    `verbatim`: the spans of multi-line scalars (`loader.verbatim_spans`), whose text is no comment."""
    directives: list[Directive] = []
    problems: list[tuple[int, int, str]] = []
    if not _QUICK.search(text):
        return directives, problems
    lines = text.splitlines()
    scalar_text = _mask(lines, verbatim)
    in_header = True  # still in the comments, blank lines and directives before the first content
    pending: list[Directive] = []  # own-line directives waiting for the next content line
    for number, line in enumerate(lines, start=1):
        start = _comment_start(line)
        content = (line if start < 0 else line[:start]).strip()
        is_content = (bool(content) and not (in_header and (content.startswith("%") or content == "---"))
                      or number in scalar_text)
        if is_content:
            in_header = False
            for directive in pending:
                directive.target = number
            pending = []
        if start < 0:
            continue
        comment = line[start:]
        match = _DIRECTIVE.match(comment)
        if not match:
            continue
        column = start + 1
        kind, codes = match.group("kind"), match.group("codes")
        if kind not in ("disable", "disable-file") or not match.group("eq") or not codes:
            problems.append((number, column, f"malformed suppression {comment.strip()!r}: write "
                                             "`# archlint: disable=CODE[,CODE]` or `# archlint: disable-file=CODE`"))
            continue
        file_wide = kind == "disable-file"
        if file_wide and not in_header:
            problems.append((number, column, "`disable-file` works only in the comments at the top of the file, "
                                             "before the first key"))
            continue
        directive = Directive(number, file_wide, number if is_content else 0)
        offset = start + match.start("codes")
        for code_match in _CODE.finditer(codes):
            rule = rules.lookup(code_match.group())
            code_column = offset + code_match.start() + 1
            if rule is None:
                problems.append((number, code_column, f"{code_match.group()!r} is not an archlint rule code or name"))
            else:
                directive.codes.append((rule.code, code_column))
        if directive.codes:
            directives.append(directive)
            if not file_wide and not is_content:
                pending.append(directive)
    return directives, problems


def apply(path: str, text: str, findings: list[Finding], enabled: set[str], verbatim=()) -> list[Finding]:
    """Drop the findings that comments suppress; add S010/S011 for suppressions that do nothing or are
    wrong (when those rules are enabled). `enabled` is the set of codes the configuration selects;
    `verbatim` the spans of multi-line scalars (`parse`)."""
    directives, problems = parse(text, verbatim)
    if not directives and not problems:
        return findings
    file_wide = [d for d in directives if d.file_wide]
    by_line: dict[int, list[Directive]] = {}
    for directive in directives:
        if not directive.file_wide and directive.target:
            by_line.setdefault(directive.target, []).append(directive)
    kept = []
    for finding in findings:
        code = finding.rule.code
        hits = [] if code in _UNSUPPRESSIBLE else [
            d for d in by_line.get(finding.line, []) + file_wide if any(c == code for c, _ in d.codes)
        ]
        for directive in hits:
            directive.used.add(code)
        if not hits:
            kept.append(finding)
    if "S011" in enabled:
        for line, column, message in problems:
            kept.append(Finding(rules.INVALID_SUPPRESSION, message, path, line, column,
                                "see `archlint rule invalid-suppression`"))
    if "S010" in enabled:
        for directive in directives:
            for code, column in directive.codes:
                if code in directive.used:
                    continue
                where = "in the file" if directive.file_wide else (
                    f"on line {directive.target}" if directive.target else "below it")
                why = "" if code in enabled else f" ({code} is not selected by the configuration)"
                kept.append(Finding(rules.UNUSED_SUPPRESSION,
                                    f"unused suppression: no {code} finding {where}{why}", path, directive.line,
                                    column, f"remove {code} from the comment"))
    return sorted(kept, key=Finding.sort_key)
