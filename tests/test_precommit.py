"""The pre-commit hook, for real: `pre-commit try-repo` against this checkout in a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from helpers import ROOT

GOOD = "archlint: 1\ninput: [4]\nlayers:\n  - {type: Dense, units: 2}\n"
BROKEN = "archlint: 1\ninput: [4, 4, 1]\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 9}\n"


def test_hook_definition_matches_the_issue():
    # pre-commit reads its hook manifest with PyYAML (YAML 1.1): read it as pre-commit does
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks == [{
        "id": "archlint", "name": "archlint",
        "description": hooks[0]["description"],
        "entry": "archlint check --force-exclude", "language": "python",
        "types_or": ["yaml", "json"], "require_serial": True, "minimum_pre_commit_version": "2.9.0",
    }, {  # .keras archives (issue 5): binary zips, which types_or [yaml, json] does not reach
        "id": "archlint-keras", "name": "archlint (.keras archives)",
        "description": hooks[1]["description"],
        "entry": "archlint check --force-exclude", "language": "python",
        "files": "\\.keras$", "require_serial": True, "minimum_pre_commit_version": "2.9.0",
    }]
    # quoted in the file, so YAML cannot read the version as a float
    assert 'minimum_pre_commit_version: "2.9.0"' in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def _pre_commit() -> list[str] | None:
    found = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    return [found] if found else None


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path):
    command = _pre_commit()
    if command is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)  # the hook output is asserted in the full format

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, timeout=60)

    def try_repo():
        return subprocess.run(command + ["try-repo", str(ROOT), "archlint", "--all-files", "--color", "never"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    git("init", "-q")
    (repo / "good.yaml").write_text(GOOD, encoding="utf-8")
    (repo / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (repo / "notes.yaml").write_text("key: [1\n", encoding="utf-8")  # broken, but not a spec: skipped
    (repo / "README.md").write_text("not yaml\n", encoding="utf-8")
    git("add", ".")
    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "broken.yaml:4:45: E001 [error]" in failed.stdout
    assert "good.yaml" not in failed.stdout.split("archlint", 2)[-1].replace("broken.yaml", "")
    git("rm", "-q", "-f", "broken.yaml")
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    # an exclude in the configuration holds for the files pre-commit names explicitly
    (repo / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (repo / "archlint.toml").write_text('exclude = ["broken.yaml"]\n', encoding="utf-8")
    git("add", ".")
    assert try_repo().returncode == 0
