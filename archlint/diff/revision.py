"""`archlint diff --rev REV PATH`: the file as it was at a git revision, read with `git show`.

Nothing is checked out and nothing is written into the work tree: the blob goes into a temporary
folder at the same path relative to the repository's top, beside the configuration files
(archlint.toml, pyproject.toml) of that revision along the path, so the old version is checked with
the configuration it had. Findings name it `REV:path`. Everything that reads a revision is here, so
the day the loader reads text directly only this module changes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile

CONFIG_NAMES = ("archlint.toml", "pyproject.toml")  # the names archlint.config searches for


class RevisionError(Exception):
    """git could not give the file at the revision: a usage error (exit 2) with git's own words."""


def _git(args: list[str], cwd: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def locate(path: str) -> tuple[str, str]:
    """(the repository's top folder, PATH relative to it with / separators)."""
    absolute = os.path.abspath(path)
    folder = os.path.dirname(absolute)
    while not os.path.isdir(folder):  # the file (and its folder) may be gone from the work tree
        folder = os.path.dirname(folder)
    top = _git(["rev-parse", "--show-toplevel"], folder).decode().strip()
    relative = os.path.relpath(os.path.realpath(absolute), os.path.realpath(top))  # git prints the real path
    return top, relative.replace(os.sep, "/")


def check_revision(rev: str, path: str, options):
    """project.Checked for PATH at REV, its findings naming `REV:path`."""
    from archlint import project

    top, relative = locate(path)
    if relative.startswith("../"):
        raise RevisionError(f"{path} is outside the git repository at {top}")
    blob = _git(["show", f"{rev}:{relative}"], top)
    folders = [os.path.dirname(relative)]
    while folders[-1]:
        folders.append(os.path.dirname(folders[-1]))
    candidates = [f"{folder}/{name}" if folder else name for folder in folders for name in CONFIG_NAMES]
    configs = _git(["ls-tree", "--name-only", rev, "--", *candidates], top).decode().split("\n")
    scratch = tempfile.mkdtemp(prefix="archlint-rev-")
    try:
        for config in filter(None, configs):
            _write(os.path.join(scratch, config), _git(["show", f"{rev}:{config}"], top))
        target = os.path.join(scratch, relative)
        _write(target, blob)
        checked = project.check_file(target, options)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    display = f"{rev}:{relative}"
    checked.result.path = display
    checked.findings = [dataclasses.replace(f, path=display) for f in checked.findings]
    checked.result.findings = [dataclasses.replace(f, path=display) for f in checked.result.findings]
    return checked


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
