"""The job summary of the GitHub action (action.yml): on pull requests, `archlint diff` of every changed
spec against the base branch; then `archlint summary` of every model, collapsed. Markdown, appended to
$GITHUB_STEP_SUMMARY (stdout when it is not set).

    python -m archlint.ci_summary PATH...

Environment: GITHUB_EVENT_NAME and GITHUB_BASE_REF (set by Actions on pull requests), GITHUB_OUTPUT
(the step's outputs: `diff-file`, the diff's Markdown, for a pull-request comment), RUNNER_TEMP, and
ARCHLINT_FAIL_ON_INCREASE (gates passed to `archlint diff --fail-on-increase`), ARCHLINT_DIFF and
ARCHLINT_SUMMARY ("false" leaves that part out). Exit status 1 when a
gate is exceeded (B020), else 0: the check's own status is the action script's business.
"""

from __future__ import annotations

import os
import subprocess
import sys

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def _archlint(*args: str) -> subprocess.CompletedProcess:
    """The documented command, run as a user would (so the summary is exactly what it prints)."""
    return subprocess.run([sys.executable, "-m", "archlint", *args], capture_output=True, text=True, check=False)


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def base_revision(branch: str) -> str | None:
    """The base branch's tip: origin/BRANCH when the checkout has it, else fetched (actions/checkout
    fetches one commit), else the local branch."""
    for candidate in (f"origin/{branch}", branch):
        if _git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}").returncode == 0:
            return candidate
    fetched = _git("fetch", "--no-tags", "--depth=1", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
    return f"origin/{branch}" if fetched.returncode == 0 else None


def changed_specs(base: str, paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(changed, added, removed) spec files under PATHS between BASE and the work tree."""
    from archlint.lint import lint_file
    from archlint.sources import EXTENSIONS

    listed = _git("diff", "--name-status", "--no-renames", base, "--", *paths)
    changed, added, removed = [], [], []
    top = _git("rev-parse", "--show-toplevel").stdout.strip()
    for line in listed.stdout.splitlines():
        status, _, name = line.partition("\t")
        if not name.lower().endswith(EXTENSIONS):
            continue
        path = os.path.relpath(os.path.join(top, name))
        if status == "D":
            removed.append(path)
            continue
        if lint_file(path).skipped:  # a YAML or JSON file that is no model spec (a workflow, a config)
            continue
        (added if status == "A" else changed).append(path)
    return changed, added, removed


def _wanted(part: str) -> bool:
    return os.environ.get(f"ARCHLINT_{part}", "true").strip().lower() != "false"


def diff_section(paths: list[str]) -> tuple[str, int]:
    pull_request = os.environ.get("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS and os.environ.get("GITHUB_BASE_REF")
    if not _wanted("DIFF") or not pull_request:
        return "", 0
    branch = os.environ["GITHUB_BASE_REF"]
    base = base_revision(branch)
    if base is None:
        return f"_archlint: the base branch `{branch}` could not be fetched: no diff._\n", 0
    changed, added, removed = changed_specs(base, paths)
    gates = os.environ.get("ARCHLINT_FAIL_ON_INCREASE", "").strip()
    parts, status = [f"## archlint: model changes against `{branch}`", ""], 0
    for path in changed:
        result = _archlint("diff", "--rev", base, path, "--output-format", "markdown",
                           *(["--fail-on-increase", gates] if gates else []))
        parts += [result.stdout.rstrip("\n") or f"`{path}`: {result.stderr.strip()}", ""]
        status = max(status, 1 if result.returncode == 1 and "B020" in result.stdout else 0)
    parts += [f"New spec: `{path}`" for path in added] + [f"Removed spec: `{path}`" for path in removed]
    if not (changed or added or removed):
        parts.append("No model spec changed.")
    return "\n".join(parts).rstrip("\n") + "\n", status


def summary_section(paths: list[str]) -> str:
    result = _archlint("summary", "--output-format", "markdown", *paths)
    if not result.stdout.strip():
        return ""
    count = result.stdout.count("\n### ") + result.stdout.startswith("### ")
    return (f"<details><summary>archlint summary: {count} model{'s' if count != 1 else ''}</summary>\n\n"
            f"{result.stdout.rstrip()}\n\n</details>\n")


def main(paths: list[str]) -> int:
    paths = paths or ["."]
    diff, status = diff_section(paths)
    text = "\n".join(part for part in (diff, summary_section(paths) if _wanted("SUMMARY") else "") if part)
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if diff and os.environ.get("GITHUB_OUTPUT"):
        diff_file = os.path.join(os.environ.get("RUNNER_TEMP") or ".", "archlint-diff.md")
        with open(diff_file, "w", encoding="utf-8") as handle:
            handle.write(diff)
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.write(f"diff-file={diff_file}\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
