"""The GitHub composite action: scripts/github_action.sh (what action.yml's first step runs) run locally
in a temporary repository cloned the way actions/checkout clones (one commit of the pull-request branch,
no base branch), with the environment variables GitHub sets on a pull request."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT

from archlint.cli import main

DIFF = ROOT / "tests" / "data" / "diff"
pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
WARNING_SPEC = ("archlint: 1\nname: extra\nframework: pytorch\ninput: [3, 8, 8]\nlayers:\n"
                "  - {name: conv, type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {name: bn, type: BatchNorm2d}\n")


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def checkout(tmp_path):
    """A pull request that widens models/net.yaml, adds models/extra.yaml (W005) and edits a workflow file,
    checked out as actions/checkout does: the branch's one commit, the base branch not fetched."""
    source = tmp_path / "source"
    (source / "models").mkdir(parents=True)
    (source / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(DIFF / "base.yaml", source / "models" / "net.yaml")
    (source / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {}\n")
    git(source, "init", "-q", "-b", "main")
    git(source, "add", ".")
    git(source, "commit", "-q", "-m", "base")
    git(source, "checkout", "-q", "-b", "feature")
    shutil.copy(DIFF / "widened.yaml", source / "models" / "net.yaml")
    (source / "models" / "extra.yaml").write_text(WARNING_SPEC)
    (source / ".github" / "workflows" / "ci.yml").write_text("on: [push, pull_request]\njobs: {}\n")
    git(source, "add", ".")
    git(source, "commit", "-q", "-m", "wider stem")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{source}", str(work))
    return work


def run_action(work, **environment):
    runner = work.parent / "runner"
    runner.mkdir(exist_ok=True)
    for name in ("summary.md", "output"):  # each run is a new job
        (runner / name).unlink(missing_ok=True)
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(ROOT), "ARCHLINT_PYTHON": sys.executable,
           "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
           "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "GITHUB_OUTPUT": str(runner / "output"),
           "RUNNER_TEMP": str(runner), "ARCHLINT_PATHS": "models", **environment}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "github_action.sh")], cwd=work, env=env,
                          capture_output=True, text=True)
    summary = (runner / "summary.md").read_text() if (runner / "summary.md").exists() else ""
    outputs = dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())
    return done, summary, outputs


def expected_diff(monkeypatch) -> str:
    """What `archlint diff` prints for the same pair, named as the action names them."""
    monkeypatch.chdir(ROOT)
    text = CliRunner().invoke(main, ["diff", "--format", "markdown", "tests/data/diff/base.yaml",
                                     "tests/data/diff/widened.yaml"]).stdout
    return text.replace("tests/data/diff/base.yaml", "origin/main:models/net.yaml").replace(
        "tests/data/diff/widened.yaml", "models/net.yaml")


def test_pull_request_summary_annotations_and_sarif(checkout, monkeypatch):
    done, summary, outputs = run_action(checkout, ARCHLINT_SARIF="true")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("::warning file=models/extra.yaml,line=6,col=24,title=archlint W005 "
                           "(bias-before-batchnorm)::W005 conv adds a bias that bn subtracts again: 4 wasted "
                           "parameters%0Ahint: bn (BatchNorm2d) subtracts each channel's mean: set bias: false on "
                           "conv\n")
    assert outputs["exit-code"] == "0"  # a warning does not fail
    runner = checkout.parent / "runner"
    assert outputs["sarif-file"] == str(runner / "archlint.sarif")
    assert '"ruleId": "W005"' in (runner / "archlint.sarif").read_text()
    diff_part = (f"## archlint: model changes against `main`\n\n{expected_diff(monkeypatch)}\n"
                 "New spec: `models/extra.yaml`\n")
    assert summary.startswith(diff_part + "\n<details><summary>archlint summary: 2 models</summary>\n\n### extra\n")
    assert summary.endswith("\n</details>\n")
    assert "### small_resnet\n" in summary
    assert ".github" not in summary  # the workflow file is no spec
    assert (runner / "archlint-diff.md").read_text() == diff_part
    assert outputs["diff-file"] == str(runner / "archlint-diff.md")


def test_a_gate_fails_the_action(checkout):
    done, summary, outputs = run_action(checkout, ARCHLINT_FAIL_ON_INCREASE="params=5%")
    assert done.returncode == 0 and outputs["exit-code"] == "1"
    assert "**B020** Params grew by 2,792 (+18.3%), from 15,258 to 18,050: more than params=5% allows" in summary
    done, summary, outputs = run_action(checkout, ARCHLINT_FAIL_ON_INCREASE="params=20%")
    assert outputs["exit-code"] == "0" and "B020" not in summary


def test_push_has_no_diff_and_errors_fail(checkout):
    (checkout / "models" / "broken.yaml").write_text(
        "archlint: 1\ninput: [2, 2, 3]\nlayers:\n  - {type: Conv2D, filters: 4, kernel_size: 5}\n")
    done, summary, outputs = run_action(checkout, GITHUB_EVENT_NAME="push", ARCHLINT_ARGS="--select E")
    assert outputs["exit-code"] == "1"
    assert done.stdout.startswith("::error file=models/broken.yaml,line=4,col=45,title=archlint E001")
    assert "W005" not in done.stdout  # --select E from the `args` input
    assert "model changes" not in summary and summary.startswith("<details><summary>archlint summary: 3 models")  # broken.yaml partly


def test_summary_and_diff_can_be_turned_off(checkout):
    done, summary, outputs = run_action(checkout, ARCHLINT_SUMMARY="false", ARCHLINT_DIFF="false")
    assert outputs["exit-code"] == "0" and summary == "" and "diff-file" not in outputs


def test_action_yml_runs_the_script_with_every_input():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    first = action["runs"]["steps"][0]
    assert first["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/github_action.sh"'
    script = (ROOT / "scripts" / "github_action.sh").read_text() + (ROOT / "archlint" / "ci_summary.py").read_text()
    for name, value in first["env"].items():
        input_name = name.removeprefix("ARCHLINT_").lower().replace("_", "-").replace("interpreter", "python")
        assert value == "${{ inputs." + input_name + " }}"
        assert name in script
    assert set(action["inputs"]) == {"paths", "args", "sarif", "summary", "diff", "fail-on-increase", "python"}
    upload = action["runs"]["steps"][1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@") and "inputs.sarif == 'true'" in upload["if"]
