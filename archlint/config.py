"""Configuration: `[tool.archlint]` in pyproject.toml, or the top level of an archlint.toml.

The configuration that applies to a file is the nearest one found walking up from the file's folder
(archlint.toml before pyproject.toml in the same folder; a pyproject.toml without [tool.archlint] is
passed over). Command-line options are layered on top of it. Patterns (exclude, per-file-ignores,
budgets) are relative to the folder of the configuration file that declares them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from archlint import rules, vocab

KEYS = ("select", "ignore", "extend-select", "per-file-ignores", "exclude", "force-exclude", "framework",
        "strict", "budgets", "output-format", "dtype", "batch-size", "optimizer", "fail-on-increase")
CHOICES = {"framework": tuple(vocab.FRAMEWORKS), "output-format": tuple(vocab.CHECK_FORMATS),
           "dtype": tuple(vocab.DTYPE_BYTES), "optimizer": tuple(vocab.OPTIMIZER_STATES)}


class ConfigError(Exception):
    """A configuration that cannot be used: reported with its file, key and line, exit code 2."""

    def __init__(self, path: str, message: str, key: str = "", line: int = 0):
        from archlint.formats.text import relative

        self.path, self.key, self.line = path, key, line
        where = f"{relative(path)}:{line}" if line else relative(path)
        section = "[tool.archlint] " if key and os.path.basename(path) == "pyproject.toml" else ""
        super().__init__(f"{where}: {section}{message}")


@dataclass(frozen=True)
class Config:
    path: str = ""  # the file it came from ("" for the built-in defaults)
    root: str = "."  # the folder patterns are relative to
    select: tuple | None = None  # None: keep what the previous layer selected (all rules by default)
    ignore: tuple = ()
    extend_select: tuple = ()
    per_file_ignores: tuple = ()  # ((pattern, (selector, ...)), ...)
    exclude: tuple = ()
    force_exclude: bool = False
    framework: str | None = None
    strict: bool | None = None
    budgets: tuple = ()  # ((pattern, {"params": int, "trainable_params": int}), ...)
    output_format: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    fail_on_increase: tuple = ()  # issue 16: `archlint diff` gates (archlint.diff.Gate)


DEFAULT = Config()


# ---------------------------------------------------------------- finding and reading files


def _read_toml(path: str) -> dict:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(path, f"cannot read the configuration: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise ConfigError(path, f"invalid TOML: {exc}", line=int(match.group(1)) if match else 0) from None


def _mentions_archlint(path: str) -> bool:
    """Whether the text could hold a [tool.archlint] table (any spelling TOML allows has the word)."""
    try:
        with open(path, "rb") as handle:
            return b"archlint" in handle.read()
    except OSError:
        return True  # let the parser report it


def _table(path: str) -> dict | None:
    """The archlint settings of one file, or None when the file has none (a pyproject.toml without them)."""
    if os.path.basename(path) == "pyproject.toml" and not _mentions_archlint(path):
        return None  # most pyproject.toml files have no archlint table: spare parsing them
    data = _read_toml(path)
    if os.path.basename(path) != "pyproject.toml":
        return data
    section = data.get("tool", {}).get("archlint") if isinstance(data.get("tool"), dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(path, "[tool.archlint] must be a table", "tool.archlint")
    return section


@cache
def find(folder: str) -> Config:
    """The configuration that applies to files in `folder`: the nearest one up the tree."""
    folder = os.path.abspath(folder)
    for name in ("archlint.toml", "pyproject.toml"):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            table = _table(candidate)
            if table is not None:
                return parse(table, candidate)
    parent = os.path.dirname(folder)
    return DEFAULT if parent == folder else find(parent)


def load(path: str) -> Config:
    """An explicitly named configuration file (--config)."""
    table = _table(path)
    if table is None:
        raise ConfigError(path, "the file has no [tool.archlint] table", "tool.archlint")
    return parse(table, os.path.abspath(path))


def for_file(path: str) -> Config:
    return find(os.path.dirname(os.path.abspath(path)))


# ---------------------------------------------------------------- validation


def _key_line(path: str, key: str) -> int:
    """The line where `key` is written, so an error can point at it (0 when it cannot be found)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return 0
    leaf = key.split(".")[-1]
    header = re.compile(r"^\s*\[+\s*(?:tool\.archlint\.)?" + re.escape(leaf) + r"\s*\]+", re.MULTILINE)
    assign = re.compile(r"^\s*[\"']?" + re.escape(leaf) + r"[\"']?\s*=", re.MULTILINE)
    start = 0
    if os.path.basename(path) == "pyproject.toml":
        section = re.search(r"^\s*\[\s*tool\.archlint", text, re.MULTILINE)
        start = section.start() if section else 0
    match = assign.search(text, start) or header.search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _selector_ok(selector: str) -> bool:
    if selector.upper() == "ALL" or selector.lower() in rules.CATEGORIES:
        return True
    if rules.lookup(selector) is not None:
        return True
    prefix = selector.upper()
    return bool(re.fullmatch(r"[A-Z][0-9]{0,3}", prefix)) and any(code.startswith(prefix) for code in rules.RULES)


def check_selectors(values, path: str, key: str, line: int = 0) -> tuple:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(path, f"`{key}` must be a list of rule codes, prefixes or names", key, line)
    for value in values:
        if not _selector_ok(value):
            import difflib  # only for the error message

            close = difflib.get_close_matches(value.lower(), [r.name for r in rules.RULES.values()], n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(path, f"`{key}`: {value!r} is not a rule code, prefix or name{hint}", key, line)
    return tuple(values)


def _patterns(value, path: str, key: str, line: int) -> tuple:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(path, f"`{key}` must be a list of glob patterns", key, line)
    return tuple(value)


def _budget(value, path: str, key: str, line: int) -> dict:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        value = {"params": value}
    if not isinstance(value, dict) or not value:
        raise ConfigError(path, f"`{key}` must be a table with `params` and/or `trainable_params`", key, line)
    budget = {}
    for name, count in value.items():
        if name not in vocab.BUDGET_KEYS:
            raise ConfigError(path, f"`{key}`: unknown key `{name}` (expected {', '.join(vocab.BUDGET_KEYS)})",
                              key, line)
        budget_key = vocab.BUDGET_KEYS[name]
        parsed = budget_key.parse(count)
        if parsed is None:
            raise ConfigError(path, f"`{key}.{name}`: {count!r} is not {vocab.UNITS[budget_key.units].expected}",
                              key, line)
        budget[name] = parsed
    return budget


def parse(table: dict, path: str) -> Config:
    """Validate a settings table; every mistake is a ConfigError naming the file, key and line."""
    values: dict = {}
    for key, value in table.items():
        line = _key_line(path, key)
        if key not in KEYS:
            import difflib  # only for the error message

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(path, f"unknown key `{key}`{hint}", key, line)
        if key in ("select", "ignore", "extend-select"):
            values[key.replace("-", "_")] = check_selectors(value, path, key, line)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(path, "`per-file-ignores` must be a table of pattern = [codes]", key, line)
            values["per_file_ignores"] = tuple(
                (pattern, check_selectors(codes, path, f"per-file-ignores.{pattern!r}", _key_line(path, pattern)))
                for pattern, codes in value.items()
            )
        elif key == "exclude":
            values["exclude"] = _patterns(value, path, key, line)
        elif key in ("strict", "force-exclude"):
            if not isinstance(value, bool):
                raise ConfigError(path, f"`{key}` must be true or false", key, line)
            values[key.replace("-", "_")] = value
        elif key in CHOICES:
            if value not in CHOICES[key]:
                raise ConfigError(path, f"`{key}` must be one of {', '.join(CHOICES[key])}, not {value!r}", key, line)
            values[key.replace("-", "_")] = value
        elif key == "batch-size":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(path, f"`batch-size` must be a positive integer, not {value!r}", key, line)
            values["batch_size"] = value
        elif key == "budgets":
            if not isinstance(value, dict):
                raise ConfigError(path, "`budgets` must be a table of pattern = {params = ...}", key, line)
            values["budgets"] = tuple(
                (pattern, _budget(budget, path, f"budgets.{pattern!r}", _key_line(path, pattern)))
                for pattern, budget in value.items()
            )
        elif key == "fail-on-increase":  # issue 16: archlint.diff parses the gates (one grammar for both)
            from archlint.diff import parse_gates

            try:
                values["fail_on_increase"] = tuple(parse_gates(value).values())
            except ValueError as exc:
                raise ConfigError(path, f"`fail-on-increase`: {exc}", key, line) from None
    return Config(path=path, root=os.path.dirname(path), **values)


# ---------------------------------------------------------------- patterns


@cache
def _glob(pattern: str) -> re.Pattern:
    """A glob as a regex over '/'-separated paths: `*` and `?` stay in one folder, `**` crosses folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1:end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str, root: str) -> bool:
    """Whether `path` matches `pattern`, relative to `root`.

    A pattern with a slash is matched against the whole path from `root` (like .gitignore); one
    without is matched against the file name and the name of every folder above it, so
    `exclude = ["generated"]` excludes a folder anywhere below the configuration file.
    """
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if relative.startswith("../"):
        return False
    pattern = pattern.strip("/") if pattern.endswith("/") else pattern.lstrip("/")
    if "/" in pattern:
        return bool(_glob(pattern).match(relative))
    return any(_glob(pattern).match(part) for part in relative.split("/"))


def excluded(path: str, config: Config) -> bool:
    return any(matches(pattern, path, config.root) for pattern in config.exclude)


def budget_for(path: str, config: Config) -> tuple[str, dict] | None:
    """The first budget whose pattern matches the file: (pattern, budget)."""
    for pattern, budget in config.budgets:
        if matches(pattern, path, config.root):
            return pattern, budget
    return None


# ---------------------------------------------------------------- rule selection


def _specificity(selector: str) -> int:
    if selector.upper() == "ALL":
        return 0
    if selector.lower() in rules.CATEGORIES:
        return 1  # a category (portability): above ALL, below a family letter or a code
    rule = rules.lookup(selector)
    return 4 if rule is not None else len(selector)


def _matching(selector: str) -> set[str]:
    if selector.upper() == "ALL":
        return set(rules.RULES)
    if selector.lower() in rules.CATEGORIES:
        return {code for code, rule in rules.RULES.items() if rule.category == selector.lower()}
    rule = rules.lookup(selector)
    if rule is not None:
        return {rule.code}
    return {code for code in rules.RULES if code.startswith(selector.upper())}


def apply_selection(enabled: set[str], select, extend_select=(), ignore=()) -> set[str]:
    """One layer of selection, as ruff does: `select` starts over, then every selector applies from
    the least specific to the most (ALL, E, E0, E001), an ignore winning a tie. So `select = ["E"]`
    with `ignore = ["E001"]` drops E001, and `ignore = ["W"]` with `extend-select = ["W001"]` keeps W001."""
    result = set(enabled) if select is None else set()
    actions = [(_specificity(s), 0, s) for s in (list(select or ()) + list(extend_select))]
    actions += [(_specificity(s), 1, s) for s in ignore]
    for _, kind, selector in sorted(actions):
        if kind == 0:
            result |= _matching(selector)
        else:
            result -= _matching(selector)
    return result


def enabled_codes(config: Config, cli_select=None, cli_extend_select=(), cli_ignore=()) -> set[str]:
    # without a selection, the rules on by default (rules.Rule.default: portability, pedantic and
    # informational rules are opt-in, as ruff's default set)
    default = {code for code, rule in rules.RULES.items() if rule.default}
    enabled = apply_selection(default, config.select, config.extend_select, config.ignore)
    return apply_selection(enabled, cli_select, cli_extend_select, cli_ignore)


def file_ignores(path: str, config: Config) -> set[str]:
    found: set[str] = set()
    for pattern, selectors in config.per_file_ignores:
        if matches(pattern, path, config.root):
            for selector in selectors:
                found |= _matching(selector)
    return found
